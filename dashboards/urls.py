"""Which URLs from the platforms a page may link to.

Permalinks and media URLs arrive from the platforms (or from export files anyone can edit), so a
report only links to a URL that is ``https``, names a host of the platforms themselves (X,
Facebook, Instagram and their media CDNs), carries no user-info part, no unusual port and no
control characters or whitespace. Anything else (``javascript:``, ``data:``, ``http:``, relative
paths, look-alike hosts such as ``x.com.evil.example``) yields ``None`` and the page shows no link.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# Hosts whose pages a permalink may point to; a subdomain of one is accepted (www., m., mobile.).
PLATFORM_HOSTS = (
    "x.com", "twitter.com", "t.co",
    "facebook.com", "fb.com", "fb.watch",
    "instagram.com",
)
# Hosts that serve the platforms' media (images, video previews).
MEDIA_HOSTS = ("twimg.com", "fbcdn.net", "cdninstagram.com", "fbsbx.com")

_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\\<>\"'`]")


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in allowed)


def safe_https_url(url: object, allowed_hosts: tuple[str, ...] = PLATFORM_HOSTS) -> str | None:
    """``url`` normalized if it is an https URL on one of ``allowed_hosts``; otherwise ``None``."""
    if not isinstance(url, str) or not url or len(url) > 2048 or _UNSAFE_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or "@" in parts.netloc or port not in (None, 443):
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or not _host_allowed(host, allowed_hosts):
        return None
    return urlunsplit(("https", host, parts.path or "/", parts.query, parts.fragment))


def safe_permalink(url: object) -> str | None:
    """A link to the post on its platform, or ``None``."""
    return safe_https_url(url, PLATFORM_HOSTS)


def safe_media_url(url: object) -> str | None:
    """A link to a medium on a platform's CDN (or the post page), or ``None``."""
    return safe_https_url(url, MEDIA_HOSTS + PLATFORM_HOSTS)
