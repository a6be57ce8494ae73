"""The review loop: record the office's dispositions of findings in ``audit.dispositions``.

Two ways in: one finding at a time (``socialaudit review FINDING_ID --status ... --note ...``,
``record_review``) and an edited exception report, CSV or XLSX (``socialaudit review import
FILE``, ``import_review_file``). Every disposition is a new row with who (``reviewer``), when
(``recorded_at``), what (``status``, ``note``), the content the reviewer saw
(``content_sha256``) and where it came from (``source``); nothing is ever updated or deleted.
After recording, ``checks.engine.apply_reviews`` sets the findings' status in the same
transaction (``dismissed``/``resolved``/``open``), and the rules engine keeps it on every re-audit.

An import is all or nothing: every problem (unknown finding, bad status, missing reviewer, ...)
is reported as ``file:line: what is wrong`` (the XLSX row number is the line) and nothing from the
file is recorded. A row is recorded unless its decision (status, reviewer, note, content) is the
finding's *current* disposition: re-importing a file records nothing new, yet a decision that
was taken before and later replaced (false positive, then confirmed, then false positive again)
is recorded again, because it changes the finding. The same holds for a single review from the
command line.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from dashboards.cells import unneutralize
from dashboards.exception_report import DISPOSITION_STATUSES, SHEET_NAME

REVIEWER_ENV = "SOCIALAUDIT_REVIEWER"
MIN_PREFIX = 8
MAX_PROBLEMS_SHOWN = 50
_HEX = re.compile(r"^[0-9a-f]{8,128}$")

FINDINGS_BY_ID = """
SELECT finding_id, content_sha256, status FROM audit.findings
WHERE finding_id IN (SELECT unnest($ids::VARCHAR[]))
"""
FINDINGS_BY_PREFIX = """
SELECT finding_id FROM audit.findings WHERE starts_with(finding_id, $prefix)
ORDER BY finding_id LIMIT 2
"""
CURRENT_OF = """
SELECT status, reviewer, coalesce(note, ''), coalesce(content_sha256, '')
FROM audit.current_dispositions WHERE finding_id = $finding_id
"""
# One statement for any number of rows (columns passed as lists): executemany is row by row.
INSERT_DISPOSITIONS = """
INSERT INTO audit.dispositions (disposition_id, finding_id, status, reviewer, note,
                                content_sha256, recorded_at, source)
SELECT unnest($ids::VARCHAR[]), unnest($findings::VARCHAR[]), unnest($statuses::VARCHAR[]),
       unnest($reviewers::VARCHAR[]), unnest($notes::VARCHAR[]), unnest($contents::VARCHAR[]),
       unnest($times::TIMESTAMPTZ[]), unnest($sources::VARCHAR[])
ON CONFLICT (disposition_id) DO NOTHING
"""
CURRENT_OF_MANY = """
SELECT finding_id, status, reviewer, coalesce(note, ''), coalesce(content_sha256, '')
FROM audit.current_dispositions WHERE finding_id IN (SELECT unnest($ids::VARCHAR[]))
"""
STATUS_OF = "SELECT status FROM audit.findings WHERE finding_id = $finding_id"


class ReviewError(ValueError):
    """A review that cannot be recorded; the message says why."""


class ReviewImportError(ReviewError):
    """A review file failed validation; nothing from it was recorded. ``problems`` lists each
    one as ``file:line: what is wrong``."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = (f"\n  ... and {len(problems) - MAX_PROBLEMS_SHOWN} more"
                if len(problems) > MAX_PROBLEMS_SHOWN else "")
        super().__init__(f"{self.path}: {len(problems)} problem(s), nothing recorded:\n"
                         f"{shown}{more}")


@dataclass(frozen=True)
class Disposition:
    disposition_id: str
    finding_id: str
    status: str
    reviewer: str
    note: str | None
    content_sha256: str | None
    recorded_at: datetime
    source: str


@dataclass
class ReviewOutcome:
    """What ``record_review`` did: the disposition (None if it repeated the current one) and the
    finding's status afterwards."""

    finding_id: str
    disposition: Disposition | None
    finding_status: str


@dataclass
class ImportResult:
    path: Path
    source: str
    recorded: list[Disposition] = field(default_factory=list)
    already_recorded: int = 0     # rows whose decision is the finding's current disposition
    without_disposition: int = 0  # rows left empty
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False


def _utcnow() -> datetime:
    from connectors.base import utcnow

    return utcnow()


def default_reviewer() -> str | None:
    """``$SOCIALAUDIT_REVIEWER``, else the operating-system user, else None."""
    name = os.environ.get(REVIEWER_ENV, "").strip()
    if name:
        return name
    try:
        return getpass.getuser().strip() or None
    except (OSError, KeyError):
        return None


def normalize_status(value: str) -> str | None:
    """``False positive``, ``false-positive`` and ``FALSE_POSITIVE`` are ``false_positive``;
    None if it is no disposition."""
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return key if key in DISPOSITION_STATUSES else None


def _decision_id(*parts: str | None) -> str:
    text = "\x1f".join("" if p is None else p for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _record(con: duckdb.DuckDBPyConnection, dispositions: list[Disposition]) -> None:
    from checks.engine import apply_reviews

    con.execute("BEGIN TRANSACTION")
    try:
        if dispositions:
            con.execute(INSERT_DISPOSITIONS, {
                "ids": [d.disposition_id for d in dispositions],
                "findings": [d.finding_id for d in dispositions],
                "statuses": [d.status for d in dispositions],
                "reviewers": [d.reviewer for d in dispositions],
                "notes": [d.note for d in dispositions],
                "contents": [d.content_sha256 for d in dispositions],
                "times": [d.recorded_at for d in dispositions],
                "sources": [d.source for d in dispositions]})
        apply_reviews(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# --- one finding -------------------------------------------------------------------------------


def resolve_finding_id(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """The finding ``text`` names: its full id or a unique prefix of at least 8 characters."""
    value = text.strip().lower()
    if len(value) < MIN_PREFIX:
        raise ReviewError(f"finding {text!r}: give the id or at least {MIN_PREFIX} characters")
    found = [r[0] for r in con.execute(FINDINGS_BY_PREFIX, {"prefix": value}).fetchall()]
    if not found:
        raise ReviewError(f"no finding {text!r} in the warehouse")
    if len(found) > 1 and value not in found:
        raise ReviewError(f"finding {text!r} is ambiguous: give more of the id")
    return value if value in found else found[0]


def record_review(
    con: duckdb.DuckDBPyConnection,
    finding: str,
    status: str,
    *,
    note: str | None,
    reviewer: str | None = None,
    now: datetime | None = None,
    source: str = "cli",
) -> ReviewOutcome:
    """Record one disposition of ``finding`` (id or unique prefix) for its current content.
    ``reviewer`` defaults to ``default_reviewer()``."""
    chosen = normalize_status(status)
    if chosen is None:
        raise ReviewError(f"status {status!r}: use one of {', '.join(DISPOSITION_STATUSES)}")
    who = (reviewer or "").strip() or default_reviewer()
    if not who:
        raise ReviewError(f"no reviewer: pass --reviewer or set {REVIEWER_ENV}")
    finding_id = resolve_finding_id(con, finding)
    content = con.execute(FINDINGS_BY_ID, {"ids": [finding_id]}).fetchone()[1]
    clean_note = (note or "").strip() or None
    current = con.execute(CURRENT_OF, {"finding_id": finding_id}).fetchone()
    if current == (chosen, who, clean_note or "", content or ""):
        status_now = con.execute(STATUS_OF, {"finding_id": finding_id}).fetchone()[0]
        return ReviewOutcome(finding_id, None, status_now)
    when = now or _utcnow()
    disposition = Disposition(
        _decision_id(finding_id, chosen, who, clean_note, content, when.isoformat(), source),
        finding_id, chosen, who, clean_note, content, when, source)
    _record(con, [disposition])
    status_now = con.execute(STATUS_OF, {"finding_id": finding_id}).fetchone()[0]
    return ReviewOutcome(finding_id, disposition, status_now)


# --- an edited report --------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    formulas: set[str]


def _read_csv(path: Path, raw: bytes, problems: list[str]) -> tuple[list[str], list[_Row]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(f"{path}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x}); "
                        "save the file as CSV UTF-8")
        return [], []
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # Excel saves ';' in some locales
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            if header is None:
                header = [h.strip().lower() for h in record]
            elif any(v.strip() for v in record):
                if len(record) > len(header):
                    problems.append(f"{path}:{start}: {len(record)} fields, the header has "
                                    f"{len(header)}")
                rows.append(_Row(start, dict(zip(header, record, strict=False)), set()))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(f"{path}:{reader.line_num}: not valid CSV ({exc})")
        return [], []
    if header is None:
        problems.append(f"{path}: empty file, no header row")
        return [], []
    _check_header(path, header, problems)
    return header, rows


def _read_xlsx(path: Path, problems: list[str]) -> tuple[list[str], list[_Row]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        problems.append(f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {exc})")
        return [], []
    try:
        ws = wb[SHEET_NAME] if SHEET_NAME in wb.sheetnames else wb.worksheets[0]
        ws.reset_dimensions()  # trust the rows in the file, not its recorded size
        rows: list[_Row] = []
        header: list[str] | None = None
        for number, cells in enumerate(ws.iter_rows(), start=1):
            if header is None:
                header = ["" if c.value is None else str(c.value).strip().lower()
                          for c in cells]
                continue
            values: dict[str, str] = {}
            formulas: set[str] = set()
            for name, cell in zip(header, cells, strict=False):
                if cell.value is None:
                    continue
                if cell.data_type == "f":
                    formulas.add(name)
                value = cell.value
                if isinstance(value, datetime):
                    value = value.isoformat(sep=" ")
                values[name] = str(value)
            if any(v.strip() for v in values.values()):
                rows.append(_Row(number, values, formulas))
    finally:
        wb.close()
    if header is None:
        problems.append(f"{path}: the sheet is empty, no header row")
        return [], []
    _check_header(path, header, problems)
    return header, rows


def _check_header(path: Path, header: list[str], problems: list[str]) -> None:
    for needed in ("finding_id", "disposition"):
        if needed not in header:
            problems.append(f"{path}:1: no '{needed}' column: import the exception report "
                            "with its header row")


def read_review_file(path: Path, raw: bytes) -> tuple[list[str], list[_Row], list[str]]:
    """The header, the non-empty rows of an edited report (CSV or XLSX, told apart by content)
    and the file-level problems."""
    problems: list[str] = []
    if raw.startswith(b"PK\x03\x04"):
        header, rows = _read_xlsx(path, problems)
    else:
        header, rows = _read_csv(path, raw, problems)
    return header, rows, problems


def import_review_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    default_reviewer: str | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Validate an edited exception report and record its dispositions in one transaction;
    raise ``ReviewImportError`` (nothing recorded) if any row is wrong."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReviewError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    header, rows, problems = read_review_file(path, raw)
    source = f"import:{path.name} sha256:{hashlib.sha256(raw).hexdigest()[:16]}"
    result = ImportResult(path, source, dry_run=dry_run)
    has_content_column = "content_sha256" in header
    ids = sorted({r.values.get("finding_id", "").strip().lower() for r in rows} - {""})
    known = {fid: (content, status) for fid, content, status in
             con.execute(FINDINGS_BY_ID, {"ids": ids}).fetchall()}
    current = {fid: tuple(decision) for fid, *decision in
               con.execute(CURRENT_OF_MANY, {"ids": ids}).fetchall()}
    has_current_column = "current_disposition" in header
    fallback_reviewer = (default_reviewer or "").strip() or None
    seen: dict[str, int] = {}
    when = now or _utcnow()
    pending: list[Disposition] = []
    for row in rows:
        where = f"{path}:{row.line}"
        for name in sorted(row.formulas & {"finding_id", "disposition", "reviewer", "note",
                                           "content_sha256"}):
            problems.append(f"{where}: column '{name}' holds a formula; type the value instead")
        if row.formulas:
            continue
        value = {k: unneutralize(v.strip()) for k, v in row.values.items()}
        finding_id = value.get("finding_id", "").lower()
        raw_status = value.get("disposition", "")
        note = value.get("note") or None
        if not raw_status:
            if note:
                problems.append(f"{where}: a note but no disposition; choose one of "
                                f"{', '.join(DISPOSITION_STATUSES)} or clear the note")
            else:
                result.without_disposition += 1
            continue
        status = normalize_status(raw_status)
        if status is None:
            problems.append(f"{where}: disposition {raw_status!r} is not one of "
                            f"{', '.join(DISPOSITION_STATUSES)}")
        if not finding_id:
            problems.append(f"{where}: a disposition but no finding_id")
            continue
        if finding_id not in known:
            problems.append(f"{where}: unknown finding_id {finding_id!r} (not in this "
                            "warehouse: is the report from another district?)")
            continue
        if finding_id in seen:
            problems.append(f"{where}: finding {finding_id} again (first on line "
                            f"{seen[finding_id]})")
            continue
        seen[finding_id] = row.line
        reviewer = value.get("reviewer") or fallback_reviewer
        if not reviewer:
            problems.append(f"{where}: no reviewer: fill in the reviewer column or pass "
                            "--reviewer")
        current_content = known[finding_id][0]
        if has_content_column:
            content = value.get("content_sha256", "").lower() or None
            if content is not None and not _HEX.match(content):
                problems.append(f"{where}: content_sha256 {content[:70]!r} is not a hash from "
                                "the report")
                continue
        else:
            content = current_content
        if status is None or not reviewer:
            continue
        if content != current_content:
            result.warnings.append(
                f"{where}: finding {finding_id}: the content changed after the report was "
                f"written; {status} is recorded for the content reviewed, the finding stays "
                "open until the new content is reviewed")
        decision = (status, reviewer, note or "", content or "")
        now_current = current.get(finding_id)
        if decision == now_current:
            result.already_recorded += 1
            continue
        if has_current_column and (value.get("current_disposition") or None) != (
                now_current[0] if now_current else None):
            was = (f"{now_current[0]} by {now_current[1]}" if now_current else "none")
            result.warnings.append(
                f"{where}: finding {finding_id}: its disposition changed after the report was "
                f"written (now {was}); {status} by {reviewer} is recorded as the latest")
        pending.append(Disposition(
            _decision_id(finding_id, *decision, when.isoformat(), source), finding_id, status,
            reviewer, note, content, when, source))
    if problems:
        raise ReviewImportError(path, problems)
    if not dry_run:
        _record(con, pending)
    result.recorded = pending
    return result


def finding_statuses(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str]:
    """The current status of each finding in ``ids``."""
    rows = con.execute(FINDINGS_BY_ID, {"ids": ids}).fetchall()
    return {fid: status for fid, _, status in rows}


def describe(result: ImportResult) -> str:
    """One line for the command line."""
    verb = "would be recorded" if result.dry_run else "recorded"
    return (f"{result.path}: {len(result.recorded)} disposition(s) {verb}, "
            f"{result.already_recorded} already recorded, "
            f"{result.without_disposition} row(s) without a disposition")


__all__ = [
    "DISPOSITION_STATUSES",
    "REVIEWER_ENV",
    "Disposition",
    "ImportResult",
    "ReviewError",
    "ReviewImportError",
    "ReviewOutcome",
    "default_reviewer",
    "describe",
    "finding_statuses",
    "import_review_file",
    "normalize_status",
    "read_review_file",
    "record_review",
    "resolve_finding_id",
    "unneutralize",
]
