-- Open findings a channel has not been sent yet, with what an alert shows: the account and
-- school, the item's text (escaped by each channel's renderer), the evidence, the clause and a
-- link (the item's, else its thread root's). Findings the office has already reviewed are left
-- out. $severities: the severities wanted; $since: first seen at or after (NULL: any time).
SELECT f.finding_id, f.rule, f.kind, f.severity, f.platform, f.account_id, a.handle,
       coalesce(f.school, a.school) AS school, i.text, f.evidence::VARCHAR AS evidence,
       f.clause_id, f.clause_section, f.clause_quote,
       coalesce(f.permalink, r.permalink) AS link, f.first_seen_at, f.item_created_at
FROM audit.findings f
LEFT JOIN core.items i ON i.item_id = f.item_id
LEFT JOIN core.items r ON r.item_id = i.thread_root_id
LEFT JOIN registry.accounts a ON a.account_key = f.account_id
WHERE f.status = 'open'
  AND list_contains($severities, f.severity)
  AND ($since IS NULL OR f.first_seen_at >= $since)
  AND NOT EXISTS (SELECT 1 FROM audit.alerts_sent s
                  WHERE s.channel = $channel AND s.alert_key = f.finding_id)
  AND NOT EXISTS (SELECT 1 FROM audit.current_dispositions d
                  WHERE d.finding_id = f.finding_id
                    AND d.content_sha256 IS NOT DISTINCT FROM f.content_sha256)
ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
         ELSE 3 END, f.first_seen_at, f.finding_id
