-- Media whose image bytes are not yet stored: photos by URL, videos by their preview image.
SELECT DISTINCT ON (media_id) media_id, platform, media_type,
       CASE WHEN media_type = 'photo' THEN url ELSE preview_url END AS image_url
FROM core.media
WHERE content_sha256 IS NULL
  AND (fetch_error IS NULL OR fetch_error LIKE 'retry:%')
  AND CASE WHEN media_type = 'photo' THEN url ELSE preview_url END LIKE 'https://%'
ORDER BY first_seen_at, media_id
