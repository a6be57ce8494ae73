"""Publish the warehouse as a read-only snapshot for analysts, atomically.

DuckDB allows one writer process; analysts must never block a scheduled run. After each run the
pipeline copies the whole database into a new file beside the snapshot and renames it over the
old one: a reader holding the old file keeps reading it, the next open sees the new one.

The snapshot is what analysts see: the documented tables and views of ``ANALYST_TABLES``, without
staff contacts, hashed student ids and the pipeline's own state. It keeps the least it can
about students: the personal
details the ``confidential`` detector found (its spans) are masked in the texts they were found
in, and scrubbed wherever else they are repeated: other item texts and versions (a comment
quoting the post), every finding's evidence, every detector's reasons and details, reviewers'
notes. The raw page bodies (which repeat texts verbatim) are left out; the pipeline's own
warehouse keeps the untouched audit trail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import owner_only_files
from warehouse.killpoints import kill_point

MASK = "[{kind} withheld]"
# The analyst surface (warehouse/README.md, "The analyst snapshot"): every table the snapshot
# holds, with the columns it leaves out. Every view comes along. A table the warehouse gains is
# left out of the snapshot until it is listed here or in LEFT_OUT_TABLES.
ANALYST_TABLES: dict[str, tuple[str, ...]] = {
    "main.schema_migrations": (),
    "registry.accounts": ("owner", "token_env"),  # a staff member's name; credential plumbing
    "registry.designees": ("name", "email"),  # staff contacts: designees are known by id
    "registry.consents": ("student_id_sha256",),  # a hash of a short student number reverses
    "registry.media_consents": (),
    "registry.approvals": ("note",),  # free text
    "registry.loads": (),
    "raw.api_pages": ("body",),  # repeats platform text verbatim; core has it, masked
    "raw.page_fetches": (),
    "raw.quarantine": ("body_text",),  # likewise
    "raw.fetch_log": (),
    "core.items": (),
    "core.item_versions": (),
    "core.media": (),
    "core.media_alt_versions": (),
    "core.observations": (),
    "core.normalized_pages": (),
    "core.normalized_fetches": (),
    "core.account_profiles": (),  # the district's own accounts' public bios and links
    "audit.runs": (),
    "audit.findings": (),
    "audit.dispositions": (),
    "audit.signals": (),  # only the verdicts subjects have now (see MASKED_SELECTS)
    "audit.subject_signals": (),
    "audit.alerts_sent": (),
    "audit.alert_log": (),
}
# Tables of the pipeline's own: hashed student handles for matching, the connectors' cursors.
LEFT_OUT_TABLES = ("registry.roster", "raw.cursors")
BASE_TABLES = """
SELECT schema_name, table_name FROM duckdb_tables()
WHERE database_name = current_database() AND NOT temporary
ORDER BY schema_name, table_name
"""
MASK_TABLES = """
CREATE OR REPLACE TEMP TABLE snapshot_withheld (secret VARCHAR);
CREATE OR REPLACE TEMP TABLE snapshot_masked_items (item_id VARCHAR, text VARCHAR);
CREATE OR REPLACE TEMP TABLE snapshot_masked_versions (
    item_id VARCHAR, version_id VARCHAR, text_sha256 VARCHAR, text VARCHAR);
CREATE OR REPLACE TEMP TABLE snapshot_scrubbed_findings (finding_id VARCHAR, evidence JSON);
CREATE OR REPLACE TEMP TABLE snapshot_scrubbed_signals (
    detector VARCHAR, detector_version VARCHAR, content_sha256 VARCHAR, reasons VARCHAR[],
    details JSON);
CREATE OR REPLACE TEMP TABLE snapshot_scrubbed_dispositions (disposition_id VARCHAR,
                                                             note VARCHAR);
CREATE OR REPLACE TEMP TABLE snapshot_scrubbed_media (
    item_id VARCHAR, media_id VARCHAR, alt_text VARCHAR, auto_alt_text VARCHAR);
CREATE OR REPLACE TEMP TABLE snapshot_scrubbed_alt_versions (
    item_id VARCHAR, media_id VARCHAR, alt_sha256 VARCHAR, alt_text VARCHAR);
"""
DROP_MASK_TABLES = """
DROP TABLE IF EXISTS snapshot_withheld; DROP TABLE IF EXISTS snapshot_masked_items;
DROP TABLE IF EXISTS snapshot_masked_versions; DROP TABLE IF EXISTS snapshot_scrubbed_findings;
DROP TABLE IF EXISTS snapshot_scrubbed_signals;
DROP TABLE IF EXISTS snapshot_scrubbed_dispositions; DROP TABLE IF EXISTS snapshot_scrubbed_media;
DROP TABLE IF EXISTS snapshot_scrubbed_alt_versions;
DROP TABLE IF EXISTS snapshot_confidential_reading;
"""
# Where a withheld detail can be repeated besides the text it was found in: any item text or
# version (a comment quoting the post), any finding's evidence, any detector's reasons and
# details, a reviewer's note. Only the rows holding one are read back and scrubbed.
_HOLDS = "EXISTS (SELECT 1 FROM snapshot_withheld w WHERE contains({}, w.secret))"
TEXTS_WITH_WITHHELD = f"""
SELECT item_id, text FROM core.items WHERE {_HOLDS.format("text")}
"""  # noqa: S608 - a constant
VERSIONS_WITH_WITHHELD = f"""
SELECT item_id, version_id, text_sha256, text FROM core.item_versions
WHERE {_HOLDS.format("text")}
"""  # noqa: S608 - a constant
FINDINGS_WITH_WITHHELD = f"""
SELECT finding_id, CAST(evidence AS VARCHAR) FROM audit.findings
WHERE {_HOLDS.format("CAST(evidence AS VARCHAR)")}
"""  # noqa: S608 - a constant
SIGNALS_WITH_WITHHELD = f"""
SELECT detector, detector_version, content_sha256, reasons, CAST(details AS VARCHAR)
FROM audit.signals
WHERE {_HOLDS.format("array_to_string(reasons, chr(10)) || coalesce(CAST(details AS VARCHAR), '')")}
"""  # noqa: S608 - a constant
NOTES_WITH_WITHHELD = f"""
SELECT disposition_id, note FROM audit.dispositions WHERE {_HOLDS.format("note")}
"""  # noqa: S608 - a constant
MEDIA_WITH_WITHHELD = f"""
SELECT item_id, media_id, alt_text, auto_alt_text FROM core.media
WHERE {_HOLDS.format("coalesce(alt_text, '') || chr(10) || coalesce(auto_alt_text, '')")}
"""  # noqa: S608 - a constant
ALT_VERSIONS_WITH_WITHHELD = f"""
SELECT item_id, media_id, alt_sha256, alt_text FROM core.media_alt_versions
WHERE {_HOLDS.format("alt_text")}
"""  # noqa: S608 - a constant
# What the snapshot gets instead of a plain copy, for the tables that hold masked values.
MASKED_SELECTS = {
    ("core", "items"): """
        SELECT t.* REPLACE (coalesce(m.text, t.text) AS text) FROM core.items t
        LEFT JOIN snapshot_masked_items m USING (item_id)""",
    ("core", "item_versions"): """
        SELECT t.* REPLACE (coalesce(m.text, t.text) AS text) FROM core.item_versions t
        LEFT JOIN snapshot_masked_versions m USING (item_id, version_id, text_sha256)""",
    ("core", "media"): """
        SELECT t.* REPLACE (coalesce(m.alt_text, t.alt_text) AS alt_text,
                            coalesce(m.auto_alt_text, t.auto_alt_text) AS auto_alt_text)
        FROM core.media t
        LEFT JOIN snapshot_scrubbed_media m USING (item_id, media_id)""",
    ("core", "media_alt_versions"): """
        SELECT t.* REPLACE (coalesce(m.alt_text, t.alt_text) AS alt_text)
        FROM core.media_alt_versions t
        LEFT JOIN snapshot_scrubbed_alt_versions m USING (item_id, media_id, alt_sha256)""",
    ("audit", "findings"): """
        SELECT t.* REPLACE (coalesce(m.evidence, t.evidence) AS evidence) FROM audit.findings t
        LEFT JOIN snapshot_scrubbed_findings m USING (finding_id)""",
    ("audit", "signals"): """
        SELECT t.* REPLACE (coalesce(m.reasons, t.reasons) AS reasons,
                            coalesce(m.details, t.details) AS details)
        FROM audit.signals t
        LEFT JOIN snapshot_scrubbed_signals m
          USING (detector, detector_version, content_sha256)
        WHERE EXISTS (SELECT 1 FROM audit.subject_signals s
                      WHERE s.detector = t.detector AND s.detector_version = t.detector_version
                        AND s.content_sha256 = t.content_sha256)""",
    ("audit", "dispositions"): """
        SELECT t.* REPLACE (coalesce(m.note, t.note) AS note) FROM audit.dispositions t
        LEFT JOIN snapshot_scrubbed_dispositions m USING (disposition_id)""",
}


def mask_text(text: str, spans: Iterable[Mapping[str, Any]]) -> tuple[str, list[str]]:
    """``text`` with every span replaced by a marker naming its kind; also the withheld strings.

    Overlapping spans merge into one marker (the first kind wins); spans outside the text are
    ignored, so a stale signal can never corrupt a text."""
    clean = sorted((int(s["start"]), int(s["end"]), str(s.get("kind", "detail"))) for s in spans
                   if 0 <= int(s["start"]) < int(s["end"]) <= len(text))
    merged: list[list[Any]] = []
    for start, end, kind in clean:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, kind])
    out, withheld, pos = [], [], 0
    for start, end, kind in merged:
        out += [text[pos:start], MASK.format(kind=kind.replace("_", " "))]
        withheld.append(text[start:end])
        pos = end
    out.append(text[pos:])
    return "".join(out), withheld


WITHHELD = "[withheld]"


def place_spans(text: str | None, read: str, spans: Iterable[Mapping[str, Any]],
                ) -> tuple[list[dict[str, Any]], list[str]]:
    """Spans the detector found in ``read`` (what it read) as spans of the stored ``text``,
    and the details found elsewhere in ``read``, as strings to withhold wherever they appear.

    The detector reads a reply without the name it opens with (``read`` ends ``text``) and a
    post with the alt text written on its photos after a blank line (``text`` then ends where
    that alt text begins)."""
    shift, limit = 0, -1
    if text is not None:
        cuts = [len(read)] + [i for i in range(len(read) - 1, -1, -1)
                              if read.startswith("\n\n", i)]
        for cut in cuts:
            if text.endswith(read[:cut]):
                shift, limit = len(text) - cut, cut
                break
    direct: list[dict[str, Any]] = []
    elsewhere: list[str] = []
    for span in spans:
        start, end = int(span["start"]), int(span["end"])
        if 0 <= start < end <= limit:
            direct.append({**span, "start": start + shift, "end": end + shift})
        elif 0 <= start < end <= len(read):
            elsewhere.append(read[start:end])
    return direct, elsewhere


def _secrets(withheld: Iterable[str]) -> list[str]:
    """The withheld strings worth searching for (3 characters or more), longest first."""
    return sorted({w for w in withheld if len(w.strip()) >= 3}, key=len, reverse=True)


def _scrub(value: str, secrets: list[str]) -> str:
    for secret in secrets:
        value = value.replace(secret, WITHHELD)
    return value


def _scrub_json(text: str | None, secrets: list[str]) -> str | None:
    """A JSON document with every string (keys too) scrubbed; JSON stays JSON."""
    if text is None:
        return None

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return _scrub(value, secrets)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {_scrub(k, secrets): walk(v) for k, v in value.items()}
        return value

    return json.dumps(walk(json.loads(text)), ensure_ascii=False)


def _prepare_masks(con: duckdb.DuckDBPyConnection) -> int:
    """Fill the temp tables of masked texts, evidence, reasons and notes; returns the texts
    masked. A flagged text gets a marker per span naming its kind; then every detail withheld
    anywhere is scrubbed wherever else it is repeated."""
    from checks.signals import inputs_sql

    con.execute(MASK_TABLES)
    con.execute("CREATE OR REPLACE TEMP TABLE snapshot_confidential_reading AS "
                + inputs_sql("confidential"))
    sql = resources.files("warehouse").joinpath("sql/snapshot_mask_sources.sql").read_text()
    withheld: list[str] = []
    # a text flagged by several detector versions (after a model update) is masked once, with
    # the spans every version found
    texts: dict[tuple[str, str, str | None, str | None], tuple[str, list[Any]]] = {}
    for place, item_id, version_id, text_sha, text, read, details in con.execute(sql).fetchall():
        spans = (json.loads(details) if isinstance(details, str) else details or {}).get("spans")
        direct, elsewhere = place_spans(text, read, spans or [])
        withheld += elsewhere
        if text is not None:
            texts.setdefault((place, item_id, version_id, text_sha), (text, []))[1].extend(direct)
    masked_texts: dict[tuple[str, str, str | None, str | None], str] = {}
    for key, (text, spans) in texts.items():
        masked_texts[key], found = mask_text(text, spans)
        withheld += found
    secrets = _secrets(withheld)
    if secrets:
        con.executemany("INSERT INTO snapshot_withheld VALUES (?)", [(w,) for w in secrets])
        for item_id, text in con.execute(TEXTS_WITH_WITHHELD).fetchall():
            key = ("item", item_id, None, None)
            masked_texts[key] = _scrub(masked_texts.get(key, text), secrets)
        for item_id, version_id, text_sha, text in con.execute(
                VERSIONS_WITH_WITHHELD).fetchall():
            key = ("version", item_id, version_id, text_sha)
            masked_texts[key] = _scrub(masked_texts.get(key, text), secrets)
    items = [(k[1], t) for k, t in masked_texts.items() if k[0] == "item"]
    versions = [(k[1], k[2], k[3], t) for k, t in masked_texts.items() if k[0] == "version"]
    if items:
        con.executemany("INSERT INTO snapshot_masked_items VALUES (?, ?)", items)
    if versions:
        con.executemany("INSERT INTO snapshot_masked_versions VALUES (?, ?, ?, ?)", versions)
    if not secrets:
        return len(items) + len(versions)
    findings = [(fid, _scrub_json(ev, secrets))
                for fid, ev in con.execute(FINDINGS_WITH_WITHHELD).fetchall()]
    if findings:
        con.executemany("INSERT INTO snapshot_scrubbed_findings VALUES (?, ?)", findings)
    signals = [(name, version, sha, [_scrub(r, secrets) for r in reasons or []],
                _scrub_json(details, secrets))
               for name, version, sha, reasons, details
               in con.execute(SIGNALS_WITH_WITHHELD).fetchall()]
    if signals:
        con.executemany("INSERT INTO snapshot_scrubbed_signals VALUES (?, ?, ?, ?, ?)",
                        signals)
    notes = [(did, _scrub(note, secrets))
             for did, note in con.execute(NOTES_WITH_WITHHELD).fetchall()]
    if notes:
        con.executemany("INSERT INTO snapshot_scrubbed_dispositions VALUES (?, ?)", notes)
    media = [(item_id, media_id, alt and _scrub(alt, secrets), auto and _scrub(auto, secrets))
             for item_id, media_id, alt, auto in con.execute(MEDIA_WITH_WITHHELD).fetchall()]
    if media:
        con.executemany("INSERT INTO snapshot_scrubbed_media VALUES (?, ?, ?, ?)", media)
    alts = [(item_id, media_id, sha, _scrub(alt, secrets))
            for item_id, media_id, sha, alt in con.execute(ALT_VERSIONS_WITH_WITHHELD).fetchall()]
    if alts:
        con.executemany("INSERT INTO snapshot_scrubbed_alt_versions VALUES (?, ?, ?, ?)", alts)
    return len(items) + len(versions)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_for_analysts(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the attached ``snapshot_out`` (its schema copied, no rows) table by table with the
    analyst surface: the tables of ``ANALYST_TABLES`` without their left-out columns, texts
    masked. Rows are written once, so nothing masked stays behind in the file's free blocks
    (as it would after an UPDATE), and what is left out never enters the file."""
    tables = con.execute(BASE_TABLES).fetchall()
    has_audit = ("audit", "signals") in tables
    if has_audit:
        _prepare_masks(con)
    try:
        for schema, table in tables:
            # identifiers come from the warehouse's own catalog, quoted; no data is interpolated
            name = f"{_ident(schema)}.{_ident(table)}"
            if f"{schema}.{table}" not in ANALYST_TABLES:
                con.execute(f"DROP TABLE snapshot_out.{name}")
                continue
            select = f"SELECT * FROM {name}"  # noqa: S608
            if has_audit and (schema, table) in MASKED_SELECTS:
                select = MASKED_SELECTS[schema, table]
            left_out = ANALYST_TABLES[f"{schema}.{table}"]
            if left_out:
                columns = ", ".join(_ident(c) for c in left_out)
                for column in left_out:
                    con.execute(f"ALTER TABLE snapshot_out.{name} DROP COLUMN {_ident(column)}")
                select = f"SELECT * EXCLUDE ({columns}) FROM ({select})"  # noqa: S608
            con.execute(f"INSERT INTO snapshot_out.{name} {select}")
    finally:
        con.execute(DROP_MASK_TABLES)


def publish_snapshot(con: duckdb.DuckDBPyConnection, snapshot_path: Path) -> Path:
    """Copy the open warehouse to ``snapshot_path`` (owner-only) through a rename."""
    snapshot_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = snapshot_path.with_name(f".{snapshot_path.name}.{os.getpid()}.tmp")
    # what a killed publish left (any process: the caller holds the warehouse, the only writer)
    for leftover in snapshot_path.parent.glob(f".{snapshot_path.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)
    source = con.execute("SELECT current_database()").fetchone()[0]
    # the new file and its WAL are owner-only from their first byte, whoever opened ``con``
    with owner_only_files():
        con.execute("ATTACH ? AS snapshot_out", [str(tmp)])
        try:
            con.execute(f'COPY FROM DATABASE "{source}" TO snapshot_out (SCHEMA)')
            _copy_for_analysts(con)
            kill_point("snapshot:before_detach")
        finally:
            con.execute("DETACH snapshot_out")
    os.chmod(tmp, 0o600)
    kill_point("snapshot:before_rename")
    os.replace(tmp, snapshot_path)
    return snapshot_path


def open_snapshot(snapshot_path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(snapshot_path), read_only=True)
