"""What each ``socialaudit`` command does. Heavy modules are imported here, not in ``cli``."""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connectors.base import utcnow
from pipelines.config import CONFIG_FILE_NAME, Config, ConfigError, load_config

if TYPE_CHECKING:
    import duckdb


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _config(args: argparse.Namespace) -> Config:
    try:
        return load_config(args.config)
    except ConfigError as exc:
        raise UserError(str(exc)) from exc


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False)


# --- the pipeline ------------------------------------------------------------------------------


def run_pipeline(config: Config, job: str = "all", *, quiet: bool = False,
                 report_week: str | None = None, current_week: bool = False,
                 after_audit: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
                 ) -> dict[str, Any]:
    """Run the stages of ``job`` in-process with a progress display; return a summary.

    ``report`` and ``all`` end with the dashboard and exception reports of ``report_week``
    (default: the last week that has ended, or with ``current_week`` the week under way).
    ``after_audit`` is called with the warehouse connection as soon as the rules have run, before
    the snapshot and the reports (``cmd_run`` sends the critical alerts there)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from pipelines import stages
    from pipelines.platforms import platform_access
    from warehouse.raw_store import new_run_id

    console = _console()
    started = utcnow()
    run_id = new_run_id(job, started)
    summary: dict[str, Any] = {"run_id": run_id}
    con = stages.open_warehouse(config)
    progress = Progress(
        TextColumn("[bold]{task.description:<22}"), BarColumn(bar_width=24),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(), console=console, disable=quiet, transient=False,
    )
    try:
        with progress:
            if job in ("ingest", "all"):
                task = progress.add_task("registry", total=1, info="")
                reg = stages.stage_registry(config, con)
                for problem in reg.problems:
                    console.print(f"[red]registry:[/red] {problem}")
                progress.update(task, completed=1,
                                info=", ".join(f"{k} {v}" for k, v in reg.loaded.items()))
                summary["registry_problems"] = len(reg.problems)

                access = platform_access(config)
                task = progress.add_task("capture", total=None, info="")

                def on_event(event: str, info: dict[str, Any]) -> None:
                    if event == "ingest_start":
                        progress.update(task, total=info["accounts"])
                    elif event == "account_done":
                        progress.advance(task)
                        progress.update(task, info=f"{info['account']} {info['status']}")
                        if info["status"] != "ok":
                            progress.console.print(
                                f"[yellow]capture:[/yellow] {info['message']}")

                report = stages.stage_ingest(config, con, access, run_id, progress=on_event)
                progress.update(task, info=f"{report.pages_written} pages, "
                                f"{len(report.failed)} account(s) with errors")
                summary["pages"] = report.pages_written
                summary["capture_errors"] = [(o.account_key, o.status) for o in report.failed]

                task = progress.add_task("normalize", total=1, info="")
                norm = stages.stage_normalize(con)
                progress.update(task, completed=1,
                                info=f"{norm.items_staged} items from {norm.pages} pages "
                                f"in {norm.seconds:.1f}s")
                summary["normalize_seconds"] = norm.seconds

                task = progress.add_task("media", total=1, info="")
                media = stages.stage_media(config, con, access)
                progress.update(task, completed=1,
                                info=f"{media.fetched} fetched, {media.failed} failed")
            if job in ("audit", "all"):
                tasks: dict[str, Any] = {}

                def on_scored(name: str, done: int, total: int) -> None:
                    if name not in tasks:
                        tasks[name] = progress.add_task(f"detect {name}", total=total, info="")
                    progress.update(tasks[name], completed=done, info=f"{done}/{total} new")

                for run in stages.stage_signals(config, con, progress=on_scored):
                    if run.detector not in tasks:
                        tasks[run.detector] = progress.add_task(f"detect {run.detector}",
                                                                total=1, completed=1, info="")
                    progress.update(tasks[run.detector],
                                    info=f"{run.scored} scored, {run.flagged} flagged, "
                                    f"{run.subjects} subjects ({run.seconds:.1f}s)")
                task = progress.add_task("rules", total=1, info="")
                rules = stages.stage_rules(config, con, run_id)
                progress.update(task, completed=1,
                                info=f"{sum(rules.by_rule.values())} findings, "
                                f"{rules.cleared} cleared"
                                + "".join(f"; {r}: {n}" for r, n in rules.notes.items()))
                summary["findings"] = rules.by_rule
                if rules.notes:  # rules that could not look (no roster): said, not guessed
                    summary["rule_notes"] = rules.notes
                if after_audit is not None:
                    after_audit(con)
            stages.record_run(con, run_id, job, started, "ok", summary)
            task = progress.add_task("snapshot", total=1, info="")
            stages.publish(config, con)
            progress.update(task, completed=1, info=str(config.snapshot_path))
            if job in ("report", "all"):
                task = progress.add_task("reports", total=1, info="")
                out = stages.stage_reports(config, report_week, include_current=current_week)
                progress.update(task, completed=1, info=f"week {out.week}")
                summary["dashboard"] = str(out.dashboard)
                summary["reports"] = [str(p) for p in out.exception_reports]
    finally:
        con.close()
    return summary


SUMMARY_ITEMS = """
SELECT platform, kind, count(*) AS items, count(*) FILTER (WHERE author_is_district) AS by_district
FROM core.items GROUP BY ALL ORDER BY platform, kind
"""
SUMMARY_OTHER = """
SELECT (SELECT count(*) FROM core.media), (SELECT count(*) FROM core.media
        WHERE content_sha256 IS NOT NULL), (SELECT count(*) FROM registry.accounts),
       (SELECT count(*) FROM raw.api_pages), (SELECT count(*) FROM raw.quarantine)
"""


def print_summary(config: Config) -> None:
    from rich.table import Table

    from warehouse.snapshot import open_snapshot

    console = _console()
    con = open_snapshot(config.snapshot_path)
    try:
        table = Table(title=f"{config.district_name}: what was captured")
        for col in ("platform", "kind", "items", "by district accounts"):
            table.add_column(col, justify="right" if col != "platform" else "left")
        for row in con.execute(SUMMARY_ITEMS).fetchall():
            table.add_row(*[str(v) for v in row])
        console.print(table)
        media, stored, accounts, pages, quarantined = con.execute(SUMMARY_OTHER).fetchone()
        console.print(f"accounts {accounts}, media {media} ({stored} images stored), "
                      f"raw pages {pages}, quarantined {quarantined}")
        from pipelines.stages import FINDINGS_SUMMARY

        rows = con.execute(FINDINGS_SUMMARY).fetchall()
        if rows:
            table = Table(title=f"Open findings ({config.policy_pack})")
            for col in ("rule", "severity", "findings"):
                table.add_column(col, justify="right" if col == "findings" else "left")
            for rule, severity, count in rows:
                style = {"critical": "bold red", "high": "red"}.get(severity, "")
                table.add_row(rule, f"[{style}]{severity}[/{style}]" if style else severity,
                              str(count))
            console.print(table)
    finally:
        con.close()
    console.print(f"workspace  {config.root}")
    console.print(f"config     {config.path}")
    console.print(f"warehouse  {config.warehouse_path}")
    console.print(f"snapshot   {config.snapshot_path}   (socialaudit sql \"...\" "
                  f"--config {config.path})")


# --- commands ------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from connectors.simulated import generate_world, write_workspace

    out: Path = args.out.resolve()
    if out.exists() and any(out.iterdir()):
        existing = out / CONFIG_FILE_NAME
        if not existing.exists() or "[simulated]" not in existing.read_text(encoding="utf-8"):
            raise UserError(f"{out} exists and is not a demo workspace; choose another --out")
        for name in ("warehouse.duckdb", "warehouse.duckdb.wal", "snapshot.duckdb"):
            (out / name).unlink(missing_ok=True)
        for folder in ("registry", "media", "reports", "simulated"):
            shutil.rmtree(out / folder, ignore_errors=True)
    console = _console()
    console.print(f"Simulating a district (scale {args.scale:g}, seed {args.seed}) in {out}")
    world = generate_world(seed=args.seed, scale=args.scale)
    config = load_config(write_workspace(world, out))
    summary = run_pipeline(config, "all", quiet=args.quiet)
    print_summary(config)
    # soft_wrap: a long path stays on one line, whole, to copy or click
    console.print(f"dashboard  {summary['dashboard']}", soft_wrap=True)
    console.print(f"reports    {', '.join(summary['reports'])}", soft_wrap=True)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a job. With alert channels configured, critical findings and capture health go out
    as soon as the audit stage ends, before the snapshot and the reports, so a later stage that
    fails cannot hold them back; a job without an audit (or one that failed before the audit
    ended) sends what is pending at its end."""
    config = _config(args)
    alerted: list[bool] = []  # one entry once the alerts were attempted: did they all go out?

    def after_audit(con: duckdb.DuckDBPyConnection) -> None:
        alerted.append(_send_run_alerts(config, con))

    try:
        summary = run_pipeline(config, args.job, quiet=args.quiet,
                               after_audit=after_audit if config.alert_channels else None)
    except Exception:
        if config.alert_channels and not alerted:
            _alerts_after_run(config, quiet_errors=True)  # capture health, earlier criticals
        raise
    print_summary(config)
    if config.alert_channels and not alerted:
        alerted.append(_alerts_after_run(config))
    return 1 if summary.get("capture_errors") or not all(alerted) else 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipelines import stages

    config = _config(args)
    if not config.snapshot_path.exists():
        raise UserError(f"{config.snapshot_path} does not exist yet: run the pipeline first")
    try:
        out = stages.stage_reports(config, args.week)
    except ValueError as exc:
        raise UserError(f"--week: {exc}") from exc
    console = _console()
    console.print(f"week       {out.week}")
    console.print(f"dashboard  {out.dashboard}", soft_wrap=True)
    console.print(f"index      {out.index}", soft_wrap=True)
    for path in out.exception_reports:
        console.print(f"report     {path}", soft_wrap=True)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from connectors import importers
    from pipelines import stages
    from warehouse.db import WarehouseBusy
    from warehouse.raw_store import RawWriter, new_run_id

    config = _config(args)
    if not args.path.exists():
        raise UserError(f"{args.path}: no such file or folder")
    try:
        con = stages.open_warehouse(config)
    except WarehouseBusy as exc:
        raise UserError(str(exc)) from exc
    run_id = new_run_id(f"import-{args.kind}")
    try:
        with RawWriter(con, run_id) as writer:
            if args.kind == "twarc":
                result = importers.import_twarc(args.path, writer, account_id=args.account)
            elif args.kind == "x-archive":
                result = importers.import_x_archive(args.path, writer, account_id=args.account,
                                                    media_dir=config.media_dir)
            else:
                result = importers.import_graph_json(args.path, writer, account_id=args.account)
        norm = stages.stage_normalize(con)
        if args.kind == "x-archive":
            importers.link_archive_media(con, result)
        stages.publish(config, con)
    finally:
        con.close()
    for error in result.errors:
        print(f"quarantined: {error}", file=sys.stderr)
    print(f"{result.pages_stored} page(s) stored, {result.pages_quarantined} quarantined, "
          f"{norm.items_staged} item row(s) normalized")
    if result.pages_stored == 0:
        why = "; ".join(str(e) for e in result.errors[:3]) or f"no {args.kind} data found"
        raise UserError(f"nothing imported from {args.path}: {why}")
    return 1 if result.errors else 0


# An analyst's query reads the warehouse and nothing else: no other database (ATTACH), no files
# (COPY, read_text, read_csv, glob), no extensions, and settings locked (SET, PRAGMA).
SQL_READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}
SQL_ALLOWED_STATEMENTS = ("SELECT", "EXPLAIN")  # SELECT covers WITH, FROM, DESCRIBE, SHOW


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    config = _config(args)
    path = config.warehouse_path if args.live else config.snapshot_path
    if not path.exists():
        raise UserError(f"{path} does not exist yet: run the pipeline first")
    try:
        con = duckdb.connect(str(path), read_only=True, config=SQL_READ_ONLY_CONFIG)
    except duckdb.IOException as exc:
        raise UserError(f"cannot open {path} read-only: {exc}") from exc
    try:
        try:
            statements = con.extract_statements(args.query)
        except duckdb.Error as exc:
            raise UserError(str(exc).splitlines()[0]) from exc
        if not statements:
            raise UserError("no SQL statement given")
        for statement in statements:
            kind = statement.type.name
            if kind not in SQL_ALLOWED_STATEMENTS:
                raise UserError(
                    f"socialaudit sql is read-only: {kind} statements are refused; it runs "
                    "queries (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE) and EXPLAIN over the "
                    "warehouse's tables and views, and reads no other database or file"
                )
        cursor = con.execute(args.query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.PermissionException as exc:
        raise UserError(
            "socialaudit sql reads only the warehouse's tables and views, no files or other "
            f"databases: {str(exc).splitlines()[0]}"
        ) from exc
    except duckdb.Error as exc:
        raise UserError(str(exc).splitlines()[0]) from exc
    finally:
        con.close()
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        for row in rows:
            print(json.dumps(dict(zip(columns, row, strict=True)), default=str))
    else:
        from rich.table import Table

        table = Table(*columns)
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        _console().print(table)
        print(f"{len(rows)} row(s)")
    return 0


def cmd_policy(args: argparse.Namespace) -> int:
    from checks.policy import PolicyPackError, available_packs, load_pack, print_coverage

    if args.policy_command == "list":
        for name in available_packs():
            print(name)
        return 0
    name = args.pack or _config(args).policy_pack
    if not name:
        raise UserError("name a pack, or a workspace whose config sets [district] policy_pack")
    try:
        pack = load_pack(name)
    except PolicyPackError as exc:
        raise UserError(str(exc)) from exc
    print_coverage(pack, console=_console())
    return 0


CLASSIFY_NEEDS = {
    "teacher-content": ("text",),
    "comment": ("text",),
    "confidential": ("text",),
    "controversy": ("post", "comments"),
    "faces": ("path",),
}
CLASSIFY_BATCH = 256


def _classify_input(detector: str, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(record, dict):
        raise ValueError("each line must be a JSON object")
    if "id" not in record:
        raise ValueError("missing 'id'")
    for key in CLASSIFY_NEEDS[detector]:
        if key not in record:
            raise ValueError(f"missing '{key}'")
    if detector == "controversy":
        comments = record["comments"]
        if not isinstance(comments, list):
            raise ValueError("'comments' must be a list")
        texts = []
        for comment in comments:
            if isinstance(comment, dict):
                comment = comment.get("text")
            if not isinstance(comment, str):
                raise ValueError("each comment must be a string or an object with 'text'")
            texts.append(comment)
        record = {**record, "comments": texts}
        if not isinstance(record["post"], str):
            raise ValueError("'post' must be a string")
    elif detector == "faces":
        if not isinstance(record["path"], str):
            raise ValueError("'path' must be a string")
    elif not isinstance(record["text"], str):
        raise ValueError("'text' must be a string")
    return record


def cmd_classify(args: argparse.Namespace) -> int:
    from checks.detectors.base import InputError
    from checks.signals import load_detector

    if args.consent_pattern is not None:
        try:
            re.compile(args.consent_pattern)
        except re.error as exc:
            print(f"socialaudit classify: --consent-pattern is not a regex: {exc}",
                  file=sys.stderr)
            return 2
    source = args.input.open(encoding="utf-8") if args.input else sys.stdin
    sink = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    options = ({"public_contacts": args.public_contact, "consent_pattern": args.consent_pattern}
               if args.detector == "confidential" else {})
    detector = load_detector(args.detector, **options)
    bad = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal bad
        if not batch:
            return
        try:
            verdicts = detector.classify(batch)
        except InputError:
            verdicts = []
            for record in batch:  # find the culprit line by line
                try:
                    verdicts.extend(detector.classify([record]))
                except InputError as exc:
                    bad += 1
                    print(f"line {record['_line']}: {exc}", file=sys.stderr)
                    verdicts.append(None)
        for record, verdict in zip(batch, verdicts, strict=True):
            if verdict is not None:
                sink.write(json.dumps(verdict.as_json(record["id"]), ensure_ascii=False) + "\n")
        sink.flush()
        batch.clear()

    try:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                record = _classify_input(args.detector, line)
            except ValueError as exc:
                bad += 1
                print(f"line {number}: {exc}", file=sys.stderr)
                continue
            batch.append({**record, "_line": number})
            if len(batch) >= CLASSIFY_BATCH:
                flush()
        flush()
    finally:
        if args.input:
            source.close()
        if args.output:
            sink.close()
    if bad:
        print(f"{bad} line(s) skipped", file=sys.stderr)
    return 1 if bad else 0


def _week_bounds(week: str, config: Config) -> tuple[Any, Any]:
    """The start and (exclusive) end of ``--week`` in the district's time zone."""
    from dashboards.weeks import parse_week

    try:
        chosen = parse_week(week, config.timezone, utcnow())
    except ValueError as exc:
        raise UserError(f"--week: {exc}") from exc
    return chosen.start, chosen.end


FINDINGS_QUERY = """
SELECT f.finding_id, f.rule, f.kind, f.severity, f.status, f.platform, f.account_id, f.school,
       f.item_id, f.permalink, f.item_created_at, i.text, f.clause_id,
       CAST(f.evidence AS VARCHAR) AS evidence,
       f.first_seen_at, f.last_seen_at
FROM audit.findings f LEFT JOIN core.items i ON i.item_id = f.item_id
WHERE ($rule IS NULL OR f.rule = $rule)
  AND ($severity IS NULL OR f.severity = $severity)
  AND ($status = 'all' OR f.status = $status)
  AND ($start IS NULL OR coalesce(f.item_created_at, f.first_seen_at) >= $start)
  AND ($end IS NULL OR coalesce(f.item_created_at, f.first_seen_at) < $end)
ORDER BY CASE f.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
         ELSE 3 END, f.rule, f.item_created_at DESC NULLS LAST, f.finding_id
"""


def cmd_findings(args: argparse.Namespace) -> int:
    from checks.policy import ALL_RULES
    from warehouse.snapshot import open_snapshot

    if args.rule and args.rule not in ALL_RULES:
        raise UserError(f"unknown rule {args.rule!r}; the rules are: {', '.join(ALL_RULES)}")
    config = _config(args)
    if not config.snapshot_path.exists():
        raise UserError(f"{config.snapshot_path} does not exist yet: run the pipeline first")
    start = end = None
    if args.week:
        start, end = _week_bounds(args.week, config)
    con = open_snapshot(config.snapshot_path)
    try:
        cursor = con.execute(FINDINGS_QUERY, {"rule": args.rule, "severity": args.severity,
                                              "status": args.status, "start": start,
                                              "end": end})
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    if args.format == "json":
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            record["evidence"] = json.loads(record["evidence"])
            print(json.dumps(record, default=str, ensure_ascii=False))
    elif args.format == "csv":
        from dashboards.cells import neutralize

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralize(v) if isinstance(v, str) else v for v in row])
    else:
        from rich.markup import escape
        from rich.table import Table

        table = Table("severity", "rule", "kind", "account", "posted", "text", "clause",
                      title=f"{len(rows)} finding(s)")
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            text = (record["text"] or "").replace("\n", " ")
            table.add_row(record["severity"], record["rule"], record["kind"],
                          escape(record["account_id"] or ""),
                          str(record["item_created_at"] or "")[:16],
                          escape(text[:80] + ("…" if len(text) > 80 else "")),
                          record["clause_id"])
        _console().print(table)
    return 0


def _open_for_review(config: Config):
    import duckdb

    from pipelines import stages

    try:
        return stages.open_warehouse(config)
    except duckdb.IOException as exc:
        raise UserError(f"cannot open {config.warehouse_path} for writing (is a pipeline run "
                        f"using it?): {str(exc).splitlines()[0]}") from exc


def cmd_review(args: argparse.Namespace) -> int:
    from dashboards import review
    from pipelines import stages

    importing = args.target == "import"
    if importing:
        if args.file is None:
            raise UserError("review import FILE: name the edited exception report (CSV or XLSX)")
        if args.status or args.note:
            raise UserError("review import takes the dispositions from the file: no --status or "
                            "--note")
        if not args.file.is_file():
            raise UserError(f"{args.file}: no such file")
    else:
        if args.file is not None:
            raise UserError(f"unexpected {args.file}: use 'review import FILE' for a file")
        if not args.status or not (args.note or "").strip():
            raise UserError("review FINDING_ID needs --status and --note")
        if args.dry_run:
            raise UserError("--dry-run is for 'review import FILE'")
    config = _config(args)
    con = _open_for_review(config)
    try:
        if importing:
            try:
                result = review.import_review_file(con, args.file, default_reviewer=args.reviewer,
                                                   dry_run=args.dry_run)
            except review.ReviewError as exc:
                raise UserError(str(exc)) from exc
            for warning in result.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            if result.recorded and not args.dry_run:
                stages.publish(config, con)
            print(review.describe(result))
            return 0
        try:
            outcome = review.record_review(con, args.target, args.status, note=args.note,
                                           reviewer=args.reviewer)
        except review.ReviewError as exc:
            raise UserError(str(exc)) from exc
        if outcome.disposition is None:
            print(f"finding {outcome.finding_id} already has this disposition; nothing recorded "
                  f"(status {outcome.finding_status})")
            return 0
        stages.publish(config, con)
        d = outcome.disposition
        print(f"recorded {d.status} for finding {d.finding_id} by {d.reviewer} at "
              f"{d.recorded_at:%Y-%m-%d %H:%M} UTC; the finding is now {outcome.finding_status}")
        return 0
    finally:
        con.close()


def _not_sent(exc: Exception) -> str:
    from connectors.redaction import redact

    first = (str(exc).strip().splitlines() or [""])[0]
    return f"alerts not sent: {type(exc).__name__}: {redact(first)[:300]}"


def _send_run_alerts(config: Config, con: duckdb.DuckDBPyConnection) -> bool:
    """Critical findings and capture health (no digest) to every channel; print the outcomes.
    False if a channel failed or the sending itself broke (the run goes on either way)."""
    from dashboards.alerts import send_alerts
    from pipelines import stages

    try:
        report = send_alerts(con, config, now=stages.report_clock(config, con))
    except Exception as exc:  # noqa: BLE001 - alerts must not stop the snapshot and reports
        print(_not_sent(exc), file=sys.stderr)
        return False
    for outcome in report.outcomes:
        print(f"alert {outcome.describe()}",
              file=sys.stderr if outcome.status == "failed" else sys.stdout)
    return report.ok


def _alerts_after_run(config: Config, *, quiet_errors: bool = False) -> bool:
    """``_send_run_alerts`` on a connection of its own, after the run's was closed.
    ``quiet_errors``: the run already failed; a warehouse that cannot be opened is only noted."""
    from pipelines import stages

    try:
        con = stages.open_warehouse(config)
    except Exception as exc:
        if not quiet_errors:
            raise
        print(_not_sent(exc), file=sys.stderr)
        return False
    try:
        return _send_run_alerts(config, con)
    finally:
        con.close()


def cmd_alerts(args: argparse.Namespace) -> int:
    from dashboards.alerts import send_alerts
    from dashboards.alerts.compose import render_text
    from pipelines import stages

    config = _config(args)
    if not config.alert_channels:
        raise UserError(f"{config.path}: no [[alerts.channels]] configured")
    unknown = set(args.channel or ()) - {c.name for c in config.alert_channels}
    if unknown:
        raise UserError(f"{config.path}: no alert channel named {sorted(unknown)}")
    con = stages.open_warehouse(config)
    try:
        report = send_alerts(con, config, now=stages.report_clock(config, con), digest=args.digest,
                             dry_run=args.dry_run, channels=args.channel)
    finally:
        con.close()
    if args.dry_run:
        for channel, message in report.messages:
            print(f"--- to {channel} ({message.kind})")
            print(render_text(message))
    for outcome in report.outcomes:
        print(outcome.describe(), file=sys.stderr if outcome.status == "failed" else sys.stdout)
    if not report.outcomes:
        print("nothing new to send")
    return 1 if report.failed else 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Data quality checks on the live warehouse, read-only; 1 if a blocking check failed."""
    import duckdb

    from checks.policy import PolicyPackError, load_pack
    from warehouse.db import connect
    from warehouse.quality import failed_blocking, validate

    config = _config(args)
    if args.batch_rows < 1:
        raise UserError("--batch-rows must be at least 1")
    path = config.warehouse_path
    if not path.exists():
        raise UserError(f"{path} does not exist yet: run the pipeline first")
    try:
        pack = load_pack(config.policy_pack)
    except PolicyPackError as exc:
        raise UserError(str(exc)) from exc
    try:
        con = connect(path, read_only=True)
    except duckdb.IOException as exc:
        raise UserError(f"cannot open {path} read-only (is a pipeline run writing it?): "
                        f"{str(exc).splitlines()[0]}") from exc
    try:
        results = validate(con, pack, assets=args.asset, batch_rows=args.batch_rows)
    except duckdb.CatalogException as exc:
        raise UserError(f"{path}: {str(exc).splitlines()[0]} (an older warehouse? run the "
                        "pipeline once to migrate it)") from exc
    finally:
        con.close()
    if args.format == "json":
        for result in results:
            print(json.dumps(result.as_json(), default=str))
    else:
        _print_quality(results, pack.name)
    return 1 if failed_blocking(results) else 0


def _print_quality(results: list[Any], pack_name: str) -> None:
    from rich.table import Table
    from rich.text import Text

    console = _console()
    table = Table(title=f"Data quality (policy pack {pack_name})")
    for col in ("", "asset", "check", "rows", "failed", "why"):
        table.add_column(col, justify="right" if col in ("rows", "failed") else "left",
                         overflow="fold")
    for r in results:
        if r.success:
            mark, style = "ok", "green"
        elif r.blocking:
            mark, style = "FAIL", "bold red"
        else:
            mark, style = "warn", "yellow"
        why = Text(r.why if not r.success else r.expect, style="" if r.success else style)
        for line in r.sample:
            why.append(f"\n  {line}", style="dim")
        table.add_row(Text(mark, style=style), Text(r.asset), Text(r.name), str(r.checked),
                      str(r.failed), why)
    console.print(table)
    blocking = sum(r.blocking and not r.success for r in results)
    warnings = sum(not r.blocking and not r.success for r in results)
    summary = (f"{len(results)} checks: {len(results) - blocking - warnings} passed, "
               f"{blocking} blocking failed, {warnings} warning(s)")
    console.print(Text(summary, style="bold red" if blocking else ""))
