"""Dagster alerting: critical findings after each audit, the daily digest, failed runs.

- ``critical_alerts_after_findings``: an asset sensor on the ``findings`` asset; whenever it is
  materialized, by the ``ingest`` or ``audit`` job or by hand in the UI (an ad-hoc run), it
  requests an ``alerts`` run, keyed by the run that materialized it, that sends the new critical
  findings and capture-health incidents. It fires as soon as the audit step has written the
  findings, whether or not later steps of that run succeed. Sending is idempotent
  (``audit.alerts_sent``), so one alerts run covers any materializations in between.
- ``daily_alert_digest``: a schedule of the ``alerts`` job with ``digest: true``.
- ``pipeline_failure_alerts``: a run failure sensor over the code location; it tells the health
  channels which steps failed and which blocking asset checks failed (a failed blocking check
  fails its step and so the run). It writes nothing to the warehouse.

Sending writes ``audit.alerts_sent``, so the ``alerts`` op runs in the ``duckdb_writer`` pool
like every other writer. The ``AlertsResource`` reads the channels from the workspace config
through the ``WorkspaceResource``; secrets stay in the environment variables the config names.
"""

import os
from datetime import datetime
from typing import Any

from dagster import (
    AssetKey,
    ConfigurableResource,
    DagsterEventType,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    EventLogEntry,
    Failure,
    MetadataValue,
    OpExecutionContext,
    RunConfig,
    RunFailureSensorContext,
    RunRequest,
    RunStatusSensorContext,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    asset_sensor,
    job,
    op,
    run_failure_sensor,
)
from dagster import Config as DagsterConfig

from connectors.base import utcnow
from connectors.redaction import redact
from pipelines.resources import WorkspaceResource, district_timezone
from pipelines.stages import report_clock

WRITER_POOL = "duckdb_writer"
FINDINGS_ASSET = AssetKey("findings")
SEND_OP = "send_alerts"
DIGEST_CRON = os.environ.get("SOCIALAUDIT_DIGEST_CRON", "0 7 * * *")
TIMEZONE = district_timezone()


class AlertsResource(ConfigurableResource):
    """The workspace's ``[[alerts.channels]]``: sends findings, capture health and failures."""

    workspace: WorkspaceResource

    def send(self, *, digest: bool, now: datetime | None = None):
        from dashboards.alerts import send_alerts

        config = self.workspace.load()
        con = self.workspace.connect()
        try:
            return send_alerts(con, config, now=now or report_clock(config, con),
                               digest=digest)
        finally:
            con.close()

    def notify_failure(self, title: str, lines: list[str]):
        from dashboards.alerts import notify_pipeline

        return notify_pipeline(self.workspace.load(), title=title, lines=lines, now=utcnow())


class AlertRunConfig(DagsterConfig):
    digest: bool = False


@op(name=SEND_OP, pool=WRITER_POOL,
    description="Send what each alert channel has not been told yet: critical findings, "
    "capture health, and with digest the daily digest.")
def send_alerts_op(context: OpExecutionContext, config: AlertRunConfig,
                   alerts: AlertsResource) -> None:
    report = alerts.send(digest=config.digest)
    for outcome in report.outcomes:
        log = context.log.warning if outcome.status == "failed" else context.log.info
        log(outcome.describe())
    context.add_output_metadata({
        "sent": MetadataValue.json([o.describe() for o in report.sent]),
        "failed": MetadataValue.json([o.describe() for o in report.failed]),
    })
    if report.failed:
        raise Failure(
            description="; ".join(o.describe() for o in report.failed),
            metadata={"failed_channels": MetadataValue.json(
                sorted({o.channel for o in report.failed}))},
        )


@job(name="alerts", description="Send alerts: critical findings and capture health at once; "
     "the daily digest when run with digest: true.")
def alerts_job() -> None:
    send_alerts_op()


def _run_config(digest: bool) -> RunConfig:
    return RunConfig(ops={SEND_OP: AlertRunConfig(digest=digest)})


daily_alert_digest = ScheduleDefinition(
    name="daily_alert_digest",
    job=alerts_job,
    cron_schedule=DIGEST_CRON,
    execution_timezone=TIMEZONE,
    run_config=_run_config(True),
    default_status=DefaultScheduleStatus.RUNNING,
    description="The daily digest of open findings new since the last one.",
)


def _failed_checks(context: RunStatusSensorContext) -> list[str]:
    records = context.instance.get_records_for_run(
        run_id=context.dagster_run.run_id,
        of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    failed = []
    for record in records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event else None
        if evaluation is None or evaluation.passed:
            continue
        asset = AssetKey.from_coercible(evaluation.asset_key).to_user_string()
        kind = "blocking check" if evaluation.blocking else "check"
        failed.append(f"{kind} {evaluation.check_name} on {asset} failed "
                      f"({evaluation.severity.value})")
    return failed


def _first_line(text: str) -> str:
    return redact(text.strip().splitlines()[0] if text.strip() else "")[:300]


def alert_sensors(findings_asset: AssetKey = FINDINGS_ASSET) -> list[SensorDefinition]:
    """The alert sensors: one on materializations of ``findings_asset``, one on failed runs."""

    @asset_sensor(
        asset_key=findings_asset,
        name="critical_alerts_after_findings",
        job=alerts_job,
        default_status=DefaultSensorStatus.RUNNING,
        description="Whenever the findings are materialized (a scheduled run or by hand), send "
        "the new critical findings and capture health incidents.",
    )
    def critical_alerts_after_findings(context: SensorEvaluationContext,
                                       asset_event: EventLogEntry, alerts: AlertsResource):
        if not alerts.workspace.load().alert_channels:
            return SkipReason("no [[alerts.channels]] in the workspace config")
        run = context.instance.get_run_by_id(asset_event.run_id)
        job_name = run.job_name if run is not None else "unknown"
        return RunRequest(run_key=f"after-{asset_event.run_id}", run_config=_run_config(False),
                          tags={"socialaudit/after_run": asset_event.run_id,
                                "socialaudit/after_job": job_name})

    @run_failure_sensor(
        name="pipeline_failure_alerts",
        default_status=DefaultSensorStatus.RUNNING,
        description="Tell the health alert channels when a run fails, naming the failed "
        "steps and blocking asset checks.",
    )
    def pipeline_failure_alerts(context: RunFailureSensorContext, alerts: AlertsResource):
        run = context.dagster_run
        lines = [f"run {run.run_id} of job {run.job_name} failed"]
        lines += _failed_checks(context)
        for event in context.get_step_failure_events():
            data = event.event_specific_data
            error = getattr(data, "error", None)
            message = _first_line(error.message) if error else "failed"
            lines.append(f"step {event.step_key}: {message}")
        outcomes = alerts.notify_failure(f"pipeline run failed ({run.job_name})", lines)
        for outcome in outcomes:
            log = context.log.warning if outcome.status == "failed" else context.log.info
            log(outcome.describe())
        if outcomes and all(o.status == "failed" for o in outcomes):
            raise RuntimeError("no alert channel accepted the failure alert: "
                               + "; ".join(o.describe() for o in outcomes))

    return [critical_alerts_after_findings, pipeline_failure_alerts]


def with_alerts(resources: dict[str, Any]) -> dict[str, Any]:
    """``resources`` plus the ``alerts`` resource over their ``workspace``."""
    return {**resources, "alerts": AlertsResource(workspace=resources["workspace"])}
