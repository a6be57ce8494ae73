"""The simulated district: generator, ground truth, photos, and the APIs served to the real
clients (tweepy.Client and facebook.GraphAPI with the transport adapters mounted)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import timedelta
from pathlib import Path

import facebook
import numpy as np
import pytest
import requests
import tweepy
from PIL import Image

from connectors.simulated import (
    RULES,
    Fault,
    SimulatedPlatforms,
    World,
    generate_world,
    load_world_for,
    platforms_for,
    write_workspace,
)
from connectors.simulated.workspace import HEADERS
from connectors.simulated.world import TZ

ROOT = Path(__file__).resolve().parents[1]

TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "attachments", "public_metrics",
                "in_reply_to_user_id", "referenced_tweets", "entities", "edit_history_tweet_ids"]


@pytest.fixture(scope="module")
def world_module() -> World:
    return generate_world(seed=11, scale=1.0)


@pytest.fixture()
def world(world_module: World) -> World:
    world_module.set_now(world_module.end)
    yield world_module
    world_module.set_now(world_module.end)


@pytest.fixture(scope="module")
def photo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("photos")


@pytest.fixture()
def sim(world: World, photo_dir: Path) -> SimulatedPlatforms:
    return SimulatedPlatforms(world, photo_dir=photo_dir)


def _account(world: World, platform: str, level: str = "district"):
    return next(a for a in world.accounts if a.platform == platform and a.level == level)


def _visible_current_ids(world: World, items) -> set[str]:
    out = set()
    for it in items:
        if world.visible(it):
            out.add(it.edit_id if it.edit_id and world.edited(it) else it.id)
    return out


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------


def test_same_seed_same_world_and_different_seed_differs() -> None:
    a, b, c = generate_world(5), generate_world(5), generate_world(6)
    assert a.digest() == b.digest()
    assert a.digest() != c.digest()
    assert [i.text for i in a.items[:50]] == [i.text for i in b.items[:50]]


def test_world_does_not_depend_on_hash_randomization() -> None:
    code = "from connectors.simulated import generate_world; print(generate_world(5).digest())"
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == generate_world(5).digest()


def test_item_counts_scale_linearly() -> None:
    one = generate_world(3, 1.0).counts()
    three = generate_world(3, 3.0).counts()
    assert 850 <= one["items"] <= 1200
    assert 2.7 <= three["items"] / one["items"] <= 3.3, (one, three)
    for kind in ("post", "comment", "reply"):  # replies vary more (threads are small)
        assert 2.2 <= three[kind] / one[kind] <= 3.8, (kind, one, three)


def test_every_rule_has_planted_violations(world: World) -> None:
    by_rule = Counter(r["rule"] for r in world.ground_truth)
    assert set(RULES) <= set(by_rule), by_rule
    grounds = {r["detail"]["ground"] for r in world.ground_truth
               if r["rule"] == "removable_comment"}
    assert grounds == {"obscene_profane", "threat_violence", "harassment_abuse",
                       "spam_advertising", "illegal_activity", "off_topic"}
    problems = {r["detail"]["problem"] for r in world.ground_truth
                if r["rule"] == "account_governance"}
    assert {"no_designee_admin", "unregistered_official", "no_rules_of_engagement_link"} <= problems
    reasons = {r["detail"]["reason"] for r in world.ground_truth
               if r["rule"] == "unapproved_controversial_reply"}
    assert reasons == {"no_approval", "approved_after_reply"}
    consent = {r["detail"]["problem"] for r in world.ground_truth
               if r["rule"] == "student_media_without_consent"}
    assert {"missing", "single_student"} <= consent and len(consent) >= 4
    actions = {r["detail"]["action"] for r in world.ground_truth
               if r["rule"] == "undocumented_removal"}
    assert actions == {"hidden", "deleted"}


def test_labels_cover_every_item_with_hard_cases(world: World) -> None:
    rows = world.label_rows()
    items = [r for r in rows if r["kind"] in ("post", "comment", "reply")]
    assert len(items) == len(world.items)
    public = [r for r in items if r["author_role"] == "public"]
    assert all("comment_ground" in r["labels"] for r in public)
    protected = [r for r in public if r["labels"].get("protected")]
    assert len(protected) >= 30  # critical but on-topic: must never be flagged
    assert any(r["labels"].get("hard_case") == "violent_idiom" for r in public)
    teacher_posts = [r for r in items if r["kind"] == "post" and r["author_role"] == "teacher"]
    assert {r["labels"]["topic"] for r in teacher_posts} == {"school", "non_school"}
    assert any(r["labels"].get("hard_case") == "personal_tone" for r in teacher_posts)
    media = [r for r in rows if r["kind"] == "media"]
    assert media and all(isinstance(r["labels"]["faces"], int) for r in media)
    assert {r["labels"]["people"] for r in media} == {True, False}
    assert len({r["text"] for r in public}) > 0.6 * len(public)  # lots of variety


def test_ground_truth_agrees_with_the_registry(world: World) -> None:
    items = world.index["item"]
    consents = {c.consent_id: c for c in world.consents}
    linked: dict[str, list[str]] = {}
    for m in world.media_consents:
        linked.setdefault(m.post_id, []).append(m.consent_id)
    registered = {(a.platform, a.platform_id) for a in world.accounts if a.registered}
    for row in world.ground_truth:
        if row["item_native_id"] is not None:
            assert row["item_native_id"] in items
            assert (row["platform"], row["account_id"]) in registered
    # consent problems are real problems on the post date; "ok" posts are really fine
    for it in world.items:
        status = it.labels.get("consent_status")
        if not it.labels.get("people") or status in (None, "not_needed", "adult_guest"):
            continue
        ids = it.labels["consent_ids"]
        day = it.created.astimezone(TZ).date()
        for cid in linked.get(it.id, []):
            assert cid in ids
        for cid in ids:
            assert cid in it.text or cid in linked.get(it.id, []) or any(
                m.alt_text and cid in m.alt_text for m in it.media)
        if status == "ok":
            assert ids and all(cid in consents and consents[cid].valid_on(day) for cid in ids)
        elif status == "unknown":
            assert any(cid not in consents for cid in ids)
        elif status in ("revoked", "expired", "scope"):
            assert any(cid in consents and consents[cid].status == status
                       and not consents[cid].valid_on(day) for cid in ids)
        elif status == "missing":
            assert not ids
    # unapproved replies: no approval for the thread, or one dated after the reply
    approvals = {(a.platform, a.target_id): a for a in world.approvals}
    for row in world.ground_truth:
        if row["rule"] != "unapproved_controversial_reply":
            continue
        reply = items[row["item_native_id"]]
        assert reply.labels["thread_controversial"] and reply.author_id == reply.account_id
        approval = approvals.get((reply.platform, reply.root_id))
        assert approval is None or approval.approved_at > reply.created


def test_photos_are_jpegs_whose_people_label_matches(sim: SimulatedPlatforms) -> None:
    from skimage import data
    from skimage.color import rgb2gray
    from skimage.feature import Cascade

    pool = sim.photos
    assert 40 <= len(pool.specs) <= 80
    cascade = Cascade(data.lbp_frontal_face_cascade_filename())

    def faces(name: str) -> int:
        img = np.asarray(Image.open(io.BytesIO(pool.bytes(name))).convert("RGB"))
        found = cascade.detect_multi_scale(img=rgb2gray(img), scale_factor=1.2, step_ratio=1,
                                           min_size=(60, 60), max_size=(300, 300))
        return len(found)

    for spec in pool.specs:
        img = Image.open(io.BytesIO(pool.bytes(spec.name)))
        assert img.format == "JPEG" and img.size == (spec.width, spec.height)
    people = [s for s in pool.specs if s.kind in ("group", "pair", "single_student")]
    for spec in people[::5]:  # the detector may miss a face or two in a crowd
        assert spec.faces - 2 <= faces(spec.name) <= spec.faces + 1, spec
    # no people: the LBP cascade sometimes "sees" a face in a cat or a clock (hard negatives
    # for the checks), but far less often than in the photos with people
    plain = [s for s in pool.specs if s.source in ("coffee", "chelsea", "rocket", "horse",
                                                   "hubble_deep_field", "logo")]
    assert sum(faces(s.name) > 0 for s in plain) <= 2
    assert pool.cache_dir is not None and any(pool.cache_dir.glob("*.jpg"))


# --------------------------------------------------------------------------------------------
# X through tweepy
# --------------------------------------------------------------------------------------------


def test_x_timeline_pages_through_all_visible_tweets_with_media(
        world: World, sim: SimulatedPlatforms) -> None:
    client = sim.x_client()
    acc = max((a for a in world.accounts if a.platform == "x"),
              key=lambda a: len(world.index["x_authored"].get(a.platform_id, ())))
    seen: set[str] = set()
    pages = 0
    with_media = 0
    for page in tweepy.Paginator(client.get_users_tweets, acc.platform_id, max_results=5,
                                 tweet_fields=TWEET_FIELDS,
                                 expansions=["attachments.media_keys", "author_id"],
                                 media_fields=["url", "preview_image_url", "alt_text", "type"]):
        pages += 1
        media = {m.media_key: m for m in page.includes.get("media", [])}
        for tweet in page.data or []:
            assert tweet.id not in seen
            seen.add(str(tweet.id))
            assert tweet.edit_history_tweet_ids[-1] == tweet.id
            for key in (tweet.attachments or {}).get("media_keys", []):
                with_media += 1
                m = media[key]
                assert m.type in ("photo", "video")
                url = m.url if m.type == "photo" else m.preview_image_url
                assert url.startswith("https://pbs.twimg.com/")
                got = client.session.get(url)
                assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
        assert page.includes["users"][0].id == int(acc.platform_id)
        assert page.meta["result_count"] == len(page.data)
    expected = _visible_current_ids(world, world.index["x_authored"][acc.platform_id])
    assert {str(i) for i in seen} == expected
    assert pages >= 3 and with_media > 0


def test_x_search_by_conversation_returns_the_thread(world: World,
                                                     sim: SimulatedPlatforms) -> None:
    client = sim.x_client()
    threads = [rid for rid, lst in world.index["thread"].items()
               if world.index["item"][rid].platform == "x" and len(lst) >= 2]
    thread_id = max(threads, key=lambda rid: world.index["item"][rid].created)
    replies = world.index["thread"][thread_id]
    world.set_now(max(world.index["item"][thread_id].created + timedelta(days=3),
                      max(r.created for r in replies) + timedelta(minutes=1)))
    resp = client.search_recent_tweets(f"conversation_id:{thread_id}", max_results=100,
                                       tweet_fields=TWEET_FIELDS, expansions=["author_id"])
    got = {str(t.id) for t in resp.data}
    assert got == _visible_current_ids(world, replies)
    assert all(str(t.conversation_id) == thread_id for t in resp.data)
    assert resp.meta["result_count"] == len(got)
    # older threads need the full archive
    old = next(rid for rid, lst in world.index["thread"].items()
               if world.index["item"][rid].platform == "x"
               and any(world.visible(r) for r in lst)
               and world.index["item"][rid].created < world.now - timedelta(days=20))
    with pytest.raises(tweepy.BadRequest):
        client.search_recent_tweets(f"conversation_id:{old}",
                                    start_time=world.now - timedelta(days=30))
    full = client.search_all_tweets(f"conversation_id:{old}",
                                    start_time=world.now - timedelta(days=95), max_results=100)
    assert {str(t.id) for t in full.data} == _visible_current_ids(
        world, world.index["thread"][old])


def test_x_lookup_edits_and_deletions(world: World, sim: SimulatedPlatforms) -> None:
    client = sim.x_client()
    edited = next(i for i in world.items if i.platform == "x" and i.edit_id)
    deleted = next(i for i in world.items if i.platform == "x" and i.deleted_at)
    resp = client.get_tweets([edited.id, edited.edit_id, deleted.id],
                             tweet_fields=["edit_history_tweet_ids"])
    by_id = {str(t.id): t for t in resp.data}
    assert by_id[edited.id].edit_history_tweet_ids == [int(edited.id), int(edited.edit_id)]
    assert by_id[edited.id].text == edited.original_text
    assert by_id[edited.edit_id].text == edited.text
    assert not resp.errors
    world.set_now(deleted.deleted_at + timedelta(seconds=1))
    resp = client.get_tweets([deleted.id])
    assert resp.data is None
    assert resp.errors[0]["type"].endswith("resource-not-found")
    assert resp.errors[0]["resource_id"] == deleted.id


def test_x_headers_and_bad_token(world: World, sim: SimulatedPlatforms) -> None:
    client = sim.x_client()
    acc = _account(world, "x")
    raw = client.session.get(f"https://api.twitter.com/2/users/{acc.platform_id}/tweets",
                             headers={"Authorization": f"Bearer {world.x_bearer_token}"})
    assert raw.headers["x-rate-limit-limit"] == "10000"
    assert int(raw.headers["x-rate-limit-remaining"]) < 10000
    assert int(raw.headers["x-rate-limit-reset"]) > 0
    user = client.get_user(username=acc.handle, user_fields=["description", "url", "entities"])
    assert user.data.username == acc.handle
    wrong = tweepy.Client(bearer_token="not-the-token")
    sim.mount(wrong.session)
    with pytest.raises(tweepy.Unauthorized):
        wrong.get_users_tweets(acc.platform_id)


# --------------------------------------------------------------------------------------------
# Graph through facebook-sdk
# --------------------------------------------------------------------------------------------


def test_graph_posts_paging_keeps_the_token(world: World, sim: SimulatedPlatforms) -> None:
    session = sim.mount(requests.Session())
    graph = facebook.GraphAPI(world.meta_token, session=session)
    graph.version = "v25.0"
    page = _account(world, "facebook")
    first = graph.get_connections(page.platform_id, "posts", limit=3,
                                  fields="id,message,created_time,attachments{media_type,media,"
                                         "subattachments},comments.summary(true).limit(0)")
    assert len(first["data"]) == 3
    assert f"access_token={world.meta_token}" in first["paging"]["next"]
    assert first["paging"]["cursors"]["after"]
    everything = list(graph.get_all_connections(page.platform_id, "posts", limit=4,
                                                fields="id,created_time"))
    visible = [p for p in world.index["posts_of"][("facebook", page.platform_id)]
               if world.visible(p)]
    assert [p["id"] for p in everything] == [p.id for p in reversed(visible)]


@pytest.mark.parametrize("sub", ["subattachments", "subattachments{data{media,target}}"])
def test_graph_album_subattachments_carry_their_media(world: World, sim: SimulatedPlatforms,
                                                     sub: str) -> None:
    session = sim.mount(requests.Session())
    graph = facebook.GraphAPI(world.meta_token, session=session)
    graph.version = "v25.0"
    album = next(p for p in world.items if p.platform == "facebook" and p.kind == "post"
                 and len(p.media) > 1 and p.media[0].kind != "video" and world.visible(p))
    got = graph.get_object(album.id, fields=f"attachments{{type,{sub}}}")
    subs = got["attachments"]["data"][0]["subattachments"]["data"]
    assert [s["media"]["image"]["src"] for s in subs] == [m.url for m in album.media]
    assert [s["target"]["id"] for s in subs] == [m.media_id for m in album.media]


def test_graph_comments_stream_has_parent_and_from_needs_page_token(
        world: World, sim: SimulatedPlatforms) -> None:
    page = next(a for a in world.accounts if a.platform == "facebook" and a.token_env
                and any(i.kind == "reply" for p in world.index["posts_of"][("facebook",
                                                                            a.platform_id)]
                        for i in world.index["thread"].get(p.id, ())))
    post = next(p for p in world.index["posts_of"][("facebook", page.platform_id)]
                if any(i.kind == "reply" and world.visible(i)
                       for i in world.index["thread"].get(p.id, ())))
    fields = "id,message,created_time,from,parent,is_hidden,comment_count"
    user = sim.graph_client()
    stream = list(user.get_all_connections(post.id, "comments", filter="stream", fields=fields))
    replies = [c for c in stream if "parent" in c]
    assert replies and all(r["parent"]["id"] for r in replies)
    public = [c for c in stream if world.index["item"][c["id"]].author_role == "public"]
    assert public and all("from" not in c for c in public)  # no Page token: no user data
    page_graph = sim.graph_client(world.tokens[page.token_env])
    top = page_graph.get_connections(post.id, "comments", fields=fields, summary="true",
                                     limit=100)
    assert all("from" in c for c in top["data"])
    assert all("parent" not in c for c in top["data"])
    assert top["summary"]["total_count"] == len(top["data"])
    assert len(stream) == len([i for i in world.index["thread"][post.id] if world.visible(i)])


def test_instagram_media_with_children_and_comment_replies(world: World,
                                                           sim: SimulatedPlatforms) -> None:
    graph = sim.graph_client()
    ig = next(a for a in world.accounts if a.platform == "instagram" and any(
        len(p.media) > 1 for p in world.index["posts_of"][("instagram", a.platform_id)]))
    media = list(graph.get_all_connections(
        ig.platform_id, "media", limit=10,
        fields="id,caption,media_type,media_url,thumbnail_url,permalink,timestamp,"
               "comments_count,children{id,media_type,media_url}"))
    carousel = [m for m in media if m["media_type"] == "CAROUSEL_ALBUM"]
    assert carousel and all(len(m["children"]["data"]) >= 2 for m in carousel)
    url = carousel[0]["children"]["data"][0]["media_url"]
    assert url.startswith("https://scontent.cdninstagram.com/v/t51.29350-15/")
    got = sim.session().get(url)
    assert got.headers["content-type"] == "image/jpeg" and got.content[:2] == b"\xff\xd8"
    post = next(p for p in world.index["posts_of"][("instagram", ig.platform_id)]
                if any(i.kind == "reply" for i in world.index["thread"].get(p.id, ())))
    if world.visible(post):
        comments = graph.get_connections(post.id, "comments",
                                         fields="id,text,username,hidden,replies{id,text}")
        assert any("replies" in c for c in comments["data"])


def test_graph_deleted_object_error(world: World, sim: SimulatedPlatforms) -> None:
    graph = sim.graph_client()
    gone = next(i for i in world.items if i.platform == "facebook" and i.deleted_at)
    assert graph.get_object(gone.id, fields="id,message")["id"] == gone.id
    world.set_now(gone.deleted_at + timedelta(minutes=1))
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_object(gone.id)
    assert err.value.code == 100
    assert err.value.result["error"]["error_subcode"] == 33


# --------------------------------------------------------------------------------------------
# Clock and faults
# --------------------------------------------------------------------------------------------


def test_clock_hides_future_items_and_second_run_fetches_only_new(
        world: World, sim: SimulatedPlatforms) -> None:
    client = sim.x_client()
    cut = world.end - timedelta(days=14)
    acc = next(a for a in world.accounts if a.platform == "x" and len(
        {i.created > cut for i in world.index["x_authored"].get(a.platform_id, ())}) == 2)
    world.set_now(cut)
    first = [t for p in tweepy.Paginator(client.get_users_tweets, acc.platform_id,
                                         max_results=100) for t in p.data or []]
    assert first and all(world.index["x_alias"][str(t.id)].created <= world.now for t in first)
    newest = max(t.id for t in first)
    world.set_now(world.end)
    second = [t for p in tweepy.Paginator(client.get_users_tweets, acc.platform_id,
                                          max_results=100, since_id=newest)
              for t in p.data or []]
    assert second and all(t.id > newest for t in second)
    assert not {t.id for t in first} & {t.id for t in second}
    # Graph: a future post is not served, and a hide applies once its time has passed
    page = next(a for a in world.accounts if a.platform == "facebook" and len(
        {i.created > cut for i in world.index["posts_of"].get(("facebook", a.platform_id), ())}
    ) == 2)
    graph = sim.graph_client()
    world.set_now(cut)
    early = {p["id"] for p in graph.get_all_connections(page.platform_id, "posts")}
    world.set_now(world.end)
    late = {p["id"] for p in graph.get_all_connections(page.platform_id, "posts")}
    assert early < late
    hidden = next(i for i in world.items if i.platform == "facebook" and i.hidden_at
                  and i.hidden_at > world.end)
    assert graph.get_object(hidden.id, fields="is_hidden")["is_hidden"] is False
    world.advance(hidden.hidden_at - world.now + timedelta(seconds=1))
    assert graph.get_object(hidden.id, fields="is_hidden")["is_hidden"] is True


@pytest.mark.parametrize("kind,exc,status", [
    ("rate_limit", tweepy.TooManyRequests, 429),
    ("token_expired", tweepy.Unauthorized, 401),
    ("server_error", tweepy.TwitterServerError, 503),
    ("permission", tweepy.Forbidden, 403),
])
def test_x_faults_raise_the_real_exceptions(world: World, sim: SimulatedPlatforms, kind: str,
                                           exc: type[Exception], status: int) -> None:
    client = sim.x_client()
    acc = _account(world, "x")
    sim.add_fault(Fault(kind, "x", path_contains="/tweets", after_requests=1, times=1))
    client.get_users_tweets(acc.platform_id)  # request 1 passes
    with pytest.raises(exc) as err:
        client.get_users_tweets(acc.platform_id)
    assert err.value.response.status_code == status
    if kind == "rate_limit":
        assert err.value.reset_time is not None
        assert err.value.response.headers["x-rate-limit-remaining"] == "0"
    client.get_users_tweets(acc.platform_id)  # times=1: the next one passes again


def test_x_malformed_page(world: World, sim: SimulatedPlatforms) -> None:
    client = sim.x_client()
    sim.add_fault(Fault("malformed_page", "x"))
    with pytest.raises(requests.JSONDecodeError):
        client.get_users_tweets(_account(world, "x").platform_id)


@pytest.mark.parametrize("kind,code,subcode", [
    ("rate_limit", 4, None),
    ("token_expired", 190, 463),
    ("server_error", 1, None),
    ("permission", 10, None),
])
def test_graph_faults_raise_graph_errors(world: World, sim: SimulatedPlatforms, kind: str,
                                         code: int, subcode: int | None) -> None:
    graph = sim.graph_client()
    page = _account(world, "facebook")
    sim.add_fault({"kind": kind, "host_or_platform": "facebook", "times": None})
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_connections(page.platform_id, "posts")
    assert err.value.code == code
    if subcode is not None:
        assert err.value.result["error"]["error_subcode"] == subcode
    assert err.value.result["error"]["fbtrace_id"]


def test_graph_throttle_with_page_token_and_usage_headers(world: World,
                                                          sim: SimulatedPlatforms) -> None:
    page = next(a for a in world.accounts if a.platform == "facebook" and a.token_env)
    session = sim.mount(requests.Session())
    seen: list[requests.Response] = []
    session.hooks["response"].append(lambda r, *a, **k: seen.append(r))
    graph = facebook.GraphAPI(world.tokens[page.token_env], session=session)
    graph.version = "v25.0"
    graph.get_object(page.platform_id)
    usage = json.loads(seen[-1].headers["X-Business-Use-Case-Usage"])
    assert usage[page.platform_id][0]["type"] == "pages"
    assert "call_count" in json.loads(seen[-1].headers["X-App-Usage"])
    sim.add_fault(Fault("rate_limit", "graph", retry_after=600))
    with pytest.raises(facebook.GraphAPIError) as err:
        graph.get_connections(page.platform_id, "posts")
    assert err.value.code == 80001
    usage = json.loads(seen[-1].headers["X-Business-Use-Case-Usage"])
    assert usage[page.platform_id][0]["estimated_time_to_regain_access"] == 10
    with pytest.raises(requests.JSONDecodeError):
        sim.clear_faults()
        sim.add_fault(Fault("malformed_page", "graph"))
        graph.get_connections(page.platform_id, "posts")


def test_fault_counting_is_per_matching_request() -> None:
    f = Fault("server_error", "graph", path_contains="/comments", after_requests=2, times=2)
    hits = [f.check("facebook", "graph.facebook.com", p) for p in
            ["/v25.0/1/comments", "/v25.0/1/posts", "/v25.0/2/comments", "/v25.0/3/comments",
             "/v25.0/4/comments", "/v25.0/5/comments"]]
    assert hits == [False, False, False, True, True, False]
    assert not Fault("rate_limit", "x").check("instagram", "graph.facebook.com", "/x")


# --------------------------------------------------------------------------------------------
# Workspace
# --------------------------------------------------------------------------------------------


def test_write_workspace_and_rebuild(world: World, tmp_path: Path) -> None:
    config = write_workspace(world, tmp_path / "ws",
                             faults=[Fault("rate_limit", "x", after_requests=5)])
    root = config.parent
    assert config.name == "socialaudit.toml"
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data["district"]["timezone"] == "America/Chicago"
    assert data["district"]["policy_pack"] == "metro-technology-centers-bp-8007"
    assert data["warehouse"]["path"] == "warehouse.duckdb"
    assert data["sources"]["x"] == {"enabled": True, "bearer_token_env":
                                    "SOCIALAUDIT_X_BEARER_TOKEN", "search": "all"}
    assert data["sources"]["meta"]["graph_version"] == "v25.0"
    assert data["simulated"]["seed"] == world.seed
    for key, header in HEADERS.items():
        path = root / data["registry"][key]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == header, key
        assert len(rows) > 1, key
    accounts = list(csv.DictReader((root / "registry/accounts.csv").open(encoding="utf-8")))
    assert {r["kind"] for r in accounts} == {"official", "teacher_page"}
    assert any(r["designee_admins"] == "" and r["kind"] == "official" for r in accounts)
    assert any(";" in r["designee_admins"] for r in accounts)
    secrets = set(world.environment().values())
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(s in text for s in secrets), path
    truth = [json.loads(line) for line in (root / "simulated/ground_truth.jsonl").open()]
    assert {r["rule"] for r in truth} == set(RULES)
    assert (root / "simulated/labels.jsonl").stat().st_size > 0
    again = load_world_for(config)
    assert again.digest() == world.digest()
    assert again.now == world.now
    sim = platforms_for(root, world=again)
    assert sim.faults and sim.faults[0].kind == "rate_limit"
    from pipelines.config import load_config

    loaded = load_config(config)
    assert loaded.simulated is not None and loaded.simulated.seed == world.seed
    assert set(loaded.registry) == set(HEADERS)
