-- The findings of one reporting week: a finding belongs to the week its item was created in,
-- in the district's time zone ($start = Monday 00:00 local, $end = the next Monday 00:00, both
-- TIMESTAMPTZ, e.g. dashboards.weeks.Week.start/.end). A finding about no item (an account)
-- belongs to the week it was first seen. Every status is returned (open, dismissed, resolved,
-- cleared); `status = 'open'` means it needs attention. The weekly dashboard and the exception
-- report both read this file, so they always count the same findings.
SELECT f.finding_id, f.rule, f.kind, f.severity, f.status, f.platform, f.account_id,
       a.handle AS account_handle, a.kind AS account_kind, f.school, f.subject_id, f.item_id,
       i.kind AS item_kind, f.permalink, f.item_created_at, t.text AS item_text,
       f.content_sha256, f.evidence::VARCHAR AS evidence, f.policy_pack, f.clause_id,
       f.clause_section, f.clause_quote, f.first_seen_at, f.last_seen_at,
       d.status AS disposition, d.reviewer AS disposition_reviewer, d.note AS disposition_note,
       d.recorded_at AS disposition_recorded_at
FROM audit.findings f
LEFT JOIN core.items i ON i.item_id = f.item_id
LEFT JOIN marts.finding_texts t ON t.finding_id = f.finding_id  -- the item's, or an earlier text
LEFT JOIN registry.accounts a ON a.account_key = f.account_id
LEFT JOIN audit.current_dispositions d ON d.finding_id = f.finding_id
WHERE coalesce(f.item_created_at, f.first_seen_at) >= $start
  AND coalesce(f.item_created_at, f.first_seen_at) < $end
ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
         f.rule, f.item_created_at NULLS LAST, f.finding_id
