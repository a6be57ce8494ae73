"""A real model wrapped so that a test can see what it was asked: every call of one method is
recorded with its texts (an encoder's ``encode``, a classifier's ``predict_proba``), or every
call of an ONNX session's ``run`` with its thread and batch size."""

from __future__ import annotations

import threading
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


class SessionCalls:
    """A real onnxruntime session whose ``run`` calls are noted in ``calls`` as (thread id, rows
    in the batch); everything else is the session's own."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.calls: list[tuple[int, int]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def run(self, names: Any, feed: dict[str, Any]) -> Any:
        self.calls.append((threading.get_ident(), len(feed["input_ids"])))
        return self.session.run(names, feed)

    @property
    def threads(self) -> set[int]:
        return {thread for thread, _ in self.calls}
