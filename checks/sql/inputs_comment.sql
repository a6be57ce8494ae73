-- Comments and replies from the public, with the post they respond to (for off-topic). A
-- Facebook reply opens with the name of the person it answers (a tag, not content): it is
-- left out of what the detector reads.
SELECT c.item_id AS subject_id,
       sha256(t.text || chr(31) || coalesce(p.text, '')) AS content_sha256,
       t.text, coalesce(p.text, '') AS post
FROM core.items c
LEFT JOIN core.items p ON p.item_id = c.thread_root_id
LEFT JOIN core.items q ON q.item_id = c.parent_item_id AND q.kind IN ('comment', 'reply')
CROSS JOIN LATERAL (SELECT core.without_reply_tag(c.text, q.author_handle) AS text) t
WHERE c.kind IN ('comment', 'reply') AND NOT c.author_is_district
