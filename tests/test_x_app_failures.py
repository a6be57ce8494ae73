"""Failures of the X app as a whole, through the simulator's faults and the real tweepy client.

Every X account shares one bearer token and one balance of pay-per-use credits: after a 402 or a
401 the ingest stage stops X for the rest of the run and says so once, while Facebook and
Instagram go on. A plan without full-archive search (403 ``client-not-enrolled`` on
``/2/tweets/search/all``) makes the run fall back to recent search, with a warning, instead of
failing the accounts.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from connectors.simulated import Fault, SimulatedPlatforms, generate_world, write_workspace
from pipelines import stages
from pipelines.config import Config, load_config
from pipelines.platforms import simulated_access
from warehouse import db

SCALE = 0.1  # a handful of X accounts, a dozen Facebook and Instagram ones


class District:
    def __init__(self, tmp: Path, faults=(), *, search: str | None = None):
        self.world = generate_world(seed=5, scale=SCALE)
        config = load_config(write_workspace(self.world, tmp / "ws"))
        if search is not None:
            config = dataclasses.replace(config, x=dataclasses.replace(config.x, search=search))
        self.config: Config = config
        self.sim = SimulatedPlatforms(self.world, faults, photo_dir=tmp / "photos")
        self.access = simulated_access(self.sim)
        self.con = db.connect(self.config.warehouse_path)
        self.events: list[tuple[str, dict]] = []
        self.runs = 0

    def run(self) -> stages.IngestReport:
        self.runs += 1
        stages.stage_registry(self.config, self.con)
        report = stages.stage_ingest(self.config, self.con, self.access, f"run-{self.runs}",
                                     progress=lambda e, i: self.events.append((e, i)))
        stages.stage_normalize(self.con)
        return report

    def x_accounts(self) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT account_key FROM registry.accounts WHERE platform = 'x' "
            "ORDER BY account_key").fetchall()]

    def log(self, run: int) -> list[tuple]:
        return self.con.execute(
            "SELECT account_id, source, status, error_code, message FROM raw.fetch_log "
            "WHERE run_id = ? ORDER BY logged_at", [f"run-{run}"]).fetchall()

    def x_calls(self) -> list[tuple[str, int]]:
        return [(path, status) for platform, path, status in self.sim.requests
                if platform == "x"]

    def items(self, platform: str) -> set[str]:
        return {r[0] for r in self.con.execute(
            "SELECT item_id FROM core.items WHERE platform = ?", [platform]).fetchall()}


def check_stopped_once(d: District, report: stages.IngestReport, status: str,
                       says: str) -> None:
    x_keys = d.x_accounts()
    x_outcomes = [o for o in report.outcomes if o.platform == "x"]
    (failed,) = [o for o in x_outcomes if o.status != "ok"]
    assert failed.status == status
    done = [o.account_key for o in x_outcomes]
    assert done[-1] == failed.account_key  # nothing tried after it
    assert report.skipped == [k for k in x_keys if k not in done] != []
    # the error and the stop, said once: in the failed account's message ...
    message = failed.message
    assert says in message and failed.account_key in message
    assert "X capture stopped for the rest of this run" in message
    assert f"{len(report.skipped)} other X account(s) not attempted" in message
    assert report.skipped[0] in message and "Facebook and Instagram go on" in message
    assert message.count("X capture stopped") == 1
    printed = [i["message"] for e, i in d.events if e == "account_done" and i["message"]]
    assert sum("X capture stopped" in m for m in printed) == 1
    # ... and in one fetch-log row, none for the accounts not attempted
    log = d.log(d.runs)
    (stop,) = [r for r in log if r[2] == "skipped"]
    assert stop[:2] == (None, "x") and f"{failed.account_key} failed" in stop[4]
    assert not {r[0] for r in log} & set(report.skipped)
    # X was asked nothing after the failing answer
    calls = d.x_calls()
    first_bad = next(i for i, (_, code) in enumerate(calls) if code >= 400)
    assert first_bad == len(calls) - 1
    # the other platforms were all captured
    others = [o for o in report.outcomes if o.platform != "x"]
    registered = d.con.execute("SELECT count(*) FROM registry.accounts "
                               "WHERE platform <> 'x'").fetchone()[0]
    assert len(others) == registered > 10 and all(o.status == "ok" for o in others)
    assert d.items("facebook") and d.items("instagram")
    # no token anywhere in what was said
    token = d.world.x_bearer_token
    assert all(token not in (r[4] or "") for r in log) and token not in message


def test_credits_exhausted_stops_x_for_the_run_and_the_next_run_resumes(tmp_path) -> None:
    d = District(tmp_path, [Fault("credits_exhausted", "x", after_requests=3, times=None)])
    report = d.run()
    check_stopped_once(d, report, "credits_exhausted", "X API credits exhausted (HTTP 402")
    assert "does not have any credits" in report.failed[0].message
    assert [code for _, code in d.x_calls()].count(402) == 1

    d.sim.clear_faults()  # credits added
    again = d.run()
    assert again.failed == [] and again.skipped == []
    assert {o.account_key for o in again.outcomes if o.platform == "x"} == set(d.x_accounts())
    clean = District(tmp_path / "clean")
    clean.run()
    assert d.items("x") == clean.items("x")


def test_revoked_bearer_token_stops_x_once_naming_the_variable_not_the_token(tmp_path) -> None:
    d = District(tmp_path, [Fault("token_expired", "x", after_requests=6, times=None)])
    report = d.run()
    check_stopped_once(d, report, "auth_error", "X token expired or invalid (HTTP 401")
    assert d.config.x.bearer_token_env in report.failed[0].message
    assert [code for _, code in d.x_calls()].count(401) == 1


def test_plan_without_full_archive_search_falls_back_to_recent_search(tmp_path) -> None:
    d = District(tmp_path, [Fault("permission", "x", path_contains="/search/all",
                                  times=None)])
    assert d.config.x.search == "all"
    report = d.run()
    assert report.failed == [] and report.skipped == []
    x_outcomes = [o for o in report.outcomes if o.platform == "x"]
    warned = [o for o in x_outcomes if o.status == "partial"]
    assert warned and all(o.status in ("ok", "partial") for o in x_outcomes)
    for outcome in warned:
        assert "full-archive search is not available to this X app" in outcome.message
        assert "recent search for this run" in outcome.message
    # full-archive search was asked once; every conversation went to recent search instead
    calls = d.x_calls()
    assert [(p, c) for p, c in calls if p.endswith("/search/all")] == [
        ("/2/tweets/search/all", 403)]
    assert sum(1 for p, c in calls if p.endswith("/search/recent") and c == 200) > 0
    # the same replies as a district configured for recent search
    recent = District(tmp_path / "recent", search="recent")
    assert recent.run().failed == []
    assert d.items("x") == recent.items("x")
    # older threads wait for a run where full-archive search answers
    states = [json.loads(s) for (s,) in d.con.execute(
        "SELECT state FROM raw.cursors WHERE endpoint = 'tweets/search/all' AND object_id = ''"
    ).fetchall()]
    assert states and sum(len(s.get("backfill") or {}) for s in states) > 0

    d.sim.clear_faults()  # the plan now includes it
    mark = len(d.sim.requests)
    later = d.run()
    assert later.failed == [] and all(o.status == "ok" for o in later.outcomes)
    assert any(p.endswith("/search/all") and c == 200
               for _, p, c in d.sim.requests[mark:])
    assert d.items("x") >= recent.items("x")
