-- Texts the confidential detector flagged, with the spans of the personal details it found and
-- the text those spans are offsets into (what the detector read): current item texts as the
-- detector reads them now (snapshot_confidential_reading: without a reply's leading name, with
-- the alt text the district wrote on its photos), the earlier texts of edited items as the
-- detector reads them (the same reading), current item texts as stored (read by an earlier
-- detector version), every stored version as stored (likewise), and the earlier alt texts of
-- photos as the detector reads them (after the item's text: no stored text to mask, every
-- detail found is withheld wherever it is repeated). Read from the pipeline's warehouse.
SELECT 'item' AS place, i.item_id, NULL AS version_id, NULL AS text_sha256, i.text,
       r.text AS read_text, s.details
FROM core.items i
JOIN snapshot_confidential_reading r ON r.subject_id = i.item_id
JOIN audit.signals s ON s.detector = 'confidential' AND s.content_sha256 = r.content_sha256
WHERE s.flagged AND r.text IS NOT NULL
UNION ALL
SELECT 'version', v.item_id, v.version_id, v.text_sha256, v.text, r.text, s.details
FROM core.item_versions v
JOIN snapshot_confidential_reading r
  ON r.item_id = v.item_id AND r.version_id = v.version_id AND r.text_sha256 = v.text_sha256
JOIN audit.signals s ON s.detector = 'confidential' AND s.content_sha256 = r.content_sha256
WHERE s.flagged AND r.text IS NOT NULL
UNION ALL
SELECT 'item', i.item_id, NULL, NULL, i.text, i.text, s.details
FROM core.items i
JOIN audit.signals s
  ON s.detector = 'confidential' AND s.content_sha256 = sha256(coalesce(i.text, ''))
WHERE s.flagged AND i.text IS NOT NULL
UNION ALL
SELECT 'version', v.item_id, v.version_id, v.text_sha256, v.text, v.text, s.details
FROM core.item_versions v
JOIN audit.signals s
  ON s.detector = 'confidential' AND s.content_sha256 = sha256(coalesce(v.text, ''))
WHERE s.flagged AND v.text IS NOT NULL
UNION ALL
SELECT 'alt', r.item_id, NULL, NULL, NULL, r.text, s.details
FROM snapshot_confidential_reading r
JOIN audit.signals s ON s.detector = 'confidential' AND s.content_sha256 = r.content_sha256
WHERE s.flagged AND r.text IS NOT NULL AND r.subject_id LIKE '%#alt#%'
