-- Capture health of each registered account: an open token incident (auth_error logged after
-- the last good capture: the incident starts at the first such error) or a stale account (no
-- good capture since $stale_before). A good capture is an account's fetch_log row with status
-- ok or partial.
--
-- An account that was never captured waits since its first capture attempt, or, with no attempt
-- at all (its platform is switched off, the run stopped before it), since it was registered.
-- The registry does not keep when each account was added (every load replaces the table), so
-- that is the first load of the accounts registry (`registry.loads`; the registry is loaded at
-- the start of every capture run, so this is also the first run), else the account's own
-- `loaded_at`.
WITH log AS (
    SELECT account_id, status, error_code, message, logged_at
    FROM raw.fetch_log
    WHERE account_id IS NOT NULL
),
last_ok AS (
    SELECT account_id, max(logged_at) AS last_ok_at
    FROM log WHERE status IN ('ok', 'partial') GROUP BY account_id
),
first_try AS (
    SELECT account_id, min(logged_at) AS first_attempt_at FROM log GROUP BY account_id
),
registered AS (
    SELECT min(loaded_at) AS first_load_at
    FROM registry.loads WHERE table_name = 'registry.accounts'
),
auth AS (
    SELECT l.account_id, min(l.logged_at) AS auth_since,
           arg_max(l.error_code, l.logged_at) AS error_code,
           arg_max(l.message, l.logged_at) AS message
    FROM log l
    LEFT JOIN last_ok o USING (account_id)
    WHERE l.status = 'auth_error' AND (o.last_ok_at IS NULL OR l.logged_at > o.last_ok_at)
    GROUP BY l.account_id
),
health AS (
    SELECT a.account_key, a.platform, a.handle, a.school, a.token_env,
           CASE WHEN x.auth_since IS NOT NULL THEN 'auth_error' ELSE 'stale' END AS problem,
           x.auth_since, o.last_ok_at, t.first_attempt_at, x.error_code, x.message,
           coalesce(o.last_ok_at, t.first_attempt_at, r.first_load_at, a.loaded_at)
               AS waiting_since
    FROM registry.accounts a
    CROSS JOIN registered r
    LEFT JOIN first_try t ON t.account_id = a.account_key
    LEFT JOIN last_ok o ON o.account_id = a.account_key
    LEFT JOIN auth x ON x.account_id = a.account_key
)
SELECT * FROM health
WHERE auth_since IS NOT NULL OR waiting_since < $stale_before
ORDER BY account_key
