-- Threads a district account started that anyone answered, with the public's responses in order.
-- A thread with district replies but no public comment is scored on its post alone: the topic
-- can make it controversial (a bond election, a lockdown) before anyone has commented.
-- Each district reply is a subject too (its own id): its thread as it stood when the reply was
-- written, the post and the public's comments before it, so that unapproved_controversial_reply
-- can say whether the controversy was visible yet to whoever replied.
WITH threads AS (
    SELECT r.item_id AS subject_id, r.item_id AS root_id, NULL::TIMESTAMPTZ AS as_of
    FROM core.items r
    WHERE r.kind = 'post' AND r.author_is_district
      AND EXISTS (SELECT 1 FROM core.items x
                  WHERE x.thread_root_id = r.item_id AND x.item_id <> r.item_id)
    UNION ALL
    SELECT d.item_id, d.thread_root_id, coalesce(d.created_at, d.first_seen_at)
    FROM core.items d
    JOIN core.items r ON r.item_id = d.thread_root_id
    WHERE d.author_is_district AND d.kind IN ('comment', 'reply')
      AND r.kind = 'post' AND r.author_is_district
)
SELECT t.subject_id,
       sha256(coalesce(any_value(r.text), '') || chr(30)
              || coalesce(string_agg(coalesce(c.text, ''), chr(31) ORDER BY c.created_at,
                                     c.item_id), ''))
           AS content_sha256,
       coalesce(any_value(r.text), '') AS post,
       coalesce(list(coalesce(c.text, '') ORDER BY c.created_at, c.item_id)
                    FILTER (WHERE c.item_id IS NOT NULL), []) AS comments
FROM threads t
JOIN core.items r ON r.item_id = t.root_id
LEFT JOIN core.items c ON c.thread_root_id = t.root_id AND c.item_id <> t.root_id
                      AND NOT c.author_is_district
                      AND (t.as_of IS NULL OR coalesce(c.created_at, c.first_seen_at) < t.as_of)
GROUP BY t.subject_id
