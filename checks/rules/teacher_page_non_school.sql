-- Teacher-page posts, and teacher-page replies to students (hashed roster), that the
-- teacher-content detector finds are not about classroom or school activities.
SELECT CASE WHEN i.kind = 'post' THEN 'post' ELSE 'reply_to_student' END AS kind,
       i.item_id AS subject_id, i.item_id, g.content_sha256,
       json_object('detector', 'teacher-content', 'label', g.label,
                   'score', round(g.score, 3), 'reasons', g.reasons) AS evidence
FROM sig g
JOIN core.items i ON i.item_id = g.subject_id
WHERE g.detector = 'teacher-content' AND g.flagged AND i.state <> 'deleted'
  AND (i.kind = 'post' OR EXISTS (
        SELECT 1 FROM core.items p
        JOIN registry.roster r ON r.platform = p.platform
         AND r.student_handle_sha256 IN (sha256(lower(coalesce(p.author_handle, ''))),
                                         sha256(split_part(coalesce(p.author_id, ''), ':', 2)))
        WHERE p.item_id = i.parent_item_id))
