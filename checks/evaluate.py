"""Measure a detector on its blind test file: ``python -m checks.evaluate NAME``.

Reads ``checks/data/<name>.test.jsonl`` (gold label in ``label``; ``--split`` picks another
file), runs the detector in batches and reports precision, recall and F1 per label, accuracy,
macro F1, the detector version and throughput. ``evaluate(name) -> dict`` returns the same for
tests.

Test files are read here and in tests only, to report on a detector version; nothing is fitted,
tuned or chosen on them (see ``checks/data/README.md`` and ``checks.datasets``).

A detector is found by convention, ``checks.detectors.<name with - as _>:detector``; ``DETECTORS``
overrides that for a name whose module differs. ``PREDICTED`` maps a verdict to the file's labels
where they differ from the verdict's ``label`` (``confidential`` labels a post ``confidential`` or
``ok``; its verdict names the kind disclosed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

from checks import datasets

DETECTORS: dict[str, str] = {}
PREDICTED: dict[str, Callable[[Any], str]] = {
    "confidential": lambda verdict: "confidential" if verdict.flagged else "ok",
}


def detector_factory(name: str) -> Callable[..., Any]:
    target = DETECTORS.get(name, f"checks.detectors.{name.replace('-', '_')}:detector")
    module, _, function = target.partition(":")
    return getattr(import_module(module), function)


def eval_path(name: str, split: str = datasets.TEST_SPLIT) -> Path:
    return datasets.path_of(name, split)


def metrics(gold: Sequence[str], predicted: Sequence[str],
            labels: Iterable[str] | None = None) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, accuracy and macro averages (plain Python)."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    labels = sorted(set(labels or ()) | set(gold) | set(predicted))
    per_label = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": precision, "recall": recall, "f1": f1,
                            "support": tp + fn, "predicted": tp + fp}
    n = len(gold)
    present = [per_label[label] for label in labels if per_label[label]["support"]]
    return {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / n if n else 0.0,
        "macro_precision": sum(m["precision"] for m in present) / len(present) if present else 0.0,
        "macro_recall": sum(m["recall"] for m in present) / len(present) if present else 0.0,
        "macro_f1": sum(m["f1"] for m in present) / len(present) if present else 0.0,
        "labels": per_label,
    }


def evaluate(name: str, *, detector: Any = None, path: str | Path | None = None,
             batch_size: int = 64) -> dict[str, Any]:
    """Run ``name``'s detector over its eval file; metrics, version, errors and throughput.

    ``detector`` defaults to the module's cached ``detector()``; its load time (including a lazy
    ``encoder`` property, if it has one) is reported as ``load_seconds`` (≈ 0 if it was passed
    in or already loaded), and ``seconds`` / ``items_per_second`` cover classification only.
    """
    rows = datasets.load_rows(path or eval_path(name))
    start = time.perf_counter()
    if detector is None:
        detector = detector_factory(name)()
        getattr(detector, "encoder", None)  # a lazy encoder loads here, not in the timing
    load_seconds = time.perf_counter() - start
    inputs = [{k: v for k, v in row.items() if k not in ("label",)} for row in rows]
    verdicts = []
    start = time.perf_counter()
    for i in range(0, len(inputs), batch_size):
        verdicts.extend(detector.classify(inputs[i:i + batch_size]))
    seconds = time.perf_counter() - start
    gold = [row["label"] for row in rows]
    predicted = [PREDICTED.get(name, lambda v: v.label)(v) for v in verdicts]
    result = metrics(gold, predicted)
    result.update(
        name=name, version=getattr(detector, "version", ""), file=str(path or eval_path(name)),
        seconds=seconds, items_per_second=len(rows) / seconds if seconds else float("inf"),
        load_seconds=load_seconds,
        errors=[{"id": row.get("id"), "gold": g, "predicted": p, "score": round(v.score, 4)}
                for row, g, p, v in zip(rows, gold, predicted, verdicts, strict=True) if g != p])
    return result


def format_table(result: Mapping[str, Any]) -> str:
    lines = [f"{result['name']} (version {result['version']}) on {Path(result['file']).name}: "
             f"{result['n']} items",
             f"{'label':<22} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
    for label, m in result["labels"].items():
        lines.append(f"{label:<22} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>7.3f} "
                     f"{m['support']:>8}")
    lines.append(f"{'macro':<22} {result['macro_precision']:>9.3f} {result['macro_recall']:>7.3f}"
                 f" {result['macro_f1']:>7.3f} {result['n']:>8}")
    lines.append(f"accuracy {result['accuracy']:.3f}; {len(result['errors'])} errors; "
                 f"{result['items_per_second']:.0f} items/s ({result['seconds']:.2f}s), "
                 f"load {result['load_seconds']:.2f}s")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="detector name, e.g. teacher-content or controversy")
    parser.add_argument("--errors", action="store_true", help="list the misclassified items")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--split", default=datasets.TEST_SPLIT,
                        help="which labelled file to read (default: the blind test file)")
    args = parser.parse_args(argv)
    result = evaluate(args.name, batch_size=args.batch_size,
                      path=eval_path(args.name, args.split))
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(format_table(result))
    if args.errors:
        for e in result["errors"]:
            print(f"  {e['id']}: gold {e['gold']}, predicted {e['predicted']} "
                  f"(score {e['score']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
