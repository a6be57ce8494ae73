"""The committed comment and teacher-content detectors' verdicts on their blind files, scored
once per test session (``tests.once``): all of them for the bars in test_detector_comment.py and
test_detectors_text_a.py, and the few files the ``checks.blind`` command's tests read, which
replay them through the command instead of scoring them once per test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.once import once


def comment_metrics(tmp_path_factory: pytest.TempPathFactory,
                    splits: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
    """split -> ``comment.evaluate`` of the committed detector, for every blind file (or only
    ``splits``: the command's tests score the two files they read, so that they never wait on
    another worker scoring all of them)."""
    from checks import datasets
    from checks.detectors import comment

    def score(_folder: Path) -> dict[str, dict[str, Any]]:
        det = comment.detector()
        return {split: comment.evaluate(datasets.path_of(comment.NAME, split), det=det)
                for split in splits or datasets.test_splits(comment.NAME)}

    name = "comment-blind-metrics" + ("-" + "-".join(splits) if splits else "")
    return once(tmp_path_factory, name, score)


def teacher_content_labels(tmp_path_factory: pytest.TempPathFactory,
                           splits: tuple[str, ...] | None = None,
                           ) -> tuple[dict[str, tuple[list[str], list[str]]], str]:
    """(split -> (labels, the committed detector's labels), its version), every blind file (or
    only ``splits``)."""
    from checks import blind_teacher_content

    name = "teacher-content-blind-labels" + ("-" + "-".join(splits) if splits else "")
    return once(tmp_path_factory, name, lambda _folder: blind_teacher_content.score(splits))


def replay_comment(monkeypatch: pytest.MonkeyPatch, metrics: dict[str, dict[str, Any]]) -> None:
    """``comment.evaluate`` answers from the session's scores, by the file it is given; a file
    the session did not score fails the test."""
    from checks import datasets
    from checks.detectors import comment

    by_path = {Path(datasets.path_of(comment.NAME, s)).resolve(): m for s, m in metrics.items()}

    def evaluate(data_path: Any = None, det: Any = None) -> dict[str, Any]:
        return by_path[Path(data_path).resolve()]

    monkeypatch.setattr(comment, "evaluate", evaluate)


def replay_teacher_content(monkeypatch: pytest.MonkeyPatch,
                           scored: tuple[dict[str, tuple[list[str], list[str]]], str]) -> None:
    """``blind_teacher_content.score`` answers from the session's verdicts; a file the session
    did not score fails the test."""
    from checks import blind_teacher_content

    per_file, version = scored

    def score(splits: Any = None) -> tuple[dict[str, tuple[list[str], list[str]]], str]:
        return {s: per_file[s] for s in splits or per_file}, version

    monkeypatch.setattr(blind_teacher_content, "score", score)
