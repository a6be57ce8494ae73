"""What the pipeline gives a detector for a simulated reply: ``core.without_reply_tag``
(warehouse/migrations/014_reply_tag_handles.sql) applied to the person it answers."""

from __future__ import annotations

import re
from typing import Any

HANDLE_CHARACTER = re.compile(r"[A-Za-z0-9._]")


def without_reply_tag(text: str, person: Any | None) -> str:
    """``text`` without the name (Facebook) or "@handle" (Instagram, X) of ``person`` it opens
    with, as the detectors' input queries read it."""
    if person is None:
        return text
    if person.platform == "facebook":
        if person.name and text.lower().startswith(person.name.lower() + " "):
            return text[len(person.name) + 1:].lstrip(" ,:")
        return text
    tag = "@" + person.handle
    rest = text[len(tag):]
    if person.handle and text.lower().startswith(tag.lower()) and rest \
            and not HANDLE_CHARACTER.match(rest[0]):
        return rest.lstrip(" ,:")
    return text
