"""The Dagster code location: assets by stage, the hourly ingest job and its schedule.

Load it with ``dagster dev -m pipelines.definitions`` from a workspace folder, or point
``SOCIALAUDIT_CONFIG`` at a workspace's ``socialaudit.toml``. Every asset that writes DuckDB runs
in the ``duckdb_writer`` pool (limit 1 in ``dagster.yaml``): DuckDB allows one writer.
"""

from __future__ import annotations

import os

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job

from pipelines.assets import audit, core, ingest, publish, registry
from pipelines.resources import default_resources

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
    execution_timezone=os.environ.get("SOCIALAUDIT_TIMEZONE", "America/Chicago"),
)

ALL_ASSETS = [
    registry.registry,
    ingest.raw_x,
    ingest.raw_facebook,
    ingest.raw_instagram,
    core.core_items,
    core.core_media,
    audit.signals,
    audit.findings,
    publish.analyst_snapshot,
]

defs = Definitions(
    assets=ALL_ASSETS,
    asset_checks=[],
    jobs=[ingest_job, audit_job],
    schedules=[hourly_ingest],
    resources=default_resources(),
)
