-- Data quality frame: one row per scope a consent lists.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT consent_id, unnest(scope) AS scope, hash(consent_id) AS part_key
FROM registry.consents;
