-- Public comments and replies on registered accounts that the platform shows hidden or deleted
-- with no recorded removal ground. Kinds: 'hidden' (only the account can hide a comment, so the
-- hiding is its act; a comment once seen hidden stays 'hidden' if it is deleted later) and
-- 'deleted' (the account or the comment's author: the platforms do not say who; an X account
-- cannot delete replies to it at all, only hide them). A comment deleted along with its post or
-- the comment it answered is not a removal of its own.
-- A ground is recorded when the comment detector gives the comment a ground the pack allows and
-- no review dismissed that removable_comment finding as a false positive, or when a review
-- confirmed (or remediated, or approved) a removable_comment finding with an allowed ground.
-- A removal the office documents afterwards is reviewed here (approved_after_the_fact, the
-- ground in the note), which resolves the finding.
WITH removed AS (
    SELECT c.item_id, c.platform, c.text,
           CASE WHEN c.state = 'hidden' OR EXISTS (
                    SELECT 1 FROM core.observations o
                    WHERE o.item_id = c.item_id AND o.state = 'hidden')
                THEN 'hidden' ELSE 'deleted' END AS kind,
           c.state
    FROM core.items c
    JOIN registry.accounts a ON a.account_key = c.account_id
    LEFT JOIN core.items p ON p.item_id = c.parent_item_id
    LEFT JOIN core.items r ON r.item_id = c.thread_root_id
    WHERE c.kind IN ('comment', 'reply') AND NOT c.author_is_district
      AND c.state IN ('hidden', 'deleted')
      AND NOT (c.state = 'deleted' AND (p.state = 'deleted' OR r.state = 'deleted'))
),
grounds AS (
    SELECT g.subject_id AS item_id
    FROM sig g
    WHERE g.detector = 'comment' AND g.flagged AND list_contains($allowed_grounds, g.label)
      AND NOT EXISTS (
          SELECT 1 FROM audit.findings f
          JOIN audit.current_dispositions d ON d.finding_id = f.finding_id
          WHERE f.rule = 'removable_comment' AND f.subject_id = g.subject_id
            AND f.kind = g.label AND d.status = 'false_positive'
            AND d.content_sha256 IS NOT DISTINCT FROM g.content_sha256)
    UNION ALL
    SELECT f.subject_id
    FROM audit.findings f
    JOIN audit.current_dispositions d ON d.finding_id = f.finding_id
    WHERE f.rule = 'removable_comment' AND list_contains($allowed_grounds, f.kind)
      AND d.status IN ('confirmed', 'remediated', 'approved_after_the_fact')
)
SELECT rm.kind, rm.item_id AS subject_id, rm.item_id,
       sha256(coalesce(rm.text, '')) AS content_sha256,
       json_object(
           'state', rm.state,
           'removed_by', CASE WHEN rm.kind = 'hidden' THEN 'account'
                              WHEN rm.platform = 'x' THEN 'author or X'
                              ELSE 'account or author' END,
           -- the states seen, in order (when: core.observations; capture times are not evidence)
           'observed', (SELECT list(o.state ORDER BY o.first_seen_at)
                        FROM core.observations o WHERE o.item_id = rm.item_id),
           'comment_detector', (SELECT json_object('label', g.label,
                                                   'score', round(g.score, 3))
                                FROM sig g
                                WHERE g.detector = 'comment' AND g.subject_id = rm.item_id))
           AS evidence
FROM removed rm
WHERE rm.item_id NOT IN (SELECT item_id FROM grounds)
  AND list_contains($actions, rm.kind)
