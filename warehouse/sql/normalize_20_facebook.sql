-- Facebook Page posts (with attachments and albums), comments (filter=stream), lookups, and the
-- alt text of photos.
-- Lookups of posts or comments saved to files (one object, or ``?ids=`` objects keyed by id)
-- are read as a page of those objects; the connector's own lookups (``fields=id``) only show
-- that an item still exists, or is gone.
CREATE OR REPLACE TEMP TABLE fb_lookups AS
SELECT page_id, item_kind,
       json_object('data', CASE WHEN json_exists(body, '$.id') THEN json_array(body)
                                ELSE to_json(map_values(CAST(body AS MAP(VARCHAR, JSON)))) END)
           AS body
FROM batch
WHERE source = 'facebook' AND endpoint = ':object' AND item_kind IN ('fb_post', 'fb_comment')
  AND json_type(body) = 'OBJECT' AND NOT json_exists(body, '$.error');

CREATE OR REPLACE TEMP TABLE fb_post_pages AS
SELECT * FROM (
    SELECT b.page_id, b.account_id, CASE WHEN l.page_id IS NULL THEN b.object_id END AS object_id,
        b.fetched_at AS page_fetched_at,
        from_json(coalesce(l.body, b.body),
            '{"data": [{"id": "VARCHAR", "message": "VARCHAR", "created_time": "VARCHAR",
                "permalink_url": "VARCHAR", "is_hidden": "BOOLEAN",
                "from": {"id": "VARCHAR", "name": "VARCHAR"}, "shares": {"count": "BIGINT"},
                "comments": {"summary": {"total_count": "BIGINT"}},
                "reactions": {"summary": {"total_count": "BIGINT"}},
                "attachments": {"data": [{
                    "media_type": "VARCHAR", "type": "VARCHAR", "url": "VARCHAR",
                    "description": "VARCHAR", "alt_text": "VARCHAR",
                    "target": {"id": "VARCHAR"},
                    "media": {"image": {"src": "VARCHAR", "height": "INTEGER",
                                        "width": "INTEGER"}, "source": "VARCHAR"},
                    "subattachments": {"data": [{
                        "media_type": "VARCHAR", "type": "VARCHAR", "url": "VARCHAR",
                        "alt_text": "VARCHAR", "target": {"id": "VARCHAR"},
                        "media": {"image": {"src": "VARCHAR", "height": "INTEGER",
                                            "width": "INTEGER"}, "source": "VARCHAR"}}]}}]}}]}'
        ) AS j
    FROM batch b
    LEFT JOIN fb_lookups l ON l.page_id = b.page_id AND l.item_kind = 'fb_post'
    WHERE b.source = 'facebook'
      AND (b.endpoint = ':page/posts' OR l.page_id IS NOT NULL)
);

INSERT INTO batch_bad
SELECT page_id, 'Graph data entries that are not objects' FROM fb_post_pages
WHERE len(list_filter(j.data, lambda e: e IS NULL)) > 0;

CREATE OR REPLACE TEMP TABLE fb_posts AS
SELECT page_id, account_id, object_id, page_fetched_at, unnest(j.data) AS p
FROM fb_post_pages
WHERE page_id NOT IN (SELECT page_id FROM batch_bad);

INSERT INTO stg_items
SELECT
    'facebook:' || p.id, 'facebook', 'post', p.id, p.id, account_id,
    -- the Page: the post's author, else the Page asked (its id prefixes the post's)
    'facebook:' || coalesce(p."from".id, object_id, nullif(split_part(p.id, '_', 1), '')),
    p."from".name,
    NULL, NULL,
    try_strptime(p.created_time, '%Y-%m-%dT%H:%M:%S%z'),
    p.message, NULL, p.permalink_url, coalesce(p.is_hidden, false),
    p.reactions.summary.total_count, p.comments.summary.total_count, p.shares.count, NULL, NULL,
    page_id, page_fetched_at
FROM fb_posts
WHERE p.id IS NOT NULL;

-- An attachment is one medium, or an album whose subattachments are the media.
INSERT INTO stg_media
SELECT
    'facebook:' || coalesce(m.target.id, substr(sha256(coalesce(m.media.image.src, m.url, '')), 1, 24)),
    'facebook:' || post_id, 'facebook', position,
    CASE WHEN m.media.source IS NOT NULL OR m.type ILIKE '%video%' THEN 'video' ELSE 'photo' END,
    coalesce(m.media.source, m.media.image.src),
    CASE WHEN m.media.source IS NOT NULL THEN m.media.image.src END,
    m.alt_text, m.media.image.width, m.media.image.height, NULL,
    page_id, page_fetched_at
FROM (
    SELECT page_id, page_fetched_at, post_id, a_pos * 1000 + coalesce(s_pos, 0) AS position,
           coalesce(s, {'media_type': a.media_type, 'type': a.type, 'url': a.url,
                        'alt_text': a.alt_text, 'target': a.target, 'media': a.media}) AS m
    FROM (
        SELECT page_id, page_fetched_at, post_id, a, a_pos,
               unnest(CASE WHEN len(subs) > 0 THEN subs ELSE [NULL] END) AS s,
               generate_subscripts(CASE WHEN len(subs) > 0 THEN subs ELSE [NULL] END, 1) AS s_pos
        FROM (
            -- sub-attachments without a medium (fields trimmed by the API) leave the album's own
            SELECT *, list_filter(a.subattachments.data,
                                  lambda x: x.media.image.src IS NOT NULL
                                            OR x.media.source IS NOT NULL) AS subs
            FROM (
                SELECT page_id, page_fetched_at, p.id AS post_id,
                       unnest(p.attachments.data) AS a,
                       generate_subscripts(p.attachments.data, 1) AS a_pos
                FROM fb_posts WHERE p.id IS NOT NULL
            )
        )
    )
)
WHERE m.media.image.src IS NOT NULL OR m.media.source IS NOT NULL;

CREATE OR REPLACE TEMP TABLE fb_comment_pages AS
SELECT b.page_id, b.account_id, b.object_id, b.fetched_at AS page_fetched_at,
    l.page_id IS NOT NULL AS lookup,
    from_json(coalesce(l.body, b.body),
        '{"data": [{"id": "VARCHAR", "message": "VARCHAR", "created_time": "VARCHAR",
           "from": {"id": "VARCHAR", "name": "VARCHAR"}, "parent": {"id": "VARCHAR"},
           "comment_count": "BIGINT", "like_count": "BIGINT", "is_hidden": "BOOLEAN",
           "permalink_url": "VARCHAR"}]}') AS j
FROM batch b
LEFT JOIN fb_lookups l ON l.page_id = b.page_id AND l.item_kind = 'fb_comment'
WHERE b.source = 'facebook' AND (b.endpoint = ':object/comments' OR l.page_id IS NOT NULL);

INSERT INTO batch_bad
SELECT page_id, 'Graph data entries that are not objects' FROM fb_comment_pages
WHERE len(list_filter(j.data, lambda e: e IS NULL)) > 0;

-- Comments and replies. Without a Page token (or with Page Public Content Access) a comment may
-- carry no id and no author: its id comes from its permalink, or from its content. A comment
-- of a lookup belongs to the post its permalink names.
INSERT INTO stg_items
SELECT
    'facebook:' || native, 'facebook',
    CASE WHEN parent_native IS NULL THEN 'comment' ELSE 'reply' END,
    native, native, account_id,
    'facebook:' || c."from".id, c."from".name,
    'facebook:' || coalesce(parent_native, object_id),
    'facebook:' || object_id,
    try_strptime(c.created_time, '%Y-%m-%dT%H:%M:%S%z'),
    c.message, NULL, c.permalink_url, coalesce(c.is_hidden, false),
    c.like_count, c.comment_count, NULL, NULL, NULL,
    page_id, page_fetched_at
FROM (
    SELECT *,
        coalesce(c.id,
                 nullif(regexp_extract(c.permalink_url, '[?&]reply_comment_id=(\d+)', 1), ''),
                 nullif(regexp_extract(c.permalink_url, '[?&]comment_id=(\d+)', 1), ''),
                 'anon-' || substr(sha256(concat_ws('|', object_id, c.created_time,
                                                    c.message)), 1, 24)) AS native,
        coalesce(c.parent.id,
                 CASE WHEN c.id IS NULL AND c.permalink_url LIKE '%reply_comment_id=%'
                      THEN nullif(regexp_extract(c.permalink_url, '[?&]comment_id=(\d+)', 1), '')
                 END) AS parent_native
    FROM (
        SELECT page_id, account_id, page_fetched_at, c,
               CASE WHEN NOT lookup THEN object_id
                    ELSE coalesce(
                        nullif(regexp_replace(regexp_extract(
                            c.permalink_url, 'facebook\.com/(\d+)/posts/(\d+)', 0),
                            '^.*facebook\.com/(\d+)/posts/(\d+)$', '\1_\2'), ''),
                        nullif(regexp_replace(regexp_extract(
                            c.permalink_url, 'story_fbid=(\d+)&id=(\d+)', 0),
                            '^story_fbid=(\d+)&id=(\d+)$', '\2_\1'), ''))
               END AS object_id
        FROM (
            SELECT page_id, account_id, object_id, page_fetched_at, lookup, unnest(j.data) AS c
            FROM fb_comment_pages
            WHERE page_id NOT IN (SELECT page_id FROM batch_bad)
        )
    )
);

INSERT INTO stg_gone
SELECT 'facebook:' || object_id, page_id
FROM batch
WHERE source = 'facebook' AND endpoint = ':object'
  AND ((json_extract_string(body, '$.error.code') = '100'
        AND coalesce(json_extract_string(body, '$.error.error_subcode'), '33') = '33')
       OR json_extract_string(body, '$.error.code') = '803');

-- Photo lookups (``/{photo-id}?fields=alt_text,alt_text_custom``): a post's attachments carry no
-- alt text, the Photo node does. A photo deleted since answers an error, which says nothing here.
-- Each lookup counts from its latest fetch in the batch.
CREATE OR REPLACE TEMP TABLE fb_photo_pages AS
SELECT b.page_id, b.object_id, f.fetched_at AS page_fetched_at,
       json_type(b.body, '$.alt_text') AS auto_type,
       json_type(b.body, '$.alt_text_custom') AS custom_type,
       b.body ->> '$.id' AS photo_id, b.body ->> '$.alt_text' AS auto_alt_text,
       b.body ->> '$.alt_text_custom' AS alt_text
FROM batch b
JOIN (SELECT page_id, max(fetched_at) AS fetched_at FROM batch_fetches GROUP BY page_id) f
    USING (page_id)
WHERE b.source = 'facebook' AND b.endpoint = ':photo' AND NOT json_exists(b.body, '$.error');

INSERT INTO batch_bad
SELECT page_id, 'photo alt text that is not text' FROM fb_photo_pages
WHERE coalesce(auto_type, 'VARCHAR') NOT IN ('VARCHAR', 'NULL')
   OR coalesce(custom_type, 'VARCHAR') NOT IN ('VARCHAR', 'NULL');

INSERT INTO stg_alt_text
SELECT 'facebook:' || coalesce(photo_id, object_id), alt_text, auto_alt_text, page_id,
       page_fetched_at
FROM fb_photo_pages
WHERE page_id NOT IN (SELECT page_id FROM batch_bad) AND coalesce(photo_id, object_id) IS NOT NULL;
