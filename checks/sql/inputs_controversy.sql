-- Threads a district account started that anyone answered, with the public's responses in order.
-- A thread with district replies but no public comment is scored on its post alone: the topic
-- can make it controversial (a bond election, a lockdown) before anyone has commented.
SELECT r.item_id AS subject_id,
       sha256(coalesce(r.text, '') || chr(30)
              || coalesce(string_agg(coalesce(c.text, ''), chr(31) ORDER BY c.created_at,
                                     c.item_id), ''))
           AS content_sha256,
       coalesce(r.text, '') AS post,
       coalesce(list(coalesce(c.text, '') ORDER BY c.created_at, c.item_id)
                    FILTER (WHERE c.item_id IS NOT NULL), []) AS comments
FROM core.items r
LEFT JOIN core.items c ON c.thread_root_id = r.item_id AND c.item_id <> r.item_id
                      AND NOT c.author_is_district
WHERE r.kind = 'post' AND r.author_is_district
  AND EXISTS (SELECT 1 FROM core.items x
              WHERE x.thread_root_id = r.item_id AND x.item_id <> r.item_id)
GROUP BY r.item_id, r.text
