"""The Graph connector through the real facebook-sdk client, a transport adapter and a warehouse.

Nothing of ours is mocked: responses come from ``HandlerAdapter`` on the client's session (the
public python-facebook fixtures, read in place), pages land in a real in-memory warehouse through
``RawWriter``, and the assertions read ``raw.api_pages``, ``raw.cursors``, ``raw.fetch_log`` and
``raw.quarantine``.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from connectors import endpoints as ep
from connectors.base import AuthError, BadRequest, CaptureError, PermissionDenied, RateLimited
from connectors.graph import (
    DEFAULT_GRAPH_VERSION,
    FB_COMMENTS_PARAMS,
    FB_PHOTO_PARAMS,
    FB_POSTS_PARAMS,
    IG_COMMENTS_PARAMS,
    IG_MEDIA_PARAMS,
    IG_REPLIES_PARAMS,
    PROACTIVE_PAUSE_SECONDS,
    GraphAccount,
    fb_photo_ids,
    make_graph_client,
)
from connectors.transport import Call, HandlerAdapter, Reply
from tests.core_checks import graph_item_count, normalized
from tests.graph_support import (
    PYFB,
    TOKEN,
    Harness,
    always,
    buc_header,
    cursor_pages,
    does_not_exist,
    empty_comments,
    epoch,
    fixture,
    fixture_text,
    graph_error,
    ok,
    utc,
)

FB_PAGE = "19292868552"  # posts/feeds_default_fields_p*.json
FB = GraphAccount("district-fb", "facebook", FB_PAGE, "district")
IG_USER = "17841406338772941"  # instagram users/medias_p*.json
IG = GraphAccount("district-ig", "instagram", IG_USER, "district_ig")
FB_NOW = utc("2021-07-10T00:00:00")  # 14-day window: the 7 posts since 2021-06-26
IG_NOW = utc("2021-08-20T00:00:00")  # 14-day window: the two media of 2021-08-13
LATER = utc("2021-12-01T00:00:00")  # no post in the comment window

POSTS_P1 = "facebook/apidata/posts/feeds_default_fields_p1.json"
POSTS_P2 = "facebook/apidata/posts/feeds_default_fields_p2.json"
NEWEST_POST = "19292868552_10158349356748553"
SECOND_POST = "19292868552_10158347294088553"
COMMENTS_P1 = "facebook/apidata/comments/comments_p1.json"
COMMENTS_P2 = "facebook/apidata/comments/comments_p2.json"
PHOTO_MODEL = "facebook/models/photo.json"  # a Photo node with every field, alt_text included


def photo_node(call: Call) -> Reply:
    """``/{photo-id}?fields=...``: the photo model as that photo, with the fields asked for."""
    node = fixture(PHOTO_MODEL)
    node["id"] = call.path.rsplit("/", 1)[-1]
    wanted = set(call.query["fields"].split(",")) | {"id"}
    return ok({k: v for k, v in node.items() if k in wanted})


def route_photos(h: Harness, posts: list[dict]) -> list[str]:
    """Serve the Photo node of every photo of ``posts``; returns their ids."""
    photo_ids = [pid for post in posts for pid in fb_photo_ids(post)]
    for photo_id in photo_ids:
        h.server.route(photo_id, photo_node)
    return photo_ids


def fb_posts_route(h: Harness, *, p2: Reply | str | None = None) -> None:
    h.server.route(f"{FB_PAGE}/posts", cursor_pages({
        None: fixture_text(POSTS_P1),
        "after": fixture_text(POSTS_P2) if p2 is None else p2,
    }))


def comment_page(*comments: dict) -> dict:
    return {"data": list(comments),
            "summary": {"order": "chronological", "total_count": len(comments),
                        "can_comment": True}}


def model_comment(comment_id: str, **changes: object) -> dict:
    comment = fixture("facebook/models/comment.json")
    comment["id"] = comment_id
    comment.update(changes)
    return comment


def synthetic_post(post_id: str, created: str) -> dict:
    return {"id": post_id, "message": f"post {post_id}", "created_time": created,
            "permalink_url": f"https://www.facebook.com/{post_id}"}


# --------------------------------------------------------------------------- client


def test_make_graph_client_sets_version_and_records_usage_headers() -> None:
    headers = {"X-App-Usage": '{"call_count":12,"total_cputime":3,"total_time":4}',
               **buc_header(FB_PAGE, regain_minutes=0, call_count=40)}
    adapter = HandlerAdapter(lambda call: ok(fixture_text(POSTS_P1), headers))
    graph, usage = make_graph_client(TOKEN, adapter=adapter)
    assert graph.version == DEFAULT_GRAPH_VERSION == "v25.0"
    assert graph.access_token == TOKEN and graph.timeout == 30
    result = graph.request(f"{graph.version}/{FB_PAGE}/posts", {"limit": "1"})
    assert len(result["data"]) == 5
    assert adapter.calls[0].url.startswith(f"https://graph.facebook.com/v25.0/{FB_PAGE}/posts?")
    assert usage.status == 200 and usage.body == fixture_text(POSTS_P1)
    assert set(usage.headers) == {"X-App-Usage", "X-Business-Use-Case-Usage"}
    assert usage.max_percent() == 40 and usage.regain_seconds() is None
    assert TOKEN not in usage.url

    other, _ = make_graph_client(TOKEN, version="26.0", adapter=adapter)
    assert other.version == "v26.0"


def test_importing_the_connector_raises_no_warning(tmp_path: Path) -> None:
    # A fresh bytecode cache makes Python recompile facebook-sdk, where its bad escape warns.
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path)}
    code = "import connectors.graph, facebook; print(facebook.__version__)"
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-W", "error::SyntaxWarning",
         "-c", code],
        cwd=Path(__file__).resolve().parents[1], env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3.1.0"


# --------------------------------------------------------------------------- fixtures, Facebook


def test_facebook_fixture_pages_land_with_endpoint_object_and_counts() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.route(f"{NEWEST_POST}/comments", cursor_pages({
        None: fixture_text(COMMENTS_P1), "after": fixture_text(COMMENTS_P2)}))
    h.server.route(f"{SECOND_POST}/comments",
                   always(comment_page(fixture("facebook/models/comment.json"))))
    h.server.fallback = empty_comments
    photo_ids = route_photos(h, fixture(POSTS_P1)["data"] + fixture(POSTS_P2)["data"])
    assert len(photo_ids) == 5  # two shares and two videos have no photo

    result = h.connector.capture_account(FB)

    posts = h.pages(ep.FB_PAGE_POSTS)
    assert [(p["source"], p["origin"], p["object_id"], p["account_id"]) for p in posts] == [
        ("facebook", "api", FB_PAGE, "district-fb")] * 2
    assert [len(p["body"]["data"]) for p in posts] == [5, 5]
    assert posts[0]["params"] == FB_POSTS_PARAMS
    assert posts[1]["params"] == {**FB_POSTS_PARAMS, "after": "after"}
    assert posts[0]["body"]["data"][0]["attachments"]["data"][0]["media"]["image"]["src"]

    # Page Public Content Access: comments without id and from are stored as they are.
    first = h.pages(ep.FB_COMMENTS, NEWEST_POST)
    assert [len(p["body"]["data"]) for p in first] == [10, 5]
    assert all("id" not in c and "from" not in c for p in first for c in p["body"]["data"])
    assert first[0]["params"] == FB_COMMENTS_PARAMS
    assert first[1]["params"] == {**FB_COMMENTS_PARAMS, "after": "after"}
    assert FB_COMMENTS_PARAMS["filter"] == "stream"
    assert FB_COMMENTS_PARAMS["order"] == "chronological"
    second = h.pages(ep.FB_COMMENTS, SECOND_POST)
    assert second[0]["body"]["data"][0]["from"] == {"name": "Kun Liu", "id": "2711636948859886"}

    # A first capture asks for the comments of every post it found: the 7 inside the 14-day
    # window (re-fetched every run) and, once, the 3 older ones (the backfill).
    all_posts = [p["id"] for page in posts for p in page["body"]["data"]]
    in_window = [p["id"] for page in posts for p in page["body"]["data"]
                 if epoch(p["created_time"]) >= (FB_NOW - timedelta(days=14)).timestamp()]
    assert len(in_window) == 7 and len(all_posts) == 10
    asked = [path.removesuffix("/comments") for path in h.server.paths()
             if path.endswith("/comments")]
    assert asked[:len(in_window) + 1].count(NEWEST_POST) == 2  # window first, paged
    assert sorted(set(asked)) == sorted(all_posts)
    assert len(h.pages(ep.FB_COMMENTS)) == 11

    state = h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)
    assert state["since"] == epoch("2021-07-09T19:09:52+0000")
    assert "pending" not in state
    assert sorted(state["recent"]) == sorted(in_window)
    assert state["backfill"] == {}

    # The photos' alt text, one Photo node each, after the comments.
    photos = h.pages(ep.FB_PHOTO)
    assert [p["object_id"] for p in photos] == result.photos == photo_ids
    assert all(p["params"] == FB_PHOTO_PARAMS and p["account_id"] == "district-fb"
               for p in photos)
    assert photos[0]["body"] == {"alt_text": "No photo description available.",
                                 "id": photo_ids[0]}
    assert h.server.paths()[-5:] == photo_ids
    queue = h.cursor("facebook", "district-fb", ep.FB_PHOTO, FB_PAGE)
    assert queue["pending"] == [] and list(queue["posts"]) == [NEWEST_POST]  # since: newest

    log = h.fetch_log()
    assert [(r["status"], r["account_id"], r["pages"]) for r in log] == [
        ("ok", "district-fb", 19)]  # the profile, 2 posts pages, 11 comments pages, 5 photos
    assert result.status == "ok" and result.complete and result.pages == 19
    assert result.items == 10 and result.comments == 16 and result.lookups == []
    assert h.quarantine() == []
    # The served next URLs carried the real (fake) token; the stored ones do not.
    assert TOKEN in fixture_text(POSTS_P1)
    assert "access_token=[REDACTED]" in json.dumps(posts[0]["body"]["paging"])
    assert TOKEN not in h.all_raw_text()

    # ... and into core: 10 posts, 16 comments/replies in their threads, album media
    h.flush()
    con = normalized(h.con)
    counts = graph_item_count(con, "facebook")
    assert counts["post"] == 10 and counts.get("comment", 0) + counts.get("reply", 0) == 16
    threads = dict(con.execute("""SELECT thread_root_id, count(*) FROM core.items
                                  WHERE kind <> 'post' GROUP BY 1""").fetchall())
    assert threads == {f"facebook:{NEWEST_POST}": 15, f"facebook:{SECOND_POST}": 1}
    assert con.execute("SELECT author_id FROM core.items WHERE kind <> 'post' "
                       "AND author_id IS NOT NULL").fetchall() == [("facebook:2711636948859886",)]
    expected_media = sum(
        max(1, len(a.get("subattachments", {}).get("data", [])))
        for page in posts for p in page["body"]["data"]
        for a in p.get("attachments", {}).get("data", [])
        if a.get("media") or a.get("subattachments"))
    assert con.execute("SELECT count(*) FROM core.media").fetchone()[0] == expected_media
    described = con.execute("SELECT media_id, alt_text, auto_alt_text FROM core.media "
                            "WHERE auto_alt_text IS NOT NULL ORDER BY media_id").fetchall()
    assert described == [(f"facebook:{pid}", None, "No photo description available.")
                         for pid in sorted(photo_ids)]


def test_facebook_time_based_paging_follows_until_and_paging_token() -> None:
    h = Harness.create(FB_NOW)
    h.server.route("4/posts", cursor_pages({
        None: fixture_text("facebook/apidata/posts/feed_fields_p1.json"),
        "1624385168": fixture_text("facebook/apidata/posts/feed_fields_p2.json"),
    }, key="until"))
    h.server.fallback = empty_comments

    h.connector.capture_account(GraphAccount("page-4", "facebook", "4"))

    posts = h.pages(ep.FB_PAGE_POSTS, "4")
    assert len(posts) == 2
    assert posts[1]["params"] == {**FB_POSTS_PARAMS, "until": "1624385168",
                                  "__paging_token": "__paging_token"}
    state = h.cursor("facebook", "page-4", ep.FB_PAGE_POSTS, "4")
    assert state["since"] == epoch("2021-07-04T19:50:58+0000") and "pending" not in state
    assert len(h.server.calls_to("4/posts")) == 2


def test_single_comment_and_post_lookups_from_fixtures_are_stored() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    present = fixture("facebook/apidata/comments/comment_info.json")["id"]
    h.server.route(present, always(fixture_text("facebook/apidata/comments/comment_info.json")))
    h.remember_comments("facebook", NEWEST_POST, present)
    # The comments edge of a post says "does not exist", but the post itself still answers.
    single = "facebook/apidata/posts/single_post_data_fields.json"
    post = fixture(single)["id"]
    h.server.route(f"{FB_PAGE}/posts", always({"data": [
        {"id": post, "message": "still here", "created_time": "2021-07-09T08:00:00+0000"},
        *fixture(POSTS_P1)["data"]]}))
    h.server.route(f"{post}/comments", always(does_not_exist(post)))
    h.server.route(post, always(fixture_text(single)))

    result = h.connector.capture_account(FB)

    lookups = {p["object_id"]: p for p in h.pages(ep.FB_OBJECT)}
    assert set(lookups) == {present, post}
    assert all(p["params"] == {"fields": "id"} for p in lookups.values())
    assert lookups[present]["body"]["id"] == present
    assert lookups[post]["body"]["message"] == "我测试一下 MyLife"
    assert sorted(result.lookups) == sorted([present, post]) and result.gone == []
    state = h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)
    assert post in state["recent"]  # not gone: its comments are asked for again next run


# --------------------------------------------------------------------------- fixtures, Instagram


def ig_routes(h: Harness) -> None:
    h.server.route(f"{IG_USER}/media", cursor_pages({
        None: fixture_text("instagram/apidata/users/medias_p1.json"),
        "after": fixture_text("instagram/apidata/users/medias_p2.json"),
    }))
    h.server.route("17895731045244887/comments", cursor_pages({
        None: fixture_text("instagram/apidata/medias/comments_p1.json"),
        "after": fixture_text("instagram/apidata/medias/comments_p2.json"),
    }))
    comment = fixture("instagram/models/ig_comment.json")
    comment["replies"]["paging"] = {
        "cursors": {"after": "r1"},
        "next": f"https://graph.facebook.com/v25.0/{comment['id']}/replies"
                f"?access_token={TOKEN}&after=r1",
    }
    h.server.route("17896622936197745/comments", always({"data": [comment]}))
    h.server.route(f"{comment['id']}/replies",
                   always(fixture_text("instagram/apidata/comments/replies.json")))


def test_instagram_fixture_pages_media_comments_and_replies() -> None:
    h = Harness.create(IG_NOW)
    ig_routes(h)

    result = h.connector.capture_account(IG)

    media = h.pages(ep.IG_MEDIA, IG_USER)
    assert [len(p["body"]["data"]) for p in media] == [2, 2]
    assert [p["params"] for p in media] == [IG_MEDIA_PARAMS, {**IG_MEDIA_PARAMS, "after": "after"}]
    assert all(p["source"] == "instagram" and p["account_id"] == "district-ig" for p in media)
    album = media[1]["body"]["data"][0]
    assert album["caption"] == "ALBUM" and len(album["children"]["data"]) == 3

    comments = h.pages(ep.IG_COMMENTS, "17895731045244887")
    assert [len(p["body"]["data"]) for p in comments] == [2, 2]
    assert comments[0]["params"] == IG_COMMENTS_PARAMS
    nested = h.pages(ep.IG_COMMENTS, "17896622936197745")
    assert nested[0]["body"]["data"][0]["replies"]["data"][0]["id"] == "17845747489952795"
    replies = h.pages(ep.IG_REPLIES)
    assert [(p["object_id"], p["params"], len(p["body"]["data"])) for p in replies] == [
        ("17892250648466172", IG_REPLIES_PARAMS, 1)]

    state = h.cursor("instagram", "district-ig", ep.IG_MEDIA, IG_USER)
    assert state["newest"] == epoch("2021-08-13T08:25:28+0000") and "pending" not in state
    assert sorted(state["recent"]) == ["17895731045244887", "17896622936197745"]
    assert [(r["status"], r["source"]) for r in h.fetch_log()] == [("ok", "instagram")]
    assert result.comments == 4 + 1 + 1 + 1
    assert TOKEN not in h.all_raw_text()

    # ... and into core: 4 media posts (album children as media), 6 distinct comments and
    # replies (the fixtures reuse comment 17892250648466172 on both media)
    h.flush()
    con = normalized(h.con)
    counts = graph_item_count(con, "instagram")
    assert counts == {"post": 4, "comment": 4, "reply": 2}
    assert con.execute("SELECT count(*) FROM core.media WHERE item_id = ?",
                       [f"instagram:{album['id']}"]).fetchone()[0] == 3
    assert con.execute("SELECT count(*) FROM core.items WHERE kind <> 'post' "
                       "AND thread_root_id IS NULL").fetchone()[0] == 0


def test_instagram_incremental_stops_at_seen_media() -> None:
    h = Harness.create(IG_NOW)
    ig_routes(h)
    h.connector.capture_account(IG)

    # Next day: a new carousel (children as in medias/children.json) above the seen media.
    children = fixture("instagram/apidata/medias/children.json")
    new_media = {"id": "17900000000000001", "media_type": "CAROUSEL_ALBUM",
                 "caption": "New album", "timestamp": "2021-08-19T09:00:22+0000",
                 "children": children}
    old = fixture("instagram/apidata/users/medias_p1.json")
    page = {"data": [new_media, *old["data"]], "paging": old["paging"]}
    h.server.route(f"{IG_USER}/media", cursor_pages({None: page}))
    h.server.route("17900000000000001/comments", always({"data": []}))
    h.now = utc("2021-08-21T00:00:00")
    before = len(h.server.calls)
    h.new_run().capture_account(IG)

    second_run = h.server.calls[before:]
    media_calls = [c for c in second_run if c.path.endswith("/media")]
    assert len(media_calls) == 1 and "after" not in media_calls[0].query
    media = h.pages(ep.IG_MEDIA, IG_USER)
    assert len(media) == 3
    assert media[-1]["body"]["data"][0]["children"]["data"][1]["id"] == "18248754847048313"
    state = h.cursor("instagram", "district-ig", ep.IG_MEDIA, IG_USER)
    assert state["newest"] == epoch("2021-08-19T09:00:22+0000")
    assert "17900000000000001" in state["recent"]
    commented = {c.path.split("/")[2] for c in second_run if c.path.endswith("/comments")}
    assert commented == {"17900000000000001", "17895731045244887", "17896622936197745"}


# --------------------------------------------------------------------------- faults


def test_throttled_80001_waits_the_regain_time_then_succeeds() -> None:
    h = Harness.create(LATER)
    fb_posts_route(h)
    h.server.fail_next(f"{FB_PAGE}/posts", graph_error(
        80001, message="There have been too many calls to this Page account.",
        headers=buc_header(FB_PAGE, regain_minutes=1)))

    result = h.connector.capture_account(FB)

    assert h.sleeps == [60.0]
    assert len(h.pages(ep.FB_PAGE_POSTS)) == 2 and result.status == "ok"
    assert [r["status"] for r in h.fetch_log()] == ["ok"]


def test_high_usage_slows_down_before_throttling() -> None:
    h = Harness.create(LATER)
    busy = {"X-App-Usage": '{"call_count":96,"total_cputime":20,"total_time":30}'}
    h.server.route(f"{FB_PAGE}/posts", always(ok(fixture_text(POSTS_P2), busy)))

    h.connector.capture_account(FB)

    assert h.sleeps == [PROACTIVE_PAUSE_SECONDS]


def test_far_regain_raises_rate_limited_with_resumable_cursor() -> None:
    h = Harness.create(LATER)
    fb_posts_route(h, p2=graph_error(80001, message="Too many calls",
                                     headers=buc_header(FB_PAGE, regain_minutes=30)))

    with pytest.raises(RateLimited) as caught:
        h.connector.capture_account(FB)

    assert "district-fb" in str(caught.value) and caught.value.code == "80001"
    assert caught.value.reset_at == LATER + timedelta(minutes=30)
    assert h.sleeps == []
    assert len(h.pages(ep.FB_PAGE_POSTS)) == 1
    state = h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)
    assert state["pending"] == {"after": "after", "newest": epoch("2021-07-09T19:09:52+0000")}
    assert state["since"] is None
    log = h.fetch_log()
    assert [(r["status"], r["error_code"], r["endpoint"], r["pages"]) for r in log] == [
        ("rate_limited", "80001", ep.FB_PAGE_POSTS, 2)]  # the profile and posts page 1

    fb_posts_route(h)
    before = len(h.server.calls)
    result = h.new_run().capture_account(FB)
    assert h.server.calls[before + 1].path.endswith("/posts")  # after the profile
    assert h.server.calls[before + 1].query.get("after") == "after"
    assert result.complete and len(h.pages(ep.FB_PAGE_POSTS)) == 2
    state = h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)
    assert state["since"] == epoch("2021-07-09T19:09:52+0000") and "pending" not in state


def test_expired_token_mid_account_stops_keeps_pages_and_next_run_resumes() -> None:
    h = Harness.create(LATER)
    expired = graph_error(
        190, subcode=463, status=400,
        message=f"Error validating access token: Session has expired. token={TOKEN}")
    fb_posts_route(h, p2=expired)

    with pytest.raises(AuthError) as caught:
        h.connector.capture_account(FB)

    message = str(caught.value)
    assert message.startswith("account district-fb: token expired or invalid")
    assert "463" in message and "expired" in message and TOKEN not in message
    assert [len(p["body"]["data"]) for p in h.pages(ep.FB_PAGE_POSTS)] == [5]
    log = h.fetch_log()
    assert [(r["status"], r["error_code"]) for r in log] == [("auth_error", "190")]
    assert TOKEN not in (log[0]["message"] or "")
    assert h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)["pending"]["after"]

    fb_posts_route(h)
    before = len(h.server.calls)
    result = h.new_run().capture_account(FB)
    resumed = [c for c in h.server.calls[before:] if c.path.endswith("/posts")]
    assert [c.query.get("after") for c in resumed] == ["after"]
    assert result.status == "ok" and result.complete
    assert [len(p["body"]["data"]) for p in h.pages(ep.FB_PAGE_POSTS)] == [5, 5]
    assert [r["status"] for r in h.fetch_log()] == ["auth_error", "ok"]


def test_server_errors_and_transient_codes_are_retried() -> None:
    h = Harness.create(LATER)
    fb_posts_route(h)
    h.server.fail_next(
        f"{FB_PAGE}/posts",
        Reply(502, "<html><body>Bad Gateway</body></html>", content_type="text/html"),
        graph_error(2, status=500, is_transient=True, message="Service temporarily unavailable"),
        graph_error(1, status=500, message="An unknown error occurred"),
    )

    result = h.connector.capture_account(FB)

    assert h.sleeps == [1.0, 2.0, 4.0]
    assert result.status == "ok" and len(h.pages(ep.FB_PAGE_POSTS)) == 2
    assert h.quarantine() == []


def test_retries_exhausted_is_a_capture_error() -> None:
    h = Harness.create(LATER, retries=1)
    fb_posts_route(h)
    h.server.fail_next(f"{FB_PAGE}/posts", graph_error(2, status=503, is_transient=True),
                       graph_error(2, status=503, is_transient=True))

    with pytest.raises(CaptureError) as caught:
        h.connector.capture_account(FB)

    assert type(caught.value) is CaptureError and "district-fb" in str(caught.value)
    assert [(r["status"], r["error_code"]) for r in h.fetch_log()] == [("error", "2")]


def test_permission_error_10_is_permission_denied() -> None:
    h = Harness.create(LATER)
    h.server.route(f"{FB_PAGE}/posts", always(graph_error(
        10, status=403, message="(#10) Application does not have permission for this action")))

    with pytest.raises(PermissionDenied) as caught:
        h.connector.capture_account(FB)

    assert "district-fb" in str(caught.value) and "(Graph code 10)" in str(caught.value)
    assert [(r["status"], r["error_code"]) for r in h.fetch_log()] == [("permission", "10")]


def test_error_100_on_an_edge_is_bad_request() -> None:
    h = Harness.create(LATER)
    h.server.route(f"{IG_USER}/media", always(graph_error(
        100, message="(#100) Tried accessing nonexisting field (media_product_typo)")))

    with pytest.raises(BadRequest):
        h.connector.capture_account(IG)

    assert [(r["status"], r["source"]) for r in h.fetch_log()] == [("bad_request", "instagram")]


def test_malformed_pages_are_quarantined_and_other_posts_go_on() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    posts = [p["id"] for p in fixture(POSTS_P1)["data"]]
    broken, after_broken, no_content_type, javascript = posts[0], posts[1], posts[2], posts[3]
    html = f"<html><body>Sorry, something went wrong. {TOKEN}</body></html>"
    h.server.route(f"{broken}/comments", always(Reply(200, html)))  # says JSON, is not
    h.server.route(f"{after_broken}/comments",
                   always(comment_page(model_comment(f"{after_broken}_1"))))
    h.server.route(f"{no_content_type}/comments", cursor_pages({
        None: {"data": [model_comment(f"{no_content_type}_1")],
               "paging": {"cursors": {"after": "c2"}, "next": "https://graph.facebook.com/"
                          f"v25.0/{no_content_type}/comments?access_token={TOKEN}&after=c2"}},
        "c2": Reply(200, "upstream timeout", {"X-Test-No-Content-Type": "1"}),
    }))
    # Valid JSON under an old-style content type is still a page.
    h.server.route(f"{javascript}/comments", always(Reply(
        200, json.dumps(comment_page(model_comment(f"{javascript}_1"))),
        content_type="text/javascript; charset=UTF-8")))

    result = h.connector.capture_account(FB)

    assert result.status == "partial" and result.quarantined == 2
    quarantined = h.quarantine()
    assert [(q["endpoint"], q["object_id"]) for q in quarantined] == [
        (ep.FB_COMMENTS, broken), (ep.FB_COMMENTS, no_content_type)]
    assert "Sorry, something went wrong" in quarantined[0]["body_text"]
    assert quarantined[1]["body_text"] == "upstream timeout"
    assert "not JSON" in quarantined[0]["reason"]
    assert h.pages(ep.FB_COMMENTS, broken) == []
    assert len(h.pages(ep.FB_COMMENTS, after_broken)) == 1
    assert len(h.pages(ep.FB_COMMENTS, no_content_type)) == 1  # page 1 kept
    assert len(h.pages(ep.FB_COMMENTS, javascript)) == 1
    log = h.fetch_log()
    assert [(r["status"], r["endpoint"], r["error_code"]) for r in log] == [
        ("partial", ep.FB_COMMENTS, "malformed"), ("partial", ep.FB_COMMENTS, "malformed"),
        ("partial", None, None)]
    assert TOKEN not in h.all_raw_text()


def test_a_page_facebook_sdk_parses_but_that_is_not_json_is_quarantined() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    post = fixture(POSTS_P1)["data"][0]["id"]
    body = '{"data": [], "summary": {"total_count": NaN}}'  # requests' .json() accepts NaN
    h.server.route(f"{post}/comments", always(Reply(200, body)))

    result = h.connector.capture_account(FB)

    assert result.status == "partial" and result.quarantined == 1
    (q,) = h.quarantine()
    assert (q["endpoint"], q["object_id"], q["body_text"]) == (ep.FB_COMMENTS, post, body)
    assert "not valid JSON" in q["reason"] and "NaN is not a JSON value" in q["reason"]
    assert h.pages(ep.FB_COMMENTS, post) == []


def test_malformed_posts_page_keeps_cursor_and_remembered_posts_comments_load() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    h.connector.capture_account(FB)
    state = h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)

    h.server.route(f"{FB_PAGE}/posts", always(Reply(200, "<!DOCTYPE html><p>maintenance")))
    before = len(h.server.calls)
    result = h.new_run().capture_account(FB)

    assert result.status == "partial"
    assert [q["endpoint"] for q in h.quarantine()] == [ep.FB_PAGE_POSTS]
    assert h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)["since"] == \
        state["since"]
    posts_call = next(c for c in h.server.calls[before:] if c.path.endswith("/posts"))
    assert posts_call.query["since"] == str(state["since"])
    commented = [c for c in h.server.calls[before:] if c.path.endswith("/comments")]
    assert len(commented) == 7


def test_fake_token_never_in_messages_log_or_pages() -> None:
    h = Harness.create(IG_NOW)
    ig_routes(h)
    h.server.route("17895731045244887/comments", always(Reply(
        200, f"oops https://graph.facebook.com/x?access_token={TOKEN}")))
    h.connector.capture_account(IG)
    h.server.route(f"{IG_USER}/media", always(graph_error(
        190, subcode=467, message=f"Invalid OAuth access token {TOKEN} (access_token={TOKEN})")))

    with pytest.raises(AuthError) as caught:
        h.new_run().capture_account(IG)

    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.safe_message
    assert all(c.query["access_token"] == TOKEN for c in h.server.calls)  # it was really sent
    text = h.all_raw_text()
    assert TOKEN not in text and "[REDACTED]" in text
    for page in h.pages():
        assert "access_token" not in page["params"]


# --------------------------------------------------------------------------- incremental


def test_second_capture_sends_since_and_stores_only_new_posts() -> None:
    h = Harness.create(utc("2021-07-04T00:00:00"))
    posts = [synthetic_post("1_1", "2021-07-01T10:00:00+0000"),
             synthetic_post("1_2", "2021-07-02T10:00:00+0000"),
             synthetic_post("1_3", "2021-07-03T10:00:00+0000")]

    def listing(call):
        since = int(call.query.get("since", "0"))
        shown = [p for p in posts if epoch(p["created_time"]) >= since]  # since is inclusive
        return ok({"data": sorted(shown, key=lambda p: p["created_time"], reverse=True)})

    h.server.route("1/posts", listing)
    h.server.fallback = empty_comments
    page = GraphAccount("page-1", "facebook", "1")
    h.connector.capture_account(page)
    assert "since" not in h.server.calls_to("1/posts")[0].query

    posts += [synthetic_post("1_4", "2021-07-04T10:00:00+0000"),
              synthetic_post("1_5", "2021-07-05T09:00:00+0000")]
    h.now = utc("2021-07-06T00:00:00")
    h.new_run().capture_account(page)

    second = h.server.calls_to("1/posts")[-1]
    assert second.query["since"] == str(epoch("2021-07-03T10:00:00+0000"))
    stored = h.pages(ep.FB_PAGE_POSTS, "1")
    assert len(stored) == 2
    # Only the new posts, and the boundary post Graph returns again for an inclusive since.
    assert [p["id"] for p in stored[1]["body"]["data"]] == ["1_5", "1_4", "1_3"]
    assert stored[1]["params"]["since"] == str(epoch("2021-07-03T10:00:00+0000"))
    state = h.cursor("facebook", "page-1", ep.FB_PAGE_POSTS, "1")
    assert state["since"] == epoch("2021-07-05T09:00:00+0000")
    assert sorted(state["recent"]) == ["1_1", "1_2", "1_3", "1_4", "1_5"]


def test_hidden_comment_refetched_shows_is_hidden_in_a_new_page() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    visible = model_comment(f"{NEWEST_POST}_901", is_hidden=False)
    other = model_comment(f"{NEWEST_POST}_902", message="Thanks!")
    h.server.route(f"{NEWEST_POST}/comments", always(comment_page(visible, other)))
    h.connector.capture_account(FB)

    hidden = copy.deepcopy(visible)
    hidden["is_hidden"] = True
    h.server.route(f"{NEWEST_POST}/comments", always(comment_page(hidden, other)))
    h.now = FB_NOW + timedelta(hours=6)
    h.new_run().capture_account(FB)

    pages = h.pages(ep.FB_COMMENTS, NEWEST_POST)
    assert [p["run_id"] for p in pages] == ["test-run-1", "test-run-2"]
    assert [p["body"]["data"][0]["is_hidden"] for p in pages] == [False, True]
    assert len(h.server.calls_to(f"{NEWEST_POST}/comments")) == 2


def test_deleted_comment_gets_a_lookup_page_with_error_100() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    kept = f"{NEWEST_POST}_901"
    gone = f"{NEWEST_POST}_903"
    h.server.route(f"{NEWEST_POST}/comments", always(comment_page(model_comment(kept))))
    h.server.route(gone, always(does_not_exist(gone)))
    # A comment captured without an id (permalink id) and one with no id at all.
    h.server.route(f"{SECOND_POST}/comments",
                   always(fixture_text(COMMENTS_P2)))
    h.remember_comments("facebook", NEWEST_POST, kept, gone, "anon-0123456789abcdef")
    h.remember_comments("facebook", SECOND_POST, "10158413660043553")

    result = h.connector.capture_account(FB)

    lookups = h.pages(ep.FB_OBJECT)
    assert [(p["object_id"], p["params"]) for p in lookups] == [(gone, {"fields": "id"})]
    error = lookups[0]["body"]["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert result.gone == [gone] and result.status == "ok"
    assert [r["status"] for r in h.fetch_log()] == ["ok"]


def test_deleted_instagram_comment_lookup_and_present_one() -> None:
    h = Harness.create(IG_NOW)
    ig_routes(h)
    present = fixture("instagram/apidata/comments/comment_fields.json")["id"]
    h.server.route(present, always(fixture_text("instagram/apidata/comments/comment_fields.json")))
    h.server.route("17800000000000099", always(does_not_exist("17800000000000099")))
    h.server.fallback = empty_comments  # the older media's comments (the backfill)
    # The reply 17847314687296283 comes from /replies: seen, not looked up.
    only_p1 = fixture("instagram/apidata/medias/comments_p1.json")
    del only_p1["paging"]  # the listing now ends after page 1: present is missing from it
    h.server.route("17895731045244887/comments", always(only_p1))
    h.remember_comments("instagram", "17895731045244887", "17858154961981086",
                        present, "17800000000000099")
    h.remember_comments("instagram", "17896622936197745", "17847314687296283")

    result = h.connector.capture_account(IG)

    lookups = {p["object_id"]: p["body"] for p in h.pages(ep.IG_OBJECT)}
    assert set(lookups) == {present, "17800000000000099"}
    assert lookups[present]["id"] == present
    assert lookups["17800000000000099"]["error"]["code"] == 100
    assert result.gone == ["17800000000000099"]


def test_deleted_post_is_looked_up_and_forgotten() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    h.server.route(f"{SECOND_POST}/comments", always(does_not_exist(SECOND_POST)))
    h.server.route(SECOND_POST, always(does_not_exist(SECOND_POST)))

    result = h.connector.capture_account(FB)

    assert [p["object_id"] for p in h.pages(ep.FB_OBJECT)] == [SECOND_POST]
    assert result.gone == [SECOND_POST] and result.status == "ok"
    state = h.cursor("facebook", "district-fb", ep.FB_PAGE_POSTS, FB_PAGE)
    assert SECOND_POST not in state["recent"] and NEWEST_POST in state["recent"]


def test_every_endpoint_fixture_named_in_the_readme_exists() -> None:
    for relative in (POSTS_P1, POSTS_P2, COMMENTS_P1, COMMENTS_P2,
                     "facebook/apidata/posts/feed_fields_p1.json",
                     "facebook/apidata/posts/feed_fields_p2.json",
                     "instagram/apidata/users/medias_p1.json",
                     "instagram/apidata/users/medias_p2.json",
                     "instagram/apidata/medias/comments_p1.json",
                     "instagram/apidata/medias/comments_p2.json",
                     "instagram/apidata/medias/children.json",
                     "instagram/apidata/comments/replies.json"):
        assert (PYFB / relative).is_file(), relative


def test_backfilled_comments_are_fetched_once_window_comments_every_run() -> None:
    h = Harness.create(FB_NOW)
    fb_posts_route(h)
    h.server.fallback = empty_comments
    h.connector.capture_account(FB)
    posts = [p["id"] for page in h.pages(ep.FB_PAGE_POSTS) for p in page["body"]["data"]]
    in_window = {p["id"] for page in h.pages(ep.FB_PAGE_POSTS) for p in page["body"]["data"]
                 if epoch(p["created_time"]) >= (FB_NOW - timedelta(days=14)).timestamp()}
    first = {c.path.split("/")[-2] for c in h.server.calls if c.path.endswith("/comments")}
    assert first == set(posts)

    before = len(h.server.calls)
    h.new_run().capture_account(FB)
    again = {c.path.split("/")[-2] for c in h.server.calls[before:]
             if c.path.endswith("/comments")}
    assert again == in_window
