"""End to end through the command line, as an office would use it: the demo captures and audits a
simulated district and builds the week's dashboard and reports; the office fills in the XLSX
report; ``review import`` records it; ``report`` rebuilds the week and the dashboard shows it."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipelines.cli import main
from tests.dashboard_support import cell, payload, rows_by
from tests.test_alerts import HOOK_PATH, Receiver

BUSIEST_WEEK = """
SELECT strftime(date_trunc('week', coalesce(item_created_at, first_seen_at)
                           AT TIME ZONE 'America/Chicago'), '%G-W%V') AS week, count(*)
FROM audit.findings WHERE status = 'open' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1
"""


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[Path, str]:
    """The demo workspace, and what the demo printed."""
    out = tmp_path_factory.mktemp("demo") / "district"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["demo", "--scale", "0.2", "--seed", "4", "--out", str(out), "--quiet"])
    assert code == 0
    return out, printed.getvalue()


@pytest.fixture(scope="module")
def demo(demo_run) -> Path:
    return demo_run[0]


def test_demo_prints_the_path_of_the_dashboard_it_built(demo_run):
    out, printed = demo_run
    lines = {line.split(None, 1)[0]: line.split(None, 1)[1] for line in printed.splitlines()
             if line.startswith(("dashboard ", "reports "))}
    dashboard = Path(lines["dashboard"])
    assert dashboard.is_file() and dashboard.parent == out / "reports"
    # the latest week (the demo builds the week under way), a real dashboard page
    assert dashboard.name == max(p.name for p in (out / "reports").glob("week-*.html"))
    assert 'id="findings-data"' in dashboard.read_text(encoding="utf-8")
    reports = [Path(p) for p in lines["reports"].split(", ")]
    assert [p.suffix for p in reports] == [".csv", ".xlsx"] and all(p.is_file() for p in reports)
    assert reports[0].stem == "exception-report-" + dashboard.stem.removeprefix("week-")


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
    assert len(ids) == count >= 4
    dismissed, confirmed, csv_remediated, csv_dismissed = ids[:4]
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

    # the CSV report makes the same round trip (as Excel saves it: UTF-8 with a BOM)
    report_csv = demo / "reports" / f"exception-report-{week}.csv"
    with report_csv.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows_in = list(reader.fieldnames or []), list(reader)
    decisions = {csv_remediated: ("remediated", "=comment hidden by the page admin"),
                 csv_dismissed: ("False positive", "a school play, not a threat")}
    for row in rows_in:
        if row["finding_id"] in decisions:
            status, note = decisions[row["finding_id"]]
            row.update(disposition=status, reviewer="Lee Park", note="'" + note
                       if note.startswith("=") else note)
    filled_csv = tmp_path / "filled.csv"
    with filled_csv.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows_in)
    assert main(["review", "import", str(filled_csv), "--config", config]) == 0
    assert "2 disposition(s) recorded" in capsys.readouterr().out
    assert main(["report", "--config", config, "--week", week]) == 0
    data = payload((demo / "reports" / f"week-{week}.html").read_text(encoding="utf-8"))
    rows = rows_by(data, "id")
    assert cell(data, rows[csv_remediated], "status") == "resolved"
    assert cell(data, rows[csv_remediated], "disposition") == "remediated"
    assert cell(data, rows[csv_remediated], "note") == "=comment hidden by the page admin"
    assert cell(data, rows[csv_dismissed], "status") == "dismissed"
    assert cell(data, rows[csv_dismissed], "reviewer") == "Lee Park"
    # the XLSX decisions are still there
    assert cell(data, rows[dismissed], "status") == "dismissed"


def test_run_sends_critical_alerts_when_the_audit_ends_even_if_reports_fail(demo, tmp_path,
                                                                           monkeypatch):
    """``socialaudit run``: the critical findings reach a real webhook receiver on loopback as
    soon as the audit stage ends, before the snapshot is published, and the report stage that
    then fails (its folder is a file) does not hold them back."""
    workspace = tmp_path / "ws"
    shutil.copytree(demo, workspace)
    receiver = Receiver()
    monkeypatch.setenv("SOCIALAUDIT_HOOK_URL", receiver.url(HOOK_PATH))
    with (workspace / "socialaudit.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[alerts.channels]]\nname = "siem"\nkind = "webhook"\n'
                     'url_env = "SOCIALAUDIT_HOOK_URL"\nhealth = false\n')
    shutil.rmtree(workspace / "reports")
    (workspace / "reports").write_text("not a folder", encoding="utf-8")
    snapshot = workspace / "snapshot.duckdb"
    before = snapshot.stat().st_mtime_ns
    config = str(workspace / "socialaudit.toml")
    try:
        with pytest.raises(OSError):
            main(["run", "--config", config, "--job", "all", "--quiet"])
        bodies = receiver.bodies(HOOK_PATH)
        assert [b["kind"] for b in bodies] == ["critical"]
        alerted = {f["finding_id"] for f in bodies[0]["findings"]}
        # the snapshot stage ran after the alert went out (and before the reports failed)
        assert before < receiver.times[0] <= snapshot.stat().st_mtime_ns
        con = duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True)
        try:
            expected = {r[0] for r in con.execute(
                "SELECT finding_id FROM marts.findings WHERE severity = 'critical' AND "
                "status = 'open' AND disposition IS NULL").fetchall()}
            recorded = {r[0] for r in con.execute(
                "SELECT alert_key FROM audit.alerts_sent WHERE channel = 'siem'").fetchall()}
        finally:
            con.close()
        assert alerted == expected == recorded and len(expected) >= 3

        # fixed: the next run builds the reports and tells the channel nothing twice
        (workspace / "reports").unlink()
        assert main(["run", "--config", config, "--job", "all", "--quiet"]) == 0
        assert len(receiver.bodies(HOOK_PATH)) == 1
        assert sorted((workspace / "reports").glob("week-*.html"))
    finally:
        receiver.close()
