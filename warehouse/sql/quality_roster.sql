-- Data quality frame: registry.roster, hashed student handles only.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT platform, student_handle_sha256, hash(platform, student_handle_sha256) AS part_key
FROM registry.roster;
