-- X account archive parts (data/tweets.js, v1.1 shape with numbers as strings).
CREATE OR REPLACE TEMP TABLE xa_tweets AS
SELECT page_id, account_id, page_fetched_at, account_native, username, unnest(j.tweets).tweet AS t
FROM (
    SELECT page_id, account_id, fetched_at AS page_fetched_at,
        json_extract_string(body, '$.account.id') AS account_native,
        json_extract_string(body, '$.account.username') AS username,
        from_json(body,
            '{"tweets": [{"tweet": {
                "id_str": "VARCHAR", "full_text": "VARCHAR", "created_at": "VARCHAR",
                "lang": "VARCHAR", "in_reply_to_status_id_str": "VARCHAR",
                "in_reply_to_user_id_str": "VARCHAR", "favorite_count": "VARCHAR",
                "retweet_count": "VARCHAR",
                "edit_info": {"initial": {"editTweetIds": ["VARCHAR"]},
                              "edit": {"initialTweetId": "VARCHAR"}},
                "extended_entities": {"media": [{"id_str": "VARCHAR", "type": "VARCHAR",
                    "media_url_https": "VARCHAR", "ext_alt_text": "VARCHAR",
                    "sizes": {"large": {"w": "VARCHAR", "h": "VARCHAR"}},
                    "video_info": {"duration_millis": "VARCHAR",
                        "variants": [{"bitrate": "VARCHAR", "content_type": "VARCHAR",
                                      "url": "VARCHAR"}]}}]}}}]}') AS j
    FROM batch
    WHERE source = 'x' AND endpoint = 'archive/tweets'
);

INSERT INTO stg_items
SELECT
    'x:' || native,
    'x',
    -- the archive holds only the account's own posts: any reply is the account responding
    CASE WHEN t.in_reply_to_status_id_str IS NULL THEN 'post' ELSE 'reply' END,
    native,
    t.id_str,
    account_id,
    'x:' || account_native,
    username,
    'x:' || t.in_reply_to_status_id_str,
    NULL,
    try_strptime(t.created_at, '%a %b %d %H:%M:%S %z %Y'),
    t.full_text,
    t.lang,
    'https://x.com/' || coalesce(username, 'i/web') || '/status/' || t.id_str,
    NULL,
    try_cast(t.favorite_count AS BIGINT),
    NULL,
    try_cast(t.retweet_count AS BIGINT),
    NULL,
    NULL,
    page_id,
    page_fetched_at
FROM (
    SELECT *, coalesce(t.edit_info.edit.initialTweetId, t.edit_info.initial.editTweetIds[1],
                       t.id_str) AS native
    FROM xa_tweets
)
WHERE t.id_str IS NOT NULL;

INSERT INTO stg_media
SELECT
    'x:' || m.id_str,
    'x:' || native,
    'x',
    position,
    coalesce(m.type, 'photo'),
    CASE WHEN m.type = 'photo' THEN m.media_url_https
         ELSE list_sort(list_filter(m.video_info.variants,
                                    lambda v: v.content_type = 'video/mp4'), 'DESC')[1].url END,
    CASE WHEN m.type = 'photo' THEN NULL ELSE m.media_url_https END,
    m.ext_alt_text,
    try_cast(m.sizes.large.w AS INTEGER),
    try_cast(m.sizes.large.h AS INTEGER),
    try_cast(m.video_info.duration_millis AS BIGINT),
    page_id,
    page_fetched_at
FROM (
    SELECT page_id, page_fetched_at,
           coalesce(t.edit_info.edit.initialTweetId, t.edit_info.initial.editTweetIds[1],
                    t.id_str) AS native,
           unnest(t.extended_entities.media) AS m,
           generate_subscripts(t.extended_entities.media, 1) AS position
    FROM xa_tweets
    WHERE t.id_str IS NOT NULL
);
