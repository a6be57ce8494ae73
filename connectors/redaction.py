"""Keep credentials out of messages, logs, the warehouse and reports.

Graph API puts ``access_token`` in URLs (``paging.next``) and tweepy errors can echo request
details; everything that leaves a connector as text goes through ``redact``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

SECRET_PARAM_NAMES = frozenset(
    {
        "access_token",
        "appsecret_proof",
        "client_secret",
        "bearer_token",
        "token",
        "oauth_token",
        "oauth_signature",
        "input_token",
    }
)

_QUERY_SECRET = re.compile(
    r"(?i)\b(" + "|".join(sorted(SECRET_PARAM_NAMES)) + r")=([^&\s\"'#]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9%._~+/=-]{20,}")
_REDACTED = "[REDACTED]"

_known_secrets: set[str] = set()
# HTTP libraries that log request URLs at DEBUG (urllib3: "GET /v25.0/...?access_token=...").
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")


class RedactingFilter(logging.Filter):
    """Redacts every record of the logger it is attached to, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def register_secret(value: str | None) -> None:
    """Remember a credential so that any text containing it verbatim is redacted, including the
    debug lines of the HTTP libraries the clients use."""
    if value and len(value) >= 6:
        _known_secrets.add(value)
        for name in URL_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactingFilter) for f in logger.filters):
                logger.addFilter(RedactingFilter())


def redact_body(text: str) -> str:
    """A stored page body without credentials: known secrets and ``access_token=`` style URL
    parameters are removed; ordinary text ("the bearer of bad news") is left as received."""
    out = text
    for secret in sorted(_known_secrets, key=len, reverse=True):
        if secret in out:
            out = out.replace(secret, _REDACTED)
    if "=" in out:
        out = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={_REDACTED}", out)
    return out


def redact(text: object) -> str:
    """The text with every known credential and every credential-looking value removed."""
    out = redact_body(str(text))
    return _BEARER.sub(lambda m: f"{m.group(1)} {_REDACTED}", out)


def clean_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Request parameters without credentials, values as sent (lists joined by commas)."""
    cleaned: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if key.lower() in SECRET_PARAM_NAMES:
            continue
        if isinstance(value, list | tuple) and len(value) == 1:
            value = value[0]
        if isinstance(value, Iterable) and not isinstance(value, str | bytes | Mapping):
            value = ",".join(str(v) for v in value)
        cleaned[key] = redact(value) if isinstance(value, str) else value
    return cleaned
