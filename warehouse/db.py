"""Open a district warehouse (one DuckDB file) and bring its schema up to date.

Migrations are the numbered files in ``warehouse/migrations``; each is applied once, in order,
inside a transaction, and recorded in ``main.schema_migrations``.

One writer at a time: a writable open takes the warehouse's writer lock (``<file>.writer.lock``
beside it, an OS file lock, so a crashed holder frees it) and keeps it until the connection is
closed. Another process asking for it waits, saying who holds it (``<file>.writer`` records the
holder's pid, host, command and since when), and gives up with ``WarehouseBusy`` after
``SOCIALAUDIT_WRITER_WAIT`` seconds (default 600). Within one process the lock is shared: DuckDB
serves every connection of a process from one database instance.

The warehouse holds students' data, and so does every file DuckDB makes beside it: the
write-ahead log (``warehouse.duckdb.wal``, created at the first write after each checkpoint and
left behind by a killed run) and the spill folder (``warehouse.duckdb.tmp``). DuckDB creates
them whenever it needs them, with the process umask, so a writable connection keeps the
process umask at 077 for as long as it is open (``owner_only_files``); opening also tightens
files an older version or another tool left readable.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
from filelock import FileLock, Timeout

log = logging.getLogger("socialaudit.warehouse")

WRITER_WAIT_ENV = "SOCIALAUDIT_WRITER_WAIT"
DEFAULT_WRITER_WAIT_SECONDS = 600.0

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


class WarehouseBusy(RuntimeError):
    """Another process kept the warehouse's writer lock for longer than we could wait."""


def writer_wait_seconds() -> float:
    raw = os.environ.get(WRITER_WAIT_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_WRITER_WAIT_SECONDS
    except ValueError:
        return DEFAULT_WRITER_WAIT_SECONDS


def lock_paths(path: Path) -> tuple[Path, Path]:
    """(the lock file, the holder description) of the warehouse at ``path``."""
    return (path.with_name(path.name + ".writer.lock"), path.with_name(path.name + ".writer"))


def lock_holder(path: str | Path) -> str:
    """Who holds the writer lock of ``path``, as recorded by the holder."""
    try:
        info = json.loads(lock_paths(Path(path))[1].read_text(encoding="utf-8"))
        return (f"pid {info['pid']} on {info['host']} ({info['command']}), "
                f"since {info['since']}")
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (it left no description)"


class _Held:
    def __init__(self, lock: FileLock):
        self.lock = lock
        self.count = 0


_held: dict[Path, _Held] = {}
# re-entrant: a connection dropped without close() is released from __del__, which the garbage
# collector may run in the middle of acquire_writer on the same thread
_held_guard = threading.RLock()


def acquire_writer(path: Path, wait: float | None = None) -> None:
    """Take the writer lock of the warehouse at ``path`` (see the module docstring)."""
    key = path.resolve()
    wait = writer_wait_seconds() if wait is None else wait
    with _held_guard:
        held = _held.get(key)
        if held is not None:
            held.count += 1
            return
        lock_file, holder_file = lock_paths(key)
        lock = FileLock(lock_file, mode=0o600, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            holder = lock_holder(key)
            log.warning("the warehouse %s is being written by %s; waiting up to %g s for it to "
                        "finish (%s sets how long)", key, holder, wait, WRITER_WAIT_ENV)
            started = time.monotonic()
            try:
                lock.acquire(timeout=wait, poll_interval=0.1)
            except Timeout:
                raise WarehouseBusy(
                    f"gave up after {time.monotonic() - started:.0f} s waiting for the warehouse "
                    f"{key}: it is being written by {lock_holder(key)}. Run again when "
                    f"that has finished, or wait longer with {WRITER_WAIT_ENV}=SECONDS"
                ) from None
        try:
            holder_file.write_text(json.dumps({
                "pid": os.getpid(), "host": socket.gethostname(),
                "command": " ".join(os.path.basename(a) if i == 0 else a
                                    for i, a in enumerate(sys.argv))[:200] or "python",
                "since": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            }), encoding="utf-8")
        except OSError:
            pass  # the description is a courtesy; the lock is what counts
        held = _held[key] = _Held(lock)
        held.count = 1


def release_writer(path: Path) -> None:
    key = path.resolve()
    with _held_guard:
        held = _held.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count > 0:
            return
        del _held[key]
        lock_paths(key)[1].unlink(missing_ok=True)
        held.lock.release(force=True)


class WarehouseConnection:
    """A writable warehouse connection: a DuckDB connection that holds the writer lock until
    ``close()`` (or until it is garbage collected). Everything else is the DuckDB connection's."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path):
        self._con = con
        self._path = path
        self._locked = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, *args: Any, **kwargs: Any) -> WarehouseConnection:
        self._con.execute(*args, **kwargs)
        return self

    def executemany(self, *args: Any, **kwargs: Any) -> WarehouseConnection:
        self._con.executemany(*args, **kwargs)
        return self

    def close(self) -> None:
        try:
            self._con.close()
        finally:
            self._unlock()

    def _unlock(self) -> None:
        if self._locked:
            self._locked = False
            release_writer(self._path)

    def __enter__(self) -> WarehouseConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self._unlock()
        except Exception:  # interpreter shutdown
            pass


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


def connect(path: str | Path, *, read_only: bool = False,
            wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse at ``path``. A writable open takes the writer lock (waiting up to
    ``wait`` seconds, default ``SOCIALAUDIT_WRITER_WAIT``), creates and migrates the file, and
    while the connection lives every file the process creates is owner-only (see the module
    docstring)."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    _hold_owner_only()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        acquire_writer(path, wait)
        try:
            tighten(path)  # before DuckDB reads a WAL a killed run left readable
            con = duckdb.connect(str(path))
            con.execute("SET TimeZone = 'UTC'")
            apply_migrations(con)
        except BaseException:
            release_writer(path)
            raise
    except BaseException:
        _release_owner_only()
        raise
    # the umask is released when the connection object is gone (closed and unreferenced)
    weakref.finalize(con, _release_owner_only)
    return WarehouseConnection(con, path)  # type: ignore[return-value]


def memory() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with the full schema, for tests and one-off imports."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    apply_migrations(con)
    return con
