"""Property-based tests: malformed and hostile API pages and export files never crash the loader.

Hypothesis writes the pages: arbitrary JSON, valid pages with fields dropped, retyped or filled
with hostile strings, bodies that are not JSON at all. Whatever it writes, normalization finishes,
every page is either normalized or quarantined with a reason, and a good page stored beside the
bad ones still lands in ``core.items``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors import endpoints as ep
from connectors.base import RawPage
from connectors.importers import import_graph_json, import_twarc
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


LINE = st.one_of(JSON.map(json.dumps), st.text(max_size=40),
                 st.just(json.dumps({**GOOD_TWEET, "__twarc": {"url": "https://api.twitter.com/2/"
                                                               "tweets/search/recent?query=x"}})))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, min_size=1, max_size=6), st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_twarc_export_with_junk_lines_reports_file_and_line(tmp_path_factory, lines, encoding):
    path = tmp_path_factory.mktemp("twarc") / "capture.jsonl"
    try:
        path.write_bytes("\n".join(lines).encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    con = db.memory()
    with RawWriter(con, "import") as writer:
        result = import_twarc(path, writer)
    for issue in result.errors:
        assert issue.file.endswith("capture.jsonl") and issue.line is not None, str(issue)
    normalize(con)
    # a line that is not a JSON object is never stored as a page
    kinds = con.execute("SELECT DISTINCT json_type(body) FROM raw.api_pages").fetchall()
    assert set(kinds) <= {("OBJECT",)}
    _assert_accounted(con)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON)
def test_graph_json_export_with_any_content_never_crashes(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("graph") / "posts.json"
    path.write_text(json.dumps(doc))
    con = db.memory()
    with RawWriter(con, "import") as writer:
        result = import_graph_json(path, writer, platform="facebook", endpoint=ep.FB_PAGE_POSTS,
                                   object_id="9", account_id="facebook:9")
    for issue in result.errors:
        assert "posts.json" in str(issue)
    normalize(con)
    stored = con.execute("SELECT count(*) FROM raw.api_pages").fetchone()[0]
    quarantined = con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
    assert stored or quarantined or result.errors, "an import that kept nothing must say why"
    _assert_accounted(con)
