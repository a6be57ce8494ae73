-- Which fetches normalization has not applied yet, and the pages they are of.
CREATE OR REPLACE TEMP TABLE batch_fetches AS
SELECT f.page_id, f.fetched_at
FROM raw.page_fetches f
ANTI JOIN core.normalized_fetches n ON n.page_id = f.page_id AND n.fetched_at = f.fetched_at;

CREATE OR REPLACE TEMP TABLE batch AS
SELECT p.page_id, p.source, p.origin, p.account_id, p.endpoint, p.object_id, p.fetched_at,
       p.body,
       -- lookups imported from files: what their objects are (posts, comments, media)
       p.request_params->>'item_kind' AS item_kind,
       EXISTS (SELECT 1 FROM core.normalized_pages n WHERE n.page_id = p.page_id) AS seen_before
FROM raw.api_pages p
SEMI JOIN batch_fetches f ON f.page_id = p.page_id;

-- Pages whose JSON does not have the shape of their endpoint: quarantined, never normalized.
-- (Checks on the entries of a page run in the source scripts, on the parsed structs.)
CREATE OR REPLACE TEMP TABLE batch_bad AS
SELECT page_id, reason FROM (
    SELECT page_id, CASE
        WHEN root_type <> 'OBJECT'
            THEN 'page body is a JSON ' || lower(root_type) || ', not an object'
        WHEN source = 'x' AND is_tweet_page AND data_type NOT IN ('ARRAY', 'OBJECT', 'NULL')
            THEN 'data is a ' || lower(data_type) || ', not a list of tweets'
        WHEN source = 'x' AND is_tweet_page AND data_type IS NULL
             AND NOT (json_exists(body, '$.meta') OR json_exists(body, '$.errors'))
            THEN 'not an X API v2 page: no data, meta or errors'
        WHEN endpoint = 'archive/tweets' AND json_type(body, '$.tweets') IS DISTINCT FROM 'ARRAY'
            THEN 'archive part has no list of tweets'
        WHEN is_graph_page AND json_exists(body, '$.error')
            THEN 'page is a Graph API error, not data: '
                 || coalesce(json_extract_string(body, '$.error.message'), '?')
        WHEN is_graph_page AND data_type IS DISTINCT FROM 'ARRAY'
            THEN 'Graph page without a data list'
        END AS reason
    FROM (
        -- each JSON function parses the body: the types are read once per page
        SELECT page_id, source, endpoint, body, json_type(body) AS root_type,
               json_type(body, '$.data') AS data_type,
               source = 'x' AND endpoint IN ('users/:id/tweets', 'users/:id/mentions',
                   'tweets/search/recent', 'tweets/search/all', 'tweets', 'tweets/:id')
                   AS is_tweet_page,
               source IN ('facebook', 'instagram')
                   AND endpoint NOT IN (':object', ':ig_object', ':photo', ':page', ':ig_user')
                   AS is_graph_page
        FROM batch
        WHERE NOT seen_before
    )
)
WHERE reason IS NOT NULL;

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
-- Alt text read from a medium itself (Facebook Photo nodes): what the account wrote, and the
-- platform's automatic description.
CREATE OR REPLACE TEMP TABLE stg_alt_text (
    media_id VARCHAR, alt_text VARCHAR, auto_alt_text VARCHAR, page_id BIGINT,
    page_fetched_at TIMESTAMPTZ
);
-- Platform answers saying an item no longer exists (X errors[], Graph error 100/33 lookups).
CREATE OR REPLACE TEMP TABLE stg_gone (ref VARCHAR, page_id BIGINT);
