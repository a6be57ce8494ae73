"""Audit stage: detector signals (cached by content) and the policy pack's findings."""

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.resources import WorkspaceResource
from pipelines.stages import FINDINGS_SUMMARY, stage_rules, stage_signals
from warehouse.raw_store import new_run_id

WRITER_POOL = "duckdb_writer"

UNSCORED = """
SELECT count(*) FROM inputs i
WHERE NOT EXISTS (SELECT 1 FROM audit.subject_signals s
                  WHERE s.detector = $detector AND s.subject_id = i.subject_id
                    AND s.content_sha256 = i.content_sha256)
"""
FINDING_CLAUSES = "SELECT DISTINCT clause_id FROM audit.findings WHERE status = 'open'"


@asset(
    group_name="audit",
    deps=[AssetKey("core_media")],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    check_specs=[AssetCheckSpec("every_subject_scored", asset="signals", blocking=True)],
    description="Detector verdicts for every post, comment, thread and image, cached in "
    "audit.signals by content hash and detector version.",
)
def signals(context: AssetExecutionContext, workspace: WorkspaceResource):
    from checks.signals import inputs_sql

    config = workspace.load()
    con = workspace.connect()
    try:
        runs = stage_signals(config, con)
        unscored = {}
        for run in runs:
            con.execute(f"CREATE OR REPLACE TEMP TABLE inputs AS {inputs_sql(run.detector)}")
            unscored[run.detector] = con.execute(UNSCORED, {"detector": run.detector}).fetchone()[0]
    finally:
        con.close()
    for run in runs:
        context.log.info(f"{run.detector} {run.version}: {run.scored} scored of {run.subjects} "
                         f"subjects, {run.flagged} flagged, {run.seconds:.1f}s")
    yield MaterializeResult(metadata={
        run.detector: MetadataValue.json({"version": run.version, "subjects": run.subjects,
                                          "scored": run.scored, "flagged": run.flagged,
                                          "seconds": round(run.seconds, 2)})
        for run in runs})
    yield AssetCheckResult(check_name="every_subject_scored",
                           passed=not any(unscored.values()),
                           metadata={"unscored": MetadataValue.json(unscored)})


@asset(
    group_name="audit",
    deps=[AssetKey("signals")],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    check_specs=[AssetCheckSpec("findings_cite_the_active_pack", asset="findings",
                                blocking=True)],
    description="audit.findings: the active policy pack's rules over core and the signals, "
    "each finding citing the clause it enforces.",
)
def findings(context: AssetExecutionContext, workspace: WorkspaceResource):
    from checks.policy import load_pack

    config = workspace.load()
    pack = load_pack(config.policy_pack)
    con = workspace.connect()
    try:
        result = stage_rules(config, con, new_run_id("audit"))
        summary = con.execute(FINDINGS_SUMMARY).fetchall()
        cited = {r[0] for r in con.execute(FINDING_CLAUSES).fetchall()}
    finally:
        con.close()
    known = {clause.id for clause in pack.clauses}
    foreign = sorted(cited - known)
    if result.uncited:
        context.log.info(f"hits the pack does not cover (no finding): {result.uncited}")
    yield MaterializeResult(metadata={
        "open_by_rule_and_severity": MetadataValue.json(
            [{"rule": r, "severity": s, "findings": n} for r, s, n in summary]),
        "cleared": result.cleared,
        "policy_pack": pack.name,
    })
    yield AssetCheckResult(check_name="findings_cite_the_active_pack", passed=not foreign,
                           metadata={"clauses_not_in_pack": MetadataValue.json(foreign)})
