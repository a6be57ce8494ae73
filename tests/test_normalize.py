"""The SQL normalizer: raw pages into core, checked against counts computed from the pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import RawPage
from tests.fixtures import PYFACEBOOK, TWARC
from warehouse import db
from warehouse.normalize import normalize
from warehouse.raw_store import RawWriter

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def con():
    return db.memory()


def put(con, pages: list[RawPage], run_id: str = "r1") -> None:
    with RawWriter(con, run_id) as writer:
        for page in pages:
            writer.add_page(page)


def x_page(body: str | dict, endpoint: str = "tweets/search/recent", **kw) -> RawPage:
    text = body if isinstance(body, str) else json.dumps(body)
    return RawPage(source="x", origin="api", endpoint=endpoint, body=text,
                   account_id="x:1", **kw)


def expected_from_twarc(lines: list[str]) -> tuple[set[str], dict[str, str], int]:
    items, authors, media = set(), {}, set()
    for line in lines:
        page = json.loads(line)
        data = page.get("data") or []
        data = [data] if isinstance(data, dict) else data
        keys = {m["media_key"] for m in page.get("includes", {}).get("media", [])}
        for tweet in data:
            root = (tweet.get("edit_history_tweet_ids") or [tweet["id"]])[0]
            items.add(root)
            authors[root] = tweet.get("author_id")
            for key in tweet.get("attachments", {}).get("media_keys", []):
                if key in keys:
                    media.add((root, key))  # a retweet carries the original's media key
    return items, authors, len(media)


@pytest.mark.parametrize("name", ["media_tweet", "edited", "mentions_tweet", "withheld",
                                  "2sets", "brexit", "quoted_edit", "geo_tweets", "cotweet"])
def test_twarc_pages_land_with_counts_authors_media(con, name):
    lines = (TWARC / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    put(con, [x_page(line) for line in lines])
    normalize(con)
    items, authors, media = expected_from_twarc(lines)
    got = dict(con.execute("SELECT native_id, author_id FROM core.items").fetchall())
    assert set(got) == items
    assert all(got[i] == f"x:{authors[i]}" for i in items if authors[i])
    assert con.execute("SELECT count(*) FROM core.media").fetchone()[0] == media


def test_edits_are_one_item_with_every_version(con):
    lines = [(TWARC / f).read_text().splitlines() for f in ("edited_before.jsonl",
                                                            "edited_after.jsonl")]
    put(con, [x_page(line) for group in lines for line in group])
    normalize(con)
    versions = con.execute("""
        SELECT i.item_id, i.current_native_id, i.version_count, count(v.version_id)
        FROM core.items i JOIN core.item_versions v USING (item_id)
        WHERE i.version_count > 1 GROUP BY ALL""").fetchall()
    assert versions, "an edited tweet keeps its versions"
    for item_id, current, count, joined in versions:
        assert count == joined >= 2
        assert int(current) > int(item_id.split(":")[1])


def test_facebook_comments_without_id_or_author(con):
    pages = [
        RawPage(source="facebook", origin="api", endpoint=":object/comments",
                object_id="19292868552_10158407654328553", account_id="facebook:19292868552",
                body=(PYFACEBOOK / "facebook/apidata/comments" / name).read_text())
        for name in ("comments_p1.json", "comments_p2.json")
    ]
    put(con, pages)
    normalize(con)
    rows = con.execute("""SELECT kind, count(*), count(author_id), count(DISTINCT thread_root_id)
                          FROM core.items GROUP BY kind ORDER BY kind""").fetchall()
    total = sum(len(json.loads(p.body)["data"]) for p in pages)
    assert sum(r[1] for r in rows) == total
    assert all(r[2] == 0 for r in rows)  # no `from` without a Page token
    assert {r[3] for r in rows} == {1}
    replies = con.execute("""SELECT count(*) FROM core.items r JOIN core.items c
                             ON r.parent_item_id = c.item_id WHERE r.kind = 'reply'""").fetchone()
    assert replies[0] == dict((r[0], r[1]) for r in rows).get("reply", 0)


def test_instagram_media_with_album_children(con):
    # a real ?ids= lookup of two media, one of them an album with children
    lookup = json.loads((PYFACEBOOK / "instagram/apidata/medias/medias_fields.json").read_text())
    posts = list(lookup.values())
    put(con, [RawPage(source="instagram", origin="api", endpoint=":ig_user/media",
                      object_id="17841", account_id="instagram:17841",
                      body=json.dumps({"data": posts}))])
    normalize(con)
    for post in posts:
        children = post.get("children", {}).get("data", [])
        n = con.execute("SELECT count(*) FROM core.media WHERE item_id = ?",
                        [f"instagram:{post['id']}"]).fetchone()[0]
        assert n == (len(children) or 1)
    assert any(post.get("children") for post in posts)


def test_instagram_media_without_an_address_are_kept(con):
    """The Graph API omits media_url on copyrighted media, and a live broadcast has none: the
    medium is kept (without an address) so the audit says it could not look at it. The
    connector's existence lookups ({"id"} only) add no medium."""
    album = {"id": "m1", "media_type": "CAROUSEL_ALBUM", "caption": "Spirit week!",
             "children": {"data": [
                 {"id": "c1", "media_type": "IMAGE", "media_url": "https://scontent.example/1.jpg"},
                 {"id": "c2", "media_type": "VIDEO"},  # copyrighted music: no address at all
             ]}}
    live = {"id": "m2", "media_type": "BROADCAST", "media_product_type": "LIVE"}
    put(con, [RawPage(source="instagram", origin="api", endpoint=":ig_user/media",
                      object_id="17841", account_id="instagram:17841",
                      body=json.dumps({"data": [album, live]})),
              RawPage(source="instagram", origin="api", endpoint=":ig_object", object_id="m3",
                      account_id="instagram:17841", params={"item_kind": "ig_media"},
                      body=json.dumps({"id": "m3"}))])
    normalize(con)
    rows = con.execute("SELECT media_id, media_type, url, preview_url FROM core.media "
                       "ORDER BY media_id").fetchall()
    assert rows == [("instagram:c1", "photo", "https://scontent.example/1.jpg", None),
                    ("instagram:c2", "video", None, None),
                    ("instagram:m2", "video", None, None)]


def staging_tables(con) -> set[str]:
    return {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}


def test_a_batch_runs_only_the_scripts_of_the_sources_it_has_pages_of():
    con = db.memory()
    assert normalize(con).fetches == 0
    assert "stg_items" in staging_tables(con)  # the selection ran, and nothing after it
    assert not staging_tables(con) & {"x_pages", "fb_post_pages", "district_ids"}
    body = (PYFACEBOOK / "facebook/apidata/comments/comments_p1.json").read_text()
    put(con, [RawPage(source="facebook", origin="api", endpoint=":object/comments",
                      object_id="19292868552_10158407654328553",
                      account_id="facebook:19292868552", body=body)])
    assert normalize(con).items_staged > 0
    tables = staging_tables(con)
    assert {"fb_comment_pages", "district_ids"} <= tables
    assert not tables & {"x_pages", "xa_tweets", "ig_media_pages"}


def test_shape_errors_are_quarantined_and_the_rest_loads(con):
    good = {"data": [{"id": "5", "text": "hello", "conversation_id": "5"}]}
    put(con, [
        x_page({"data": "not a list"}),
        x_page([1, 2, 3]),
        x_page({"data": [{"text": "no id"}]}),
        x_page(good),
        RawPage(source="facebook", origin="api", endpoint=":page/posts", object_id="9",
                body=json.dumps({"error": {"message": "bad", "code": 100}})),
    ])
    result = normalize(con)
    reasons = [r[0] for r in con.execute("SELECT reason FROM raw.quarantine").fetchall()]
    assert result.quarantined == 4
    assert any("not a list of tweets" in r for r in reasons)
    assert any("not an object" in r for r in reasons)
    assert any("without an id" in r for r in reasons)
    assert any("Graph API error" in r for r in reasons)
    assert con.execute("SELECT native_id FROM core.items").fetchall() == [("5",)]


def test_rerun_adds_nothing_and_refetch_updates_observation(con):
    page = {"data": [{"id": "7", "text": "t", "conversation_id": "7"}]}
    put(con, [x_page(page, fetched_at=T0)])
    normalize(con)
    snapshot = con.execute("SELECT * FROM core.items").fetchall()
    assert normalize(con).pages == 0
    assert con.execute("SELECT * FROM core.items").fetchall() == snapshot
    put(con, [x_page(page, fetched_at=T0 + timedelta(hours=1))], run_id="r2")
    normalize(con)
    assert con.execute("SELECT count(*) FROM raw.api_pages").fetchone()[0] == 1
    obs = con.execute("SELECT state, seen_count, last_seen_at FROM core.observations").fetchall()
    assert obs == [("visible", 2, T0 + timedelta(hours=1))]


def test_hidden_then_deleted_are_observed_as_runs(con):
    post = {"id": "1_2", "message": "Game tonight", "created_time": "2026-03-01T12:00:00+0000"}

    def comments(hidden: bool) -> RawPage:
        return RawPage(source="facebook", origin="api", endpoint=":object/comments",
                       object_id="1_2", account_id="facebook:1",
                       fetched_at=T0 + timedelta(hours=3 if hidden else 1),
                       body=json.dumps({"data": [{"id": "2_3", "message": "spam spam",
                                                  "created_time": "2026-03-01T13:00:00+0000",
                                                  "is_hidden": hidden}]}))

    put(con, [RawPage(source="facebook", origin="api", endpoint=":page/posts", object_id="1",
                      account_id="facebook:1", body=json.dumps({"data": [post]}),
                      fetched_at=T0)])
    put(con, [comments(False)])
    normalize(con)
    put(con, [comments(True)])
    normalize(con)
    gone = RawPage(source="facebook", origin="api", endpoint=":object", object_id="2_3",
                   account_id="facebook:1", fetched_at=T0 + timedelta(hours=5),
                   body=json.dumps({"error": {"message": "Unsupported get request.",
                                              "type": "GraphMethodException", "code": 100,
                                              "error_subcode": 33}}))
    put(con, [gone])
    normalize(con)
    runs = con.execute("""SELECT state, seen_count FROM core.observations
                          WHERE item_id = 'facebook:2_3' ORDER BY first_seen_at""").fetchall()
    assert runs == [("visible", 1), ("hidden", 1), ("deleted", 1)]
    assert con.execute("SELECT state, is_hidden, text FROM core.items "
                       "WHERE item_id = 'facebook:2_3'").fetchone() == ("deleted", False,
                                                                       "spam spam")


def test_x_lookup_errors_mark_deleted(con):
    put(con, [x_page({"data": [{"id": "10", "text": "root", "conversation_id": "10"},
                               {"id": "11", "text": "reply", "conversation_id": "10",
                                "referenced_tweets": [{"type": "replied_to", "id": "10"}]}]},
                     fetched_at=T0)])
    put(con, [x_page({"errors": [{"resource_id": "11", "resource_type": "tweet",
                                  "title": "Not Found Error", "value": "11",
                                  "type": "https://api.twitter.com/2/problems/resource-not-found",
                                  "detail": "Could not find tweet with ids: [11]."}]},
                     endpoint="tweets", fetched_at=T0 + timedelta(hours=1))])
    normalize(con)
    rows = dict(con.execute("SELECT item_id, state FROM core.items").fetchall())
    assert rows == {"x:10": "visible", "x:11": "deleted"}
    kinds = dict(con.execute("SELECT item_id, kind FROM core.items").fetchall())
    assert kinds == {"x:10": "post", "x:11": "comment"}


def test_instagram_replies_page_inherits_the_thread_of_its_comment(con):
    comments = {"data": [{"id": "c1", "text": "Great game!", "username": "fan1",
                          "timestamp": "2026-03-01T12:00:00+0000"}]}
    replies = {"data": [{"id": "r1", "text": "@fan1 thanks!", "username": "lincolnhs",
                         "timestamp": "2026-03-01T13:00:00+0000"}]}
    put(con, [RawPage(source="instagram", origin="api", endpoint=":ig_media/comments",
                      object_id="m1", account_id="instagram:9", body=json.dumps(comments))])
    normalize(con)
    put(con, [RawPage(source="instagram", origin="api", endpoint=":ig_comment/replies",
                      object_id="c1", account_id="instagram:9", body=json.dumps(replies))])
    normalize(con)
    rows = con.execute("SELECT item_id, kind, parent_item_id, thread_root_id FROM core.items "
                       "ORDER BY item_id").fetchall()
    assert rows == [("instagram:c1", "comment", "instagram:m1", "instagram:m1"),
                    ("instagram:r1", "reply", "instagram:c1", "instagram:m1")]


def _album(subattachments: list[dict]) -> dict:
    cover = {"image": {"src": "https://scontent.xx.fbcdn.net/cover.jpg", "height": 640,
                       "width": 960}}
    return {"id": "1_7", "message": "Field day!", "created_time": "2026-03-01T12:00:00+0000",
            "attachments": {"data": [{"media_type": "album", "type": "album",
                                      "target": {"id": "7"}, "media": cover,
                                      "subattachments": {"data": subattachments}}]}}


def test_album_photos_become_one_medium_each(con):
    photos = [{"type": "photo", "target": {"id": f"p{i}"},
               "media": {"image": {"src": f"https://scontent.xx.fbcdn.net/{i}.jpg",
                                   "height": 480, "width": 640}}} for i in range(3)]
    put(con, [RawPage(source="facebook", origin="api", endpoint=":page/posts", object_id="1",
                      account_id="facebook:1", body=json.dumps({"data": [_album(photos)]}))])
    normalize(con)
    got = con.execute("SELECT media_id, url FROM core.media WHERE item_id = 'facebook:1_7' "
                      "ORDER BY position").fetchall()
    assert got == [(f"facebook:p{i}", f"https://scontent.xx.fbcdn.net/{i}.jpg")
                   for i in range(3)]


def test_album_whose_subattachments_carry_no_media_keeps_its_cover(con):
    # the API trims sub-attachment fields it was not asked for: the album must not vanish
    put(con, [RawPage(source="facebook", origin="api", endpoint=":page/posts", object_id="1",
                      account_id="facebook:1", body=json.dumps({"data": [_album([{}, {}])]}))])
    normalize(con)
    got = con.execute("SELECT media_id, url FROM core.media WHERE item_id = 'facebook:1_7'"
                      ).fetchall()
    assert got == [("facebook:7", "https://scontent.xx.fbcdn.net/cover.jpg")]

def test_a_failed_download_is_tried_again_once_a_capture_brings_a_new_address(con):
    from importlib import resources

    def capture(run_id: str, signatures: tuple[str, str]) -> None:
        photos = [{"type": "photo", "target": {"id": f"p{i}"},
                   "media": {"image": {"src": f"https://scontent.xx.fbcdn.net/{i}.jpg?oe={sig}",
                                       "height": 480, "width": 640}}}
                  for i, sig in enumerate(signatures)]
        put(con, [RawPage(source="facebook", origin="api", endpoint=":page/posts", object_id="1",
                          account_id="facebook:1", body=json.dumps({"data": [_album(photos)]}))],
            run_id)
        normalize(con)

    capture("r1", ("a1", "b1"))
    # both signed URLs had expired by the time the media stage asked for them
    con.execute("UPDATE core.media SET fetch_error = 'HTTP 403' WHERE media_id <> 'facebook:7'")
    capture("r2", ("a2", "b1"))  # the next capture signs the first photo's address anew

    errors = dict(con.execute("SELECT media_id, fetch_error FROM core.media "
                              "WHERE media_id <> 'facebook:7'").fetchall())
    assert errors == {"facebook:p0": None, "facebook:p1": "HTTP 403"}
    pending_sql = resources.files("warehouse").joinpath("sql/media_pending.sql").read_text()
    pending = [r[0] for r in con.execute(pending_sql).fetchall()]
    assert "facebook:p0" in pending and "facebook:p1" not in pending



# ---------------------------------------------------------------------- X account archives

ARCHIVE_ACCOUNT = "1490000000000000001"


def archive_tweet(tweet_id: str, text: str, *, reply_to: str | None = None,
                  media: list | None = None, when: str = "Fri Feb 20 09:10:58 +0000 2026",
                  **extra) -> dict:
    """A ``tweets.js`` element: the v1.1 shape with every number a string."""
    tweet = {"id_str": tweet_id, "id": tweet_id, "full_text": text, "created_at": when,
             "lang": "en", "favorite_count": "0", "retweet_count": "0", "truncated": False,
             "retweeted": False, "entities": {"hashtags": [], "user_mentions": [], "urls": []},
             **extra}
    if reply_to:
        tweet.update(in_reply_to_status_id_str=reply_to, in_reply_to_status_id=reply_to,
                     in_reply_to_user_id_str="1490000000000000777")
    if media:
        tweet["extended_entities"] = {"media": media}
    return {"tweet": tweet}


def import_archive(con, tmp_path, tweets: list[dict]) -> None:
    from connectors.importers import import_x_archive

    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    account = [{"account": {"accountId": ARCHIVE_ACCOUNT, "username": "lincolnusd_demo",
                            "accountDisplayName": "Lincoln"}}]
    (data / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(account))
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(tweets, indent=1))
    with RawWriter(con, "archive") as writer:
        result = import_x_archive(tmp_path / "archive", writer)
    assert result.errors == []
    normalize(con)


def test_archive_video_takes_the_mp4_of_the_highest_numeric_bitrate(con, tmp_path):
    base = "https://video.twimg.com/ext_tw_video/1/pu/vid"
    video = {"id_str": "2024800000000000950", "type": "video",
             "media_url_https": "https://pbs.twimg.com/ext_tw_video_thumb/1/pu/img/v.jpg",
             "sizes": {"large": {"w": "1280", "h": "720", "resize": "fit"}},
             "video_info": {"aspect_ratio": ["16", "9"], "duration_millis": "15015",
                            "variants": [
                                {"bitrate": "832000", "content_type": "video/mp4",
                                 "url": f"{base}/640x360/a.mp4"},
                                {"content_type": "application/x-mpegURL",
                                 "url": f"{base}/pl/b.m3u8"},
                                {"bitrate": "2176000", "content_type": "video/mp4",
                                 "url": f"{base}/1280x720/c.mp4"},
                                {"bitrate": "256000", "content_type": "video/mp4",
                                 "url": f"{base}/480x270/d.mp4"}]}}
    import_archive(con, tmp_path, [archive_tweet("2024800000000000201", "Concert clip",
                                                 media=[video])])
    row = con.execute("SELECT media_type, url, preview_url, width, duration_ms "
                      "FROM core.media").fetchone()
    assert row == ("video", f"{base}/1280x720/c.mp4", video["media_url_https"], 1280, 15015)


def test_archive_replies_get_the_thread_of_their_chain(con, tmp_path):
    # an API capture already knows tweet 900 (a reply in conversation 800)
    put(con, [x_page({"data": [{"id": "900", "text": "a parent asks", "conversation_id": "800",
                                "author_id": "55",
                                "referenced_tweets": [{"type": "replied_to", "id": "800"}]}],
                      "meta": {"result_count": 1, "newest_id": "900"}})])
    normalize(con)
    import_archive(con, tmp_path, [
        archive_tweet("2024800000000000301", "Open house is Thursday"),          # a post
        archive_tweet("2024800000000000302", "Doors open at 6", reply_to="2024800000000000301"),
        archive_tweet("2024800000000000303", "Parking: north lot",
                      reply_to="2024800000000000302"),                             # deeper
        archive_tweet("2024800000000000304", "@parent thanks", reply_to="555"),   # outside
        archive_tweet("2024800000000000305", "and the gym", reply_to="2024800000000000304"),
        archive_tweet("2024800000000000306", "@parent see the site", reply_to="900"),  # in core
    ])
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT native_id, kind, parent_item_id, thread_root_id, author_id FROM core.items "
        "WHERE native_id LIKE '20248%'").fetchall()}
    account = f"x:{ARCHIVE_ACCOUNT}"
    assert rows == {
        "2024800000000000301": ("post", None, "x:2024800000000000301", account),
        "2024800000000000302": ("comment", "x:2024800000000000301", "x:2024800000000000301",
                                account),
        "2024800000000000303": ("reply", "x:2024800000000000302", "x:2024800000000000301",
                                account),
        # the chain leaves the archive: its farthest known ancestor is the best root it allows
        "2024800000000000304": ("comment", "x:555", "x:555", account),
        "2024800000000000305": ("reply", "x:2024800000000000304", "x:555", account),
        # the ancestor outside is known to core: its thread
        "2024800000000000306": ("reply", "x:900", "x:800", account),
    }
    threads = dict(con.execute("SELECT thread_root_id, responses FROM core.threads").fetchall())
    assert threads["x:2024800000000000301"] == 2 and threads["x:555"] == 2


def test_an_x_api_page_corrects_the_thread_an_archive_inferred(con, tmp_path):
    import_archive(con, tmp_path, [archive_tweet("2024800000000000401", "@parent thanks",
                                                 reply_to="950")])
    assert con.execute("SELECT kind, thread_root_id FROM core.items").fetchone() == (
        "comment", "x:950")
    # the timeline says 950 was itself a reply in conversation 940
    put(con, [x_page({"data": [{"id": "2024800000000000401", "text": "@parent thanks",
                                "conversation_id": "940", "author_id": ARCHIVE_ACCOUNT,
                                "referenced_tweets": [{"type": "replied_to", "id": "950"}]}],
                      "meta": {"result_count": 1, "newest_id": "2024800000000000401"}},
                     endpoint="users/:id/tweets")], run_id="api")
    normalize(con)
    assert con.execute("SELECT kind, parent_item_id, thread_root_id FROM core.items").fetchone() \
        == ("reply", "x:950", "x:940")


def test_archive_retweets_are_kept_like_api_retweets(con, tmp_path):
    """The API shows a retweet as a tweet of the account (``referenced_tweets`` retweeted, text
    ``RT @...``), the archive only as text starting ``RT @``: both are the account's post on its
    timeline, in a thread of its own, in the same shape."""
    text = "RT @lincoln_board_demo: Board meeting moved to Thursday 7pm"
    con.execute("INSERT INTO registry.accounts (account_key, platform, platform_id, handle, kind, "
                "owner, designee_admins, loaded_at) VALUES (?, 'x', ?, 'lincolnusd_demo', "
                "'official', 'Comms', [], now())", [f"x:{ARCHIVE_ACCOUNT}", ARCHIVE_ACCOUNT])
    import_archive(con, tmp_path, [archive_tweet("2024800000000000501", text,
                                                 retweet_count="7")])
    put(con, [x_page({"data": [{"id": "2024800000000000502", "text": text,
                                "author_id": ARCHIVE_ACCOUNT,
                                "conversation_id": "2024800000000000502",
                                "created_at": "2026-02-20T09:10:58.000Z",
                                "referenced_tweets": [{"type": "retweeted", "id": "17"}],
                                "public_metrics": {"retweet_count": 7, "like_count": 0,
                                                   "reply_count": 0, "quote_count": 0}}],
                      "includes": {"users": [{"id": ARCHIVE_ACCOUNT,
                                              "username": "lincolnusd_demo"}]},
                      "meta": {"result_count": 1, "newest_id": "2024800000000000502"}},
                     endpoint="users/:id/tweets")], run_id="api")
    normalize(con)
    shape = ("SELECT kind, author_id, author_handle, author_is_district, parent_item_id, "
             "thread_root_id = item_id, text, share_count, created_at, "
             "permalink = 'https://x.com/lincolnusd_demo/status/' || native_id "
             "FROM core.items WHERE native_id = ?")
    archived = con.execute(shape, ["2024800000000000501"]).fetchone()
    from_api = con.execute(shape, ["2024800000000000502"]).fetchone()
    assert archived == from_api
    assert archived[:4] == ("post", f"x:{ARCHIVE_ACCOUNT}", "lincolnusd_demo", True)
