"""Choose what each channel must be told, send it, and remember what was accepted.

Per channel, in this order:

1. **critical** findings (``immediate = true``): every open critical finding the channel has not
   been sent, in messages of up to ``CRITICAL_CHUNK`` findings;
2. **capture health** (``health = true``): accounts whose token was refused (``auth_error`` in
   ``raw.fetch_log`` since their last good capture) or that have had no good capture for longer
   than ``[capture] max_age_hours``, including accounts never captured at all, counted from
   their first attempt or registration (``sql/alerts_capture_health.sql``); once per account per
   incident;
3. the **digest** (``digest = true``, only when asked for): open findings at or above the
   channel's ``min_severity`` first seen since the channel's last digest (the last 24 hours the
   first time) and not yet sent to it.

Only ``status = 'open'`` findings without a recorded review alert. ``audit.alerts_sent`` gets a
row per finding or incident only after the channel accepted the message, so a failed send is
retried by the next run; ``audit.alert_log`` records every attempt with its (scrubbed) error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import duckdb

from connectors.redaction import redact
from dashboards.alerts.channels import ChannelError, deliver
from dashboards.alerts.compose import (
    DIGEST_SHOWN,
    SEVERITY_ORDER,
    FindingAlert,
    HealthAlert,
    Message,
    critical_message,
    digest_message,
    health_message,
    pipeline_message,
    plain,
    when_label,
)
from pipelines.config import AlertChannel, Config

CRITICAL_CHUNK = 10
FIRST_DIGEST_HOURS = 24

RECORD_SENT = """
INSERT INTO audit.alerts_sent (channel, alert_key, kind, finding_id, account_id, severity, sent_at)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
"""
LOG_ATTEMPT = """
INSERT INTO audit.alert_log (channel, kind, attempted_at, items, status, error, window_start,
                             window_end)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
DIGEST_WINDOW = """
SELECT max(window_end) FILTER (WHERE status = 'sent'), min(window_start)
FROM audit.alert_log WHERE channel = ? AND kind = 'digest'
"""
SENT_INCIDENTS = """
SELECT alert_key FROM audit.alerts_sent WHERE channel = ? AND kind IN ('auth_error', 'stale')
"""


def _sql(name: str) -> str:
    return resources.files("dashboards").joinpath(f"sql/{name}.sql").read_text("utf-8")


@dataclass
class Outcome:
    """One message to one channel: sent, failed (with a safe error) or only composed."""

    channel: str
    kind: str  # critical | digest | health | pipeline
    items: int
    status: str  # sent | failed | dry_run
    error: str | None = None

    def describe(self) -> str:
        text = f"{self.channel}: {self.kind} ({self.items} item{'s' if self.items != 1 else ''})"
        return f"{text} {self.status}" + (f": {self.error}" if self.error else "")


@dataclass
class AlertReport:
    """What ``send_alerts`` did, per channel and message."""

    outcomes: list[Outcome] = field(default_factory=list)
    messages: list[tuple[str, Message]] = field(default_factory=list)  # (channel, message)

    @property
    def sent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "sent"]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict]:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def pending_findings(con: duckdb.DuckDBPyConnection, channel: str, severities: list[str],
                     since: datetime | None = None) -> list[FindingAlert]:
    """Open, unreviewed findings of ``severities`` not yet sent to ``channel``."""
    rows = _rows(con, _sql("alerts_findings"),
                 {"channel": channel, "severities": severities, "since": since})
    return [FindingAlert.from_row(row) for row in rows]


def capture_incidents(con: duckdb.DuckDBPyConnection, config: Config,
                      now: datetime) -> list[HealthAlert]:
    """Every open capture-health incident (expired token, stale account), sent or not."""
    stale_before = now - timedelta(hours=config.max_capture_age_hours)
    alerts = []
    for row in _rows(con, _sql("alerts_capture_health"), {"stale_before": stale_before}):
        account = row["account_key"]
        if row["problem"] == "auth_error":
            since = row["auth_since"]
            key = f"auth_error:{account}:{since.isoformat()}"
            code = f"[{row['error_code']}] " if row["error_code"] else ""
            detail = plain(code + redact(row["message"] or "authentication refused"), 240)
        else:
            since = row["last_ok_at"]
            key = f"stale:{account}:{since.isoformat() if since else 'never'}"
            if since is not None:
                detail = f"no good capture for more than {config.max_capture_age_hours} h"
            else:
                waiting = row["waiting_since"].astimezone(config.tz)
                detail = (f"never captured: expected since {when_label(waiting)}, more than "
                          f"{config.max_capture_age_hours} h ago (is its platform enabled, "
                          "its token set?)")
        local = since.astimezone(config.tz) if since else None
        alerts.append(HealthAlert(key=key, problem=row["problem"], account_id=account,
                                  platform=row["platform"], handle=row["handle"],
                                  school=row["school"], token_env=row["token_env"],
                                  since=local, detail=detail))
    return alerts


def _severities_from(min_severity: str) -> list[str]:
    return list(SEVERITY_ORDER[: SEVERITY_ORDER.index(min_severity) + 1])


class _Sender:
    def __init__(self, con: duckdb.DuckDBPyConnection, now: datetime, dry_run: bool,
                 report: AlertReport):
        self.con, self.now, self.dry_run, self.report = con, now, dry_run, report

    def send(self, channel: AlertChannel, kind: str, message: Message,
             keys: list[tuple[str, str, str | None, str | None, str | None]],
             window: tuple[datetime | None, datetime | None] = (None, None)) -> bool:
        """Deliver; on success record ``keys`` (alert_key, kind, finding, account, severity)."""
        self.report.messages.append((channel.name, message))
        if self.dry_run:
            self.report.outcomes.append(Outcome(channel.name, kind, len(keys), "dry_run"))
            return True
        error = None
        try:
            deliver(channel, message)
        except ChannelError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the other channels
            error = f"{channel.name}: unexpected {type(exc).__name__} while sending"
        self.con.execute("BEGIN TRANSACTION")
        try:
            if error is None:
                self.con.executemany(RECORD_SENT, [
                    [channel.name, key, key_kind, finding, account, severity, self.now]
                    for key, key_kind, finding, account, severity in keys])
            self.con.execute(LOG_ATTEMPT, [channel.name, kind, self.now, len(keys),
                                           "failed" if error else "sent", error, *window])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.report.outcomes.append(Outcome(channel.name, kind, len(keys),
                                            "failed" if error else "sent", error))
        return error is None


def send_alerts(con: duckdb.DuckDBPyConnection, config: Config, *, now: datetime,
                digest: bool = False, dry_run: bool = False,
                channels: list[str] | None = None) -> AlertReport:
    """Send what each configured channel has not been told yet (see the module docstring).

    ``digest`` adds the daily digest; ``dry_run`` composes the messages without sending or
    recording anything; ``channels`` limits the run to those channel names."""
    if now.tzinfo is None:
        raise ValueError("send_alerts needs a timezone-aware 'now'")
    report = AlertReport()
    sender = _Sender(con, now, dry_run, report)
    district = config.district_name
    chosen = [c for c in config.alert_channels if channels is None or c.name in channels]
    incidents = capture_incidents(con, config, now) if any(c.health for c in chosen) else []
    for channel in chosen:
        told: set[str] = set()  # findings this call already put in a message to the channel
        if channel.immediate:
            critical = pending_findings(con, channel.name, ["critical"])
            for start in range(0, len(critical), CRITICAL_CHUNK):
                chunk = critical[start:start + CRITICAL_CHUNK]
                keys = [(f.finding_id, "critical", f.finding_id, f.account_id, f.severity)
                        for f in chunk]
                if not sender.send(channel, "critical", critical_message(district, chunk, now),
                                   keys):
                    break  # the channel is down: the rest waits for the next run
                told.update(f.finding_id for f in chunk)
        if channel.health and incidents:
            sent = {row[0] for row in con.execute(SENT_INCIDENTS, [channel.name]).fetchall()}
            new = [h for h in incidents if h.key not in sent]
            if new:
                keys = [(h.key, h.problem, None, h.account_id, None) for h in new]
                sender.send(channel, "health", health_message(district, new, now), keys)
        if digest and channel.digest:
            last_end, first_start = con.execute(DIGEST_WINDOW, [channel.name]).fetchone()
            since = last_end or first_start or now - timedelta(hours=FIRST_DIGEST_HOURS)
            found = [f for f in pending_findings(con, channel.name,
                                                 _severities_from(channel.min_severity), since)
                     if f.finding_id not in told]
            if found:
                keys = [(f.finding_id, "digest", f.finding_id, f.account_id, f.severity)
                        for f in found]
                message = digest_message(district, found[:DIGEST_SHOWN], len(found), now)
                sender.send(channel, "digest", message, keys, window=(since, now))
    return report


def notify_pipeline(config: Config, *, title: str, lines: list[str], now: datetime,
                    dry_run: bool = False) -> list[Outcome]:
    """Tell every ``health`` channel that the pipeline failed (no warehouse needed)."""
    message = pipeline_message(config.district_name, title, lines, now)
    outcomes = []
    for channel in config.alert_channels:
        if not channel.health:
            continue
        if dry_run:
            outcomes.append(Outcome(channel.name, "pipeline", len(lines), "dry_run"))
            continue
        try:
            deliver(channel, message)
        except ChannelError as exc:
            outcomes.append(Outcome(channel.name, "pipeline", len(lines), "failed", str(exc)))
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the other channels
            outcomes.append(Outcome(channel.name, "pipeline", len(lines), "failed",
                                    f"{channel.name}: unexpected {type(exc).__name__}"))
        else:
            outcomes.append(Outcome(channel.name, "pipeline", len(lines), "sent"))
    return outcomes
