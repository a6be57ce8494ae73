"""Publish the warehouse as a read-only snapshot for analysts, atomically.

DuckDB allows one writer process; analysts must never block a scheduled run. After each run the
pipeline copies the whole database into a new file beside the snapshot and renames it over the
old one: a reader holding the old file keeps reading it, the next open sees the new one.

The snapshot is what analysts see, so it keeps the least it can about students: the personal
details the ``confidential`` detector found (its spans) are masked in item texts, their stored
versions and the findings' evidence, and the raw page bodies (which repeat those texts verbatim)
are left out; the pipeline's own warehouse keeps the untouched audit trail.
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
# Columns that repeat platform text verbatim; analysts read the normalized, masked core instead.
DROPPED_COLUMNS = {("raw", "api_pages"): "body", ("raw", "quarantine"): "body_text"}
BASE_TABLES = """
SELECT schema_name, table_name FROM duckdb_tables()
WHERE database_name = current_database() AND NOT temporary
ORDER BY schema_name, table_name
"""
MASK_TABLES = """
CREATE OR REPLACE TEMP TABLE snapshot_masked_items (item_id VARCHAR, text VARCHAR);
CREATE OR REPLACE TEMP TABLE snapshot_masked_versions (
    item_id VARCHAR, version_id VARCHAR, text_sha256 VARCHAR, text VARCHAR);
CREATE OR REPLACE TEMP TABLE snapshot_scrubbed_findings (finding_id VARCHAR, evidence JSON);
CREATE OR REPLACE TEMP TABLE snapshot_scrubbed_signals (
    detector_version VARCHAR, content_sha256 VARCHAR, reasons VARCHAR[]);
"""
DROP_MASK_TABLES = """
DROP TABLE IF EXISTS snapshot_masked_items; DROP TABLE IF EXISTS snapshot_masked_versions;
DROP TABLE IF EXISTS snapshot_scrubbed_findings; DROP TABLE IF EXISTS snapshot_scrubbed_signals;
"""
CONFIDENTIAL_EVIDENCE = """
SELECT finding_id, CAST(evidence AS VARCHAR) FROM audit.findings
WHERE rule = 'confidential_disclosure'
"""
CONFIDENTIAL_REASONS = """
SELECT detector_version, content_sha256, reasons FROM audit.signals
WHERE detector = 'confidential' AND flagged
"""
# What the snapshot gets instead of a plain copy, for the tables that hold masked values.
MASKED_SELECTS = {
    ("core", "items"): """
        SELECT t.* REPLACE (coalesce(m.text, t.text) AS text) FROM core.items t
        LEFT JOIN snapshot_masked_items m USING (item_id)""",
    ("core", "item_versions"): """
        SELECT t.* REPLACE (coalesce(m.text, t.text) AS text) FROM core.item_versions t
        LEFT JOIN snapshot_masked_versions m USING (item_id, version_id, text_sha256)""",
    ("audit", "findings"): """
        SELECT t.* REPLACE (coalesce(m.evidence, t.evidence) AS evidence) FROM audit.findings t
        LEFT JOIN snapshot_scrubbed_findings m USING (finding_id)""",
    ("audit", "signals"): """
        SELECT t.* REPLACE (coalesce(m.reasons, t.reasons) AS reasons) FROM audit.signals t
        LEFT JOIN snapshot_scrubbed_signals m
          ON t.detector = 'confidential' AND m.detector_version = t.detector_version
         AND m.content_sha256 = t.content_sha256""",
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


def _scrub(value: str, withheld: Iterable[str]) -> str:
    for secret in sorted(set(withheld), key=len, reverse=True):
        if len(secret.strip()) >= 3:
            value = value.replace(secret, "[withheld]")
    return value


def _prepare_masks(con: duckdb.DuckDBPyConnection) -> int:
    """Fill the temp tables of masked texts, evidence and reasons; returns the texts masked."""
    con.execute(MASK_TABLES)
    sql = resources.files("warehouse").joinpath("sql/snapshot_mask_sources.sql").read_text()
    items, versions, withheld = [], [], []
    # a text flagged by several detector versions (after a model update) is masked once, with
    # the spans every version found
    texts: dict[tuple[str, str, str | None, str | None], tuple[str, list[Any]]] = {}
    for place, item_id, version_id, text_sha, text, details in con.execute(sql).fetchall():
        spans = (json.loads(details) if isinstance(details, str) else details or {}).get("spans")
        texts.setdefault((place, item_id, version_id, text_sha), (text, []))[1].extend(spans or [])
    for (place, item_id, version_id, text_sha), (text, spans) in texts.items():
        masked, found = mask_text(text, spans)
        withheld += found
        if place == "item":
            items.append((item_id, masked))
        else:
            versions.append((item_id, version_id, text_sha, masked))
    if items:
        con.executemany("INSERT INTO snapshot_masked_items VALUES (?, ?)", items)
    if versions:
        con.executemany("INSERT INTO snapshot_masked_versions VALUES (?, ?, ?, ?)", versions)
    if withheld:
        findings = [(fid, _scrub(ev, withheld))
                    for fid, ev in con.execute(CONFIDENTIAL_EVIDENCE).fetchall()]
        if findings:
            con.executemany("INSERT INTO snapshot_scrubbed_findings VALUES (?, ?)", findings)
        signals = [(v, sha, [_scrub(r, withheld) for r in reasons])
                   for v, sha, reasons in con.execute(CONFIDENTIAL_REASONS).fetchall()]
        if signals:
            con.executemany("INSERT INTO snapshot_scrubbed_signals VALUES (?, ?, ?)", signals)
    return len(items) + len(versions)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_for_analysts(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the attached, empty ``snapshot_out`` table by table: a plain copy, except masked
    texts and the raw bodies left out. Rows are written once, so nothing masked stays behind in
    the file's free blocks (as it would after an UPDATE)."""
    tables = con.execute(BASE_TABLES).fetchall()
    has_audit = ("audit", "signals") in tables
    if has_audit:
        _prepare_masks(con)
    try:
        for schema, table in tables:
            # identifiers come from the warehouse's own catalog, quoted; no data is interpolated
            name = f"{_ident(schema)}.{_ident(table)}"
            select = f"SELECT * FROM {name}"  # noqa: S608
            if (schema, table) in DROPPED_COLUMNS:
                column = _ident(DROPPED_COLUMNS[schema, table])
                con.execute(f"ALTER TABLE snapshot_out.{name} DROP COLUMN {column}")
                select = f"SELECT * EXCLUDE ({column}) FROM {name}"  # noqa: S608
            elif has_audit and (schema, table) in MASKED_SELECTS:
                select = MASKED_SELECTS[schema, table]
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
