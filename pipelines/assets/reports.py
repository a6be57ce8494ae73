"""Publish stage, weekly: the week's dashboard and exception reports, one partition per week.

Weeks run Monday to Sunday in the district's time zone; the schedule builds the week that has just
ended on Monday at 06:00 local time. Both assets read the analyst snapshot (read-only, with
students' details masked), so they never hold the writer's lock.
"""


from datetime import datetime
from zoneinfo import ZoneInfo

from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    WeeklyPartitionsDefinition,
    asset,
)

from pipelines.resources import WorkspaceResource, district_timezone

# A partition is named by its Monday (Dagster counts days from Sunday = 0) and becomes complete on
# the next Monday at 06:00 local time, which is when the schedule built from it fires.
weekly_partitions = WeeklyPartitionsDefinition(
    start_date="2025-01-06", day_offset=1, hour_offset=6, timezone=district_timezone())


def _week(context: AssetExecutionContext, tz: str):
    from dashboards.weeks import week_of

    start = datetime.fromisoformat(context.partition_key)
    return week_of(start.date(), tz)


def _settings(config):
    from dashboards.dashboard import DashboardSettings
    from pipelines.stages import report_clock

    return DashboardSettings.from_config(config, now=report_clock(config))


@asset(group_name="reports", partitions_def=weekly_partitions,
       deps=[AssetKey("analyst_snapshot")], kinds={"html"},
       description="The week's self-contained HTML dashboard and the index of weeks.")
def weekly_dashboard(context: AssetExecutionContext,
                     workspace: WorkspaceResource) -> MaterializeResult:
    from dashboards.dashboard import build_index, build_week_dashboard
    from warehouse.snapshot import open_snapshot

    config = workspace.load()
    week = _week(context, config.timezone)
    settings = _settings(config)
    con = open_snapshot(config.snapshot_path)
    try:
        page = build_week_dashboard(con, settings, week, config.reports_dir)
        index = build_index(con, settings, config.reports_dir)
    finally:
        con.close()
    return MaterializeResult(metadata={
        "week": week.name, "path": MetadataValue.path(str(page)),
        "index": MetadataValue.path(str(index)), "bytes": page.stat().st_size})


@asset(group_name="reports", partitions_def=weekly_partitions,
       deps=[AssetKey("analyst_snapshot")], kinds={"csv", "xlsx"},
       description="The week's exception report (CSV and XLSX): one row per finding, with "
       "disposition, reviewer and note columns for the office to fill in.")
def exception_report(context: AssetExecutionContext,
                     workspace: WorkspaceResource) -> MaterializeResult:
    from dashboards.exception_report import write_week_reports
    from pipelines.stages import report_clock
    from warehouse.snapshot import open_snapshot

    config = workspace.load()
    week = _week(context, config.timezone)
    con = open_snapshot(config.snapshot_path)
    try:
        paths = write_week_reports(con, week, config.reports_dir, ZoneInfo(config.timezone),
                                   generated_at=report_clock(config))
    finally:
        con.close()
    return MaterializeResult(metadata={"week": week.name,
                                       **{p.suffix[1:]: MetadataValue.path(str(p))
                                          for p in paths}})
