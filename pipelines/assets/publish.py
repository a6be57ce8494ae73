"""Publish stage: the read-only analyst snapshot, written aside and renamed atomically."""


from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from pipelines.resources import WorkspaceResource
from pipelines.stages import publish

WRITER_POOL = "duckdb_writer"


@asset(group_name="publish", deps=[AssetKey("core_media"), AssetKey("findings")],
       pool=WRITER_POOL, kinds={"duckdb"},
       description="Read-only copy of the warehouse for analysts and `socialaudit sql`.")
def analyst_snapshot(workspace: WorkspaceResource) -> MaterializeResult:
    config = workspace.load()
    con = workspace.connect()
    try:
        publish(config, con)
    finally:
        con.close()
    return MaterializeResult(metadata={"path": MetadataValue.path(str(config.snapshot_path))})
