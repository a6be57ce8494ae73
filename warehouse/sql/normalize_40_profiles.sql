-- Profiles of registered accounts (the connectors' own lookups: X users/:id, Facebook :page,
-- Instagram :ig_user) into core.account_profiles: bio, website and every link in them, expanded.
-- X gives links as t.co: the expanded_url of each entity is used, never the short link (the
-- bio's text gets them substituted); an X pinned post's links count too (a "static place").
-- Facebook and Instagram give text as typed: links are read from it (http(s)://..., www....,
-- or a bare domain with a path such as district.org/rules), and a website field is a link
-- even without a scheme. Each profile counts from its latest fetch in the batch.

CREATE OR REPLACE TEMP MACRO profile_text_links(t) AS list_filter(
    list_transform(
        regexp_extract_all(coalesce(t, ''),
            '(?i)(?:https?://|www\.)[^\s<>"''()\[\]{}]+'
            || '|\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*'
            || '\.[a-z]{2,}/[^\s<>"''()\[\]{}]*'),
        lambda u: regexp_replace(u, '[.,;:!?]+$', '')),
    lambda u: u <> '');
CREATE OR REPLACE TEMP MACRO profile_website_links(w) AS list_filter(
    string_split_regex(trim(coalesce(w, '')), '[\s,;]+'), lambda u: u <> '');
-- in order, without repeats or empty values
CREATE OR REPLACE TEMP MACRO profile_first_each(l) AS list_filter(
    l, lambda u, i: u IS NOT NULL AND u <> '' AND list_position(l, u) = i);

CREATE OR REPLACE TEMP TABLE profile_pages AS
SELECT b.page_id, b.source, b.object_id, b.body, f.fetched_at,
       json_type(b.body) AS root_type, json_type(b.body, '$.data') AS data_type
FROM batch b
JOIN (SELECT page_id, max(fetched_at) AS fetched_at FROM batch_fetches GROUP BY page_id) f
    USING (page_id)
WHERE (b.source = 'x' AND b.endpoint = 'users/:id')
   OR (b.source = 'facebook' AND b.endpoint = ':page')
   OR (b.source = 'instagram' AND b.endpoint = ':ig_user');

-- A text field that is not text would be read as no text (and no link): such a page is
-- quarantined instead. An X answer with errors only (suspended, not found) shows no profile.
INSERT INTO batch_bad
SELECT page_id, reason FROM (
    SELECT page_id, CASE
        WHEN root_type <> 'OBJECT'
            THEN 'profile is a JSON ' || lower(root_type) || ', not an object'
        WHEN source = 'x' AND coalesce(data_type, 'OBJECT') <> 'OBJECT'
            THEN 'user lookup whose data is a ' || lower(data_type) || ', not a user'
        WHEN source = 'x' AND data_type = 'OBJECT'
             AND json_type(body, '$.data.id') IS DISTINCT FROM 'VARCHAR'
            THEN 'user without an id'
        WHEN source <> 'x' AND json_exists(body, '$.error')
            THEN 'page is a Graph API error, not a profile: '
                 || coalesce(json_extract_string(body, '$.error.message'), '?')
        WHEN source <> 'x' AND json_type(body, '$.id') IS DISTINCT FROM 'VARCHAR'
            THEN 'profile without an id'
        WHEN EXISTS (SELECT 1 FROM unnest(CASE source
                WHEN 'x' THEN ['$.data.description', '$.data.url', '$.data.username']
                WHEN 'facebook' THEN ['$.about', '$.description', '$.website', '$.username']
                ELSE ['$.biography', '$.website', '$.username'] END) AS f(path)
                WHERE coalesce(json_type(body, path), 'NULL') NOT IN ('VARCHAR', 'NULL'))
            THEN 'profile text that is not text'
        END AS reason
    FROM profile_pages
)
WHERE reason IS NOT NULL;

CREATE OR REPLACE TEMP TABLE stg_profiles (
    account_id VARCHAR, platform VARCHAR, handle VARCHAR, name VARCHAR, bio VARCHAR,
    website VARCHAR, links VARCHAR[], pinned_post_id VARCHAR, profile_url VARCHAR,
    fetched_at TIMESTAMPTZ, page_id BIGINT
);

INSERT INTO stg_profiles
SELECT 'x:' || u.id, 'x', u.username, u.name,
       nullif(list_reduce(coalesce(u.entities.description.urls, []),
                          lambda bio, e: CASE WHEN e.url <> '' AND e.expanded_url <> ''
                                              THEN replace(bio, e.url, e.expanded_url)
                                              ELSE bio END,
                          coalesce(u.description, '')), ''),
       coalesce(nullif(u.entities.url.urls[1].expanded_url, ''), nullif(u.url, '')),
       profile_first_each(flatten([
           list_transform(coalesce(u.entities.description.urls, []), lambda e: e.expanded_url),
           list_transform(coalesce(u.entities.url.urls, []), lambda e: e.expanded_url),
           flatten(list_transform(
               list_concat(coalesce(pinned.entities.urls, []),
                           coalesce(pinned.note_tweet.entities.urls, [])),
               lambda e: [e.expanded_url, e.unwound_url]))])),
       nullif(u.pinned_tweet_id, ''),
       'https://x.com/' || u.username,
       fetched_at, page_id
FROM (
    SELECT *, j.data AS u,
           list_filter(coalesce(j.includes.tweets, []),
                       lambda t: t.id = j.data.pinned_tweet_id)[1] AS pinned
    FROM (
        SELECT page_id, fetched_at, from_json(body,
            '{"data": {"id": "VARCHAR", "name": "VARCHAR", "username": "VARCHAR",
                       "description": "VARCHAR", "url": "VARCHAR", "pinned_tweet_id": "VARCHAR",
                       "entities": {
                           "url": {"urls": [{"url": "VARCHAR", "expanded_url": "VARCHAR"}]},
                           "description": {"urls": [{"url": "VARCHAR",
                                                     "expanded_url": "VARCHAR"}]}}},
              "includes": {"tweets": [{
                  "id": "VARCHAR",
                  "entities": {"urls": [{"url": "VARCHAR", "expanded_url": "VARCHAR",
                                         "unwound_url": "VARCHAR"}]},
                  "note_tweet": {"entities": {"urls": [{"url": "VARCHAR",
                                                        "expanded_url": "VARCHAR",
                                                        "unwound_url": "VARCHAR"}]}}}]}}'
        ) AS j
        FROM profile_pages
        WHERE source = 'x' AND data_type = 'OBJECT'
          AND page_id NOT IN (SELECT page_id FROM batch_bad)
    )
);

INSERT INTO stg_profiles
SELECT 'facebook:' || id, 'facebook', username, name,
       CASE WHEN description IS NULL THEN about
            WHEN about IS NULL OR contains(description, about) THEN description
            WHEN contains(about, description) THEN about
            ELSE about || chr(10) || description END,
       website,
       profile_first_each(list_concat(profile_text_links(about), profile_text_links(description),
                                      profile_website_links(website))),
       NULL,
       coalesce(link, 'https://www.facebook.com/' || id),
       fetched_at, page_id
FROM (
    SELECT page_id, fetched_at,
           body ->> '$.id' AS id, body ->> '$.username' AS username, body ->> '$.name' AS name,
           body ->> '$.link' AS link,
           nullif(trim(body ->> '$.about'), '') AS about,
           nullif(trim(body ->> '$.description'), '') AS description,
           nullif(trim(body ->> '$.website'), '') AS website
    FROM profile_pages
    WHERE source = 'facebook' AND page_id NOT IN (SELECT page_id FROM batch_bad)
);

INSERT INTO stg_profiles
SELECT 'instagram:' || id, 'instagram', username, name, biography, website,
       profile_first_each(list_concat(profile_text_links(biography),
                                      profile_website_links(website))),
       NULL,
       'https://www.instagram.com/' || coalesce(username || '/', ''),
       fetched_at, page_id
FROM (
    SELECT page_id, fetched_at,
           body ->> '$.id' AS id, body ->> '$.username' AS username, body ->> '$.name' AS name,
           nullif(trim(body ->> '$.biography'), '') AS biography,
           nullif(trim(body ->> '$.website'), '') AS website
    FROM profile_pages
    WHERE source = 'instagram' AND page_id NOT IN (SELECT page_id FROM batch_bad)
);

-- The newest capture of each profile wins, here and against what core already holds.
INSERT INTO core.account_profiles
SELECT account_id, platform, handle, name, bio, website, links, pinned_post_id, profile_url,
       fetched_at, page_id
FROM stg_profiles
QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY fetched_at DESC, page_id DESC) = 1
ON CONFLICT (account_id) DO UPDATE SET
    platform = excluded.platform, handle = excluded.handle, name = excluded.name,
    bio = excluded.bio, website = excluded.website, links = excluded.links,
    pinned_post_id = excluded.pinned_post_id, profile_url = excluded.profile_url,
    fetched_at = excluded.fetched_at, page_id = excluded.page_id
WHERE excluded.fetched_at > core.account_profiles.fetched_at
   OR (excluded.fetched_at = core.account_profiles.fetched_at
       AND excluded.page_id >= core.account_profiles.page_id);
