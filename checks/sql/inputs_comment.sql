-- Comments and replies from the public, with the post they respond to (for off-topic).
SELECT c.item_id AS subject_id,
       sha256(coalesce(c.text, '') || chr(31) || coalesce(p.text, '')) AS content_sha256,
       coalesce(c.text, '') AS text, coalesce(p.text, '') AS post
FROM core.items c
LEFT JOIN core.items p ON p.item_id = c.thread_root_id
WHERE c.kind IN ('comment', 'reply') AND NOT c.author_is_district
