-- Public comments and replies the comment detector gives a removal ground; critical but
-- on-topic comments get no ground and never appear here.
SELECT g.label AS kind, c.item_id AS subject_id, c.item_id, g.content_sha256,
       json_object('detector', 'comment', 'ground', g.label, 'score', round(g.score, 3),
                   'reasons', g.reasons, 'state', c.state) AS evidence
FROM sig g
JOIN core.items c ON c.item_id = g.subject_id
WHERE g.detector = 'comment' AND g.flagged
