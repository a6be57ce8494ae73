-- A district account's reply in a thread the controversy detector flags, with no approval by a
-- designee dated before the reply (approvals target the thread's root or the post replied to).
-- The thread is judged as it stands: a storm that came later is evidence of what the post was.
-- The evidence also gives the thread as the reply found it (the post and the public's comments
-- before the reply: the reply's own controversy subject, checks/sql/inputs_controversy.sql), so
-- a reviewer sees whether the controversy was visible when the reply was written.
WITH replies AS (
    SELECT r.item_id, r.platform, r.created_at, r.thread_root_id, r.parent_item_id,
           sha256(coalesce(r.text, '')) AS content_sha256, root.native_id AS root_native,
           parent.native_id AS parent_native, g.score AS thread_score, g.reasons AS thread_reasons,
           w.flagged AS was_controversial, w.score AS was_score,
           json_array_length(w.details -> 'vader_compound') AS comments_before
    FROM core.items r
    JOIN registry.accounts a ON a.account_key = r.account_id
    JOIN sig g ON g.detector = 'controversy' AND g.subject_id = r.thread_root_id AND g.flagged
    LEFT JOIN sig w ON w.detector = 'controversy' AND w.subject_id = r.item_id
    JOIN core.items root ON root.item_id = r.thread_root_id
    LEFT JOIN core.items parent ON parent.item_id = r.parent_item_id
    WHERE r.author_is_district AND r.kind IN ('comment', 'reply')
      AND list_contains($applies_to_accounts, a.kind)
),
approvals AS (
    SELECT rp.item_id, ap.approval_id, ap.approver, ap.approved_at,
           ap.approved_at <= rp.created_at AS in_time
    FROM replies rp
    JOIN registry.approvals ap
      ON ap.platform = rp.platform AND ap.target_id IN (rp.root_native, rp.parent_native)
    JOIN registry.designees d ON d.designee_id = ap.approver
)
SELECT CASE WHEN EXISTS (SELECT 1 FROM approvals x WHERE x.item_id = rp.item_id)
            THEN 'approved_after_reply' ELSE 'no_approval' END AS kind,
       rp.item_id AS subject_id, rp.item_id, rp.content_sha256,
       json_object('thread', rp.thread_root_id, 'thread_score', round(rp.thread_score, 3),
                   'replied_at', rp.created_at,
                   'when_replied', json_object('controversial', rp.was_controversial,
                                               'score', round(rp.was_score, 3),
                                               'comments_before', rp.comments_before),
                   'thread_reasons', rp.thread_reasons,
                   'approvals', coalesce((SELECT list(json_object('approval_id', x.approval_id,
                                                                  'approver', x.approver,
                                                                  'approved_at', x.approved_at))
                                          FROM approvals x WHERE x.item_id = rp.item_id), []))
           AS evidence
FROM replies rp
WHERE NOT EXISTS (SELECT 1 FROM approvals x WHERE x.item_id = rp.item_id AND x.in_time)
