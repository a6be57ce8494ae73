-- X account archive parts (data/tweets.js, v1.1 shape with numbers as strings).
CREATE OR REPLACE TEMP TABLE xa_tweets AS
SELECT *, coalesce(t.edit_info.edit.initialTweetId, t.edit_info.initial.editTweetIds[1],
                   t.id_str) AS native
FROM (
    SELECT page_id, account_id, page_fetched_at, account_native, username,
           unnest(j.tweets).tweet AS t
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
    )
);

-- A media entry without an id (null, or not an object) makes the part malformed: quarantined
-- with the reason, never half loaded.
INSERT INTO batch_bad
SELECT DISTINCT page_id, 'archive tweet with a media entry that has no id'
FROM (SELECT page_id, unnest(t.extended_entities.media) AS m FROM xa_tweets
      WHERE t.id_str IS NOT NULL)
WHERE m.id_str IS NULL;
DELETE FROM xa_tweets WHERE page_id IN (SELECT page_id FROM batch_bad);

-- Threads from the archive's own reply chains. Each tweet (by its original id; edits point to
-- it) and the tweet it answers; a reply's thread is that of the farthest ancestor the archive
-- holds: a post of the account starts it. Where the chain leaves the archive, the ancestor
-- outside is looked up in core (an earlier capture knows its thread), else it is the best root
-- the archive allows. Either way every reply of one chain gets the same root.
CREATE OR REPLACE TEMP TABLE xa_links AS
SELECT x.native AS id, max(coalesce(v.native, x.t.in_reply_to_status_id_str)) AS parent
FROM xa_tweets x
LEFT JOIN (SELECT DISTINCT t.id_str AS version, native FROM xa_tweets) v
       ON v.version = x.t.in_reply_to_status_id_str
WHERE x.t.id_str IS NOT NULL
GROUP BY x.native;

CREATE OR REPLACE TEMP TABLE xa_threads AS
WITH RECURSIVE walk(id, top, depth) AS (
    SELECT id, parent, 1 FROM xa_links WHERE parent IS NOT NULL
    UNION ALL
    SELECT w.id, l.parent, w.depth + 1
    FROM walk w JOIN xa_links l ON l.id = w.top
    WHERE l.parent IS NOT NULL AND w.depth < 500  -- a cycle (hostile data) stops here
)
SELECT w.id, l.parent,
       CASE WHEN EXISTS (SELECT 1 FROM xa_links a WHERE a.id = w.top) THEN 'x:' || w.top
            ELSE coalesce(c.thread_root_id, 'x:' || w.top) END AS root
FROM (SELECT id, arg_max(top, depth) AS top FROM walk GROUP BY id) w
JOIN xa_links l USING (id)
LEFT JOIN (SELECT version_id, any_value(item_id) AS item_id FROM core.item_versions
           WHERE starts_with(item_id, 'x:') GROUP BY version_id) cv ON cv.version_id = w.top
LEFT JOIN core.items c ON c.item_id = coalesce(cv.item_id, 'x:' || w.top);

INSERT INTO stg_items
SELECT
    'x:' || x.native,
    'x',
    -- as for the API: an answer to the thread's root is a comment, deeper answers are replies
    CASE WHEN x.t.in_reply_to_status_id_str IS NULL THEN 'post'
         WHEN 'x:' || th.parent = th.root THEN 'comment'
         ELSE 'reply' END,
    x.native,
    x.t.id_str,
    x.account_id,
    'x:' || x.account_native,
    x.username,
    'x:' || x.t.in_reply_to_status_id_str,
    th.root,
    try_strptime(x.t.created_at, '%a %b %d %H:%M:%S %z %Y'),
    x.t.full_text,
    x.t.lang,
    'https://x.com/' || coalesce(x.username, 'i/web') || '/status/' || x.t.id_str,
    NULL,
    try_cast(x.t.favorite_count AS BIGINT),
    NULL,
    try_cast(x.t.retweet_count AS BIGINT),
    NULL,
    NULL,
    x.page_id,
    x.page_fetched_at
FROM xa_tweets x
LEFT JOIN xa_threads th ON th.id = x.native AND x.t.in_reply_to_status_id_str IS NOT NULL
WHERE x.t.id_str IS NOT NULL;

INSERT INTO stg_media
SELECT
    'x:' || m.id_str,
    'x:' || native,
    'x',
    position,
    coalesce(m.type, 'photo'),
    -- video: the mp4 of the highest bitrate (the archive writes bitrates as strings)
    CASE WHEN m.type = 'photo' THEN m.media_url_https
         ELSE list_sort(list_transform(
                  list_filter(m.video_info.variants, lambda v: v.content_type = 'video/mp4'),
                  lambda v: {'rate': try_cast(v.bitrate AS BIGINT), 'url': v.url}),
              'DESC', 'NULLS LAST')[1].url END,
    CASE WHEN m.type = 'photo' THEN NULL ELSE m.media_url_https END,
    m.ext_alt_text,
    try_cast(m.sizes.large.w AS INTEGER),
    try_cast(m.sizes.large.h AS INTEGER),
    try_cast(m.video_info.duration_millis AS BIGINT),
    page_id,
    page_fetched_at
FROM (
    SELECT page_id, page_fetched_at, native,
           unnest(t.extended_entities.media) AS m,
           generate_subscripts(t.extended_entities.media, 1) AS position
    FROM xa_tweets
    WHERE t.id_str IS NOT NULL
);
