"""Account profiles: captured through the real clients, stored raw, normalized into
``core.account_profiles`` with their links expanded, and read by the Rules of Engagement check.

Public fixtures (an X ``/2/users`` page of twarc-csv's ``users.jsonl``, python-facebook's Page
and Instagram user objects ``single_default_page.json``, ``models/page.json``,
``users/user_fields.json``, ``models/ig_user.json``) and scripted answers go through tweepy and
facebook-sdk on ``HandlerAdapter``; the simulated district goes through the pipeline's own
stages, faults included. Nothing of ours is mocked.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checks.engine import finding_id, run_rules
from checks.policy import load_pack
from connectors import endpoints as ep
from connectors.graph import GraphAccount
from connectors.simulated import Fault, SimulatedPlatforms, generate_world, write_workspace
from connectors.simulated.world import ROE_PATH
from connectors.transport import Call, Reply
from connectors.x import XAccount
from pipelines import stages
from pipelines.config import ConfigError, load_config
from pipelines.platforms import simulated_access
from tests import graph_support as gs
from tests.core_checks import normalized
from tests.fixtures import TWARC
from tests.x_support import EMPTY, USER_PROFILE, USER_TWEETS, Harness
from warehouse.normalize import normalize

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
NW = "northwest-technology-center"
ROE = "https://www.nwtech.edu/social-media-rules"


def profile(con, account_id: str) -> dict | None:
    cursor = con.execute("SELECT * FROM core.account_profiles WHERE account_id = ?",
                         [account_id])
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def twarc_user(username: str) -> dict:
    for line in (TWARC / "users.jsonl").read_text(encoding="utf-8").splitlines():
        for user in json.loads(line).get("data") or []:
            if user["username"] == username:
                return user
    raise LookupError(username)


# --------------------------------------------------------------------------------------- X


def test_x_profiles_from_the_twarc_users_fixture_land_with_t_co_links_expanded() -> None:
    """Real ``/2/users`` objects served as ``/2/users/:id``: the bio and website are t.co links
    whose targets (``entities``) are what the profile keeps."""
    gamestop, johnny = twarc_user("GamestopLaguna"), twarc_user("jduc_hoang")
    assert gamestop["description"].startswith("https://t.co/")  # what X shows
    h = Harness(NOW)
    for user in (gamestop, johnny):
        h.api.on(USER_PROFILE.format(user["id"]), {"data": user})
        h.api.on(USER_TWEETS.format(user["id"]), EMPTY)
    accounts = [XAccount(f"x:{u['id']}", u["id"], u["username"]) for u in (gamestop, johnny)]
    outcome = h.run(*accounts)
    assert outcome.errors == {} and h.api.unmatched == []
    assert {r.status for r in outcome.results.values()} == {"ok"}

    pages = h.pages(ep.X_USER_PROFILE)
    assert [p["object_id"] for p in pages] == [gamestop["id"], johnny["id"]]
    params = pages[0]["params"]
    assert {"description", "entities", "url", "pinned_tweet_id"} <= set(
        params["user.fields"].split(","))
    assert params["expansions"] == "pinned_tweet_id"
    assert "entities" in params["tweet.fields"].split(",")
    assert pages[0]["body"] == {"data": gamestop}  # stored exactly as received

    normalized(h.con)
    g = profile(h.con, f"x:{gamestop['id']}")
    assert g["links"] == ["http://Gamestop.com"]  # the bio's and the website's: one link
    assert g["bio"] == "http://Gamestop.com" and g["website"] == "http://Gamestop.com"
    assert (g["handle"], g["profile_url"]) == ("GamestopLaguna", "https://x.com/GamestopLaguna")
    j = profile(h.con, f"x:{johnny['id']}")
    assert j["bio"] == johnny["description"]  # hashtags only: nothing to expand
    assert j["links"] == ["http://Facebook.com/johnny.d.hoang"]
    dump = json.dumps([g, j], default=str)
    assert "t.co" not in dump


def test_x_pinned_post_links_count_and_bad_answers_cost_only_the_profile() -> None:
    h = Harness(NOW)
    desc = "Welcome! Rules: https://t.co/aaaaaaaaaa"
    h.api.on(USER_PROFILE.format("1000"), {
        "data": {"id": "1000", "name": "District", "username": "district", "description": desc,
                 "url": "https://t.co/bbbbbbbbbb", "pinned_tweet_id": "77",
                 "entities": {
                     "description": {"urls": [{"start": 24, "end": 47,
                                               "url": "https://t.co/aaaaaaaaaa",
                                               "expanded_url": "https://nwtech.edu/a",
                                               "display_url": "nwtech.edu/a"}]},
                     "url": {"urls": [{"start": 0, "end": 23, "url": "https://t.co/bbbbbbbbbb",
                                       "expanded_url": "https://www.nwtech.edu",
                                       "display_url": "nwtech.edu"}]}}},
        "includes": {"tweets": [{
            "id": "77", "text": "Before you comment, please read https://t.co/cccccccccc",
            "edit_history_tweet_ids": ["77"],
            "entities": {"urls": [{"start": 32, "end": 55, "url": "https://t.co/cccccccccc",
                                   "expanded_url": "https://bit.ly/nw-roe",
                                   "unwound_url": ROE}]},
            "note_tweet": {"text": "...", "entities": {"urls": [{
                "start": 0, "end": 23, "url": "https://t.co/dddddddddd",
                "expanded_url": "https://www.nwtech.edu/handbook"}]}}}]},
    })
    h.api.on(USER_TWEETS.format("1000"), EMPTY)
    suspended = {"errors": [{"value": "2000", "detail": "User has been suspended: [2000].",
                             "title": "Forbidden", "resource_type": "user",
                             "parameter": "id", "resource_id": "2000",
                             "type": "https://api.twitter.com/2/problems/resource-not-found"}]}
    h.api.on(USER_PROFILE.format("2000"), suspended)
    h.api.on(USER_TWEETS.format("2000"), EMPTY)
    h.api.on(USER_PROFILE.format("3000"), {"data": [{"id": "3000"}]})  # not a user object
    h.api.on(USER_TWEETS.format("3000"), EMPTY)
    h.api.on(USER_PROFILE.format("4000"), Reply(403, {
        "title": "Forbidden", "detail": "Forbidden", "type": "about:blank", "status": 403}))
    h.api.on(USER_TWEETS.format("4000"), EMPTY)
    outcome = h.run(*(XAccount(f"x:{n}", n) for n in ("1000", "2000", "3000", "4000")))

    assert outcome.errors == {}
    status = {k: (r.status, r.error or "") for k, r in outcome.results.items()}
    assert status["x:1000"] == ("ok", "")
    assert status["x:2000"][0] == "partial" and "suspended" in status["x:2000"][1]
    assert status["x:3000"][0] == "partial" and "not a user object" in status["x:3000"][1]
    assert status["x:4000"][0] == "partial" and "profile not captured" in status["x:4000"][1]
    # every account's timeline was still read
    assert {p["object_id"] for p in h.pages(ep.X_USER_TWEETS)} == {"1000", "2000", "3000",
                                                                   "4000"}
    assert [q["object_id"] for q in h.quarantine()] == ["3000"]
    assert [p["object_id"] for p in h.pages(ep.X_USER_PROFILE)] == ["1000", "2000"]

    normalized(h.con)
    p = profile(h.con, "x:1000")
    assert p["bio"] == "Welcome! Rules: https://nwtech.edu/a"
    assert p["website"] == "https://www.nwtech.edu" and p["pinned_post_id"] == "77"
    assert p["links"] == ["https://nwtech.edu/a", "https://www.nwtech.edu",
                          "https://bit.ly/nw-roe", ROE, "https://www.nwtech.edu/handbook"]
    assert [r[0] for r in h.con.execute(
        "SELECT account_id FROM core.account_profiles").fetchall()] == ["x:1000"]
    assert h.con.execute("SELECT count(*) FROM core.items").fetchone()[0] == 0  # not items


# ----------------------------------------------------------------------------------- Graph

FB_PAGE_FIXTURES = ["facebook/apidata/pages/single_default_page.json", "facebook/models/page.json"]
IG_USER_FIXTURES = ["instagram/apidata/users/user_fields.json", "instagram/models/ig_user.json"]


def as_asked(node: dict):
    """A Graph node answering ``?fields=``: only the fields asked for that it has."""
    def route(call: Call) -> Reply:
        wanted = set(call.query["fields"].split(",")) | {"id"}
        return gs.ok({k: v for k, v in node.items() if k in wanted})
    return route


@pytest.mark.parametrize("relative", FB_PAGE_FIXTURES + IG_USER_FIXTURES)
def test_page_and_instagram_profile_fixtures_through_facebook_sdk(relative: str) -> None:
    node = gs.fixture(relative)
    platform = "facebook" if relative.startswith("facebook/") else "instagram"
    account = GraphAccount(f"{platform}:{node['id']}", platform, node["id"])
    h = gs.Harness.create(NOW)
    h.server.route(node["id"], as_asked(node))
    h.server.route(f"{node['id']}/{'posts' if platform == 'facebook' else 'media'}",
                   gs.always(gs.ok({"data": []})))
    result = h.connector.capture_account(account)
    assert result.status == "ok" and result.pages == 2

    endpoint = ep.FB_PAGE_PROFILE if platform == "facebook" else ep.IG_USER_PROFILE
    (page,) = h.pages(endpoint)
    asked = page["params"]["fields"].split(",")
    assert page["body"] == {k: v for k, v in node.items() if k in {*asked, "id"}}
    assert page["account_id"] == account.account_key and page["object_id"] == node["id"]

    normalized(h.con)
    got = profile(h.con, account.account_key)
    assert got["platform"] == platform and got["handle"] == node.get("username")
    if platform == "facebook":
        assert {"about", "description", "website", "link"} <= set(asked)
        assert got["bio"] == node["about"] and got["website"] == node["website"]
        assert got["links"] == [node["website"]]  # "general_info" has links, but is not asked
        assert got["profile_url"] == node["link"]
    else:
        assert {"biography", "website"} <= set(asked)
        assert got["bio"] == node["biography"] and got["website"] is None
        assert got["links"] == []
        assert got["profile_url"] == f"https://www.instagram.com/{node['username']}/"


def test_graph_links_are_read_from_text_as_typed_and_the_newest_capture_wins() -> None:
    fb, ig = "555000111", "17841400000000001"
    about = "Home of the Eagles. Rules: nwtech.edu/roe."
    description = f"About us (see {ROE}). Call (580) 555-0100 or e-mail info@nwtech.edu."
    h = gs.Harness.create(NOW)
    h.server.route(fb, gs.always(gs.ok({"id": fb, "name": "NWTC", "about": about,
                                        "description": description,
                                        "website": "www.nwtech.edu  https://linktr.ee/nwtc"})))
    h.server.route(ig, gs.always(gs.ok({
        "id": ig, "username": "nwtc", "website": "https://www.nwtech.edu",
        "biography": "Go Eagles! www.nwtech.edu/social-media-rules, and more"})))
    for path in (f"{fb}/posts", f"{ig}/media"):
        h.server.route(path, gs.always(gs.ok({"data": []})))
    h.connector.capture_account(GraphAccount(f"facebook:{fb}", "facebook", fb))
    h.connector.capture_account(GraphAccount(f"instagram:{ig}", "instagram", ig))
    h.flush()
    normalized(h.con)
    page = profile(h.con, f"facebook:{fb}")
    assert page["bio"] == f"{about}\n{description}"
    assert page["links"] == ["nwtech.edu/roe", ROE, "www.nwtech.edu", "https://linktr.ee/nwtc"]
    assert page["profile_url"] == f"https://www.facebook.com/{fb}"
    assert profile(h.con, f"instagram:{ig}")["links"] == [
        "www.nwtech.edu/social-media-rules", "https://www.nwtech.edu"]
    first = page["fetched_at"]

    # later: the Page drops its website; then a broken answer (a website that is not text)
    h.now = NOW + timedelta(hours=1)
    h.server.route(fb, gs.always(gs.ok({"id": fb, "about": about})))
    h.new_run().capture_account(GraphAccount(f"facebook:{fb}", "facebook", fb))
    h.flush()
    normalized(h.con)
    page = profile(h.con, f"facebook:{fb}")
    assert page["links"] == ["nwtech.edu/roe"] and page["website"] is None
    assert page["fetched_at"] > first
    assert normalize(h.con).fetches == 0  # again: nothing to apply
    assert profile(h.con, f"facebook:{fb}") == page

    h.now = NOW + timedelta(hours=2)
    h.server.route(fb, gs.always(gs.ok({"id": fb, "website": ["https://www.nwtech.edu"]})))
    h.new_run().capture_account(GraphAccount(f"facebook:{fb}", "facebook", fb))
    h.flush()
    assert normalize(h.con).quarantined == 1
    (reason,) = h.con.execute("SELECT reason FROM raw.quarantine").fetchone()
    assert reason == "profile text that is not text"
    assert profile(h.con, f"facebook:{fb}") == page  # the last good profile stays


# ------------------------------------------------------------------ the simulated district


class District:
    """A simulated district captured by the pipeline's stages into a real warehouse."""

    def __init__(self, out: Path, *, seed: int = 5, scale: float = 0.4, faults=()):
        self.world = generate_world(seed=seed, scale=scale)
        self.config = load_config(write_workspace(self.world, out))
        self.sim = SimulatedPlatforms(self.world, list(faults), photo_dir=out / "photos")
        self.access = simulated_access(self.sim)
        self.con = stages.open_warehouse(self.config)
        stages.stage_registry(self.config, self.con)
        self.runs = 0

    def capture(self) -> stages.IngestReport:
        self.runs += 1
        report = stages.stage_ingest(self.config, self.con, self.access, f"run-{self.runs}")
        stages.stage_normalize(self.con)
        return report

    def audit(self, pack: str = NW):
        return run_rules(self.con, load_pack(pack), f"audit-{self.runs}",
                         roe_urls=self.config.rules_of_engagement_urls)

    def roe_findings(self) -> dict[str, str]:
        return dict(self.con.execute(
            "SELECT subject_id, status FROM audit.findings "
            "WHERE kind = 'no_rules_of_engagement_link'").fetchall())


@pytest.fixture
def district(tmp_path):
    d = District(tmp_path)
    yield d
    d.con.close()


def profile_calls(d: District, account) -> int:
    path = (f"/2/users/{account.platform_id}" if account.platform == "x"
            else f"/v25.0/{account.platform_id}")
    return sum(p == path for _, p, _ in d.sim.requests)


def test_simulated_profiles_are_captured_once_per_run_and_normalized(district) -> None:
    d = district
    registered = d.world.registered_accounts
    assert {a.platform for a in registered} == {"x", "facebook", "instagram"}
    d.capture()
    first = d.world.now
    d.world.advance(timedelta(hours=1))
    d.capture()
    assert all(profile_calls(d, a) == 2 for a in registered)  # once per run each
    # stored raw like other pages: an unchanged profile is one page fetched twice
    rows = d.con.execute(
        "SELECT p.source, p.endpoint, count(*) FROM raw.api_pages p "
        "JOIN raw.page_fetches f USING (page_id) WHERE p.endpoint IN (?, ?, ?) "
        "GROUP BY ALL ORDER BY ALL", list(ep.PROFILE_ENDPOINTS)).fetchall()
    per_platform = {p: sum(a.platform == p for a in registered) for p in ("x", "facebook",
                                                                           "instagram")}
    assert rows == [("facebook", ":page", 2 * per_platform["facebook"]),
                    ("instagram", ":ig_user", 2 * per_platform["instagram"]),
                    ("x", "users/:id", 2 * per_platform["x"])]

    got = {r[0]: r for r in d.con.execute(
        "SELECT account_id, bio, website, links, pinned_post_id, fetched_at "
        "FROM core.account_profiles").fetchall()}
    assert set(got) == {a.key for a in registered}  # and none of an unregistered look-alike
    assert min(r[5] for r in got.values()) >= first + timedelta(hours=1)  # the 2nd capture
    raw = {r[0]: json.loads(r[1]) for r in d.con.execute(
        "SELECT account_id, body::VARCHAR FROM raw.api_pages WHERE endpoint = 'users/:id'"
    ).fetchall()}
    for a in registered:
        _, bio, website, links, pinned, _ = got[a.key]
        in_bio = re.findall(r"https?://\S+", a.bio)
        assert bio == a.bio, a.key  # X: every t.co in the description replaced by its target
        if a.platform == "x":
            shown = raw[a.key]["data"]["description"]
            assert ("https://t.co/" in shown) == bool(in_bio) and not set(in_bio) & {shown}
            assert not any("t.co/" in link for link in links)
            assert website == a.website
            assert pinned == a.pinned_post_id
            if pinned:
                post = d.world.index["item"][pinned]
                assert [u for _, u in post.urls] and {u for _, u in post.urls} <= set(links)
        elif a.platform == "facebook":
            typed = a.website.removeprefix("https://") if int(a.platform_id) % 3 == 0 \
                else a.website
            assert website == typed
        else:
            assert website == a.website
        assert links[:len(in_bio)] == in_bio and (website in links)
    assert any(r[4] for r in got.values())  # an official X account pins a post
    typed = [r[2] for r in got.values() if r[2] and not r[2].startswith("http")]
    assert typed  # some Pages give their website without a scheme


def test_a_pinned_post_with_the_link_counts_and_unpinning_it_reopens(district) -> None:
    d = district
    roe = d.world.district["url"] + ROE_PATH
    account = next(a for a in d.world.registered_accounts
                   if a.platform == "x" and a.pinned_post_id)
    account.bio = account.bio.split(" Rules of engagement")[0].split(" Please read")[0]
    account.website = d.world.district["url"]  # the home page only: no link to the rules
    d.capture()
    d.audit()
    assert d.roe_findings()[account.key] == "open"

    post = d.world.index["item"][account.pinned_post_id]
    tco = "https://t.co/RoELink001"
    post.text, post.urls = f"Please read our rules before you comment: {tco}", [(tco, roe)]
    d.world.advance(timedelta(hours=1))
    d.capture()
    d.audit()
    assert roe in profile(d.con, account.key)["links"]
    assert d.roe_findings()[account.key] == "cleared"

    account.pinned_post_id = None
    d.world.advance(timedelta(hours=1))
    d.capture()
    result = d.audit()
    assert profile(d.con, account.key)["pinned_post_id"] is None
    assert d.roe_findings()[account.key] == "open"
    assert "account_governance" not in result.notes
    fid = finding_id("account_governance", account.key, "no_rules_of_engagement_link")
    assert d.con.execute("SELECT count(*) FROM audit.findings WHERE finding_id = ?",
                         [fid]).fetchone()[0] == 1


def test_a_refused_profile_costs_only_the_profile_and_the_run_says_so(tmp_path) -> None:
    world = generate_world(seed=5, scale=0.4)
    posted = world.index["posts_of"]
    x, fb = (next(a for a in world.registered_accounts
                  if a.platform == platform and posted[(platform, a.platform_id)])
             for platform in ("x", "facebook"))
    faults = [Fault("permission", "x", path_contains=f"/2/users/{x.platform_id}"),
              Fault("permission", "graph", path_contains=f"/{fb.platform_id}")]
    d = District(tmp_path, faults=faults)
    try:
        report = d.capture()
        refused = [(p, path) for p, path, status in d.sim.requests if status == 403]
        assert sorted(refused) == [("graph", f"/v25.0/{fb.platform_id}"),
                                   ("x", f"/2/users/{x.platform_id}")]
        outcomes = {o.account_key: o for o in report.outcomes}
        for a in (x, fb):
            assert outcomes[a.key].status == "partial"
            assert "profile not captured" in outcomes[a.key].message
            assert profile(d.con, a.key) is None
        assert report.failed == []
        posts = {r[0] for r in d.con.execute(
            "SELECT DISTINCT account_id FROM core.items WHERE kind = 'post'").fetchall()}
        assert {x.key, fb.key} <= posts  # their posts were captured all the same
        log = d.con.execute("SELECT status, message FROM raw.fetch_log WHERE account_id = ? "
                            "AND endpoint IS NULL", [fb.key]).fetchall()
        assert log[-1][0] == "partial" and "profile not captured" in log[-1][1]

        result = d.audit()
        note = result.notes["account_governance"]
        assert note.startswith("2 account(s)") and x.key in note and fb.key in note
        assert not {x.key, fb.key} & set(d.roe_findings())
    finally:
        d.con.close()


# ------------------------------------------------------------------------------ the config

CONFIG = """
[district]
name = "Northwest Technology Center"
[registry]
accounts = "accounts.csv"
[checks]
"""


@pytest.mark.parametrize(("value", "expected"), [
    (f'"{ROE}"', (ROE,)),
    (f'["{ROE}", "bit.ly/nw-roe", "{ROE}"]', (ROE, "bit.ly/nw-roe")),
    ("[]", ()),
])
def test_rules_of_engagement_urls_in_the_config(tmp_path, value, expected) -> None:
    path = tmp_path / "socialaudit.toml"
    path.write_text(CONFIG + f"rules_of_engagement_urls = {value}\n", encoding="utf-8")
    assert load_config(path).rules_of_engagement_urls == expected


@pytest.mark.parametrize("value", ['"the rules page"', "[5]", '["https://"]', "true"])
def test_a_bad_rules_of_engagement_url_is_refused_naming_the_key(tmp_path, value) -> None:
    path = tmp_path / "socialaudit.toml"
    path.write_text(CONFIG + f"rules_of_engagement_urls = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[checks\] rules_of_engagement_urls"):
        load_config(path)
