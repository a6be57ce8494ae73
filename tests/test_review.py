"""The review loop: the office fills in the exception report (CSV or XLSX) and imports it, or
records one disposition from the command line; the trail keeps who, when and what; a dismissed
or resolved finding is not raised again by the rules engine until its content changes."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dashboards.cells import neutralize
from dashboards.exception_report import write_week_reports
from dashboards.review import (
    ReviewError,
    ReviewImportError,
    import_review_file,
    record_review,
)
from pipelines.cli import main
from tests.test_exception_report import TZ, build_district, read_csv, week
from warehouse import db

NOW = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)
TRAIL = ("SELECT finding_id, status, reviewer, note, content_sha256, recorded_at, source "
         "FROM audit.dispositions ORDER BY recorded_at, finding_id")


@pytest.fixture
def district():
    con = db.memory()
    d, ids = build_district(con)
    yield d, ids
    con.close()


def fill_csv(path: Path, decisions: dict[str, dict[str, str]]) -> Path:
    """Edit the report as a user would: fill the disposition columns of some rows."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        row.update(decisions.get(row["finding_id"], {}))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def fill_xlsx(path: Path, decisions: dict[str, dict[str, str]]) -> Path:
    wb = load_workbook(path)
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for column, value in decisions.get(row[0].value, {}).items():
            row[header.index(column)].value = value
    wb.save(path)
    return path


def trail(con) -> list[tuple]:
    return con.execute(TRAIL).fetchall()


def test_csv_round_trip_records_once_and_the_engine_keeps_the_decision(district, tmp_path):
    d, ids = district
    csv_path = write_week_reports(d.con, week(), tmp_path, TZ)[0]
    fp, threat = ids["formula"], ids["threat"]
    content = {r["finding_id"]: r["content_sha256"] for r in read_csv(csv_path)}
    fill_csv(csv_path, {
        # a note that starts like a formula comes back neutralized: it must read back as typed
        fp: {"disposition": "false_positive", "reviewer": "Pat Lee",
             "note": neutralize("-- a link to the fundraiser, not spam")},
        threat: {"disposition": "Confirmed", "reviewer": "Pat Lee", "note": "reported to police"},
    })
    result = import_review_file(d.con, csv_path, now=NOW)
    assert len(result.recorded) == 2 and result.without_disposition == 1
    source = result.source
    assert source.startswith(f"import:{csv_path.name} sha256:")
    assert trail(d.con) == [
        (fp, "false_positive", "Pat Lee", "-- a link to the fundraiser, not spam", content[fp],
         NOW, source),
        (threat, "confirmed", "Pat Lee", "reported to police", content[threat], NOW, source),
    ]
    assert d.status(fp) == "dismissed" and d.status(threat) == "open"

    again = import_review_file(d.con, csv_path, now=datetime(2026, 3, 17, tzinfo=UTC))
    assert again.recorded == [] and again.already_recorded == 2
    assert len(trail(d.con)) == 2

    # the next audit does not raise the false positive again; ids stay the same
    rerun = d.audit("r2")
    assert d.status(fp) == "dismissed" and d.status(threat) == "open"
    assert rerun.reviewed == 1
    assert d.con.execute("SELECT count(*) FROM audit.findings").fetchone()[0] == 4
    # the author edits the comment and it is still flagged: the finding opens again
    d.edit("x:101", "=HYPERLINK(\"http://evil\") now with more spam", "spam_advertising")
    d.audit("r3")
    assert d.status(fp) == "open"
    assert len(trail(d.con)) == 2  # the trail is untouched


def test_xlsx_round_trip_with_default_reviewer(district, tmp_path):
    d, ids = district
    xlsx_path = write_week_reports(d.con, week(), tmp_path, TZ)[1]
    fill_xlsx(xlsx_path, {
        ids["at"]: {"disposition": "remediated", "note": "comment hidden"},
        ids["threat"]: {"disposition": "approved_after_the_fact", "reviewer": "Sam Ortiz"},
    })
    result = import_review_file(d.con, xlsx_path, default_reviewer="Office", now=NOW)
    assert {(x.finding_id, x.status, x.reviewer, x.note) for x in result.recorded} == {
        (ids["at"], "remediated", "Office", "comment hidden"),
        (ids["threat"], "approved_after_the_fact", "Sam Ortiz", None),
    }
    assert len(trail(d.con)) == 2
    assert d.status(ids["at"]) == "resolved" and d.status(ids["threat"]) == "resolved"
    d.audit("r2")
    assert d.status(ids["at"]) == "resolved"
    assert import_review_file(d.con, xlsx_path, default_reviewer="Office").recorded == []
    # the report written after the review shows the current disposition
    again = {r["finding_id"]: r for r in read_csv(
        write_week_reports(d.con, week(), tmp_path / "after", TZ)[0])}
    assert again[ids["at"]]["current_disposition"] == "remediated"
    assert again[ids["at"]]["current_reviewer"] == "Office"
    assert again[ids["at"]]["status"] == "resolved"


def test_a_bad_row_names_file_and_line_and_nothing_is_recorded(district, tmp_path):
    d, ids = district
    csv_path = write_week_reports(d.con, week(), tmp_path, TZ)[0]
    rows = read_csv(csv_path)
    fill_csv(csv_path, {rows[0]["finding_id"]: {"disposition": "confirmed", "reviewer": "Pat"},
                        rows[2]["finding_id"]: {"disposition": "fixed", "reviewer": "Pat"}})
    with pytest.raises(ReviewImportError) as caught:
        import_review_file(d.con, csv_path)
    assert f"{csv_path}:4: disposition 'fixed' is not one of" in str(caught.value)
    assert len(caught.value.problems) == 1
    assert trail(d.con) == []
    assert all(d.status(fid) == "open" for fid in ids.values())


def test_unknown_finding_missing_reviewer_and_orphan_note_are_errors(district, tmp_path):
    d, ids = district
    path = tmp_path / "edited.csv"
    path.write_text(
        "finding_id,disposition,reviewer,note\n"
        f"{ids['formula']},confirmed,Pat,ok\n"
        "0123456789abcdef0123456789abcdef,false_positive,Pat,\n"
        f"{ids['at']},remediated,,\n"
        f"{ids['threat']},,,forgot the disposition\n"
        f"{ids['formula']},remediated,Pat,twice\n", encoding="utf-8")
    with pytest.raises(ReviewImportError) as caught:
        import_review_file(d.con, path)
    problems = caught.value.problems
    assert problems[0].startswith(f"{path}:3: unknown finding_id '0123456789abcdef")
    assert problems[1] == f"{path}:4: no reviewer: fill in the reviewer column or pass --reviewer"
    assert problems[2].startswith(f"{path}:5: a note but no disposition")
    assert problems[3] == f"{path}:6: finding {ids['formula']} again (first on line 2)"
    assert trail(d.con) == []
    # the same file with a default reviewer and the mistakes fixed goes in
    path.write_text(f"finding_id,disposition,reviewer,note\n{ids['at']},remediated,,\n",
                    encoding="utf-8")
    assert len(import_review_file(d.con, path, default_reviewer="Office").recorded) == 1


def test_a_semicolon_csv_saved_by_a_european_excel_is_read(district, tmp_path):
    d, ids = district
    path = tmp_path / "edited.csv"
    path.write_bytes(("\ufefffinding_id;disposition;reviewer;note\r\n"
                      f"{ids['at']};False positive;Zoë;'=not spam\r\n").encode())
    (recorded,) = import_review_file(d.con, path).recorded
    assert (recorded.status, recorded.reviewer, recorded.note) == (
        "false_positive", "Zoë", "=not spam")
    # no content_sha256 column: the review covers the finding's content as it is now
    assert recorded.content_sha256 == d.con.execute(
        "SELECT content_sha256 FROM audit.findings WHERE finding_id = ?", [ids["at"]]).fetchone()[0]
    assert d.status(ids["at"]) == "dismissed"


def test_xlsx_errors_name_the_row_and_formulas_are_refused(district, tmp_path):
    d, ids = district
    xlsx_path = write_week_reports(d.con, week(), tmp_path, TZ)[1]
    fill_xlsx(xlsx_path, {ids["at"]: {"disposition": "=B2", "reviewer": "Pat"}})
    row = next(r[0].row for r in load_workbook(xlsx_path)["Findings"].iter_rows(min_row=2)
               if r[0].value == ids["at"])
    with pytest.raises(ReviewImportError) as caught:
        import_review_file(d.con, xlsx_path)
    assert caught.value.problems == [
        f"{xlsx_path}:{row}: column 'disposition' holds a formula; type the value instead"]
    assert trail(d.con) == []


def test_a_review_of_content_that_changed_since_the_report_leaves_it_open(district, tmp_path):
    d, ids = district
    csv_path = write_week_reports(d.con, week(), tmp_path, TZ)[0]
    d.edit("x:102", "different spam entirely", "spam_advertising")
    d.audit("r2")
    fill_csv(csv_path, {ids["at"]: {"disposition": "false_positive", "reviewer": "Pat"}})
    result = import_review_file(d.con, csv_path)
    assert len(result.recorded) == 1 and "content changed" in result.warnings[0]
    assert d.status(ids["at"]) == "open"
    # the analysts' weekly mart does not count the stale review as a review or a false positive
    rule = d.con.execute("SELECT rule FROM audit.findings WHERE finding_id = ?",
                         [ids["at"]]).fetchone()[0]
    assert d.con.execute(
        "SELECT sum(reviewed), sum(false_positives), sum(dismissed), sum(stale_reviews) "
        "FROM marts.findings_by_week WHERE rule = ?", [rule]).fetchone() == (0, 0, 0, 1)


def test_importing_an_older_report_warns_of_a_newer_decision(district, tmp_path):
    d, ids = district
    csv_path = write_week_reports(d.con, week(), tmp_path, TZ)[0]
    record_review(d.con, ids["threat"], "confirmed", note="police informed", reviewer="Lee")
    fill_csv(csv_path, {ids["threat"]: {"disposition": "false_positive", "reviewer": "Pat"}})
    result = import_review_file(d.con, csv_path)
    assert len(result.recorded) == 1
    assert result.warnings == [
        f"{csv_path}:2: finding {ids['threat']}: its disposition changed after the report was "
        "written (now confirmed by Lee); false_positive by Pat is recorded as the latest"]
    assert len(trail(d.con)) == 2  # both decisions are kept


def test_a_replaced_decision_imported_again_is_recorded_again(district, tmp_path):
    """false_positive (import) -> confirmed (CLI) -> the same false_positive (import): the last
    import changes the finding, so it is recorded and the finding is dismissed again."""
    d, ids = district
    fid = ids["threat"]
    decision = {fid: {"disposition": "false_positive", "reviewer": "Pat",
                      "note": "a sports idiom"}}
    first_file = fill_csv(write_week_reports(d.con, week(), tmp_path / "a", TZ)[0], decision)
    assert len(import_review_file(d.con, first_file, now=NOW).recorded) == 1
    assert d.status(fid) == "dismissed"
    record_review(d.con, fid, "confirmed", note="on second look, a threat", reviewer="Lee",
                  now=datetime(2026, 3, 17, tzinfo=UTC))
    assert d.status(fid) == "open"

    second_file = fill_csv(write_week_reports(d.con, week(), tmp_path / "b", TZ)[0], decision)
    again = import_review_file(d.con, second_file, now=datetime(2026, 3, 18, tzinfo=UTC))
    assert [(r.finding_id, r.status, r.reviewer) for r in again.recorded] == [
        (fid, "false_positive", "Pat")] and again.already_recorded == 0
    assert d.status(fid) == "dismissed"
    assert [(r[1], r[2], r[5]) for r in trail(d.con)] == [
        ("false_positive", "Pat", NOW),
        ("confirmed", "Lee", datetime(2026, 3, 17, tzinfo=UTC)),
        ("false_positive", "Pat", datetime(2026, 3, 18, tzinfo=UTC)),
    ]
    current = d.con.execute("SELECT status, reviewer FROM audit.current_dispositions "
                            "WHERE finding_id = ?", [fid]).fetchone()
    assert current == ("false_positive", "Pat")
    # and once it is the current disposition, the same file records nothing more
    third = import_review_file(d.con, second_file, now=datetime(2026, 3, 19, tzinfo=UTC))
    assert third.recorded == [] and third.already_recorded == 1
    assert len(trail(d.con)) == 3


def test_single_reviews_append_to_the_trail(district, monkeypatch):
    d, ids = district
    monkeypatch.setenv("SOCIALAUDIT_REVIEWER", "Casey")
    fid = ids["threat"]
    first = record_review(d.con, fid[:10], "false_positive", note="a sports idiom",
                          now=datetime(2026, 3, 10, tzinfo=UTC))
    assert first.finding_id == fid and first.finding_status == "dismissed"
    assert first.disposition is not None and first.disposition.reviewer == "Casey"
    # the same decision again is no new event
    assert record_review(d.con, fid, "false_positive", note="a sports idiom").disposition is None
    second = record_review(d.con, fid, "confirmed", note="on second look, a threat",
                           reviewer="Dana", now=datetime(2026, 3, 11, tzinfo=UTC))
    assert second.finding_status == "open"
    assert [(r[1], r[2], r[5]) for r in trail(d.con)] == [
        ("false_positive", "Casey", datetime(2026, 3, 10, tzinfo=UTC)),
        ("confirmed", "Dana", datetime(2026, 3, 11, tzinfo=UTC)),
    ]
    current = d.con.execute("SELECT status, reviewer FROM audit.current_dispositions "
                            "WHERE finding_id = ?", [fid]).fetchone()
    assert current == ("confirmed", "Dana")
    d.audit("r2")
    assert d.status(fid) == "open"
    with pytest.raises(ReviewError, match="no finding"):
        record_review(d.con, "ffffffffffff", "confirmed", note="x")
    with pytest.raises(ReviewError, match="status 'closed'"):
        record_review(d.con, fid, "closed", note="x")


# --- the command line --------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path):
    (tmp_path / "socialaudit.toml").write_text(
        '[district]\nname = "Test District"\ntimezone = "America/Chicago"\n'
        'policy_pack = "northwest-technology-center"\n\n[registry]\n'
        'accounts = "registry/accounts.csv"\n', encoding="utf-8")
    con = db.connect(tmp_path / "warehouse.duckdb")
    _, ids = build_district(con)
    csv_path = write_week_reports(con, week(), tmp_path / "reports", TZ)[0]
    con.close()
    return tmp_path, ids, csv_path


def open_trail(ws: Path, name: str = "warehouse.duckdb") -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(ws / name), read_only=True)
    try:
        return con.execute(TRAIL).fetchall()
    finally:
        con.close()


def test_cli_review_one_finding(workspace, capsys, monkeypatch):
    ws, ids, _ = workspace
    monkeypatch.setenv("SOCIALAUDIT_REVIEWER", "Casey")
    rc = main(["review", ids["at"], "--status", "remediated", "--note", "hidden",
               "--config", str(ws)])
    assert rc == 0
    assert "the finding is now resolved" in capsys.readouterr().out
    assert [(r[0], r[1], r[2], r[3], r[6]) for r in open_trail(ws)] == [
        (ids["at"], "remediated", "Casey", "hidden", "cli")]
    assert len(open_trail(ws, "snapshot.duckdb")) == 1  # republished for analysts
    assert main(["review", ids["at"], "--status", "remediated", "--config", str(ws)]) == 2
    assert "needs --status and --note" in capsys.readouterr().err
    assert main(["review", "deadbeefdead", "--status", "confirmed", "--note", "x",
                 "--config", str(ws)]) == 2
    assert "no finding 'deadbeefdead'" in capsys.readouterr().err


def test_cli_review_import(workspace, capsys):
    ws, ids, csv_path = workspace
    fill_csv(csv_path, {ids["formula"]: {"disposition": "false_positive"},
                        ids["threat"]: {"disposition": "confirmed", "reviewer": "Pat"}})
    assert main(["review", "import", str(csv_path), "--config", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "nothing recorded" in err and "no reviewer" in err
    assert open_trail(ws) == []
    args = ["review", "import", str(csv_path), "--reviewer", "Office", "--config", str(ws)]
    assert main([*args, "--dry-run"]) == 0
    assert "2 disposition(s) would be recorded" in capsys.readouterr().out
    assert open_trail(ws) == []
    assert main(args) == 0
    assert "2 disposition(s) recorded, 0 already recorded" in capsys.readouterr().out
    assert {(r[0], r[1], r[2]) for r in open_trail(ws)} == {
        (ids["formula"], "false_positive", "Office"), (ids["threat"], "confirmed", "Pat")}
    assert main(args) == 0
    assert "0 disposition(s) recorded, 2 already recorded" in capsys.readouterr().out
    assert len(open_trail(ws, "snapshot.duckdb")) == 2
