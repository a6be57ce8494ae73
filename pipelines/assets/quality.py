"""Data quality asset checks: great_expectations suites on the registry, raw, core and findings.

One ``@multi_asset_check`` per stage runs the suites of ``warehouse/quality.py`` for its
assets and reports every expectation as its own check on the asset that writes the table, so
the UI shows which table and which expectation failed. Checks whose failure would make findings
wrong are ``blocking`` (severity ERROR): Dagster then skips the assets downstream. The others
warn. The three raw assets share one op (great_expectations is slow to import; one import per
op). The checks read DuckDB, so they run in the ``duckdb_writer`` pool like the writers: DuckDB
lets no other process open a file that a writer holds.
"""

from collections.abc import Iterable, Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from pipelines.resources import WorkspaceResource
from warehouse.quality import CheckResult, checks_by_asset

WRITER_POOL = "duckdb_writer"

STAGES: dict[str, tuple[str, ...]] = {
    "registry_quality": ("registry",),
    "raw_quality": ("raw_x", "raw_facebook", "raw_instagram"),
    "core_items_quality": ("core_items",),
    "core_media_quality": ("core_media",),
    "findings_quality": ("findings",),
}


def run_checks(workspace: WorkspaceResource, assets: Iterable[str]) -> list[CheckResult]:
    """Validate the tables of ``assets`` on a read-only connection to the warehouse."""
    from checks.policy import load_pack
    from warehouse.db import connect
    from warehouse.quality import validate

    config = workspace.load()
    pack = load_pack(config.policy_pack)
    con = connect(config.warehouse_path, read_only=True)
    try:
        return validate(con, pack, assets=assets)
    finally:
        con.close()


def check_result(result: CheckResult) -> AssetCheckResult:
    """One quality result as Dagster's check result: counts, a sample of failing rows, why."""
    return AssetCheckResult(
        asset_key=AssetKey(result.asset),
        check_name=result.name,
        passed=result.success,
        severity=AssetCheckSeverity.ERROR if result.blocking else AssetCheckSeverity.WARN,
        description=result.why,
        metadata={
            "table": result.table,
            "expectation": result.expectation,
            "rows_checked": result.checked,
            "rows_failed": result.failed,
            "sample": MetadataValue.json(list(result.sample)),
            "error": result.error or "",
            "batches": result.batches,
        },
    )


def _quality_check(name: str, assets: tuple[str, ...]) -> AssetChecksDefinition:
    by_asset = checks_by_asset()
    specs = [AssetCheckSpec(check.name, asset=asset, blocking=check.blocking,
                            description=f"{frame.table}: {check.expect}")
             for asset in assets for frame, check in by_asset[asset]]

    @multi_asset_check(
        name=name, specs=specs, can_subset=True, pool=WRITER_POOL,
        compute_kind="great_expectations",
        description=f"great_expectations suites on {', '.join(assets)}",
    )
    def _check(context: AssetCheckExecutionContext,
               workspace: WorkspaceResource) -> Iterator[AssetCheckResult]:
        selected = context.selected_asset_check_keys
        chosen = {key.asset_key.to_user_string() for key in selected}
        for result in run_checks(workspace, chosen):
            if AssetCheckKey(AssetKey(result.asset), result.name) not in selected:
                continue
            if not result.success:
                log = context.log.error if result.blocking else context.log.warning
                log(f"{result.table} {result.name}: {result.why}; e.g. {list(result.sample)}")
            yield check_result(result)

    return _check


ALL_CHECKS: list[AssetChecksDefinition] = [
    _quality_check(name, assets) for name, assets in STAGES.items()]
