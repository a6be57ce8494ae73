-- Everything the district's own accounts wrote: posts, comments and replies, each with the alt
-- text it wrote on its photos (public too: screen readers read it, X shows it under "ALT"; not
-- the platform's own automatic description). A Facebook reply opens with the name of the person
-- it answers (a tag, not a disclosure): it is left out.
WITH alts AS (
    SELECT item_id, string_agg(alt_text, chr(10) ORDER BY position, media_id) AS alt
    FROM core.media
    WHERE nullif(trim(alt_text), '') IS NOT NULL
    GROUP BY item_id
)
SELECT i.item_id AS subject_id, sha256(t.text) AS content_sha256, t.text
FROM core.items i
LEFT JOIN core.items q ON q.item_id = i.parent_item_id AND q.kind IN ('comment', 'reply')
LEFT JOIN alts a ON a.item_id = i.item_id
CROSS JOIN LATERAL (SELECT core.without_reply_tag(i.text, q.author_handle) AS written) w
CROSS JOIN LATERAL (
    SELECT CASE WHEN a.alt IS NULL THEN w.written
                ELSE coalesce(nullif(w.written, '') || chr(10) || chr(10), '') || a.alt END AS text
) t
WHERE i.author_is_district
