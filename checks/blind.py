"""The comment detector's quality bars on every blind test file at once: ``python -m checks.blind``
(``--detector teacher-content``: that detector's, ``checks.blind_teacher_content``).

For each blind file (``checks.datasets.test_splits("comment")``) and pooled over the short files,
the longer files and all of them: threats found of the threats there, with a 95 % Wilson
interval; removable comments given a ground; protected comments given one; and whether the
issue's bars hold (threat recall >= 0.9, removable recall >= 0.85, protected <= 5 %). One file
of about 65 threats knows its recall to about ±0.08, which is why the pooled lines are printed
beside the files (``checks/README.md``, "What one file can say"). Under the table, for the
short files' threat recall and every file's protected comments given a ground: whether the files
differ more than one common rate would make them (``spread``), and the file furthest from it.
The exit status is 1 when a bar is not met on some line.

Like ``checks.evaluate`` it reads the test files only to report on the committed version:
nothing is fitted, tuned or chosen here.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

BARS = {"threat_recall": 0.9, "removable_recall": 0.85, "protected_flagged_rate": 0.05}
#: the blind files of longer comments
LONGER = ("test", "test2", "test3", "test4")
#: the blind files of students' and parents' replies, short and long (pooled only in "all");
#: every other file holds comments of at most 10 words
REPLIES = ("test15", "test16", "test18", "test21", "test23")
Z95 = 1.959963984540054


def wilson(found: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``found`` successes in ``total`` trials."""
    if total == 0:
        return (0.0, 1.0)
    p = found / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Line:
    """One file, or several pooled: the counts behind each bar."""

    name: str
    comments: int
    threats: int
    threats_found: int
    removable: int
    removable_found: int
    protected: int
    protected_flagged: int

    @property
    def threat_recall(self) -> float:
        return self.threats_found / self.threats if self.threats else 0.0

    @property
    def removable_recall(self) -> float:
        return self.removable_found / self.removable if self.removable else 0.0

    @property
    def protected_flagged_rate(self) -> float:
        return self.protected_flagged / self.protected if self.protected else 0.0

    @property
    def threat_interval(self) -> tuple[float, float]:
        return wilson(self.threats_found, self.threats)

    @property
    def bars_met(self) -> bool:
        return (self.threat_recall >= BARS["threat_recall"]
                and self.removable_recall >= BARS["removable_recall"]
                and self.protected_flagged_rate <= BARS["protected_flagged_rate"])

    def as_dict(self) -> dict[str, Any]:
        low, high = self.threat_interval
        return {**asdict(self), "threat_recall": round(self.threat_recall, 4),
                "threat_recall_95": [round(low, 4), round(high, 4)],
                "removable_recall": round(self.removable_recall, 4),
                "protected_flagged_rate": round(self.protected_flagged_rate, 4),
                "bars_met": self.bars_met}


def line(name: str, m: Mapping[str, Any]) -> Line:
    """A ``Line`` from ``checks.detectors.comment.metrics`` of one file."""
    threat = m["per_label"]["threat_violence"]
    removable = m["n"] - m["per_label"]["none"]["support"]
    return Line(name=name, comments=m["n"], threats=threat["support"],
                threats_found=round(threat["recall"] * threat["support"]),
                removable=removable, removable_found=round(m["removable_recall"] * removable),
                protected=m["protected"],
                protected_flagged=round(m["protected_flagged_rate"] * m["protected"]))


def pooled(name: str, lines: Sequence[Line]) -> Line:
    """The counts of ``lines`` summed."""
    return Line(name, *(sum(getattr(x, f.name) for x in lines) for f in fields(Line)[1:]))


POOLED = ("short", "longer", "all")


def summary(per_file: Mapping[str, Mapping[str, Any]]) -> list[Line]:
    """One line per file in the given order, then the short files, the longer ones and all of
    them pooled (each pool that has a file; the replies file only in "all")."""
    lines = [line(split, m) for split, m in per_file.items()]
    groups = {"short": [x for x in lines if x.name not in (*LONGER, *REPLIES)],
              "longer": [x for x in lines if x.name in LONGER], "all": lines}
    return [*lines, *(pooled(name, group) for name, group in groups.items() if group)]


SPREAD_DRAWS = 20_000
SPREAD_SEED = 20261207


@dataclass(frozen=True)
class Spread:
    """Do the files of a pool differ more than chance would make them, if they shared the pool's
    rate? ``p``: the share of draws under one common rate (each file's count binomial with the
    pool's rate) whose chi-squared statistic is at least the files' (a parametric bootstrap:
    the chi-squared approximation itself is poor at the 2 or 3 protected comments a file is
    expected to have flagged). ``furthest``: the file least likely under the pool's rate on the
    bar's side (fewer threats found, more protected comments flagged), ``furthest_p`` that
    file's binomial tail, ``furthest_p_any`` the chance that any of ``files`` files is that far
    (1 - (1 - tail) ** files)."""

    pool: str
    measure: str
    files: int
    found: int
    total: int
    chi2: float
    p: float
    furthest: str
    furthest_count: str
    furthest_p: float
    furthest_p_any: float

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "chi2": round(self.chi2, 2), "p": round(self.p, 4),
                "furthest_p": round(self.furthest_p, 5),
                "furthest_p_any": round(self.furthest_p_any, 4)}


def _chi2(found: Any, totals: Any) -> Any:
    """The chi-squared statistic of one common rate, per row of ``found`` (files in columns)."""
    import numpy as np

    rate = found.sum(axis=-1, keepdims=True) / totals.sum()
    expected = np.stack([totals * rate, totals * (1 - rate)])
    observed = np.stack([found, totals - found])
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(expected > 0, (observed - expected) ** 2 / expected, 0.0)
    return cells.sum(axis=(0, -1))


def spread(lines: Sequence[Line], pool: str, measure: str) -> Spread | None:
    """``measure`` ("threat recall" or "protected given a ground") over ``lines``; None when
    fewer than two files, or when the pool's rate is 0 or 1 (nothing can differ)."""
    threats = measure == "threat recall"
    return rate_spread([x.name for x in lines],
                       [x.threats_found if threats else x.protected_flagged for x in lines],
                       [x.threats if threats else x.protected for x in lines],
                       pool, measure, higher_is_worse=not threats)


def rate_spread(names: Sequence[str], found: Sequence[int], totals: Sequence[int], pool: str,
                measure: str, *, higher_is_worse: bool) -> Spread | None:
    """Whether the files ``names`` (``found`` of ``totals`` each) differ more than one common
    rate would make them (``Spread``); the furthest file is looked for on the bar's side
    (``higher_is_worse``: more found is worse, as protected comments flagged or errors made).
    None when fewer than two files, or when the pool's rate is 0 or 1."""
    import numpy as np
    from scipy.stats import binom

    found_a, totals_a = np.array(found), np.array(totals)
    if len(names) < 2 or not 0 < found_a.sum() < totals_a.sum():
        return None
    rate = found_a.sum() / totals_a.sum()
    statistic = float(_chi2(found_a, totals_a))
    draws = np.random.default_rng(SPREAD_SEED).binomial(totals_a, rate,
                                                        (SPREAD_DRAWS, len(names)))
    p = float((_chi2(draws, totals_a) >= statistic - 1e-9).mean())
    tails = (binom.sf(found_a - 1, totals_a, rate) if higher_is_worse
             else binom.cdf(found_a, totals_a, rate))
    i = int(np.argmin(tails))
    return Spread(pool=pool, measure=measure, files=len(names), found=int(found_a.sum()),
                  total=int(totals_a.sum()), chi2=statistic, p=p, furthest=names[i],
                  furthest_count=f"{found_a[i]}/{totals_a[i]}", furthest_p=float(tails[i]),
                  furthest_p_any=float(1 - (1 - tails[i]) ** len(names)))


def spreads(lines: Sequence[Line]) -> list[Spread]:
    """The short files' threat recall and all files' protected comments given a ground."""
    files = [x for x in lines if x.name not in POOLED]
    short = [x for x in files if x.name not in (*LONGER, *REPLIES)]
    found = [spread(short, "short", "threat recall"),
             spread(files, "all", "protected given a ground")]
    return [x for x in found if x is not None]


def measure(splits: Sequence[str] | None = None) -> list[Line]:
    """The committed comment detector on each blind file (all of them by default)."""
    from checks import datasets
    from checks.detectors import comment

    det = comment.detector()
    chosen = list(splits or datasets.test_splits(comment.NAME))
    return summary({s: comment.evaluate(datasets.path_of(comment.NAME, s), det=det)
                    for s in chosen})


def print_table(lines: Sequence[Line], version: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"comment {version} on the blind files", title_justify="left")
    for column in ("file", "threats", "recall", "95 %", "removable", "protected", "bars"):
        table.add_column(column, justify="left" if column == "file" else "right", no_wrap=True)
    files = sum(x.name not in POOLED for x in lines)
    for i, x in enumerate(lines):
        low, high = x.threat_interval
        table.add_row(x.name, f"{x.threats_found}/{x.threats}", f"{x.threat_recall:.3f}",
                      f"{low:.3f}–{high:.3f}", f"{x.removable_recall:.3f}",
                      f"{x.protected_flagged}/{x.protected}",
                      "met" if x.bars_met else "[bold red]not met[/]",
                      end_section=i == files - 1)
    console = Console()
    console.print(table)
    print_spreads(console, spreads(lines))


def print_spreads(console: Any, found: Sequence[Spread]) -> None:
    """One sentence per ``Spread`` under a table."""
    for x in found:
        verdict = "more than chance" if x.p < 0.05 else "no more than chance"
        console.print(f"{x.measure}, {x.pool} ({x.files} files, {x.found}/{x.total}): the files "
                      f"differ {verdict} (p = {x.p:.3f}); furthest {x.furthest} {x.furthest_count}"
                      f" (tail {x.furthest_p:.4f}; any of {x.files} that far: "
                      f"{x.furthest_p_any:.3f})", highlight=False)


DETECTORS = ("comment", "teacher-content")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checks.blind", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from checks import datasets

    parser.add_argument("--detector", choices=DETECTORS, default="comment",
                        help="whose blind files (default: comment; teacher-content: "
                             "checks.blind_teacher_content)")
    parser.add_argument("--split", action="append",
                        help="only this blind file (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    known = datasets.test_splits(args.detector)
    unknown = [s for s in args.split or () if s not in known]
    if unknown:
        parser.error(f"{args.detector} has no blind file {', '.join(unknown)} "
                     f"(it has {', '.join(known)})")
    if args.detector == "teacher-content":
        return _teacher_content(args.split, args.json)
    from checks.detectors import comment

    lines = measure(args.split)
    version = comment.detector().version
    if args.json:
        print(json.dumps({"version": version, "bars": BARS,
                          "lines": [x.as_dict() for x in lines],
                          "spread": [x.as_dict() for x in spreads(lines)]}, indent=1))
    else:
        print_table(lines, version)
    return 0 if all(x.bars_met for x in lines) else 1


def _teacher_content(splits: Sequence[str] | None, as_json: bool) -> int:
    from checks import blind_teacher_content as tc

    lines, version = tc.measure(splits)
    if as_json:
        print(json.dumps({"detector": tc.NAME, "version": version, "bar_f1": tc.BAR_F1,
                          "lines": [x.as_dict() for x in lines],
                          "spread": [x.as_dict() for x in tc.spreads(lines)]}, indent=1))
    else:
        tc.print_table(lines, version)
    return 0 if all(x.bar_met for x in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
