-- Everything the district's own accounts wrote: posts, comments and replies.
SELECT item_id AS subject_id, sha256(coalesce(text, '')) AS content_sha256,
       coalesce(text, '') AS text
FROM core.items
WHERE author_is_district
