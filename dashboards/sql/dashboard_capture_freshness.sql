-- Capture health per registered account for a week: its last successful capture (raw.fetch_log
-- status ok or partial) up to $now, and whether the week may be incomplete for it: no successful
-- capture since $max_age_hours before $as_of (the week's end, or now for the current week). A
-- capture after the week ended (a backfill, a late run) covers the week. Stale accounts first.
WITH last_ok AS (
    SELECT account_id, max(logged_at) AS last_capture_at
    FROM raw.fetch_log
    WHERE status IN ('ok', 'partial') AND logged_at <= $now
    GROUP BY account_id
)
SELECT a.account_key, a.platform, a.handle, a.display_name, a.kind AS account_kind, a.school,
       o.last_capture_at,
       -- NULL when never captured (greatest() would skip the NULL and say 0)
       CASE WHEN o.last_capture_at IS NOT NULL
            THEN greatest(date_diff('minute', o.last_capture_at, $as_of), 0) / 60.0
       END AS hours_since_capture,
       o.last_capture_at IS NULL
           OR o.last_capture_at < $as_of - to_hours(CAST($max_age_hours AS BIGINT)) AS stale
FROM registry.accounts a
LEFT JOIN last_ok o ON o.account_id = a.account_key
ORDER BY stale DESC, o.last_capture_at NULLS FIRST, a.school NULLS LAST, a.handle
