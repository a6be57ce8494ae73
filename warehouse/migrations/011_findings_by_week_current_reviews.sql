-- `marts.findings_by_week` counted every latest review, also one made of content that has
-- changed since (which the engine and the dashboard ignore: the review judged other words).
-- It now counts a review only while it applies (`disposition_is_current`), as the dashboard's
-- false-positive rate does, and shows the others as `stale_reviews`.
CREATE OR REPLACE VIEW marts.findings_by_week AS
SELECT week_start, rule, severity,
       count(*) FILTER (WHERE NOT dismissed) AS findings,
       count(*) FILTER (WHERE status = 'open') AS open_findings,
       count(*) FILTER (WHERE disposition_is_current) AS reviewed,
       count(*) FILTER (WHERE disposition_is_current AND disposition = 'false_positive')
           AS false_positives,
       count(*) FILTER (WHERE dismissed) AS dismissed,
       count(*) FILTER (WHERE disposition_is_current = false) AS stale_reviews
FROM marts.findings
GROUP BY ALL;
