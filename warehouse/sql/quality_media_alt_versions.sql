-- Data quality frame: core.media_alt_versions with the medium each alt text belongs to (NULL
-- when the medium is not in core.media). Alt texts stay out.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT v.item_id, v.media_id, v.alt_sha256, m.media_id AS captured_medium,
       hash(v.item_id, v.media_id) AS part_key
FROM core.media_alt_versions v
LEFT JOIN core.media m ON m.item_id = v.item_id AND m.media_id = v.media_id;
