-- Data quality frame: registry.consents, its dates and the hashed student id.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT consent_id, student_id_sha256, granted_on, expires_on, revoked_on,
       hash(consent_id) AS part_key
FROM registry.consents;
