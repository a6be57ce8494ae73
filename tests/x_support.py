"""Test helpers for the X connector: public fixtures, a scripted X API and a fake clock.

Responses reach the real ``tweepy.Client`` through ``connectors.transport.HandlerAdapter``; the
fixtures are read from ``../shared/fixtures/x-api-v2`` (never copied into the repo).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import duckdb
import yaml

from connectors.base import CaptureError
from connectors.transport import Call, HandlerAdapter, Reply
from connectors.x import XAccount, XCaptureResult, XConnector, make_x_client
from tests.fixtures import FIXTURES as SHARED_FIXTURES
from warehouse import db
from warehouse.raw_store import RawWriter

FIXTURES = SHARED_FIXTURES / "x-api-v2"
TWARC_DIR = FIXTURES / "twarc-csv"
CASSETTE_DIR = FIXTURES / "tweepy-cassettes"

TOKEN = "TEST-SECRET-TOKEN-123"
USER_TWEETS = "/2/users/{}/tweets"
USER_PROFILE = "/2/users/{}"
SEARCH_RECENT = "/2/tweets/search/recent"
SEARCH_ALL = "/2/tweets/search/all"
LOOKUP = "/2/tweets"


# ---------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class TwarcPage:
    """One line of a twarc2 ``.jsonl``: the page exactly as written, and the URL it came from."""

    file: str
    line: int
    text: str
    url: str

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query))

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.text)

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def twarc_pages() -> list[TwarcPage]:
    pages = []
    for path in sorted(TWARC_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                url = json.loads(line)["__twarc"]["url"]
                pages.append(TwarcPage(path.name, number, line, url))
    return pages


@dataclass(frozen=True)
class Interaction:
    """One recorded request and response of a VCR.py cassette, body decompressed."""

    method: str
    uri: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.uri).query))

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    def reply(self) -> Reply:
        """The response as recorded: status, every header, the (decoded) body bytes.

        A live ``requests.Response`` also keeps ``content-encoding: gzip`` in its headers while
        ``.content`` is already decoded, so the headers are served unchanged."""
        return Reply(
            status=self.status,
            body=self.body,
            headers=self.headers,
            content_type=self.headers.get("content-type", "application/json"),
        )


def read_cassette(name: str) -> list[Interaction]:
    data = yaml.safe_load((CASSETTE_DIR / name).read_text(encoding="utf-8"))
    out = []
    for item in data["interactions"]:
        request, response = item["request"], item["response"]
        headers = {k.lower(): ", ".join(map(str, v)) for k, v in response["headers"].items()}
        body = response["body"]["string"]
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        out.append(
            Interaction(request["method"], request["uri"], int(response["status"]["code"]),
                        headers, body)
        )
    return out


# ---------------------------------------------------------------------- synthetic pages


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tweet(
    tweet_id: str,
    created_at: datetime,
    *,
    author_id: str = "1000",
    conversation_id: str | None = None,
    replied_to: str | None = None,
    text: str | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": tweet_id,
        "text": text or f"tweet {tweet_id}",
        "author_id": author_id,
        "conversation_id": conversation_id or tweet_id,
        "created_at": iso(created_at),
        "edit_history_tweet_ids": [tweet_id],
    }
    if replied_to:
        out["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    return out


def page(
    tweets: list[dict[str, Any]],
    *,
    next_token: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if tweets:
        ids = sorted((t["id"] for t in tweets), key=lambda i: (len(i), i))
        meta.update(newest_id=ids[-1], oldest_id=ids[0])
    if next_token:
        meta["next_token"] = next_token
    out: dict[str, Any] = {"meta": meta}
    if tweets:
        out["data"] = tweets
    if errors:
        out["errors"] = errors
    return out


EMPTY = {"meta": {"result_count": 0}}


def profile(user_id: str, description: str = "", *, url: str = "",
            entities: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``GET /2/users/:id`` as X answers it (``url`` is ``""`` when the profile has none)."""
    user: dict[str, Any] = {"id": user_id, "name": f"User {user_id}",
                            "username": f"user{user_id}", "description": description,
                            "url": url}
    if entities:
        user["entities"] = dict(entities)
    return {"data": user}


def not_found(tweet_id: str) -> dict[str, Any]:
    return {
        "value": tweet_id,
        "detail": f"Could not find tweet with ids: [{tweet_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": "ids",
        "resource_id": tweet_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }


def limits(remaining: int, reset: float, limit: int = 900) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(int(reset)),
    }


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"title": title, "type": "about:blank", "status": status, "detail": detail}


# ---------------------------------------------------------------------- the scripted API


class Clock:
    """``now`` and ``sleep`` for the connector: sleeping advances time and is recorded."""

    def __init__(self, start: datetime):
        self.current = start
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += timedelta(seconds=seconds)

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    @property
    def epoch(self) -> float:
        return self.current.timestamp()


@dataclass
class Route:
    path: str
    query: Mapping[str, str | None]
    replies: list[Reply]

    def matches(self, call: Call) -> bool:
        if call.path != self.path:
            return False
        for key, value in self.query.items():
            if value is None:
                if key in call.query:
                    return False
            elif call.query.get(key) != value:
                return False
        return True

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def as_reply(answer: Reply | Mapping[str, Any] | str | bytes) -> Reply:
    return answer if isinstance(answer, Reply) else Reply(body=answer)


@dataclass
class FakeX:
    """A scripted X API v2. Routes match a path and query values (``None``: must be absent);
    the latest route registered wins; a route's replies are served in order, the last one
    repeating. Searches answer an empty page, and a user's profile (``/2/users/:id``) a user
    with an empty bio, unless scripted; anything else unscripted is a 404 recorded in
    ``unmatched``. Every call must carry the bearer token."""

    token: str = TOKEN
    routes: list[Route] = field(default_factory=list)
    unmatched: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.on(SEARCH_RECENT, EMPTY)
        self.on(SEARCH_ALL, EMPTY)

    def on(self, path: str, *answers: Reply | Mapping[str, Any] | str | bytes,
           **query: str | None) -> FakeX:
        self.routes.append(Route(path, query, [as_reply(a) for a in answers]))
        return self

    def __call__(self, call: Call) -> Reply:
        if call.headers.get("Authorization") != f"Bearer {self.token}":
            return Reply(401, problem(401, "Unauthorized", "Unauthorized"))
        for route in reversed(self.routes):
            if route.matches(call):
                return route.next_reply()
        parts = call.path.split("/")
        if len(parts) == 4 and parts[:3] == ["", "2", "users"] and parts[3].isdigit():
            return Reply(body=profile(parts[3]))
        self.unmatched.append(call)
        return Reply(404, problem(404, "Not Found", f"no route for {call.path}"))


# ---------------------------------------------------------------------- a capture run


@dataclass
class RunOutcome:
    results: dict[str, XCaptureResult]
    errors: dict[str, CaptureError]


class Harness:
    """A warehouse, a scripted API behind the real tweepy client, and capture runs over them."""

    def __init__(self, start: datetime, *, token: str = TOKEN, **connector_options: Any):
        self.con: duckdb.DuckDBPyConnection = db.memory()
        self.clock = Clock(start)
        self.api = FakeX(token=token)
        self.adapter = HandlerAdapter(self.api)
        self.client = make_x_client(token, self.adapter)
        self.options = connector_options
        self.runs = 0

    def run(self, *accounts: XAccount, **options: Any) -> RunOutcome:
        """Capture the accounts like the ingest stage does: one writer, flushed per account."""
        self.runs += 1
        writer = RawWriter(self.con, f"test-run-{self.runs}")
        connector = XConnector(
            self.client, writer, sleep=self.clock.sleep, now=self.clock.now,
            **{**self.options, **options},
        )
        outcome = RunOutcome({}, {})
        for account in accounts:
            try:
                outcome.results[account.account_key] = connector.capture_account(account)
            except CaptureError as exc:
                outcome.errors[account.account_key] = exc
            writer.flush()
        return outcome

    def set_cursor(self, account_key: str, endpoint: str, state: Mapping[str, Any],
                   object_id: str = "") -> None:
        writer = RawWriter(self.con, "test-setup")
        writer.set_cursor("x", account_key, endpoint, state, object_id)
        writer.flush()

    def cursor(self, account_key: str, endpoint: str, object_id: str = "") -> dict[str, Any] | None:
        return RawWriter(self.con, "test-read").get_cursor("x", account_key, endpoint, object_id)

    def calls(self, path: str) -> list[Call]:
        return [c for c in self.adapter.calls if c.path == path]

    def pages(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        sql = ("SELECT endpoint, object_id, account_id, request_params::VARCHAR, body::VARCHAR, "
               "sha256 FROM raw.api_pages")
        rows = self.con.execute(sql + " ORDER BY page_id").fetchall()
        out = [
            {"endpoint": r[0], "object_id": r[1], "account_id": r[2],
             "params": json.loads(r[3]), "body": json.loads(r[4]), "text": r[4], "sha256": r[5]}
            for r in rows
        ]
        return [p for p in out if endpoint is None or p["endpoint"] == endpoint]

    def fetch_log(self) -> list[dict[str, Any]]:
        rows = self.con.execute(
            "SELECT run_id, account_id, endpoint, status, error_code, message, pages "
            "FROM raw.fetch_log ORDER BY logged_at"
        ).fetchall()
        keys = ("run_id", "account_id", "endpoint", "status", "error_code", "message", "pages")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def quarantine(self) -> list[dict[str, Any]]:
        rows = self.con.execute(
            "SELECT account_id, endpoint, object_id, reason, body_text FROM raw.quarantine"
        ).fetchall()
        keys = ("account_id", "endpoint", "object_id", "reason", "body_text")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def seen_reply(self, native_id: str, root_id: str, account_key: str = "acct") -> None:
        """A reply captured by an earlier run (what ``previously_seen`` reads)."""
        self.con.execute(
            """
            INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
                account_id, author_is_district, thread_root_id, state, first_seen_at,
                last_seen_at, content_fetched_at, last_page_id)
            VALUES (?, 'x', 'comment', ?, ?, ?, false, ?, 'visible', now(), now(), now(), 0)
            """,
            [f"x:{native_id}", native_id, native_id, account_key, f"x:{root_id}"],
        )
