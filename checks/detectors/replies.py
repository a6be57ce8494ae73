"""Reply boilerplate shared by the text detectors: leading "@name" mentions and "Replying to"."""

from __future__ import annotations

import re

_ADDRESSEE = re.compile(r"^\s*(?:(?:replying to|reply to|reply:|re:)\s*)?"
                        r"(?:@[\w.]+[\s,:]*)+", re.IGNORECASE)


def strip_addressee(text: str) -> str:
    """The text without leading reply boilerplate and @mentions ("@coach_b thanks!" ->
    "thanks!"): who a reply is addressed to says nothing about what it says."""
    stripped = _ADDRESSEE.sub("", text).strip()
    return stripped or text
