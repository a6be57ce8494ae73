"""On the simulated district, every planted violation of the five content rules is found:
the whole pipeline (real clients, normalizer, detectors, rules, the workspace's policy pack)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from connectors.simulated import generate_world, write_workspace
from pipelines import stages
from pipelines.config import load_config
from pipelines.platforms import platform_access
from tests.once import once

RULES = ("teacher_page_non_school", "student_media_without_consent",
         "unapproved_controversial_reply", "removable_comment", "confidential_disclosure")
# the simulator's problem names where they differ from the policy packs'
KIND_ALIASES = {"scope": "wrong_scope", "dob": "dob", "contact": "contact", "address": "address"}


def audit_district(out: Path):
    """Seed 3 captured, normalized and audited under its workspace's pack; its ground truth."""
    world = generate_world(seed=3, scale=1.0)
    config = load_config(write_workspace(world, out))
    con = stages.open_warehouse(config)
    try:
        stages.stage_registry(config, con)
        access = platform_access(config)
        stages.stage_ingest(config, con, access, "gt-1")
        stages.stage_normalize(con)
        stages.stage_media(config, con, access)
        stages.stage_signals(config, con)
        stages.stage_rules(config, con, "gt-1")
    finally:
        con.close()
    truth = [json.loads(line) for line in
             (out / "simulated" / "ground_truth.jsonl").read_text().splitlines()]
    return config, truth


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    config, truth = once(tmp_path_factory, "ground-truth-seed-3", audit_district)
    con = duckdb.connect(str(config.warehouse_path), read_only=True)
    yield config, con, truth
    con.close()


#: what the committed detectors miss on this district, found and reported (checks/README.md);
#: nothing since comment version 7 (version 6 left "What channel is the OU game on?" alone)
KNOWN_MISSES: dict[str, int] = {}


def _missed(district, rule):
    config, con, truth = district
    planted = [t for t in truth if t["rule"] == rule and t["item_native_id"]]
    assert planted, f"the simulator plants {rule}"
    subjects = {r[0] for r in con.execute(
        "SELECT subject_id FROM audit.findings WHERE rule = ? AND status = 'open'",
        [rule]).fetchall()}
    return planted, [t for t in planted
                     if f"{t['platform']}:{t['item_native_id']}" not in subjects]


@pytest.mark.parametrize("rule", RULES)
def test_planted_violations_are_found(district, rule):
    planted, missed = _missed(district, rule)
    assert len(missed) <= KNOWN_MISSES.get(rule, 0), \
        f"{len(missed)} of {len(planted)} planted {rule} missed: {missed[:5]}"
    if rule == "removable_comment":
        assert {t["detail"]["ground"] for t in missed} <= {"off_topic", "illegal_activity"}, missed


def test_every_planted_removable_comment_is_found(district):
    planted, missed = _missed(district, "removable_comment")
    assert not missed


@pytest.mark.parametrize("rule", [r for r in RULES if r != "removable_comment"])
def test_every_planted_violation_is_found(district, rule):
    config, con, truth = district
    planted = [t for t in truth if t["rule"] == rule and t["item_native_id"]]
    assert planted, f"the simulator plants {rule}"
    found = {(r[0], r[1]) for r in con.execute(
        "SELECT subject_id, kind FROM audit.findings WHERE rule = ? AND status = 'open'",
        [rule]).fetchall()}
    subjects = {s for s, _ in found}
    missed = [t for t in planted
              if f"{t['platform']}:{t['item_native_id']}" not in subjects]
    assert not missed, f"{len(missed)} of {len(planted)} planted {rule} missed: {missed[:5]}"


def test_media_problems_are_named_like_the_planted_ones(district):
    config, con, truth = district
    planted = Counter()
    for t in truth:
        if t["rule"] == "student_media_without_consent":
            problem = KIND_ALIASES.get(t["detail"]["problem"], t["detail"]["problem"])
            subject = f"{t['platform']}:{t['item_native_id']}"
            got = {r[0] for r in con.execute(
                "SELECT kind FROM audit.findings WHERE rule = 'student_media_without_consent' "
                "AND subject_id = ?", [subject]).fetchall()}
            planted[problem in got] += 1
    assert planted[False] == 0, planted


def test_findings_cite_the_workspace_pack(district):
    config, con, _ = district
    packs = {r[0] for r in con.execute("SELECT DISTINCT policy_pack FROM audit.findings")
             .fetchall()}
    assert packs == {config.policy_pack}
