"""The Dagster code location: assets by stage; the hourly ingest, the weekly report (Monday 06:00
in the district's time zone) and the alerts, with their schedules and sensors.

Load it with ``dagster dev -m pipelines.definitions`` from a workspace folder, or point
``SOCIALAUDIT_CONFIG`` at a workspace's ``socialaudit.toml``. Every asset that writes DuckDB runs
in the ``duckdb_writer`` pool (limit 1 in ``dagster.yaml``): DuckDB allows one writer. Schedules
and weekly partitions use ``$SOCIALAUDIT_TIMEZONE``, else the workspace config's time zone.
"""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Definitions,
    ScheduleDefinition,
    build_schedule_from_partitioned_job,
    define_asset_job,
)

from pipelines.assets import audit, core, ingest, publish, quality, registry, reports
from pipelines.resources import default_resources, district_timezone
from pipelines.sensors import alert_sensors, alerts_job, daily_alert_digest, with_alerts

ingest_job = define_asset_job(
    "ingest",
    selection=AssetSelection.groups("registry", "ingest", "core", "audit", "publish"),
    description="Capture every registered account, normalize, fetch media, audit against the "
    "policy pack, publish the snapshot.",
)
audit_job = define_asset_job(
    "audit",
    selection=AssetSelection.groups("audit", "publish"),
    description="Re-run the detectors and rules on what is already captured.",
)

hourly_ingest = ScheduleDefinition(
    name="hourly_ingest",
    job=ingest_job,
    cron_schedule="0 * * * *",
    execution_timezone=district_timezone(),
)

weekly_report_job = define_asset_job(
    "weekly_report",
    selection=AssetSelection.groups("reports"),  # weekly-partitioned: the job is too
    description="The week's dashboard and exception reports, from the analyst snapshot.",
)
weekly_report_schedule = build_schedule_from_partitioned_job(
    weekly_report_job, name="weekly_report_monday_0600")

ALL_ASSETS = [
    registry.registry,
    ingest.raw_x,
    ingest.raw_facebook,
    ingest.raw_instagram,
    core.core_items,
    core.core_media,
    *audit.SIGNAL_ASSETS,
    audit.findings,
    publish.analyst_snapshot,
]
REPORT_ASSETS = [reports.weekly_dashboard, reports.exception_report]

defs = Definitions(
    assets=ALL_ASSETS + REPORT_ASSETS,
    asset_checks=quality.ALL_CHECKS,
    jobs=[ingest_job, audit_job, alerts_job, weekly_report_job],
    schedules=[hourly_ingest, daily_alert_digest, weekly_report_schedule],
    sensors=alert_sensors(),
    resources=with_alerts(default_resources()),
)
