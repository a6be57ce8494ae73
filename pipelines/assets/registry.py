"""Registry stage: the district's declared accounts, designees, consents and approvals."""


from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.resources import WorkspaceResource
from pipelines.stages import stage_registry

WRITER_POOL = "duckdb_writer"


@asset(
    group_name="registry",
    pool=WRITER_POOL,
    kinds={"duckdb"},
    check_specs=[AssetCheckSpec("registry_files_valid", asset="registry")],
    description="Registry CSV files validated and loaded into registry.*; a file with a bad row "
    "is not loaded and each problem names file, line and column.",
)
def registry(context: AssetExecutionContext, workspace: WorkspaceResource):
    config = workspace.load()
    con = workspace.connect()
    try:
        result = stage_registry(config, con)
    finally:
        con.close()
    for problem in result.problems:
        context.log.error(str(problem))
    yield MaterializeResult(
        metadata={"rows_loaded": MetadataValue.json(result.loaded),
                  "problems": len(result.problems)}
    )
    yield AssetCheckResult(
        check_name="registry_files_valid",
        passed=result.ok,
        severity=AssetCheckSeverity.ERROR,
        metadata={"problems": MetadataValue.md(
            "\n".join(f"- {p}" for p in result.problems[:100]) or "none")},
    )
