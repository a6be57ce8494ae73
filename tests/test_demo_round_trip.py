"""End to end through the command line, as an office would use it: the demo captures and audits a
simulated district and builds the week's dashboard and reports; the office fills in the XLSX
report; ``review import`` records it; ``report`` rebuilds the week and the dashboard shows it."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.cli import main
from tests.dashboard_support import cell, payload, rows_by

BUSIEST_WEEK = """
SELECT strftime(date_trunc('week', coalesce(item_created_at, first_seen_at)
                           AT TIME ZONE 'America/Chicago'), '%G-W%V') AS week, count(*)
FROM audit.findings WHERE status = 'open' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "district"
    code = main(["demo", "--scale", "0.2", "--seed", "4", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_demo_leaves_a_workspace_with_findings_and_the_weeks_dashboard(demo, capsys):
    reports = demo / "reports"
    pages = sorted(reports.glob("week-*.html"))
    assert pages and (reports / "index.html").exists()
    assert sorted(reports.glob("exception-report-*.xlsx"))
    con = duckdb.connect(str(demo / "snapshot.duckdb"), read_only=True)
    try:
        rules = {r[0] for r in con.execute(
            "SELECT DISTINCT rule FROM audit.findings WHERE status = 'open'").fetchall()}
    finally:
        con.close()
    assert {"removable_comment", "student_media_without_consent"} <= rules


def _fill(xlsx: Path, decisions: dict[str, tuple[str, str]], out: Path) -> Path:
    book = load_workbook(xlsx)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in ("finding_id", "disposition", "reviewer",
                                                     "note")}
    for row in range(2, sheet.max_row + 1):
        fid = sheet.cell(row, col["finding_id"]).value
        if fid in decisions:
            status, note = decisions[fid]
            sheet.cell(row, col["disposition"]).value = status
            sheet.cell(row, col["reviewer"]).value = "Dana Whitfield"
            sheet.cell(row, col["note"]).value = note
    book.save(out)
    return out


def test_reviewed_report_comes_back_into_the_next_dashboard(demo, capsys, tmp_path):
    config = str(demo / "socialaudit.toml")
    con = duckdb.connect(str(demo / "snapshot.duckdb"), read_only=True)
    try:
        week, count = con.execute(BUSIEST_WEEK).fetchone()
    finally:
        con.close()
    assert count >= 2
    assert main(["report", "--config", config, "--week", week]) == 0
    printed = capsys.readouterr().out
    xlsx = demo / "reports" / f"exception-report-{week}.xlsx"
    assert str(xlsx) in printed.replace("\n", "")

    sheet = load_workbook(xlsx).worksheets[0]
    header = [c.value for c in sheet[1]]
    ids = [sheet.cell(r, header.index("finding_id") + 1).value
           for r in range(2, sheet.max_row + 1)]
    assert len(ids) == count
    dismissed, confirmed = ids[0], ids[1]
    filled = _fill(xlsx, {dismissed: ("false_positive", "a quote from a book report"),
                          confirmed: ("confirmed", "principal informed")},
                   tmp_path / "filled.xlsx")
    assert main(["review", "import", str(filled), "--config", config]) == 0
    assert main(["review", "import", str(filled), "--config", config]) == 0  # idempotent
    capsys.readouterr()

    assert main(["report", "--config", config, "--week", week]) == 0
    html = (demo / "reports" / f"week-{week}.html").read_text(encoding="utf-8")
    data = payload(html)
    rows = rows_by(data, "id")
    assert cell(data, rows[dismissed], "status") == "dismissed"
    assert cell(data, rows[dismissed], "disposition") == "false_positive"
    assert cell(data, rows[dismissed], "reviewer") == "Dana Whitfield"
    assert cell(data, rows[confirmed], "status") == "open"
    assert cell(data, rows[confirmed], "disposition") == "confirmed"
    assert re.search(r"false[- ]positive", html, re.I)

    # the trail has exactly the two decisions, and the findings list agrees
    con = duckdb.connect(str(demo / "snapshot.duckdb"), read_only=True)
    try:
        trail = con.execute("SELECT finding_id, status, reviewer FROM audit.dispositions "
                            "ORDER BY status").fetchall()
    finally:
        con.close()
    assert trail == [(confirmed, "confirmed", "Dana Whitfield"),
                     (dismissed, "false_positive", "Dana Whitfield")]
    assert main(["findings", "--config", config, "--status", "dismissed", "--format",
                 "json"]) == 0
    assert dismissed in capsys.readouterr().out
