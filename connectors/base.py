"""What every connector shares: the raw page record, the sink it writes to, capture errors."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


def utcnow() -> datetime:
    return datetime.now(UTC)


# Outside strings, the only bare words Python's json module accepts beyond RFC 8259.
_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


class _Constant(Exception):
    def __init__(self, name: str):
        self.name = name


def _reject_constant(name: str) -> Any:
    raise _Constant(name)


def loads_strict(text: str) -> Any:
    """Parse strict RFC 8259 JSON. ``json.loads`` also accepts ``NaN``, ``Infinity`` and
    ``-Infinity``: here they raise ``json.JSONDecodeError`` (a ``ValueError``), like any other
    text that is not JSON, so every reader of pages agrees on what a valid body is."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except _Constant as exc:
        position = next((m.start(1) for m in _STRING_OR_CONSTANT.finditer(text) if m.group(1)),
                        0)
        raise json.JSONDecodeError(
            f"{exc.name} is not a JSON value (RFC 8259 has no NaN or Infinity)", text, position
        ) from None


def json_problem(text: str) -> str | None:
    """Why ``text`` is not strict JSON (see ``loads_strict``), or None when it is."""
    try:
        loads_strict(text)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} (line {exc.lineno} column {exc.colno})"
    except (ValueError, RecursionError) as exc:
        return str(exc) or type(exc).__name__
    return None


@dataclass(frozen=True)
class RawPage:
    """One API page or export file, with its body exactly as received."""

    source: str  # x | facebook | instagram
    origin: str  # api | twarc | x_archive | graph_json
    endpoint: str  # template, e.g. "users/:id/tweets", ":post/comments"
    body: str  # the response text as received
    account_id: str | None = None  # registry account key the page was fetched for
    object_id: str | None = None  # the id in the request path
    params: Mapping[str, Any] = field(default_factory=dict)  # credentials already removed
    fetched_at: datetime = field(default_factory=utcnow)


class PageSink(Protocol):
    """Where connectors put pages, cursors and the outcome of each capture."""

    def add_page(self, page: RawPage) -> None: ...

    def quarantine(self, page: RawPage, reason: str) -> None: ...

    def get_cursor(
        self, source: str, account_id: str, endpoint: str, object_id: str = ""
    ) -> dict[str, Any] | None: ...

    def set_cursor(
        self,
        source: str,
        account_id: str,
        endpoint: str,
        state: Mapping[str, Any],
        object_id: str = "",
    ) -> None: ...

    def log_fetch(
        self,
        source: str,
        account_id: str | None,
        endpoint: str | None,
        status: str,
        *,
        error_code: str | None = None,
        message: str | None = None,
        pages: int = 0,
    ) -> None: ...

    def previously_seen(self, platform: str, thread_root_native_id: str) -> set[str]:
        """Native ids of comments and replies already captured in a thread and not deleted."""
        ...

    def flush(self) -> None: ...


class CaptureError(Exception):
    """A capture of one account failed in a way the office must see. Message is redacted."""

    status = "error"

    def __init__(self, account_id: str | None, message: str, *, code: str | None = None):
        from connectors.redaction import redact

        self.account_id = account_id
        self.code = code
        self.safe_message = redact(message)
        prefix = f"account {account_id}: " if account_id else ""
        super().__init__(prefix + self.safe_message)


class AuthError(CaptureError):
    """Token expired, revoked or invalid (X 401, Graph 190): stop this account, resume next run."""

    status = "auth_error"


class PermissionDenied(CaptureError):
    """The token lacks a permission (X 403, Graph 10/200-299)."""

    status = "permission"


class RateLimited(CaptureError):
    """Rate limit reached with a wait too long to sit out: stop cleanly, resume next run."""

    status = "rate_limited"

    def __init__(self, account_id: str | None, message: str, *, reset_at: datetime | None = None,
                 code: str | None = None):
        super().__init__(account_id, message, code=code)
        self.reset_at = reset_at


class CreditsExhausted(CaptureError):
    """X pay-per-use credits ran out (HTTP 402)."""

    status = "credits_exhausted"


class BadRequest(CaptureError):
    """The platform rejected the request itself (X 400, Graph 100)."""

    status = "bad_request"
