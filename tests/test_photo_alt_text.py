"""Facebook photo alt text: the Graph connector looks up each photo of a new or changed post
(``/{photo-id}?fields=alt_text,alt_text_custom``), keeps the answer raw, and the normalizer puts
what the Page wrote in ``core.media.alt_text`` (where consent ids are read) and Facebook's own
description in ``core.media.auto_alt_text``.

Through the real facebook-sdk client: the simulated district's Graph API (its Photo nodes, its
faults, its deletions) or, for exact answers, the fake host of ``tests/graph_support.py``.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from connectors import endpoints as ep
from connectors.base import AuthError, BadRequest, PermissionDenied, RateLimited
from connectors.graph import FB_PHOTO_PARAMS, GraphAccount, GraphConnector, make_graph_client
from connectors.simulated import Fault, SimulatedPlatforms, generate_world, write_workspace
from connectors.simulated.world import Item, World
from connectors.transport import Reply
from pipelines import stages
from pipelines.config import load_config
from pipelines.platforms import simulated_access
from tests.core_checks import normalized
from tests.graph_support import TOKEN, Harness, always, empty_comments, graph_error, ok, utc
from warehouse import db
from warehouse.raw_store import RawWriter

SEED, SCALE = 10, 0.2  # a small district with two Facebook photos carrying consent ids in alt
CONSENT_ID = re.compile(r"PC-\d{4}-\d{4}")


# --------------------------------------------------------------------------- the simulator


def alt_consent_posts(world: World) -> list[Item]:
    """Registered Facebook posts whose consent ids are written in their photo's alt text."""
    accounts = {a.platform_id: a for a in world.accounts if a.platform == "facebook"}
    return [i for i in world.items
            if i.platform == "facebook" and i.kind == "post" and world.visible(i)
            and accounts[i.account_id].registered and i.media and i.media[0].kind == "photo"
            and i.labels.get("consent_placement") == "alt"]


class SimulatedCapture:
    """One warehouse and the simulated Graph API; each ``run`` is a new writer and connector."""

    def __init__(self, world: World, faults: tuple[Fault, ...] = ()):
        self.world = world
        self.sim = SimulatedPlatforms(world, faults)
        self.con = db.memory()
        self.sleeps: list[float] = []
        self.runs = 0

    def account(self, page_id: str) -> GraphAccount:
        acc = next(a for a in self.world.accounts
                   if a.platform == "facebook" and a.platform_id == page_id)
        return GraphAccount(f"facebook:{page_id}", "facebook", page_id, acc.handle)

    def run(self, *page_ids: str) -> dict[str, object]:
        """Capture the Pages; each one's result, or the ``CaptureError`` it raised."""
        self.runs += 1
        writer = RawWriter(self.con, f"run-{self.runs}")
        outcomes: dict[str, object] = {}
        for page_id in page_ids:
            acc = next(a for a in self.world.accounts
                       if a.platform == "facebook" and a.platform_id == page_id)
            token = self.world.tokens.get(acc.token_env) or self.world.meta_token
            graph, usage = make_graph_client(token, adapter=self.sim.graph_adapter())
            connector = GraphConnector(graph, usage, writer, sleep=self.sleeps.append,
                                       now=lambda: self.world.now)
            try:
                outcomes[page_id] = connector.capture_account(self.account(page_id))
            except (RateLimited, AuthError) as exc:
                outcomes[page_id] = exc
            writer.flush()
        return outcomes

    def photo_requests(self) -> list[tuple[str, int]]:
        """(photo id, status) of every request for a Photo node, in order."""
        photos = {m.media_id for i in self.world.items if i.platform == "facebook"
                  for m in i.media if m.kind == "photo"}
        out = []
        for platform, path, status in self.sim.requests:
            last = path.rstrip("/").rsplit("/", 1)[-1]
            if platform == "graph" and last in photos:
                out.append((last, status))
        return out

    def cursor(self, page_id: str) -> dict:
        row = self.con.execute(
            "SELECT state::VARCHAR FROM raw.cursors WHERE endpoint = ? AND object_id = ?",
            [ep.FB_PHOTO, page_id]).fetchone()
        return json.loads(row[0])


def test_consent_ids_in_a_facebook_photos_alt_text_reach_core_media() -> None:
    world = generate_world(seed=SEED, scale=SCALE)
    posts = alt_consent_posts(world)
    assert len(posts) == 2
    capture = SimulatedCapture(world)
    outcomes = capture.run(*sorted({p.account_id for p in posts}))
    assert all(getattr(o, "status", None) == "ok" for o in outcomes.values()), outcomes
    con = normalized(capture.con)

    for post in posts:
        photo = post.media[0]
        cited = CONSENT_ID.findall(photo.alt_text or "")
        assert cited and cited == post.labels["consent_ids"]
        # the post's page: its attachment names the photo but carries no alt text
        page = json.loads(con.execute(
            "SELECT body::VARCHAR FROM raw.api_pages WHERE endpoint = ':page/posts' "
            "AND object_id = ? AND body::VARCHAR LIKE ?",
            [post.account_id, f'%"{post.id}"%']).fetchone()[0])
        listed = next(p for p in page["data"] if p["id"] == post.id)
        assert "alt_text" not in json.dumps(listed["attachments"])
        # the Photo node's answer, stored exactly as the platform sent it
        stored = con.execute(
            "SELECT body::VARCHAR, request_params::VARCHAR, account_id FROM raw.api_pages "
            "WHERE endpoint = ? AND object_id = ?", [ep.FB_PHOTO, photo.media_id]).fetchall()
        graph, usage = make_graph_client(world.meta_token, adapter=capture.sim.graph_adapter())
        graph.request(f"{graph.version}/{photo.media_id}", dict(FB_PHOTO_PARAMS))
        assert stored == [(usage.body, json.dumps(FB_PHOTO_PARAMS),
                           f"facebook:{post.account_id}")]
        assert json.loads(usage.body)["alt_text_custom"] == photo.alt_text

        alt, auto = con.execute(
            "SELECT alt_text, auto_alt_text FROM core.media WHERE item_id = ? AND media_id = ?",
            [f"facebook:{post.id}", f"facebook:{photo.media_id}"]).fetchone()
        assert alt == photo.alt_text and CONSENT_ID.findall(alt) == cited
        assert auto == f"May be an image of {photo.faces} people"


def test_a_second_run_asks_only_for_the_photos_of_new_posts() -> None:
    world = generate_world(seed=SEED, scale=SCALE)
    gap = timedelta(days=30)  # the district's Pages post 4 photos in its last 30 days
    world.set_now(world.now - gap)
    pages = sorted(a.platform_id for a in world.accounts
                   if a.platform == "facebook" and a.registered)
    capture = SimulatedCapture(world)
    capture.run(*pages)
    first = capture.photo_requests()
    assert first and all(status == 200 for _, status in first)
    assert len({p for p, _ in first}) == len(first)  # each photo asked once
    stored = capture.con.execute("SELECT count(*) FROM raw.api_pages WHERE endpoint = ?",
                                 [ep.FB_PHOTO]).fetchone()[0]
    assert stored == len(first)

    capture.run(*pages)  # nothing new: the newest posts are listed again, no photo asked
    assert capture.photo_requests() == first
    relisted = capture.con.execute(
        "SELECT count(*) FROM raw.page_fetches f JOIN raw.api_pages p USING (page_id) "
        "WHERE p.endpoint = ':page/posts' AND f.run_id = 'run-2'").fetchone()[0]
    assert relisted > 0

    world.advance(gap)
    capture.run(*pages)
    later = capture.photo_requests()[len(first):]
    new_posts = {p.id for p in world.items if p.platform == "facebook" and p.kind == "post"
                 and world.visible(p) and p.created > world.now - gap}
    expected = [m.media_id for p in world.items if p.id in new_posts
                for m in p.media if m.kind == "photo" and p.account_id in pages]
    assert later and sorted(p for p, _ in later) == sorted(expected)
    assert not {p for p, _ in later} & {p for p, _ in first}
    assert all(capture.cursor(page)["pending"] == [] for page in pages)


def test_a_throttled_photo_lookup_stops_cleanly_and_the_next_run_asks_for_the_rest() -> None:
    # learn the order the photos of the Page with the most photos are asked in
    world = generate_world(seed=SEED, scale=SCALE)
    per_page: dict[str, int] = {}
    for item in world.items:
        if item.platform == "facebook" and item.kind == "post" and world.visible(item):
            per_page[item.account_id] = per_page.get(item.account_id, 0) + sum(
                m.kind == "photo" for m in item.media)
    page = max(sorted(per_page), key=per_page.get)
    order = SimulatedCapture(world).run(page)[page].photos
    assert len(order) >= 4

    world = generate_world(seed=SEED, scale=SCALE)
    throttle = Fault("rate_limit", "facebook", path_contains=f"/{order[1]}", retry_after=3600)
    capture = SimulatedCapture(world, (throttle,))
    (outcome,) = capture.run(page).values()
    assert isinstance(outcome, RateLimited) and outcome.code == "80001"
    assert "throttled" in str(outcome) and ep.FB_PHOTO in str(outcome)
    assert capture.cursor(page)["pending"] == order[1:]
    log = capture.con.execute("SELECT status, endpoint FROM raw.fetch_log").fetchall()
    assert log == [("rate_limited", ep.FB_PHOTO)]
    assert capture.con.execute("SELECT count(*) FROM raw.api_pages WHERE endpoint = ?",
                               [ep.FB_PHOTO]).fetchone()[0] == 1  # the throttle is not a page

    # meanwhile the post of the last photo is deleted: its photo no longer exists
    deleted = next(i for i in world.items if any(m.media_id == order[-1] for m in i.media))
    deleted.deleted_at = world.now
    (result,) = capture.run(page).values()
    assert result.status == "ok"
    assert result.photos == order[1:]  # the first photo was not asked again
    assert result.photos_gone == [order[-1]]
    assert capture.cursor(page)["pending"] == []
    gone = json.loads(capture.con.execute(
        "SELECT body::VARCHAR FROM raw.api_pages WHERE endpoint = ? AND object_id = ?",
        [ep.FB_PHOTO, order[-1]]).fetchone()[0])
    assert gone["error"]["code"] == 100 and gone["error"]["error_subcode"] == 33

    con = normalized(capture.con)
    described = dict(con.execute(
        "SELECT media_id, auto_alt_text FROM core.media WHERE media_id IN (SELECT unnest(?))",
        [[f"facebook:{p}" for p in order]]).fetchall())
    assert {m for m, auto in described.items() if auto} == {f"facebook:{p}" for p in order[:-1]}


def test_a_short_throttle_on_a_photo_is_waited_out() -> None:
    world = generate_world(seed=SEED, scale=SCALE)
    (post, _) = alt_consent_posts(world)
    photo = post.media[0].media_id
    throttle = Fault("rate_limit", "facebook", path_contains=f"/{photo}", retry_after=60)
    capture = SimulatedCapture(world, (throttle,))
    (result,) = capture.run(post.account_id).values()
    assert result.status == "ok" and throttle.fired == 1
    assert capture.sleeps == [60.0]  # estimated_time_to_regain_access: 1 minute
    assert [s for p, s in capture.photo_requests() if p == photo] == [400, 200]
    assert photo in result.photos and result.photos_gone == []


# --------------------------------------------------------------------------- exact answers

PAGE = "4242"
ACCOUNT = GraphAccount("facebook:4242", "facebook", PAGE, "school")
POST = f"{PAGE}_77"
PHOTO, SECOND = "9001", "9002"


def photo_post(updated: str) -> dict:
    """A post with a photo, an album of two (one with an id that is not a Graph id) and a
    video: only the two real photos are asked for."""
    def attachment(kind: str, target: str) -> dict:
        return {"type": kind, "media_type": kind, "target": {"id": target},
                "media": {"image": {"src": f"https://scontent.xx.fbcdn.net/{target}.jpg",
                                    "height": 10, "width": 10}}}
    album = {**attachment("album", "77"), "subattachments": {"data": [
        attachment("photo", SECOND), attachment("photo", "1/../me")]}}
    video = {**attachment("video_inline", "9003")}
    video["media"]["source"] = "https://video.xx.fbcdn.net/9003.mp4"
    return {"id": POST, "message": "Science fair!", "created_time": "2021-07-01T10:00:00+0000",
            "updated_time": updated, "permalink_url": f"https://www.facebook.com/{POST}",
            "attachments": {"data": [attachment("photo", PHOTO), album, video]}}


def photo_answer(custom: str | None) -> Reply:
    body = {"alt_text": "May be an image of 3 people and text"}
    if custom is not None:
        body["alt_text_custom"] = custom
    return ok({**body, "id": PHOTO})


def test_only_a_changed_post_has_its_photos_asked_again_and_the_latest_answer_wins() -> None:
    h = Harness.create(utc("2021-07-10T00:00:00"))
    h.server.fallback = empty_comments
    posts = {"data": [photo_post("2021-07-01T10:00:00+0000")]}
    h.server.route(f"{PAGE}/posts", lambda call: ok(posts))
    answers = [photo_answer("Science fair. Consent PC-2026-0001, PC-2026-0002")]
    h.server.route(PHOTO, lambda call: answers[-1])
    h.server.route(SECOND, always({"alt_text": "No photo description available.",
                                   "id": SECOND}))

    def asked() -> list[str]:
        return [p for p in h.server.paths() if p in (PHOTO, SECOND) or "me" in p.split("/")]

    result = h.connector.capture_account(ACCOUNT)
    assert result.photos == asked() == [PHOTO, SECOND]
    assert all(c.query["fields"] == "alt_text,alt_text_custom"
               for c in h.server.calls if c.path.endswith(PHOTO))

    def media() -> dict[str, tuple]:
        h.flush()
        con = normalized(h.con)
        return {m: (a, auto) for m, a, auto in con.execute(
            "SELECT media_id, alt_text, auto_alt_text FROM core.media").fetchall()}

    assert media() == {
        f"facebook:{PHOTO}": ("Science fair. Consent PC-2026-0001, PC-2026-0002",
                              "May be an image of 3 people and text"),
        f"facebook:{SECOND}": (None, "No photo description available."),
        "facebook:1/../me": (None, None),  # a medium of the post, never put in a request
        "facebook:9003": (None, None),  # a video: no Photo node to ask
    }

    h.new_run().capture_account(ACCOUNT)  # listed again, unchanged: not asked
    assert asked() == [PHOTO, SECOND]
    assert media()[f"facebook:{PHOTO}"][0].endswith("PC-2026-0002")  # the re-listing keeps it

    posts["data"] = [photo_post("2021-07-11T08:00:00+0000")]  # the Page edited the post...
    answers.append(photo_answer(None))  # ... and removed the alt text it wrote
    h.new_run().capture_account(ACCOUNT)
    assert asked() == [PHOTO, SECOND, PHOTO, SECOND]
    assert media()[f"facebook:{PHOTO}"] == (None, "May be an image of 3 people and text")
    assert len(h.pages(ep.FB_PHOTO, PHOTO)) == 2  # each distinct answer kept

    posts["data"] = [photo_post("2021-07-12T08:00:00+0000")]  # a new alt text written
    answers.append(photo_answer("Science fair winners"))
    h.now = utc("2021-07-12T09:00:00")
    h.new_run().capture_account(ACCOUNT)
    assert media()[f"facebook:{PHOTO}"][0] == "Science fair winners"
    # every alt text the photo has shown is kept, once, with when it was first seen (the
    # confidential detector reads the earlier ones); the platform's own descriptions are not
    versions = normalized(h.con).execute(
        "SELECT media_id, alt_text, first_seen_at FROM core.media_alt_versions "
        "ORDER BY first_seen_at").fetchall()
    assert [(m, a) for m, a, _ in versions] == [
        (f"facebook:{PHOTO}", "Science fair. Consent PC-2026-0001, PC-2026-0002"),
        (f"facebook:{PHOTO}", "Science fair winners")]
    assert versions[0][2] < versions[1][2]


@pytest.mark.parametrize(("reply", "raised", "status"), [
    (graph_error(100, message="(#100) Tried accessing nonexisting field (alt_text_custom) on "
                              "node type (Photo)"), BadRequest, "bad_request"),
    (graph_error(190, subcode=463, message="Error validating access token: Session has "
                                           "expired"), AuthError, "auth_error"),
    (graph_error(10, status=403, message="(#10) Permission denied"), PermissionDenied,
     "permission"),
])
def test_errors_on_a_photo_lookup_are_graph_errors_and_keep_the_queue(reply, raised,
                                                                      status) -> None:
    h = Harness.create(utc("2021-07-10T00:00:00"))
    h.server.fallback = empty_comments
    h.server.route(f"{PAGE}/posts", always({"data": [photo_post("2021-07-01T10:00:00+0000")]}))
    h.server.route(PHOTO, always(reply))
    with pytest.raises(raised) as caught:
        h.connector.capture_account(ACCOUNT)
    assert ep.FB_PHOTO in str(caught.value) and PHOTO in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert [(r["status"], r["endpoint"]) for r in h.fetch_log()] == [(status, ep.FB_PHOTO)]
    assert h.cursor("facebook", ACCOUNT.account_key, ep.FB_PHOTO, PAGE)["pending"] == [
        PHOTO, SECOND]
    assert h.pages(ep.FB_PHOTO) == []  # an error that is not "does not exist" is no page
    assert len(h.pages(ep.FB_COMMENTS, POST)) == 1  # the comments came first and are kept

    h.server.route(PHOTO, always(photo_answer("PC-2026-0003")))
    h.server.route(SECOND, always({"id": SECOND}))
    result = h.new_run().capture_account(ACCOUNT)
    assert result.photos == [PHOTO, SECOND] and result.status == "ok"


def test_a_photo_answer_that_is_not_json_is_quarantined_and_asked_again_next_run() -> None:
    h = Harness.create(utc("2021-07-10T00:00:00"))
    h.server.fallback = empty_comments
    h.server.route(f"{PAGE}/posts", always({"data": [photo_post("2021-07-01T10:00:00+0000")]}))
    h.server.route(PHOTO, always(Reply(200, '{"alt_text": "May be', {},
                                       content_type="application/json")))
    result = h.connector.capture_account(ACCOUNT)
    assert result.status == "partial" and result.photos == [PHOTO]
    (bad,) = h.quarantine()
    assert (bad["endpoint"], bad["object_id"], bad["body_text"]) == (
        ep.FB_PHOTO, PHOTO, '{"alt_text": "May be')
    assert h.cursor("facebook", ACCOUNT.account_key, ep.FB_PHOTO, PAGE)["pending"] == [
        PHOTO, SECOND]
    h.server.route(PHOTO, always(photo_answer("PC-2026-0004")))
    h.server.route(SECOND, always({"id": SECOND}))
    assert h.new_run().capture_account(ACCOUNT).photos == [PHOTO, SECOND]


# --------------------------------------------------------------------------- the rule


def test_consent_ids_in_facebook_alt_text_clear_missing_consent_findings(tmp_path: Path) -> None:
    world = generate_world(seed=SEED, scale=SCALE)
    posts = alt_consent_posts(world)
    config = load_config(write_workspace(world, tmp_path / "ws"))
    access = simulated_access(SimulatedPlatforms(world, photo_dir=tmp_path / "photos"))
    con = db.connect(config.warehouse_path)
    stages.stage_registry(config, con)
    # only the two Pages are captured and scored (the faces detector is the slow part)
    con.execute("DELETE FROM registry.accounts WHERE platform = 'facebook' "
                "AND platform_id NOT IN (SELECT unnest(?))", [[p.account_id for p in posts]])
    report = stages.stage_ingest(config, con, access, "run-1", platforms=("facebook",))
    assert report.failed == []
    stages.stage_normalize(con)
    stages.stage_media(config, con, access)
    stages.stage_signals(config, con, detectors=stages.build_detectors(config, ("faces",)))

    def media_findings() -> dict[str, set[str]]:
        stages.stage_rules(config, con, "run-1")
        found: dict[str, set[str]] = {}
        for item, kind in con.execute(
                "SELECT item_id, kind FROM audit.findings WHERE status = 'open' "
                "AND rule = 'student_media_without_consent'").fetchall():
            found.setdefault(item, set()).add(kind)
        return found

    subjects = [f"facebook:{p.id}" for p in posts]
    judged = con.execute(  # the faces detector sees people in each: consent is needed
        "SELECT count(DISTINCT m.item_id) FROM core.media m JOIN audit.signals s "
        "ON s.detector = 'faces' AND s.content_sha256 = m.content_sha256 AND s.flagged "
        "WHERE m.item_id IN (SELECT unnest(?))", [subjects]).fetchone()[0]
    assert judged == len(posts) == 2
    found = media_findings()
    assert not {s: found[s] for s in subjects if s in found}  # valid consents, cited in alt text

    # without the alt text the connector now captures, both were "missing" consent
    con.execute("UPDATE core.media SET alt_text = NULL WHERE platform = 'facebook'")
    found = media_findings()
    assert all("missing" in found.get(s, set()) for s in subjects)
    con.close()
