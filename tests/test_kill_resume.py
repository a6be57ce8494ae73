"""Nothing lost, nothing doubled: a run killed at any point and run again ends with the warehouse
an uninterrupted run leaves.

Real processes: ``python -m pipelines.cli run`` on a simulated district whose clock is pinned in
its ``socialaudit.toml`` (every process sees the same world). ``SOCIALAUDIT_TEST_KILL_AT`` makes
the process SIGKILL itself inside a stage's transaction (``warehouse/killpoints.py``): no
rollback, no ``finally``, a WAL left behind. The warehouses are compared table by table with
``tests/warehouse_dump.py``, leaving out only run ids and wall-clock times.

A killed run is a real run: the pages it committed were really fetched, so its ingest adds
what a second run would (``raw.page_fetches``, a ``since`` page that repeats the newest post,
``registry.loads``). So a warehouse killed during ingest and run again must lie *between* the
warehouse after one uninterrupted run and the one after two (every row of the first, nothing
the second lacks, items and cursors exactly the first's but for the page an item was last seen
on); killed after its capture committed, it must equal the two-run warehouse exactly; killed
during the audit, exactly the warehouse of an uninterrupted ingest and audit, findings ids and
statuses included. Runs killed before their work is committed record nothing in
``audit.runs``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from connectors.simulated import generate_world, write_workspace
from pipelines.config import load_config
from tests.warehouse_dump import Dump, columns_of, diff, dump
from warehouse.killpoints import ENV as KILL_ENV

SEED = 11
SCALE = 0.15
AUDIT_SCALE = 0.08  # the detectors are the slow part: fewer items and photos to score
ROOT = Path(__file__).resolve().parents[1]
INGEST_SCHEMAS = ("registry", "raw", "core")


def make_workspace(folder: Path, scale: float = SCALE) -> Path:
    world = generate_world(seed=SEED, scale=scale)
    config = write_workspace(world, folder)
    pinned = load_config(config).simulated
    assert pinned is not None and pinned.now == world.now == world.end  # the clock is pinned
    return config


def command(config: Path, job: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "run", "--config", str(config), "--job", job,
            "--quiet"]


def run(config: Path, job: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    """``socialaudit run`` in a child process; with ``kill_at`` it must die there."""
    env = {k: v for k, v in os.environ.items() if k != KILL_ENV}
    if kill_at:
        env[KILL_ENV] = kill_at
    proc = subprocess.run(command(config, job), env=env, capture_output=True, text=True,
                          timeout=900, cwd=ROOT)
    if kill_at:
        assert proc.returncode == -9, f"not killed at {kill_at}: {proc.returncode}\n{proc.stderr}"
    else:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def snapshot(config: Path, schemas: tuple[str, ...] | None = None) -> Dump:
    """The canonical dump of the workspace's warehouse (workspace paths made relative)."""
    kwargs = {"schemas": schemas} if schemas else {}
    return dump(config.parent / "warehouse.duckdb", root=config.parent, **kwargs)


def runs(config: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(config.parent / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT job, status FROM audit.runs ORDER BY started_at").fetchall()
    finally:
        con.close()


def assert_clean_workspace(config: Path) -> None:
    """A completed run leaves no WAL and no half-written snapshot behind."""
    folder = config.parent
    leftovers = sorted(p.name for p in folder.iterdir()
                       if p.name.endswith((".wal", ".tmp")) or ".tmp" in p.name)
    assert leftovers == [], leftovers
    assert (folder / "snapshot.duckdb").exists()


def assert_between(once: Dump, resumed: Dump, twice: Dump) -> None:
    """Every table of ``resumed`` holds each row of ``once`` and nothing a second uninterrupted
    run would not have; tables that a second run leaves as they were must be equal."""
    problems = []
    assert set(resumed) == set(once) == set(twice)
    for table in sorted(resumed):
        lo, mid, hi = Counter(once[table]), Counter(resumed[table]), Counter(twice[table])
        if lo == hi:
            if mid != lo:
                problems += diff({table: once[table]}, {table: resumed[table]})
            continue
        foreign = mid - (lo | hi)
        if len(once[table]) == len(twice[table]):  # state: as one run or two runs left it
            lost = {r[0] for r in lo} - {r[0] for r in mid}
            ok = len(once[table]) == len(resumed[table]) and not lost and not foreign
        else:  # a log: it keeps every row of one run and holds at most those of two
            lost = lo - mid
            ok = not lost and mid <= hi
        if not ok:
            problems.append(f"{table}: {len(once[table])} <= {len(resumed[table])} <= "
                            f"{len(twice[table])}? lost {list(lost)[:3]}, "
                            f"foreign {list(foreign)[:3]}, over {list(mid - hi)[:3]}")
    assert problems == [], "\n".join(problems)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict[str, Dump]:
    """The registry, raw and core layers after one uninterrupted ``run --job ingest``, and
    after a second one."""
    config = make_workspace(tmp_path_factory.mktemp("ingested"))
    run(config, "ingest")
    once = ingest_part(snapshot(config, INGEST_SCHEMAS))
    run(config, "ingest")
    twice = ingest_part(snapshot(config, INGEST_SCHEMAS))
    assert once != twice  # a second run adds fetches: the comparison below is not vacuous
    return {"once": once, "twice": twice}


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> Dump:
    """The whole warehouse after an uninterrupted ingest and audit."""
    config = make_workspace(tmp_path_factory.mktemp("audited"), AUDIT_SCALE)
    run(config, "ingest")
    run(config, "audit")
    audited = snapshot(config)
    assert audited["audit.findings"], "the simulated district has planted violations"
    assert {r[0] for r in audited["audit.signals"]} == {
        "teacher-content", "comment", "confidential", "controversy", "faces"}
    return audited


def ingest_part(d: Dump) -> Dump:
    return {k: v for k, v in d.items() if k.split(".")[0] in INGEST_SCHEMAS}


# Accounts are captured Facebook, Instagram, then X, each committed as one batch: killed while
# committing the 6th (five Facebook Pages kept) or the 19th (two X accounts kept).
@pytest.mark.parametrize("kill_at", ["ingest:before_commit#6", "ingest:before_commit#19"])
def test_killed_during_ingest_then_rerun_loses_and_doubles_nothing(tmp_path, ingested, kill_at):
    config = make_workspace(tmp_path / "ws")
    run(config, "ingest", kill_at=kill_at)
    con = duckdb.connect(str(config.parent / "warehouse.duckdb"), read_only=True)
    try:
        committed = con.execute("SELECT count(DISTINCT account_id) FROM raw.api_pages").fetchone()
    finally:
        con.close()
    assert 0 < committed[0] < len(ingested["once"]["registry.accounts"])
    run(config, "ingest")
    resumed = ingest_part(snapshot(config, INGEST_SCHEMAS))
    assert_between(ingested["once"], resumed, ingested["twice"])
    # every item as one uninterrupted run left it, but for the page it was last seen on
    page = columns_of(config.parent / "warehouse.duckdb", "core.items").index("last_page_id")
    assert sorted(r[:page] + r[page + 1:] for r in resumed["core.items"]) == sorted(
        r[:page] + r[page + 1:] for r in ingested["once"]["core.items"])
    for table in ("core.item_versions", "core.media", "raw.cursors", "raw.quarantine"):
        assert resumed[table] == ingested["once"][table], table
    assert runs(config) == [("ingest", "ok")]
    assert_clean_workspace(config)


def test_killed_from_outside_then_rerun_loses_and_doubles_nothing(tmp_path, ingested):
    """SIGKILL from another process once the run has committed some 100 kB (its WAL: the
    migrations and the registry come to about half that, so the kill lands in the capture).
    Wherever it lands, the run again leaves what one or two uninterrupted runs leave."""
    config = make_workspace(tmp_path / "ws")
    wal = config.parent / "warehouse.duckdb.wal"
    env = {k: v for k, v in os.environ.items() if k != KILL_ENV}
    proc = subprocess.Popen(command(config, "ingest"), env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline and (
            not wal.exists() or wal.stat().st_size < 100_000):
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (-9, 0), err.decode()[-3000:]
    run(config, "ingest")
    assert_between(ingested["once"], ingest_part(snapshot(config, INGEST_SCHEMAS)),
                   ingested["twice"])
    assert_clean_workspace(config)


def test_killed_during_normalization_then_rerun_equals_two_runs(tmp_path, ingested):
    config = make_workspace(tmp_path / "ws")
    run(config, "ingest", kill_at="normalize:before_commit")
    con = duckdb.connect(str(config.parent / "warehouse.duckdb"), read_only=True)
    try:  # the capture was committed; the normalization was not
        assert con.execute("SELECT count(*) FROM raw.api_pages").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM core.items").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM core.normalized_pages").fetchone()[0] == 0
    finally:
        con.close()
    run(config, "ingest")
    resumed = ingest_part(snapshot(config, INGEST_SCHEMAS))
    assert diff(ingested["twice"], resumed) == []
    assert_clean_workspace(config)


def test_audit_killed_at_every_commit_then_rerun_equals_an_uninterrupted_run(tmp_path, audited):
    """Signals (a batch committed, the next killed), rules, the snapshot's rename: one kill
    after another on the same warehouse, then a run to the end."""
    config = make_workspace(tmp_path / "ws", AUDIT_SCALE)
    run(config, "ingest")
    run(config, "audit", kill_at="signals:before_commit#2")
    con = duckdb.connect(str(config.parent / "warehouse.duckdb"), read_only=True)
    try:
        scored = dict(con.execute("SELECT detector, count(*) FROM audit.signals "
                                  "GROUP BY ALL").fetchall())
        assert con.execute("SELECT count(*) FROM audit.findings").fetchone()[0] == 0
    finally:
        con.close()
    assert len(scored) == 1, scored  # the first batch was kept, the second was not
    run(config, "audit", kill_at="rules:before_commit")
    run(config, "audit", kill_at="snapshot:before_rename")
    run(config, "audit")
    final = snapshot(config)
    assert diff({k: v for k, v in audited.items() if k != "audit.runs"},
                {k: v for k, v in final.items() if k != "audit.runs"}) == []
    # runs killed in the signals or the rules record nothing; the one killed while publishing
    # had committed all its work and recorded it (the snapshot shows its own run)
    assert runs(config) == [("ingest", "ok"), ("audit", "ok"), ("audit", "ok")]
    assert_clean_workspace(config)
