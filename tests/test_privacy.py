"""Students' privacy in what analysts open: the snapshot masks detected personal details, leaves
out raw page bodies, and is readable by its owner only; the warehouse itself keeps the trail.
Every file of the warehouse and of the snapshot (WALs and temp files included, after a kill too)
is owner-only, and a warehouse left readable is tightened when opened."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from warehouse import db
from warehouse.killpoints import ENV as KILL_ENV
from warehouse.snapshot import mask_text, place_spans, publish_snapshot

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
LEAKY = "Jordan's new locker combo is 12-34-56; call his mom at 405-555-0188 if he forgets."
EDITED = "Jordan's locker combo was sent home; call 405-555-0188 with questions."
SAFE = "Picture day is Thursday! Call the front office at 405-555-0100."


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _spans(text: str, *pairs: tuple[str, str]) -> list[dict]:
    out = []
    for kind, value in pairs:
        start = text.index(value)
        out.append({"kind": kind, "start": start, "end": start + len(value)})
    return out


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    con = db.connect(path)
    items = [("x:1", LEAKY), ("x:2", SAFE)]
    for item_id, text in items:
        con.execute("""
            INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
                account_id, author_is_district, created_at, text, first_seen_at, last_seen_at,
                content_fetched_at, last_page_id)
            VALUES (?, 'x', 'post', ?, ?, 'x:district', true, ?, ?, ?, ?, ?, 1)
        """, [item_id, item_id[2:], item_id[2:], T0, text, T0, T0, T0])
    for version_id, text in (("1", EDITED), ("1b", LEAKY)):
        con.execute("INSERT INTO core.item_versions VALUES ('x:1', ?, ?, ?, ?, ?)",
                    [version_id, text, _sha(text), T0, T0])
    signals = [
        (LEAKY, True, _spans(LEAKY, ("credentials", "12-34-56"),
                             ("personal_contact", "405-555-0188")),
         ["credentials: 12-34-56", "personal phone 405-555-0188"]),
        (EDITED, True, _spans(EDITED, ("personal_contact", "405-555-0188")),
         ["personal phone 405-555-0188"]),
        (SAFE, False, [], []),
    ]
    for text, flagged, spans, reasons in signals:
        con.execute("""
            INSERT INTO audit.signals VALUES ('confidential', 'v1', ?, ?, ?, 0.97, ?, ?, ?)
        """, [_sha(text), flagged, "credentials" if flagged else "none", reasons,
              json.dumps({"kinds": [s["kind"] for s in spans], "spans": spans}), T0])
    con.execute("""
        INSERT INTO audit.findings (finding_id, rule, kind, severity, subject_id, item_id,
            evidence, policy_pack, clause_id, status, first_seen_at, last_seen_at, last_run_id)
        VALUES ('f1', 'confidential_disclosure', 'credentials', 'high', 'x:1', 'x:1', ?,
                'test', 'C1', 'open', ?, ?, 'r1')
    """, [json.dumps({"reasons": ["credentials: 12-34-56", "personal phone 405-555-0188"]}),
          T0, T0])
    con.execute("""
        INSERT INTO raw.api_pages (page_key, run_id, source, origin, endpoint, fetched_at, sha256,
                                   body)
        VALUES ('k1', 'r1', 'x', 'api', 'users/:id/tweets', ?, 'sha', ?)
    """, [T0, json.dumps({"data": [{"id": "1", "text": LEAKY}]})])
    yield path, con
    con.close()


def test_mask_text_merges_overlaps_and_ignores_spans_outside_the_text():
    text = "ID 123456 and phone 405-555-0188"
    masked, withheld = mask_text(text, [
        {"kind": "student_id", "start": 3, "end": 9},
        {"kind": "student_id", "start": 5, "end": 9},
        {"kind": "personal_contact", "start": 20, "end": 32},
        {"kind": "grades", "start": 30, "end": 99},
    ])
    assert masked == "ID [student id withheld] and phone [personal contact withheld]"
    assert withheld == ["123456", "405-555-0188"]


def test_place_spans_maps_what_the_detector_read_back_to_the_stored_text():
    post, alt = "Call 405-555-0188 today", "Jo, ID 123456"
    reply = "Jamie Lee his ID is 998877"
    cases = [  # (stored text, what the detector read, the spans' values in the read text)
        (post, post, ["405-555-0188"]),
        (post, f"{post}\n\n{alt}", ["405-555-0188", "123456"]),  # with the photo's alt text
        (reply, "his ID is 998877", ["998877"]),  # a reply read without the name it opens with
        (reply, f"his ID is 998877\n\n{alt}", ["998877", "123456"]),
        (None, alt, ["123456"]),  # a photo with no caption: only its alt text was read
    ]
    for text, read, values in cases:
        spans = [{"kind": "detail", "start": read.index(v), "end": read.index(v) + len(v)}
                 for v in values]
        direct, elsewhere = place_spans(text, read, spans)
        assert [text[d["start"]:d["end"]] for d in direct] + elsewhere == values, (text, read)
        assert elsewhere == [v for v in values if v == "123456"]  # only the alt text's


def test_snapshot_masks_details_drops_raw_bodies_and_is_owner_only(warehouse, tmp_path):
    path, con = warehouse
    snapshot = tmp_path / "analyst" / "snapshot.duckdb"
    publish_snapshot(con, snapshot)
    assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    snap = duckdb.connect(str(snapshot), read_only=True)
    texts = dict(snap.execute("SELECT item_id, text FROM core.items").fetchall())
    assert "12-34-56" not in texts["x:1"] and "405-555-0188" not in texts["x:1"]
    assert "[credentials withheld]" in texts["x:1"]
    assert texts["x:1"].startswith("Jordan's new locker combo is")  # the rest stays readable
    assert texts["x:2"] == SAFE  # the district's own number in an unflagged post is untouched
    versions = [r[0] for r in snap.execute("SELECT text FROM core.item_versions").fetchall()]
    assert versions and not any("405-555-0188" in v for v in versions)
    evidence = snap.execute("SELECT CAST(evidence AS VARCHAR) FROM audit.findings").fetchone()[0]
    assert "12-34-56" not in evidence and "405-555-0188" not in evidence
    reasons = snap.execute("SELECT reasons FROM audit.signals WHERE flagged").fetchall()
    assert not any("405-555-0188" in r for row in reasons for r in row[0])
    columns = {r[0] for r in snap.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'api_pages'").fetchall()}
    assert "body" not in columns and "sha256" in columns
    views = {r[0] for r in snap.execute("SELECT view_name FROM duckdb_views() "
                                        "WHERE NOT internal").fetchall()}
    assert "threads" in views  # documented views come along
    assert snap.execute("SELECT count(*) FROM core.threads").fetchone()[0] >= 0
    whole = snapshot.read_bytes()
    assert b"405-555-0188" not in whole and b"12-34-56" not in whole
    snap.close()

    # the pipeline's own warehouse keeps the untouched audit trail
    assert con.execute("SELECT text FROM core.items WHERE item_id = 'x:1'").fetchone()[0] == LEAKY
    assert con.execute("SELECT count(*) FROM raw.api_pages WHERE body IS NOT NULL"
                       ).fetchone()[0] == 1


# --- files readable by their owner only ----------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# A child process that writes the warehouse (as the pipeline opens it, or with plain DuckDB) and
# dies without closing it: the WAL stays behind, as after a power cut.
KILLED_WRITER = r"""
import os, signal, sys
os.umask(0o022)
path, how = sys.argv[1], sys.argv[2]
if how == "pipeline":
    from warehouse import db
    con = db.connect(path)
else:
    import duckdb
    con = duckdb.connect(path)
con.execute("CREATE TABLE main.leak AS SELECT 'student ' || range AS who FROM range(500)")
if how == "publish":
    from warehouse.db import apply_migrations
    from warehouse.snapshot import publish_snapshot
    apply_migrations(con)
    publish_snapshot(con, __import__("pathlib").Path(sys.argv[3]))
os.kill(os.getpid(), signal.SIGKILL)
"""


WRITER_LOCK_FILES = (".writer", ".writer.lock")


def modes(folder: Path) -> dict[str, int]:
    """Modes of the files DuckDB and we wrote; the writer lock's files must be owner-only too
    but come and go with the lock, so they are checked here and left out."""
    found = {p.name: stat.S_IMODE(p.stat().st_mode) for p in sorted(folder.rglob("*"))}
    locks = {n: m for n, m in found.items() if n.endswith(WRITER_LOCK_FILES)}
    assert set(locks.values()) <= {0o600}, locks
    return {n: m for n, m in found.items() if n not in locks}


def kill_a_writer(path: Path, how: str, *extra: str, kill_at: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if k != KILL_ENV}
    if kill_at:
        env[KILL_ENV] = kill_at
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path), how, *extra],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


@pytest.fixture
def loose_umask():
    """The usual umask 022 (files world-readable unless the code says otherwise)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_wal_is_owner_only_whenever_duckdb_creates_it(tmp_path, loose_umask):
    path = tmp_path / "warehouse.duckdb"
    wal = tmp_path / "warehouse.duckdb.wal"
    con = db.connect(path)
    con.execute("CREATE TABLE main.leak AS SELECT 'student ' || range AS who FROM range(10)")
    assert wal.exists() and modes(tmp_path) == {path.name: 0o600, wal.name: 0o600}
    con.execute("CHECKPOINT")  # DuckDB deletes the WAL ...
    assert not wal.exists()
    con.execute("INSERT INTO main.leak VALUES ('student x')")  # ... and makes a new one
    assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    # while a writable connection lives, everything the process creates is owner-only
    (tmp_path / "report.html").write_text("findings")
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o600
    con.close()
    del con
    gc.collect()
    (tmp_path / "after.txt").write_text("no warehouse open")
    assert stat.S_IMODE((tmp_path / "after.txt").stat().st_mode) == 0o644  # umask given back


def test_a_killed_writer_leaves_an_owner_only_wal(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    kill_a_writer(path, "pipeline")
    assert modes(tmp_path) == {"warehouse.duckdb": 0o600, "warehouse.duckdb.wal": 0o600}


@pytest.mark.parametrize("kill_at", ["snapshot:before_detach", "snapshot:before_rename"])
def test_a_killed_snapshot_leaves_owner_only_temp_files(tmp_path, kill_at):
    """The publisher itself keeps its files owner-only, even over a connection the pipeline did
    not open (here plain DuckDB under umask 022, so the warehouse files are 0644). Killed while
    its file is attached, the temp snapshot's WAL is left too."""
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir()
    analyst = tmp_path / "analyst"
    kill_a_writer(path, "publish", str(analyst / "snapshot.duckdb"), kill_at=kill_at)
    left = modes(analyst)
    assert left and all(name.startswith(".snapshot.duckdb.") for name in left), left
    assert any(name.endswith(".tmp.wal") for name in left) == (kill_at.endswith("detach"))
    assert set(left.values()) == {0o600}, left
    assert modes(path.parent)[path.name] == 0o644  # not opened by db.connect: nothing tightened


def test_an_existing_readable_warehouse_and_its_wal_are_tightened_on_open(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    kill_a_writer(path, "plain")  # an older version's warehouse, with a WAL, both 0644
    assert modes(tmp_path) == {"warehouse.duckdb": 0o644, "warehouse.duckdb.wal": 0o644}
    con = db.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM main.leak").fetchone()[0] == 500  # replayed
        assert modes(tmp_path) == {"warehouse.duckdb": 0o600, "warehouse.duckdb.wal": 0o600}
    finally:
        con.close()


# --- what findings and reasons say about other people -----------------------------------------

PHONE, STUDENT_ID = "405-555-0188", "4471823"
SID_HASH = hashlib.sha256(STUDENT_ID.encode()).hexdigest()
HANDLE_HASH = hashlib.sha256(b"jordan_r_2031").hexdigest()
THREAD = [  # (item, kind, author, district, parent, root, text)
    ("x:1", "post", "x:100", True, None, "x:1", "The board voted 4-3 to close Lincoln "
     "Elementary next year; attendance boundaries change this fall."),
    ("x:2", "reply", "x:901", False, "x:1", "x:1",
     "This is a disgrace. The board never listens to parents and you know it."),
    ("x:3", "reply", "x:902", False, "x:1", "x:1",
     "Absolutely furious. You are closing our school to save a few dollars, shame on you."),
    ("x:4", "reply", "x:903", False, "x:1", "x:1",
     f"My son Jordan Reyes, student ID {STUDENT_ID}, will lose his bus. Call me at {PHONE}, "
     "the board ignored every email."),
    ("x:5", "reply", "x:904", False, "x:1", "x:1",
     "Worst decision this district has ever made. Recall the whole board."),
    ("x:6", "reply", "x:100", True, "x:2", "x:1",
     "We hear you. The board's reasons are posted on our website."),
    # the district discloses a student's details; a removable comment repeats them
    ("x:7", "post", "x:100", True, None, "x:7",
     f"Jordan Reyes (student ID {STUDENT_ID}) left his backpack in the gym; his mom can call "
     f"{PHONE}."),
    ("x:8", "reply", "x:905", False, "x:7", "x:7",
     f"lol Jordan Reyes {STUDENT_ID} is a fat loser, text him at {PHONE} and tell him, you "
     "idiots"),
]


def _every_value(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute("""SELECT schema_name, table_name FROM duckdb_tables()
                               UNION ALL SELECT schema_name, view_name FROM duckdb_views()
                               WHERE NOT internal""").fetchall()
        return "\n".join(str(row) for schema, name in names
                         for row in con.execute(f'SELECT * FROM "{schema}"."{name}"'  # noqa: S608
                                                ).fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def audited_thread(tmp_path_factory):
    """A small warehouse audited by the real detectors and rules of a pack that enables the
    content rules: a controversial thread with a district reply nobody approved, in which a
    parent's comment gives a student's ID and a phone number, and a district post disclosing
    the same details with a removable comment repeating them."""
    from checks.engine import run_rules
    from checks.policy import load_pack
    from checks.signals import load_detector, refresh_signals

    path = tmp_path_factory.mktemp("audited") / "warehouse.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO registry.designees VALUES ('D1', 'Pat Lee', "
                "'plee@district.example', 'Communications', ?)", [T0])
    con.execute("INSERT INTO registry.accounts VALUES ('x:100', 'x', '100', 'district', "
                "'official', 'Lincoln HS', 'Comms Office', ['D1'], 'Lincoln HS', NULL, ?)", [T0])
    for n, (item_id, kind, author, district, parent, root, text) in enumerate(THREAD):
        con.execute("""
            INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
                account_id, author_id, author_is_district, parent_item_id, thread_root_id,
                created_at, text, permalink, state, first_seen_at, last_seen_at,
                content_fetched_at, last_page_id)
            VALUES (?, 'x', ?, ?, ?, 'x:100', ?, ?, ?, ?, ?, ?, ?, 'visible', ?, ?, ?, 1)
        """, [item_id, kind, item_id[2:], item_id[2:], author, district, parent, root,
              T0 + timedelta(minutes=n), text, f"https://x.com/i/status/{item_id[2:]}",
              T0, T0, T0])
    con.execute("INSERT INTO registry.consents VALUES ('PC-1', ?, ['social_media'], "
                "'2026-08-01', NULL, NULL, ?)", [SID_HASH, T0])
    con.execute("INSERT INTO registry.roster VALUES (?, 'x', 'Lincoln HS', ?)", [HANDLE_HASH, T0])
    con.execute("INSERT INTO registry.approvals VALUES ('A1', 'x', '7', 'D1', ?, ?, ?)",
                [T0, "Cleared with Jordan Reyes's mother", T0])
    con.execute("INSERT INTO raw.cursors VALUES ('x', 'x:100', 'users/:id/tweets', '100', "
                "'{\"since_id\": \"8\"}', ?)", [T0])
    refresh_signals(con, {name: load_detector(name)
                          for name in ("confidential", "controversy", "comment")})
    run_rules(con, load_pack("metro-technology-centers-bp-8007"), "r1")
    findings = {(rule, item): json.loads(evidence) for rule, item, evidence in con.execute(
        "SELECT rule, item_id, CAST(evidence AS VARCHAR) FROM audit.findings").fetchall()}
    snapshot = path.parent / "snapshot.duckdb"
    publish_snapshot(con, snapshot)
    yield con, findings, snapshot
    con.close()


def test_controversy_reasons_quote_no_comment(audited_thread):
    _, findings, _ = audited_thread
    evidence = findings["unapproved_controversial_reply", "x:6"]  # the unapproved reply
    reasons = " ".join(evidence["thread_reasons"])
    assert "comments angry at the district" in reasons and "P(angry)=" in reasons
    assert "topic cues" in reasons and "'board voted'" in reasons  # the post's own words
    for _, _, _, district, _, root, text in THREAD:
        if root == "x:1" and not district:  # another user's comment: not one of its words
            words = text.split()
            windows = {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}
            assert not any(w in reasons for w in windows), text
    assert STUDENT_ID not in reasons and PHONE not in reasons


def test_snapshot_scrubs_detected_details_from_every_text_evidence_and_reason(audited_thread):
    con, findings, snapshot = audited_thread
    # the confidential detector found the details in the district's post ...
    assert findings["confidential_disclosure", "x:7"]["kinds"] == ["personal_contact",
                                                                  "student_id"]
    # ... and the removable comment's evidence repeats them (the comment's own words)
    assert PHONE in json.dumps(findings["removable_comment", "x:8"])
    everything = _every_value(snapshot)
    assert "[withheld]" in everything and "[student id withheld]" in everything
    for secret in (PHONE, STUDENT_ID):
        assert secret not in everything, secret
        assert secret.encode() not in snapshot.read_bytes(), secret
    snap = duckdb.connect(str(snapshot), read_only=True)
    try:
        texts = dict(snap.execute("SELECT item_id, text FROM core.items").fetchall())
        evidence = json.loads(snap.execute(
            "SELECT CAST(evidence AS VARCHAR) FROM audit.findings WHERE item_id = 'x:8'"
        ).fetchone()[0])
    finally:
        snap.close()
    assert texts["x:4"].startswith("My son Jordan Reyes, student ID [withheld], will lose")
    assert texts["x:8"].startswith("lol Jordan Reyes [withheld] is a fat loser")
    assert any("text him at [withheld]" in r for r in evidence["reasons"])  # still JSON
    assert texts["x:2"] == THREAD[1][6]  # nothing else touched
    # the pipeline's warehouse keeps the trail as captured
    kept = con.execute("SELECT text FROM core.items WHERE item_id = 'x:8'").fetchone()[0]
    assert PHONE in kept


# --- the analyst surface ---------------------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "warehouse" / "README.md"


def documented_surface() -> tuple[dict[str, set[str]], set[str], set[str]]:
    """From the README's "The analyst snapshot" section: the tables in the snapshot with the
    columns each leaves out, the tables left out, the views."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### The analyst snapshot"):]
    section = section[:section.index("\n#", 1)] if "\n#" in section[1:] else section
    tables: dict[str, set[str]] = {}
    left_out: set[str] = set()
    for match in re.finditer(r"^\| `(\w+\.\w+)` \| ([^|]*) \|", section, re.MULTILINE):
        table, what = match.group(1), match.group(2).strip()
        if what == "left out":
            left_out.add(table)
        else:
            tables[table] = set(re.findall(r"`(\w+)`", what)) if what.startswith("without") \
                else set()
    views_line = section[section.index("Views:"):].split("\n\n")[0]
    views = set(re.findall(r"`(\w+\.\w+)`", views_line))
    return tables, left_out, views


def catalog(path: Path) -> tuple[dict[str, set[str]], set[str]]:
    """{schema.table: columns} and the views of a DuckDB file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables: dict[str, set[str]] = {}
        for schema, table, column in con.execute(
                "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                "WHERE database_name = current_database() AND NOT internal").fetchall():
            tables.setdefault(f"{schema}.{table}", set()).add(column)
        views = {f"{s}.{v}" for s, v in con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal").fetchall()}
        for view in views:  # every view still answers on the snapshot's tables
            con.execute(f"SELECT * FROM {view} LIMIT 1").fetchall()  # noqa: S608
        return {t: c for t, c in tables.items() if t not in views}, views
    finally:
        con.close()


def test_the_readme_and_the_code_declare_the_same_surface_for_every_table():
    from warehouse.snapshot import ANALYST_TABLES, LEFT_OUT_TABLES

    tables, left_out, views = documented_surface()
    assert {t: set(c) for t, c in ANALYST_TABLES.items()} == tables
    assert set(LEFT_OUT_TABLES) == left_out
    warehouse, warehouse_views = catalog_of_new_warehouse()
    assert set(warehouse) == set(tables) | left_out  # every table decided, none forgotten
    assert views == warehouse_views
    for table, columns in tables.items():
        assert columns <= warehouse[table], (table, columns - warehouse[table])


def catalog_of_new_warehouse() -> tuple[dict[str, set[str]], set[str]]:
    con = db.memory()
    try:
        out: dict[str, set[str]] = {}
        for schema, table, column in con.execute(
                "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                "WHERE database_name = current_database() AND NOT internal").fetchall():
            out.setdefault(f"{schema}.{table}", set()).add(column)
        views = {f"{s}.{v}" for s, v in con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        return {t: c for t, c in out.items() if t not in views}, views
    finally:
        con.close()


def test_the_snapshot_holds_the_documented_surface_and_nothing_else(audited_thread):
    _, _, snapshot = audited_thread
    tables, left_out, views = documented_surface()
    warehouse, _ = catalog_of_new_warehouse()
    held, held_views = catalog(snapshot)
    assert held_views == views
    assert set(held) == set(tables)
    assert not left_out & set(held)
    for table, columns in held.items():
        assert columns == warehouse[table] - tables[table], table
    everything = _every_value(snapshot)
    for private in ("Pat Lee", "plee@district.example", "Comms Office", SID_HASH, HANDLE_HASH,
                    "Cleared with Jordan", "since_id"):
        assert private not in everything, private
    snap = duckdb.connect(str(snapshot), read_only=True)
    try:  # what analyses need is there
        assert snap.execute("SELECT designee_id, role FROM registry.designees").fetchall() == [
            ("D1", "Communications")]
        assert snap.execute("SELECT consent_id, scope FROM registry.consents").fetchall() == [
            ("PC-1", ["social_media"])]
        assert snap.execute("SELECT account_key, display_name, school FROM registry.accounts"
                            ).fetchall() == [("x:100", "Lincoln HS", "Lincoln HS")]
        assert snap.execute("SELECT count(*) FROM marts.findings").fetchone()[0] == 4
        detectors = snap.execute("SELECT DISTINCT detector FROM audit.signals").fetchall()
    finally:
        snap.close()
    assert {d for (d,) in detectors} == {"confidential", "controversy", "comment"}


def test_superseded_verdicts_stay_in_the_warehouse_only(audited_thread, tmp_path):
    """A verdict no subject has any more (an older detector version's, say, which could still
    quote a comment) is not in the snapshot; the current ones are."""
    con, _, _ = audited_thread
    current = con.execute("SELECT count(*) FROM audit.signals").fetchone()[0]
    con.execute("""INSERT INTO audit.signals SELECT detector, '1+old', content_sha256, flagged,
                   label, score, ['4 of 4 comments angry (e.g. "Absolutely furious")'], details,
                   scored_at FROM audit.signals WHERE detector = 'controversy'""")
    snapshot = tmp_path / "snapshot.duckdb"
    publish_snapshot(con, snapshot)
    con.execute("DELETE FROM audit.signals WHERE detector_version = '1+old'")
    snap = duckdb.connect(str(snapshot), read_only=True)
    try:
        assert snap.execute("SELECT count(*) FROM audit.signals").fetchone()[0] == current
        assert snap.execute("SELECT count(*) FROM audit.signals WHERE detector_version = "
                            "'1+old'").fetchone()[0] == 0
    finally:
        snap.close()


# --- details the detector read somewhere other than the stored text ---------------------------

ALT_ID, REPLY_ID, REPLY_PHONE = "4839201", "4471823", "405-555-0143"
ALT = f"Maya Torres, student ID {ALT_ID}, holding her certificate."
TAGGED = (f"Jamie Campbell Jordan's student ID is {REPLY_ID}; you can reach his mom at "
          f"{REPLY_PHONE}.")


def test_details_found_in_alt_text_or_after_a_reply_tag_are_withheld(tmp_path):
    """The detector reads a post with the alt text the district wrote on its photos, and a
    Facebook reply without the name it opens with: the details it finds there are withheld
    from the snapshot (the item, its versions, the photo's alt text, evidence and reasons)."""
    from checks.engine import run_rules
    from checks.policy import load_pack
    from checks.signals import load_detector, refresh_signals

    path = tmp_path / "warehouse.duckdb"
    con = db.connect(path)
    items = [  # (item, platform, kind, author, district, parent, handle, text)
        ("x:1", "x", "post", "x:100", True, None, None, "Congratulations to our award winners!"),
        ("facebook:1_2", "facebook", "post", "facebook:1", True, None, None,
         "Open house Thursday at 6 pm."),
        ("facebook:1_2_3", "facebook", "comment", "facebook:77", False, "facebook:1_2",
         "Jamie Campbell", "Will Jordan's counselor be there?"),
        ("facebook:1_2_4", "facebook", "reply", "facebook:1", True, "facebook:1_2_3", None,
         TAGGED),
    ]
    for n, (item_id, platform, kind, author, district, parent, handle, text) in enumerate(items):
        root = item_id if parent is None else "facebook:1_2"
        con.execute("""
            INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
                account_id, author_id, author_handle, author_is_district, parent_item_id,
                thread_root_id, created_at, text, state, first_seen_at, last_seen_at,
                content_fetched_at, last_page_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'visible', ?, ?, ?, 1)
        """, [item_id, platform, kind, item_id.split(":")[1], item_id.split(":")[1],
              "x:100" if platform == "x" else "facebook:1", author, handle, district, parent,
              root, T0 + timedelta(minutes=n), text, T0, T0, T0])
    con.execute("INSERT INTO core.media (media_id, item_id, platform, position, media_type, "
                "url, alt_text, first_seen_at) VALUES ('x:m1', 'x:1', 'x', 1, 'photo', "
                "'https://pbs.twimg.com/media/a.jpg', ?, ?)", [ALT, T0])
    refresh_signals(con, {"confidential": load_detector("confidential")})
    run_rules(con, load_pack("metro-technology-centers-bp-8007"), "r1")
    flagged = {r[0] for r in con.execute(
        "SELECT subject_id FROM audit.findings WHERE rule = 'confidential_disclosure'"
    ).fetchall()}
    assert flagged == {"x:1", "facebook:1_2_4"}  # the detector did find both
    snapshot = tmp_path / "snapshot.duckdb"
    publish_snapshot(con, snapshot)
    everything = _every_value(snapshot)
    for secret in (ALT_ID, REPLY_ID, REPLY_PHONE):
        assert secret not in everything, secret
        assert secret.encode() not in snapshot.read_bytes(), secret
    snap = duckdb.connect(str(snapshot), read_only=True)
    try:
        alt = snap.execute("SELECT alt_text FROM core.media").fetchone()[0]
        reply = snap.execute("SELECT text FROM core.items WHERE item_id = 'facebook:1_2_4'"
                             ).fetchone()[0]
    finally:
        snap.close()
    assert alt == "Maya Torres, student ID [withheld], holding her certificate."
    assert reply.startswith("Jamie Campbell Jordan's student ID is [student id withheld];")
    # the warehouse keeps the trail as captured
    assert con.execute("SELECT alt_text FROM core.media").fetchone()[0] == ALT
    con.close()


EDITED_ID, EDITED_PHONE = "5518302", "405-555-0179"


def test_details_in_an_earlier_text_are_withheld_from_every_version(tmp_path):
    """An edit that removes a disclosure leaves it in the earlier version (core.item_versions):
    the detector reads every earlier text of a district item as it reads the current one
    (a reply without the name it opens with), so the snapshot withholds those details too,
    whether the earlier text was current at a run or only seen in the edit history."""
    from checks.engine import run_rules
    from checks.policy import load_pack
    from checks.signals import load_detector, refresh_signals
    from dashboards.dashboard import DashboardSettings, collect_week
    from dashboards.exception_report import week_findings
    from dashboards.weeks import week_of

    path = tmp_path / "warehouse.duckdb"
    con = db.connect(path)
    first = (f"Jamie Campbell Jordan's student ID is {EDITED_ID}; his mom's cell is "
             f"{EDITED_PHONE}.")
    items = [  # (item, kind, author, district, parent, handle, versions: (id, text) oldest first)
        ("facebook:1_2", "post", "facebook:1", True, None, None,
         [("1", "Open house Thursday at 6 pm.")]),
        ("facebook:1_2_3", "comment", "facebook:77", False, "facebook:1_2", "Jamie Campbell",
         [("1", "Will Jordan's counselor be there?")]),
        ("facebook:1_2_4", "reply", "facebook:1", True, "facebook:1_2_3", None,
         [("1", first), ("2", "Jamie Campbell please message the page; we will call you.")]),
    ]

    def capture(upto: int) -> None:
        """Normalize as of the ``upto``-th version of each item."""
        for n, (item_id, kind, author, district, parent, handle, versions) in enumerate(items):
            seen = versions[:upto]
            con.execute("DELETE FROM core.items WHERE item_id = ?", [item_id])
            con.execute("""
                INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
                    account_id, author_id, author_handle, author_is_district, parent_item_id,
                    thread_root_id, created_at, text, state, first_seen_at, last_seen_at,
                    content_fetched_at, last_page_id, version_count)
                VALUES (?, 'facebook', ?, ?, ?, 'facebook:1', ?, ?, ?, ?, 'facebook:1_2', ?, ?,
                        'visible', ?, ?, ?, 1, ?)
            """, [item_id, kind, item_id[9:], item_id[9:], author, handle, district, parent,
                  T0 + timedelta(minutes=n), seen[-1][1], T0, T0, T0, len(seen)])
            for version_id, text in seen:
                con.execute("INSERT OR IGNORE INTO core.item_versions VALUES (?, ?, ?, sha256(?), "
                            "?, ?)", [item_id, version_id, text, text, T0, T0])

    detector = {"confidential": load_detector("confidential")}
    pack = load_pack("metro-technology-centers-bp-8007")
    for label, runs in (("current at a run", (1, 2)), ("only in the edit history", (2,))):
        con.execute("DELETE FROM core.item_versions; DELETE FROM audit.subject_signals; "
                    "DELETE FROM audit.signals; DELETE FROM audit.findings")
        for upto in runs:
            capture(upto)
            refresh_signals(con, detector)
            run_rules(con, pack, f"r{upto}")
        kinds = [r[0] for r in con.execute(
            "SELECT kind FROM audit.findings WHERE rule = 'confidential_disclosure' "
            "AND subject_id = 'facebook:1_2_4' AND status = 'open'").fetchall()]
        assert len(kinds) == 1, label  # one finding, its first kind named
        snapshot = tmp_path / f"snapshot-{len(runs)}.duckdb"
        publish_snapshot(con, snapshot)
        everything = _every_value(snapshot)
        for secret in (EDITED_ID, EDITED_PHONE):
            assert secret not in everything, (label, secret)
            assert secret.encode() not in snapshot.read_bytes(), (label, secret)
        snap = duckdb.connect(str(snapshot), read_only=True)
        try:
            earlier = snap.execute("SELECT text FROM core.item_versions WHERE version_id = '1' "
                                   "AND item_id = 'facebook:1_2_4'").fetchone()[0]
            # the dashboard and the exception report show the text the finding judged, masked
            week = week_of(T0, "UTC")
            shown = {r["item_id"]: r["item_text"] for r in week_findings(snap, week)}
            page = {f["item_id"]: f["item_text"] for f in collect_week(
                snap, DashboardSettings("Test district", "UTC", now=T0), week).findings}
        finally:
            snap.close()
        assert earlier.startswith("Jamie Campbell Jordan's student ID is ["), earlier
        assert earlier.count(" withheld]") == 2, earlier
        assert shown["facebook:1_2_4"] == page["facebook:1_2_4"] == earlier
    # the warehouse keeps the trail as captured
    assert con.execute("SELECT text FROM core.item_versions WHERE version_id = '1' AND "
                       "item_id = 'facebook:1_2_4'").fetchone()[0] == first
    con.close()


OLD_ALT_ID = "6620418"
OLD_ALT = f"Maya Torres, student ID {OLD_ALT_ID}, holding her certificate."
NEW_ALT = "Our award winners holding their certificates."


def test_an_alt_text_edited_to_remove_a_disclosure_stays_a_finding_and_is_withheld(tmp_path):
    """A photo's alt text edited after it disclosed a student's ID: normalize keeps the earlier
    text (core.media_alt_versions), the detector reads it after the post's text, the finding
    stays open under its id and says so, the dashboard shows the text it judged, and the
    snapshot withholds the ID from the earlier alt text and everywhere else."""
    from checks.engine import run_rules
    from checks.policy import load_pack
    from checks.signals import load_detector, refresh_signals
    from dashboards.dashboard import DashboardSettings, collect_week
    from dashboards.weeks import week_of

    con = db.connect(tmp_path / "warehouse.duckdb")
    con.execute("""
        INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
            account_id, author_id, author_is_district, thread_root_id, created_at, text, state,
            first_seen_at, last_seen_at, content_fetched_at, last_page_id)
        VALUES ('facebook:1_9', 'facebook', 'post', '1_9', '1_9', 'facebook:1', 'facebook:1',
                true, 'facebook:1_9', ?, 'Congratulations to our award winners!', 'visible',
                ?, ?, ?, 1)
    """, [T0, T0, T0, T0])
    con.execute("INSERT INTO core.media (media_id, item_id, platform, position, media_type, "
                "url, alt_text, first_seen_at) VALUES ('facebook:55', 'facebook:1_9', "
                "'facebook', 1, 'photo', 'https://scontent.xx.fbcdn.net/55.jpg', ?, ?)",
                [OLD_ALT, T0])
    # as normalize records each alt text it sees (warehouse/sql/normalize_90_merge.sql)
    add_alt = ("INSERT INTO core.media_alt_versions VALUES ('facebook:1_9', 'facebook:55', ?, "
               "sha256(?), ?)")
    con.execute(add_alt, [OLD_ALT, OLD_ALT, T0])
    detector = {"confidential": load_detector("confidential")}
    pack = load_pack("metro-technology-centers-bp-8007")
    refresh_signals(con, detector)
    run_rules(con, pack, "r1")
    finding = "SELECT finding_id, status, kind, evidence FROM audit.findings WHERE rule = " \
              "'confidential_disclosure' AND subject_id = 'facebook:1_9'"
    before = con.execute(finding).fetchone()
    assert before[1:3] == ("open", "student_id")
    assert "earlier_alt_text" not in json.loads(before[3])

    con.execute("UPDATE core.media SET alt_text = ? WHERE media_id = 'facebook:55'", [NEW_ALT])
    con.execute(add_alt, [NEW_ALT, NEW_ALT, T0 + timedelta(hours=2)])
    runs = refresh_signals(con, detector)
    assert runs[0].scored == 1 and runs[0].subjects == 2  # the post now; the earlier alt text
    run_rules(con, pack, "r2")
    after = con.execute(finding).fetchone()
    assert after[:3] == before[:3]  # the same finding, still open
    earlier = json.loads(after[3])["earlier_alt_text"]
    old_sha = con.execute("SELECT sha256(?)", [OLD_ALT]).fetchone()[0]
    assert earlier["media_id"] == "facebook:55" and earlier["alt_sha256"] == old_sha
    assert "now discloses nothing" in earlier["note"]
    judged = con.execute("SELECT text FROM marts.finding_texts WHERE finding_id = ?",
                         [after[0]]).fetchone()[0]
    assert judged == f"Congratulations to our award winners!\n\n{OLD_ALT}"

    snapshot = tmp_path / "snapshot.duckdb"
    publish_snapshot(con, snapshot)
    assert OLD_ALT_ID not in _every_value(snapshot)
    assert OLD_ALT_ID.encode() not in snapshot.read_bytes()
    snap = duckdb.connect(str(snapshot), read_only=True)
    try:
        kept = dict(snap.execute("SELECT alt_sha256, alt_text FROM core.media_alt_versions"
                                 ).fetchall())
        page = {f["item_id"]: f["item_text"] for f in collect_week(
            snap, DashboardSettings("Test district", "UTC", now=T0), week_of(T0, "UTC")
        ).findings}
    finally:
        snap.close()
    assert kept[old_sha] == "Maya Torres, student ID [withheld], holding her certificate."
    assert page["facebook:1_9"].endswith("student ID [withheld], holding her certificate.")
    # the warehouse keeps the trail as captured
    assert con.execute("SELECT alt_text FROM core.media_alt_versions WHERE alt_sha256 = ?",
                       [old_sha]).fetchone()[0] == OLD_ALT
    con.close()
