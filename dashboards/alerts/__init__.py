"""Alerts: critical findings at once, a daily digest, capture health and pipeline failures.

``send_alerts(con, config, now=..., digest=...)`` is the whole API for the CLI
(``socialaudit alerts``) and the Dagster sensors; ``notify_pipeline`` tells the health channels
that a run failed. ``compose`` says what a message contains and how each channel shows it
safely; ``channels`` delivers it (SMTP, Slack, Teams, generic webhook).
"""

from dashboards.alerts.channels import ChannelError, deliver
from dashboards.alerts.send import AlertReport, Outcome, notify_pipeline, send_alerts

__all__ = ["AlertReport", "ChannelError", "Outcome", "deliver", "notify_pipeline", "send_alerts"]
