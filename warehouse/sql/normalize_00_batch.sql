-- Which fetches normalization has not applied yet, and the pages they are of.
CREATE OR REPLACE TEMP TABLE batch_fetches AS
SELECT f.page_id, f.fetched_at
FROM raw.page_fetches f
ANTI JOIN core.normalized_fetches n ON n.page_id = f.page_id AND n.fetched_at = f.fetched_at;

CREATE OR REPLACE TEMP TABLE batch AS
SELECT p.page_id, p.source, p.origin, p.account_id, p.endpoint, p.object_id, p.fetched_at,
       p.body,
       EXISTS (SELECT 1 FROM core.normalized_pages n WHERE n.page_id = p.page_id) AS seen_before
FROM raw.api_pages p
SEMI JOIN batch_fetches f ON f.page_id = p.page_id;

-- Pages whose JSON does not have the shape of their endpoint: quarantined, never normalized.
CREATE OR REPLACE TEMP TABLE batch_bad AS
SELECT page_id, reason FROM (
    SELECT page_id, CASE
        WHEN json_type(body) <> 'OBJECT'
            THEN 'page body is a JSON ' || lower(json_type(body)) || ', not an object'
        WHEN source = 'x' AND endpoint IN ('users/:id/tweets', 'users/:id/mentions',
                'tweets/search/recent', 'tweets/search/all', 'tweets', 'tweets/:id')
             AND json_exists(body, '$.data')
             AND json_type(body, '$.data') NOT IN ('ARRAY', 'OBJECT', 'NULL')
            THEN 'data is a ' || lower(json_type(body, '$.data')) || ', not a list of tweets'
        WHEN source = 'x' AND endpoint IN ('users/:id/tweets', 'users/:id/mentions',
                'tweets/search/recent', 'tweets/search/all', 'tweets', 'tweets/:id')
             AND NOT (json_exists(body, '$.data') OR json_exists(body, '$.meta')
                      OR json_exists(body, '$.errors'))
            THEN 'not an X API v2 page: no data, meta or errors'
        WHEN source = 'x' AND json_type(body, '$.data') = 'ARRAY'
             AND len(list_filter(json_extract(body, '$.data[*]'),
                                 lambda t: json_type(t) <> 'OBJECT'
                                      OR coalesce(json_type(t, '$.id'), 'MISSING')
                                         NOT IN ('VARCHAR', 'UBIGINT', 'BIGINT'))) > 0
            THEN 'tweets without an id'
        WHEN endpoint = 'archive/tweets' AND json_type(body, '$.tweets') IS DISTINCT FROM 'ARRAY'
            THEN 'archive part has no list of tweets'
        WHEN source IN ('facebook', 'instagram') AND endpoint NOT IN (':object', ':ig_object')
             AND json_exists(body, '$.error')
            THEN 'page is a Graph API error, not data: '
                 || coalesce(json_extract_string(body, '$.error.message'), '?')
        WHEN source IN ('facebook', 'instagram') AND endpoint NOT IN (':object', ':ig_object')
             AND json_type(body, '$.data') IS DISTINCT FROM 'ARRAY'
            THEN 'Graph page without a data list'
        WHEN source IN ('facebook', 'instagram') AND endpoint NOT IN (':object', ':ig_object')
             AND len(list_filter(json_extract(body, '$.data[*]'),
                                 lambda t: json_type(t) <> 'OBJECT')) > 0
            THEN 'Graph data entries that are not objects'
        END AS reason
    FROM batch
    WHERE NOT seen_before
)
WHERE reason IS NOT NULL;

INSERT INTO raw.quarantine
SELECT 'page:' || p.page_id, p.run_id, p.source, p.origin, p.account_id, p.endpoint, p.object_id,
       p.request_params, p.fetched_at, p.page_id, b.reason, NULL
FROM batch_bad b JOIN raw.api_pages p USING (page_id)
ON CONFLICT DO NOTHING;

DELETE FROM batch WHERE page_id IN (SELECT page_id FROM batch_bad);

CREATE OR REPLACE TEMP TABLE stg_items (
    item_id VARCHAR, platform VARCHAR, kind VARCHAR, native_id VARCHAR, version_id VARCHAR,
    account_id VARCHAR, author_id VARCHAR, author_handle VARCHAR, parent_ref VARCHAR,
    thread_ref VARCHAR, created_at TIMESTAMPTZ, text VARCHAR, lang VARCHAR, permalink VARCHAR,
    is_hidden BOOLEAN, like_count BIGINT, reply_count BIGINT, share_count BIGINT,
    quote_count BIGINT, view_count BIGINT, page_id BIGINT, page_fetched_at TIMESTAMPTZ
);
CREATE OR REPLACE TEMP TABLE stg_media (
    media_id VARCHAR, item_id VARCHAR, platform VARCHAR, position INTEGER, media_type VARCHAR,
    url VARCHAR, preview_url VARCHAR, alt_text VARCHAR, width INTEGER, height INTEGER,
    duration_ms BIGINT, page_id BIGINT, page_fetched_at TIMESTAMPTZ
);
-- Platform answers saying an item no longer exists (X errors[], Graph error 100/33 lookups).
CREATE OR REPLACE TEMP TABLE stg_gone (ref VARCHAR, page_id BIGINT);
