-- Schemas and the raw layer: every API page or export file exactly as received.
CREATE SCHEMA IF NOT EXISTS registry;
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS audit;
CREATE SCHEMA IF NOT EXISTS marts;

CREATE SEQUENCE IF NOT EXISTS raw.api_pages_seq START 1;

-- One row per distinct page body received for one request target. A page fetched again with
-- the same body is not stored twice: the fetch is recorded in raw.page_fetches instead.
CREATE TABLE raw.api_pages (
    page_id        BIGINT PRIMARY KEY DEFAULT nextval('raw.api_pages_seq'),
    page_key       VARCHAR NOT NULL UNIQUE, -- sha256 of source, endpoint, object id and body
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,   -- x | facebook | instagram
    origin         VARCHAR NOT NULL,   -- api | twarc | x_archive | graph_json | simulated
    account_id     VARCHAR,            -- registry.accounts.account_key this page was fetched for
    endpoint       VARCHAR NOT NULL,   -- endpoint template, e.g. users/:id/tweets, :post/comments
    object_id      VARCHAR,            -- the id in the request path
    request_params JSON,               -- query parameters, credentials removed
    fetched_at     TIMESTAMPTZ NOT NULL,
    sha256         VARCHAR NOT NULL,
    body           JSON NOT NULL
);

CREATE TABLE raw.page_fetches (
    page_id    BIGINT NOT NULL,
    run_id     VARCHAR NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (page_id, fetched_at)
);

-- Pages that could not be parsed or do not have the shape of their endpoint.
CREATE TABLE raw.quarantine (
    quarantine_id  VARCHAR PRIMARY KEY,    -- sha256 of source, endpoint, object and body
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    origin         VARCHAR NOT NULL,
    account_id     VARCHAR,
    endpoint       VARCHAR,
    object_id      VARCHAR,
    request_params JSON,
    received_at    TIMESTAMPTZ NOT NULL,
    page_id        BIGINT,                 -- set when the page is valid JSON stored in api_pages
    reason         VARCHAR NOT NULL,
    body_text      VARCHAR
);

-- Connector cursors (since_id, since timestamps, resumable paging), one per request target.
CREATE TABLE raw.cursors (
    source     VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    endpoint   VARCHAR NOT NULL,
    object_id  VARCHAR NOT NULL,
    state      JSON NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, account_id, endpoint, object_id)
);

-- What each capture attempt did: capture health and the errors an office must see.
CREATE TABLE raw.fetch_log (
    run_id     VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    account_id VARCHAR,
    endpoint   VARCHAR,
    status     VARCHAR NOT NULL,   -- ok | partial | rate_limited | auth_error | permission | error
    error_code VARCHAR,
    message    VARCHAR,
    pages      INTEGER NOT NULL DEFAULT 0,
    logged_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit.runs (
    run_id      VARCHAR PRIMARY KEY,
    job         VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,
    stats       JSON
);
