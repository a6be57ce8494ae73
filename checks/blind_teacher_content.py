"""The teacher-content detector's bar on every blind test file at once:
``python -m checks.blind --detector teacher-content``.

For each blind file (``checks.datasets.test_splits("teacher-content")``), for the files of the
teacher pages' everyday register pooled and for all of them: posts flagged non-school, the
non-school precision, recall and F1 (pooled lines from the summed counts, not the mean of the
files' F1), the errors made, and whether the issue's bar holds (non-school F1 >= 0.9). Under the
table: whether the everyday files' error rates differ more than one common rate would make them
(``checks.blind.rate_spread``). The exit status is 1 when the bar is not met on some line.

Like ``checks.evaluate`` it reads the test files only to report on the committed version:
nothing is fitted, tuned or chosen here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from checks.blind import Spread, print_spreads, rate_spread

NAME = "teacher-content"
BAR_F1 = 0.9
#: the first blind file (posts in the register of the first training rows); every later one
#: (test2 on) holds teacher pages' posts and replies in their everyday register, one brief,
#: another author each (``checks/README.md``)
FIRST = ("test",)
POOLED = ("everyday", "all")
POSITIVE = "non_school"


@dataclass(frozen=True)
class Line:
    """One file, or several pooled: the counts behind the F1."""

    name: str
    posts: int
    non_school: int  # posts labelled non-school
    flagged: int  # posts the detector called non-school
    flagged_right: int  # of those, labelled non-school
    errors: int  # posts whose verdict differs from their label

    @property
    def precision(self) -> float:
        return self.flagged_right / self.flagged if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.flagged_right / self.non_school if self.non_school else 0.0

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0

    @property
    def bar_met(self) -> bool:
        return self.f1 >= BAR_F1

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "bar_met": self.bar_met}


def line(name: str, gold: Sequence[str], predicted: Sequence[str]) -> Line:
    """A ``Line`` from one file's labels and verdicts (``school`` / ``non_school``)."""
    if len(gold) != len(predicted):
        raise ValueError(f"{name}: {len(gold)} labels but {len(predicted)} verdicts")
    pairs = list(zip(gold, predicted, strict=True))
    return Line(name=name, posts=len(pairs), non_school=sum(g == POSITIVE for g, _ in pairs),
                flagged=sum(p == POSITIVE for _, p in pairs),
                flagged_right=sum(g == p == POSITIVE for g, p in pairs),
                errors=sum(g != p for g, p in pairs))


def pooled(name: str, lines: Sequence[Line]) -> Line:
    """The counts of ``lines`` summed."""
    return Line(name, *(sum(getattr(x, f.name) for x in lines) for f in fields(Line)[1:]))


def summary(per_file: Mapping[str, tuple[Sequence[str], Sequence[str]]]) -> list[Line]:
    """One line per file in the given order (``per_file``: split -> (labels, verdicts)), then
    the everyday files and all of them pooled (each pool that has a file)."""
    lines = [line(split, gold, predicted) for split, (gold, predicted) in per_file.items()]
    groups = {"everyday": [x for x in lines if x.name not in FIRST], "all": lines}
    return [*lines, *(pooled(name, group) for name, group in groups.items() if group)]


def spreads(lines: Sequence[Line]) -> list[Spread]:
    """The everyday files' error rates."""
    everyday = [x for x in lines if x.name not in (*FIRST, *POOLED)]
    found = rate_spread([x.name for x in everyday], [x.errors for x in everyday],
                        [x.posts for x in everyday], "everyday", "errors",
                        higher_is_worse=True)
    return [found] if found is not None else []


def score(splits: Sequence[str] | None = None,
          ) -> tuple[dict[str, tuple[list[str], list[str]]], str]:
    """split -> (labels, the committed detector's labels) for each blind file (all of them by
    default), and the detector's version."""
    from checks import datasets
    from checks.detectors import teacher_content

    det = teacher_content.detector()
    per_file = {}
    for split in splits or datasets.test_splits(NAME):
        rows = datasets.load_rows(datasets.path_of(NAME, split))
        verdicts = det.classify([{"id": r["id"], "text": r["text"]} for r in rows])
        per_file[split] = ([r["label"] for r in rows], [v.label for v in verdicts])
    return per_file, det.version


def measure(splits: Sequence[str] | None = None) -> tuple[list[Line], str]:
    """The committed detector's lines on each blind file (all by default), and its version."""
    per_file, version = score(splits)
    return summary(per_file), version


def print_table(lines: Sequence[Line], version: str) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"teacher-content {version} on the blind files (non-school posts: "
                        "labelled, flagged, precision, recall, F1)", title_justify="left",
                  box=box.SIMPLE_HEAD)
    for column in ("file", "posts", "labelled", "flagged", "P", "R", "F1", "errors", "bar"):
        table.add_column(column, justify="left" if column == "file" else "right", no_wrap=True)
    files = sum(x.name not in POOLED for x in lines)
    for i, x in enumerate(lines):
        table.add_row(x.name, str(x.posts), str(x.non_school), str(x.flagged),
                      f"{x.precision:.3f}", f"{x.recall:.3f}", f"{x.f1:.3f}", str(x.errors),
                      "met" if x.bar_met else "[bold red]not met[/]", end_section=i == files - 1)
    console = Console()
    if not console.is_terminal:  # a file or a pipe: no terminal's width to fit
        console = Console(width=120)
    console.print(table)
    print_spreads(console, spreads(lines))
