"""Importers (twarc2 lines, X account archive, Graph API JSON) into a real in-memory warehouse."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.endpoints import (
    FB_COMMENTS,
    FB_OBJECT,
    FB_PAGE_POSTS,
    IG_COMMENTS,
    IG_MEDIA,
    IG_OBJECT,
    IG_REPLIES,
    X_ARCHIVE_TWEETS,
    X_SEARCH_ALL,
    X_SEARCH_RECENT,
    X_TWEET,
    X_TWEETS_LOOKUP,
    X_USER_MENTIONS,
    X_USER_TWEETS,
    X_USERS,
)
from connectors.importers import (
    X_ARCHIVE_DELETED_TWEETS,
    X_ARCHIVE_NOTE_TWEETS,
    ImportResult,
    archive_media_tweet_id,
    graph_item_kind,
    import_graph_json,
    import_twarc,
    import_x_archive,
    x_endpoint_for_url,
)
from tests.fixtures import FIXTURES
from warehouse import db
from warehouse.raw_store import RawWriter

TWARC = FIXTURES / "x-api-v2" / "twarc-csv"
GRAPH = FIXTURES / "graph-api" / "python-facebook"
ARCHIVE = Path(__file__).resolve().parent / "data" / "x-archive"
CURRENT = ARCHIVE / "current"
OLD = ARCHIVE / "old-layout"
ACCOUNT = "1490000000000000001"

# (endpoint, object_id) of every line of every twarc-csv fixture file.
TWARC_EXPECTED: dict[str, list[tuple[str, str | None]]] = {
    "2sets.jsonl": [(X_SEARCH_RECENT, None)] * 2,
    "brexit.jsonl": [(X_SEARCH_RECENT, None)],
    "cotweet.jsonl": [(X_TWEETS_LOOKUP, None)],
    "edited.jsonl": [(X_TWEETS_LOOKUP, None)],
    "edited_after.jsonl": [(X_TWEETS_LOOKUP, None)],
    "edited_before.jsonl": [(X_TWEETS_LOOKUP, None)],
    "geo_tweets.jsonl": [(X_TWEETS_LOOKUP, None)] * 2,
    "kpop.jsonl": [(X_SEARCH_RECENT, None)],
    "media_tweet.jsonl": [(X_TWEETS_LOOKUP, None)],
    "mentions_tweet.jsonl": [(X_TWEETS_LOOKUP, None)],
    "quoted_edit.jsonl": [(X_TWEETS_LOOKUP, None)],
    "two_tweets.jsonl": [(X_SEARCH_ALL, None)],
    "users.jsonl": [(X_USERS, None)],
    "verified_type.jsonl": [(X_TWEETS_LOOKUP, None)],
    "withheld.jsonl": [(X_TWEETS_LOOKUP, None)] * 3
    + [(X_USER_TWEETS, "2351222345"), (X_SEARCH_ALL, None)],
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = db.memory()
    yield connection
    connection.close()


def run(
    con: duckdb.DuckDBPyConnection, importer: Callable[..., ImportResult], path: Any,
    run_id: str = "import-test", **kwargs: Any,
) -> tuple[ImportResult, RawWriter]:
    with RawWriter(con, run_id) as writer:
        result = importer(path, writer, **kwargs)
    return result, writer


COUNTS = """
SELECT (SELECT count(*) FROM raw.api_pages), (SELECT count(*) FROM raw.page_fetches),
       (SELECT count(*) FROM raw.quarantine)
"""
PAGES = """
SELECT source, origin, account_id, endpoint, object_id, request_params::VARCHAR, fetched_at,
       sha256, body::VARCHAR
FROM raw.api_pages ORDER BY page_id
"""
PAGE_COLUMNS = ["source", "origin", "account_id", "endpoint", "object_id", "params",
                "fetched_at", "sha256", "body"]


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    row = con.execute(COUNTS).fetchone()
    return dict(zip(("api_pages", "page_fetches", "quarantine"), row, strict=True))


def pages(con: duckdb.DuckDBPyConnection, **where: str) -> list[dict[str, Any]]:
    """Stored pages in order, those whose columns equal ``where``'s values."""
    rows = [dict(zip(PAGE_COLUMNS, row, strict=True)) for row in con.execute(PAGES).fetchall()]
    for row in rows:
        row["params"] = json.loads(row["params"])
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute(
        "SELECT endpoint, reason, body_text FROM raw.quarantine ORDER BY reason"
    ).fetchall()


def sha(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# ------------------------------------------------------------------------------------ twarc


def test_expected_table_covers_every_twarc_fixture() -> None:
    present = {p.name for p in TWARC.glob("*.jsonl")}
    assert present == set(TWARC_EXPECTED)


@pytest.mark.parametrize("name", sorted(TWARC_EXPECTED))
def test_every_twarc_fixture_line_is_one_page(con: duckdb.DuckDBPyConnection, name: str) -> None:
    path = TWARC / name
    result, writer = run(con, import_twarc, path, account_id="acct-x")
    raw_lines = lines(path)
    assert result.files_read == 1
    assert result.pages_stored == len(raw_lines) == len(TWARC_EXPECTED[name])
    assert result.pages_quarantined == 0 and result.errors == []
    stored = pages(con)
    # Lines with the same body for the same target are stored once (the writer dedupes).
    distinct = {(e, o, sha(line)) for (e, o), line in zip(TWARC_EXPECTED[name], raw_lines,
                                                            strict=True)}
    assert writer.pages_written == len(stored) == len(distinct)
    assert {(p["endpoint"], p["object_id"], p["sha256"]) for p in stored} == distinct
    for page in stored:
        assert (page["source"], page["origin"], page["account_id"]) == ("x", "twarc", "acct-x")
        line = next(ln for ln in raw_lines if sha(ln) == page["sha256"])
        twarc = json.loads(line)["__twarc"]
        assert page["fetched_at"] == datetime.fromisoformat(twarc["retrieved_at"])
        assert "expansions" in page["params"]
    assert counts(con)["page_fetches"] == len(stored)


def test_twarc_page_details(con: duckdb.DuckDBPyConnection) -> None:
    run(con, import_twarc, TWARC / "withheld.jsonl")
    timeline = pages(con, endpoint=X_USER_TWEETS)[0]
    assert timeline["params"]["max_results"] == "100"
    assert timeline["params"]["pagination_token"].startswith("7140dibdnow9c7btw3t3c2dct810")
    search = pages(con, endpoint=X_SEARCH_ALL)[0]
    assert search["params"]["query"] == "reliance" and search["object_id"] is None
    # The body is the line as read: __twarc stays in it, the normalizer ignores it.
    assert json.loads(search["body"])["__twarc"]["url"].startswith("https://api.twitter.com/2/")


def test_twarc_directory_and_gzip(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "captures"
    folder.mkdir()
    shutil.copy(TWARC / "two_tweets.jsonl", folder)
    with gzip.open(folder / "withheld.jsonl.gz", "wb") as out:
        out.write((TWARC / "withheld.jsonl").read_bytes())
    (folder / "notes.txt").write_text("not a capture")
    result, writer = run(con, import_twarc, folder)
    assert result.files_read == 2
    assert result.pages_stored == 6 and writer.pages_written == 6
    # The same lines from the uncompressed file are the same pages.
    again, writer = run(con, import_twarc, TWARC / "withheld.jsonl", run_id="second")
    assert again.pages_stored == 5 and writer.pages_written == 0


def test_bad_lines_are_quarantined_and_the_rest_imports(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    good = (TWARC / "withheld.jsonl").read_bytes().splitlines(keepends=True)
    bad = tmp_path / "withheld-damaged.jsonl"
    bad.write_bytes(
        good[0] + good[1] + b"{this is not json\n" + good[2] + b"[1, 2, 3]\n" + b"\xff\xfe oops\n"
        + b"\n" + good[3] + good[4]
    )
    result, writer = run(con, import_twarc, bad)
    assert result.pages_stored == 5 and writer.pages_written == 5
    assert result.pages_quarantined == 3
    assert [(e.file, e.line) for e in result.errors] == [(str(bad), 3), (str(bad), 5),
                                                         (str(bad), 6)]
    assert "not valid JSON" in result.errors[0].reason
    rows = quarantined(con)
    assert len(rows) == 3
    reasons = sorted(r[1] for r in rows)
    assert all(str(bad) in r for r in reasons)
    assert any("line 3: not valid JSON" in r for r in reasons)
    assert any("line 5: a JSON list" in r for r in reasons)
    assert any("line 6: not UTF-8" in r for r in reasons)
    assert "{this is not json" in {r[2] for r in rows}
    assert counts(con)["api_pages"] == 5
    status = con.execute("SELECT status, pages, message FROM raw.fetch_log").fetchall()
    assert status[0][:2] == ("partial", 5) and "line 3" in status[0][2]


def test_nan_and_infinity_lines_and_files_are_not_json(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    good = lines(TWARC / "edited.jsonl")[0]
    twarc = tmp_path / "nan.jsonl"
    twarc.write_text(good + '\n{"data": [], "meta": {"result_count": NaN}}\n', encoding="utf-8")
    result, _ = run(con, import_twarc, twarc)
    assert result.pages_stored == 1 and result.pages_quarantined == 1
    (issue,) = result.errors
    assert issue.line == 2 and "not valid JSON: NaN is not a JSON value" in issue.reason
    graph = write_json(tmp_path / "posts.json", load("facebook/apidata/posts/feed_fields_p1.json"))
    graph.write_text(graph.read_text().replace('"data": [', '"x": Infinity, "data": [', 1))
    result, _ = run(con, import_graph_json, graph)
    assert result.pages_stored == 0 and result.pages_quarantined == 1
    assert "Infinity is not a JSON value" in result.errors[0].reason
    assert counts(con)["api_pages"] == 1


def test_flat_untagged_and_unsupported_lines(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    edited = json.loads(lines(TWARC / "edited.jsonl")[0])
    users = json.loads(lines(TWARC / "users.jsonl")[0])
    twarc_meta = edited["__twarc"]
    flat_tweet = {**edited["data"][0], "author": edited["includes"]["users"][0],
                  "__twarc": twarc_meta}
    untagged_tweets = {k: v for k, v in edited.items() if k != "__twarc"}
    untagged_users = {k: v for k, v in users.items() if k != "__twarc"}
    counts_page = {"data": [{"end": "2026-01-02T00:00:00.000Z", "tweet_count": 3}],
                   "__twarc": {**twarc_meta,
                               "url": "https://api.twitter.com/2/tweets/counts/recent?query=x"}}
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in
                              [flat_tweet, untagged_tweets, untagged_users, counts_page]) + "\n")
    result, _ = run(con, import_twarc, path)
    assert result.pages_stored == 2 and result.pages_quarantined == 2
    assert {(p["endpoint"], p["object_id"], json.dumps(p["params"])) for p in pages(con)} == {
        (X_TWEETS_LOOKUP, None, "{}"), (X_USERS, None, "{}")}
    reasons = [e.reason for e in result.errors]
    assert [e.line for e in result.errors] == [1, 4]
    assert "twarc flattened tweet" in reasons[0]
    assert "/2/tweets/counts/recent is not an endpoint the pipeline imports" in reasons[1]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.twitter.com/2/users/42/tweets?max_results=100", (X_USER_TWEETS, "42")),
        ("https://api.x.com/2/users/42/mentions", (X_USER_MENTIONS, "42")),
        ("https://api.twitter.com/2/tweets/search/recent?query=conversation_id%3A1234567%20"
         "-is%3Aretweet", (X_SEARCH_RECENT, "1234567")),
        ("https://api.twitter.com/2/tweets/search/all?query=%23kpop", (X_SEARCH_ALL, None)),
        ("https://api.twitter.com/2/tweets?ids=1,2", (X_TWEETS_LOOKUP, None)),
        ("https://api.twitter.com/2/tweets/99", (X_TWEET, "99")),
        ("https://api.twitter.com/2/users/by/username/lincoln", (X_USERS, None)),
        ("https://api.twitter.com/2/users/me", (X_USERS, None)),
        ("https://api.twitter.com/2/users?ids=1,2", (X_USERS, None)),
        ("https://api.twitter.com/2/users/42/followers", None),
        ("https://api.twitter.com/1.1/statuses/show.json?id=1", None),
    ],
)
def test_x_endpoint_for_url(url: str, expected: tuple[str, str | None] | None) -> None:
    found = x_endpoint_for_url(url)
    assert (found[:2] if found else None) == expected


# ---------------------------------------------------------------------------------- archive


def js_payload(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("=") + 1:].strip()


def archive_pages(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    return {p["params"]["file"]: p for p in pages(con, origin="x_archive")}


def check_current_archive(con: duckdb.DuckDBPyConnection, result: ImportResult) -> None:
    assert result.errors == []
    assert result.pages_stored == 4 and result.pages_quarantined == 0
    found = archive_pages(con)
    assert {f: (p["endpoint"], p["params"]["part"]) for f, p in found.items()} == {
        "data/tweets.js": (X_ARCHIVE_TWEETS, 0),
        "data/tweets-part1.js": (X_ARCHIVE_TWEETS, 1),
        "data/deleted-tweets.js": (X_ARCHIVE_DELETED_TWEETS, 0),
        "data/note-tweet.js": (X_ARCHIVE_NOTE_TWEETS, 0),
    }
    generated = datetime(2026, 2, 24, 6, 0, tzinfo=UTC)
    for name, page in found.items():
        assert (page["source"], page["origin"], page["account_id"]) == ("x", "x_archive", "acct")
        assert page["object_id"] == ACCOUNT
        assert page["params"] == {"file": name, "user_name": "lincolnusd_demo",
                                  "account_id": ACCOUNT, "part": page["params"]["part"]}
        assert page["fetched_at"] == generated
        body = json.loads(page["body"])
        assert body["account"] == {"id": ACCOUNT, "username": "lincolnusd_demo",
                                   "display_name": "Lincoln Unified (synthetic)"}
        assert body["file"] == name
        # The file's array is in the body character for character.
        assert js_payload(CURRENT / name) in page["body"]
    part0 = json.loads(found["data/tweets.js"]["body"])
    assert [t["tweet"]["id_str"] for t in part0["tweets"]] == [
        "2024800000000000101", "2024800000000000102", "2024800000000000103",
        "2024800000000000104"]
    assert part0["media_files"] == {
        "2024800000000000101": ["data/tweets_media/2024800000000000101-HDemoPh0t0AAa01.jpg"],
        "2024800000000000102": ["data/tweets_media/2024800000000000102-HDemoPh0t0AAa01.jpg"],
    }
    part1 = json.loads(found["data/tweets-part1.js"]["body"])
    assert part1["media_files"] == {"2024800000000000105": [
        "data/tweets_media/2024800000000000105-HDemoPh0t0AAa02.jpg",
        "data/tweets_media/2024800000000000105-HDemoPh0t0AAa03.jpg"]}
    deleted = json.loads(found["data/deleted-tweets.js"]["body"])
    assert deleted["tweets"][0]["tweet"]["deleted_at"]
    assert list(deleted["media_files"]) == ["2024800000000000108"]
    notes = json.loads(found["data/note-tweet.js"]["body"])
    assert "tweets" not in notes and "media_files" not in notes
    assert notes["note_tweets"][0]["noteTweet"]["core"]["text"].startswith("Update on the winter")


def test_archive_from_directory(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    store = tmp_path / "media"
    result, writer = run(con, import_x_archive, CURRENT, account_id="acct", media_dir=store)
    check_current_archive(con, result)
    assert writer.pages_written == 4
    media_files = sorted(p for p in (CURRENT / "data").rglob("*.jpg"))
    assert len(result.media) == len(media_files) == 5
    for file in media_files:
        rel = file.relative_to(CURRENT).as_posix()
        digest, stored = result.media[rel]
        assert digest == sha(file.read_bytes())
        assert stored == store / digest[:2] / f"{digest}.jpg"
        assert stored.read_bytes() == file.read_bytes()
    # The edited post shows the same photo: one stored file for both.
    assert len({stored for _, stored in result.media.values()}) == 4
    assert len([p for p in store.rglob("*") if p.is_file()]) == 4
    assert archive_media_tweet_id(media_files[0].name) == media_files[0].name.split("-")[0]


def make_zip(source: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(source.rglob("*")):
            if file.is_file():
                archive.write(file, prefix + file.relative_to(source).as_posix())
    return target


def test_archive_from_zip_is_the_same_pages(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    zipped = make_zip(CURRENT, tmp_path / "twitter-2026-02-24-synthetic.zip")
    result, writer = run(con, import_x_archive, zipped, account_id="acct",
                         media_dir=tmp_path / "media")
    check_current_archive(con, result)
    assert writer.pages_written == 4
    assert len(result.media) == 5
    assert all(stored is not None and stored.exists() for _, stored in result.media.values())
    shas = {p["sha256"] for p in pages(con)}
    # The same archive as a folder, and re-zipped under a top folder: nothing new.
    again, writer = run(con, import_x_archive, CURRENT, run_id="second", account_id="acct")
    assert again.pages_stored == 4 and writer.pages_written == 0
    nested = make_zip(CURRENT, tmp_path / "nested.zip", prefix="my-archive/")
    third, writer = run(con, import_x_archive, nested, run_id="third", account_id="acct")
    assert third.pages_stored == 4 and writer.pages_written == 0 and third.errors == []
    assert {p["sha256"] for p in pages(con)} == shas


def test_archive_old_layout(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    result, _ = run(con, import_x_archive, make_zip(OLD, tmp_path / "old.zip"))
    assert result.errors == [] and result.pages_stored == 1
    (page,) = pages(con)
    assert page["endpoint"] == X_ARCHIVE_TWEETS
    assert page["object_id"] == "1490000000000000003"
    assert page["params"] == {"file": "data/tweet.js", "user_name": "lincolnusd_old_demo",
                              "account_id": "1490000000000000003", "part": 0}
    body = json.loads(page["body"])
    assert body["account"]["display_name"] == "Lincoln USD (synthetic, 2020 export)"
    assert len(body["tweets"]) == 2
    assert body["media_files"] == {"1290000000000000201": [
        "data/tweet_media/1290000000000000201-EeOldDemoAAa01.jpg"]}
    ((rel, (digest, stored)),) = result.media.items()
    assert rel == "data/tweet_media/1290000000000000201-EeOldDemoAAa01.jpg"
    assert digest == sha((OLD / rel).read_bytes()) and stored is None  # no media_dir given


def test_corrupt_part_is_quarantined_and_the_others_import(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(CURRENT, copy)
    part1 = copy / "data" / "tweets-part1.js"
    text_lines = part1.read_text(encoding="utf-8").splitlines(keepends=True)
    text_lines[9] = text_lines[9].replace('" : ', '" ', 1)  # a missing colon on line 10
    part1.write_text("".join(text_lines), encoding="utf-8")
    (copy / "data" / "note-tweet.js").unlink()
    result, writer = run(con, import_x_archive, copy, account_id="acct")
    assert result.pages_stored == 2 and writer.pages_written == 2
    assert set(archive_pages(con)) == {"data/tweets.js", "data/deleted-tweets.js"}
    assert result.pages_quarantined == 1
    by_file = {e.file: e for e in result.errors}
    assert by_file["data/tweets-part1.js"].line == 10
    assert "not valid JSON" in by_file["data/tweets-part1.js"].reason
    assert "listed in data/manifest.js" in by_file["data/note-tweet.js"].reason
    ((endpoint, reason, body_text),) = quarantined(con)
    assert endpoint == X_ARCHIVE_TWEETS
    assert reason.startswith("data/tweets-part1.js line 10: not valid JSON")
    assert body_text == part1.read_text(encoding="utf-8")


def test_not_an_archive(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    junk = tmp_path / "archive.zip"
    junk.write_bytes(b"not a zip at all")
    result, _ = run(con, import_x_archive, junk)
    assert result.pages_stored == 0 and "not a readable archive" in result.errors[0].reason
    empty = tmp_path / "empty"
    empty.mkdir()
    result, _ = run(con, import_x_archive, empty)
    assert result.pages_stored == 0 and "no data/tweets.js" in result.errors[0].reason
    assert counts(con)["api_pages"] == 0


# ------------------------------------------------------------------------------------ graph

GRAPH_EXPECTED = [
    ("facebook/apidata/posts/feed_fields_p1.json", "facebook", FB_PAGE_POSTS, "4"),
    ("facebook/apidata/posts/feed_fields_p2.json", "facebook", FB_PAGE_POSTS, "4"),
    ("facebook/apidata/posts/feeds_default_fields_p1.json", "facebook", FB_PAGE_POSTS,
     "19292868552"),
    ("facebook/apidata/posts/feeds_default_fields_p2.json", "facebook", FB_PAGE_POSTS,
     "19292868552"),
    ("facebook/apidata/posts/single_post_data.json", "facebook", FB_OBJECT,
     "175154750010052_424924701699721"),
    ("facebook/apidata/posts/multi_posts_data.json", "facebook", FB_OBJECT, None),
    # comments without id or from (Page Public Content Access), filter=stream
    ("facebook/apidata/comments/comments_p1.json", "facebook", FB_COMMENTS,
     "19292868552_10158407654328553"),
    ("facebook/apidata/comments/comments_p2.json", "facebook", FB_COMMENTS,
     "19292868552_10158407654328553"),
    ("facebook/apidata/comments/comment_info.json", "facebook", FB_OBJECT,
     "10158371815748553_10158371930463553"),
    ("facebook/models/comment.json", "facebook", FB_OBJECT, "2954961744718970_2966313500250461"),
    ("instagram/apidata/users/medias_p1.json", "instagram", IG_MEDIA, "17841406338772941"),
    ("instagram/apidata/users/medias_p2.json", "instagram", IG_MEDIA, "17841406338772941"),
    ("instagram/apidata/medias/comments_p1.json", "instagram", IG_COMMENTS, "17846368219941692"),
    ("instagram/apidata/medias/comments_p2.json", "instagram", IG_COMMENTS, None),
    ("instagram/models/ig_media.json", "instagram", IG_OBJECT, "17896129349106152"),
    ("instagram/models/ig_comment.json", "instagram", IG_OBJECT, "17892250648466172"),
]


@pytest.mark.parametrize(("rel", "platform", "endpoint", "object_id"), GRAPH_EXPECTED)
def test_graph_fixture_is_classified(
    con: duckdb.DuckDBPyConnection, rel: str, platform: str, endpoint: str,
    object_id: str | None,
) -> None:
    path = GRAPH / rel
    result, writer = run(con, import_graph_json, path, account_id="acct-g")
    assert result.errors == [] and result.pages_stored == 1 and writer.pages_written == 1
    (page,) = pages(con)
    assert (page["source"], page["origin"], page["account_id"]) == (platform, "graph_json",
                                                                   "acct-g")
    assert (page["endpoint"], page["object_id"]) == (endpoint, object_id)
    assert page["params"]["file"] == path.name
    assert page["fetched_at"] == datetime.fromtimestamp(path.stat().st_mtime, UTC)
    assert json.loads(page["body"]) == json.loads(
        path.read_text(encoding="utf-8").replace("access_token=access_token",
                                                 "access_token=[REDACTED]"))
    assert "access_token=access_token" not in page["body"]


def test_graph_page_params_come_from_the_paging_url(con: duckdb.DuckDBPyConnection) -> None:
    run(con, import_graph_json, GRAPH / "facebook/apidata/comments/comments_p1.json")
    (page,) = pages(con)
    assert page["params"] == {
        "fields": "id,comment_count,created_time,like_count,message,permalink_url",
        "summary": "1", "filter": "stream", "limit": "10", "file": "comments_p1.json"}


def test_graph_directory_and_reimport(con: duckdb.DuckDBPyConnection) -> None:
    folder = GRAPH / "facebook/apidata/posts"
    result, writer = run(con, import_graph_json, folder)
    files = sorted(p.name for p in folder.glob("*.json"))
    assert result.files_read == len(files) and result.pages_stored == len(files)
    assert result.errors == [] and writer.pages_written == len(files)
    assert {p["params"]["file"] for p in pages(con)} == set(files)
    before = counts(con)
    again, writer = run(con, import_graph_json, folder, run_id="second")
    assert again.pages_stored == len(files) and writer.pages_written == 0
    assert counts(con) == before


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def load(rel: str) -> Any:
    return json.loads((GRAPH / rel).read_text(encoding="utf-8"))


def test_graph_heuristics_without_paging_urls(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    comments = load("facebook/apidata/comments/comments_p1.json")
    del comments["paging"]
    write_json(tmp_path / "a_comments_permalink.json", comments)  # no id, no from, no url
    with_ids = {"data": [load("facebook/apidata/comments/comment_info.json"),
                         load("facebook/models/comment.json")]}
    with_ids["data"][0].pop("permalink_url")
    with_ids["data"][1] = {**with_ids["data"][1], "id": "10158371815748553_1",
                           "permalink_url": None}
    write_json(tmp_path / "b_comments_ids.json", with_ids)  # with id, from: prefix of ids
    posts = load("facebook/apidata/posts/feed_fields_p1.json")
    del posts["paging"]
    write_json(tmp_path / "c_posts.json", posts)
    media = {"data": [load("instagram/models/ig_media.json")]}
    write_json(tmp_path / "d_media.json", media)
    replies = {"data": [{"id": "1", "text": "hi", "timestamp": "2026-01-01T00:00:00+0000",
                         "parent_id": "17890"}]}
    write_json(tmp_path / "e_replies.json", replies)
    result, _ = run(con, import_graph_json, tmp_path)
    assert result.errors == []
    found = {p["params"]["file"]: (p["source"], p["endpoint"], p["object_id"])
             for p in pages(con)}
    assert found == {
        "a_comments_permalink.json": ("facebook", FB_COMMENTS, "19292868552_10158407654328553"),
        "b_comments_ids.json": ("facebook", FB_COMMENTS, "10158371815748553"),
        "c_posts.json": ("facebook", FB_PAGE_POSTS, "4"),
        "d_media.json": ("instagram", IG_MEDIA, "17841406338772941"),
        "e_replies.json": ("instagram", IG_REPLIES, "17890"),
    }


def test_graph_explicit_arguments_win(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    replies = GRAPH / "instagram/apidata/comments/replies.json"
    result, _ = run(con, import_graph_json, replies, endpoint=IG_REPLIES, object_id="17900")
    assert result.errors == []
    error = write_json(tmp_path / "gone.json", {"error": {
        "message": "Unsupported get request. Object with ID '1_2' does not exist",
        "type": "GraphMethodException", "code": 100, "error_subcode": 33}})
    result, _ = run(con, import_graph_json, error, platform="facebook", object_id="1_2")
    assert result.errors == []
    assert {(p["source"], p["endpoint"], p["object_id"]) for p in pages(con)} == {
        ("instagram", IG_REPLIES, "17900"), ("facebook", FB_OBJECT, "1_2")}
    with pytest.raises(ValueError):
        import_graph_json(replies, RawWriter(con, "x"), platform="facebook", endpoint=IG_REPLIES)


def test_graph_unclassifiable_files_are_quarantined(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    for rel in ("facebook/models/page.json", "instagram/apidata/medias/insights.json",
                "instagram/apidata/hashtags/hashtag_top_medias_p1.json"):
        shutil.copy(GRAPH / rel, tmp_path / Path(rel).name)
    write_json(tmp_path / "error.json", {"error": {"message": "x", "code": 190}})
    (tmp_path / "broken.json").write_text('{"data": [\n  {"id": "1",}\n]}')
    result, _ = run(con, import_graph_json, tmp_path)
    assert result.pages_stored == 0 and result.pages_quarantined == 5
    by_file = {e.file: e for e in result.errors}
    assert by_file["broken.json"].line == 2
    assert "not valid JSON" in by_file["broken.json"].reason
    assert "edge /top_media" in by_file["hashtag_top_medias_p1.json"].reason
    assert "Graph API error body" in by_file["error.json"].reason
    assert "cannot be classified" in by_file["page.json"].reason
    assert "cannot be classified" in by_file["insights.json"].reason
    rows = quarantined(con)
    assert len(rows) == 5 and counts(con)["api_pages"] == 0
    assert sorted(r[1] for r in rows) == sorted(str(e) for e in result.errors)
    assert all(any(r[1].startswith(name) for name in by_file) for r in rows)


def test_graph_item_kinds() -> None:
    assert graph_item_kind(load("facebook/models/post.json")) == "fb_post"
    assert graph_item_kind(load("facebook/models/comment.json")) == "fb_comment"
    assert graph_item_kind(load("facebook/apidata/comments/comments_p1.json")["data"][0]) == (
        "fb_comment")
    assert graph_item_kind(load("instagram/models/ig_media.json")) == "ig_media"
    assert graph_item_kind(load("instagram/models/ig_reply.json")) == "ig_comment"
    assert graph_item_kind(load("facebook/models/video.json")) is None
    assert graph_item_kind(load("facebook/models/message.json")) is None
    assert graph_item_kind(load("facebook/models/page.json")) is None


# ---------------------------------------------------------------------------------- re-import


def test_reimporting_everything_stores_nothing_new(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines(TWARC / "edited.jsonl")[0] + "\nnot json\n")

    def everything(run_id: str) -> list[RawWriter]:
        writers = []
        for importer, path, kwargs in [
            (import_twarc, TWARC, {}),
            (import_twarc, bad, {}),
            (import_x_archive, CURRENT, {"media_dir": tmp_path / "media"}),
            (import_x_archive, OLD, {}),
            (import_graph_json, GRAPH / "facebook/apidata/comments", {}),
            (import_graph_json, GRAPH / "instagram/apidata/medias", {}),
        ]:
            _, writer = run(con, importer, path, run_id=run_id, **kwargs)
            writers.append(writer)
        return writers

    first = everything("first")
    assert sum(w.pages_written for w in first) > 0
    before = counts(con)
    assert before["quarantine"] > 0
    second = everything("second")
    assert sum(w.pages_written for w in second) == 0
    assert counts(con) == before
    logged = con.execute("SELECT run_id, status FROM raw.fetch_log ORDER BY logged_at").fetchall()
    assert len(logged) == 12 and {s for _, s in logged} == {"ok", "partial"}


def test_archive_photos_link_to_core_media_after_normalization(tmp_path: Path) -> None:
    from connectors.importers import link_archive_media
    from warehouse.normalize import normalize

    con = db.memory()
    media_dir = tmp_path / "media"
    with RawWriter(con, "archive") as writer:
        result = import_x_archive(CURRENT, writer, media_dir=media_dir)
    normalize(con)
    linked = link_archive_media(con, result)
    photos = con.execute("SELECT count(*), count(content_sha256) FROM core.media "
                         "WHERE media_type = 'photo'").fetchone()
    assert linked > 0 and photos[1] == linked
    for sha, path in con.execute("SELECT content_sha256, local_path FROM core.media "
                                 "WHERE content_sha256 IS NOT NULL").fetchall():
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha
