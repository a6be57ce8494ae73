-- Data quality frame: core.items without text or author handles.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT item_id, platform, kind, state, account_id, permalink, created_at, first_seen_at,
       last_seen_at, hash(item_id) AS part_key
FROM core.items;
