-- Data quality frame: core.item_versions with the item each version belongs to (NULL when the
-- item is not in core.items). Texts stay out.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT v.item_id, v.version_id, v.text_sha256, i.item_id AS captured_item,
       hash(v.item_id) AS part_key
FROM core.item_versions v
LEFT JOIN core.items i ON i.item_id = v.item_id;
