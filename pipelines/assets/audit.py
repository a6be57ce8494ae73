"""Audit stage: one asset per detector (signals cached by content) and the policy pack's
findings."""

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.resources import WorkspaceResource
from pipelines.stages import FINDINGS_SUMMARY, build_detectors, stage_rules, stage_signals
from warehouse.raw_store import new_run_id

WRITER_POOL = "duckdb_writer"

UNSCORED = """
SELECT count(*) FROM inputs i
WHERE NOT EXISTS (SELECT 1 FROM audit.subject_signals s
                  WHERE s.detector = $detector AND s.subject_id = i.subject_id
                    AND s.content_sha256 = i.content_sha256)
"""
FINDING_CLAUSES = "SELECT DISTINCT clause_id FROM audit.findings WHERE status = 'open'"


#: What each detector reads: the media stage for images, the normalized items for text.
DETECTOR_INPUTS = {"teacher-content": "core_items", "comment": "core_items",
                   "confidential": "core_items", "controversy": "core_items",
                   "faces": "core_media"}
DESCRIPTIONS = {
    "teacher-content": "whether each teacher-page post is about classroom or school activities",
    "comment": "the removal ground, if any, of each public comment",
    "confidential": "student personal information disclosed by district posts and replies",
    "controversy": "whether each district thread (post and the public's comments) is "
                   "controversial, now and as each district reply found it",
    "faces": "how many faces each image shows",
}


def signal_asset_name(detector: str) -> str:
    return "signals_" + detector.replace("-", "_")


def signals_asset(detector: str) -> AssetsDefinition:
    """One detector's verdicts, cached in audit.signals by content hash and version."""
    name = signal_asset_name(detector)

    @asset(
        name=name,
        group_name="audit",
        deps=[AssetKey(DETECTOR_INPUTS[detector])],
        pool=WRITER_POOL,
        kinds={"duckdb"},
        check_specs=[AssetCheckSpec("every_subject_scored", asset=name, blocking=True,
                                    description="every current subject has a verdict of "
                                    "this detector version")],
        description=f"Detector `{detector}`: {DESCRIPTIONS[detector]}; verdicts cached in "
        "audit.signals by content hash and detector version.",
    )
    def _signals(context: AssetExecutionContext, workspace: WorkspaceResource):
        from checks.signals import inputs_sql

        config = workspace.load()
        con = workspace.connect()
        try:
            (run,) = stage_signals(config, con,
                                   detectors=build_detectors(config, (detector,)))
            con.execute(f"CREATE OR REPLACE TEMP TABLE inputs AS {inputs_sql(detector)}")
            unscored = con.execute(UNSCORED, {"detector": detector}).fetchone()[0]
        finally:
            con.close()
        context.log.info(f"{detector} {run.version}: {run.scored} scored of {run.subjects} "
                         f"subjects, {run.flagged} flagged, {run.seconds:.1f}s")
        yield MaterializeResult(metadata={
            "version": run.version, "subjects": run.subjects, "scored": run.scored,
            "cached": run.subjects - run.scored, "flagged": run.flagged,
            "seconds": round(run.seconds, 2)})
        yield AssetCheckResult(check_name="every_subject_scored", passed=not unscored,
                               metadata={"unscored": unscored})

    return _signals


SIGNAL_ASSETS = [signals_asset(name) for name in DETECTOR_INPUTS]


@asset(
    group_name="audit",
    deps=[AssetKey(signal_asset_name(name)) for name in DETECTOR_INPUTS],
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
    for rule, note in result.notes.items():
        context.log.warning(f"{rule}: {note}")
    yield MaterializeResult(metadata={
        "open_by_rule_and_severity": MetadataValue.json(
            [{"rule": r, "severity": s, "findings": n} for r, s, n in summary]),
        "cleared": result.cleared,
        "policy_pack": pack.name,
    })
    yield AssetCheckResult(check_name="findings_cite_the_active_pack", passed=not foreign,
                           metadata={"clauses_not_in_pack": MetadataValue.json(foreign)})
