"""Property-based tests: malformed and hostile API pages and export files never crash the loader.

Hypothesis writes the pages: arbitrary JSON, valid pages with fields dropped, retyped or filled
with hostile strings, bodies that are not JSON at all. Whatever it writes, normalization finishes,
every page is either normalized or quarantined with a reason, and a good page stored beside the
bad ones still lands in ``core.items``. The export files get the same treatment: twarc2 lines
among junk lines in several encodings, a Graph JSON file beside a hostile one, an X account
archive (folder or zip) whose files are deleted, replaced, mutated, cut short or not UTF-8:
every line, file and part is a page or an error with its file and a reason, and the good ones
load.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors import endpoints as ep
from connectors.base import RawPage
from connectors.importers import import_graph_json, import_twarc, import_x_archive
from warehouse import db
from warehouse.normalize import normalize
from warehouse.raw_store import RawWriter

HOSTILE_TEXT = st.sampled_from([
    "", " ", "\x00", "\u202e\u2066evil", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
    "'; DROP TABLE core.items; --", "\\", "\"", "{{7*7}}", "𝕏" * 300, "\ud7ff", "9" * 40,
    "-1", "1e308", "NaN", "null", "2026-13-45T99:99:99Z", "0000-00-00",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                    HOSTILE_TEXT)
JSON = st.recursive(SCALARS, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=12), kids, max_size=5)),
    max_leaves=25)

GOOD_TWEET = {"data": [{"id": "424242", "text": "Field day is Friday!", "author_id": "1",
                        "conversation_id": "424242", "created_at": "2026-03-02T15:00:00.000Z"}]}
GOOD_FB = {"data": [{"id": "9_77", "message": "Early release Wednesday.",
                     "created_time": "2026-03-02T15:00:00+0000", "from": {"id": "9"}}]}

X_TWEET = {"id": "555", "text": "hello", "author_id": "1", "conversation_id": "555",
           "created_at": "2026-03-02T15:00:00.000Z", "edit_history_tweet_ids": ["555"],
           "attachments": {"media_keys": ["3_1"]},
           "public_metrics": {"like_count": 1, "reply_count": 0}}
X_INCLUDES = {"media": [{"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/a.jpg",
                         "width": 10, "height": 10, "alt_text": "kids"}],
              "users": [{"id": "1", "username": "district"}]}
FB_POST = {"id": "9_1", "message": "Picture day", "created_time": "2026-03-02T15:00:00+0000",
           "from": {"id": "9", "name": "District"}, "permalink_url": "https://facebook.com/9/1",
           "attachments": {"data": [{"type": "photo", "media": {"image": {"src": "https://x/y.jpg",
                                                                          "width": 5}}}]}}
FB_COMMENT = {"id": "9_1_2", "message": "nice", "created_time": "2026-03-02T16:00:00+0000",
              "from": {"id": "55"}, "is_hidden": False, "parent": {"id": "9_1"}}
IG_MEDIA = {"id": "1789", "caption": "Robotics!", "media_type": "CAROUSEL_ALBUM",
            "timestamp": "2026-03-02T15:00:00+0000", "permalink": "https://instagram.com/p/x",
            "children": {"data": [{"id": "1790", "media_type": "IMAGE",
                                   "media_url": "https://cdn/x.jpg"}]}}

TEMPLATES: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("x", ep.X_USER_TWEETS, "1", {"data": [X_TWEET], "includes": X_INCLUDES,
                                  "meta": {"result_count": 1}}),
    ("x", ep.X_SEARCH_RECENT, "555", {"data": [X_TWEET], "includes": X_INCLUDES}),
    ("x", ep.X_TWEETS_LOOKUP, None, {"data": [X_TWEET],
                                     "errors": [{"resource_id": "9", "title": "Not Found Error"}]}),
    ("facebook", ep.FB_PAGE_POSTS, "9", {"data": [FB_POST], "paging": {"cursors": {}}}),
    ("facebook", ep.FB_COMMENTS, "9_1", {"data": [FB_COMMENT]}),
    ("instagram", ep.IG_MEDIA, "17", {"data": [IG_MEDIA]}),
    ("instagram", ep.IG_COMMENTS, "1789", {"data": [{"id": "c1", "text": "hi",
                                                      "timestamp": "2026-03-02T15:00:00+0000",
                                                      "hidden": False}]}),
]


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, prefix + (i,))
    return out


def _mutate(doc: Any, path: tuple, action: str, replacement: Any) -> Any:
    doc = json.loads(json.dumps(doc))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "drop":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    else:
        parent[last] = replacement
    return doc


@st.composite
def mutated_pages(draw) -> tuple[str, str, str | None, str]:
    source, endpoint, object_id, template = draw(st.sampled_from(TEMPLATES))
    doc: Any = template
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        doc = _mutate(doc, path, draw(st.sampled_from(["drop", "replace"])), draw(JSON))
    return source, endpoint, object_id, json.dumps(doc)


def _load(pages: list[RawPage]):
    con = db.memory()
    with RawWriter(con, "hyp") as writer:
        for page in pages:
            writer.add_page(page)
    good = [RawPage(source="x", origin="api", endpoint=ep.X_USER_TWEETS, object_id="1",
                    account_id="x:1", body=json.dumps(GOOD_TWEET)),
            RawPage(source="facebook", origin="api", endpoint=ep.FB_PAGE_POSTS, object_id="9",
                    account_id="facebook:9", body=json.dumps(GOOD_FB))]
    with RawWriter(con, "hyp-good") as writer:
        for page in good:
            writer.add_page(page)
    normalize(con)
    return con


def _assert_accounted(con) -> None:
    unaccounted = con.execute("""
        SELECT p.page_id, p.endpoint FROM raw.api_pages p
        WHERE p.page_id NOT IN (SELECT page_id FROM core.normalized_pages)
          AND p.page_id NOT IN (SELECT page_id FROM raw.quarantine WHERE page_id IS NOT NULL)
    """).fetchall()
    assert unaccounted == [], "pages neither normalized nor quarantined"
    reasons = con.execute("SELECT reason FROM raw.quarantine").fetchall()
    assert all(r[0] and r[0].strip() for r in reasons), "a quarantined page without a reason"


def _assert_accounted_and_good_loaded(con) -> None:
    _assert_accounted(con)
    ids = {r[0] for r in con.execute("SELECT item_id FROM core.items").fetchall()}
    assert {"x:424242", "facebook:9_77"} <= ids, "good pages beside bad ones did not load"


FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FAST
@given(st.lists(st.tuples(st.sampled_from(TEMPLATES), JSON), min_size=1, max_size=4))
def test_arbitrary_json_bodies_never_crash_and_are_accounted_for(pages):
    con = _load([RawPage(source=source, origin="api", endpoint=endpoint, object_id=object_id,
                         account_id=f"{source}:1", body=json.dumps(body))
                 for (source, endpoint, object_id, _), body in pages])
    _assert_accounted_and_good_loaded(con)


@FAST
@given(st.lists(mutated_pages(), min_size=1, max_size=4))
def test_valid_pages_with_fields_dropped_or_retyped(pages):
    con = _load([RawPage(source=source, origin="api", endpoint=endpoint, object_id=object_id,
                         account_id=f"{source}:1", body=body)
                 for source, endpoint, object_id, body in pages])
    _assert_accounted_and_good_loaded(con)
    # whatever loaded has the shape every consumer relies on
    bad = con.execute("""
        SELECT item_id FROM core.items
        WHERE item_id IS NULL OR platform NOT IN ('x', 'facebook', 'instagram')
           OR kind NOT IN ('post', 'comment', 'reply')
    """).fetchall()
    assert bad == []


@FAST
@given(st.lists(st.one_of(st.text(max_size=60), HOSTILE_TEXT), min_size=1, max_size=4))
def test_bodies_that_are_not_json_are_quarantined_with_the_reason(bodies):
    con = db.memory()
    with RawWriter(con, "hyp") as writer:
        for body in bodies:
            writer.add_page(RawPage(source="x", origin="api", endpoint=ep.X_USER_TWEETS,
                                    object_id="1", account_id="x:1", body=body))
    normalize(con)
    stored = con.execute("SELECT count(*) FROM raw.api_pages").fetchone()[0]
    quarantined = con.execute(
        "SELECT count(*) FROM raw.quarantine WHERE page_id IS NULL").fetchone()[0]
    valid_json = sum(1 for body in set(bodies) if _strict_json(body))
    assert stored == valid_json
    assert quarantined == len(set(bodies)) - valid_json
    assert all("JSON" in r[0] for r in con.execute(
        "SELECT reason FROM raw.quarantine WHERE page_id IS NULL").fetchall())


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_json(body: str) -> bool:
    """The oracle: RFC 8259 JSON, whose strings are Unicode. Python's ``json.loads`` also takes
    NaN, Infinity and -Infinity (refused through ``parse_constant``) and lone surrogate escapes
    (refused by encoding what it parsed)."""
    try:
        json.dumps(json.loads(body, parse_constant=_no_constants),
                   ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        return False
    return True


@pytest.mark.parametrize(("body", "why"), [
    ("INF", "Expecting value"), ("-INF", "Expecting value"),
    ("NaN", "NaN is not a JSON value"), ("Infinity", "Infinity is not a JSON value"),
    ('{"data": [NaN]}', "has no NaN or Infinity) (line 1 column 11)"),
    ('{"meta": {"result_count": -Infinity}}', "-Infinity is not a JSON value"),
    ('{"data": [],}', "Expecting property name"),
    ('{"a": "\\ud800"}', "rejected by DuckDB's JSON parser"),
])
def test_json_extensions_are_not_json_and_are_quarantined_with_the_reason(body, why):
    assert not _strict_json(body)
    con = db.memory()
    with RawWriter(con, "strict") as writer:
        writer.add_page(RawPage(source="x", origin="api", endpoint=ep.X_USER_TWEETS,
                                object_id="1", account_id="x:1", body=body))
        writer.add_page(RawPage(source="x", origin="api", endpoint=ep.X_USER_TWEETS,
                                object_id="1", account_id="x:1", body=json.dumps(GOOD_TWEET)))
    assert writer.pages_quarantined == 1 and writer.pages_written == 1
    ((reason, kept),) = con.execute("SELECT reason, body_text FROM raw.quarantine").fetchall()
    assert reason.startswith("body is not valid JSON: ") and why in reason
    assert kept == body
    normalize(con)
    assert con.execute("SELECT count(*) FROM core.items").fetchone()[0] == 1


GOOD_LINE = json.dumps({**GOOD_TWEET, "__twarc": {
    "url": "https://api.twitter.com/2/tweets/search/recent?query=x", "version": "2.14.0",
    "retrieved_at": "2026-03-02T16:00:00+00:00"}})
LINE = st.one_of(JSON.map(json.dumps), st.text(max_size=40), st.just(GOOD_LINE))


def _physical_lines(data: bytes) -> list[bytes]:
    """The lines the importer reads: split at \\n, line ends and a first-line UTF-8 BOM off."""
    lines = [line.rstrip(b"\r\n") for line in data.split(b"\n")]
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    return lines


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, min_size=1, max_size=6), st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_twarc_export_with_junk_lines_reports_file_and_line(tmp_path_factory, lines, encoding):
    path = tmp_path_factory.mktemp("twarc") / "capture.jsonl"
    try:
        path.write_bytes("\n".join(lines).encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    read = _physical_lines(path.read_bytes())
    con = db.memory()
    with RawWriter(con, "import") as writer:
        result = import_twarc(path, writer)
    for issue in result.errors:
        assert issue.file.endswith("capture.jsonl") and issue.line is not None, str(issue)
        assert issue.reason.strip(), "an error without a reason"
    # every line that is not blank is either a page or a quarantined line: nothing vanishes
    assert result.pages_stored + result.pages_quarantined == sum(1 for r in read if r.strip())
    assert result.pages_quarantined == len(result.errors)
    normalize(con)
    # a line that is not a JSON object is never stored as a page
    kinds = con.execute("SELECT DISTINCT json_type(body) FROM raw.api_pages").fetchall()
    assert set(kinds) <= {("OBJECT",)}
    _assert_accounted(con)
    reasons = [r for (r,) in con.execute("SELECT reason FROM raw.quarantine").fetchall()]
    assert all(r.startswith(f"{path} line ") for r in reasons), reasons
    # the good line, wherever it stands among the junk, loads as what it is
    if GOOD_LINE.encode() in read:
        assert con.execute("SELECT endpoint FROM raw.api_pages WHERE body->>'$.data[0].id' = "
                           "'424242'").fetchall() == [(ep.X_SEARCH_RECENT,)]
        items = {r[0] for r in con.execute("SELECT item_id FROM core.items").fetchall()}
        assert "x:424242" in items


GOOD_FB_OTHER = {"data": [{"id": "9_78", "message": "Board meeting Monday.",
                           "created_time": "2026-03-03T15:00:00+0000", "from": {"id": "9"},
                           "permalink_url": "https://facebook.com/9/posts/78"}]}
HOSTILE_FILE = st.one_of(
    JSON.map(json.dumps).map(str.encode),
    st.text(max_size=60).map(str.encode),
    st.binary(max_size=60),
    st.lists(st.tuples(st.sampled_from(["drop", "replace"]), JSON), min_size=1, max_size=3).map(
        lambda edits: json.dumps(_mutate_all(GOOD_FB_OTHER, edits)).encode()),
)


def _mutate_all(doc: Any, edits: list[tuple[str, Any]]) -> Any:
    """``doc`` with each edit applied at a path chosen from the edit's value (deterministic)."""
    for action, value in edits:
        paths = _paths(doc)
        if not paths:
            break
        doc = _mutate(doc, paths[len(json.dumps(value)) % len(paths)], action, value)
    return doc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_FILE)
def test_graph_json_export_beside_a_hostile_file_loads_the_good_one(tmp_path_factory, hostile):
    folder = tmp_path_factory.mktemp("graph")
    (folder / "good.json").write_text(json.dumps(GOOD_FB))
    (folder / "posts.json").write_bytes(hostile)
    con = db.memory()
    with RawWriter(con, "import") as writer:
        result = import_graph_json(folder, writer, platform="facebook",
                                   endpoint=ep.FB_PAGE_POSTS, object_id="9",
                                   account_id="facebook:9")
    assert result.files_read == 2
    assert result.pages_stored + result.pages_quarantined == 2  # each file: a page or a reason
    for issue in result.errors:
        assert issue.file == "posts.json" and issue.reason.strip(), str(issue)
    normalize(con)
    _assert_accounted(con)
    good = con.execute("""SELECT p.page_id IN (SELECT page_id FROM core.normalized_pages)
                          FROM raw.api_pages p WHERE p.request_params->>'file' = 'good.json'
                       """).fetchall()
    assert good == [(True,)], "the good file was not stored and normalized"
    items = {r[0] for r in con.execute("SELECT item_id FROM core.items").fetchall()}
    assert "facebook:9_77" in items


ARCHIVE = Path(__file__).resolve().parent / "data" / "x-archive" / "current"
ARCHIVE_JS = sorted(p.relative_to(ARCHIVE).as_posix() for p in (ARCHIVE / "data").glob("*.js"))
ARCHIVE_PARTS = {"data/tweets.js", "data/tweets-part1.js", "data/deleted-tweets.js",
                 "data/note-tweet.js"}  # each becomes a page
TWEETS_PARTS = ("data/tweets.js", "data/tweets-part1.js")


@st.composite
def archive_file(draw, name: str) -> bytes | None:
    """One ``data/*.js`` file of the archive: as exported, gone, junk, another JSON payload,
    its payload with fields dropped or retyped, cut short, or with bytes that are not UTF-8."""
    original = (ARCHIVE / name).read_bytes()
    how = draw(st.sampled_from(["keep", "keep", "keep", "delete", "junk", "json", "mutate",
                                "truncate", "not_utf8"]))
    prefix, _, payload = original.decode("utf-8").partition("=")
    if how == "keep":
        return original
    if how == "delete":
        return None
    if how == "junk":
        return draw(st.one_of(st.binary(max_size=80), st.text(max_size=80).map(str.encode)))
    if how == "json":
        return f"{prefix}= {json.dumps(draw(JSON))}".encode()
    if how == "mutate":
        doc = json.loads(payload.strip().rstrip(";"))
        for _ in range(draw(st.integers(1, 3))):
            paths = _paths(doc)
            if not paths:
                break
            doc = _mutate(doc, draw(st.sampled_from(paths)),
                          draw(st.sampled_from(["drop", "replace"])), draw(JSON))
        return f"{prefix}= {json.dumps(doc, indent=2)}".encode()
    at = draw(st.integers(0, len(original) - 1))
    if how == "truncate":
        return original[:at]
    return original[:at] + b"\xe9\xff" + original[at:]


@st.composite
def hostile_archives(draw) -> dict[str, bytes | None]:
    return {name: draw(archive_file(name)) for name in ARCHIVE_JS}


def _tweet_natives(name: str) -> set[str]:
    """The item ids of the tweets of an archive part as exported (an edit is its original)."""
    text = (ARCHIVE / name).read_text(encoding="utf-8")
    out = set()
    for entry in json.loads(text[text.index("=") + 1:].strip().rstrip(";")):
        tweet = entry["tweet"]
        edit = tweet.get("edit_info", {})
        native = (edit.get("edit", {}).get("initialTweetId")
                  or (edit.get("initial", {}).get("editTweetIds") or [None])[0]
                  or tweet["id_str"])
        out.add(f"x:{native}")
    return out


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_archives(), st.sampled_from(["dir", "zip"]))
def test_x_archive_with_hostile_files_loads_the_good_parts(tmp_path_factory, files, form):
    folder = tmp_path_factory.mktemp("archive")
    root = folder / "archive"
    shutil.copytree(ARCHIVE, root, ignore=shutil.ignore_patterns("*.js"))
    for name, content in files.items():
        if content is not None:
            (root / name).write_bytes(content)
    source = root
    if form == "zip":
        source = folder / "archive.zip"
        with zipfile.ZipFile(source, "w") as archive:
            for file in sorted(root.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(root).as_posix())
    con = db.memory()
    with RawWriter(con, "import") as writer:
        result = import_x_archive(source, writer, account_id="x:1490000000000000001")
    for issue in result.errors:
        assert issue.file and issue.reason.strip(), str(issue)
    stored = {r[0]: r[1] for r in con.execute(
        "SELECT request_params->>'file', page_id FROM raw.api_pages").fetchall()}
    reported = {issue.file for issue in result.errors}
    present = {name for name, content in files.items() if content is not None}
    # every part in the archive is a page or a reported problem; none vanishes
    for name in ARCHIVE_PARTS & present:
        assert name in stored or name in reported, name
    kinds = con.execute("SELECT DISTINCT json_type(body) FROM raw.api_pages").fetchall()
    assert set(kinds) <= {("OBJECT",)}
    normalize(con)
    _assert_accounted(con)
    normalized = {r[0] for r in con.execute("SELECT page_id FROM core.normalized_pages")
                  .fetchall()}
    items = {r[0] for r in con.execute("SELECT item_id FROM core.items").fetchall()}
    original = {name for name, content in files.items()
                if content == (ARCHIVE / name).read_bytes()}
    # the parts left as exported load and normalize, whatever happened to the others
    for name in ARCHIVE_PARTS & original:
        assert name in stored and name not in reported, name
        assert stored[name] in normalized, name
    for name in set(TWEETS_PARTS) & original:
        assert _tweet_natives(name) <= items, name


@pytest.mark.parametrize("entry", [None, 7, {"type": "photo"}])
def test_x_archive_media_entry_without_an_id_quarantines_its_part(tmp_path, entry):
    """Found by the hostile-archive test: a null in a tweet's media list aborted the whole
    normalize on the media table's NOT NULL id."""
    root = tmp_path / "archive"
    shutil.copytree(ARCHIVE, root)
    part = root / "data" / "tweets-part1.js"
    text = part.read_text(encoding="utf-8")
    prefix, payload = text.split("=", 1)
    doc = json.loads(payload.strip().rstrip(";"))
    with_media = next(e["tweet"] for e in doc if e["tweet"].get("extended_entities"))
    with_media["extended_entities"]["media"].insert(0, entry)
    part.write_text(f"{prefix}= {json.dumps(doc, indent=2)}", encoding="utf-8")
    con = db.memory()
    with RawWriter(con, "import") as writer:
        import_x_archive(root, writer, account_id="x:1490000000000000001")
    normalize(con)
    _assert_accounted(con)
    reasons = [r[0] for r in con.execute(
        "SELECT q.reason FROM raw.quarantine q JOIN raw.api_pages p USING (page_id) "
        "WHERE p.request_params->>'file' = 'data/tweets-part1.js'").fetchall()]
    assert reasons == ["archive tweet with a media entry that has no id"]
    items = {r[0] for r in con.execute("SELECT item_id FROM core.items").fetchall()}
    assert _tweet_natives("data/tweets.js") <= items
    assert not _tweet_natives("data/tweets-part1.js") & items
