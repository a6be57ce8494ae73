-- Data quality frame: registry.accounts (ids and codes only, no personal text).
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT account_key, platform, platform_id, kind,
       platform || ':' || platform_id AS expected_key,
       hash(account_key) AS part_key
FROM registry.accounts;
