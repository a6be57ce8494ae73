"""On the simulated district (seeds 3 and 7), every planted violation of the four rules that read
no text detector is found, and what else they find is accounted for: removals, engagement
spikes, exchanges with students and account governance, through the real clients, normalizer,
comment detector (removal grounds) and rules, with the workspace's policy pack (Metro), and the
Rules of Engagement links each page needs with Northwest's (Metro's text asks none).

The district is captured twice: at the end of the simulated weeks, and four days later, when
the simulator's late hides and deletions have happened. Deletions and hiding are observed by
re-reading threads, so the workspace re-reads every thread of the simulated quarter (its reply
and comment windows cover it); with the default windows only removals in threads of the last
one or two weeks can be seen.

One test per seed runs every check (``check_*``), so that a parallel run builds each district
once.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from checks.engine import run_rules
from checks.policy import UNCHECKABLE_GOVERNANCE, load_pack
from connectors.simulated import SimulatedPlatforms, generate_world, write_workspace
from pipelines import stages
from pipelines.config import load_config
from pipelines.platforms import simulated_access

WINDOW_DAYS = 120  # more than the 13 simulated weeks


def audited_district(seed: int, out):
    """(config, warehouse, ground truth, rule run) of a district captured twice and audited."""
    world = generate_world(seed=seed, scale=1.0)
    path = write_workspace(world, out)
    text = path.read_text(encoding="utf-8")
    text = text.replace("[sources.x]\n", f"[sources.x]\nreply_window_days = {WINDOW_DAYS}\n")
    text = text.replace("[sources.meta]\n",
                        f"[sources.meta]\ncomment_window_days = {WINDOW_DAYS}\n")
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    access = simulated_access(SimulatedPlatforms(world, [], photo_dir=out / "photos"))
    con = stages.open_warehouse(config)
    stages.stage_registry(config, con)
    stages.stage_ingest(config, con, access, "gt-1")
    stages.stage_normalize(con)
    world.advance(timedelta(days=4))
    stages.stage_ingest(config, con, access, "gt-2")
    stages.stage_normalize(con)
    stages.stage_signals(config, con, detectors=stages.build_detectors(config, ("comment",)))
    result = stages.stage_rules(config, con, "gt-2")
    truth = [json.loads(line) for line in
             (out / "simulated" / "ground_truth.jsonl").read_text().splitlines()]
    return config, con, truth, result


@pytest.mark.parametrize("seed", [3, 7])
def test_every_planted_violation_is_found_and_nothing_unexplained(seed, tmp_path):
    district = audited_district(seed, tmp_path)
    try:
        check_the_pack_runs_the_four_rules_and_the_roster_is_there(district)
        check_undocumented_removals(district)
        check_media_attention(district)
        check_private_exchanges_with_students(district)
        check_account_governance(district)
        check_rules_of_engagement_links(district)  # last: it audits with another pack
    finally:
        district[1].close()


def findings(con, rule: str) -> dict[str, tuple[str, dict]]:
    """subject -> (kind, evidence) of the rule's open findings."""
    return {s: (k, json.loads(e)) for s, k, e in con.execute(
        "SELECT subject_id, kind, CAST(evidence AS VARCHAR) FROM audit.findings "
        "WHERE rule = ? AND status = 'open'", [rule]).fetchall()}


def item(t: dict) -> str:
    return f"{t['platform']}:{t['item_native_id']}"


def check_the_pack_runs_the_four_rules_and_the_roster_is_there(district) -> None:
    config, _, _, result = district
    enabled = load_pack(config.policy_pack).enabled_rules()
    for rule in ("undocumented_removal", "media_attention", "private_exchange_with_student",
                 "account_governance"):
        assert rule in enabled
    assert result.notes == {}


def check_undocumented_removals(district) -> None:
    """Every removal with no ground is found; a removal with a ground is found only when the
    comment detector gives it none the pack allows; nothing that was not removed is found."""
    config, con, truth, _ = district
    removals = {item(t): t for t in truth if t["rule"] == "undocumented_removal"}
    planted = [s for s, t in removals.items() if t["detail"]["justified_ground"] is None]
    assert planted and len(removals) > len(planted)
    found = findings(con, "undocumented_removal")
    allowed = set(load_pack(config.policy_pack).merged_params(
        "undocumented_removal")["allowed_grounds"])
    missed = [s for s in planted if s not in found]
    assert not missed, f"{len(missed)} of {len(planted)} planted removals missed: {missed}"
    assert set(found) <= set(removals), "a comment that was never removed"
    for subject, (kind, _) in found.items():
        action = removals[subject]["detail"]["action"]
        assert kind == action, (subject, kind, action)
    for subject in set(found) - set(planted):  # a ground the detector did not see
        detector = found[subject][1]["comment_detector"]
        assert detector is None or detector["label"] not in allowed, subject


def check_media_attention(district) -> None:
    _, con, truth, _ = district
    planted = {item(t) for t in truth if t["rule"] == "media_attention"}
    assert planted
    found = findings(con, "media_attention")
    assert planted <= set(found), f"missed: {planted - set(found)}"
    assert set(found) == planted, f"unplanted spikes: {set(found) - planted}"


def check_private_exchanges_with_students(district) -> None:
    """Each planted exchange is found both as a one-to-one conversation and as too many replies
    to one student in a week (the pack allows five); every finding is about a planted one."""
    _, con, truth, _ = district
    planted = [t for t in truth if t["rule"] == "private_exchange_with_student"]
    assert planted
    found = findings(con, "private_exchange_with_student")
    for t in planted:
        replies = {f"{t['platform']}:{r}" for r in t["detail"]["teacher_reply_ids"]}
        kinds = {kind for kind, evidence in found.values()
                 if replies & set(evidence["reply_ids"])}
        assert kinds == {"one_to_one", "excessive_replies"}, (t["detail"]["thread"], kinds)
        one = [e for k, e in found.values() if k == "one_to_one"
               and replies & set(e["reply_ids"])]
        assert set(one[0]["reply_ids"]) == replies
    planted_replies = {f"{t['platform']}:{r}" for t in planted
                       for r in t["detail"]["teacher_reply_ids"]}
    extra = [s for s, (_, e) in found.items() if not planted_replies & set(e["reply_ids"])]
    assert not extra, f"unplanted exchanges: {extra}"


def check_account_governance(district) -> None:
    """Every official account planted without a designee admin is found and nothing else (Metro
    asks no Rules of Engagement link); the problems left are the ones no captured data can show
    (manual in the packs)."""
    _, con, truth, _ = district
    rows = [t for t in truth if t["rule"] == "account_governance"]
    planted = {f"{t['platform']}:{t['account_id']}" for t in rows
               if t["detail"]["problem"] == "no_designee_admin"}
    assert planted
    assert set(findings(con, "account_governance")) == planted
    assert {t["detail"]["problem"] for t in rows} - {
        "no_designee_admin", "no_rules_of_engagement_link"} <= set(UNCHECKABLE_GOVERNANCE)


def check_rules_of_engagement_links(district) -> None:
    """Audited with Northwest's pack (a Rules of Engagement link on each page) and the
    workspace's address: every registered account planted without the link, official or
    teacher page, is found from its captured profile, and no other account; every account's
    profile was captured, so the run has nothing to say about missing ones."""
    config, con, truth, _ = district
    assert config.rules_of_engagement_urls  # the workspace names the district's address
    result = run_rules(con, load_pack("northwest-technology-center"), "gt-nw",
                       roe_urls=config.rules_of_engagement_urls)
    assert "account_governance" not in result.notes
    planted = {f"{t['platform']}:{t['account_id']}": t["detail"] for t in truth
               if t["rule"] == "account_governance"
               and t["detail"]["problem"] == "no_rules_of_engagement_link"}
    assert {d["kind"] for d in planted.values()} == {"official", "teacher_page"}
    found = findings(con, "account_governance")
    missed = set(planted) - set(found)
    assert not missed, f"planted accounts without the link not found: {missed}"
    assert set(found) == set(planted), f"flagged with the link: {set(found) - set(planted)}"
    assert {kind for kind, _ in found.values()} == {"no_rules_of_engagement_link"}
    roe = config.rules_of_engagement_urls[0].removeprefix("https://")
    for subject, (_, evidence) in found.items():
        assert evidence["handle"] == planted[subject]["handle"]
        assert not any(roe in link for link in evidence["links"])
    # the others carry it: in the bio, or as the website (Facebook's possibly without a scheme)
    linked = {a for a, links in con.execute(
        "SELECT account_id, links FROM core.account_profiles").fetchall()
              if any(link.removeprefix("https://") == roe for link in links)}
    registered = {r[0] for r in con.execute("SELECT account_key FROM registry.accounts")
                  .fetchall()}
    assert linked == registered - set(planted)
