-- Threads a district account started, with the public's responses in order.
SELECT r.item_id AS subject_id,
       sha256(coalesce(r.text, '') || chr(30)
              || string_agg(coalesce(c.text, ''), chr(31) ORDER BY c.created_at, c.item_id))
           AS content_sha256,
       coalesce(r.text, '') AS post,
       list(coalesce(c.text, '') ORDER BY c.created_at, c.item_id) AS comments
FROM core.items r
JOIN core.items c ON c.thread_root_id = r.item_id AND c.item_id <> r.item_id
                 AND NOT c.author_is_district
WHERE r.kind = 'post' AND r.author_is_district
GROUP BY r.item_id, r.text
