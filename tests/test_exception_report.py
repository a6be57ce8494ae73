"""The weekly exception report, CSV and XLSX, over a small warehouse the rules engine fills:
which findings belong to the week (district time zone), the columns, neutralized public text,
https-only hyperlinks and the spreadsheet furniture the office relies on."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from checks.engine import finding_id, run_rules
from checks.policy import load_pack
from dashboards.cells import FORMULA_TRIGGERS, neutralize, unneutralize
from dashboards.exception_report import (
    HEADERS,
    clean_text,
    safe_link,
    summarize_evidence,
    write_week_reports,
)
from dashboards.weeks import parse_week
from warehouse import db

NW = "northwest-technology-center"
TZ = "America/Chicago"
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 09:00 in Chicago: week 2026-W10
HOSTILE_LINK = '=HYPERLINK("http://evil")'


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class District:
    """A tiny district: one official X account, a post and public comments whose comment-detector
    signals are planted, so ``run_rules`` makes real findings."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        con.execute("INSERT INTO registry.designees VALUES ('D1', 'Pat', NULL, NULL, now())")
        con.execute("INSERT INTO registry.accounts VALUES ('x:1', 'x', '1', 'lincoln_hs', "
                    "'official', 'Lincoln HS', 'o', ['D1'], 'Lincoln', NULL, now())")
        self.item("x:100", "Game night Friday!", kind="post")

    def item(self, item_id: str, text: str, *, kind: str = "comment", at: datetime = T0,
             permalink: str | None = None) -> str:
        native = item_id.split(":")[1]
        self.con.execute(
            "INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id, "
            "account_id, author_id, author_is_district, parent_item_id, thread_root_id, "
            "created_at, text, permalink, first_seen_at, last_seen_at, content_fetched_at, "
            "last_page_id) VALUES (?, 'x', ?, ?, ?, 'x:1', ?, ?, ?, 'x:100', ?, ?, ?, ?, ?, ?, 1)",
            [item_id, kind, native, native, "x:1" if kind == "post" else f"x:9{native}",
             kind == "post", None if kind == "post" else "x:100", at, text,
             permalink or f"https://x.com/i/status/{native}", at, at, at])
        return item_id

    def flag(self, item_id: str, text: str, label: str) -> str:
        """Plant the comment detector's verdict on ``text`` for the item; return the finding id
        ``removable_comment`` gives it."""
        content = sha(text)
        self.con.execute("INSERT OR IGNORE INTO audit.signals VALUES ('comment', 'v1', ?, true, "
                         "?, 0.91, ['matched: ' || ?], '{}', now())", [content, label, text])
        self.con.execute("INSERT OR REPLACE INTO audit.subject_signals VALUES "
                         "('comment', ?, ?, 'v1')", [item_id, content])
        return finding_id("removable_comment", item_id, label)

    def comment(self, item_id: str, text: str, label: str, **kwargs) -> str:
        self.item(item_id, text, **kwargs)
        return self.flag(item_id, text, label)

    def edit(self, item_id: str, text: str, label: str) -> None:
        """The author edits the comment; the detector scores the new text."""
        self.con.execute("UPDATE core.items SET text = ? WHERE item_id = ?", [text, item_id])
        self.flag(item_id, text, label)

    def audit(self, run_id: str = "r1"):
        return run_rules(self.con, load_pack(NW), run_id)

    def status(self, fid: str) -> str:
        return self.con.execute("SELECT status FROM audit.findings WHERE finding_id = ?",
                                [fid]).fetchone()[0]


def build_district(con: duckdb.DuckDBPyConnection) -> tuple[District, dict[str, str]]:
    """Three findings in week 2026-W10 (one hostile formula, one hostile @, one threat with an
    http link) and one on Sunday evening local time, which is still 2026-W09."""
    d = District(con)
    ids = {
        "formula": d.comment("x:101", HOSTILE_LINK, "spam_advertising",
                             permalink="https://x.com/i/status/101"),
        "at": d.comment("x:102", "@SUM(1) buy followers\ncheap", "spam_advertising",
                        at=T0 + timedelta(days=2), permalink="http://insecure.example/102"),
        "threat": d.comment("x:103", "I know where that ref parks", "threat_violence",
                            # Sunday 23:00 local: CDT since 02:00 that day (DST)
                            at=T0 + timedelta(days=6, hours=13),
                            permalink="javascript:alert(1)"),
        "previous_week": d.comment("x:104", "-1 for this spam", "spam_advertising",
                                   at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC)),  # Sun 21:00 local
    }
    d.audit()
    return d, ids


@pytest.fixture
def district():
    con = db.memory()
    d, ids = build_district(con)
    yield d, ids
    con.close()


def week(name: str = "2026-W10"):
    return parse_week(name, TZ, datetime.now(UTC))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_reports_hold_the_week_in_local_time_with_every_column(district, tmp_path):
    d, ids = district
    paths = write_week_reports(d.con, week(), tmp_path / "reports", TZ)
    assert [p.name for p in paths] == ["exception-report-2026-W10.csv",
                                       "exception-report-2026-W10.xlsx"]
    rows = read_csv(paths[0])
    assert list(rows[0]) == list(HEADERS)
    for needed in ("finding_id", "rule", "kind", "severity", "status", "school", "account",
                   "platform", "item_created_local", "text_excerpt", "evidence_summary",
                   "clause_id", "clause_section", "clause_quote", "permalink",
                   "first_seen_local", "last_seen_local", "current_disposition",
                   "disposition", "reviewer", "note"):
        assert needed in HEADERS
    by_id = {r["finding_id"]: r for r in rows}
    # Sunday 21:00 local belongs to the week before, Sunday 23:00 local to this one
    assert set(by_id) == {ids["formula"], ids["at"], ids["threat"]}
    assert ids["previous_week"] in {r["finding_id"] for r in read_csv(
        write_week_reports(d.con, week("2026-W09"), tmp_path / "w09", TZ)[0])}
    threat = by_id[ids["threat"]]
    assert threat["item_created_local"] == "2026-03-08 23:00"
    assert threat["severity"] == "critical" and threat["rule"] == "removable_comment"
    assert threat["school"] == "Lincoln HS" and threat["account"] == "x:1"
    assert threat["clause_id"] and threat["clause_quote"]
    assert "ground: threat_violence" in threat["evidence_summary"]
    assert threat["status"] == "open" and threat["current_disposition"] == ""
    assert threat["disposition"] == threat["reviewer"] == threat["note"] == ""
    assert by_id[ids["at"]]["text_excerpt"] == "'@SUM(1) buy followers cheap"  # one line
    # critical first
    assert rows[0]["severity"] == "critical"

    wb = load_workbook(paths[1])
    ws = wb["Findings"]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert ws.max_row == 4
    created = ws.cell(row=2, column=HEADERS.index("item_created_local") + 1)
    assert created.value == datetime(2026, 3, 8, 23, 0) and "yyyy" in created.number_format


def test_public_text_is_neutralized_in_csv_and_xlsx(district, tmp_path):
    d, ids = district
    csv_path, xlsx_path = write_week_reports(d.con, week(), tmp_path, TZ)
    by_id = {r["finding_id"]: r for r in read_csv(csv_path)}
    assert by_id[ids["formula"]]["text_excerpt"] == "'" + HOSTILE_LINK
    assert by_id[ids["at"]]["text_excerpt"].startswith("'@SUM(1)")
    # the detector's reasons quote the comment too: also neutralized (inside the summary)
    for row in by_id.values():
        for value in row.values():
            assert not value.startswith(FORMULA_TRIGGERS), value
    ws = load_workbook(xlsx_path)["Findings"]
    texts = []
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate  # no formula anywhere
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_TRIGGERS), cell.value
                texts.append(cell.value)
    assert "'" + HOSTILE_LINK in texts


def test_only_https_permalinks_become_hyperlinks(district, tmp_path):
    d, ids = district
    xlsx_path = write_week_reports(d.con, week(), tmp_path, TZ)[1]
    ws = load_workbook(xlsx_path)["Findings"]
    column = HEADERS.index("permalink") + 1
    links = {}
    for row in range(2, ws.max_row + 1):
        fid = ws.cell(row=row, column=1).value
        cell = ws.cell(row=row, column=column)
        links[fid] = (cell.value, cell.hyperlink.target if cell.hyperlink else None)
    assert links[ids["formula"]] == ("https://x.com/i/status/101", "https://x.com/i/status/101")
    assert links[ids["at"]] == ("http://insecure.example/102", None)
    assert links[ids["threat"]] == ("javascript:alert(1)", None)
    assert all(target.startswith("https://") for cell_row in ws.iter_rows()
               for target in [c.hyperlink.target for c in cell_row if c.hyperlink])


def test_look_alike_hosts_never_become_hyperlinks(tmp_path):
    con = db.memory()
    d = District(con)
    for n, url in enumerate(LOOK_ALIKES, start=120):
        d.comment(f"x:{n}", f"spam number {n}", "spam_advertising", permalink=url)
    d.comment("x:130", "real spam", "spam_advertising", permalink="https://x.com/i/status/130")
    d.audit()
    ws = load_workbook(write_week_reports(con, week(), tmp_path, TZ)[1])["Findings"]
    targets = [c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink]
    assert targets == ["https://x.com/i/status/130"]
    shown = {ws.cell(row=r, column=HEADERS.index("permalink") + 1).value
             for r in range(2, ws.max_row + 1)}
    assert set(LOOK_ALIKES) <= shown  # still readable as text, just not clickable


SPREADSHEET_ATTACKS = {
    "x:140": " =1+2",
    "x:141": "\n=HYPERLINK(\"https://evil.example\",\"click\")",
    "x:142": "\t@SUM(A1)",
    "x:143": "\r\n  +cmd|' /C calc'!A0",
    "x:144": "\u3000\uff1d1+1",  # ideographic space, full-width equals sign
}


def test_every_cell_is_neutralized_and_one_line_in_csv_and_xlsx(tmp_path):
    """Leading whitespace before a formula character, and line breaks in columns that are not
    the post's text (school, handle), never reach a spreadsheet as such."""
    con = db.memory()
    d = District(con)
    con.execute("UPDATE registry.accounts SET school = ?, handle = ?",
                [" =cmd|' /C calc'!A0\r\nHigh", "\r\n-lincoln\thigh"])
    for item_id, text in SPREADSHEET_ATTACKS.items():
        d.comment(item_id, text, "spam_advertising")
    d.audit()
    csv_path, xlsx_path = write_week_reports(con, week(), tmp_path, TZ)

    def dangerous(value: str) -> bool:
        stripped = value.lstrip()
        return value[:1] in ("\t", "\r", "\n") or (
            bool(stripped) and stripped[0] in "=+-@\uff1d\uff0b\uff0d\uff20")

    rows = read_csv(csv_path)
    assert len(rows) == len(SPREADSHEET_ATTACKS)
    for row in rows:
        assert row["school"] == "'=cmd|' /C calc'!A0 High"
        assert row["account_handle"] == "'-lincoln high"
        assert row["text_excerpt"].startswith("'")
        for name, value in row.items():
            assert not dangerous(value), (name, value)
            assert "\r" not in value and "\n" not in value, (name, value)
    # the file itself: one physical line per finding, plus the header
    assert len(csv_path.read_text(encoding="utf-8-sig").splitlines()) == len(rows) + 1

    ws = load_workbook(xlsx_path)["Findings"]
    strings = 0
    for cells in ws.iter_rows(min_row=2):
        for c in cells:
            assert c.data_type != "f", c.coordinate
            if isinstance(c.value, str):
                strings += 1
                assert not dangerous(c.value), (c.coordinate, c.value)
                assert "\r" not in c.value and "\n" not in c.value, (c.coordinate, c.value)
    assert strings > 10 * len(SPREADSHEET_ATTACKS)
    texts = {c.value for c in ws["K"][1:]}  # text_excerpt
    assert "'=1+2" in texts and "'@SUM(A1)" in texts and "'\uff1d1+1" in texts


def test_xlsx_has_the_disposition_list_frozen_header_filter_and_widths(district, tmp_path):
    d, _ = district
    ws = load_workbook(write_week_reports(d.con, week(), tmp_path, TZ)[1])["Findings"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:Z4"
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1
    dv = validations[0]
    assert dv.type == "list"
    assert dv.formula1 == '"confirmed,false_positive,approved_after_the_fact,remediated"'
    letter = chr(ord("A") + HEADERS.index("disposition"))
    assert str(dv.sqref) == f"{letter}2:{letter}4"
    assert ws.column_dimensions["K"].width == 60  # text_excerpt
    assert "About" in load_workbook(write_week_reports(d.con, week(), tmp_path, TZ)[1]).sheetnames


def test_an_empty_week_still_writes_the_header(tmp_path):
    con = db.memory()
    csv_path, xlsx_path = write_week_reports(con, week(), tmp_path, TZ)
    assert read_csv(csv_path) == []
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[0].split(",") == list(HEADERS)
    assert [c.value for c in load_workbook(xlsx_path)["Findings"][1]] == list(HEADERS)
    assert not list(tmp_path.glob(".*.tmp"))


def test_control_characters_cannot_break_the_workbook(tmp_path):
    con = db.memory()
    d = District(con)
    d.comment("x:110", "bad\x00\x07 bytes\x1b[31m and\ttabs", "spam_advertising")
    d.audit()
    csv_path, xlsx_path = write_week_reports(con, week(), tmp_path, TZ)
    assert read_csv(csv_path)[0]["text_excerpt"] == "bad bytes[31m and tabs"
    cell = load_workbook(xlsx_path)["Findings"].cell(row=2, column=HEADERS.index(
        "text_excerpt") + 1)
    assert cell.value == "bad bytes[31m and tabs"


LOOK_ALIKES = ("https://evil.example/phish", "https://x.com.evil.example/",
               "https://facebook.com@evil.example/", "https://www.facebook.com.evil.example/p",
               "https://evilx.com/status/1", "https://x.com:8443/i/status/1",
               "https://instagram.com\\@evil.example/")


def test_helpers():
    assert safe_link("https://www.facebook.com/123/posts/456") == (
        "https://www.facebook.com/123/posts/456")
    for bad in ("http://x.com/1", "javascript:alert(1)", "https://", "https://a b.com/",
                'https://x.com/"onmouseover', "HYPERLINK", None, "ftp://x.com/1",
                *LOOK_ALIKES):
        assert safe_link(bad) is None, bad
    assert clean_text("a" * 400, 300) == "a" * 299 + "…"
    for attack in (" =1+2", "\n=1", "  \t-2", "\r@x", "\uff0b1", "=1", "\tplain"):
        assert neutralize(attack) == "'" + attack and unneutralize("'" + attack) == attack
    for harmless in ("a = b", "1-2", "'quoted", "", " ", "e-mail me"):
        assert neutralize(harmless) == harmless == unneutralize(harmless)
    evidence = json.dumps({"faces": 5, "consents": [{"consent_id": "PC-1", "state": "revoked"}],
                           "score": 0.912345, "empty": []})
    assert summarize_evidence(evidence) == (
        "faces: 5; consents: (consent_id=PC-1 state=revoked); score: 0.912")
