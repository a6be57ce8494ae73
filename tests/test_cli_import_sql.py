"""``socialaudit import`` and ``socialaudit sql`` through the command line, on a real workspace.

The imports run ``pipelines.cli.main`` (and once the installed console entry point in a
subprocess) against a workspace folder with its own warehouse and snapshot files; the SQL tests
then try to write, attach, copy and read files through ``socialaudit sql`` and check that each
attempt is refused with a clear message and changes nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import main
from tests.fixtures import PYFACEBOOK, TWARC

ARCHIVE = Path(__file__).resolve().parent / "data" / "x-archive" / "current"
ACCOUNT_ID = "1490000000000000001"  # the archive's account
CONFIG = """\
[district]
name = "Import Test District"
timezone = "America/Chicago"

[warehouse]
path = "warehouse.duckdb"

[registry]
accounts = "accounts.csv"
"""
ACCOUNTS = f"""\
platform,platform_id,handle,kind,school,owner,designee_admins
x,{ACCOUNT_ID},lincolnusd_demo,official,,Communications,
"""


def make_workspace(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "socialaudit.toml").write_text(CONFIG, encoding="utf-8")
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    return folder / "socialaudit.toml"


def query(path: Path, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def tables(path: Path) -> list[tuple]:
    return query(path, "SELECT database_name, schema_name, table_name, estimated_size "
                       "FROM duckdb_tables() ORDER BY ALL")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A workspace after one import of each kind (what the SQL tests read)."""
    config = make_workspace(tmp_path_factory.mktemp("cli") / "ws")
    assert main(["import", "twarc", str(TWARC / "media_tweet.jsonl"), "--config",
                 str(config)]) == 0
    assert main(["import", "x-archive", str(ARCHIVE), "--config", str(config),
                 "--account", f"x:{ACCOUNT_ID}"]) == 0
    assert main(["import", "graph-json", str(PYFACEBOOK / "facebook/apidata/posts"),
                 "--config", str(config)]) == 0
    return config.parent


# ---------------------------------------------------------------------------------- import


def test_import_twarc_lands_in_core_and_the_snapshot(tmp_path, capsys) -> None:
    config = make_workspace(tmp_path / "ws")
    fixture = TWARC / "media_tweet.jsonl"
    body = json.loads(fixture.read_text(encoding="utf-8").splitlines()[0])
    assert main(["import", "twarc", str(fixture), "--config", str(config),
                 "--account", "x:1"]) == 0
    out = capsys.readouterr().out
    assert "1 page(s) stored, 0 quarantined" in out
    warehouse, snapshot = tmp_path / "ws" / "warehouse.duckdb", tmp_path / "ws" / "snapshot.duckdb"
    assert query(warehouse, "SELECT source, origin, account_id FROM raw.api_pages") == [
        ("x", "twarc", "x:1")]
    tweets = body["data"]
    items = query(warehouse, "SELECT item_id, author_id FROM core.items ORDER BY 1")
    assert items == sorted((f"x:{t['edit_history_tweet_ids'][0]}", f"x:{t['author_id']}")
                           for t in tweets)
    keys = {k for t in tweets for k in t.get("attachments", {}).get("media_keys", [])}
    assert {r[0] for r in query(warehouse, "SELECT media_id FROM core.media")} == {
        f"x:{k}" for k in keys} != set()
    # the analyst snapshot is published by the import
    assert query(snapshot, "SELECT count(*) FROM core.items")[0][0] == len(items)


def test_import_x_archive_with_its_media(tmp_path, capsys) -> None:
    config = make_workspace(tmp_path / "ws")
    assert main(["import", "x-archive", str(ARCHIVE), "--config", str(config),
                 "--account", f"x:{ACCOUNT_ID}"]) == 0
    assert "0 quarantined" in capsys.readouterr().out
    warehouse = tmp_path / "ws" / "warehouse.duckdb"
    kinds = dict(query(warehouse, "SELECT kind, count(*) FROM core.items GROUP BY 1"))
    assert kinds == {"post": 4, "comment": 2}
    assert query(warehouse, "SELECT DISTINCT author_id FROM core.items") == [
        (f"x:{ACCOUNT_ID}",)]
    photos = query(warehouse, "SELECT local_path FROM core.media WHERE content_sha256 "
                              "IS NOT NULL")
    assert photos and all(Path(p).is_file() and Path(p).is_relative_to(tmp_path / "ws" / "media")
                          for (p,) in photos)


def test_import_graph_json_partly_bad_exits_1_and_names_the_files(tmp_path, capsys) -> None:
    config = make_workspace(tmp_path / "ws")
    folder = tmp_path / "export"
    folder.mkdir()
    for rel in ("facebook/apidata/posts/feed_fields_p1.json", "facebook/models/page.json"):
        (folder / Path(rel).name).write_bytes((PYFACEBOOK / rel).read_bytes())
    assert main(["import", "graph-json", str(folder), "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert "1 page(s) stored, 1 quarantined" in captured.out
    assert "quarantined: page.json: cannot be classified" in captured.err
    warehouse = tmp_path / "ws" / "warehouse.duckdb"
    posts = json.loads((folder / "feed_fields_p1.json").read_text())["data"]
    assert query(warehouse, "SELECT count(*) FROM core.items WHERE platform = 'facebook' "
                            "AND kind = 'post'")[0][0] == len(posts)


def test_import_of_nothing_importable_exits_non_zero_and_says_so(tmp_path, capsys) -> None:
    config = make_workspace(tmp_path / "ws")
    junk = tmp_path / "archive.zip"
    junk.write_bytes(b"this is not a zip file")
    assert main(["import", "x-archive", str(junk), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "not a readable archive" in err
    assert f"socialaudit: nothing imported from {junk}" in err
    assert query(tmp_path / "ws" / "warehouse.duckdb",
                 "SELECT count(*) FROM raw.api_pages")[0][0] == 0

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["import", "twarc", str(empty), "--config", str(config)]) == 2
    assert "nothing imported" in capsys.readouterr().err


def test_the_console_script_exit_code_for_a_non_archive(tmp_path) -> None:
    config = make_workspace(tmp_path / "ws")
    junk = tmp_path / "tweets.js"
    junk.write_text("not an archive")
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "import", "x-archive", str(junk),
         "--config", str(config)],
        cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "nothing imported" in done.stderr and "not a readable archive" in done.stderr


# ---------------------------------------------------------------------------------- sql


def test_select_over_tables_and_views(workspace, capsys) -> None:
    config = str(workspace)
    assert main(["sql", "SELECT platform, count(*) AS n FROM core.items GROUP BY 1 ORDER BY 1",
                 "--config", config, "--format", "json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = query(workspace / "snapshot.duckdb",
                     "SELECT platform, count(*) FROM core.items GROUP BY 1 ORDER BY 1")
    assert [(r["platform"], r["n"]) for r in rows] == expected
    assert {r["platform"] for r in rows} == {"x", "facebook"}
    # a view, a WITH query, DESCRIBE and the live warehouse
    assert main(["sql", "WITH t AS (SELECT * FROM core.threads) SELECT count(*) AS n FROM t",
                 "--config", config, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == str(query(
        workspace / "snapshot.duckdb", "SELECT count(*) FROM core.threads")[0][0])
    assert main(["sql", "DESCRIBE core.items", "--config", config, "--format", "csv"]) == 0
    assert "item_id" in capsys.readouterr().out
    assert main(["sql", "SELECT count(*) AS n FROM raw.api_pages", "--live", "--config", config,
                 "--format", "csv"]) == 0
    assert int(capsys.readouterr().out.splitlines()[1]) > 0


@pytest.mark.parametrize(("sql", "says"), [
    ("ATTACH '{ws}/warehouse.duckdb' AS w (READ_WRITE); CREATE TABLE w.main.x AS SELECT 1",
     "ATTACH statements are refused"),
    ("CREATE TABLE main.x AS SELECT 1", "CREATE statements are refused"),
    ("CREATE TEMP TABLE x AS SELECT 1", "CREATE statements are refused"),
    ("INSERT INTO audit.runs SELECT * FROM audit.runs", "INSERT statements are refused"),
    ("COPY (SELECT * FROM core.items) TO '{ws}/leak.csv'", "COPY statements are refused"),
    ("EXPORT DATABASE '{ws}/leak'", "EXPORT statements are refused"),
    ("INSTALL httpfs", "LOAD statements are refused"),
    ("LOAD httpfs", "LOAD statements are refused"),
    ("SET enable_external_access = true", "SET statements are refused"),
    ("PRAGMA enable_profiling", "PRAGMA statements are refused"),
    ("SELECT 1; DETACH w", "DETACH statements are refused"),
    ("SELECT * FROM read_text('/etc/passwd')", "no files or other databases"),
    ("SELECT * FROM read_csv('{ws}/accounts.csv')", "no files or other databases"),
    ("SELECT * FROM '{ws}/accounts.csv'", "no files or other databases"),
    ("SELECT * FROM glob('{ws}/*')", "no files or other databases"),
])
@pytest.mark.parametrize("live", [False, True])
def test_writes_attaches_files_and_settings_are_refused(workspace, capsys, sql, says,
                                                        live) -> None:
    before = {name: tables(workspace / name) for name in ("warehouse.duckdb", "snapshot.duckdb")}
    files = sorted(p.name for p in workspace.iterdir())
    argv = ["sql", sql.format(ws=workspace), "--config", str(workspace)]
    assert main(argv + (["--live"] if live else [])) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("socialaudit: ") and says in captured.err
    assert "/etc/passwd" not in captured.out and "root:" not in captured.err
    assert sorted(p.name for p in workspace.iterdir()) == files
    assert {name: tables(workspace / name) for name in before} == before


def test_a_reader_that_stops_early_gets_no_traceback(workspace) -> None:
    """`socialaudit sql ... | head -1`: the command stops quietly when its reader goes away."""
    reader = subprocess.Popen(["head", "-c", "100"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL)
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "sql", "SELECT * FROM range(300000)",
         "--format", "csv", "--config", str(workspace)],
        cwd=Path(__file__).resolve().parents[1], stdout=reader.stdin, stderr=subprocess.PIPE,
        text=True, timeout=120)
    reader.stdin.close()
    reader.wait(timeout=30)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 141
