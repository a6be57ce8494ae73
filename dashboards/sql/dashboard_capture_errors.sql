-- Capture problems logged from $from to $as_of (TIMESTAMPTZ): every raw.fetch_log status other
-- than ok (auth_error, permission, rate_limited, credits_exhausted, partial, ...), grouped by
-- account, status and error code, with the latest (already redacted) message. Access problems
-- first: they do not heal without someone renewing a token or a permission.
WITH problems AS (
    SELECT l.account_id, a.platform, a.handle, a.school, l.source, l.status, l.error_code,
           count(*) AS occurrences, min(l.logged_at) AS first_at, max(l.logged_at) AS last_at,
           arg_max(l.message, l.logged_at) AS message
    FROM raw.fetch_log l
    LEFT JOIN registry.accounts a ON a.account_key = l.account_id
    WHERE l.status <> 'ok' AND l.logged_at >= $from AND l.logged_at < $as_of
    GROUP BY l.account_id, a.platform, a.handle, a.school, l.source, l.status, l.error_code
)
SELECT * FROM problems
ORDER BY CASE WHEN status IN ('auth_error', 'permission', 'credits_exhausted') THEN 0
              WHEN status = 'partial' THEN 2 ELSE 1 END,
         last_at DESC
