"""Nothing lost, nothing doubled: a run killed at any point and run again ends with the warehouse
an uninterrupted run leaves.

Real processes: ``python -m pipelines.cli run`` on a simulated district whose clock is pinned in
its ``socialaudit.toml`` (every process sees the same world). ``SOCIALAUDIT_TEST_KILL_AT`` makes
the process SIGKILL itself inside a stage's transaction (``warehouse/killpoints.py``): no
rollback, no ``finally``, a WAL left behind. The warehouses are compared table by table with
``tests/warehouse_dump.py``, leaving out only run ids and wall-clock times.

What "the same warehouse" means for ingest. Each stage commits in one transaction, except the
capture, which commits account by account on purpose (issue 2: pages fetched before a token
expires are kept and the next run resumes from them). So a killed run is, for each account whose
capture it committed, a real capture: the rerun is that account's *second* capture, which adds
what any second run adds (a fetch in ``raw.page_fetches``, a ``since`` page repeating the newest
post, a ``raw.fetch_log`` row, a higher ``seen_count``) and nothing else. The exact expectation
is therefore per account: every row that belongs to an account (raw pages, fetches, cursors,
fetch log, items with their versions, media and observations, normalization bookkeeping) is the
row one uninterrupted run leaves when the killed run had not committed that account, and the row
two uninterrupted runs leave when it had; the registry (loaded and committed before the capture)
is as two runs leave it. Nothing may be missing, doubled or foreign. What findings read (item
texts, states, authors, threads, versions, media) is exactly one uninterrupted run's: only
capture bookkeeping (``last_page_id``, ``seen_count``) follows the number of captures, and no
rule, detector input or dashboard reads it. Killed after its capture committed, a run is two
runs; killed during the audit, the warehouse is exactly an uninterrupted ingest and audit's,
findings ids and statuses included. Runs killed before their work is committed record nothing
in ``audit.runs``.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from connectors.simulated import generate_world, write_workspace
from pipelines.config import load_config
from tests.once import once
from tests.warehouse_dump import Dump, Row, columns_of, diff, dump
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


def dumped_columns(path: Path, table: str) -> list[str]:
    """The column names of a dumped row of ``table`` (raw pages are dumped without page_id)."""
    columns = columns_of(path, table)
    return [c for c in columns if c != "page_id"] if table == "raw.api_pages" else columns


def owner(d: Dump, columns: dict[str, list[str]]) -> Callable[[str, Row], str]:
    """The account a dumped row belongs to ("registry" for the registry's tables): its own
    ``account_id``, its page's or its item's."""
    def col(table: str, name: str) -> int:
        return columns[table].index(name)

    page_account = {r[col("raw.api_pages", "page_key")]: r[col("raw.api_pages", "account_id")]
                    for r in d["raw.api_pages"]}
    item_account = {r[col("core.items", "item_id")]: r[col("core.items", "account_id")]
                    for r in d["core.items"]}

    def account(table: str, row: Row) -> str:
        if table.startswith("registry."):
            return "registry"
        if "account_id" in columns[table]:
            return row[col(table, "account_id")]
        if "item_id" in columns[table]:
            return item_account[row[col(table, "item_id")]]
        return page_account[row[col(table, "page_id")]]  # fetches, normalization bookkeeping

    return account


def committed_captures(path: Path) -> set[str]:
    """The accounts whose capture a killed run committed (and "registry" if it loaded it)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        if "raw.fetch_log" not in tables:
            return set()  # killed before the migrations committed
        committed = {a for (a,) in con.execute(
            "SELECT account_id FROM raw.fetch_log UNION SELECT account_id FROM raw.api_pages"
        ).fetchall()}
        if con.execute("SELECT count(*) FROM registry.loads").fetchone()[0]:
            committed.add("registry")
        return {str(a) if a is not None else "NULL" for a in committed}
    finally:
        con.close()


def expected_after_resume(once: Dump, twice: Dump, committed: set[str],
                          columns: dict[str, list[str]]) -> Dump:
    """Per account: two runs' rows where the killed run had committed its capture, one run's
    where it had not (see the module docstring)."""
    of_once, of_twice = owner(once, columns), owner(twice, columns)
    return {table: sorted([r for r in once[table] if of_once(table, r) not in committed]
                          + [r for r in twice[table] if of_twice(table, r) in committed])
            for table in once}


def media_files(config: Path) -> dict[str, str]:
    """Every file of the workspace's media folder (temp files included): path -> sha256."""
    folder = load_config(config).media_dir
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict:
    """The registry, raw and core layers after one uninterrupted ``run --job ingest`` and after
    a second one; the media folder; the column names of the dumped rows."""
    return once(tmp_path_factory, "kill-resume-ingested", ingest_twice)


def ingest_twice(folder: Path) -> dict:
    config = make_workspace(folder)
    run(config, "ingest")
    once = ingest_part(snapshot(config, INGEST_SCHEMAS))
    media = media_files(config)
    run(config, "ingest")
    twice = ingest_part(snapshot(config, INGEST_SCHEMAS))
    assert once != twice  # a second run adds fetches: the comparisons below are not vacuous
    assert media and media_files(config) == media  # images stored once, by content
    path = config.parent / "warehouse.duckdb"
    return {"once": once, "twice": twice, "media": media,
            "columns": {t: dumped_columns(path, t) for t in once}}


@pytest.fixture(scope="module")
def audited(tmp_path_factory) -> Dump:
    """The whole warehouse after an uninterrupted ingest and audit."""
    return once(tmp_path_factory, "kill-resume-audited", ingest_and_audit)


def ingest_and_audit(folder: Path) -> Dump:
    config = make_workspace(folder, AUDIT_SCALE)
    run(config, "ingest")
    run(config, "audit")
    audited = snapshot(config)
    assert audited["audit.findings"], "the simulated district has planted violations"
    assert {r[0] for r in audited["audit.signals"]} == {
        "teacher-content", "comment", "confidential", "controversy", "faces"}
    return audited


def ingest_part(d: Dump) -> Dump:
    return {k: v for k, v in d.items() if k.split(".")[0] in INGEST_SCHEMAS}


def assert_resumed(config: Path, ingested: dict, committed: set[str]) -> Dump:
    """The warehouse after the rerun is, account by account, what one or two uninterrupted
    runs leave (see the module docstring); what findings read is exactly one run's."""
    resumed = ingest_part(snapshot(config, INGEST_SCHEMAS))
    expected = expected_after_resume(ingested["once"], ingested["twice"], committed,
                                     ingested["columns"])
    assert diff(expected, resumed) == []
    page = ingested["columns"]["core.items"].index("last_page_id")
    assert sorted(r[:page] + r[page + 1:] for r in resumed["core.items"]) == sorted(
        r[:page] + r[page + 1:] for r in ingested["once"]["core.items"])
    for table in ("core.item_versions", "core.media", "raw.cursors", "raw.quarantine"):
        assert resumed[table] == ingested["once"][table], table
    return resumed


# Accounts are captured Facebook, Instagram, then X, each committed as one batch: killed while
# committing the 6th (five Facebook Pages kept) or the 19th (eighteen accounts kept).
@pytest.mark.parametrize(("kill_at", "kept"), [("ingest:before_commit#6", 5),
                                               ("ingest:before_commit#19", 18)])
def test_killed_during_ingest_then_rerun_loses_and_doubles_nothing(tmp_path, ingested, kill_at,
                                                                   kept):
    config = make_workspace(tmp_path / "ws")
    run(config, "ingest", kill_at=kill_at)
    committed = committed_captures(config.parent / "warehouse.duckdb")
    assert len(committed - {"registry"}) == kept and "registry" in committed
    run(config, "ingest")
    resumed = assert_resumed(config, ingested, committed)
    # neither one run nor two: the per-account expectation is the only one that holds
    assert diff(ingested["once"], resumed) and diff(ingested["twice"], resumed)
    assert runs(config) == [("ingest", "ok")]
    assert_clean_workspace(config)


def test_killed_from_outside_then_rerun_loses_and_doubles_nothing(tmp_path, ingested):
    """SIGKILL from another process once the run has committed some 100 kB (its WAL: the
    migrations and the registry come to about half that, so the kill lands in the capture).
    Wherever it lands, the rerun leaves, account by account, what one or two runs leave."""
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
    committed = committed_captures(config.parent / "warehouse.duckdb")
    run(config, "ingest")
    assert_resumed(config, ingested, committed)
    assert_clean_workspace(config)


def test_killed_during_normalization_then_rerun_equals_two_runs(tmp_path, ingested):
    config = make_workspace(tmp_path / "ws")
    run(config, "ingest", kill_at="normalize:before_commit")
    wal = config.parent / "warehouse.duckdb.wal"
    assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600  # left, owner-only
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


def test_killed_while_recording_media_then_rerun_equals_two_runs_with_the_same_images(
        tmp_path, ingested):
    """The images are written to the media folder before their hashes are committed: killed in
    between, the rerun finds them stored, records them once, and the folder holds exactly the
    files of an uninterrupted run, no temp file left."""
    config = make_workspace(tmp_path / "ws")
    run(config, "ingest", kill_at="media:before_commit")
    con = duckdb.connect(str(config.parent / "warehouse.duckdb"), read_only=True)
    try:
        media, recorded = con.execute("SELECT count(*), count(content_sha256) "
                                      "FROM core.media").fetchone()
    finally:
        con.close()
    assert media > 0 and recorded == 0  # nothing of the fetch was committed ...
    assert media_files(config) == ingested["media"]  # ... but every image was written
    run(config, "ingest")
    resumed = ingest_part(snapshot(config, INGEST_SCHEMAS))
    assert diff(ingested["twice"], resumed) == []
    assert media_files(config) == ingested["media"]
    assert runs(config) == [("ingest", "ok")]
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
