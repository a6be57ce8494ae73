"""The Dagster code location loads, and its assets materialize in-process over a simulated
district, writing one DuckDB warehouse and publishing the analyst snapshot."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from dagster import DagsterInstance, materialize

from connectors.simulated import generate_world, write_workspace
from dashboards.weeks import week_of
from pipelines import definitions, stages
from pipelines.config import load_config
from pipelines.resources import PlatformCredentials, WorkspaceResource, district_timezone

DETECTORS = ("teacher_content", "comment", "confidential", "controversy", "faces")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    out = tmp_path_factory.mktemp("district")
    world = generate_world(seed=11, scale=0.3)
    return load_config(write_workspace(world, out)), world


def test_definitions_load_with_jobs_schedules_and_pools():
    defs = definitions.defs
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert keys == {"registry", "raw_x", "raw_facebook", "raw_instagram", "core_items",
                    "core_media", "signals_teacher_content", "signals_comment",
                    "signals_confidential", "signals_controversy", "signals_faces",
                    "findings", "analyst_snapshot",
                    "weekly_dashboard", "exception_report"}
    assert defs.resolve_job_def("ingest") is not None
    schedule = defs.resolve_schedule_def("hourly_ingest")
    assert schedule.cron_schedule == "0 * * * *"
    weekly = defs.resolve_schedule_def("weekly_report_monday_0600")
    assert weekly.cron_schedule == "0 6 * * 1"
    assert weekly.execution_timezone == district_timezone()
    # the job takes its weekly partitions from its assets
    assert defs.resolve_job_def("weekly_report").partitions_def == (
        definitions.reports.weekly_partitions)
    # partitions are named by their Monday
    keys = definitions.reports.weekly_partitions.get_partition_keys()
    assert all(date.fromisoformat(k).weekday() == 0 for k in keys[-5:])
    for asset in definitions.ALL_ASSETS:
        for spec in asset.specs:
            assert asset.get_op_def_for_asset_key(spec.key).pool == "duckdb_writer"


def test_assets_materialize_in_process_over_the_simulated_district(workspace):
    config, world = workspace
    resources = {"workspace": WorkspaceResource(config_path=str(config.path)),
                 "credentials": PlatformCredentials()}
    with DagsterInstance.ephemeral() as instance:
        result = materialize(definitions.ALL_ASSETS, resources=resources, instance=instance)
        assert result.success
        checks = {(e.asset_key.to_user_string(), e.check_name): e.passed
                  for e in result.get_asset_check_evaluations()}
        assert checks == {("registry", "registry_files_valid"): True,
                          ("core_items", "responses_have_threads"): True,
                          ("findings", "findings_cite_the_active_pack"): True,
                          **{(f"signals_{d}", "every_subject_scored"): True for d in DETECTORS}}
        for d in DETECTORS:
            meta = result.asset_materializations_for_node(f"signals_{d}")[0].metadata
            assert meta["scored"].value > 0, d
        meta = result.asset_materializations_for_node("core_items")[0].metadata
        assert meta["pages"].value > 0

        # a second materialization adds no duplicate rows
        con = duckdb.connect(str(config.warehouse_path), read_only=True)
        first = con.execute("SELECT count(*), count(DISTINCT item_id) FROM core.items").fetchone()
        con.close()
        assert first[0] == first[1] > 0
        again = materialize(definitions.ALL_ASSETS, resources=resources, instance=instance)
        assert again.success
        # unchanged content is never scored twice: every verdict comes from the cache
        for d in DETECTORS:
            meta = again.asset_materializations_for_node(f"signals_{d}")[0].metadata
            assert meta["scored"].value == 0 and meta["cached"].value > 0, d

    con = duckdb.connect(str(config.snapshot_path), read_only=True)
    try:
        again = con.execute("SELECT count(*) FROM core.items").fetchone()[0]
        platforms = dict(con.execute(
            "SELECT platform, count(*) FROM core.items GROUP BY 1").fetchall())
        stored = con.execute("SELECT count(*) FROM core.media "
                             "WHERE content_sha256 IS NOT NULL").fetchone()[0]
    finally:
        con.close()
    assert again == first[0]
    assert set(platforms) == {"x", "facebook", "instagram"}
    assert stored > 0

    # the weekly report assets build a week's partition from the snapshot
    week = week_of(stages.report_clock(config), config.timezone)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(definitions.REPORT_ASSETS, resources=resources, instance=instance,
                             partition_key=week.monday.isoformat())
        assert result.success
    page = config.reports_dir / f"week-{week.name}.html"
    assert page.exists() and "<table" in page.read_text(encoding="utf-8")
    assert (config.reports_dir / f"exception-report-{week.name}.xlsx").exists()
