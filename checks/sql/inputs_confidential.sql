-- Everything the district's own accounts wrote: posts, comments and replies. A Facebook reply
-- opens with the name of the person it answers (a tag, not a disclosure): it is left out.
SELECT i.item_id AS subject_id, sha256(t.text) AS content_sha256, t.text
FROM core.items i
LEFT JOIN core.items q ON q.item_id = i.parent_item_id AND q.kind IN ('comment', 'reply')
CROSS JOIN LATERAL (SELECT core.without_reply_tag(i.text, q.author_handle) AS text) t
WHERE i.author_is_district
