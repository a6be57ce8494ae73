-- X API v2 pages (from the API or twarc2) into the staging tables. One JSON parse per page.
CREATE OR REPLACE TEMP TABLE x_pages AS
SELECT page_id, account_id, fetched_at AS page_fetched_at,
    from_json(
        CASE WHEN json_type(body, '$.data') = 'OBJECT'
             THEN json_object('data', json_array(json_extract(body, '$.data')),
                              'includes', json_extract(body, '$.includes'),
                              'errors', json_extract(body, '$.errors'))
             ELSE body END,
        '{"data": [{"id": "VARCHAR", "text": "VARCHAR", "author_id": "VARCHAR",
                    "conversation_id": "VARCHAR", "created_at": "VARCHAR", "lang": "VARCHAR",
                    "referenced_tweets": [{"type": "VARCHAR", "id": "VARCHAR"}],
                    "public_metrics": {"like_count": "BIGINT", "reply_count": "BIGINT",
                                       "retweet_count": "BIGINT", "quote_count": "BIGINT",
                                       "impression_count": "BIGINT"},
                    "edit_history_tweet_ids": ["VARCHAR"],
                    "attachments": {"media_keys": ["VARCHAR"]},
                    "note_tweet": {"text": "VARCHAR"}}],
          "includes": {"users": [{"id": "VARCHAR", "username": "VARCHAR"}],
                       "media": [{"media_key": "VARCHAR", "type": "VARCHAR", "url": "VARCHAR",
                                  "preview_image_url": "VARCHAR", "alt_text": "VARCHAR",
                                  "width": "INTEGER", "height": "INTEGER",
                                  "duration_ms": "BIGINT",
                                  "public_metrics": {"view_count": "BIGINT"},
                                  "variants": [{"bit_rate": "BIGINT", "content_type": "VARCHAR",
                                                "url": "VARCHAR"}]}]},
          "errors": [{"resource_id": "VARCHAR", "resource_type": "VARCHAR", "title": "VARCHAR",
                      "type": "VARCHAR"}]}'
    ) AS j
FROM batch
WHERE source = 'x'
  AND endpoint IN ('users/:id/tweets', 'users/:id/mentions', 'tweets/search/recent',
                   'tweets/search/all', 'tweets', 'tweets/:id');

-- a non-object entry parses to NULL; an entry without an id has a NULL id
INSERT INTO batch_bad
SELECT page_id, 'tweets without an id' FROM x_pages
WHERE len(list_filter(j.data, lambda t: t IS NULL OR t.id IS NULL)) > 0;
DELETE FROM x_pages WHERE page_id IN (SELECT page_id FROM batch_bad);

CREATE OR REPLACE TEMP TABLE x_tweets AS
SELECT page_id, account_id, page_fetched_at, unnest(j.data) AS t
FROM x_pages;

CREATE OR REPLACE TEMP TABLE x_users AS
SELECT page_id, u.id AS user_id, any_value(u.username) AS username
FROM (SELECT page_id, unnest(j.includes.users) AS u FROM x_pages)
GROUP BY ALL;

INSERT INTO stg_items
SELECT
    'x:' || coalesce(t.edit_history_tweet_ids[1], t.id),
    'x',
    CASE WHEN replied_to IS NULL THEN 'post'
         WHEN replied_to = t.conversation_id THEN 'comment'
         ELSE 'reply' END,
    coalesce(t.edit_history_tweet_ids[1], t.id),
    t.id,
    x.account_id,
    'x:' || t.author_id,
    u.username,
    'x:' || replied_to,
    'x:' || t.conversation_id,
    try_cast(t.created_at AS TIMESTAMPTZ),
    coalesce(t.note_tweet.text, t.text),
    t.lang,
    'https://x.com/' || coalesce(u.username, 'i/web') || '/status/' || t.id,
    NULL,
    t.public_metrics.like_count,
    t.public_metrics.reply_count,
    t.public_metrics.retweet_count,
    t.public_metrics.quote_count,
    t.public_metrics.impression_count,
    x.page_id,
    x.page_fetched_at
FROM (
    SELECT *, list_filter(t.referenced_tweets, lambda r: r.type = 'replied_to')[1].id AS replied_to
    FROM x_tweets
) x
LEFT JOIN x_users u ON u.page_id = x.page_id AND u.user_id = x.t.author_id
WHERE t.id IS NOT NULL;

INSERT INTO stg_media
SELECT
    'x:' || m.media_key,
    'x:' || k.item_native,
    'x',
    k.position,
    coalesce(m.type, 'photo'),
    coalesce(m.url, list_sort(
        list_filter(m.variants, lambda v: v.content_type = 'video/mp4'), 'DESC')[1].url),
    m.preview_image_url,
    m.alt_text,
    m.width,
    m.height,
    m.duration_ms,
    k.page_id,
    k.page_fetched_at
FROM (
    SELECT page_id, page_fetched_at,
           coalesce(t.edit_history_tweet_ids[1], t.id) AS item_native,
           unnest(t.attachments.media_keys) AS media_key,
           generate_subscripts(t.attachments.media_keys, 1) AS position
    FROM x_tweets
    WHERE t.id IS NOT NULL
) k
JOIN (
    SELECT page_id, unnest(j.includes.media) AS m FROM x_pages
) mm ON mm.page_id = k.page_id AND mm.m.media_key = k.media_key;

INSERT INTO stg_gone
SELECT 'x:' || e.resource_id, page_id
FROM (SELECT page_id, unnest(j.errors) AS e FROM x_pages)
WHERE e.resource_type = 'tweet'
  AND (e.title = 'Not Found Error' OR e.type LIKE '%/resource-not-found');
