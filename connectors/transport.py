"""A ``requests`` transport adapter that answers like an HTTP API, for the simulator and tests.

Mounted on the session tweepy or facebook-sdk uses (``session.mount("https://api.twitter.com",
adapter)``), it hands each ``PreparedRequest`` to a handler and turns the handler's answer into a
real ``requests.Response``: status, headers and body bytes go through the same client code as a
live response. Nothing of our own connectors is mocked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


@dataclass
class Reply:
    """What a handler answers: a status, headers and a body (dict/list as JSON, or raw text)."""

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"

    def content(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Call:
    """A request as the handler sees it."""

    method: str
    url: str
    host: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes | None


Handler = Callable[[Call], Reply]


class HandlerAdapter(BaseAdapter):
    """Answers every request sent through it with ``handler(call)``; records the calls."""

    def __init__(self, handler: Handler):
        super().__init__()
        self.handler = handler
        self.calls: list[Call] = []

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        parts = urlsplit(request.url or "")
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        body = request.body.encode() if isinstance(request.body, str) else request.body
        call = Call(
            method=(request.method or "GET").upper(),
            url=request.url or "",
            host=parts.netloc,
            path=parts.path,
            query=query,
            headers=dict(request.headers),
            body=body,
        )
        self.calls.append(call)
        reply = self.handler(call)
        response = requests.Response()
        response.status_code = reply.status
        response.reason = _REASONS.get(reply.status, "")
        response._content = reply.content()
        headers = {"content-type": reply.content_type, **dict(reply.headers)}
        response.headers = CaseInsensitiveDict(headers)
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
