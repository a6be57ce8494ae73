"""Every recorded API response in ``../shared/fixtures/`` is used, or its absence is explained.

``test_every_fixture_file_is_exercised_or_excluded_with_a_reason`` walks the whole fixture tree:
each file must match an entry of ``EXERCISED`` (naming the tests that feed it through the real
client or an importer into ``core``; the named tests must exist and their module must name the
file or its folder) or of ``EXCLUDED`` (a one-line reason), and every entry must match a file.
A fixture added, or a test dropped, fails here instead of silently losing coverage.

``test_graph_file_through_the_importer_lands_in_core`` is the proof for the Graph files the
connectors' endpoints or the Graph importer handle: posts, comments and media pages, single
objects and ``?ids=`` multi-object lookups. Counts, ids, kinds, authors and media are computed
from the file itself and compared with ``core``.
"""

from __future__ import annotations

import importlib
import inspect
import json
from fnmatch import fnmatch
from typing import Any

import pytest

from connectors.importers import import_graph_json
from tests.fixtures import FIXTURES, PYFACEBOOK
from warehouse import db
from warehouse.normalize import normalize
from warehouse.raw_store import RawWriter

# --------------------------------------------------------------------------------- Graph files

GRAPH_IMPORTS = [
    # page posts and group feeds (/{page}/posts, /{group}/feed), comments with filter=stream
    "facebook/apidata/posts/feeds_default_fields_p1.json",
    "facebook/apidata/posts/feeds_default_fields_p2.json",
    "facebook/apidata/posts/feed_fields_p1.json",
    "facebook/apidata/posts/feed_fields_p2.json",
    "facebook/apidata/groups/feed_p1.json",
    "facebook/apidata/groups/feed_p2.json",
    "facebook/apidata/comments/comments_p1.json",
    "facebook/apidata/comments/comments_p2.json",
    # single objects and ?ids= lookups of posts and comments
    "facebook/apidata/posts/single_post_data.json",
    "facebook/apidata/posts/single_post_data_fields.json",
    "facebook/apidata/posts/multi_posts_data.json",
    "facebook/apidata/posts/multi_posts_data_fields.json",
    "facebook/apidata/comments/comment_info.json",
    "facebook/apidata/comments/comments_info.json",
    "facebook/apidata/comments/create_resp.json",
    "facebook/models/post.json",
    "facebook/models/comment.json",
    # Instagram media (/{ig-user}/media, stories, live), children, comments and replies
    "instagram/apidata/users/medias_p1.json",
    "instagram/apidata/users/medias_p2.json",
    "instagram/apidata/users/stories.json",
    "instagram/apidata/users/live_medias.json",
    "instagram/apidata/stories/stories_default.json",
    "instagram/apidata/medias/children.json",
    "instagram/apidata/medias/comments_p1.json",
    "instagram/apidata/medias/comments_p2.json",
    "instagram/apidata/comments/replies.json",
    # single objects and ?ids= lookups of media and comments
    "instagram/apidata/medias/media_default.json",
    "instagram/apidata/medias/medias_fields.json",
    "instagram/apidata/stories/story_info.json",
    "instagram/apidata/stories/stories_info.json",
    "instagram/apidata/comments/comment_fields.json",
    "instagram/apidata/comments/comments_fields.json",
    "instagram/models/ig_media.json",
    "instagram/models/ig_story.json",
    "instagram/models/ig_comment.json",
    "instagram/models/ig_reply.json",
]


def _objects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(doc.get("data"), list):
        return doc["data"]
    if "id" in doc:
        return [doc]
    return list(doc.values())  # ?ids= lookup: objects keyed by their id


def _fb_media(post: dict[str, Any]) -> int:
    count = 0
    for attachment in (post.get("attachments") or {}).get("data", []):
        subs = (attachment.get("subattachments") or {}).get("data", [])
        for medium in subs or [attachment]:
            media = medium.get("media") or {}
            count += bool((media.get("image") or {}).get("src") or media.get("source"))
    return count


def _ig_media(item: dict[str, Any]) -> int:
    children = (item.get("children") or {}).get("data", [])
    # a medium with a type and no address (copyrighted, or a live broadcast) is kept too
    return sum(bool(c.get("media_url") or c.get("thumbnail_url") or c.get("media_type"))
               for c in children or [item])


def expected_core(rel: str, doc: dict[str, Any]) -> dict[str, Any]:
    """What ``core`` must hold for a Graph file, read from the file itself."""
    platform = rel.split("/")[0]
    objects = _objects(doc)
    ids, kinds, authors, media = [], {}, {}, 0
    for obj in objects:
        if platform == "facebook":
            link = obj.get("permalink_url") or ""
            is_comment = "comment_id=" in link or "parent" in obj or "id" not in obj \
                or "comment_count" in obj or "can_remove" in obj
            if is_comment:
                kind = "reply" if "parent" in obj or "reply_comment_id=" in link else "comment"
            else:
                kind = "post"
                media += _fb_media(obj)
            author = (obj.get("from") or {}).get("id")
        else:
            is_comment = "text" in obj
            kind = ("reply" if obj.get("parent_id") else "comment") if is_comment else "post"
            if not is_comment:
                media += _ig_media(obj)
            author = ((obj.get("owner") or {}).get("id") or (obj.get("from") or {}).get("id")
                      or (obj.get("user") or {}).get("id"))
            for reply in (obj.get("replies") or {}).get("data", []):
                ids.append(reply["id"])
                kinds[reply["id"]] = "reply"
        if "id" in obj:
            ids.append(obj["id"])
            kinds[obj["id"]] = kind
            if author:
                authors[obj["id"]] = f"{platform}:{author}"
    return {"platform": platform, "count": len(objects) + sum(
        len((o.get("replies") or {}).get("data", [])) for o in objects if platform == "instagram"),
        "ids": set(ids), "kinds": kinds, "authors": authors, "media": media}


@pytest.mark.parametrize("rel", GRAPH_IMPORTS)
def test_graph_file_through_the_importer_lands_in_core(rel: str) -> None:
    path = PYFACEBOOK / rel
    doc = json.loads(path.read_text(encoding="utf-8"))
    want = expected_core(rel, doc)
    con = db.memory()
    with RawWriter(con, "import") as writer:
        result = import_graph_json(path, writer, account_id=f"{want['platform']}:district")
    assert result.errors == [] and result.pages_stored == 1
    outcome = normalize(con)
    assert outcome.quarantined == 0
    rows = con.execute("SELECT native_id, platform, kind, author_id, account_id "
                       "FROM core.items").fetchall()
    assert len(rows) == want["count"] > 0
    assert {r[1] for r in rows} == {want["platform"]}
    assert {r[4] for r in rows} == {f"{want['platform']}:district"}
    got = {r[0]: r for r in rows}
    assert want["ids"] <= set(got)
    assert {i: got[i][2] for i in want["kinds"]} == want["kinds"]
    assert {i: got[i][3] for i in want["authors"]} == want["authors"]
    if want["platform"] == "facebook":
        assert all(r[3] for r in rows if r[2] == "post"), "a Facebook post always has its Page"
    assert con.execute("SELECT count(*) FROM core.media").fetchone()[0] == want["media"]
    # every comment or reply of a lookup that names its post or media is in that thread
    for native, thread in con.execute("SELECT native_id, thread_root_id FROM core.items "
                                      "WHERE kind <> 'post'").fetchall():
        obj = next((o for o in _objects(doc) if o.get("id") == native), {})
        link = obj.get("permalink_url") or ""
        if "/posts/" in link:
            page, post = link.split("facebook.com/")[1].split("/posts/")
            assert thread == f"facebook:{page}_{post.split('/')[0].split('?')[0]}"
        if (obj.get("media") or {}).get("id"):
            assert thread == f"instagram:{obj['media']['id']}"


# ------------------------------------------------------------------------------ the inventory

X_CONNECTOR = "tests/test_x_connector.py"
GRAPH_CONNECTOR = "tests/test_graph_connector.py"
IMPORTERS = "tests/test_importers.py"
HERE = "tests/test_fixture_coverage.py"
PROFILES = "tests/test_account_profiles.py"

# fixture (path or glob under ../shared/fixtures) -> the tests that take it into core
EXERCISED: dict[str, tuple[str, ...]] = {
    **{f"graph-api/python-facebook/{rel}": (f"{HERE}::test_graph_file_through_the_importer_"
                                            "lands_in_core",)
       for rel in GRAPH_IMPORTS},
    "x-api-v2/twarc-csv/*.jsonl": (
        f"{X_CONNECTOR}::test_twarc_fixture_page_goes_through_tweepy_into_raw_pages",
        f"{IMPORTERS}::test_every_twarc_fixture_line_is_one_page",
        "tests/test_normalize.py::test_twarc_pages_land_with_counts_authors_media"),
    "x-api-v2/tweepy-cassettes/test_client_get_users_tweets.yaml": (
        f"{X_CONNECTOR}::test_tweepy_cassettes_with_their_headers_and_paging",),
    "x-api-v2/tweepy-cassettes/test_client_search_recent_tweets.yaml": (
        f"{X_CONNECTOR}::test_tweepy_cassettes_with_their_headers_and_paging",),
    "x-api-v2/tweepy-cassettes/test_client_search_all_tweets.yaml": (
        f"{X_CONNECTOR}::test_tweepy_cassettes_with_their_headers_and_paging",),
    "x-api-v2/tweepy-cassettes/test_client_get_tweets.yaml": (
        f"{X_CONNECTOR}::test_tweepy_cassettes_with_their_headers_and_paging",),
    "x-api-v2/tweepy-cassettes/test_client_get_users_mentions.yaml": (
        f"{X_CONNECTOR}::test_mentions_and_single_tweet_cassettes_through_tweepy_and_the_"
        "twarc_importer",),
    "x-api-v2/tweepy-cassettes/test_client_get_tweet.yaml": (
        f"{X_CONNECTOR}::test_mentions_and_single_tweet_cassettes_through_tweepy_and_the_"
        "twarc_importer",),
    # through facebook-sdk and the Graph connector, and through the Graph importer
    "graph-api/python-facebook/facebook/apidata/posts/feeds_default_fields_p*.json": (
        f"{GRAPH_CONNECTOR}::test_facebook_fixture_pages_land_with_endpoint_object_and_counts",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/facebook/apidata/posts/feed_fields_p*.json": (
        f"{GRAPH_CONNECTOR}::test_facebook_time_based_paging_follows_until_and_paging_token",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/facebook/apidata/comments/comments_p*.json": (
        f"{GRAPH_CONNECTOR}::test_facebook_fixture_pages_land_with_endpoint_object_and_counts",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/facebook/models/photo.json": (
        f"{GRAPH_CONNECTOR}::test_facebook_fixture_pages_land_with_endpoint_object_and_counts",),
    "graph-api/python-facebook/facebook/models/comment.json": (
        f"{GRAPH_CONNECTOR}::test_facebook_fixture_pages_land_with_endpoint_object_and_counts",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/facebook/apidata/comments/comment_info.json": (
        f"{GRAPH_CONNECTOR}::test_single_comment_and_post_lookups_from_fixtures_are_stored",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/facebook/apidata/posts/single_post_data_fields.json": (
        f"{GRAPH_CONNECTOR}::test_single_comment_and_post_lookups_from_fixtures_are_stored",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/instagram/apidata/users/medias_p*.json": (
        f"{GRAPH_CONNECTOR}::test_instagram_fixture_pages_media_comments_and_replies",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/instagram/apidata/medias/comments_p*.json": (
        f"{GRAPH_CONNECTOR}::test_instagram_fixture_pages_media_comments_and_replies",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/instagram/apidata/comments/replies.json": (
        f"{GRAPH_CONNECTOR}::test_instagram_fixture_pages_media_comments_and_replies",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/instagram/models/ig_comment.json": (
        f"{GRAPH_CONNECTOR}::test_instagram_fixture_pages_media_comments_and_replies",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    "graph-api/python-facebook/instagram/apidata/medias/children.json": (
        f"{GRAPH_CONNECTOR}::test_instagram_incremental_stops_at_seen_media",
        f"{HERE}::test_graph_file_through_the_importer_lands_in_core"),
    # account profiles (about, website, biography...) through facebook-sdk into core
    **{f"graph-api/python-facebook/{rel}": (
        f"{PROFILES}::test_page_and_instagram_profile_fixtures_through_facebook_sdk",)
       for rel in ("facebook/apidata/pages/single_default_page.json", "facebook/models/page.json",
                   "instagram/apidata/users/user_fields.json", "instagram/models/ig_user.json")},
}

FB = "graph-api/python-facebook/facebook"
IG = "graph-api/python-facebook/instagram"
NOT_CALLED = "endpoint not called and not importable"
EXCLUDED: dict[str, str] = {
    "README.md": "the folder's description, not an API page",
    "*/LICENSE": "licence of the recorded responses, not an API page",
    "*/SOURCE": "provenance of the recorded responses, not an API page",
    "x-api-v2/tweepy-cassettes/test_client_get_user.yaml": "user lookup by username "
        "(/2/users/by/username): the profile is looked up by id, /2/users/:id",
    "x-api-v2/tweepy-cassettes/test_client_get_users.yaml": "user lookup by usernames "
        "(/2/users/by?usernames=), default fields only: no bio or links",
    "x-api-v2/tweepy-cassettes/test_client_get_quote_tweets.yaml":
        f"quote tweets (/2/tweets/:id/quote_tweets): {NOT_CALLED} (twarc importer quarantines it)",
    "x-api-v2/tweepy-cassettes/test_client_hide_and_unhide_reply.yaml":
        "hiding a reply (PUT): a write the read-only pipeline never makes",
    f"{FB}/apidata/albums/*": f"photo albums (/albums, album objects): {NOT_CALLED}",
    f"{FB}/apidata/applications/*": f"app info and test accounts: {NOT_CALLED}",
    f"{FB}/apidata/business/*": f"Business Manager objects: {NOT_CALLED}",
    f"{FB}/apidata/conversations/*": "Messenger conversations: private messages are out of scope",
    f"{FB}/apidata/messages/*": "Messenger messages: private messages are out of scope",
    f"{FB}/apidata/events/*": f"events: {NOT_CALLED}",
    f"{FB}/apidata/groups/group*.json": f"group objects (not their feed): {NOT_CALLED}",
    f"{FB}/apidata/likes/*": f"likes of an object: {NOT_CALLED}",
    f"{FB}/apidata/live_videos/*": f"live video objects and lists: {NOT_CALLED}",
    f"{FB}/apidata/pages/multi_*.json": "?ids= lookups of several Pages: the connector asks "
                                        "each Page for its own profile",
    f"{FB}/apidata/pages/search_pages.json": f"Page search: {NOT_CALLED}",
    f"{FB}/apidata/pages/single_fields_page.json": "a Page asked for other fields (fan_count) "
                                                   "than the profile's",
    f"{FB}/apidata/photos/*": "photo lists and photo objects without alt text: the connector "
                              "asks each Photo node for its alt text only (models/photo.json)",
    f"{FB}/apidata/pictures/*": f"profile pictures: {NOT_CALLED}",
    f"{FB}/apidata/users/*": f"user objects, their Pages and businesses: {NOT_CALLED}",
    f"{FB}/apidata/videos/*": f"video objects and lists (videos reach us as attachments): "
                              f"{NOT_CALLED}",
    f"{FB}/models/album.json": f"album model: {NOT_CALLED}",
    f"{FB}/models/business.json": f"business model: {NOT_CALLED}",
    f"{FB}/models/conversation.json": "Messenger model: private messages are out of scope",
    f"{FB}/models/message.json": "Messenger model: private messages are out of scope",
    f"{FB}/models/event.json": f"event model: {NOT_CALLED}",
    f"{FB}/models/group.json": f"group model: {NOT_CALLED}",
    f"{FB}/models/live_video.json": f"live video model: {NOT_CALLED}",
    f"{FB}/models/user.json": f"user model: {NOT_CALLED}",
    f"{FB}/models/video.json": f"video model: {NOT_CALLED}",
    f"{IG}/apidata/discovery/*": "business discovery of other accounts: not the district's media",
    f"{IG}/apidata/hashtags/*": "hashtag search (others' public media): endpoint not called; "
                                "NB the importer takes a page without its paging URL as media",
    f"{IG}/apidata/users/tagged_medias.json": "others' media tagging the account: endpoint not "
                                              "called; NB the importer takes it as media",
    f"{IG}/apidata/users/mentioned_*.json": f"mentions of the account by others: {NOT_CALLED}",
    f"{IG}/apidata/users/user_insights*.json": f"account insights (metrics only): {NOT_CALLED}",
    f"{IG}/apidata/users/*catalog*.json": f"shopping catalogs: {NOT_CALLED}",
    f"{IG}/apidata/users/product_appeal.json": f"shopping: {NOT_CALLED}",
    f"{IG}/apidata/users/content_publish_limit.json": f"publishing quota: {NOT_CALLED}",
    f"{IG}/apidata/users/hashtag_search.json": f"hashtag id search: {NOT_CALLED}",
    f"{IG}/apidata/users/recently_searched_hashtags.json": f"hashtag searches: {NOT_CALLED}",
    f"{IG}/apidata/medias/insights*.json": f"media insights (metrics only): {NOT_CALLED}",
    f"{IG}/apidata/medias/product_tags.json": f"shopping tags: {NOT_CALLED}",
    f"{IG}/apidata/publish/*": "content publishing (writes): never made by the pipeline",
    f"{IG}/apidata/stories/stories_fields_p*.json": "/stories pages: endpoint not called and "
                                                    "the importer refuses the /stories edge",
    f"{IG}/models/ig_container.json": "publishing container: a write the pipeline never makes",
    f"{IG}/models/ig_hashtag.json": f"hashtag model: {NOT_CALLED}",
    f"{IG}/models/ig_insight.json": f"insight model (metrics only): {NOT_CALLED}",
    f"{IG}/models/ig_publish_limit.json": "publishing quota model: never used",
}


def _fixture_files() -> list[str]:
    return sorted(p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.is_file())


def test_every_fixture_file_is_exercised_or_excluded_with_a_reason() -> None:
    files = _fixture_files()
    assert len(files) > 150, "the shared fixtures are missing"
    unaccounted, both = [], []
    for name in files:
        exercised = any(fnmatch(name, pattern) for pattern in EXERCISED)
        excluded = any(fnmatch(name, pattern) for pattern in EXCLUDED)
        if not (exercised or excluded):
            unaccounted.append(name)
        if exercised and excluded:
            both.append(name)
    assert unaccounted == [], "fixtures neither exercised nor excluded with a reason"
    assert both == [], "fixtures both exercised and excluded"
    stale = [p for p in (*EXERCISED, *EXCLUDED) if not any(fnmatch(f, p) for f in files)]
    assert stale == [], "entries that match no fixture file"
    assert all(len(reason) > 15 and "\n" not in reason for reason in EXCLUDED.values())


@pytest.mark.parametrize("pattern", sorted(EXERCISED))
def test_the_named_tests_exist_and_read_the_fixture(pattern: str) -> None:
    for node in EXERCISED[pattern]:
        path, _, name = node.partition("::")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert inspect.isfunction(getattr(module, name, None)), f"{node} does not exist"
        source = inspect.getsource(module).lower()
        stem = pattern.rsplit("/", 1)[-1].split("*")[0].split(".")[0].lower()
        folder = pattern.rsplit("/", 2)[-2].split("-")[0].lower()  # twarc, tweepy, posts, ...
        assert (len(stem) > 3 and stem in source) or folder in source, (
            f"{path} names neither {pattern} nor its folder")
