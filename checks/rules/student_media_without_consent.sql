-- District posts whose photos or video previews show people, judged against the consent ids
-- they cite (caption, alt text) or that the media-consent registry links to them. An animated GIF
-- is a video here (X serves it as a short looping video; its preview image is what was read).
WITH faces AS (
    SELECT m.item_id, m.media_id, m.content_sha256,
           CASE m.media_type WHEN 'animated_gif' THEN 'video' ELSE m.media_type END AS media_kind,
           CAST(g.details ->> 'faces' AS INTEGER) AS faces
    FROM core.media m
    JOIN sig g ON g.detector = 'faces' AND g.subject_id = m.content_sha256
    WHERE g.flagged AND list_contains($media_types, media_kind)
),
posts AS (
    SELECT i.item_id, i.platform, i.native_id, CAST(i.created_at AS DATE) AS posted_on, i.text,
           sha256(coalesce(i.text, '') || chr(31)
                  || string_agg(f.content_sha256, ',' ORDER BY f.content_sha256))
               AS content_sha256,
           list(DISTINCT f.media_id ORDER BY f.media_id) AS media_ids,
           max(f.faces) AS max_faces,
           count(*) FILTER (WHERE f.faces = 1
                                  AND list_contains($single_media_types, f.media_kind))
               AS single_person_photos
    FROM core.items i JOIN faces f USING (item_id)
    WHERE i.author_is_district AND i.state <> 'deleted'
    GROUP BY i.item_id, i.platform, i.native_id, i.created_at, i.text
),
cited AS (
    SELECT p.item_id, unnest(regexp_extract_all(
               coalesce(p.text, '') || ' ' || coalesce(a.alts, ''), $consent_pattern))
               AS consent_id
    FROM posts p
    LEFT JOIN (SELECT item_id, string_agg(alt_text, ' ') AS alts FROM core.media
               GROUP BY item_id) a USING (item_id)
    UNION
    SELECT p.item_id, mc.consent_id
    FROM posts p
    JOIN registry.media_consents mc ON mc.platform = p.platform AND mc.post_id = p.native_id
),
judged AS (
    SELECT c.item_id, c.consent_id, CASE
        WHEN k.consent_id IS NULL OR k.granted_on > p.posted_on THEN 'unknown'
        WHEN k.revoked_on IS NOT NULL AND k.revoked_on <= p.posted_on THEN 'revoked'
        WHEN k.expires_on IS NOT NULL AND k.expires_on < p.posted_on THEN 'expired'
        WHEN NOT list_contains(k.scope, $consent_scope) THEN 'wrong_scope'
        ELSE 'valid' END AS state
    FROM cited c
    JOIN posts p USING (item_id)
    LEFT JOIN registry.consents k USING (consent_id)
),
problems AS (
    SELECT DISTINCT item_id, state AS kind FROM judged WHERE state <> 'valid'
    UNION ALL
    SELECT item_id, 'missing' FROM posts WHERE item_id NOT IN (SELECT item_id FROM cited)
    UNION ALL
    SELECT item_id, 'single_student' FROM posts WHERE single_person_photos > 0
)
SELECT pr.kind, p.item_id AS subject_id, p.item_id, p.content_sha256,
       json_object(
           'faces', p.max_faces, 'media_ids', p.media_ids,
           'single_person_photos', p.single_person_photos,
           'consents', coalesce((SELECT list(json_object('consent_id', j.consent_id,
                                                          'state', j.state)
                                             ORDER BY j.consent_id)
                                 FROM judged j WHERE j.item_id = p.item_id), [])
       ) AS evidence
FROM problems pr JOIN posts p USING (item_id)
