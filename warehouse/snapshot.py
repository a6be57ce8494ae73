"""Publish the warehouse as a read-only snapshot for analysts, atomically.

DuckDB allows one writer process; analysts must never block a scheduled run. After each run the
pipeline copies the whole database into a new file beside the snapshot and renames it over the
old one: a reader holding the old file keeps reading it, the next open sees the new one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb


def publish_snapshot(con: duckdb.DuckDBPyConnection, snapshot_path: Path) -> Path:
    """Copy the open warehouse to ``snapshot_path`` (owner-only) through a rename."""
    snapshot_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = snapshot_path.with_name(f".{snapshot_path.name}.{os.getpid()}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    source = con.execute("SELECT current_database()").fetchone()[0]
    old_umask = os.umask(0o077)
    try:
        con.execute("ATTACH ? AS snapshot_out", [str(tmp)])
    finally:
        os.umask(old_umask)
    try:
        con.execute(f'COPY FROM DATABASE "{source}" TO snapshot_out')
    finally:
        con.execute("DETACH snapshot_out")
    os.chmod(tmp, 0o600)
    os.replace(tmp, snapshot_path)
    return snapshot_path


def open_snapshot(snapshot_path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(snapshot_path), read_only=True)
