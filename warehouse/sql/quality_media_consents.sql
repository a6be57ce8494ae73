-- Data quality frame: registry.media_consents.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT platform, post_id, consent_id, hash(platform, post_id, consent_id) AS part_key
FROM registry.media_consents;
