"""Retrain detector models from their train files: ``python -m checks.train NAME|all``.

Each detector that learns from ``checks/data/<name>.train.jsonl`` registers a train function in
``TRAINERS`` (``"module:function"``, imported only when that detector is trained). The function is
called as ``train(data_path=None, out_path=<default>, *, search=True, log=print)`` and writes the
model JSON beside the detector (``checks/detectors/models/<name>.json``). ``search`` runs the
detector's cross-validated hyper-parameter search on the train file; ``--no-search`` reuses the
hyper-parameters recorded in the committed model, which reproduces it exactly.

Only train files are read here: eval files are for ``checks.evaluate``.

To add a detector: write ``train(...)`` in its module with that signature and add one line to
``TRAINERS`` (or call ``register`` before ``main``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

TRAINERS: dict[str, str | Callable[..., Any]] = {
    "teacher-content": "checks.detectors.teacher_content:train",
    "controversy": "checks.detectors.controversy:train",
    "confidential": "checks.detectors.confidential:train",
    "comment": "checks.detectors.comment:train",
}


def register(name: str, target: str | Callable[..., Any]) -> None:
    """Register a train function (a callable or ``"module:function"``) under ``name``."""
    TRAINERS[name] = target


def trainer(name: str) -> Callable[..., Any]:
    if name not in TRAINERS:
        raise KeyError(f"no train function for {name!r}; known: {', '.join(sorted(TRAINERS))}")
    target = TRAINERS[name]
    if callable(target):
        return target
    module, _, function = target.partition(":")
    return getattr(import_module(module), function)


def train(name: str, *, search: bool = True, log: Callable[[str], Any] = print) -> Any:
    """Train one detector's model from its train file and write it; returns the model."""
    return trainer(name)(search=search, log=log)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=[*sorted(TRAINERS), "all"])
    parser.add_argument("--no-search", action="store_true",
                        help="reuse the hyper-parameters recorded in the committed model")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    names = sorted(TRAINERS) if args.name == "all" else [args.name]
    for name in names:
        start = time.perf_counter()
        print(f"training {name} ...", flush=True)

        def log(message: str) -> None:
            if not args.quiet:
                print(message, flush=True)

        model = train(name, search=not args.no_search, log=log)
        best = getattr(model, "meta", {}).get("cv_best")
        print(f"{name}: done in {time.perf_counter() - start:.1f}s"
              + (f"; cross-validation on train: {best}" if best else ""), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
