-- Data quality frame: core.media with the item each medium is on (NULL when the item is not in
-- core.items). Alt texts stay out.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT m.item_id, m.media_id, m.media_type, m.url, m.preview_url, m.content_sha256,
       i.item_id AS captured_item, hash(m.item_id, m.media_id) AS part_key
FROM core.media m
LEFT JOIN core.items i ON i.item_id = m.item_id;
