"""Faults injected on demand into the simulated APIs: throttling, outages, expired tokens...

``Fault(kind, host_or_platform, path_contains=None, after_requests=0, times=1)`` fires on the
matching requests number ``after_requests + 1`` to ``after_requests + times`` (``times=None``:
on every matching request from then on). Requests are counted per fault, in the order they
arrive, so a test is deterministic. ``host_or_platform`` is one of ``x`` (or ``twitter``),
``facebook``, ``instagram``, ``graph`` (both Graph platforms), ``media`` (the CDNs), a host name
(``api.twitter.com``), or ``*``.

Kinds and what they answer (X / Graph / CDN):

- ``rate_limit``: X 429 problem body with ``x-rate-limit-remaining: 0`` and
  ``x-rate-limit-reset`` (now + ``retry_after``); Graph HTTP 400 (as Meta answers throttling)
  with code 80001 (Page token), 80002 (Instagram object with a Page token) or 4 (user/system
  token), usage headers at 100 and ``estimated_time_to_regain_access``; CDN 429.
- ``server_error``: X 503 (or ``status``, e.g. 500) problem body; Graph 500 code 1 (503: code 2),
  ``is_transient``; CDN 503.
- ``token_expired``: X 401 problem body; Graph 400 code 190 subcode 463; CDN 403.
- ``malformed_page``: HTTP 200 with the page's body cut in half (not valid JSON / JPEG).
- ``permission``: X 403 ``client-not-enrolled`` problem; Graph 403 code 10; CDN 403.
- ``credits_exhausted``: X only (the pay-per-use balance of the app): HTTP 402 problem body
  ``CreditsDepleted``.

``status`` overrides the HTTP status of any kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("rate_limit", "server_error", "token_expired", "malformed_page", "permission",
               "credits_exhausted")
X_ONLY_KINDS = ("credits_exhausted",)
_ALIASES = {"twitter": "x", "meta": "graph", "cdn": "media", "any": "*", "all": "*"}


@dataclass
class Fault:
    kind: str
    host_or_platform: str = "*"
    path_contains: str | None = None
    after_requests: int = 0
    times: int | None = 1
    status: int | None = None  # override the HTTP status of the injected answer
    retry_after: int = 60  # seconds until the throttle lifts (reset header, regain time)
    seen: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        self.host_or_platform = _ALIASES.get(self.host_or_platform.lower(),
                                             self.host_or_platform.lower())
        if self.kind in X_ONLY_KINDS and self.host_or_platform not in ("x", "api.twitter.com"):
            raise ValueError(f"fault {self.kind!r} exists only on X: target 'x'")

    @classmethod
    def coerce(cls, value: Fault | Mapping[str, Any]) -> Fault:
        """A ``Fault`` from itself or from a dict (as in ``[[simulated.faults]]`` of the toml)."""
        if isinstance(value, Fault):
            return value
        data = dict(value)
        target = data.pop("host_or_platform", None) or data.pop("platform", None) \
            or data.pop("host", None) or data.pop("target", None) or "*"
        return cls(kind=data.pop("kind"), host_or_platform=target, **data)

    def matches(self, platform: str, host: str, path: str) -> bool:
        t = self.host_or_platform
        if t == "*" or t == platform or t == host.lower():
            pass
        elif t == "graph" and platform in ("facebook", "instagram"):
            pass
        else:
            return False
        return self.path_contains is None or self.path_contains in path

    def check(self, platform: str, host: str, path: str) -> bool:
        """Count a request; True when this fault answers it."""
        if not self.matches(platform, host, path):
            return False
        self.seen += 1
        if self.seen <= self.after_requests:
            return False
        if self.times is not None and self.fired >= self.times:
            return False
        self.fired += 1
        return True

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times
