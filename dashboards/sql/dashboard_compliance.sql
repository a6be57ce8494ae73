-- Compliance of one reporting week by account, by school and for the whole district, in one pass
-- (GROUPING SETS: `level` is account, school or total). Every registered account has a row, with
-- or without activity. $start / $end: the week's bounds (TIMESTAMPTZ, end exclusive).
-- Items: created in the week on a registered account (marts.items_audited). Findings: those of
-- the week (marts.findings.week_at) that were not dismissed as false positives.
WITH items AS (
    SELECT account_id,
           count(*) AS items_audited,
           count(*) FILTER (WHERE kind = 'post') AS posts,
           count(*) FILTER (WHERE NOT author_is_district) AS public_items,
           count(*) FILTER (WHERE author_is_district) AS district_items,
           count(*) FILTER (WHERE author_is_district AND NOT has_finding) AS district_items_clean
    FROM marts.items_audited
    WHERE created_at >= $start AND created_at < $end
    GROUP BY account_id
),
found AS (
    SELECT account_id,
           count(*) FILTER (WHERE NOT dismissed) AS findings,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'critical') AS critical,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'high') AS high,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'medium') AS medium,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'low') AS low,
           count(*) FILTER (WHERE status = 'open') AS open_findings
    FROM marts.findings
    WHERE week_at >= $start AND week_at < $end AND account_id IS NOT NULL
    GROUP BY account_id
),
per_account AS (
    SELECT a.account_key, a.platform, a.handle, a.display_name, a.kind AS account_kind,
           a.school,
           coalesce(i.items_audited, 0) AS items_audited, coalesce(i.posts, 0) AS posts,
           coalesce(i.public_items, 0) AS public_items,
           coalesce(i.district_items, 0) AS district_items,
           coalesce(i.district_items_clean, 0) AS district_items_clean,
           coalesce(f.findings, 0) AS findings, coalesce(f.critical, 0) AS critical,
           coalesce(f.high, 0) AS high, coalesce(f.medium, 0) AS medium,
           coalesce(f.low, 0) AS low, coalesce(f.open_findings, 0) AS open_findings
    FROM registry.accounts a
    LEFT JOIN items i ON i.account_id = a.account_key
    LEFT JOIN found f ON f.account_id = a.account_key
)
SELECT CASE WHEN grouping(school) = 1 THEN 'total'
            WHEN grouping(account_key) = 1 THEN 'school'
            ELSE 'account' END AS level,
       school, account_key,
       any_value(platform) AS platform, any_value(handle) AS handle,
       any_value(display_name) AS display_name, any_value(account_kind) AS account_kind,
       count(*) AS accounts,
       count(*) FILTER (WHERE findings = 0) AS accounts_clean,
       count(*) FILTER (WHERE items_audited > 0) AS accounts_active,
       sum(items_audited)::BIGINT AS items_audited, sum(posts)::BIGINT AS posts,
       sum(public_items)::BIGINT AS public_items, sum(district_items)::BIGINT AS district_items,
       sum(district_items_clean)::BIGINT AS district_items_clean,
       sum(findings)::BIGINT AS findings, sum(critical)::BIGINT AS critical,
       sum(high)::BIGINT AS high, sum(medium)::BIGINT AS medium, sum(low)::BIGINT AS low,
       sum(open_findings)::BIGINT AS open_findings
FROM per_account
GROUP BY GROUPING SETS ((school, account_key), (school), ())
ORDER BY level, school NULLS LAST, handle, account_key
