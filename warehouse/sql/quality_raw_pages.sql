-- Data quality frame: raw.api_pages without the bodies. `scope` is the platform asset a page
-- belongs to; a page whose source is no known platform has no scope and is shown to every one.
CREATE OR REPLACE TEMP VIEW quality_frame AS
SELECT page_id, page_key, source, origin, account_id, endpoint, fetched_at, sha256,
       CASE WHEN source IN ('x', 'facebook', 'instagram') THEN source END AS scope,
       hash(page_id) AS part_key
FROM raw.api_pages;
