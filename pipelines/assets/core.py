"""Core stage: raw pages normalized into core.items, item_versions, media and observations."""


from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
)

from pipelines.platforms import platform_access
from pipelines.resources import WorkspaceResource
from pipelines.stages import stage_media, stage_normalize

WRITER_POOL = "duckdb_writer"

ITEM_COUNTS = "SELECT platform || '/' || kind, count(*) FROM core.items GROUP BY 1 ORDER BY 1"
ORPHAN_REPLIES = """
SELECT count(*) FROM core.items
WHERE kind <> 'post' AND (parent_item_id IS NULL OR thread_root_id IS NULL)
"""


@asset(
    group_name="core",
    deps=[AssetKey("raw_x"), AssetKey("raw_facebook"), AssetKey("raw_instagram")],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    check_specs=[AssetCheckSpec("responses_have_threads", asset="core_items", blocking=True)],
    description="Posts, comments and replies of every platform in one shape (DuckDB SQL over "
    "raw.api_pages); pages of the wrong shape quarantined.",
)
def core_items(context: AssetExecutionContext, workspace: WorkspaceResource):
    con = workspace.connect()
    try:
        result = stage_normalize(con)
        counts = dict(con.execute(ITEM_COUNTS).fetchall())
        orphans = con.execute(ORPHAN_REPLIES).fetchone()[0]
    finally:
        con.close()
    context.log.info(f"normalized {result.pages} pages in {result.seconds:.2f}s")
    yield MaterializeResult(metadata={
        "pages": result.pages, "fetches": result.fetches, "quarantined": result.quarantined,
        "items_staged": result.items_staged, "seconds": round(result.seconds, 3),
        **{f"items {k}": v for k, v in counts.items()},
    })
    yield AssetCheckResult(check_name="responses_have_threads", passed=orphans == 0,
                           metadata={"comments_or_replies_without_parent_or_thread": orphans})


@asset(group_name="core", deps=[AssetKey("core_items")], pool=WRITER_POOL, kinds={"duckdb"},
       description="Images behind core.media fetched once each and stored by sha256.")
def core_media(context: AssetExecutionContext, workspace: WorkspaceResource) -> MaterializeResult:
    config = workspace.load()
    con = workspace.connect()
    try:
        result = stage_media(config, con, platform_access(config))
    finally:
        con.close()
    return MaterializeResult(metadata={"fetched": result.fetched, "stored_new": result.stored_new,
                                       "failed": result.failed})
