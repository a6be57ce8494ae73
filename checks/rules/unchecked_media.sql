-- District posts with a photo or video whose image the face detector could not read, so nobody
-- knows whether it shows students: the image is not stored (its download failed or waits for a
-- retry, the platform gave no address (Instagram gives none for media flagged for copyright or a
-- live broadcast), or the address is not https) or it cannot be decoded (it is downloaded again
-- once per address: the reason says how that went), or it has no faces verdict yet. One finding
-- per post, the reason given for each medium; once every image of the post has been read the
-- finding clears, and student_media_without_consent judges the post.
-- An animated GIF counts as a video, as in that rule.
WITH media AS (
    SELECT m.item_id, m.media_id, m.media_type, m.content_sha256, m.fetch_error,
           CASE WHEN m.media_type = 'photo' THEN m.url ELSE m.preview_url END AS image_url,
           g.label AS faces_label, g.reasons[1] AS faces_reason
    FROM core.media m
    LEFT JOIN sig g ON g.detector = 'faces' AND g.subject_id = m.content_sha256
    WHERE list_contains(
        $media_types, CASE m.media_type WHEN 'animated_gif' THEN 'video' ELSE m.media_type END)
),
unchecked AS (
    SELECT item_id, media_id, media_type, CASE
        WHEN content_sha256 IS NULL AND starts_with(fetch_error, 'retry:')
            THEN 'not downloaded, tried again next run: ' || substr(fetch_error, 7)
        WHEN content_sha256 IS NULL AND fetch_error IS NOT NULL
            THEN 'download failed: ' || fetch_error
        WHEN content_sha256 IS NULL AND image_url IS NULL
            THEN 'the platform gave no address for the image'
        WHEN content_sha256 IS NULL AND NOT starts_with(image_url, 'https://')
            THEN 'no https address to download the image from'
        WHEN content_sha256 IS NULL THEN 'not downloaded yet'
        WHEN faces_label IS NULL THEN 'not read by the face detector yet'
        -- how the second download went (connectors/media.py: 'downloaded again: …' is its own)
        WHEN faces_label = 'unreadable' THEN faces_reason || '; ' || CASE
            WHEN fetch_error IS NULL THEN 'downloaded again next run'
            WHEN starts_with(fetch_error, 'retry:')
                THEN 'downloading it again failed, tried again next run: '
                     || substr(fetch_error, 7)
            WHEN starts_with(fetch_error, 'downloaded again') THEN fetch_error
            ELSE 'downloading it again failed: ' || fetch_error END
        END AS reason
    FROM media
)
SELECT 'unchecked' AS kind, i.item_id AS subject_id, i.item_id,
       sha256(coalesce(i.text, '') || chr(31)
              || string_agg(u.media_id, ',' ORDER BY u.media_id)) AS content_sha256,
       json_object(
           'unchecked_media', count(*),
           'media', list(json_object('media_id', u.media_id, 'media_type', u.media_type,
                                     'reason', u.reason) ORDER BY u.media_id)
       ) AS evidence
FROM core.items i
JOIN unchecked u USING (item_id)
WHERE u.reason IS NOT NULL AND i.author_is_district AND i.state <> 'deleted'
GROUP BY i.item_id, i.text
