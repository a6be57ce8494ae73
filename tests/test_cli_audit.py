"""The audit's command line: ``classify`` on your own JSON lines and ``findings`` listings."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from connectors.simulated import generate_world, write_workspace
from pipelines import stages
from pipelines.cli import main
from pipelines.config import load_config

SCHOOL_POST = "Our 3rd graders presented their volcano projects at the science fair today!"
PERSONAL_POST = "Selling my 2015 Honda Civic, 90k miles, great condition. DM me for the price."


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_classify_writes_one_verdict_per_input_in_order(tmp_path, capsys):
    path = _write(tmp_path, [json.dumps({"id": "a", "text": SCHOOL_POST}),
                             json.dumps({"id": 7, "text": PERSONAL_POST})])
    assert main(["classify", "teacher-content", "--input", str(path)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", 7]
    assert set(out[0]) == {"id", "flagged", "label", "score", "reasons"}
    assert (out[0]["flagged"], out[1]["flagged"]) == (False, True)
    assert out[1]["label"] == "non_school" and isinstance(out[1]["score"], float)


def test_classify_reports_bad_lines_with_their_numbers_and_exits_1(tmp_path, capsys):
    path = _write(tmp_path, [
        json.dumps({"id": "ok1", "text": SCHOOL_POST}),
        "{not json",
        "",
        json.dumps({"id": "no-text"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "ok2", "text": PERSONAL_POST}),
    ])
    assert main(["classify", "teacher-content", "--input", str(path)]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["ok1", "ok2"]
    for number in (2, 4, 5):
        assert f"line {number}:" in captured.err
    assert "line 1:" not in captured.err and "line 6:" not in captured.err
    assert "3 line(s) skipped" in captured.err


def test_classify_threads_accept_comment_strings_or_objects(tmp_path, capsys):
    thread = {"id": "t1", "post": "The board will vote on the new bell schedule Tuesday.",
              "comments": ["This is outrageous, nobody asked parents!",
                           {"text": "Recall the board. Every one of them."},
                           {"text": "Worst decision ever, my kids will suffer"}]}
    path = _write(tmp_path, [json.dumps(thread),
                             json.dumps({"id": "t2", "post": "x", "comments": [{"no": "text"}]})])
    assert main(["classify", "controversy", "--input", str(path), "--output",
                 str(tmp_path / "out.jsonl")]) == 1
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["id"] for o in out] == ["t1"]
    assert out[0]["label"] in {"controversial", "not_controversial"}
    assert "line 2:" in capsys.readouterr().err


def test_classify_unknown_rule_is_refused(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["classify", "astrology"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    out = tmp_path_factory.mktemp("findings")
    config = load_config(write_workspace(generate_world(seed=5, scale=0.1), out))
    con = stages.open_warehouse(config)
    rows = [
        ("f-crit", "removable_comment", "threat_violence", "critical", "x:1",
         datetime(2026, 11, 10, 15, tzinfo=UTC), "=cmd|' /C calc'!A0"),
        ("f-high", "confidential_disclosure", "grades", "high", "x:2",
         datetime(2026, 11, 11, 15, tzinfo=UTC), "Grades posted"),
        ("f-old", "teacher_page_non_school", "non_school", "medium", "x:3",
         datetime(2026, 10, 1, 15, tzinfo=UTC), "@everyone yard sale"),
    ]
    for fid, rule, kind, severity, item, created, text in rows:
        con.execute("""
            INSERT INTO core.items (item_id, platform, kind, native_id, current_native_id,
                account_id, author_is_district, created_at, text, first_seen_at, last_seen_at,
                content_fetched_at, last_page_id)
            VALUES (?, 'x', 'post', ?, ?, 'x:acct', false, ?, ?, ?, ?, ?, 1)
        """, [item, item[2:], item[2:], created, text, created, created, created])
        con.execute("""
            INSERT INTO audit.findings (finding_id, rule, kind, severity, platform, account_id,
                subject_id, item_id, item_created_at, evidence, policy_pack, clause_id, status,
                first_seen_at, last_seen_at, last_run_id)
            VALUES (?, ?, ?, ?, 'x', 'x:acct', ?, ?, ?, ?, 'test', 'C1', 'open', ?, ?, 'r1')
        """, [fid, rule, kind, severity, item, item, created,
              json.dumps({"score": 0.9}), created, created])
    stages.publish(config, con)
    con.close()
    return config


def test_findings_json_filters_by_rule_and_week(workspace, capsys):
    config = str(workspace.path)
    assert main(["findings", "--config", config, "--format", "json"]) == 0
    everything = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [f["finding_id"] for f in everything] == ["f-crit", "f-high", "f-old"]  # severity order
    assert everything[0]["evidence"] == {"score": 0.9}

    assert main(["findings", "--config", config, "--format", "json",
                 "--rule", "confidential_disclosure"]) == 0
    assert [json.loads(x)["finding_id"] for x in capsys.readouterr().out.splitlines()] == [
        "f-high"]
    assert main(["findings", "--config", config, "--format", "json", "--week", "2026-W46"]) == 0
    assert {json.loads(x)["finding_id"] for x in capsys.readouterr().out.splitlines()} == {
        "f-crit", "f-high"}
    assert main(["findings", "--config", config, "--format", "json", "--week", "2026-10-01"]) == 0
    assert [json.loads(x)["finding_id"] for x in capsys.readouterr().out.splitlines()] == ["f-old"]


def test_findings_csv_neutralizes_public_text_and_table_lists_them(workspace, capsys,
                                                                      monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    config = str(workspace.path)
    assert main(["findings", "--config", config, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    texts = {r["finding_id"]: r["text"] for r in rows}
    assert texts["f-crit"] == "'=cmd|' /C calc'!A0"
    assert texts["f-old"] == "'@everyone yard sale"
    assert main(["findings", "--config", config]) == 0
    table = capsys.readouterr().out
    assert "3 finding(s)" in table and "threat_violence" in table


def test_findings_bad_week_is_a_clear_error(workspace, capsys):
    assert main(["findings", "--config", str(workspace.path), "--week", "last tuesday"]) == 2
    assert "--week" in capsys.readouterr().err


def test_findings_unknown_rule_is_a_clear_error(workspace, capsys):
    assert main(["findings", "--config", str(workspace.path), "--rule", "removable_coment"]) == 2
    err = capsys.readouterr().err
    assert "unknown rule 'removable_coment'" in err and "removable_comment" in err
