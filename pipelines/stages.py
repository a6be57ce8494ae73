"""The pipeline's stages as plain functions: the CLI calls them and Dagster assets wrap them.

No Dagster here. Each stage takes an open warehouse connection and writes in one transaction
(ingest writes per batch of pages, with the cursors that depend on them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from connectors.base import CaptureError, utcnow
from pipelines.config import Config
from pipelines.platforms import PlatformAccess

Progress = Callable[[str, dict[str, Any]], None]


def _quiet(event: str, info: dict[str, Any]) -> None:
    pass


def open_warehouse(config: Config) -> duckdb.DuckDBPyConnection:
    from warehouse.db import connect

    return connect(config.warehouse_path)


def stage_registry(config: Config, con: duckdb.DuckDBPyConnection):
    """Validate and load the registry files (and who is the district, in the same transaction);
    problems are returned, good files still load."""
    from warehouse.registry import load_registry

    return load_registry(con, config.registry)


ACCOUNTS_SQL = """
SELECT account_key, platform, platform_id, handle, token_env
FROM registry.accounts ORDER BY platform, account_key
"""


@dataclass
class AccountOutcome:
    account_key: str
    platform: str
    status: str
    pages: int = 0
    message: str | None = None


@dataclass
class IngestReport:
    run_id: str
    outcomes: list[AccountOutcome] = field(default_factory=list)
    pages_written: int = 0
    pages_quarantined: int = 0
    skipped: list[str] = field(default_factory=list)  # accounts not attempted (X stopped)

    @property
    def failed(self) -> list[AccountOutcome]:
        return [o for o in self.outcomes if o.status not in ("ok", "partial")]

    @property
    def partial(self) -> list[AccountOutcome]:
        return [o for o in self.outcomes if o.status == "partial"]


LAST_CAPTURE = """
SELECT greatest((SELECT max(fetched_at) FROM raw.api_pages WHERE origin = 'api'),
                (SELECT max(logged_at) FROM raw.fetch_log))
"""


def stage_ingest(
    config: Config,
    con: duckdb.DuckDBPyConnection,
    access: PlatformAccess,
    run_id: str,
    *,
    platforms: tuple[str, ...] = ("x", "facebook", "instagram"),
    progress: Progress = _quiet,
    token_of: Callable[[str | None], str | None] | None = None,
) -> IngestReport:
    """Capture every registered account of the given platforms; one account's failure is logged
    and the others go on."""
    from connectors.graph import GraphAccount, GraphConnector
    from connectors.x import XAccount, XConnector
    from warehouse.raw_store import RawWriter

    configured = token_of or config.token

    def token_of(env_name: str | None) -> str | None:
        return configured(env_name) or access.token_fallback.get(env_name or "")
    report = IngestReport(run_id)
    accounts = [a for a in con.execute(ACCOUNTS_SQL).fetchall() if a[1] in platforms]
    last = con.execute(LAST_CAPTURE).fetchone()[0]
    if last is not None:
        access.catch_up(last)
    writer = RawWriter(con, run_id, now=access.now)
    progress("ingest_start", {"accounts": len(accounts)})
    x_connector = None
    x_stopped: CaptureError | None = None
    graph_connectors: dict[str, Any] = {}
    for account_key, platform, platform_id, handle, token_env in accounts:
        if platform == "x" and x_stopped is not None:
            continue  # accounted for, and reported once, when X stopped
        outcome = AccountOutcome(account_key, platform, "ok")
        try:
            if platform == "x":
                if not config.x.enabled:
                    continue
                if x_connector is None:
                    token = token_of(config.x.bearer_token_env)
                    if not token:
                        raise CaptureError(
                            account_key,
                            f"no X bearer token: set the environment variable "
                            f"{config.x.bearer_token_env}",
                            code="no_token",
                        )
                    x_connector = XConnector(
                        access.x_client(token), writer, search=config.x.search,
                        reply_window_days=config.x.reply_window_days, sleep=access.sleep,
                        now=access.now,
                    )
                result = x_connector.capture_account(XAccount(account_key, platform_id, handle))
            else:
                if not config.meta.enabled:
                    continue
                env_name = token_env or config.meta.token_env
                token = token_of(env_name)
                if not token:
                    raise CaptureError(
                        account_key,
                        f"no Graph API token: set the environment variable {env_name}",
                        code="no_token",
                    )
                if env_name not in graph_connectors:
                    graph, usage = access.graph_client(token, version=config.meta.graph_version)
                    graph_connectors[env_name] = GraphConnector(
                        graph, usage, writer,
                        comment_window_days=config.meta.comment_window_days,
                        sleep=access.sleep, now=access.now,
                    )
                result = graph_connectors[env_name].capture_account(
                    GraphAccount(account_key, platform, platform_id, handle)
                )
            outcome.pages = getattr(result, "pages", 0)
            outcome.status = getattr(result, "status", "ok")
            outcome.message = getattr(result, "error", None)
        except CaptureError as exc:
            outcome.status = exc.status
            outcome.message = str(exc)
            if exc.code == "no_token":
                writer.log_fetch(platform, account_key, None, "auth_error",
                                 error_code="no_token", message=str(exc))
            if platform == "x" and _stops_x(exc):
                x_stopped = exc
                notice = _stop_x(config, accounts, report, writer, account_key, progress)
                outcome.message = f"{outcome.message.rstrip('.')}. {notice}"
        writer.flush()
        report.outcomes.append(outcome)
        progress("account_done", {"account": account_key, "status": outcome.status,
                                  "pages": outcome.pages, "message": outcome.message})
    writer.flush()
    report.pages_written = writer.pages_written
    report.pages_quarantined = writer.pages_quarantined
    return report


def _stops_x(exc: CaptureError) -> bool:
    """Errors of the app, not the account: every X account shares one bearer token and one
    balance of credits, so the next account would fail the same way."""
    from connectors.base import AuthError, CreditsExhausted, PermissionDenied
    from connectors.x import NOT_ENROLLED

    return isinstance(exc, AuthError | CreditsExhausted) or exc.code == "no_token" or (
        isinstance(exc, PermissionDenied) and exc.code == NOT_ENROLLED)


def _stop_x(config: Config, accounts: list[tuple], report: IngestReport, writer: Any,
            failed_key: str, progress: Progress) -> str:
    """X stops for the rest of the run: the X accounts not yet captured are not attempted
    (``report.skipped``); returns the notice, said once (with the failed account's error and in
    one fetch-log row)."""
    done = {o.account_key for o in report.outcomes} | {failed_key}
    skipped = [a[0] for a in accounts if a[1] == "x" and a[0] not in done]
    report.skipped.extend(skipped)
    listed = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
    notice = (f"X capture stopped for the rest of this run (every X account shares the bearer "
              f"token in {config.x.bearer_token_env} and the app's credits): "
              f"{len(skipped)} other X account(s) not attempted{f' ({listed})' if skipped else ''}"
              "; Facebook and Instagram go on")
    writer.log_fetch("x", None, None, "skipped", message=f"{failed_key} failed: {notice}")
    progress("ingest_start", {"accounts": len(accounts) - len(skipped)})
    return notice


def stage_normalize(con: duckdb.DuckDBPyConnection):
    from warehouse.normalize import normalize

    return normalize(con)


def stage_media(config: Config, con: duckdb.DuckDBPyConnection, access: PlatformAccess):
    from connectors.media import fetch_media

    return fetch_media(con, access.media_sessions(), config.media_dir)


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, job: str, started_at, status: str,
               stats: dict[str, Any]) -> None:
    con.execute(
        "INSERT INTO audit.runs VALUES (?, ?, ?, ?, ?, ?::JSON) ON CONFLICT (run_id) DO UPDATE "
        "SET finished_at = excluded.finished_at, status = excluded.status, stats = excluded.stats",
        [run_id, job, started_at, utcnow(), status, json.dumps(stats, default=str)],
    )


def publish(config: Config, con: duckdb.DuckDBPyConnection) -> None:
    from warehouse.snapshot import publish_snapshot

    con.execute("CHECKPOINT")
    publish_snapshot(con, config.snapshot_path)


def report_clock(config: Config, con: duckdb.DuckDBPyConnection | None = None) -> datetime:
    """The reports' and alerts' "now": the real clock, or a demo workspace's simulated one. The
    simulated clock moves on while a run waits out rate limits, so it is at least the last
    capture recorded (in ``con``, else in the analyst snapshot)."""
    sim = config.simulated
    if sim is None or not (sim.now or sim.end):
        return utcnow()
    now = sim.now or sim.end
    last = None
    if con is not None:
        last = con.execute(LAST_CAPTURE).fetchone()[0]
    elif config.snapshot_path.exists():
        from warehouse.snapshot import open_snapshot

        snap = open_snapshot(config.snapshot_path)
        try:
            last = snap.execute(LAST_CAPTURE).fetchone()[0]
        finally:
            snap.close()
    return max(now, last) if last is not None else now


@dataclass
class ReportOutput:
    week: str
    dashboard: Path
    index: Path
    exception_reports: list[Path]


def stage_reports(config: Config, week: str | None = None, *,
                  include_current: bool = False) -> ReportOutput:
    """The week's dashboard, the index of weeks and the exception reports (CSV, XLSX), built from
    the analyst snapshot: it is read-only (a run may be writing) and masks students' details."""
    from dashboards.dashboard import DashboardSettings, build_index, build_week_dashboard
    from dashboards.exception_report import write_week_reports
    from dashboards.weeks import parse_week
    from warehouse.snapshot import open_snapshot

    now = report_clock(config)
    chosen = parse_week(week or "latest", config.timezone, now, include_current=include_current)
    settings = DashboardSettings.from_config(config, now=now)
    con = open_snapshot(config.snapshot_path)
    try:
        page = build_week_dashboard(con, settings, chosen, config.reports_dir)
        index = build_index(con, settings, config.reports_dir)
        sheets = write_week_reports(con, chosen, config.reports_dir, config.timezone,
                                    generated_at=now)
    finally:
        con.close()
    return ReportOutput(chosen.name, page, index, sheets)


def build_detectors(config: Config, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The detectors the active pack needs (all five by default), loaded lazily."""
    from checks.signals import DETECTOR_MODULES, load_detector

    chosen = names or tuple(DETECTOR_MODULES)
    detectors: dict[str, Any] = {}
    for name in chosen:
        if name == "confidential":
            detectors[name] = load_detector(name, public_contacts=config.public_contacts,
                                            consent_pattern=config.consent_id_pattern)
        else:
            detectors[name] = load_detector(name)
    return detectors


def stage_signals(config: Config, con: duckdb.DuckDBPyConnection, *,
                  detectors: dict[str, Any] | None = None, progress=None):
    """Score new content with every detector (cached by content hash and detector version)."""
    from checks.signals import refresh_signals

    return refresh_signals(con, detectors or build_detectors(config), progress=progress)


def stage_rules(config: Config, con: duckdb.DuckDBPyConnection, run_id: str):
    """Evaluate the pack's rules into audit.findings."""
    from checks.engine import run_rules
    from checks.policy import load_pack

    return run_rules(con, load_pack(config.policy_pack), run_id,
                     consent_pattern=config.consent_id_pattern,
                     roe_urls=config.rules_of_engagement_urls)


FINDINGS_SUMMARY = """
SELECT rule, severity, count(*) FROM audit.findings WHERE status = 'open'
GROUP BY rule, severity ORDER BY rule, CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1
                                          WHEN 'medium' THEN 2 ELSE 3 END
"""
