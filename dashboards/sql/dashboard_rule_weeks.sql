-- Findings per reporting week, rule and severity, from $from to $end (TIMESTAMPTZ, end
-- exclusive), with the review outcome: the trend, the headline figures and the false-positive
-- rates of the weekly dashboard. Weeks are Mondays in the district's time zone $tz.
SELECT CAST(date_trunc('week', timezone($tz, week_at)) AS DATE) AS week_start,
       rule, severity,
       count(*) FILTER (WHERE NOT dismissed) AS findings,
       count(*) FILTER (WHERE status = 'open') AS open_findings,
       count(*) FILTER (WHERE status = 'resolved') AS resolved,
       count(*) FILTER (WHERE status = 'cleared') AS cleared,
       count(*) FILTER (WHERE dismissed) AS dismissed,
       count(*) FILTER (WHERE disposition IS NOT NULL) AS reviewed,
       count(*) FILTER (WHERE disposition = 'false_positive') AS false_positives
FROM marts.findings
WHERE week_at >= $from AND week_at < $end
GROUP BY ALL
ORDER BY week_start, rule, severity
