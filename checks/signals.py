"""Run the detectors over the warehouse, scoring only content not yet scored by this version.

For each detector, ``checks/sql/inputs_<name>.sql`` selects its subjects (items, threads,
images) with a hash of exactly the content the detector reads. Content whose (detector, version,
hash) is already in ``audit.signals`` is not scored again; the rest is scored in batches, each
batch committed with its signals (a killed run loses at most one batch and re-scores nothing).
``audit.subject_signals`` then maps every subject to the content and version that scored it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module, resources
from typing import Any

import duckdb

from checks.detectors.base import Detector, Verdict
from connectors.base import utcnow
from warehouse.killpoints import kill_point

DETECTOR_MODULES = {
    "teacher-content": "checks.detectors.teacher_content",
    "comment": "checks.detectors.comment",
    "confidential": "checks.detectors.confidential",
    "controversy": "checks.detectors.controversy",
    "faces": "checks.detectors.faces",
}
BATCH = 256

TODO_SQL = """
SELECT * FROM inputs i
WHERE NOT EXISTS (
    SELECT 1 FROM audit.signals s
    WHERE s.detector = $detector AND s.detector_version = $version
      AND s.content_sha256 = i.content_sha256)
QUALIFY row_number() OVER (PARTITION BY i.content_sha256 ORDER BY i.subject_id) = 1
ORDER BY i.subject_id
"""
INSERT_SIGNAL = "INSERT INTO audit.signals VALUES (?, ?, ?, ?, ?, ?, ?, ?::JSON, ?) " \
                "ON CONFLICT DO NOTHING"
MAP_SUBJECTS = """
INSERT INTO audit.subject_signals
SELECT $detector, subject_id, content_sha256, $version FROM inputs
ON CONFLICT (detector, subject_id) DO UPDATE SET
    content_sha256 = excluded.content_sha256, detector_version = excluded.detector_version
"""
UNMAP_GONE = """
DELETE FROM audit.subject_signals
WHERE detector = $detector AND subject_id NOT IN (SELECT subject_id FROM inputs)
"""


def inputs_sql(name: str) -> str:
    return resources.files("checks").joinpath(f"sql/inputs_{name}.sql").read_text("utf-8")


def load_detector(name: str, **options: Any) -> Detector:
    module = import_module(DETECTOR_MODULES[name])
    return module.detector(**options) if options else module.detector()


@dataclass
class SignalRun:
    detector: str
    version: str
    subjects: int
    scored: int
    flagged: int
    seconds: float


def _payload(name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    if name == "controversy":
        return {"id": row["subject_id"], "post": row["post"], "comments": list(row["comments"])}
    if name == "faces":
        return {"id": row["subject_id"], "path": row["path"]}
    out = {"id": row["subject_id"], "text": row["text"]}
    if "post" in row:
        out["post"] = row["post"]
    return out


def refresh_signals(
    con: duckdb.DuckDBPyConnection,
    detectors: Mapping[str, Detector],
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[SignalRun]:
    """Score what is new for each detector, then map every subject to its current signal."""
    import time

    runs = []
    for name, detector in detectors.items():
        started = time.perf_counter()
        con.execute(f"CREATE OR REPLACE TEMP TABLE inputs AS {inputs_sql(name)}")
        params = {"detector": name, "version": detector.version}
        cursor = con.execute(TODO_SQL, params)
        columns = [d[0] for d in cursor.description]
        todo = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        subjects = con.execute("SELECT count(*) FROM inputs").fetchone()[0]
        flagged = 0
        for start in range(0, len(todo), BATCH):
            batch = todo[start:start + BATCH]
            verdicts: list[Verdict] = detector.classify([_payload(name, r) for r in batch])
            now = utcnow()
            rows = [
                (name, detector.version, r["content_sha256"], v.flagged, v.label,
                 float(v.score), list(v.reasons), json.dumps(dict(v.details), default=str), now)
                for r, v in zip(batch, verdicts, strict=True)
            ]
            flagged += sum(1 for v in verdicts if v.flagged)
            con.execute("BEGIN TRANSACTION")
            try:
                con.executemany(INSERT_SIGNAL, rows)
                kill_point("signals:before_commit")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            if progress:
                progress(name, min(start + BATCH, len(todo)), len(todo))
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(MAP_SUBJECTS, params)
            con.execute(UNMAP_GONE, {"detector": name})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        runs.append(SignalRun(name, detector.version, subjects, len(todo), flagged,
                              time.perf_counter() - started))
    return runs
