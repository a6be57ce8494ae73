"""The Dagster side of alerting: after a successful audit the sensor requests an ``alerts`` run
that sends the critical findings, the daily schedule sends the digest, and a failed run (a
failed blocking asset check) is reported to the health channels; all to a loopback receiver."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    DagsterInstance,
    MaterializeResult,
    SkipReason,
    asset,
    build_run_status_sensor_context,
    build_schedule_context,
    job,
    materialize,
    op,
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


@op
def audit_step() -> None:
    pass


@job(name="audit")
def fake_audit() -> None:
    audit_step()


def test_definitions_register_alerting():
    defs = definitions.defs
    assert defs.resolve_job_def("alerts") is not None
    assert defs.resolve_schedule_def("daily_alert_digest").cron_schedule == "0 7 * * *"
    sensor = defs.resolve_sensor_def("critical_alerts_after_audit")
    assert {t.job_name for t in sensor.targets} == {"alerts"}
    assert defs.resolve_sensor_def("pipeline_failure_alerts") is not None
    op_def = defs.resolve_job_def("alerts").graph.node_defs[0]
    assert op_def.pool == "duckdb_writer"  # it writes audit.alerts_sent


def test_audit_success_requests_an_alerts_run_that_sends_criticals(setup, receiver):
    config, alerts = setup
    critical_sensor, _ = alert_sensors([fake_audit])
    with DagsterInstance.ephemeral() as instance:
        audit_run = fake_audit.execute_in_process(instance=instance)
        with build_run_status_sensor_context(
            sensor_name="critical_alerts_after_audit",
            dagster_event=audit_run.get_run_success_event(), dagster_instance=instance,
            dagster_run=audit_run.dagster_run, resources={"alerts": alerts},
        ) as context:
            request = critical_sensor(context)
        assert request.run_key == f"after-{audit_run.run_id}"
        assert request.run_config["ops"]["send_alerts"]["config"] == {"digest": False}
        result = alerts_job.execute_in_process(run_config=request.run_config,
                                               resources={"alerts": alerts},
                                               instance=instance)
        assert result.success
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
    critical_sensor, _ = alert_sensors([fake_audit])
    with DagsterInstance.ephemeral() as instance:
        audit_run = fake_audit.execute_in_process(instance=instance)
        with build_run_status_sensor_context(
            sensor_name="critical_alerts_after_audit",
            dagster_event=audit_run.get_run_success_event(), dagster_instance=instance,
            dagster_run=audit_run.dagster_run, resources={"alerts": alerts},
        ) as context:
            result = critical_sensor(context)
    assert isinstance(result, SkipReason) and "no [[alerts.channels]]" in result.skip_message


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
    _, failure_sensor = alert_sensors([fake_audit])
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
