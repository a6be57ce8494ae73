-- Posts, and replies to others, written by registered teacher pages. A Facebook reply opens
-- with the name of the person it answers (a tag, not content): it is left out.
SELECT i.item_id AS subject_id, sha256(t.text) AS content_sha256, t.text
FROM core.items i
JOIN registry.accounts a ON a.account_key = i.account_id
LEFT JOIN core.items q ON q.item_id = i.parent_item_id AND q.kind IN ('comment', 'reply')
CROSS JOIN LATERAL (SELECT core.without_reply_tag(i.text, q.author_handle) AS text) t
WHERE a.kind = 'teacher_page' AND i.author_is_district
  AND i.author_id = a.platform || ':' || a.platform_id AND i.state <> 'deleted'
