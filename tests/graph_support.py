"""Test helpers for the Graph connector: a fake Graph API host behind ``HandlerAdapter``.

Responses go through the real facebook-sdk client and ``requests`` session; the fixtures are the
public pages in ``../shared/fixtures/graph-api/python-facebook`` (read in place, never copied).
Their scrubbed ``access_token=access_token`` in ``paging.next`` is replaced by the test token so
that redaction is proven on real-looking bodies.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import requests

from connectors.graph import GraphConnector, make_graph_client
from connectors.transport import Call, HandlerAdapter, Reply
from tests.fixtures import FIXTURES
from warehouse import db
from warehouse.raw_store import RawWriter

TOKEN = "TEST-SECRET-TOKEN-456"
VERSION = "v25.0"
PYFB = FIXTURES / "graph-api" / "python-facebook"

Route = Callable[[Call], Reply]


def fixture_text(relative: str) -> str:
    """A python-facebook fixture as served: its scrubbed token replaced by the test token."""
    text = (PYFB / relative).read_text(encoding="utf-8")
    return text.replace("access_token=access_token", f"access_token={TOKEN}")


def fixture(relative: str) -> dict[str, Any]:
    return json.loads(fixture_text(relative))


def ok(body: Any, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(200, body, dict(headers or {}))


def graph_error(code: int, *, subcode: int | None = None, status: int = 400,
                message: str = "An error occurred", is_transient: bool | None = None,
                headers: Mapping[str, str] | None = None) -> Reply:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                             "fbtrace_id": "AbCdEf123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    return Reply(status, {"error": error}, dict(headers or {}))


def does_not_exist(object_id: str) -> Reply:
    return graph_error(
        100, subcode=33,
        message=f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation.",
    )


def buc_header(object_id: str, *, regain_minutes: int = 0, call_count: int = 100,
               kind: str = "pages") -> dict[str, str]:
    usage = {object_id: [{"type": kind, "call_count": call_count, "total_cputime": 10,
                          "total_time": 10,
                          "estimated_time_to_regain_access": regain_minutes}]}
    return {"X-Business-Use-Case-Usage": json.dumps(usage)}


def cursor_pages(pages: Mapping[str | None, Any], *, key: str = "after") -> Route:
    """Serve ``pages[value of the paging key in the request]`` (``None``: first page)."""

    def route(call: Call) -> Reply:
        value = call.query.get(key) or None
        if value not in pages:
            return graph_error(100, message=f"unexpected {key}={value}")
        body = pages[value]
        return body if isinstance(body, Reply) else ok(body)

    return route


def always(body: Any) -> Route:
    return lambda call: body if isinstance(body, Reply) else ok(body)


def empty_comments(call: Call) -> Reply:
    """Fallback: any unrouted ``/comments`` edge is an empty listing."""
    if call.path.endswith("/comments"):
        return ok({"data": [], "summary": {"order": "chronological", "total_count": 0,
                                           "can_comment": True}})
    return graph_error(100, subcode=33, message=f"no route for {call.path}")


@dataclass
class GraphServer:
    """A fake graph.facebook.com: routes by the path after the version, queued faults first.
    An account's profile (``/{id}?fields=...about...`` or ``...biography...``) that has no route
    answers the account with no bio and no website, as Graph leaves out fields without value."""

    token: str = TOKEN
    routes: dict[str, Route] = field(default_factory=dict)
    faults: dict[str, deque[Reply]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    fallback: Route | None = None  # for paths without a route (default: error 100/33)

    def route(self, path: str, route: Route) -> None:
        self.routes[path.strip("/")] = route

    def fail_next(self, path: str, *replies: Reply) -> None:
        self.faults.setdefault(path.strip("/"), deque()).extend(replies)

    def handle(self, call: Call) -> Reply:
        self.calls.append(call)
        prefix = f"/{VERSION}/"
        if not call.path.startswith(prefix):
            return graph_error(2500, message=f"unknown version in {call.path}")
        if call.query.get("access_token") != self.token:
            return graph_error(190, subcode=467, status=400, message="Invalid OAuth access token.")
        path = call.path[len(prefix):].strip("/")
        queue = self.faults.get(path)
        if queue:
            return queue.popleft()
        route = self.routes.get(path)
        fields = set(call.query.get("fields", "").split(","))
        if route is None and path.isdigit() and fields & {"about", "biography"}:
            return ok({"id": path})
        route = route or self.fallback
        if route is None:
            return graph_error(100, subcode=33, message=f"no route for {path}")
        return route(call)

    def paths(self) -> list[str]:
        return [c.path[len(VERSION) + 2:] for c in self.calls]

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == f"/{VERSION}/{path}"]


def drop_content_type(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Response hook: a reply marked ``X-Test-No-Content-Type`` loses its content-type header."""
    if "X-Test-No-Content-Type" in response.headers:
        del response.headers["content-type"]


@dataclass
class Harness:
    """One warehouse, one fake Graph host, a real client and connector; new runs on demand."""

    server: GraphServer
    con: duckdb.DuckDBPyConnection
    now: datetime
    sleeps: list[float] = field(default_factory=list)
    runs: int = 0
    writer: RawWriter | None = None
    connector: GraphConnector | None = None

    @classmethod
    def create(cls, now: datetime, **connector_kwargs: Any) -> Harness:
        h = cls(GraphServer(), db.memory(), now)
        h.new_run(**connector_kwargs)
        return h

    def new_run(self, **connector_kwargs: Any) -> GraphConnector:
        if self.writer is not None:
            self.writer.flush()
        self.runs += 1
        self.writer = RawWriter(self.con, f"test-run-{self.runs}")
        graph, usage = make_graph_client(TOKEN, adapter=HandlerAdapter(self.server.handle))
        graph.session.hooks["response"].insert(0, drop_content_type)
        self.connector = GraphConnector(
            graph, usage, self.writer, sleep=self.sleeps.append, now=lambda: self.now,
            **connector_kwargs,
        )
        return self.connector

    def flush(self) -> None:
        assert self.writer is not None
        self.writer.flush()

    # ----------------------------------------------------------------- warehouse views

    def pages(self, endpoint: str | None = None, object_id: str | None = None) -> list[dict]:
        self.flush()
        sql = ("SELECT page_id, run_id, source, origin, account_id, endpoint, object_id, "
               "request_params::VARCHAR, body::VARCHAR FROM raw.api_pages WHERE 1=1")
        args: list[Any] = []
        if endpoint is not None:
            sql += " AND endpoint = ?"
            args.append(endpoint)
        if object_id is not None:
            sql += " AND object_id = ?"
            args.append(object_id)
        rows = self.con.execute(sql + " ORDER BY page_id", args).fetchall()
        names = ["page_id", "run_id", "source", "origin", "account_id", "endpoint",
                 "object_id", "params", "body"]
        out = []
        for row in rows:
            item = dict(zip(names, row, strict=True))
            item["params"] = json.loads(item["params"])
            item["body"] = json.loads(item["body"])
            out.append(item)
        return out

    def cursor(self, source: str, account: str, endpoint: str, object_id: str) -> dict | None:
        self.flush()
        row = self.con.execute(
            "SELECT state::VARCHAR FROM raw.cursors WHERE source = ? AND account_id = ? "
            "AND endpoint = ? AND object_id = ?", [source, account, endpoint, object_id]
        ).fetchone()
        return json.loads(row[0]) if row else None

    def fetch_log(self) -> list[dict]:
        self.flush()
        rows = self.con.execute(
            "SELECT run_id, source, account_id, endpoint, status, error_code, message, pages "
            "FROM raw.fetch_log ORDER BY rowid"
        ).fetchall()
        names = ["run_id", "source", "account_id", "endpoint", "status", "error_code",
                 "message", "pages"]
        return [dict(zip(names, r, strict=True)) for r in rows]

    def quarantine(self) -> list[dict]:
        self.flush()
        rows = self.con.execute(
            "SELECT source, account_id, endpoint, object_id, reason, body_text "
            "FROM raw.quarantine ORDER BY rowid"
        ).fetchall()
        names = ["source", "account_id", "endpoint", "object_id", "reason", "body_text"]
        return [dict(zip(names, r, strict=True)) for r in rows]

    def all_raw_text(self) -> str:
        """Every raw table's rows as text, for leak checks."""
        self.flush()
        parts = []
        for table in ("raw.api_pages", "raw.cursors", "raw.fetch_log", "raw.quarantine"):
            for row in self.con.execute(f"SELECT * FROM {table}").fetchall():  # noqa: S608
                parts.append(" ".join(str(v) for v in row))
        return "\n".join(parts)

    def remember_comments(self, platform: str, root_native_id: str, *native_ids: str) -> None:
        """Seed ``core.items`` as the normalizer would have: comments seen in a thread."""
        now = self.now
        root = f"{platform}:{root_native_id}"
        for native in native_ids:
            self.con.execute(
                "INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id, "
                "author_is_district, parent_item_id, thread_root_id, first_seen_at, "
                "last_seen_at, content_fetched_at, last_page_id) "
                "VALUES (?, ?, 'comment', ?, ?, false, ?, ?, ?, ?, ?, 0)",
                [f"{platform}:{native}", platform, native, native, root, root, now, now, now],
            )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def epoch(graph_time: str) -> int:
    return int(datetime.strptime(graph_time, "%Y-%m-%dT%H:%M:%S%z").timestamp())
