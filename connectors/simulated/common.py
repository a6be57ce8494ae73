"""Small pieces the simulated APIs share: cursors, time parsing, Graph ``fields`` syntax."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from connectors.transport import Reply

JSON = "application/json; charset=UTF-8"


def encode_cursor(*parts: object) -> str:
    raw = ":".join(str(p) for p in parts).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> list[str] | None:
    try:
        pad = "=" * (-len(token) % 4)
        return base64.urlsafe_b64decode(token + pad).decode().split(":")
    except (ValueError, UnicodeDecodeError):
        return None


_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def x_token(kind: str, tweet_id: int) -> str:
    """An opaque X pagination token (lowercase alphanumerics, like the real ones).

    ``kind`` is one letter: ``n`` (next page: older than the id), ``p`` (previous: newer).
    """
    n = tweet_id
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _B36[r] + out
    return f"{kind}7x{out}"


def x_token_id(token: str) -> tuple[str, int] | None:
    if len(token) < 4 or token[1:3] != "7x":
        return None
    try:
        return token[0], int(token[3:], 36)
    except ValueError:
        return None


def parse_x_time(value: str) -> datetime | None:
    """X API ``start_time``/``end_time``: RFC 3339 (``2026-04-01T00:00:00Z``)."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_graph_time(value: str) -> float | None:
    """Graph ``since``/``until``: a Unix timestamp or a date/time string."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"-?\d+", value):
        return float(value)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("+0000", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def x_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def graph_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class FieldSpec:
    """One entry of a Graph ``fields`` parameter: ``name.mod(arg)...{sub,fields}``."""

    name: str
    modifiers: dict[str, str] = field(default_factory=dict)
    sub: list[FieldSpec] | None = None

    @property
    def alias(self) -> str:
        return self.modifiers.get("as", self.name)


class FieldSyntaxError(ValueError):
    pass


def parse_fields(text: str | None) -> list[FieldSpec] | None:
    """Parse ``id,message,attachments{media,target},comments.summary(true).limit(0)``."""
    if text is None:
        return None
    pos = 0

    def parse_list(end: str | None) -> list[FieldSpec]:
        nonlocal pos
        specs: list[FieldSpec] = []
        while pos < len(text):
            while pos < len(text) and text[pos] in " ,":
                pos += 1
            if pos >= len(text):
                break
            if end and text[pos] == end:
                pos += 1
                return specs
            m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(text, pos)
            if not m:
                raise FieldSyntaxError(
                    f"Syntax error \"Expected name.\" at character {pos}: {text}")
            spec = FieldSpec(m.group(0))
            pos = m.end()
            while pos < len(text) and text[pos] == ".":
                m = re.compile(r"\.([A-Za-z_]+)\(([^)]*)\)").match(text, pos)
                if not m:
                    raise FieldSyntaxError(
                        f"Syntax error \"Expected modifier.\" at character {pos}: {text}")
                spec.modifiers[m.group(1)] = m.group(2)
                pos = m.end()
            if pos < len(text) and text[pos] == "{":
                pos += 1
                spec.sub = parse_list("}")
            specs.append(spec)
            if pos < len(text) and end and text[pos] == end:
                pos += 1
                return specs
        if end:
            raise FieldSyntaxError(
                f"Syntax error \"Expected \"{end}\".\" at character {pos}: {text}")
        return specs

    return parse_list(None)


def json_reply(status: int, body: object, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body=body, headers=headers or {}, content_type=JSON)
