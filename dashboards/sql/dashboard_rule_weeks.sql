-- Findings per reporting week, rule and severity, from $from to $end (TIMESTAMPTZ, end
-- exclusive), with the review outcome: the trend, the headline figures and the false-positive
-- rates of the weekly dashboard. Weeks are Mondays in the district's time zone $tz. A finding
-- counts as reviewed only when its latest disposition was recorded for the content it still has
-- (disposition_is_current): a review of a post since edited judged other words, and the finding
-- is open again, awaiting a new review.
SELECT CAST(date_trunc('week', timezone($tz, week_at)) AS DATE) AS week_start,
       rule, severity,
       count(*) FILTER (WHERE NOT dismissed) AS findings,
       count(*) FILTER (WHERE status = 'open') AS open_findings,
       count(*) FILTER (WHERE status = 'resolved') AS resolved,
       count(*) FILTER (WHERE status = 'cleared') AS cleared,
       count(*) FILTER (WHERE dismissed) AS dismissed,
       count(*) FILTER (WHERE disposition_is_current) AS reviewed,
       count(*) FILTER (WHERE disposition_is_current AND disposition = 'false_positive')
           AS false_positives
FROM marts.findings
WHERE week_at >= $from AND week_at < $end
GROUP BY ALL
ORDER BY week_start, rule, severity
