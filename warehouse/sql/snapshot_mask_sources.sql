-- Texts the confidential detector flagged, with the spans of the personal details it found:
-- current item texts and every stored version (edits). Read from the pipeline's warehouse.
SELECT 'item' AS place, i.item_id, NULL AS version_id, NULL AS text_sha256, i.text, s.details
FROM core.items i
JOIN audit.signals s
  ON s.detector = 'confidential' AND s.content_sha256 = sha256(coalesce(i.text, ''))
WHERE s.flagged AND i.text IS NOT NULL
UNION ALL
SELECT 'version', v.item_id, v.version_id, v.text_sha256, v.text, s.details
FROM core.item_versions v
JOIN audit.signals s
  ON s.detector = 'confidential' AND s.content_sha256 = sha256(coalesce(v.text, ''))
WHERE s.flagged AND v.text IS NOT NULL
