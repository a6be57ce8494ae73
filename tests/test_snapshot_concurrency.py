"""Analysts never block the pipeline: the read-only snapshot each run publishes (written aside,
renamed into place) stays readable in an open session while a run replaces it, and
``socialaudit sql`` answers while the pipeline's writer holds the warehouse.

Real processes and real DuckDB files: the analyst is a child Python process holding
``duckdb.connect(snapshot, read_only=True)`` with a transaction open; the run is
``python -m pipelines.cli run``; the writer is a child holding the warehouse as the pipeline opens
it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.simulated import generate_world, write_workspace
from pipelines.config import Config, load_config
from warehouse import db
from warehouse.snapshot import publish_snapshot

SEED = 13
SCALE = 0.15
ROOT = Path(__file__).resolve().parents[1]

# An analyst's session: one read-only connection and one open transaction, answering on demand.
ANALYST = r"""
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("BEGIN TRANSACTION")
def state():
    return con.execute('''SELECT (SELECT count(*) FROM core.items),
        (SELECT count(*) FROM raw.api_pages), (SELECT count(*) FROM audit.runs),
        (SELECT max(created_at)::VARCHAR FROM core.items),
        (SELECT count(*) FROM core.items i WHERE NOT EXISTS (
            SELECT 1 FROM core.item_versions v WHERE v.item_id = i.item_id))''').fetchone()
print(json.dumps(state()), flush=True)
for line in sys.stdin:
    if line.strip() == "commit":
        con.execute("COMMIT")
    print(json.dumps(state()), flush=True)
"""
# The pipeline's writer holding the warehouse (a run in progress) until told to stop.
WRITER = r"""
import sys
from pipelines.config import load_config
from pipelines import stages
con = stages.open_warehouse(load_config(sys.argv[1]))
con.execute("BEGIN TRANSACTION")
con.execute("DELETE FROM raw.cursors")
print("holding", flush=True)
sys.stdin.readline()
con.execute("ROLLBACK")
con.close()
"""


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def sql(config: Config, query: str, *extra: str) -> list[dict]:
    proc = cli("sql", query, "--config", str(config.path), "--format", "json", *extra)
    return [json.loads(line) for line in proc.stdout.splitlines()]


def set_clock(config: Config, when) -> None:
    """Move the simulated district's pinned clock (the toml's ``[simulated] now``)."""
    text = config.path.read_text(encoding="utf-8")
    lines = [f"now = {json.dumps(when.isoformat())}" if line.startswith("now = ") else line
             for line in text.splitlines()]
    config.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> tuple[Config, object]:
    """A workspace three days before the world's end, captured once."""
    world = generate_world(seed=SEED, scale=SCALE)
    world.set_now(world.end - timedelta(days=3))
    config = load_config(write_workspace(world, tmp_path_factory.mktemp("analysts")))
    cli("run", "--config", str(config.path), "--job", "ingest", "--quiet")
    return config, world


def test_open_analyst_session_keeps_its_snapshot_while_a_run_publishes_a_new_one(district):
    config, world = district
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(config.snapshot_path)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        before = json.loads(analyst.stdout.readline())
        assert before[0] > 0 and before[4] == 0, before
        old_inode = config.snapshot_path.stat().st_ino

        set_clock(config, world.end)  # three more days of posts and comments
        run = cli("run", "--config", str(config.path), "--job", "ingest", "--quiet")
        assert run.returncode == 0
        assert config.snapshot_path.stat().st_ino != old_inode  # a new file, renamed into place

        analyst.stdin.write("again\n")
        analyst.stdin.flush()
        assert json.loads(analyst.stdout.readline()) == before  # same transaction: old data
        analyst.stdin.write("commit\n")
        analyst.stdin.flush()
        assert json.loads(analyst.stdout.readline()) == before  # same file: still consistent

        (now,) = sql(config, "SELECT count(*) AS items, max(created_at)::VARCHAR AS newest, "
                             "(SELECT count(*) FROM audit.runs) AS runs FROM core.items")
        assert now["items"] > before[0] and now["newest"] > before[3]
        assert now["runs"] == before[2] + 1
    finally:
        analyst.stdin.close()
        analyst.wait(timeout=60)
    assert analyst.returncode == 0, analyst.stderr.read()
    leftovers = [p.name for p in config.root.iterdir() if ".tmp" in p.name]
    assert leftovers == []


def test_sql_answers_from_the_snapshot_while_the_pipeline_holds_the_warehouse(district):
    config, _ = district
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(config.path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert writer.stdout.readline().strip() == "holding", writer.stderr.read()
        with pytest.raises(duckdb.IOException):  # the warehouse itself is locked
            duckdb.connect(str(config.warehouse_path), read_only=True)
        rows = sql(config, "SELECT kind, count(*) AS n FROM core.items GROUP BY kind")
        assert {r["kind"] for r in rows} >= {"post", "comment"}
        assert all(r["n"] > 0 for r in rows)
        assert sql(config, "SELECT count(*) AS n FROM raw.fetch_log")[0]["n"] > 0
        live = cli("sql", "SELECT 1", "--config", str(config.path), "--live", check=False)
        assert live.returncode == 2 and "cannot open" in live.stderr  # said plainly
        assert "Traceback" not in live.stderr
    finally:
        writer.stdin.close()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read()


def test_snapshot_is_read_only_for_analysts(district):
    config, _ = district
    proc = cli("sql", "DELETE FROM core.items", "--config", str(config.path), check=False)
    assert proc.returncode == 2 and "read-only" in proc.stderr.lower()
    assert sql(config, "SELECT count(*) AS n FROM core.items")[0]["n"] > 0
    assert (os.stat(config.snapshot_path).st_mode & 0o077) == 0  # owner only


def test_publish_masks_a_text_flagged_by_two_detector_versions(tmp_path):
    """After a confidential model update the same text has a signal per version: the snapshot
    is still published (once per row), masked with every version's spans."""
    con = db.connect(tmp_path / "warehouse.duckdb")
    text = "Call Jordan's mom at 405-555-0199 about the 2.1 GPA"
    con.execute("""
        INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
            author_is_district, text, first_seen_at, last_seen_at, content_fetched_at,
            last_page_id)
        VALUES ('x:1', 'x', 'post', '1', '1', true, $t, now(), now(), now(), 1)""", {"t": text})
    con.execute("""INSERT INTO core.item_versions VALUES ('x:1', '1', $t, sha256($t), now(),
                   now())""", {"t": text})
    phone, gpa = text.index("405"), text.index("2.1")
    for version, spans in (("1+old", [{"start": phone, "end": phone + 12, "kind": "contact"}]),
                           ("2+new", [{"start": gpa, "end": gpa + 3, "kind": "grades"}])):
        con.execute("""INSERT INTO audit.signals VALUES ('confidential', $v, sha256($t), true,
                       'confidential', 0.9, ['contact'], $d::JSON, now())""",
                    {"v": version, "t": text, "d": json.dumps({"spans": spans})})
    publish_snapshot(con, tmp_path / "snapshot.duckdb")
    con.close()
    snap = duckdb.connect(str(tmp_path / "snapshot.duckdb"), read_only=True)
    try:
        (item,) = snap.execute("SELECT text FROM core.items").fetchall()
        (version,) = snap.execute("SELECT text FROM core.item_versions").fetchall()
    finally:
        snap.close()
    assert item == version
    assert "405-555-0199" not in item[0] and "2.1" not in item[0]
    assert "[contact withheld]" in item[0] and "[grades withheld]" in item[0]
