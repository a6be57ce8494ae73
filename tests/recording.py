"""A real model wrapped so that a test can see what it was asked: every call of one method is
recorded with its texts (an encoder's ``encode``, a classifier's ``predict_proba``)."""

from __future__ import annotations

from typing import Any


class Recording:
    """``inner`` with each call of its ``method`` recorded in ``calls`` (the texts, as a list);
    everything else is ``inner``'s own."""

    def __init__(self, inner: Any, method: str) -> None:
        self.inner = inner
        self.method = method
        self.calls: list[list[str]] = []

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.inner, name)
        if name != self.method:
            return value

        def recorded(texts, *args, **kwargs):
            self.calls.append(list(texts))
            return value(texts, *args, **kwargs)

        return recorded
