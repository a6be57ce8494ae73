-- Media whose image bytes are not yet stored (photos by URL, videos by their preview image), and
-- stored images the face detector could not decode (a cut or garbled download): those are asked
-- for again, once per address, since the platform may serve the whole image the next time; and,
-- once more, a stored image whose file the detector found gone after that second download.
-- stored_sha256 is the content kept until then (NULL when nothing is stored).
WITH unreadable AS (
    -- the face detector's "cannot decode" verdicts, and whether it found the file gone
    SELECT ss.subject_id AS content_sha256,
           list_contains(s.reasons, 'cannot decode image: file not found') AS file_gone
    FROM audit.subject_signals ss
    JOIN audit.signals s USING (detector, detector_version, content_sha256)
    WHERE ss.detector = 'faces' AND s.label = 'unreadable'
)
SELECT DISTINCT ON (m.media_id) m.media_id, m.platform, m.media_type,
       CASE WHEN m.media_type = 'photo' THEN m.url ELSE m.preview_url END AS image_url,
       m.content_sha256 AS stored_sha256
FROM core.media m
WHERE CASE WHEN m.media_type = 'photo' THEN m.url ELSE m.preview_url END LIKE 'https://%'
  AND (
    ((m.fetch_error IS NULL OR m.fetch_error LIKE 'retry:%')
     AND (m.content_sha256 IS NULL
          OR EXISTS (SELECT 1 FROM unreadable u WHERE u.content_sha256 = m.content_sha256)))
    -- a file downloaded again once already and then gone from the media folder: its loss is our
    -- disk's, not the address's, so it is asked for once more (a refusal still stands)
    OR (m.fetch_error IN ('downloaded again: the same file', 'downloaded again: a different file')
        AND EXISTS (SELECT 1 FROM unreadable u
                    WHERE u.content_sha256 = m.content_sha256 AND u.file_gone)))
ORDER BY m.first_seen_at, m.media_id
