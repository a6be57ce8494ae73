-- Data quality frame: audit.findings without evidence or quotes. `binding` is "rule @ clause",
-- set only for open findings: what the active pack must bind.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT finding_id, rule, kind, severity, status, policy_pack, permalink, item_created_at,
       first_seen_at, last_seen_at,
       CASE WHEN status = 'open' THEN clause_id END AS open_clause_id,
       CASE WHEN status = 'open' THEN rule || ' @ ' || clause_id END AS open_binding,
       CASE WHEN status = 'open' THEN policy_pack END AS open_policy_pack,
       hash(finding_id) AS part_key
FROM audit.findings;
