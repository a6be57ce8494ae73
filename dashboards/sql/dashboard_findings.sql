-- The findings of one reporting week ($start / $end, TIMESTAMPTZ, end exclusive), every status,
-- with the text the finding is about (marts.finding_texts: the item's, or the earlier text a
-- disclosure was found in), its media (stored images by content hash) and the latest disposition:
-- the rows of the weekly dashboard's findings table. A finding belongs to the week its item was
-- created in, or, about no item, to the week it was first seen (marts.findings.week_at).
WITH week AS (
    SELECT * FROM marts.findings WHERE week_at >= $start AND week_at < $end
),
media AS (
    SELECT item_id,
           list({'sha256': content_sha256, 'local_path': local_path, 'media_type': media_type,
                 'url': url, 'preview_url': preview_url, 'alt_text': alt_text}
                ORDER BY position, media_id) AS media
    FROM core.media
    WHERE item_id IN (SELECT item_id FROM week WHERE item_id IS NOT NULL)
    GROUP BY item_id
)
SELECT f.finding_id, f.rule, f.kind, f.severity, f.status, f.dismissed, f.account_id,
       f.school, f.platform, f.item_id, i.kind AS item_kind, i.author_handle,
       i.author_is_district, i.state AS item_state, f.permalink, f.week_at,
       t.text AS item_text, CAST(f.evidence AS VARCHAR) AS evidence, f.clause_id,
       f.clause_section, f.clause_quote, f.disposition, f.disposition_reviewer,
       f.disposition_note, f.disposition_recorded_at, f.disposition_is_current, m.media
FROM week f
LEFT JOIN core.items i ON i.item_id = f.item_id
LEFT JOIN marts.finding_texts t ON t.finding_id = f.finding_id
LEFT JOIN media m ON m.item_id = f.item_id
ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
         ELSE 3 END, f.week_at DESC, f.finding_id
