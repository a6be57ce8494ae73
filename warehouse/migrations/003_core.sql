-- Normalized posts, comments and replies of every platform in one shape.
CREATE TABLE core.items (
    item_id            VARCHAR PRIMARY KEY,  -- platform:native id of the original (first) version
    platform           VARCHAR NOT NULL,     -- x | facebook | instagram
    kind               VARCHAR NOT NULL,     -- post | comment | reply
    native_id          VARCHAR NOT NULL,     -- platform id of the original version
    current_native_id  VARCHAR NOT NULL,     -- platform id of the latest version seen (X edits)
    account_id         VARCHAR,              -- registry account whose capture found the item
    author_id          VARCHAR,              -- platform:native author id; NULL when withheld
    author_handle      VARCHAR,
    author_is_district BOOLEAN NOT NULL,
    parent_item_id     VARCHAR,
    thread_root_id     VARCHAR,
    created_at         TIMESTAMPTZ,
    text               VARCHAR,
    lang               VARCHAR,
    permalink          VARCHAR,
    is_hidden          BOOLEAN NOT NULL DEFAULT false,
    state              VARCHAR NOT NULL DEFAULT 'visible',   -- visible | hidden | deleted
    like_count         BIGINT,
    reply_count        BIGINT,
    share_count        BIGINT,
    quote_count        BIGINT,
    view_count         BIGINT,
    version_count      INTEGER NOT NULL DEFAULT 1,
    first_seen_at      TIMESTAMPTZ NOT NULL,
    last_seen_at       TIMESTAMPTZ NOT NULL,
    content_fetched_at TIMESTAMPTZ NOT NULL,  -- fetch time of the page the text and metrics are from
    last_page_id       BIGINT NOT NULL
);

-- Every distinct text an item has shown: the original and each edit.
CREATE TABLE core.item_versions (
    item_id        VARCHAR NOT NULL,
    version_id     VARCHAR NOT NULL,         -- platform id of this version
    text           VARCHAR,
    text_sha256    VARCHAR NOT NULL,
    created_at     TIMESTAMPTZ,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, version_id, text_sha256)
);

-- One row per medium attached to an item; the same medium (a retweet's photo) can be on several.
CREATE TABLE core.media (
    media_id       VARCHAR NOT NULL,         -- platform:media key or id
    item_id        VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    position       INTEGER NOT NULL,
    media_type     VARCHAR NOT NULL,         -- photo | video | animated_gif
    url            VARCHAR,
    preview_url    VARCHAR,
    alt_text       VARCHAR,
    width          INTEGER,
    height         INTEGER,
    duration_ms    BIGINT,
    content_sha256 VARCHAR,                  -- of the image bytes (the preview for video)
    local_path     VARCHAR,
    fetch_error    VARCHAR,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, media_id)
);

-- The state each item was seen in, as runs of equal state: hiding and deletion come from what
-- the platform showed (a hidden flag, a not-found lookup), never from absence in one page.
CREATE TABLE core.observations (
    item_id       VARCHAR NOT NULL,
    state         VARCHAR NOT NULL,          -- visible | hidden | deleted
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    seen_count    INTEGER NOT NULL,
    last_page_id  BIGINT NOT NULL,
    PRIMARY KEY (item_id, first_seen_at)
);

-- Which raw pages normalization has consumed.
CREATE TABLE core.normalized_pages (
    page_id       BIGINT PRIMARY KEY,
    normalized_at TIMESTAMPTZ NOT NULL,
    items         INTEGER NOT NULL
);
CREATE TABLE core.normalized_fetches (
    page_id    BIGINT NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (page_id, fetched_at)
);

CREATE VIEW core.threads AS
SELECT
    i.thread_root_id,
    any_value(i.platform) AS platform,
    any_value(r.account_id) AS account_id,
    count(*) FILTER (WHERE i.item_id <> i.thread_root_id) AS responses,
    count(*) FILTER (WHERE i.item_id <> i.thread_root_id AND i.author_is_district) AS district_responses,
    min(i.created_at) AS started_at,
    max(i.created_at) AS last_activity_at
FROM core.items i
LEFT JOIN core.items r ON r.item_id = i.thread_root_id
WHERE i.thread_root_id IS NOT NULL
GROUP BY i.thread_root_id;
