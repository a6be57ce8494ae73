-- One row per reporting week that has audited items or findings (weeks are Mondays in the
-- district's time zone $tz): the index of weeks and the week-over-week figures. Same definitions
-- as dashboard_compliance.sql, over every week at once.
WITH items AS (
    SELECT CAST(date_trunc('week', timezone($tz, created_at)) AS DATE) AS week_start,
           count(*) AS items_audited,
           count(*) FILTER (WHERE kind = 'post') AS posts,
           count(*) FILTER (WHERE author_is_district) AS district_items,
           count(*) FILTER (WHERE author_is_district AND NOT has_finding) AS district_items_clean,
           count(DISTINCT account_id) AS accounts_active
    FROM marts.items_audited
    GROUP BY ALL
),
found AS (
    SELECT CAST(date_trunc('week', timezone($tz, week_at)) AS DATE) AS week_start,
           count(*) FILTER (WHERE NOT dismissed) AS findings,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'critical') AS critical,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'high') AS high,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'medium') AS medium,
           count(*) FILTER (WHERE NOT dismissed AND severity = 'low') AS low,
           count(*) FILTER (WHERE status = 'open') AS open_findings,
           count(*) FILTER (WHERE disposition_is_current) AS reviewed,
           count(*) FILTER (WHERE disposition_is_current AND disposition = 'false_positive')
           AS false_positives,
           count(DISTINCT account_id) FILTER (WHERE NOT dismissed) AS accounts_with_findings
    FROM marts.findings
    GROUP BY ALL
)
SELECT week_start,
       coalesce(i.items_audited, 0) AS items_audited, coalesce(i.posts, 0) AS posts,
       coalesce(i.district_items, 0) AS district_items,
       coalesce(i.district_items_clean, 0) AS district_items_clean,
       coalesce(i.accounts_active, 0) AS accounts_active,
       coalesce(f.findings, 0) AS findings, coalesce(f.critical, 0) AS critical,
       coalesce(f.high, 0) AS high, coalesce(f.medium, 0) AS medium, coalesce(f.low, 0) AS low,
       coalesce(f.open_findings, 0) AS open_findings, coalesce(f.reviewed, 0) AS reviewed,
       coalesce(f.false_positives, 0) AS false_positives,
       coalesce(f.accounts_with_findings, 0) AS accounts_with_findings
FROM items i
FULL JOIN found f USING (week_start)
WHERE week_start IS NOT NULL
ORDER BY week_start
