"""What every detector shares: the verdict it gives and the interface the pipeline calls.

A detector scores a batch of inputs (dicts shaped as ``socialaudit classify`` reads them) and
returns one ``Verdict`` per input, in order. Its ``version`` changes whenever its method, model or
parameters change; the signal cache (``audit.signals``) is keyed by content hash and version, so
an unchanged item is never scored twice by the same version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    label: str
    score: float
    reasons: list[str] = field(default_factory=list)
    details: Mapping[str, Any] = field(default_factory=dict)  # e.g. face boxes, matched spans

    def as_json(self, item_id: Any) -> dict[str, Any]:
        return {"id": item_id, "flagged": self.flagged, "label": self.label,
                "score": round(float(self.score), 4), "reasons": list(self.reasons)}


class Detector(Protocol):
    name: str  # teacher-content | comment | confidential | controversy | faces
    version: str

    def classify(self, inputs: Sequence[Mapping[str, Any]]) -> list[Verdict]: ...


class InputError(ValueError):
    """An input lacks what the detector needs (e.g. no text); the message says what."""
