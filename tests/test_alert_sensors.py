"""The Dagster side of alerting: whenever the ``findings`` asset is materialized (by a job or by
hand in the UI) the sensor requests an ``alerts`` run that sends the critical findings, the daily
schedule sends the digest, and a failed run (a failed blocking asset check) is reported to the
health channels; all to a loopback receiver."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    DagsterInstance,
    MaterializeResult,
    asset,
    build_run_status_sensor_context,
    build_schedule_context,
    build_sensor_context,
    materialize,
)

from connectors.base import utcnow
from pipelines import definitions
from pipelines.resources import WorkspaceResource
from pipelines.sensors import (
    AlertsResource,
    alert_sensors,
    alerts_job,
    daily_alert_digest,
)
from tests.test_alerts import HOOK_PATH, NOW, SLACK_PATH, Receiver, add_finding, workspace
from warehouse.db import connect


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def setup(tmp_path, receiver, monkeypatch):
    monkeypatch.setenv("SOCIALAUDIT_HOOK_URL", receiver.url(HOOK_PATH))
    monkeypatch.setenv("SOCIALAUDIT_SLACK_URL", receiver.url(SLACK_PATH))
    config, con = workspace(tmp_path, """
[[alerts.channels]]
name = "siem"
kind = "webhook"
url_env = "SOCIALAUDIT_HOOK_URL"
digest = true
health = false

[[alerts.channels]]
name = "oncall"
kind = "slack"
url_env = "SOCIALAUDIT_SLACK_URL"
immediate = false
""")
    con.close()  # the alerts run opens the warehouse itself
    alerts = AlertsResource(workspace=WorkspaceResource(config_path=str(config.path)))
    return config, alerts


@asset(name="findings")
def findings_by_hand() -> None:
    """Stands in for the audit's ``findings`` asset (same key), materialized on its own as the
    UI's "Materialize" button does: an ad-hoc run, not the ingest or audit job."""


@asset(name="core_items")
def not_findings() -> None:
    pass


def critical_sensor():
    (sensor,) = [s for s in alert_sensors() if s.name == "critical_alerts_after_findings"]
    return sensor


def tick(sensor, instance, alerts, cursor: str | None = None):
    with build_sensor_context(instance=instance, resources={"alerts": alerts},
                              cursor=cursor) as context:
        return sensor.evaluate_tick(context)


def test_definitions_register_alerting():
    defs = definitions.defs
    assert defs.resolve_job_def("alerts") is not None
    assert defs.resolve_schedule_def("daily_alert_digest").cron_schedule == "0 7 * * *"
    sensor = defs.resolve_sensor_def("critical_alerts_after_findings")
    assert {t.job_name for t in sensor.targets} == {"alerts"}
    assert sensor.asset_key == AssetKey("findings")
    assert defs.resolve_assets_def(AssetKey("findings")) is not None  # the key it watches
    assert defs.resolve_sensor_def("pipeline_failure_alerts") is not None
    op_def = defs.resolve_job_def("alerts").graph.node_defs[0]
    assert op_def.pool == "duckdb_writer"  # it writes audit.alerts_sent


def test_findings_materialized_by_hand_request_an_alerts_run_that_sends_criticals(setup,
                                                                                 receiver):
    config, alerts = setup
    sensor = critical_sensor()
    with DagsterInstance.ephemeral() as instance:
        assert tick(sensor, instance, alerts).run_requests == []  # nothing materialized yet
        assert materialize([not_findings], instance=instance).success
        assert tick(sensor, instance, alerts).run_requests == []  # another asset: no alert
        run = materialize([findings_by_hand], instance=instance)
        # an ad-hoc run of the asset alone: neither the ingest nor the audit job
        assert run.success and run.dagster_run.job_name not in ("ingest", "audit")
        result = tick(sensor, instance, alerts)
        (request,) = result.run_requests
        assert request.run_key == f"after-{run.run_id}"
        assert request.tags["socialaudit/after_job"] == run.dagster_run.job_name
        assert request.run_config["ops"]["send_alerts"]["config"] == {"digest": False}
        sent = alerts_job.execute_in_process(run_config=request.run_config,
                                             resources={"alerts": alerts}, instance=instance)
        assert sent.success
        # the next tick, from the sensor's cursor, has nothing new to react to
        assert tick(sensor, instance, alerts, result.cursor).run_requests == []
        # a later materialization (the hourly ingest job) is a new request
        again = materialize([findings_by_hand], instance=instance)
        (later,) = tick(sensor, instance, alerts, result.cursor).run_requests
        assert later.run_key == f"after-{again.run_id}"
    (body,) = receiver.bodies(HOOK_PATH)
    assert body["kind"] == "critical"
    assert {f["finding_id"] for f in body["findings"]} == {"f-threat", "f-photo"}
    (health,) = receiver.bodies(SLACK_PATH)  # the slack channel takes capture health only
    assert "capture health" in health["text"]


def test_digest_schedule_sends_the_digest_and_a_failed_send_fails_the_run(setup, receiver):
    config, alerts = setup
    con = connect(config.warehouse_path)
    add_finding(con, "f-fresh", "teacher_page_non_school", "non_school", "high",
                "instagram:77", {"score": 0.8}, first_seen=utcnow() - timedelta(hours=1))
    con.close()
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(instance=instance, scheduled_execution_time=NOW)
        (request,) = daily_alert_digest.evaluate_tick(context).run_requests
        assert request.run_config["ops"]["send_alerts"]["config"] == {"digest": True}
        result = alerts_job.execute_in_process(run_config=request.run_config,
                                               resources={"alerts": alerts},
                                               instance=instance)
        assert result.success
        critical, digest = receiver.bodies(HOOK_PATH)
        assert (critical["kind"], digest["kind"]) == ("critical", "digest")
        assert "f-fresh" in {f["finding_id"] for f in digest["findings"]}

        # a channel that fails makes the run fail (the failure sensor then reports it),
        # with the channel's error and never its URL
        before = len(receiver.posts)
        receiver.failing.add(HOOK_PATH)
        con = connect(config.warehouse_path)
        add_finding(con, "f-late", "removable_comment", "threat_violence", "critical",
                    "facebook:100_1_9", {"ground": "threat_violence"})
        con.close()
        failed = alerts_job.execute_in_process(run_config=request.run_config,
                                               resources={"alerts": alerts},
                                               instance=instance, raise_on_error=False)
        assert not failed.success
        (failure,) = [e for e in failed.all_events if e.event_type_value == "STEP_FAILURE"]
        text = str(failure.event_specific_data)
        assert "siem: critical (1 item) failed" in text and "HTTP 500" in text
        assert "SECRET" not in text
        assert len(receiver.posts) == before


def test_no_alert_run_without_channels(tmp_path):
    (tmp_path / "socialaudit.toml").write_text(
        '[district]\nname = "D"\n[registry]\naccounts = "a.csv"\n')
    alerts = AlertsResource(workspace=WorkspaceResource(config_path=str(tmp_path)))
    with DagsterInstance.ephemeral() as instance:
        materialize([findings_by_hand], instance=instance)
        result = tick(critical_sensor(), instance, alerts)
    assert result.run_requests == []
    assert "no [[alerts.channels]]" in result.skip_message


@asset(check_specs=[AssetCheckSpec("findings_cite_the_active_pack", asset="findings_stub",
                                   blocking=True)])
def findings_stub():
    yield MaterializeResult()
    yield AssetCheckResult(check_name="findings_cite_the_active_pack", passed=False)


@asset(deps=[findings_stub])
def snapshot_stub() -> None:
    pass


def test_failed_blocking_check_is_reported_to_health_channels(setup, receiver):
    config, alerts = setup
    (failure_sensor,) = [s for s in alert_sensors() if s.name == "pipeline_failure_alerts"]
    with DagsterInstance.ephemeral() as instance:
        run = materialize([findings_stub, snapshot_stub], instance=instance,
                          raise_on_error=False)
        assert not run.success
        with build_run_status_sensor_context(
            sensor_name="pipeline_failure_alerts",
            dagster_event=run.get_run_failure_event(), dagster_instance=instance,
            dagster_run=run.dagster_run, resources={"alerts": alerts},
        ).for_run_failure() as context:
            failure_sensor(context)
    (body,) = receiver.bodies(SLACK_PATH)  # only the health channel
    assert receiver.bodies(HOOK_PATH) == []
    text = json.dumps(body)
    assert "pipeline run failed" in body["text"]
    assert "blocking check findings_cite_the_active_pack on findings_stub failed" in text
    assert f"run {run.run_id}" in text and "step findings_stub" in text
