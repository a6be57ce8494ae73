"""One writer at a time: the warehouse's writer lock, between real processes.

A helper process opens the warehouse for writing through ``warehouse.db.connect`` (what every
stage, CLI command and Dagster asset uses) and holds it until told to close; this process then
tries to write too. Without the lock DuckDB would refuse the second open at once ("Could not set
lock"); with it the second writer waits, names the holder, and goes on when the first is done.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from warehouse import db

ROOT = Path(__file__).resolve().parents[1]
HOLDER = textwrap.dedent("""
    import sys
    from warehouse import db
    con = db.connect(sys.argv[1])
    con.execute("CREATE TABLE IF NOT EXISTS main.marks (who VARCHAR)")
    con.execute("INSERT INTO main.marks VALUES ('holder')")
    print("holding", flush=True)
    sys.stdin.readline()
    con.close()
    print("released", flush=True)
    sys.stdin.readline()
""")


class Holder:
    """A second process holding the warehouse open for writing."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        assert self.proc.stdout.readline().strip() == "holding", self.proc.stderr.read()

    def release(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "released"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("\n\n")
            self.proc.stdin.flush()
        self.proc.wait(timeout=30)


@pytest.fixture
def holder(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    held = Holder(path)
    yield path, held
    held.stop()


def test_a_second_writer_gives_up_naming_the_holder(holder) -> None:
    path, held = holder
    started = time.monotonic()
    with pytest.raises(db.WarehouseBusy) as exc:
        db.connect(path, wait=0.5)
    assert 0.4 < time.monotonic() - started < 10
    message = str(exc.value)
    assert f"pid {held.proc.pid}" in message and str(path) in message
    assert db.WRITER_WAIT_ENV in message
    # the refused open changed nothing and left the holder's lock alone
    held.release()
    con = db.connect(path, wait=5)
    try:
        assert con.execute("SELECT who FROM main.marks").fetchall() == [("holder",)]
    finally:
        con.close()


def test_a_second_writer_waits_then_writes(holder, caplog) -> None:
    path, held = holder
    got: dict[str, object] = {}

    def second_writer() -> None:
        started = time.monotonic()
        con = db.connect(path, wait=60)
        got["waited"] = time.monotonic() - started
        con.execute("INSERT INTO main.marks VALUES ('second')")
        con.close()

    with caplog.at_level(logging.WARNING, logger="socialaudit.warehouse"):
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(1.0)
        assert thread.is_alive(), "the second writer must wait while the first holds the lock"
        held.release()
        thread.join(timeout=60)
    assert not thread.is_alive() and got["waited"] >= 1.0
    assert f"pid {held.proc.pid}" in caplog.text and "waiting up to 60 s" in caplog.text
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT who FROM main.marks ORDER BY who").fetchall() == [
        ("holder",), ("second",)]
    con.close()


def test_the_lock_is_released_when_the_holder_dies(tmp_path) -> None:
    path = tmp_path / "warehouse.duckdb"
    held = Holder(path)
    held.proc.kill()
    held.proc.wait(timeout=30)
    con = db.connect(path, wait=5)  # the OS freed the lock with the process
    con.close()


def test_one_process_may_open_its_warehouse_twice(tmp_path) -> None:
    path = tmp_path / "warehouse.duckdb"
    first = db.connect(path, wait=0)
    second = db.connect(path, wait=0)  # DuckDB shares one instance within a process
    second.close()
    first.execute("CREATE TABLE main.t AS SELECT 1 AS a")
    first.close()
    lock_file, holder_file = db.lock_paths(path)
    assert not holder_file.exists()
    other = subprocess.run([sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, text=True,
                           input="\n\n", capture_output=True, timeout=60)
    assert other.returncode == 0 and "released" in other.stdout, other.stderr


def test_a_cli_import_waits_for_the_writer_and_says_who_it_is(tmp_path, capsys,
                                                             monkeypatch) -> None:
    from tests.test_cli_import_sql import make_workspace

    config = make_workspace(tmp_path / "ws")
    held = Holder(tmp_path / "ws" / "warehouse.duckdb")
    try:
        monkeypatch.setenv(db.WRITER_WAIT_ENV, "0.3")
        code = main(["import", "x-archive", str(tmp_path / "missing.zip"), "--config",
                     str(config)])
        assert code == 2  # checked before the warehouse is opened
        junk = tmp_path / "a.zip"
        junk.write_bytes(b"junk")
        assert main(["import", "x-archive", str(junk), "--config", str(config)]) == 2
        err = capsys.readouterr().err
        assert "socialaudit: gave up after" in err and f"pid {held.proc.pid}" in err
    finally:
        held.stop()


def test_a_connection_collected_while_another_is_opened_does_not_deadlock(tmp_path):
    # the garbage collector may drop an unclosed connection (releasing its lock in __del__) in
    # the middle of the next open on the same thread: that must not wait on itself
    path = tmp_path / "w.duckdb"
    done = threading.Event()

    def open_while_a_release_runs_inside() -> None:
        first = db.connect(path)
        with db._held_guard:  # what acquire_writer holds when the collector steps in
            first._unlock()
        first._con.close()
        db.connect(path).close()
        done.set()

    worker = threading.Thread(target=open_while_a_release_runs_inside, daemon=True)
    worker.start()
    assert done.wait(20), "the writer lock waited on itself"
