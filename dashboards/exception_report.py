"""The weekly exception report: one row per finding of the week, as CSV and XLSX.

The findings of a week are those whose item was created in it, in the district's time zone
(``dashboards/sql/week_findings.sql``, shared with the weekly dashboard). Each row carries the
finding, the item's text, the evidence, the clause it breaks, a link to the post, the latest
disposition, and three empty columns the communications office fills in (``disposition``,
``reviewer``, ``note``) and imports back with ``socialaudit review import FILE``
(``dashboards/review.py``). The ``content_sha256`` column tells the import which content the
reviewer saw, so a review never covers an edit made after the report was written.

Comments are written by the public: every text cell is neutralized (``dashboards.cells``) so no
spreadsheet runs it as a formula, control characters and line breaks are removed from every
cell, and only ``https`` links to the platforms' own hosts (``dashboards.urls``) become
hyperlinks. Files are written aside and renamed into place.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from dashboards.cells import neutralize
from dashboards.urls import safe_permalink
from dashboards.weeks import Week

WEEK_FINDINGS_SQL_FILE = "sql/week_findings.sql"
DISPOSITION_STATUSES = ("confirmed", "false_positive", "approved_after_the_fact", "remediated")
FILL_IN_COLUMNS = ("disposition", "reviewer", "note")
SHEET_NAME = "Findings"
EXCERPT_CHARS = 300
EVIDENCE_CHARS = 500
MAX_LINK_CHARS = 2000  # Excel ignores longer hyperlink targets

# (header, XLSX width); the import reads columns by header name, in any order.
REPORT_COLUMNS: tuple[tuple[str, int], ...] = (
    ("finding_id", 34),
    ("severity", 9),
    ("rule", 28),
    ("kind", 20),
    ("status", 10),
    ("school", 18),
    ("account", 18),
    ("account_handle", 18),
    ("platform", 10),
    ("item_created_local", 17),
    ("text_excerpt", 60),
    ("evidence_summary", 45),
    ("clause_id", 18),
    ("clause_section", 14),
    ("clause_quote", 45),
    ("permalink", 40),
    ("first_seen_local", 17),
    ("last_seen_local", 17),
    ("current_disposition", 20),
    ("current_reviewer", 16),
    ("current_note", 30),
    ("current_reviewed_local", 17),
    ("disposition", 24),
    ("reviewer", 16),
    ("note", 40),
    ("content_sha256", 20),
)
HEADERS = tuple(name for name, _ in REPORT_COLUMNS)
TIME_COLUMNS = ("item_created_local", "first_seen_local", "last_seen_local",
                "current_reviewed_local")

# Characters no XLSX cell may hold (openpyxl refuses them) and other C0/C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")


def week_findings_sql() -> str:
    """The shared definition of a week's findings; parameters ``$start`` and ``$end``."""
    return resources.files("dashboards").joinpath(WEEK_FINDINGS_SQL_FILE).read_text("utf-8")


def week_findings(con: duckdb.DuckDBPyConnection, week: Week) -> list[dict[str, Any]]:
    """The findings of ``week`` (every status), most severe first, as dicts."""
    cursor = con.execute(week_findings_sql(), {"start": week.start, "end": week.end})
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def clean_text(value: str | None, limit: int | None = None) -> str:
    """One line of text: control characters removed, whitespace runs collapsed, cut at
    ``limit`` characters with an ellipsis."""
    if not value:
        return ""
    text = _SPACE.sub(" ", _CONTROL.sub("", value)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def safe_link(url: str | None) -> str | None:
    """``url`` if it may become a clickable link: an https page on the platforms' own hosts
    (``dashboards.urls.safe_permalink``, as on the dashboard) short enough for Excel."""
    if not url or len(url) > MAX_LINK_CHARS:
        return None
    return safe_permalink(url)


def _evidence_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list):
        return ", ".join(_evidence_value(v) for v in value)
    if isinstance(value, dict):
        inner = " ".join(f"{k}={_evidence_value(v)}" for k, v in value.items()
                         if v not in (None, "", [], {}))
        return f"({inner})"
    return str(value)


def summarize_evidence(evidence: str | dict[str, Any] | None) -> str:
    """A finding's evidence JSON as one readable line: ``key: value; key: value``."""
    if evidence is None:
        return ""
    data = evidence
    if isinstance(evidence, str):
        try:
            data = json.loads(evidence)
        except json.JSONDecodeError:
            return clean_text(evidence, EVIDENCE_CHARS)
    if isinstance(data, dict):
        text = "; ".join(f"{k}: {_evidence_value(v)}" for k, v in data.items()
                         if v not in (None, "", [], {}))
    else:
        text = _evidence_value(data)
    return clean_text(text, EVIDENCE_CHARS)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # TIMESTAMPTZ always comes back aware; be safe with plain ones
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def report_rows(findings: Iterable[dict[str, Any]], tz: ZoneInfo) -> list[dict[str, Any]]:
    """One dict per finding with the report's columns: text neutralized, times as naive local
    datetimes, fill-in columns empty. ``permalink_url`` holds the link when it may be one."""
    rows = []
    for f in findings:
        row: dict[str, Any] = {
            "finding_id": f["finding_id"],
            "severity": f["severity"],
            "rule": f["rule"],
            "kind": f["kind"],
            "status": f["status"],
            "school": f.get("school"),
            "account": f.get("account_id"),
            "account_handle": f.get("account_handle"),
            "platform": f.get("platform"),
            "item_created_local": _local(f.get("item_created_at"), tz),
            "text_excerpt": clean_text(f.get("item_text"), EXCERPT_CHARS),
            "evidence_summary": summarize_evidence(f.get("evidence")),
            "clause_id": f.get("clause_id"),
            "clause_section": f.get("clause_section"),
            "clause_quote": clean_text(f.get("clause_quote")),
            "permalink": clean_text(f.get("permalink")),
            "first_seen_local": _local(f.get("first_seen_at"), tz),
            "last_seen_local": _local(f.get("last_seen_at"), tz),
            "current_disposition": f.get("disposition"),
            "current_reviewer": f.get("disposition_reviewer"),
            "current_note": clean_text(f.get("disposition_note")),
            "current_reviewed_local": _local(f.get("disposition_recorded_at"), tz),
            "disposition": None,
            "reviewer": None,
            "note": None,
            "content_sha256": f.get("content_sha256"),
        }
        for key, value in row.items():
            if isinstance(value, str):  # every string cell: one line, no controls, no formula
                value = clean_text(value)
                row[key] = neutralize(value) if value else None
        row["permalink_url"] = safe_link(f.get("permalink"))
        rows.append(row)
    return rows


def _atomic(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp")


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """UTF-8 with a byte-order mark (Excel reads it as UTF-8), comma-separated, header row."""
    tmp = _atomic(path)
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([_csv_value(row[name]) for name in HEADERS])
    os.replace(tmp, path)
    return path


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def write_xlsx(rows: list[dict[str, Any]], path: Path, *, week: Week, tz: ZoneInfo,
               generated_at: datetime | None = None) -> Path:
    """The same rows as an Excel workbook: header frozen, autofilter, column widths, a list of
    the allowed dispositions on the ``disposition`` column, platform permalinks as hyperlinks, and
    an ``About`` sheet explaining the columns."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_NAME)
    last_row = len(rows) + 1
    last_col = get_column_letter(len(HEADERS))
    for index, (_, width) in enumerate(REPORT_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{last_col}{last_row}"
    disposition_col = get_column_letter(HEADERS.index("disposition") + 1)
    validation = DataValidation(
        type="list", formula1='"' + ",".join(DISPOSITION_STATUSES) + '"', allow_blank=True,
        showErrorMessage=True, errorTitle="Disposition",
        error="Choose one of: " + ", ".join(DISPOSITION_STATUSES),
        showInputMessage=True, promptTitle="Disposition",
        prompt="Leave empty if not reviewed yet")
    validation.add(f"{disposition_col}2:{disposition_col}{max(last_row, 2)}")
    ws.data_validations.append(validation)

    bold = Font(bold=True)
    fill_in = PatternFill("solid", fgColor="FFF2CC")
    link_font = Font(color="0563C1", underline="single")
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        if name in FILL_IN_COLUMNS:
            cell.fill = fill_in
        header.append(cell)
    ws.append(header)
    time_indexes = {HEADERS.index(name) for name in TIME_COLUMNS}
    link_index = HEADERS.index("permalink")
    for row in rows:
        values: list[Any] = [row[name] for name in HEADERS]
        for index in time_indexes:
            if values[index] is not None:
                cell = WriteOnlyCell(ws, value=values[index])
                cell.number_format = "yyyy-mm-dd hh:mm"
                values[index] = cell
        if row["permalink_url"]:
            cell = WriteOnlyCell(ws, value=row["permalink_url"])
            cell.hyperlink = row["permalink_url"]
            cell.font = link_font
            values[link_index] = cell
        ws.append(values)

    about = wb.create_sheet("About")
    when = (generated_at or datetime.now(tz)).astimezone(tz)
    for line in _about_lines(week, tz, len(rows), when):
        about.append([line])
    tmp = _atomic(path)
    wb.save(tmp)
    os.replace(tmp, path)
    return path


def _about_lines(week: Week, tz: ZoneInfo, count: int, when: datetime) -> list[str]:
    return [
        f"Exception report {week.name}: findings on items created {week.monday} to "
        f"{week.sunday} ({tz.key})",
        f"{count} finding(s); written {when:%Y-%m-%d %H:%M %Z}",
        "",
        "Fill in the yellow columns and import the file back with: "
        "socialaudit review import FILE --config socialaudit.toml",
        "disposition: " + ", ".join(DISPOSITION_STATUSES) + " (leave empty to skip the row)",
        "reviewer: who decided (else the import's --reviewer); note: why (optional)",
        "false_positive, remediated and approved_after_the_fact stop the finding being raised "
        "again while its content (content_sha256) stays the same; an edit opens it again",
        "status: open (needs attention), dismissed (false positive), resolved (remediated or "
        "approved after the fact), cleared (the data no longer shows it)",
        "Times are local to the district; text that starts like a formula has a ' in front.",
    ]


def report_paths(week: Week, out_dir: Path) -> tuple[Path, Path]:
    """Where the CSV and XLSX reports of ``week`` go in ``out_dir``."""
    stem = f"exception-report-{week.name}"
    return out_dir / f"{stem}.csv", out_dir / f"{stem}.xlsx"


def write_week_reports(
    con: duckdb.DuckDBPyConnection,
    week: Week,
    out_dir: str | Path,
    tz: str | ZoneInfo | None = None,
    *,
    generated_at: datetime | None = None,
) -> list[Path]:
    """Write ``exception-report-<week>.csv`` and ``.xlsx`` into ``out_dir`` (created if needed);
    return their paths. ``tz`` (default: the week's) is the time zone times are shown in.
    Reads only: works on the warehouse or the analyst snapshot."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz or ZoneInfo(week.tz)
    rows = report_rows(week_findings(con, week), zone)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = report_paths(week, out)
    write_csv(rows, csv_path)
    write_xlsx(rows, xlsx_path, week=week, tz=zone, generated_at=generated_at)
    return [csv_path, xlsx_path]
