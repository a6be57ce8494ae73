-- District posts and replies that disclose a student's personal information: in their text now,
-- in an earlier text an edit replaced, or in an earlier alt text of one of their photos. An edit
-- does not take a disclosure back: the text was public until then, X and Facebook show earlier
-- texts in the post's edit history, and screen readers read the alt text (X shows it as "ALT").
-- Subjects of versions and earlier alt texts are named as in checks/sql/inputs_confidential.sql.
WITH now_disclosing AS (
    SELECT i.item_id, g.content_sha256, g.score, g.reasons, g.details
    FROM sig g
    JOIN core.items i ON i.item_id = g.subject_id
    WHERE g.detector = 'confidential' AND g.flagged AND i.state <> 'deleted'
),
earlier_disclosing AS (
    -- only for items whose text now discloses nothing; the latest such version is reported
    SELECT i.item_id, g.content_sha256, g.score, g.reasons, g.details, i.platform,
           v.version_id, v.first_seen_at,
           count(*) OVER (PARTITION BY i.item_id) AS versions
    FROM sig g
    JOIN core.item_versions v
      ON g.subject_id = v.item_id || '#' || v.version_id || '#' || left(v.text_sha256, 16)
    JOIN core.items i ON i.item_id = v.item_id
    WHERE g.detector = 'confidential' AND g.flagged AND i.state <> 'deleted'
      AND i.item_id NOT IN (SELECT item_id FROM now_disclosing)
    QUALIFY row_number() OVER (PARTITION BY i.item_id
                               ORDER BY v.first_seen_at DESC, v.version_id DESC) = 1
),
earlier_alt AS (
    -- only for items whose texts, now and earlier, disclose nothing; the latest such alt text
    SELECT i.item_id, g.content_sha256, g.score, g.reasons, g.details, i.platform,
           a.media_id, a.alt_sha256, a.first_seen_at
    FROM sig g
    JOIN core.media_alt_versions a
      ON g.subject_id = a.item_id || '#alt#' || left(a.alt_sha256, 16)
    JOIN core.items i ON i.item_id = a.item_id
    WHERE g.detector = 'confidential' AND g.flagged AND i.state <> 'deleted'
      AND i.item_id NOT IN (SELECT item_id FROM now_disclosing)
      AND i.item_id NOT IN (SELECT item_id FROM earlier_disclosing)
    QUALIFY row_number() OVER (PARTITION BY i.item_id
                               ORDER BY a.first_seen_at DESC, a.media_id DESC) = 1
),
disclosing AS (
    SELECT item_id, content_sha256, details, score, reasons, NULL::JSON AS earlier
    FROM now_disclosing
    UNION ALL
    SELECT item_id, content_sha256, details, score, reasons,
           json_object('earlier_text', json_object(
               'version_id', version_id, 'first_seen_at', first_seen_at,
               'versions_disclosing', versions,
               'note', 'the text now discloses nothing; '
                   || CASE WHEN platform IN ('x', 'facebook')
                           THEN 'the edit history still shows this text'
                           ELSE 'it was public until the edit' END))
    FROM earlier_disclosing
    UNION ALL
    SELECT item_id, content_sha256, details, score, reasons,
           json_object('earlier_alt_text', json_object(
               'media_id', media_id, 'alt_sha256', alt_sha256, 'first_seen_at', first_seen_at,
               'note', 'the photo''s alt text now discloses nothing; it was public until the '
                   || 'edit (screen readers read it'
                   || CASE WHEN platform = 'x' THEN ', X shows it as ALT' ELSE '' END || ')'))
    FROM earlier_alt
)
SELECT CASE coalesce(details -> 'kinds' ->> 0, 'grades')
           WHEN 'home_address' THEN 'address'
           WHEN 'personal_contact' THEN 'contact'
           WHEN 'date_of_birth' THEN 'dob'
           WHEN 'special_education' THEN 'health'
           ELSE coalesce(details -> 'kinds' ->> 0, 'grades') END AS kind,
       item_id AS subject_id, item_id, content_sha256,
       json_merge_patch(json_object('detector', 'confidential', 'kinds', details -> 'kinds',
                                    'score', round(score, 3), 'reasons', reasons),
                        coalesce(earlier, '{}')) AS evidence
FROM disclosing
