-- District posts and replies that disclose a student's personal information.
SELECT CASE coalesce(g.details -> 'kinds' ->> 0, 'grades')
           WHEN 'home_address' THEN 'address'
           WHEN 'personal_contact' THEN 'contact'
           WHEN 'date_of_birth' THEN 'dob'
           WHEN 'special_education' THEN 'health'
           ELSE coalesce(g.details -> 'kinds' ->> 0, 'grades') END AS kind,
       i.item_id AS subject_id, i.item_id, g.content_sha256,
       json_object('detector', 'confidential', 'kinds', g.details -> 'kinds',
                   'score', round(g.score, 3), 'reasons', g.reasons) AS evidence
FROM sig g
JOIN core.items i ON i.item_id = g.subject_id
WHERE g.detector = 'confidential' AND g.flagged AND i.state <> 'deleted'
