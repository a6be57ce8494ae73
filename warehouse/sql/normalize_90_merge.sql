-- Merge the staged rows into core: items, versions, media, observations; mark the batch done.

INSERT INTO raw.quarantine
SELECT 'page:' || p.page_id, p.run_id, p.source, p.origin, p.account_id, p.endpoint, p.object_id,
       p.request_params, p.fetched_at, p.page_id, any_value(b.reason), NULL
FROM batch_bad b JOIN raw.api_pages p USING (page_id)
GROUP BY ALL
ON CONFLICT DO NOTHING;

-- Authors that are the district's own accounts: by platform id, or by handle where the platform
-- gives no id (Instagram comments without `from`).
CREATE OR REPLACE TEMP TABLE district_ids AS
SELECT DISTINCT platform || ':' || platform_id AS author_id FROM registry.accounts;
CREATE OR REPLACE TEMP TABLE district_handles AS
SELECT DISTINCT platform, lower(handle) AS handle FROM registry.accounts WHERE handle IS NOT NULL;

-- Ids of X edit versions resolve to the original item (edits arrive under new ids).
CREATE OR REPLACE TEMP TABLE vmap AS
SELECT ref, any_value(item_id) AS item_id FROM (
    SELECT 'x:' || version_id AS ref, item_id FROM stg_items
    WHERE platform = 'x' AND version_id <> native_id
    UNION ALL
    SELECT 'x:' || version_id, item_id FROM core.item_versions
    WHERE starts_with(item_id, 'x:') AND 'x:' || version_id <> item_id
)
GROUP BY ref;

-- The newest content of each item: its latest version, then its latest fetch.
-- (Most items appear once in a batch; only the others need ordering.)
CREATE OR REPLACE TEMP TABLE stg_repeated AS
SELECT item_id FROM stg_items GROUP BY item_id HAVING count(*) > 1;
CREATE OR REPLACE TEMP TABLE stg_latest AS
SELECT * FROM stg_items WHERE item_id NOT IN (SELECT item_id FROM stg_repeated)
UNION ALL
SELECT * FROM (SELECT * FROM stg_items WHERE item_id IN (SELECT item_id FROM stg_repeated))
QUALIFY row_number() OVER (
    PARTITION BY item_id
    ORDER BY try_cast(version_id AS HUGEINT) DESC NULLS LAST, page_fetched_at DESC, page_id DESC
) = 1;

CREATE OR REPLACE TEMP TABLE stg_seen AS
SELECT s.item_id, min(f.fetched_at) AS first_seen, max(f.fetched_at) AS last_seen,
       arg_max(s.page_id, (f.fetched_at, s.page_id)) AS last_page  -- ties: the later page
FROM (SELECT DISTINCT item_id, page_id FROM stg_items) s
JOIN batch_fetches f USING (page_id)
GROUP BY s.item_id;

-- Parents, threads and authorship resolved on narrow rows; the text joins back once.
CREATE OR REPLACE TEMP TABLE stg_resolved AS
SELECT
    l.item_id,
    coalesce(pv.item_id, l.parent_ref) AS parent_item_id,
    CASE WHEN l.kind = 'post' THEN l.item_id
         WHEN l.thread_ref IS NOT NULL THEN coalesce(tv.item_id, l.thread_ref)
         ELSE coalesce(pc.thread_root_id,
                       CASE WHEN ps.kind = 'post' THEN ps.item_id ELSE ps.thread_ref END,
                       coalesce(pv.item_id, l.parent_ref))
    END AS thread_root_id,
    (di.author_id IS NOT NULL OR dh.handle IS NOT NULL) AS author_is_district,
    s.first_seen, s.last_seen, s.last_page
FROM (SELECT item_id, kind, platform, parent_ref, thread_ref, author_id, author_handle
      FROM stg_latest) l
JOIN stg_seen s USING (item_id)
LEFT JOIN vmap pv ON pv.ref = l.parent_ref
LEFT JOIN vmap tv ON tv.ref = l.thread_ref
LEFT JOIN (SELECT item_id, thread_root_id FROM core.items) pc
       ON pc.item_id = coalesce(pv.item_id, l.parent_ref)
LEFT JOIN (SELECT item_id, kind, thread_ref FROM stg_latest) ps
       ON ps.item_id = coalesce(pv.item_id, l.parent_ref)
LEFT JOIN district_ids di ON di.author_id = l.author_id
LEFT JOIN district_handles dh
       ON l.author_id IS NULL AND dh.platform = l.platform AND dh.handle = lower(l.author_handle);

CREATE OR REPLACE TEMP VIEW stg_full AS
SELECT l.*, r.parent_item_id, r.thread_root_id, r.author_is_district, r.first_seen,
       r.last_seen, r.last_page,
       l.platform = 'x' AND l.thread_ref IS NOT NULL
           AND l.page_id IN (SELECT page_id FROM batch WHERE origin <> 'x_archive') AS x_api_thread
FROM stg_latest l JOIN stg_resolved r USING (item_id);

-- Existing items: newer content replaces older; seen times widen. An X API page knows an
-- item's thread (its conversation id): it corrects the kind and root an archive import inferred.
UPDATE core.items AS i SET
    kind = CASE WHEN r.x_api_thread THEN r.kind ELSE i.kind END,
    current_native_id = CASE WHEN r.page_fetched_at >= i.content_fetched_at
                             THEN r.version_id ELSE i.current_native_id END,
    text = CASE WHEN r.page_fetched_at >= i.content_fetched_at THEN r.text ELSE i.text END,
    lang = coalesce(r.lang, i.lang),
    permalink = coalesce(r.permalink, i.permalink),
    author_handle = coalesce(r.author_handle, i.author_handle),
    author_id = coalesce(i.author_id, r.author_id),
    author_is_district = r.author_is_district OR i.author_is_district,
    parent_item_id = coalesce(i.parent_item_id, r.parent_item_id),
    thread_root_id = CASE WHEN r.x_api_thread THEN coalesce(r.thread_root_id, i.thread_root_id)
                          ELSE coalesce(i.thread_root_id, r.thread_root_id) END,
    like_count = CASE WHEN r.page_fetched_at >= i.content_fetched_at
                      THEN coalesce(r.like_count, i.like_count) ELSE i.like_count END,
    reply_count = CASE WHEN r.page_fetched_at >= i.content_fetched_at
                       THEN coalesce(r.reply_count, i.reply_count) ELSE i.reply_count END,
    share_count = CASE WHEN r.page_fetched_at >= i.content_fetched_at
                       THEN coalesce(r.share_count, i.share_count) ELSE i.share_count END,
    quote_count = CASE WHEN r.page_fetched_at >= i.content_fetched_at
                       THEN coalesce(r.quote_count, i.quote_count) ELSE i.quote_count END,
    view_count = CASE WHEN r.page_fetched_at >= i.content_fetched_at
                      THEN coalesce(r.view_count, i.view_count) ELSE i.view_count END,
    first_seen_at = least(i.first_seen_at, r.first_seen),
    last_seen_at = greatest(i.last_seen_at, r.last_seen),
    content_fetched_at = greatest(i.content_fetched_at, r.page_fetched_at),
    last_page_id = CASE WHEN r.last_seen >= i.last_seen_at THEN r.last_page ELSE i.last_page_id END
FROM stg_full r
WHERE r.item_id = i.item_id;

INSERT INTO core.items (
    item_id, platform, kind, native_id, current_native_id, account_id, author_id, author_handle,
    author_is_district, parent_item_id, thread_root_id, created_at, text, lang, permalink,
    is_hidden, state, like_count, reply_count, share_count, quote_count, view_count,
    version_count, first_seen_at, last_seen_at, content_fetched_at, last_page_id)
SELECT
    r.item_id, r.platform, r.kind, r.native_id, r.version_id, r.account_id, r.author_id,
    r.author_handle, r.author_is_district, r.parent_item_id, r.thread_root_id, r.created_at,
    r.text, r.lang, r.permalink, coalesce(r.is_hidden, false),
    CASE WHEN r.is_hidden THEN 'hidden' ELSE 'visible' END,
    r.like_count, r.reply_count, r.share_count, r.quote_count, r.view_count, 1,
    r.first_seen, r.last_seen, r.page_fetched_at, r.last_page
FROM stg_full r
ANTI JOIN core.items i ON i.item_id = r.item_id;

INSERT INTO core.item_versions
SELECT v.* FROM (
    SELECT item_id, version_id, text, sha256(coalesce(text, '')) AS text_sha256, created_at,
           page_fetched_at AS first_seen_at
    FROM stg_items WHERE item_id NOT IN (SELECT item_id FROM stg_repeated)
    UNION ALL
    SELECT item_id, version_id, any_value(text), sha256(coalesce(text, '')),
           any_value(created_at), min(page_fetched_at)
    FROM stg_items WHERE item_id IN (SELECT item_id FROM stg_repeated)
    GROUP BY item_id, version_id, text
) v
ANTI JOIN core.item_versions o
    ON o.item_id = v.item_id AND o.version_id = v.version_id AND o.text_sha256 = v.text_sha256;

UPDATE core.items AS i SET version_count = v.n
FROM (
    SELECT item_id, count(*) AS n FROM core.item_versions
    WHERE item_id IN (SELECT item_id FROM stg_latest)
    GROUP BY item_id
) v
WHERE v.item_id = i.item_id AND i.version_count <> v.n;

-- Media: the newest URL wins (CDN URLs expire); the content hash is kept until it changes. A
-- failed download is tried again once a capture brings a new address (an expired signed CDN URL
-- answers 403 for good, its successor works).
INSERT INTO core.media (media_id, item_id, platform, position, media_type, url, preview_url,
                        alt_text, width, height, duration_ms, first_seen_at)
SELECT media_id, coalesce(v.item_id, m.item_id), platform, position, media_type, url, preview_url,
       alt_text, width, height, duration_ms, page_fetched_at
FROM stg_media m
LEFT JOIN vmap v ON v.ref = m.item_id
QUALIFY row_number() OVER (PARTITION BY coalesce(v.item_id, m.item_id), media_id
                           ORDER BY page_fetched_at DESC, page_id DESC) = 1
ON CONFLICT (item_id, media_id) DO UPDATE SET
    url = excluded.url,
    preview_url = excluded.preview_url,
    fetch_error = CASE
        WHEN excluded.url IS DISTINCT FROM core.media.url
             OR excluded.preview_url IS DISTINCT FROM core.media.preview_url THEN NULL
        ELSE core.media.fetch_error END,
    alt_text = coalesce(excluded.alt_text, core.media.alt_text),
    width = coalesce(excluded.width, core.media.width),
    height = coalesce(excluded.height, core.media.height);

-- Alt text looked up on the medium itself (Facebook photos) is what the medium has now: the
-- latest lookup's, including none when the account removed its text.
UPDATE core.media AS m SET alt_text = a.alt_text, auto_alt_text = a.auto_alt_text
FROM (
    SELECT media_id, alt_text, auto_alt_text FROM stg_alt_text
    QUALIFY row_number() OVER (PARTITION BY media_id
                               ORDER BY page_fetched_at DESC, page_id DESC) = 1
) a
WHERE m.media_id = a.media_id
  AND (m.alt_text IS DISTINCT FROM a.alt_text OR m.auto_alt_text IS DISTINCT FROM a.auto_alt_text);

-- Every alt text a medium has shown, once per text, when first seen (core.media_alt_versions):
-- an edit does not take back what the text said until then.
INSERT INTO core.media_alt_versions
SELECT s.item_id, s.media_id, s.alt_text, s.alt_sha256, s.first_seen_at
FROM (
    SELECT item_id, media_id, alt_text, sha256(alt_text) AS alt_sha256, min(seen) AS first_seen_at
    FROM (
        SELECT coalesce(v.item_id, m.item_id) AS item_id, m.media_id, m.alt_text,
               m.page_fetched_at AS seen
        FROM stg_media m
        LEFT JOIN vmap v ON v.ref = m.item_id
        WHERE nullif(trim(m.alt_text), '') IS NOT NULL
        UNION ALL
        SELECT c.item_id, a.media_id, a.alt_text, a.page_fetched_at
        FROM stg_alt_text a
        JOIN core.media c ON c.media_id = a.media_id
        WHERE nullif(trim(a.alt_text), '') IS NOT NULL
    )
    GROUP BY item_id, media_id, alt_text
) s
ANTI JOIN core.media_alt_versions o
    ON o.item_id = s.item_id AND o.media_id = s.media_id AND o.alt_sha256 = s.alt_sha256;

-- Observations: every fetch of a page shows each of its items in a state; the platform's own
-- not-found answers show deletions. Runs of equal state are kept, ordered by fetch time.
CREATE OR REPLACE TEMP TABLE stg_obs AS
-- pages fetched at the same time (an export file, a pinned clock): the later page decides
SELECT item_id, arg_max(state, page_id) AS state, seen_at, max(page_id) AS page_id
FROM (
    SELECT s.item_id, CASE WHEN s.is_hidden THEN 'hidden' ELSE 'visible' END AS state,
           f.fetched_at AS seen_at, s.page_id
    FROM (SELECT DISTINCT item_id, page_id, is_hidden FROM stg_items) s
    JOIN batch_fetches f USING (page_id)
    UNION ALL
    SELECT coalesce(v.item_id, g.ref), 'deleted', f.fetched_at, g.page_id
    FROM stg_gone g
    JOIN batch_fetches f USING (page_id)
    LEFT JOIN vmap v ON v.ref = g.ref
)
WHERE item_id IN (SELECT item_id FROM core.items)
GROUP BY item_id, seen_at;

CREATE OR REPLACE TEMP TABLE open_runs AS
SELECT o.* FROM core.observations o
SEMI JOIN (SELECT DISTINCT item_id FROM stg_obs) n ON n.item_id = o.item_id
QUALIFY row_number() OVER (PARTITION BY o.item_id ORDER BY o.first_seen_at DESC) = 1;

INSERT INTO core.observations
SELECT item_id, any_value(state), coalesce(max(open_first), min(seen_at)), max(seen_at),
       coalesce(max(open_count), 0) + count(*) FILTER (WHERE NOT is_open),
       arg_max(page_id, seen_at)
FROM (
    SELECT *, sum(changed) OVER (PARTITION BY item_id ORDER BY seen_at, is_open DESC
                                 ROWS UNBOUNDED PRECEDING) AS island
    FROM (
        SELECT *, CASE WHEN state IS DISTINCT FROM lag(state) OVER (
                           PARTITION BY item_id ORDER BY seen_at, is_open DESC)
                       THEN 1 ELSE 0 END AS changed
        FROM (
            SELECT item_id, state, last_seen_at AS seen_at, last_page_id AS page_id,
                   true AS is_open, first_seen_at AS open_first, seen_count AS open_count
            FROM open_runs
            UNION ALL
            SELECT n.item_id, n.state, n.seen_at, n.page_id, false, NULL, NULL
            FROM stg_obs n
            LEFT JOIN open_runs o USING (item_id)
            WHERE o.item_id IS NULL OR n.seen_at > o.last_seen_at
        )
    )
)
GROUP BY item_id, island
ON CONFLICT (item_id, first_seen_at) DO UPDATE SET
    last_seen_at = excluded.last_seen_at,
    seen_count = excluded.seen_count,
    last_page_id = excluded.last_page_id;

UPDATE core.items AS i SET state = o.state, is_hidden = (o.state = 'hidden')
FROM (
    SELECT item_id, arg_max(state, first_seen_at) AS state FROM core.observations
    WHERE item_id IN (SELECT item_id FROM stg_obs)
    GROUP BY item_id
) o
WHERE o.item_id = i.item_id AND (i.state <> o.state OR i.is_hidden <> (o.state = 'hidden'));

INSERT INTO core.normalized_pages
SELECT b.page_id, current_timestamp, coalesce(n.items, 0)
FROM batch b
LEFT JOIN (SELECT page_id, count(*) AS items FROM stg_items GROUP BY page_id) n USING (page_id)
WHERE NOT b.seen_before
UNION ALL
SELECT page_id, current_timestamp, 0 FROM batch_bad
ON CONFLICT DO NOTHING;

INSERT INTO core.normalized_fetches SELECT page_id, fetched_at FROM batch_fetches
ON CONFLICT DO NOTHING;
