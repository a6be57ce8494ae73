-- Posts, and replies to others, written by registered teacher pages.
SELECT i.item_id AS subject_id, sha256(coalesce(i.text, '')) AS content_sha256,
       coalesce(i.text, '') AS text
FROM core.items i
JOIN registry.accounts a ON a.account_key = i.account_id
WHERE a.kind = 'teacher_page' AND i.author_is_district
  AND i.author_id = a.platform || ':' || a.platform_id AND i.state <> 'deleted'
