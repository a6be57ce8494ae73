-- The text a finding is about, as the dashboard and the exception reports show it: its item's
-- text, except for a disclosure an edit removed (a confidential_disclosure finding whose
-- evidence names an earlier_text), where it is that earlier text: the one the finding judged.
-- In the analyst snapshot both are masked like every item text and version.
CREATE OR REPLACE VIEW marts.finding_texts AS
SELECT f.finding_id, f.item_id,
       coalesce(e.text, i.text) AS text,
       e.version_id AS earlier_version_id
FROM audit.findings f
LEFT JOIN core.items i ON i.item_id = f.item_id
LEFT JOIN (
    SELECT f2.finding_id, v.version_id, arg_max(v.text, v.first_seen_at) AS text
    FROM audit.findings f2
    JOIN core.item_versions v
      ON v.item_id = f2.item_id
     AND v.version_id = json_extract_string(f2.evidence, '$.earlier_text.version_id')
    WHERE f2.rule = 'confidential_disclosure'
    GROUP BY f2.finding_id, v.version_id
) e ON e.finding_id = f.finding_id;
