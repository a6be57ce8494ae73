-- Instagram business media (carousels with children), comments with nested replies, lookups.
-- Lookups of media or comments saved to files (one object, or ``?ids=`` objects keyed by id)
-- are read as a page of those objects; the connector's own lookups only show existence.
CREATE OR REPLACE TEMP TABLE ig_lookups AS
SELECT page_id, item_kind,
       json_object('data', CASE WHEN json_exists(body, '$.id') THEN json_array(body)
                                ELSE to_json(map_values(CAST(body AS MAP(VARCHAR, JSON)))) END)
           AS body
FROM batch
WHERE source = 'instagram' AND endpoint = ':ig_object' AND item_kind IN ('ig_media', 'ig_comment')
  AND json_type(body) = 'OBJECT' AND NOT json_exists(body, '$.error');

CREATE OR REPLACE TEMP TABLE ig_media_pages AS
SELECT * FROM (
    SELECT b.page_id, b.account_id, CASE WHEN l.page_id IS NULL THEN b.object_id END AS object_id,
        b.fetched_at AS page_fetched_at,
        from_json(coalesce(l.body, b.body),
            '{"data": [{"id": "VARCHAR", "caption": "VARCHAR", "media_type": "VARCHAR",
                "media_url": "VARCHAR", "thumbnail_url": "VARCHAR", "permalink": "VARCHAR",
                "timestamp": "VARCHAR", "username": "VARCHAR", "like_count": "BIGINT",
                "comments_count": "BIGINT", "alt_text": "VARCHAR", "owner": {"id": "VARCHAR"},
                "children": {"data": [{"id": "VARCHAR", "media_type": "VARCHAR",
                    "media_url": "VARCHAR", "thumbnail_url": "VARCHAR",
                    "alt_text": "VARCHAR"}]}}]}') AS j
    FROM batch b
    LEFT JOIN ig_lookups l ON l.page_id = b.page_id AND l.item_kind = 'ig_media'
    WHERE b.source = 'instagram' AND (b.endpoint = ':ig_user/media' OR l.page_id IS NOT NULL)
);

INSERT INTO batch_bad
SELECT page_id, 'Graph data entries that are not objects' FROM ig_media_pages
WHERE len(list_filter(j.data, lambda e: e IS NULL)) > 0;

CREATE OR REPLACE TEMP TABLE ig_media AS
SELECT page_id, account_id, object_id, page_fetched_at, unnest(j.data) AS m
FROM ig_media_pages
WHERE page_id NOT IN (SELECT page_id FROM batch_bad);

INSERT INTO stg_items
SELECT
    'instagram:' || m.id, 'instagram', 'post', m.id, m.id, account_id,
    'instagram:' || coalesce(m.owner.id, object_id), m.username, NULL, NULL,
    try_strptime(m.timestamp, '%Y-%m-%dT%H:%M:%S%z'),
    m.caption, NULL, m.permalink, false,
    m.like_count, m.comments_count, NULL, NULL, NULL,
    page_id, page_fetched_at
FROM ig_media
WHERE m.id IS NOT NULL;

INSERT INTO stg_media
SELECT
    'instagram:' || c.id, 'instagram:' || post_id, 'instagram', position,
    CASE WHEN upper(c.media_type) IN ('VIDEO', 'BROADCAST') THEN 'video' ELSE 'photo' END,
    c.media_url, c.thumbnail_url, coalesce(c.alt_text, post_alt), NULL, NULL, NULL,
    page_id, page_fetched_at
FROM (
    SELECT page_id, page_fetched_at, m.id AS post_id, m.alt_text AS post_alt,
           unnest(CASE WHEN len(m.children.data) > 0 THEN m.children.data
                       ELSE [{'id': m.id, 'media_type': m.media_type, 'media_url': m.media_url,
                              'thumbnail_url': m.thumbnail_url, 'alt_text': m.alt_text}] END) AS c,
           generate_subscripts(CASE WHEN len(m.children.data) > 0 THEN m.children.data
                                    ELSE [NULL] END, 1) AS position
    FROM ig_media
    WHERE m.id IS NOT NULL
)
-- A medium the Graph API gives no address for (it omits media_url on copyrighted media) is kept:
-- the audit must say it could not look at it, as for a live broadcast (BROADCAST, no address
-- while it is live). A lookup that only shows existence has no type.
WHERE c.id IS NOT NULL
  AND (c.media_url IS NOT NULL OR c.thumbnail_url IS NOT NULL OR c.media_type IS NOT NULL);

-- Comments (object: the media) with their nested replies, and reply pages (object: a comment).
CREATE OR REPLACE TEMP TABLE ig_comment_pages AS
SELECT * FROM (
    SELECT b.page_id, b.account_id, b.endpoint, b.object_id, b.fetched_at AS page_fetched_at,
        from_json(coalesce(l.body, b.body),
            '{"data": [{"id": "VARCHAR", "text": "VARCHAR", "timestamp": "VARCHAR",
                "username": "VARCHAR", "like_count": "BIGINT", "hidden": "BOOLEAN",
                "from": {"id": "VARCHAR", "username": "VARCHAR"}, "parent_id": "VARCHAR",
                "user": {"id": "VARCHAR"}, "media": {"id": "VARCHAR"},
                "replies": {"data": [{"id": "VARCHAR", "text": "VARCHAR",
                    "timestamp": "VARCHAR", "username": "VARCHAR", "like_count": "BIGINT",
                    "hidden": "BOOLEAN", "from": {"id": "VARCHAR", "username": "VARCHAR"},
                    "parent_id": "VARCHAR", "user": {"id": "VARCHAR"}}]}}]}') AS j
    FROM batch b
    LEFT JOIN ig_lookups l ON l.page_id = b.page_id AND l.item_kind = 'ig_comment'
    WHERE b.source = 'instagram'
      AND (b.endpoint IN (':ig_media/comments', ':ig_comment/replies') OR l.page_id IS NOT NULL)
);

INSERT INTO batch_bad
SELECT page_id, 'Graph data entries that are not objects' FROM ig_comment_pages
WHERE len(list_filter(j.data, lambda e: e IS NULL)) > 0;

CREATE OR REPLACE TEMP TABLE ig_comments AS
SELECT page_id, account_id, endpoint, object_id, page_fetched_at, unnest(j.data) AS c
FROM ig_comment_pages
WHERE page_id NOT IN (SELECT page_id FROM batch_bad);

INSERT INTO stg_items
SELECT
    'instagram:' || r.id, 'instagram', kind, r.id, r.id, account_id,
    -- ``user`` is given only for the app user's own comments (the district answering)
    'instagram:' || coalesce(r."from".id, r."user".id), coalesce(r.username, r."from".username),
    'instagram:' || parent_native, thread_native,
    try_strptime(r.timestamp, '%Y-%m-%dT%H:%M:%S%z'),
    r.text, NULL, NULL, coalesce(r.hidden, false), r.like_count, NULL, NULL, NULL, NULL,
    page_id, page_fetched_at
FROM (
    SELECT page_id, account_id, page_fetched_at,
           {'id': c.id, 'text': c.text, 'timestamp': c.timestamp, 'username': c.username,
            'like_count': c.like_count, 'hidden': c.hidden, 'from': c."from",
            'parent_id': c.parent_id, 'user': c."user"} AS r,
           CASE WHEN endpoint = ':ig_comment/replies' THEN 'reply'
                -- a looked-up comment: a reply when it names its parent comment
                WHEN endpoint = ':ig_object' AND c.parent_id IS NOT NULL THEN 'reply'
                ELSE 'comment' END AS kind,
           CASE WHEN endpoint = ':ig_comment/replies' THEN coalesce(c.parent_id, object_id)
                WHEN endpoint = ':ig_object' THEN coalesce(c.parent_id, c.media.id)
                ELSE object_id END AS parent_native,
           CASE WHEN endpoint = ':ig_media/comments' THEN 'instagram:' || object_id
                WHEN endpoint = ':ig_object' THEN 'instagram:' || c.media.id END
               AS thread_native
    FROM ig_comments
    UNION ALL
    SELECT page_id, account_id, page_fetched_at, unnest(c.replies.data) AS r, 'reply',
           c.id, CASE WHEN endpoint = ':ig_media/comments' THEN 'instagram:' || object_id
                      WHEN endpoint = ':ig_object' THEN 'instagram:' || c.media.id END
    FROM ig_comments
)
WHERE r.id IS NOT NULL;

INSERT INTO stg_gone
SELECT 'instagram:' || object_id, page_id
FROM batch
WHERE source = 'instagram' AND endpoint = ':ig_object'
  AND ((json_extract_string(body, '$.error.code') = '100'
        AND coalesce(json_extract_string(body, '$.error.error_subcode'), '33') = '33')
       OR json_extract_string(body, '$.error.code') = '803');
