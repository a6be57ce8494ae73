-- Data quality frame: core.observations.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT item_id, state, first_seen_at, last_seen_at, seen_count,
       hash(item_id, first_seen_at) AS part_key
FROM core.observations;
