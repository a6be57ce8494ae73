-- Views for analysts and the weekly dashboard (schema `marts`).
--
-- A reporting week runs from Monday 00:00 to the next Monday 00:00 in the district's time zone.
-- `week_start` columns are computed in the session's time zone, so set it to the district's first:
--     SET TimeZone = 'America/Chicago';
-- (the pipeline's own connections use UTC). `week_at` is the moment that places a row in a week.
--
-- What counts:
-- * an item is audited in the week it was created, if it was captured from a registered account
--   (posts, comments and replies alike);
-- * a finding belongs to the week its item was created in; a finding about no item (an account)
--   to the week it was first seen;
-- * a finding is `dismissed` when the office's latest disposition is `false_positive` for the
--   content it still has (same content hash). Compliance figures count every finding that is not
--   dismissed, whatever its status (open, resolved, cleared): a breach that was fixed or removed
--   still happened that week.

-- Every finding with its reporting week, its latest disposition and the status that disposition
-- gives it: the same rule as the audit engine applies on its next run (checks/engine.py), so a
-- review imported since the last audit already shows. `audit_status` is the stored status.
CREATE VIEW marts.findings AS
WITH reviewed AS (
    SELECT f.*, d.finding_id IS NOT NULL AS has_disposition,
           d.status AS disposition, d.reviewer AS disposition_reviewer,
           d.note AS disposition_note, d.recorded_at AS disposition_recorded_at,
           d.finding_id IS NOT NULL
               AND d.content_sha256 IS NOT DISTINCT FROM f.content_sha256 AS review_applies
    FROM audit.findings f
    LEFT JOIN audit.current_dispositions d ON d.finding_id = f.finding_id
)
SELECT f.finding_id, f.rule, f.kind, f.severity,
       CASE WHEN f.status = 'cleared' THEN 'cleared'
            WHEN f.review_applies AND f.disposition = 'false_positive' THEN 'dismissed'
            WHEN f.review_applies
                 AND f.disposition IN ('remediated', 'approved_after_the_fact') THEN 'resolved'
            ELSE 'open' END AS status,  -- open | dismissed | resolved | cleared
       f.status AS audit_status, f.platform,
       coalesce(f.account_id, a.account_key) AS account_id,
       coalesce(f.school, a.school) AS school,
       f.subject_id, f.item_id, f.permalink, f.item_created_at,
       coalesce(f.item_created_at, f.first_seen_at) AS week_at,
       CAST(date_trunc('week', coalesce(f.item_created_at, f.first_seen_at)) AS DATE) AS week_start,
       f.content_sha256, f.evidence, f.policy_pack, f.clause_id, f.clause_section, f.clause_quote,
       f.first_seen_at, f.last_seen_at,
       f.disposition, f.disposition_reviewer, f.disposition_note, f.disposition_recorded_at,
       CASE WHEN f.has_disposition THEN f.review_applies END
           AS disposition_is_current,  -- false: the content changed since the review
       f.review_applies AND f.disposition = 'false_positive' AS dismissed
FROM reviewed f
LEFT JOIN registry.accounts a ON f.account_id IS NULL AND a.account_key = f.subject_id;

-- Every item audited: created on a registered account; has_finding = a finding not dismissed.
CREATE VIEW marts.items_audited AS
SELECT i.item_id, i.platform, i.kind, i.account_id, a.kind AS account_kind, a.school,
       i.author_is_district, i.state, i.created_at,
       CAST(date_trunc('week', i.created_at) AS DATE) AS week_start,
       EXISTS (SELECT 1 FROM marts.findings f
               WHERE f.item_id = i.item_id AND NOT f.dismissed) AS has_finding
FROM core.items i
JOIN registry.accounts a ON a.account_key = i.account_id
WHERE i.created_at IS NOT NULL;

-- One row per week and account that had items or findings.
CREATE VIEW marts.weekly_compliance AS
WITH items AS (
    SELECT week_start, account_id,
           count(*) AS items_audited,
           count(*) FILTER (WHERE kind = 'post') AS posts,
           count(*) FILTER (WHERE NOT author_is_district) AS public_items,
           count(*) FILTER (WHERE author_is_district) AS district_items,
           count(*) FILTER (WHERE author_is_district AND NOT has_finding) AS district_items_clean
    FROM marts.items_audited
    GROUP BY ALL
),
found AS (
    SELECT week_start, account_id,
           count(*) FILTER (WHERE NOT dismissed) AS findings,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'critical') AS critical,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'high') AS high,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'medium') AS medium,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'low') AS low,
           count(*) FILTER (WHERE status = 'open') AS open_findings,
           count(*) FILTER (WHERE dismissed) AS dismissed
    FROM marts.findings
    WHERE account_id IS NOT NULL
    GROUP BY ALL
)
SELECT week_start, a.account_key AS account_id, a.platform, a.handle, a.kind AS account_kind,
       a.school,
       coalesce(i.items_audited, 0) AS items_audited, coalesce(i.posts, 0) AS posts,
       coalesce(i.public_items, 0) AS public_items,
       coalesce(i.district_items, 0) AS district_items,
       coalesce(i.district_items_clean, 0) AS district_items_clean,
       coalesce(f.findings, 0) AS findings, coalesce(f.critical, 0) AS critical,
       coalesce(f.high, 0) AS high, coalesce(f.medium, 0) AS medium, coalesce(f.low, 0) AS low,
       coalesce(f.open_findings, 0) AS open_findings, coalesce(f.dismissed, 0) AS dismissed
FROM items i
FULL JOIN found f USING (week_start, account_id)
JOIN registry.accounts a ON a.account_key = account_id;

-- Findings per week, rule and severity, with the review outcome.
CREATE VIEW marts.findings_by_week AS
SELECT week_start, rule, severity,
       count(*) FILTER (WHERE NOT dismissed) AS findings,
       count(*) FILTER (WHERE status = 'open') AS open_findings,
       count(*) FILTER (WHERE disposition IS NOT NULL) AS reviewed,
       count(*) FILTER (WHERE disposition = 'false_positive') AS false_positives,
       count(*) FILTER (WHERE dismissed) AS dismissed
FROM marts.findings
GROUP BY ALL;

-- Capture health per registered account: the last successful capture and the last error.
CREATE VIEW marts.capture_health AS
WITH last_ok AS (
    SELECT account_id, max(logged_at) AS last_capture_at
    FROM raw.fetch_log WHERE status IN ('ok', 'partial') GROUP BY account_id
),
last_try AS (
    SELECT account_id, max(logged_at) AS last_attempt_at,
           arg_max(status, logged_at) AS last_status
    FROM raw.fetch_log GROUP BY account_id
),
last_error AS (
    SELECT account_id, max(logged_at) AS last_error_at,
           arg_max(status, logged_at) AS last_error_status,
           arg_max(error_code, logged_at) AS last_error_code,
           arg_max(message, logged_at) AS last_error_message
    FROM raw.fetch_log WHERE status NOT IN ('ok', 'partial') GROUP BY account_id
)
SELECT a.account_key AS account_id, a.platform, a.handle, a.kind AS account_kind, a.school,
       o.last_capture_at,
       date_diff('minute', o.last_capture_at, now()) / 60.0 AS hours_since_capture,
       t.last_attempt_at, t.last_status,
       e.last_error_at, e.last_error_status, e.last_error_code, e.last_error_message
FROM registry.accounts a
LEFT JOIN last_ok o ON o.account_id = a.account_key
LEFT JOIN last_try t ON t.account_id = a.account_key
LEFT JOIN last_error e ON e.account_id = a.account_key;
