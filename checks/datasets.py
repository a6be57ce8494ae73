"""The labelled data files of the text detectors and which of them each step may read.

``checks/data/<name>.<split>.jsonl``, one JSON object per line. Splits (see
``checks/data/README.md``):

- ``train`` and ``dev``: written to fit and tune on;
- ``eval``: the first held-out set. Its errors were read and studied while the detectors were
  built, so it no longer measures anything honestly; it is trained on like ``dev``;
- stack rows (``STACK_SPLITS``; ``teacher-content.stack``): written for training; the
  detector's regression is fitted on them, its fine-tuned classifier never is, so the
  classifier's probabilities of them are out of sample as it ships;
- ``test``: written blind (by authors who never saw a detector, its lists or the other files)
  and read only to report a detector version's numbers (``checks.evaluate``). Never trained on,
  never used to choose anything. ``comment`` has twenty-one more, ``test2``, ``test3``, ``test4``
  and ``test6`` to ``test23``, each written later by another blind author once the
  earlier ones had been read (``test5``, read for two versions, was retired into ``eval`` like
  the first eval file).

``data/held/`` keeps a blind file that no detector version has read yet, outside every split
(``test_splits`` does not see it), until a round's keep rule reads it once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAINING_SPLITS = ("train", "dev", "eval")
#: files a detector's stack is fitted on besides its training files: rows its fine-tuned
#: classifiers never saw (it reads the shipped classifiers' probabilities of them, not
#: out-of-fold ones); teacher-content's stack is its one regression
STACK_SPLITS: dict[str, tuple[str, ...]] = {"teacher-content": ("stack",)}
TEST_SPLIT = "test"


def path_of(name: str, split: str) -> Path:
    return DATA_DIR / f"{name}.{split}.jsonl"


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def training_paths(name: str) -> list[Path]:
    """The files ``name``'s model is fitted on: its train, dev and eval files that exist."""
    return [p for p in (path_of(name, s) for s in TRAINING_SPLITS) if p.exists()]


def stack_paths(name: str) -> list[Path]:
    """The files of ``STACK_SPLITS[name]`` (none for most detectors); an error if one is missing,
    so a stack is never fitted on fewer rows than its model says without anyone noticing."""
    paths = [path_of(name, s) for s in STACK_SPLITS.get(name, ())]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"{name}'s stack rows are missing: {', '.join(missing)}")
    return paths


def held_out_path(name: str) -> Path:
    return path_of(name, TEST_SPLIT)


def test_splits(name: str) -> list[str]:
    """The blind test files ``name`` has (``test``, then ``test2``, ``test3``, … in order)."""
    splits = [p.name[len(name) + 1:-len(".jsonl")] for p in DATA_DIR.glob(f"{name}.test*.jsonl")]
    return sorted(splits, key=lambda s: (len(s), s))


def resolve(name: str, data_path: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """``data_path`` as a list of files; ``None`` means ``training_paths(name)``."""
    if data_path is None:
        return training_paths(name)
    if isinstance(data_path, (str, Path)):
        return [Path(data_path)]
    return [Path(p) for p in data_path]


def load_all(paths: Sequence[Path]) -> list[dict[str, Any]]:
    return [row for path in paths for row in load_rows(path)]


def joined_sha256(paths: Sequence[Path]) -> str:
    """The SHA-256 of each file, joined with ``+`` in order (one file: its SHA-256)."""
    from checks.detectors.linear import file_sha256

    return "+".join(file_sha256(p) for p in paths)


def joined_names(paths: Sequence[Path]) -> str:
    return "+".join(p.name for p in paths)
