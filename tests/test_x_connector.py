"""The X connector through the real tweepy Client, a transport adapter and a real warehouse."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import requests

from connectors.base import (
    AuthError,
    BadRequest,
    CaptureError,
    CreditsExhausted,
    PermissionDenied,
    RateLimited,
)
from connectors.endpoints import (
    X_SEARCH_ALL,
    X_SEARCH_RECENT,
    X_TWEET,
    X_TWEETS_LOOKUP,
    X_USER_MENTIONS,
    X_USER_TWEETS,
)
from connectors.importers import import_twarc
from connectors.redaction import redact
from connectors.transport import HandlerAdapter, Reply
from connectors.x import EXPANSIONS, TWEET_FIELDS, XAccount, make_x_client
from tests.core_checks import assert_x_page_in_core, normalized
from tests.x_support import (
    EMPTY,
    LOOKUP,
    SEARCH_ALL,
    SEARCH_RECENT,
    TOKEN,
    USER_TWEETS,
    FakeX,
    Harness,
    TwarcPage,
    iso,
    limits,
    not_found,
    page,
    problem,
    read_cassette,
    twarc_pages,
    tweet,
)
from warehouse import db
from warehouse.raw_store import RawWriter, sha256_text

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
USER = "1000"
ACCT = XAccount("acct", USER, "district")
TIMELINE = USER_TWEETS.format(USER)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def first_page_and_rest(h: Harness) -> None:
    """A three-page timeline: tokens p2 and p3 lead to pages 2 and 3."""
    h.api.on(TIMELINE, page([tweet("30", ago(hours=1)), tweet("29", ago(hours=2))],
                            next_token="p2"), pagination_token=None)
    h.api.on(TIMELINE, page([tweet("28", ago(hours=3))], next_token="p3"), pagination_token="p2")


# ---------------------------------------------------------------------- the client


def test_make_x_client_uses_raw_responses_and_mounts_the_adapter() -> None:
    adapter = HandlerAdapter(FakeX())
    client = make_x_client(TOKEN, adapter)
    assert client.return_type is requests.Response
    assert client.wait_on_rate_limit is False
    assert client.session.get_adapter("https://api.twitter.com/2/tweets") is adapter
    assert redact(f"Bearer {TOKEN} and {TOKEN}") == "Bearer [REDACTED] and [REDACTED]"


def test_first_request_asks_for_every_field_and_expansion() -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, EMPTY)
    outcome = h.run(ACCT)
    assert outcome.results["acct"].status == "ok"
    (call,) = h.calls(TIMELINE)
    assert call.query["max_results"] == "100"
    assert call.query["tweet.fields"].split(",") == TWEET_FIELDS
    assert call.query["expansions"].split(",") == EXPANSIONS
    assert "note_tweet" in call.query["tweet.fields"]
    assert "alt_text" in call.query["media.fields"].split(",")
    assert "verified_type" in call.query["user.fields"].split(",")
    assert "since_id" not in call.query and "pagination_token" not in call.query
    (stored,) = h.pages(X_USER_TWEETS)
    assert stored["params"] == call.query  # the parameters actually sent
    assert h.fetch_log()[-1] | {"message": None} == {
        "run_id": "test-run-1", "account_id": "acct", "endpoint": None, "status": "ok",
        "error_code": None, "message": None, "pages": 2,  # the profile and the timeline
    }


# ---------------------------------------------------------------------- public fixtures

CALLED_PATHS = ("/2/users/", SEARCH_RECENT, SEARCH_ALL, LOOKUP)


def _called(p: TwarcPage) -> bool:
    if p.path.startswith("/2/users/"):
        return p.path.endswith("/tweets")
    return p.path in (SEARCH_RECENT, SEARCH_ALL) or (p.path == LOOKUP and "ids" in p.query)


FIXTURE_PAGES = [p for p in twarc_pages() if _called(p)]


def test_every_fixture_file_of_a_called_endpoint_is_exercised() -> None:
    files = {p.file for p in twarc_pages()}
    covered = {p.file for p in FIXTURE_PAGES}
    assert files - covered == {"users.jsonl"}  # /2/users: an endpoint the connector never calls
    kinds = {p.path.split("/")[-1] for p in FIXTURE_PAGES}
    assert kinds == {"tweets", "recent", "all"}


@pytest.mark.parametrize("fixture", FIXTURE_PAGES, ids=lambda p: p.id)
def test_twarc_fixture_page_goes_through_tweepy_into_raw_pages(fixture: TwarcPage) -> None:
    body = fixture.body
    data = body.get("data") or []
    next_token = (body.get("meta") or {}).get("next_token")
    times = [datetime.fromisoformat(t["created_at"].replace("Z", "+00:00")) for t in data]
    start = min(times) - timedelta(hours=1)

    if fixture.path.startswith("/2/users/"):
        user = fixture.path.split("/")[3]
        h = Harness(max(times) + timedelta(days=1))
        path = USER_TWEETS.format(user)
        h.api.on(path, fixture.text, pagination_token=None)
        h.api.on(path, EMPTY, pagination_token=next_token)
        outcome = h.run(XAccount("acct", user))
        endpoint, object_id = X_USER_TWEETS, user
        assert h.cursor("acct", X_USER_TWEETS, user) == {"since_id": body["meta"]["newest_id"]}
        assert [c.query.get("pagination_token") for c in h.calls(path)] == [None, next_token]
    else:
        search = "all" if fixture.path == SEARCH_ALL else "recent"
        root = "999"
        h = Harness(start + timedelta(days=1), search=search)
        h.api.on(TIMELINE, page([tweet(root, start)]))
        search_path = SEARCH_ALL if search == "all" else SEARCH_RECENT
        query = f"conversation_id:{root}"
        if fixture.path == LOOKUP:
            ids = fixture.query["ids"].split(",")
            for native_id in ids:
                h.seen_reply(native_id, root)
            h.api.on(LOOKUP, fixture.text, ids=",".join(ids))
            endpoint = X_TWEETS_LOOKUP
        else:
            h.api.on(search_path, fixture.text, query=query, next_token=None)
            if next_token:
                h.api.on(search_path, EMPTY, query=query, next_token=next_token)
            endpoint = X_SEARCH_ALL if search == "all" else X_SEARCH_RECENT
        outcome = h.run(ACCT)
        object_id = root
        (first_search, *_) = h.calls(search_path)
        assert first_search.query["query"] == query
        if search == "all":
            assert first_search.query["start_time"] == start.strftime("%Y-%m-%dT%H:%M:%SZ")

    assert h.api.unmatched == []
    assert outcome.errors == {}
    assert outcome.results["acct"].status == "ok"
    stored = [p for p in h.pages(endpoint) if p["sha256"] == sha256_text(fixture.text)]
    assert len(stored) == 1, "the fixture page is stored once, exactly as received"
    (row,) = stored
    assert row["object_id"] == object_id and row["account_id"] == "acct"
    assert row["body"] == body  # __twarc included: nothing stripped
    assert len(row["body"].get("data") or []) == len(data)
    if body.get("errors"):
        assert row["body"]["errors"] == body["errors"]  # partial errors kept, not failures
    # ... and from raw into core: items, authors, media and edit links
    assert_x_page_in_core(normalized(h.con), body)


# ---------------------------------------------------------------------- tweepy cassettes


@pytest.mark.parametrize("search", ["recent", "all"])
def test_tweepy_cassettes_with_their_headers_and_paging(search: str) -> None:
    (timeline,) = read_cassette("test_client_get_users_tweets.yaml")
    (found,) = read_cassette(f"test_client_search_{search}_tweets.yaml")
    (lookup,) = read_cassette("test_client_get_tweets.yaml")
    user = timeline.path.split("/")[3]
    recorded = datetime.strptime(timeline.headers["date"], "%a, %d %b %Y %H:%M:%S %Z")
    h = Harness(recorded.replace(tzinfo=UTC), search=search)
    root = "1578500000000000000"
    endpoint = X_SEARCH_ALL if search == "all" else X_SEARCH_RECENT
    # cassette posts carry default fields only: the conversation comes from the cursor
    h.set_cursor("acct", endpoint, {"conversations": {root: "2022-10-07T20:00:00Z"}})
    lookup_ids = lookup.query["ids"].split(",")
    for native_id in lookup_ids:
        h.seen_reply(native_id, root)

    path = USER_TWEETS.format(user)
    h.api.on(path, timeline.reply(), pagination_token=None)
    h.api.on(path, EMPTY, pagination_token=timeline.json()["meta"]["next_token"])
    search_path = found.path
    h.api.on(search_path, found.reply(), next_token=None)
    h.api.on(search_path, EMPTY, next_token=found.json()["meta"]["next_token"])
    h.api.on(LOOKUP, lookup.reply(), ids=lookup.query["ids"])

    outcome = h.run(XAccount("acct", user, "TwitterDev"))
    assert outcome.errors == {} and h.api.unmatched == []
    result = outcome.results["acct"]
    # the profile, two timeline pages, two search pages and the lookup
    assert (result.status, result.pages, result.conversations, result.lookups) == ("ok", 6, 1, 1)
    assert result.tweets == 2 + 10 + 2
    assert h.clock.sleeps == ([1.0] if search == "all" else [])  # remaining > 0: no waiting

    tokens = [c.query.get("pagination_token") for c in h.calls(path)]
    assert tokens == [None, timeline.json()["meta"]["next_token"]]
    next_tokens = [c.query.get("next_token") for c in h.calls(search_path)]
    assert next_tokens == [None, found.json()["meta"]["next_token"]]
    assert h.calls(search_path)[0].query["query"] == f"conversation_id:{root}"

    for interaction, ep, object_id in (
        (timeline, X_USER_TWEETS, user), (found, endpoint, root), (lookup, X_TWEETS_LOOKUP, root)
    ):
        rows = [p for p in h.pages(ep) if p["body"] == interaction.json()]
        assert len(rows) == 1 and rows[0]["object_id"] == object_id
        assert rows[0]["sha256"] == sha256_text(interaction.body.decode("utf-8"))
    assert h.cursor("acct", X_USER_TWEETS, user) == {
        "since_id": timeline.json()["meta"]["newest_id"]
    }
    assert h.cursor("acct", endpoint, root) == {"since_id": found.json()["meta"]["newest_id"]}
    # ... and into core: every post of the three pages, each with its edit link
    con = normalized(h.con)
    for interaction in (timeline, found, lookup):
        assert_x_page_in_core(con, interaction.json())
    expected = {t["id"] for i in (timeline, found, lookup) for t in i.json()["data"]}
    assert {r[0] for r in con.execute("SELECT native_id FROM core.items").fetchall()} == expected
    # the looked-up replies (default fields: no conversation id) stay in the thread they were in
    threads = dict(con.execute("SELECT native_id, thread_root_id FROM core.items").fetchall())
    assert {threads[i] for i in lookup_ids} == {f"x:{root}"}


@pytest.mark.parametrize(("cassette", "call", "endpoint"), [
    ("test_client_get_users_mentions.yaml", "get_users_mentions", X_USER_MENTIONS),
    ("test_client_get_tweet.yaml", "get_tweet", X_TWEET),
])
def test_mentions_and_single_tweet_cassettes_through_tweepy_and_the_twarc_importer(
        tmp_path, cassette: str, call: str, endpoint: str) -> None:
    """Endpoints the connector does not call but a twarc2 capture holds: the recorded answer
    goes through the real client, is written as twarc2 writes a page (with ``__twarc``), and
    the importer takes it into raw and core."""
    (recorded,) = read_cassette(cassette)
    api = FakeX()
    api.on(recorded.path, recorded.reply())
    client = make_x_client(TOKEN, HandlerAdapter(api))
    target = recorded.path.split("/")[3]
    response = getattr(client, call)(target)
    assert api.unmatched == [] and response.status_code == 200
    assert response.headers["x-rate-limit-remaining"] == recorded.headers["x-rate-limit-remaining"]
    body = response.json()
    body["__twarc"] = {"url": response.request.url, "version": "2.14.0",
                       "retrieved_at": "2022-10-07T22:00:00+00:00"}
    capture = tmp_path / f"{call}.jsonl"
    capture.write_text(json.dumps(body) + "\n", encoding="utf-8")
    con = db.memory()
    with RawWriter(con, "twarc") as writer:
        result = import_twarc(capture, writer, account_id="x:783214")
    assert result.errors == [] and result.pages_stored == 1
    ((stored_endpoint, object_id),) = con.execute(
        "SELECT endpoint, object_id FROM raw.api_pages").fetchall()
    assert (stored_endpoint, object_id) == (endpoint, target)
    con = normalized(con)
    assert_x_page_in_core(con, body)
    data = body["data"] if isinstance(body["data"], list) else [body["data"]]
    assert con.execute("SELECT count(*) FROM core.items").fetchone()[0] == len(data) > 0
    assert con.execute("SELECT count(*) FROM core.item_versions").fetchone()[0] == len(data)


# ---------------------------------------------------------------------- rate limits


def test_429_with_reset_is_waited_out_then_retried() -> None:
    h = Harness(NOW)
    h.api.on(
        TIMELINE,
        Reply(429, problem(429, "Too Many Requests", "Too Many Requests"),
              headers=limits(0, h.clock.epoch + 30)),
        page([tweet("30", ago(days=30))]),
    )
    outcome = h.run(ACCT)
    assert outcome.errors == {}
    assert h.clock.sleeps == [31.0]  # reset - now + 1
    assert len(h.calls(TIMELINE)) == 2
    assert [p["body"]["data"][0]["id"] for p in h.pages(X_USER_TWEETS)] == ["30"]


def test_remaining_zero_on_a_page_waits_before_the_next_request() -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, Reply(body=page([tweet("30", ago(days=30))], next_token="p2"),
                             headers=limits(0, h.clock.epoch + 20)), pagination_token=None)
    h.api.on(TIMELINE, page([tweet("29", ago(days=31))]), pagination_token="p2")
    outcome = h.run(ACCT)
    assert outcome.errors == {}
    assert h.clock.sleeps == [21.0]
    assert len(h.pages(X_USER_TWEETS)) == 2


def test_long_rate_limit_stops_cleanly_and_the_next_run_resumes_from_the_saved_page() -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, page([tweet("30", ago(days=30))], next_token="p2"), pagination_token=None)
    h.api.on(
        TIMELINE,
        Reply(429, problem(429, "Too Many Requests", "Too Many Requests"),
              headers=limits(0, h.clock.epoch + 900)),
        page([tweet("29", ago(days=31))]),
        pagination_token="p2",
    )
    first = h.run(ACCT)
    error = first.errors["acct"]
    assert isinstance(error, RateLimited) and error.status == "rate_limited"
    assert "account acct" in str(error) and "@district" in str(error)
    assert error.reset_at == datetime.fromtimestamp(int(NOW.timestamp()) + 900, UTC)
    assert h.clock.sleeps == []
    assert h.cursor("acct", X_USER_TWEETS, USER) == {
        "since_id": None, "pending": {"next_token": "p2", "newest_id": "30"}
    }
    assert len(h.pages(X_USER_TWEETS)) == 1  # page 1 kept
    log = h.fetch_log()[-1]
    assert (log["status"], log["endpoint"], log["pages"], log["error_code"]) == (
        "rate_limited", X_USER_TWEETS, 2, "rate_limited"  # the profile and page 1
    )

    h.clock.advance(minutes=16)
    calls_before = len(h.calls(TIMELINE))
    second = h.run(ACCT)
    assert second.errors == {}
    resumed = h.calls(TIMELINE)[calls_before]
    assert resumed.query["pagination_token"] == "p2"
    assert "since_id" not in resumed.query
    assert len(h.pages(X_USER_TWEETS)) == 2
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "30"}


def test_429_without_headers_backs_off_once() -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, Reply(429, problem(429, "Too Many Requests", "Too Many Requests")), EMPTY)
    assert h.run(ACCT).errors == {}
    assert h.clock.sleeps == [15.0]

    h2 = Harness(NOW)
    h2.api.on(TIMELINE, Reply(429, problem(429, "Too Many Requests", "Too Many Requests")))
    error = h2.run(ACCT).errors["acct"]
    assert isinstance(error, RateLimited)
    assert h2.clock.sleeps == [15.0]


# ---------------------------------------------------------------------- HTTP errors


def test_401_on_page_3_keeps_pages_1_and_2_and_the_next_run_resumes_from_page_3() -> None:
    h = Harness(NOW)
    first_page_and_rest(h)
    h.api.on(
        TIMELINE,
        Reply(401, problem(401, "Unauthorized", "Unauthorized")),
        page([tweet("27", ago(hours=4))]),
        pagination_token="p3",
    )
    first = h.run(ACCT)
    error = first.errors["acct"]
    assert isinstance(error, AuthError)
    assert str(error).startswith("account acct: ")
    assert "expired or invalid" in str(error) and "@district" in str(error)
    assert [len(p["body"]["data"]) for p in h.pages(X_USER_TWEETS)] == [2, 1]
    assert h.cursor("acct", X_USER_TWEETS, USER)["pending"] == {
        "next_token": "p3", "newest_id": "30"
    }
    log = h.fetch_log()[-1]
    assert (log["status"], log["pages"], log["error_code"]) == ("auth_error", 3, "unauthorized")

    calls_before = len(h.calls(TIMELINE))
    second = h.run(ACCT)
    assert second.errors == {}
    assert [c.query.get("pagination_token") for c in h.calls(TIMELINE)[calls_before:]] == ["p3"]
    assert [len(p["body"]["data"]) for p in h.pages(X_USER_TWEETS)] == [2, 1, 1]
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "30"}


def test_server_errors_are_retried_with_backoff() -> None:
    h = Harness(NOW)
    h.api.on(
        TIMELINE,
        Reply(500, problem(500, "Internal Server Error", "boom")),
        Reply(503, "<html>Over capacity</html>", content_type="text/html"),
        page([tweet("30", ago(days=30))]),
    )
    outcome = h.run(ACCT)
    assert outcome.errors == {}
    assert h.clock.sleeps == [2.0, 4.0]
    assert len(h.pages(X_USER_TWEETS)) == 1


def test_server_errors_beyond_the_retries_fail_the_account() -> None:
    h = Harness(NOW, retries=2)
    h.api.on(TIMELINE, Reply(502, problem(502, "Bad Gateway", "bad gateway")))
    error = h.run(ACCT).errors["acct"]
    assert type(error) is CaptureError and error.code == "server_error"
    assert len(h.calls(TIMELINE)) == 3 and h.clock.sleeps == [2.0, 4.0]
    assert h.fetch_log()[-1]["status"] == "error"


@pytest.mark.parametrize(
    ("status", "exc_type", "log_status"),
    [
        (400, BadRequest, "bad_request"),
        (401, AuthError, "auth_error"),
        (402, CreditsExhausted, "credits_exhausted"),
        (403, PermissionDenied, "permission"),
    ],
)
def test_http_errors_map_to_capture_errors(status: int, exc_type: type, log_status: str) -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, Reply(status, problem(status, "Nope", f"refused with {status}")))
    outcome = h.run(ACCT, XAccount("other", "2000"))
    error = outcome.errors["acct"]
    assert type(error) is exc_type
    assert str(error).startswith("account acct: ") and f"HTTP {status}" in str(error)
    assert f"refused with {status}" in str(error)
    log = [row for row in h.fetch_log() if row["account_id"] == "acct"]
    assert [(row["status"], row["endpoint"]) for row in log] == [(log_status, X_USER_TWEETS)]
    assert outcome.errors.keys() | outcome.results.keys() == {"acct", "other"}


def test_the_bearer_token_never_reaches_messages_logs_or_the_warehouse(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="tweepy.client")
    h = Harness(NOW)
    leaky = f"Bearer {TOKEN} is not valid"
    h.api.on(TIMELINE, Reply(401, {"errors": [{"message": leaky, "code": 89}]}))
    other = USER_TWEETS.format("2000")
    h.api.on(other, f"<html>token {TOKEN}</html>", pagination_token=None)
    third = USER_TWEETS.format("3000")
    h.api.on(third, page([tweet("31", ago(days=9), author_id="3000", text=f"echo {TOKEN}")]))
    outcome = h.run(ACCT, XAccount("other", "2000"), XAccount("third", "3000"))

    assert isinstance(outcome.errors["acct"], AuthError)
    assert TOKEN not in str(outcome.errors["acct"])
    assert "[REDACTED]" in str(outcome.errors["acct"])
    assert outcome.results["other"].status == "partial"
    assert TOKEN not in (outcome.results["other"].error or "")
    dump = "\n".join(
        str(row)
        for table in ("raw.api_pages", "raw.fetch_log", "raw.quarantine", "raw.cursors")
        for row in h.con.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
    )
    assert "third" in dump and "<html>" in dump
    assert TOKEN not in dump
    assert "Making API request" in caplog.text  # tweepy logs its request headers at DEBUG
    assert "Bearer [REDACTED]" in caplog.text and TOKEN not in caplog.text


# ---------------------------------------------------------------------- malformed pages


def test_malformed_200_is_quarantined_and_the_run_goes_on_with_the_next_account() -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, Reply(200, "<html><body>Something went wrong</body></html>",
                             content_type="text/html"))
    second = USER_TWEETS.format("2000")
    h.api.on(second, page([tweet("40", ago(days=20), author_id="2000")]))
    outcome = h.run(ACCT, XAccount("other", "2000"))

    assert outcome.errors == {}
    bad = outcome.results["acct"]
    assert (bad.status, bad.quarantined, bad.pages) == ("partial", 1, 1)  # its profile only
    assert "not JSON" in (bad.error or "")
    (q,) = h.quarantine()
    assert (q["account_id"], q["endpoint"], q["object_id"]) == ("acct", X_USER_TWEETS, USER)
    assert "body is not JSON" in q["reason"]
    assert q["body_text"].startswith("<html>")
    assert h.cursor("acct", X_USER_TWEETS, USER) is None  # kept: the next run retries
    assert [p["account_id"] for p in h.pages(X_USER_TWEETS)] == ["other"]
    statuses = {(r["account_id"], r["status"], r["error_code"]) for r in h.fetch_log()}
    assert statuses == {("acct", "partial", "quarantined"), ("other", "ok", None)}

    h.api.on(TIMELINE, page([tweet("30", ago(days=30))]))
    again = h.run(ACCT)
    assert again.results["acct"].status == "ok"
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "30"}


@pytest.mark.parametrize(
    "body",
    [
        '{"data": [{"id": "1", "text": "x"}]}',  # no meta
        '{"data": {"id": "1"}, "meta": {"result_count": 1}}',  # data not a list
        '["not", "a", "page"]',
        '{"title": "Service Unavailable", "detail": "try later"}',
        '{"data": [], "meta": {"result_count": NaN}}',  # Python's json takes NaN: not JSON
        '{"meta": {"result_count": 0},}',  # DuckDB's json_valid takes a trailing comma
    ],
)
def test_json_without_the_page_shape_is_quarantined(body: str) -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, body)
    outcome = h.run(ACCT)
    assert outcome.results["acct"].status == "partial"
    (q,) = h.quarantine()
    assert q["body_text"] == body and q["reason"].startswith("users/:id/tweets 1000: ")
    assert h.pages(X_USER_TWEETS) == []


def test_errors_only_answer_is_stored_and_the_cursor_kept() -> None:
    h = Harness(NOW)
    body = {"errors": [{
        "value": USER, "detail": "User has been suspended: [1000].", "title": "Forbidden",
        "resource_type": "user", "parameter": "id", "resource_id": USER,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }]}
    h.api.on(TIMELINE, body)
    outcome = h.run(ACCT)
    result = outcome.results["acct"]
    assert result.status == "partial" and "suspended" in (result.error or "")
    assert [p["body"] for p in h.pages(X_USER_TWEETS)] == [body]
    assert h.cursor("acct", X_USER_TWEETS, USER) is None
    assert h.fetch_log()[-1]["error_code"] == "errors_only"


def test_a_malformed_search_page_stops_only_that_conversation() -> None:
    h = Harness(NOW)
    h.api.on(TIMELINE, page([tweet("52", ago(days=1)), tweet("51", ago(days=2))]))
    h.seen_reply("61", "51")
    h.seen_reply("62", "52")
    h.api.on(SEARCH_RECENT, "not json at all", query="conversation_id:51")
    h.api.on(LOOKUP, {"data": [tweet("62", ago(hours=5), conversation_id="52",
                                     replied_to="52", author_id="7")]}, ids="62")
    outcome = h.run(ACCT)
    result = outcome.results["acct"]
    assert result.status == "partial" and result.conversations == 2
    assert [q["object_id"] for q in h.quarantine()] == ["51"]
    assert [p["object_id"] for p in h.pages(X_SEARCH_RECENT)] == ["52"]
    assert [c.query["ids"] for c in h.calls(LOOKUP)] == ["62"]  # none for the stopped one
    assert h.cursor("acct", X_SEARCH_RECENT, "51") is None
    assert h.cursor("acct", X_SEARCH_RECENT, "52") == {"since_id": None}


# ---------------------------------------------------------------------- incremental


def test_second_capture_sends_since_id_and_stores_only_the_new_page() -> None:
    h = Harness(NOW)
    old = page([tweet("30", ago(days=20)), tweet("29", ago(days=21))], next_token="p2")
    h.api.on(TIMELINE, old, pagination_token=None, since_id=None)
    h.api.on(TIMELINE, page([tweet("28", ago(days=22))]), pagination_token="p2", since_id=None)
    h.run(ACCT)
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "30"}
    assert len(h.pages(X_USER_TWEETS)) == 2

    h.clock.advance(days=1)
    new = page([tweet("32", ago(days=1)), tweet("31", ago(days=2))])
    h.api.on(TIMELINE, new, since_id="30")
    n_calls = len(h.calls(TIMELINE))
    h.run(ACCT)
    (call,) = h.calls(TIMELINE)[n_calls:]
    assert call.query["since_id"] == "30" and "pagination_token" not in call.query
    stored = h.pages(X_USER_TWEETS)
    assert len(stored) == 3 and stored[-1]["body"] == new
    assert stored[-1]["params"]["since_id"] == "30"
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "32"}

    h.api.on(TIMELINE, EMPTY, since_id="32")
    h.run(ACCT)
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "32"}  # nothing new: kept


def test_a_saved_page_token_the_api_rejects_restarts_the_pass() -> None:
    h = Harness(NOW)
    h.set_cursor("acct", X_USER_TWEETS, {"since_id": "10",
                                         "pending": {"next_token": "stale", "newest_id": "20"}},
                 USER)
    h.api.on(TIMELINE, Reply(400, problem(400, "Invalid Request", "bad pagination_token")),
             pagination_token="stale")
    h.api.on(TIMELINE, page([tweet("25", ago(days=30))]), pagination_token=None, since_id="10")
    outcome = h.run(ACCT)
    assert outcome.errors == {}
    assert [c.query.get("pagination_token") for c in h.calls(TIMELINE)] == ["stale", None]
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "25"}


# ---------------------------------------------------------------------- conversations


def test_conversations_in_the_window_are_searched_and_remembered() -> None:
    h = Harness(NOW, reply_window_days=7)
    h.api.on(TIMELINE, page([
        tweet("50", ago(days=1)),
        tweet("49", ago(days=2), conversation_id="40", replied_to="40"),  # a reply: not a root
        {**tweet("48", ago(days=3)), "referenced_tweets": [{"type": "retweeted", "id": "5"}]},
        tweet("47", ago(days=6)),
        tweet("46", ago(days=9)),  # outside the window
    ]), since_id=None)
    h.api.on(SEARCH_RECENT, page([tweet("70", ago(hours=3), conversation_id="50",
                                        replied_to="50", author_id="7")]),
             query="conversation_id:50")
    first = h.run(ACCT)
    assert first.results["acct"].conversations == 2
    assert [c.query["query"] for c in h.calls(SEARCH_RECENT)] == [
        "conversation_id:47", "conversation_id:50"
    ]
    assert all("start_time" not in c.query for c in h.calls(SEARCH_RECENT))
    assert h.cursor("acct", X_SEARCH_RECENT) == {"conversations": {
        "47": iso(ago(days=6)).replace(".000", ""), "50": iso(ago(days=1)).replace(".000", ""),
    }, "backfill": {}}  # recent search cannot reach older threads: nothing to backfill
    assert h.cursor("acct", X_SEARCH_RECENT, "50") == {"since_id": "70"}
    # the empty answer for 47 is a page too: it shows the search was made
    assert [p["object_id"] for p in h.pages(X_SEARCH_RECENT)] == ["47", "50"]
    assert h.cursor("acct", X_SEARCH_RECENT, "47") == {"since_id": None}

    # Two days later: nothing new on the timeline; 47 has aged out, 50 is searched from since_id.
    h.clock.advance(days=2)
    h.api.on(TIMELINE, EMPTY, since_id="50")
    n = len(h.calls(SEARCH_RECENT))
    h.run(ACCT)
    later = h.calls(SEARCH_RECENT)[n:]
    assert [(c.query["query"], c.query.get("since_id")) for c in later] == [
        ("conversation_id:50", "70")
    ]
    assert list(h.cursor("acct", X_SEARCH_RECENT)["conversations"]) == ["50"]


def test_search_all_starts_at_the_root_and_keeps_one_request_per_second() -> None:
    h = Harness(NOW, search="all")
    h.api.on(TIMELINE, page([tweet("52", ago(days=1)), tweet("51", ago(days=3))]))
    h.run(ACCT)
    calls = h.calls(SEARCH_ALL)
    assert [(c.query["query"], c.query["start_time"]) for c in calls] == [
        ("conversation_id:51", ago(days=3).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("conversation_id:52", ago(days=1).strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]
    assert h.calls(SEARCH_RECENT) == []
    assert h.clock.sleeps == [1.0]  # the fake clock does not move between the two searches
    assert h.cursor("acct", X_SEARCH_ALL, "51") == {"since_id": None}


def snowflake(when: datetime) -> str:
    return str((int(when.timestamp() * 1000) - 1288834974657) << 22)


def test_recent_search_drops_a_since_id_older_than_its_window() -> None:
    h = Harness(NOW, reply_window_days=10)
    h.api.on(TIMELINE, EMPTY)
    h.set_cursor("acct", X_SEARCH_RECENT, {"conversations": {
        "50": iso(ago(days=9)), "51": iso(ago(days=5))}})
    h.set_cursor("acct", X_SEARCH_RECENT, {"since_id": snowflake(ago(days=8)),
                                           "pending": {"next_token": "old", "newest_id": "9"}},
                 "50")
    recent = snowflake(ago(days=2))
    h.set_cursor("acct", X_SEARCH_RECENT, {"since_id": recent}, "51")
    h.run(ACCT)
    sent = {c.query["query"]: c.query.get("since_id") for c in h.calls(SEARCH_RECENT)}
    assert sent == {"conversation_id:50": None, "conversation_id:51": recent}


# ---------------------------------------------------------------------- deletions


def test_replies_missing_from_a_complete_search_are_looked_up_and_the_page_stored() -> None:
    h = Harness(NOW)
    root = "50"
    h.api.on(TIMELINE, page([tweet(root, ago(days=1))]))
    for native_id in ("61", "62", "63"):
        h.seen_reply(native_id, root)
    edited = {**tweet("64", ago(hours=2), conversation_id=root, replied_to=root, author_id="7"),
              "edit_history_tweet_ids": ["63", "64"]}  # 63 was edited into 64: not missing
    h.api.on(SEARCH_RECENT, page([edited], next_token="s2"), next_token=None)
    h.api.on(SEARCH_RECENT, page([tweet("61", ago(hours=3), conversation_id=root,
                                        replied_to=root, author_id="7")]), next_token="s2")
    gone = {"errors": [not_found("62")]}
    h.api.on(LOOKUP, gone, ids="62")
    outcome = h.run(ACCT)

    assert outcome.errors == {} and h.api.unmatched == []
    (call,) = h.calls(LOOKUP)
    assert call.query["ids"] == "62"
    assert call.query["tweet.fields"].split(",") == TWEET_FIELDS
    (stored,) = h.pages(X_TWEETS_LOOKUP)
    assert stored["body"] == gone and stored["object_id"] == root
    assert outcome.results["acct"].lookups == 1


def test_lookups_go_in_batches_of_100() -> None:
    h = Harness(NOW)
    root = "50"
    h.api.on(TIMELINE, page([tweet(root, ago(days=1))]))
    ids = [str(1000 + i) for i in range(150)]
    for native_id in ids:
        h.seen_reply(native_id, root)
    h.api.on(LOOKUP, {"errors": [not_found("1000")]})
    h.run(ACCT)
    batches = [c.query["ids"].split(",") for c in h.calls(LOOKUP)]
    assert [len(b) for b in batches] == [100, 50]
    assert sorted(batches[0] + batches[1]) == ids


def test_no_lookup_when_the_search_was_interrupted() -> None:
    h = Harness(NOW, max_wait_seconds=10)
    root = "50"
    h.api.on(TIMELINE, page([tweet(root, ago(days=1))]))
    h.seen_reply("61", root)
    h.api.on(SEARCH_RECENT, page([], next_token="s2"), next_token=None)
    h.api.on(SEARCH_RECENT, Reply(429, problem(429, "Too Many Requests", "Too Many Requests"),
                                  headers=limits(0, h.clock.epoch + 600, 450)),
             next_token="s2")
    outcome = h.run(ACCT)
    assert isinstance(outcome.errors["acct"], RateLimited)
    assert h.calls(LOOKUP) == []
    assert h.cursor("acct", X_SEARCH_RECENT, root) == {
        "since_id": None, "pending": {"next_token": "s2", "newest_id": None}
    }
    assert h.fetch_log()[-1]["endpoint"] == X_SEARCH_RECENT
    assert h.cursor("acct", X_USER_TWEETS, USER) == {"since_id": "50"}


def test_deletion_lookups_are_rationed_per_conversation() -> None:
    # X bills each post read: a conversation's replies are rechecked at most once a day.
    h = Harness(NOW, deletion_recheck_hours=24)
    root = "50"
    h.api.on(TIMELINE, page([tweet(root, ago(days=1))]))
    h.seen_reply("61", root)
    h.api.on(LOOKUP, {"errors": [not_found("61")]})
    h.run(ACCT)
    h.clock.advance(hours=1)
    h.run(ACCT)
    assert len(h.calls(LOOKUP)) == 1
    h.clock.advance(hours=24)
    h.run(ACCT)
    assert len(h.calls(LOOKUP)) == 2
    assert h.cursor("acct", X_TWEETS_LOOKUP, root)["checked_at"] == iso(h.clock.now()).replace(
        ".000Z", "Z")


def test_full_archive_search_backfills_older_threads_once() -> None:
    h = Harness(NOW, reply_window_days=7, search="all")
    h.api.on(TIMELINE, page([tweet("50", ago(days=1)), tweet("46", ago(days=40))]),
             since_id=None)
    h.run(ACCT)
    searched = [c.query["query"] for c in h.calls(SEARCH_ALL)]
    assert searched == ["conversation_id:50", "conversation_id:46"]  # window first
    assert h.cursor("acct", X_SEARCH_ALL)["backfill"] == {}  # done, so dropped
    start = [c.query["start_time"] for c in h.calls(SEARCH_ALL)]
    assert start[1] == ago(days=40).strftime("%Y-%m-%dT%H:%M:%SZ")

    h.clock.advance(hours=1)
    h.api.on(TIMELINE, EMPTY, since_id="50")
    h.run(ACCT)
    again = [c.query["query"] for c in h.calls(SEARCH_ALL)][2:]
    assert again == ["conversation_id:50"]  # the old thread is not searched every run


def test_an_edited_root_post_is_searched_by_its_original_conversation() -> None:
    h = Harness(NOW)
    edited = {**tweet("52", ago(days=1)), "edit_history_tweet_ids": ["51", "52"],
              "conversation_id": "51"}
    h.api.on(TIMELINE, page([edited]), since_id=None)
    h.run(ACCT)
    assert [c.query["query"] for c in h.calls(SEARCH_RECENT)] == ["conversation_id:51"]


# ---------------------------------------------------------------------- plans without search/all

NOT_ENROLLED_BODY = {
    "client_id": "29384721",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys "
              "and tokens from a Twitter developer App that is attached to a Project.",
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden", "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled", "type": "https://api.twitter.com/2/problems/client-forbidden",
}
SUBSET_BODY = {"errors": [{"message": "You currently have access to a subset of X API V2 "
                                      "endpoints and limited v1.1 endpoints only. If you need "
                                      "access to this endpoint, you may need a different access "
                                      "level.", "code": 453}]}


@pytest.mark.parametrize("refusal", [NOT_ENROLLED_BODY, SUBSET_BODY])
def test_full_archive_search_refused_by_the_plan_falls_back_to_recent_search(refusal) -> None:
    h = Harness(NOW, search="all")
    other = XAccount("other", "2000")
    h.api.on(TIMELINE, page([tweet("50", ago(days=1)), tweet("46", ago(days=40))]))
    h.api.on(USER_TWEETS.format("2000"), page([tweet("80", ago(days=2), author_id="2000")]))
    h.api.on(SEARCH_ALL, Reply(403, refusal))
    reply = tweet("51", ago(hours=5), conversation_id="50", replied_to="50", author_id="7")
    h.api.on(SEARCH_RECENT, page([reply]), query="conversation_id:50")

    outcome = h.run(ACCT, other)

    assert outcome.errors == {}
    first, second = outcome.results["acct"], outcome.results["other"]
    assert (first.status, second.status) == ("partial", "partial")
    assert "full-archive search is not available to this X app" in first.error
    assert "recent search for this run" in first.error and "HTTP 403" in first.error
    assert "recent search for this run" in second.error
    # one refused request, then recent search for both accounts; no start_time on recent
    assert len(h.calls(SEARCH_ALL)) == 1
    assert [c.query["query"] for c in h.calls(SEARCH_RECENT)] == [
        "conversation_id:50", "conversation_id:80"]
    assert all("start_time" not in c.query for c in h.calls(SEARCH_RECENT))
    (stored, _) = h.pages(X_SEARCH_RECENT)
    assert stored["object_id"] == "50" and stored["body"]["data"][0]["id"] == "51"
    assert h.cursor("acct", X_SEARCH_RECENT, "50") == {"since_id": "51"}
    # the old thread is left for a run where full-archive search answers
    state = h.cursor("acct", X_SEARCH_ALL)
    assert list(state["conversations"]) == ["50"] and list(state["backfill"]) == ["46"]
    log = {r["account_id"]: (r["status"], r["message"]) for r in h.fetch_log()}
    assert log["acct"][0] == "partial" and "recent search" in log["acct"][1]

    # the next run tries full-archive search again
    h.api.on(SEARCH_ALL, EMPTY)
    again = h.run(ACCT)
    assert again.results["acct"].status == "ok"
    assert [c.query["query"] for c in h.calls(SEARCH_ALL)][1:] == [
        "conversation_id:50", "conversation_id:46"]
    assert h.cursor("acct", X_SEARCH_ALL)["backfill"] == {}


def test_other_403s_on_full_archive_search_still_fail_the_account() -> None:
    h = Harness(NOW, search="all")
    h.api.on(TIMELINE, page([tweet("50", ago(days=1))]))
    h.api.on(SEARCH_ALL, Reply(403, problem(403, "Forbidden", "You are not allowed to see it")))
    outcome = h.run(ACCT)
    error = outcome.errors["acct"]
    assert isinstance(error, PermissionDenied) and error.code == "forbidden"
    assert h.calls(SEARCH_RECENT) == []
