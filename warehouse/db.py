"""Open a district warehouse (one DuckDB file) and bring its schema up to date.

Migrations are the numbered files in ``warehouse/migrations``; each is applied once, in order,
inside a transaction, and recorded in ``main.schema_migrations``.

The warehouse holds students' data, and so does every file DuckDB makes beside it: the
write-ahead log (``warehouse.duckdb.wal``, created at the first write after each checkpoint and
left behind by a killed run) and the spill folder (``warehouse.duckdb.tmp``). DuckDB creates
them whenever it needs them, with the process umask, so a writable connection keeps the
process umask at 077 for as long as it is open (``owner_only_files``); opening also tightens
files an older version or another tool left readable.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

MIGRATIONS_PACKAGE = "warehouse"
MIGRATIONS_DIR = "migrations"

CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS main.schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
)
"""


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every shipped migration, in order."""
    folder = resources.files(MIGRATIONS_PACKAGE).joinpath(MIGRATIONS_DIR)
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    con.execute(CREATE_MIGRATIONS_TABLE)
    done = {row[0] for row in con.execute("SELECT version FROM main.schema_migrations").fetchall()}
    applied = []
    for version, name, sql in migration_files():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO main.schema_migrations (version, name) VALUES (?, ?)", [version, name]
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


OWNER_ONLY_UMASK = 0o077
# The umask is per process: holders (open writable connections, snapshot publications) are
# counted, and the umask found before the first one is put back after the last one ends.
_umask_lock = threading.Lock()
_umask_holders = 0
_umask_before = 0


def _hold_owner_only() -> None:
    global _umask_holders, _umask_before
    with _umask_lock:
        if _umask_holders == 0:
            before = os.umask(OWNER_ONLY_UMASK)
            os.umask(before | OWNER_ONLY_UMASK)
            _umask_before = before
        _umask_holders += 1


def _release_owner_only() -> None:
    global _umask_holders
    with _umask_lock:
        _umask_holders -= 1
        if _umask_holders == 0:
            os.umask(_umask_before)


@contextmanager
def owner_only_files() -> Iterator[None]:
    """Every file and folder this process creates inside the block is readable by its owner
    only (umask 077; a stricter umask is kept)."""
    _hold_owner_only()
    try:
        yield
    finally:
        _release_owner_only()


def tighten(path: Path) -> None:
    """Make the warehouse file at ``path`` and DuckDB's files beside it owner-only (0600, the
    spill folder 0700), when this user owns them."""
    for candidate, mode in ((path, 0o600), (path.with_name(path.name + ".wal"), 0o600),
                            (path.with_name(path.name + ".tmp"), 0o700)):
        try:
            info = candidate.stat()
        except FileNotFoundError:
            continue
        if info.st_uid == os.geteuid() and info.st_mode & 0o777 != mode:
            os.chmod(candidate, mode)


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path``; a writable open creates it and migrates it, and while the
    connection lives every file the process creates is owner-only (see the module docstring)."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    _hold_owner_only()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tighten(path)  # before DuckDB reads a WAL a killed run left readable
        con = duckdb.connect(str(path))
    except BaseException:
        _release_owner_only()
        raise
    # released when the connection object is gone (closed and unreferenced); never earlier
    weakref.finalize(con, _release_owner_only)
    con.execute("SET TimeZone = 'UTC'")
    apply_migrations(con)
    return con


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the full schema, for tests and one-off imports."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    apply_migrations(con)
    return con
