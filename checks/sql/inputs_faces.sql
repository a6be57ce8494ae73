-- Every stored image once (the same photo posted twice is scored once).
SELECT content_sha256 AS subject_id, content_sha256, any_value(local_path) AS path
FROM core.media
WHERE content_sha256 IS NOT NULL AND local_path IS NOT NULL
GROUP BY content_sha256
