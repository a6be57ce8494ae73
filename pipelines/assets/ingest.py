"""Ingest stage: raw pages from X, Facebook and Instagram, one asset per platform."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from connectors.base import utcnow
from pipelines.platforms import platform_access
from pipelines.resources import PlatformCredentials, WorkspaceResource
from pipelines.stages import record_run, stage_ingest
from warehouse.raw_store import new_run_id

WRITER_POOL = "duckdb_writer"


def _ingest(context: AssetExecutionContext, workspace: WorkspaceResource,
            credentials: PlatformCredentials, platform: str) -> MaterializeResult:
    config = workspace.load()
    started = utcnow()
    run_id = new_run_id(f"ingest-{platform}", started)
    con = workspace.connect()
    try:
        access = platform_access(config)
        report = stage_ingest(
            config, con, access, run_id, platforms=(platform,),
            token_of=credentials.resolver(config),
            progress=lambda event, info: context.log.debug(f"{event}: {info}"),
        )
        for outcome in report.failed:
            context.log.warning(f"{outcome.account_key}: {outcome.status}: {outcome.message}")
        record_run(con, run_id, f"ingest-{platform}", started,
                   "partial" if report.failed else "ok",
                   {"pages": report.pages_written, "failed": len(report.failed)})
    finally:
        con.close()
    return MaterializeResult(metadata={
        "accounts": len(report.outcomes),
        "failed_accounts": MetadataValue.json(
            [{"account": o.account_key, "status": o.status} for o in report.failed]),
        "pages_written": report.pages_written,
        "pages_quarantined": report.pages_quarantined,
    })


@asset(group_name="ingest", deps=[AssetKey("registry")], pool=WRITER_POOL, kinds={"duckdb"},
       description="Tweets, replies in the accounts' conversations and lookups, via tweepy.")
def raw_x(context: AssetExecutionContext, workspace: WorkspaceResource,
          credentials: PlatformCredentials) -> MaterializeResult:
    return _ingest(context, workspace, credentials, "x")


@asset(group_name="ingest", deps=[AssetKey("registry")], pool=WRITER_POOL, kinds={"duckdb"},
       description="Facebook Page posts and comments (filter=stream), via facebook-sdk.")
def raw_facebook(context: AssetExecutionContext, workspace: WorkspaceResource,
                 credentials: PlatformCredentials) -> MaterializeResult:
    return _ingest(context, workspace, credentials, "facebook")


@asset(group_name="ingest", deps=[AssetKey("registry")], pool=WRITER_POOL, kinds={"duckdb"},
       description="Instagram business media, comments and replies, via facebook-sdk.")
def raw_instagram(context: AssetExecutionContext, workspace: WorkspaceResource,
                  credentials: PlatformCredentials) -> MaterializeResult:
    return _ingest(context, workspace, credentials, "instagram")
