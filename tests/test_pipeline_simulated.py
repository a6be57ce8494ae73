"""The ingest and normalize stages over the simulated district, through the real clients:
faults survived, nothing doubled by re-runs, incremental runs fetch only what is new."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from connectors.simulated import Fault, SimulatedPlatforms, generate_world, write_workspace
from pipelines import stages
from pipelines.config import Config, load_config
from pipelines.platforms import simulated_access
from warehouse import db

SCALE = 0.3


class District:
    """A simulated world, its workspace, a warehouse, and runs of the stages over them."""

    def __init__(self, tmp: Path, *, faults=(), seed: int = 5, back: timedelta = timedelta(0)):
        self.world = generate_world(seed=seed, scale=SCALE)
        self.world.set_now(self.world.now - back)
        self.config: Config = load_config(write_workspace(self.world, tmp / "ws"))
        self.sim = SimulatedPlatforms(self.world, faults, photo_dir=tmp / "photos")
        self.access = simulated_access(self.sim)
        self.con = db.connect(self.config.warehouse_path)
        self.runs = 0

    def run(self) -> stages.IngestReport:
        self.runs += 1
        stages.stage_registry(self.config, self.con)
        report = stages.stage_ingest(self.config, self.con, self.access, f"run-{self.runs}")
        stages.stage_normalize(self.con)
        return report

    def scalar(self, sql: str, *params):
        return self.con.execute(sql, list(params)).fetchone()[0]

    def items(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT item_id FROM core.items").fetchall()}

    def calls(self, platform: str) -> list[tuple[str, str, int]]:
        return [r for r in self.sim.requests if r[0] == platform]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> set[str]:
    """What an uninterrupted run captures."""
    district = District(tmp_path_factory.mktemp("baseline"))
    report = district.run()
    assert report.failed == []
    return district.items()


def test_rate_limit_is_waited_out_in_simulated_time(tmp_path, baseline):
    district = District(tmp_path, faults=[Fault("rate_limit", "x", after_requests=1,
                                                retry_after=30)])
    before = district.world.now
    report = district.run()
    assert report.failed == []
    assert any(status == 429 for _, _, status in district.calls("x"))
    assert district.world.now >= before + timedelta(seconds=30)
    assert district.items() == baseline


def test_server_errors_are_retried(tmp_path, baseline):
    district = District(tmp_path, faults=[Fault("server_error", "graph", after_requests=3,
                                                times=2)])
    report = district.run()
    assert report.failed == []
    assert sum(1 for _, _, s in district.calls("graph") if s >= 500) == 2
    assert district.items() == baseline


def test_token_expired_mid_account_keeps_pages_and_the_next_run_completes(tmp_path, baseline):
    district = District(tmp_path, faults=[Fault("token_expired", "facebook",
                                                path_contains="/comments", after_requests=2)])
    report = district.run()
    (failed,) = report.failed
    assert failed.status == "auth_error" and failed.platform == "facebook"
    assert failed.account_key in failed.message and "token" in failed.message
    # every page the account got before its token expired is kept: its posts at least
    page_id = failed.account_key.split(":")[1]
    answered = sum(1 for _, path, status in district.calls("graph")
                   if status == 200 and page_id in path)
    assert district.scalar("SELECT count(*) FROM raw.api_pages WHERE account_id = ?",
                           failed.account_key) == answered >= 1
    assert district.scalar("SELECT count(*) FROM raw.api_pages WHERE account_id = ? "
                           "AND endpoint = ':page/posts'", failed.account_key) >= 1
    others = [o for o in report.outcomes if o.account_key != failed.account_key]
    assert others and all(o.status in ("ok", "partial") for o in others)
    assert district.scalar("SELECT count(*) FROM raw.fetch_log WHERE status = 'auth_error' "
                           "AND account_id = ?", failed.account_key) == 1

    second = district.run()
    assert second.failed == []
    assert district.items() == baseline


def test_malformed_page_is_quarantined_and_the_run_goes_on(tmp_path, baseline):
    district = District(tmp_path, faults=[Fault("malformed_page", "instagram",
                                                path_contains="/comments", after_requests=1)])
    report = district.run()
    assert report.failed == []
    quarantined = district.con.execute(
        "SELECT source, endpoint, reason, body_text FROM raw.quarantine").fetchall()
    assert len(quarantined) == 1
    source, endpoint, reason, body = quarantined[0]
    assert (source, endpoint) == ("instagram", ":ig_media/comments")
    assert reason and body  # the text as received is kept with the reason
    assert len(district.items()) > 0.9 * len(baseline)
    district.run()  # the next run fetches the edge again
    assert district.items() == baseline


def test_rerunning_adds_no_duplicates(tmp_path):
    district = District(tmp_path)
    district.run()
    items = district.scalar("SELECT count(*) FROM core.items")
    media = district.scalar("SELECT count(*) FROM core.media")
    versions = district.scalar("SELECT count(*) FROM core.item_versions")
    district.run()
    stages.stage_normalize(district.con)
    assert district.scalar("SELECT count(*) FROM core.items") == items
    assert district.scalar("SELECT count(*) FROM core.media") == media
    assert district.scalar("SELECT count(*) FROM core.item_versions") == versions
    assert district.scalar("""SELECT count(*) FROM (SELECT source, endpoint, object_id, sha256
                              FROM raw.api_pages GROUP BY ALL HAVING count(*) > 1)""") == 0
    assert district.scalar("SELECT max(seen_count) FROM core.observations") >= 2


def test_a_second_run_fetches_only_new_posts(tmp_path):
    district = District(tmp_path, back=timedelta(days=3))
    district.run()
    first_now = district.world.now
    old_items = district.items()
    cursors = {(account, endpoint): json.loads(state) for account, endpoint, state in
               district.con.execute("""SELECT account_id, endpoint, state FROM raw.cursors
                  WHERE endpoint IN ('users/:id/tweets', ':page/posts')""").fetchall()}
    district.world.advance(timedelta(days=3))
    mark = len(district.sim.requests)
    district.run()
    new_items = district.items() - old_items
    assert new_items, "the world has posts from the last three days"
    created = district.con.execute(
        "SELECT min(created_at) FROM core.items WHERE item_id IN (SELECT unnest(?))",
        [sorted(new_items)]).fetchone()[0]
    assert created > first_now - timedelta(days=1)
    # the timelines were asked from their cursors: since_id on X, since on Facebook
    sent = district.con.execute("""
        SELECT account_id, endpoint, request_params FROM raw.api_pages WHERE run_id = 'run-2'
          AND endpoint IN ('users/:id/tweets', ':page/posts')""").fetchall()
    checked = 0
    for account, endpoint, params in sent:
        key = "since_id" if endpoint == "users/:id/tweets" else "since"
        expected = cursors.get((account, endpoint), {}).get(key)
        if expected is not None:
            assert str(json.loads(params)[key]) == str(expected)
            checked += 1
    assert checked >= 5
    later = district.sim.requests[mark:]
    assert len(later) < mark  # far fewer requests than the first, full capture


def test_a_simulated_capture_is_recorded_on_the_worlds_clock(tmp_path):
    # pages, cursors and the capture log of every platform carry the simulated time, so the
    # capture health a demo dashboard reports "as of" that time sees the captures
    district = District(tmp_path)
    start = district.world.now
    district.run()
    end = district.world.now
    for table, column in (("raw.api_pages", "fetched_at"), ("raw.fetch_log", "logged_at"),
                          ("raw.cursors", "updated_at")):
        per_source = district.con.execute(
            f"SELECT source, min({column}), max({column}) FROM {table} GROUP BY 1"  # noqa: S608
        ).fetchall()
        assert {r[0] for r in per_source} >= {"x", "facebook", "instagram"}, table
        for source, first, last in per_source:
            assert start <= first and last <= end, (table, source, first, last)


def test_a_new_process_on_the_same_workspace_captures_after_the_last_capture(tmp_path):
    # every process builds the world at the workspace's "now": its clock catches up with the
    # warehouse, so a second run is never recorded at (or before) the first run's instants
    district = District(tmp_path)
    district.run()
    first_end = district.scalar("SELECT max(logged_at) FROM raw.fetch_log")
    fresh = SimulatedPlatforms(generate_world(seed=5, scale=SCALE), (),
                               photo_dir=tmp_path / "photos2")
    stages.stage_ingest(district.config, district.con, simulated_access(fresh), "run-2")
    second = district.con.execute(
        "SELECT min(logged_at) FROM raw.fetch_log WHERE run_id = 'run-2'").fetchone()[0]
    assert second > first_end


def test_reports_of_a_demo_run_are_as_of_its_last_capture(tmp_path):
    # waits move the simulated clock past the workspace's "now": capture health judged before
    # the last capture would call the accounts captured last "never captured"
    district = District(tmp_path, faults=[Fault("rate_limit", "x", after_requests=1,
                                                retry_after=30)])
    district.run()
    last = district.scalar("SELECT max(logged_at) FROM raw.fetch_log")
    configured = district.config.simulated.now or district.config.simulated.end
    assert last > configured
    assert stages.report_clock(district.config, district.con) == last
