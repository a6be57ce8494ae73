-- Data quality frame: registry.designees (the id only; names and emails stay out).
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT designee_id, hash(designee_id) AS part_key
FROM registry.designees;
