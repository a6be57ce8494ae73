"""Run the active policy pack's rules over the warehouse and keep ``audit.findings``.

Each rule is a SQL file in ``checks/rules/`` returning (kind, subject, item, content hash,
evidence). A finding about an item names it; a finding about an account itself
(``account_governance``) has no item, and its subject is the account's ``account_key``, from
which the platform, account and school are taken. The pack decides which rules run and, for each
kind of finding, the clause cited and the severity (``PolicyPack.cite``); a kind the pack does not
cover yields no finding. A finding's id is a hash of rule, subject and kind, so re-running
changes no ids and adds no duplicates. A finding the data no longer shows is marked ``cleared``
(never deleted). A rule that cannot look (``private_exchange_with_student`` without a roster,
``account_governance`` asked for Rules of Engagement links with no address configured or with
accounts whose profile was never captured) says so in ``RuleRun.notes`` instead of guessing.

Reviews (``audit.dispositions``) decide the status of a finding the data still shows: the latest
disposition ``false_positive`` makes it ``dismissed`` and ``remediated`` or
``approved_after_the_fact`` make it ``resolved``, as long as the finding's ``content_sha256`` is
the one the reviewer saw; a change of content (an edit, a re-scored image) opens it again.
``confirmed`` keeps it ``open``. So ``status = 'open'`` always means "needs attention".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb

from checks.policy import IMPLEMENTED_RULES, PolicyPack
from connectors.base import utcnow
from warehouse.killpoints import kill_point

DEFAULT_CONSENT_PATTERN = r"\b[A-Z]{1,5}-\d{4}-\d{2,6}\b"

SIGNAL_VIEW = """
CREATE OR REPLACE TEMP VIEW sig AS
SELECT ss.detector, ss.subject_id, s.content_sha256, s.flagged, s.label, s.score, s.reasons,
       s.details
FROM audit.subject_signals ss
JOIN audit.signals s ON s.detector = ss.detector AND s.detector_version = ss.detector_version
                    AND s.content_sha256 = ss.content_sha256
"""
STAGE_HITS = """
CREATE OR REPLACE TEMP TABLE hits (
    finding_id VARCHAR, rule VARCHAR, kind VARCHAR, severity VARCHAR, subject_id VARCHAR,
    item_id VARCHAR, content_sha256 VARCHAR, evidence VARCHAR, clause_id VARCHAR,
    clause_section VARCHAR, clause_quote VARCHAR)
"""
UPSERT_FINDINGS = """
INSERT INTO audit.findings
SELECT h.finding_id, h.rule, h.kind, h.severity, coalesce(i.platform, a.platform),
       coalesce(i.account_id, a.account_key), a.school,
       h.subject_id, h.item_id, i.permalink, i.created_at, h.content_sha256, h.evidence::JSON,
       $pack, h.clause_id, h.clause_section, h.clause_quote, 'open', $now, $now, $run_id
FROM hits h
LEFT JOIN core.items i ON i.item_id = h.item_id
LEFT JOIN registry.accounts a
       ON a.account_key = coalesce(i.account_id, CASE WHEN h.item_id IS NULL THEN h.subject_id END)
ON CONFLICT (finding_id) DO UPDATE SET
    severity = excluded.severity, evidence = excluded.evidence,
    content_sha256 = excluded.content_sha256, clause_id = excluded.clause_id,
    clause_section = excluded.clause_section, clause_quote = excluded.clause_quote,
    policy_pack = excluded.policy_pack, permalink = excluded.permalink, status = 'open',
    last_seen_at = excluded.last_seen_at, last_run_id = excluded.last_run_id
"""
CLEAR_GONE = """
UPDATE audit.findings SET status = 'cleared', last_run_id = $run_id
WHERE status IN ('open', 'dismissed', 'resolved') AND list_contains($rules, rule)
  AND finding_id NOT IN (SELECT finding_id FROM hits)
"""
# A finding the data still shows is open, dismissed or resolved, from its latest disposition.
APPLY_REVIEWS = """
UPDATE audit.findings SET status = r.new_status
FROM (
    SELECT f.finding_id,
           CASE WHEN d.content_sha256 IS NOT DISTINCT FROM f.content_sha256
                     AND d.status = 'false_positive' THEN 'dismissed'
                WHEN d.content_sha256 IS NOT DISTINCT FROM f.content_sha256
                     AND d.status IN ('remediated', 'approved_after_the_fact') THEN 'resolved'
                ELSE 'open' END AS new_status
    FROM audit.findings f
    LEFT JOIN audit.current_dispositions d ON d.finding_id = f.finding_id
    WHERE f.status IN ('open', 'dismissed', 'resolved')
) r
WHERE audit.findings.finding_id = r.finding_id AND audit.findings.status <> r.new_status
"""
ROSTER_SIZE = "SELECT count(*) FROM registry.roster"
# Accounts the pack asks a Rules of Engagement link of whose profile was never captured.
PROFILES_MISSING = """
SELECT a.account_key FROM registry.accounts a
WHERE list_contains(CAST($kinds AS VARCHAR[]), a.kind)
  AND a.account_key NOT IN (SELECT account_id FROM core.account_profiles)
ORDER BY a.account_key
"""
NO_ROE_URLS = ("the policy asks a Rules of Engagement link of each page, but socialaudit.toml "
               "gives no [checks] rules_of_engagement_urls (where the district publishes them): "
               "no profile was checked for the link")
NO_ROSTER = ("registry.roster is empty: no commenter can be recognised as a student, so this rule "
             "found nothing; load the district's hashed roster (roster.csv)")
COUNT_REVIEWED_HITS = """
SELECT count(*) FROM audit.findings
WHERE status IN ('dismissed', 'resolved') AND finding_id IN (SELECT finding_id FROM hits)
"""


def apply_reviews(con: duckdb.DuckDBPyConnection) -> int:
    """Set the status of every finding the data still shows from its latest disposition (see the
    module docstring); return how many changed. Runs inside the caller's transaction."""
    changed = con.execute(APPLY_REVIEWS).fetchone()
    return int(changed[0]) if changed else 0


def rule_sql(rule: str) -> str:
    return resources.files("checks").joinpath(f"rules/{rule}.sql").read_text("utf-8")


def finding_id(rule: str, subject_id: str, kind: str) -> str:
    return hashlib.sha256(f"{rule}\x1f{subject_id}\x1f{kind}".encode()).hexdigest()[:32]


def _roe_accounts(pack: PolicyPack) -> list[str]:
    """The account kinds the pack asks a Rules of Engagement link of (none: it asks none)."""
    return list(pack.merged_params("account_governance").get("roe_link_accounts") or [])


def _missing_profiles_note(missing: list[str]) -> str:
    listed = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
    return (f"{len(missing)} account(s) the policy asks a Rules of Engagement link of have no "
            f"captured profile, so their link was not checked: {listed} (not captured yet, or "
            "their profile lookup failed: raw.fetch_log says why)")


def _rule_params(rule: str, pack: PolicyPack, consent_pattern: str,
                 roe_urls: Sequence[str] = ()) -> dict[str, Any]:
    params = pack.merged_params(rule)
    if rule == "account_governance":
        return {"roe_urls": list(roe_urls),
                "roe_accounts": _roe_accounts(pack) if roe_urls else []}
    if rule == "student_media_without_consent":
        # the media a lone face makes a "single student" finding on: the types of the binding
        # that covers it, not those of all bindings (a district may read "photo" literally)
        single = pack.cite(rule, "single_student")
        single_types = single.params.get("media_types") if single and "single_student" in \
            single.kinds else None
        return {"consent_pattern": consent_pattern,
                "consent_scope": params.get("consent_scope", "social_media"),
                "media_types": list(params.get("media_types", ["photo", "video"])),
                "single_media_types": list(single_types or ["photo", "video"])}
    if rule == "unchecked_media":
        return {"media_types": list(params.get("media_types", ["photo", "video"]))}
    if rule == "unapproved_controversial_reply":
        return {"applies_to_accounts": list(params.get("applies_to_accounts",
                                                       ["official", "teacher_page"]))}
    if rule == "private_exchange_with_student":
        return {"max_replies": params.get("max_replies_to_one_student"),
                "window_days": params["window_days"],
                "min_exchange_replies": params["min_exchange_replies"]}
    if rule == "undocumented_removal":
        return {"allowed_grounds": list(params["allowed_grounds"]),
                "actions": list(params["actions"])}
    if rule == "media_attention":
        return {name: params[name] for name in ("baseline_days", "min_history", "min_ratio",
                                                "min_robust_z", "min_engagement")}
    return {}


@dataclass
class RuleRun:
    run_id: str
    by_rule: dict[str, int] = field(default_factory=dict)
    uncited: dict[str, int] = field(default_factory=dict)  # hits whose kind the pack omits
    cleared: int = 0
    reviewed: int = 0  # hits not raised again: dismissed or resolved for unchanged content
    notes: dict[str, str] = field(default_factory=dict)  # rule -> why it could not look


def run_rules(
    con: duckdb.DuckDBPyConnection,
    pack: PolicyPack,
    run_id: str,
    *,
    consent_pattern: str = DEFAULT_CONSENT_PATTERN,
    roe_urls: Sequence[str] = (),
) -> RuleRun:
    """Evaluate every implemented rule the pack enables; write findings in one transaction.

    ``roe_urls``: where the district publishes its Rules of Engagement (``[checks]
    rules_of_engagement_urls``), for a pack that asks pages to link to them."""
    result = RuleRun(run_id)
    enabled = [r for r in IMPLEMENTED_RULES if r in pack.enabled_rules()]
    con.execute(SIGNAL_VIEW)
    staged: list[tuple[Any, ...]] = []
    for rule in enabled:
        if rule == "private_exchange_with_student" and not con.execute(ROSTER_SIZE).fetchone()[0]:
            result.notes[rule] = NO_ROSTER
        if rule == "account_governance" and _roe_accounts(pack):
            if not roe_urls:
                result.notes[rule] = NO_ROE_URLS
            elif missing := [r[0] for r in con.execute(
                    PROFILES_MISSING, {"kinds": _roe_accounts(pack)}).fetchall()]:
                result.notes[rule] = _missing_profiles_note(missing)
        cursor = con.execute(rule_sql(rule), _rule_params(rule, pack, consent_pattern, roe_urls))
        for kind, subject_id, item_id, content_sha, evidence in cursor.fetchall():
            binding = pack.cite(rule, kind)
            if binding is None:
                result.uncited[f"{rule}/{kind}"] = result.uncited.get(f"{rule}/{kind}", 0) + 1
                continue
            staged.append((finding_id(rule, subject_id, kind), rule, kind, binding.severity,
                           subject_id, item_id, content_sha,
                           evidence if isinstance(evidence, str) else json.dumps(evidence),
                           binding.clause_id, binding.section, binding.quote))
            result.by_rule[rule] = result.by_rule.get(rule, 0) + 1
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(STAGE_HITS)
        if staged:
            con.executemany("INSERT INTO hits VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", staged)
        params = {"pack": pack.name, "now": utcnow(), "run_id": run_id}
        con.execute(UPSERT_FINDINGS, params)
        apply_reviews(con)
        result.reviewed = con.execute(COUNT_REVIEWED_HITS).fetchone()[0]
        before = con.execute("SELECT count(*) FROM audit.findings WHERE status = 'cleared'")
        before = before.fetchone()[0]
        con.execute(CLEAR_GONE, {"run_id": run_id, "rules": enabled})
        after = con.execute("SELECT count(*) FROM audit.findings WHERE status = 'cleared'")
        result.cleared = after.fetchone()[0] - before
        kill_point("rules:before_commit")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return result
