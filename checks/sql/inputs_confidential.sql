-- Everything the district's own accounts wrote: posts, comments and replies, each with the alt
-- text it wrote on its photos (public too: screen readers read it, X shows it under "ALT"; not
-- the platform's own automatic description). A Facebook reply opens with the name of the person
-- it answers (a tag, not a disclosure): it is left out.
-- Every earlier text of an edited item is read too (X and Facebook show a post's edit history to
-- anyone who sees the post): its subject is the item's id, '#', the version's id and the first
-- 16 hex of its text's hash, and version_id and text_sha256 name the version; it is read with
-- the photos' alt text as it is now. Every earlier alt text of a photo (an account can edit it;
-- core.media_alt_versions) is read too, after the item's text now: its subject is the item's id,
-- '#alt#' and the first 16 hex of the alt text's hash.
WITH alts AS (
    SELECT item_id, string_agg(alt_text, chr(10) ORDER BY position, media_id) AS alt
    FROM core.media
    WHERE nullif(trim(alt_text), '') IS NOT NULL
    GROUP BY item_id
),
texts AS (
    SELECT i.item_id, i.item_id AS subject_id, NULL::VARCHAR AS version_id,
           NULL::VARCHAR AS text_sha256, i.text, i.parent_item_id
    FROM core.items i
    WHERE i.author_is_district
    UNION ALL
    SELECT i.item_id, i.item_id || '#' || v.version_id || '#' || left(v.text_sha256, 16),
           v.version_id, v.text_sha256, v.text, i.parent_item_id
    FROM core.items i
    JOIN core.item_versions v ON v.item_id = i.item_id
    WHERE i.author_is_district AND v.text_sha256 <> sha256(coalesce(i.text, ''))
),
earlier_alts AS (
    SELECT DISTINCT v.item_id, v.alt_sha256, v.alt_text
    FROM core.media_alt_versions v
    JOIN core.media m ON m.item_id = v.item_id AND m.media_id = v.media_id
    JOIN core.items i ON i.item_id = v.item_id
    WHERE i.author_is_district AND m.alt_text IS DISTINCT FROM v.alt_text
)
SELECT x.subject_id, sha256(t.text) AS content_sha256, t.text, x.item_id, x.version_id,
       x.text_sha256
FROM texts x
LEFT JOIN core.items q ON q.item_id = x.parent_item_id AND q.kind IN ('comment', 'reply')
LEFT JOIN alts a ON a.item_id = x.item_id
CROSS JOIN LATERAL (SELECT core.without_reply_tag(x.text, q.author_handle) AS written) w
CROSS JOIN LATERAL (
    SELECT CASE WHEN a.alt IS NULL THEN w.written
                ELSE coalesce(nullif(w.written, '') || chr(10) || chr(10), '') || a.alt END AS text
) t
UNION ALL
SELECT i.item_id || '#alt#' || left(e.alt_sha256, 16), sha256(t.text), t.text, i.item_id,
       NULL, NULL
FROM earlier_alts e
JOIN core.items i ON i.item_id = e.item_id
LEFT JOIN core.items q ON q.item_id = i.parent_item_id AND q.kind IN ('comment', 'reply')
CROSS JOIN LATERAL (SELECT core.without_reply_tag(i.text, q.author_handle) AS written) w
CROSS JOIN LATERAL (
    SELECT coalesce(nullif(w.written, '') || chr(10) || chr(10), '') || e.alt_text AS text
) t
