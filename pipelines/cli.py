"""The ``socialaudit`` command line. Imports stay inside the commands so ``--help`` is instant."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_CONFIG = "socialaudit.toml"


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG, metavar="FILE",
        help="the workspace's socialaudit.toml (or its folder); default ./socialaudit.toml",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="socialaudit",
        description="Audit a school district's official social media accounts and teacher pages "
        "against the district's board policy.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the whole pipeline on a simulated district")
    demo.add_argument("--scale", type=float, default=1.0,
                      help="size of the district; 1 is about 1,000 items (default 1)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--out", type=Path, default=Path("demo"),
                      help="folder for the workspace (default ./demo)")
    demo.add_argument("--quiet", action="store_true", help="no progress display")

    run = sub.add_parser("run", help="run a job of the pipeline on a workspace")
    _add_config(run)
    run.add_argument("--job", choices=["ingest", "audit", "report", "all"], default="all")
    run.add_argument("--quiet", action="store_true", help="no progress display")

    imp = sub.add_parser("import", help="import platform exports into the warehouse")
    imp.add_argument("kind", choices=["twarc", "x-archive", "graph-json"])
    imp.add_argument("path", type=Path)
    _add_config(imp)
    imp.add_argument("--account", help="registry account key the data belongs to, e.g. x:1234")

    classify = sub.add_parser(
        "classify", help="run one detector on your own JSON lines (stdin to stdout by default)")
    classify.add_argument("detector", metavar="RULE",
                          choices=["teacher-content", "comment", "confidential", "controversy",
                                   "faces"])
    classify.add_argument("--input", type=Path, help="JSON lines file (default: standard input)")
    classify.add_argument("--output", type=Path, help="where to write (default: standard output)")
    classify.add_argument("--public-contact", action="append", default=[], metavar="TEXT",
                          help="a district phone/email/address not to flag (confidential)")
    classify.add_argument("--consent-pattern", metavar="REGEX",
                          help="the district's photo-consent IDs, removed before reading "
                               "(confidential; a workspace's [checks] consent_id_pattern)")

    findings = sub.add_parser("findings", help="list the audit findings")
    _add_config(findings)
    findings.add_argument("--week", help="ISO week (2026-W14) or any date in it")
    findings.add_argument("--rule", help="only this rule")
    findings.add_argument("--severity", choices=["critical", "high", "medium", "low"])
    findings.add_argument("--status", choices=["open", "dismissed", "resolved", "cleared", "all"],
                          default="open")
    findings.add_argument("--format", choices=["table", "csv", "json"], default="table")

    policy = sub.add_parser("policy", help="the district policy packs")
    policy_sub = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    coverage = policy_sub.add_parser(
        "coverage", help="every clause of a pack and the rule that enforces it, or why none can")
    coverage.add_argument("pack", nargs="?",
                          help="pack name or YAML path (default: the workspace's pack)")
    _add_config(coverage)
    policy_sub.add_parser("list", help="the packs that ship with socialaudit")

    review = sub.add_parser(
        "review", help="record the office's disposition of a finding, or import an edited "
        "exception report",
        usage="socialaudit review FINDING_ID --status STATUS --note TEXT [--reviewer NAME]\n"
              "       socialaudit review import FILE [--reviewer NAME] [--dry-run]",
        description="Dispositions are kept with who, when and what in audit.dispositions, never "
        "overwritten. false_positive, remediated and approved_after_the_fact stop a finding "
        "being raised again until its content changes; confirmed keeps it open.")
    review.add_argument("target", metavar="FINDING_ID|import",
                        help="a finding id (or a unique prefix of 8+ characters), or 'import'")
    review.add_argument("file", nargs="?", type=Path, metavar="FILE",
                        help="with 'import': the edited exception report (CSV or XLSX)")
    review.add_argument("--status", metavar="STATUS",
                        choices=["confirmed", "false_positive", "approved_after_the_fact",
                                 "remediated"],
                        help="confirmed | false_positive | approved_after_the_fact | remediated")
    review.add_argument("--note", help="why (required for a single review)")
    review.add_argument("--reviewer", help="who decided (default: $SOCIALAUDIT_REVIEWER or your "
                        "user name; for an import: rows without a reviewer)")
    review.add_argument("--dry-run", action="store_true",
                        help="with 'import': check the file and say what would be recorded")
    _add_config(review)

    alerts = sub.add_parser(
        "alerts", help="send what the alert channels have not been told yet",
        description="Critical findings and capture-health incidents (expired tokens, stale "
        "accounts) to every [[alerts.channels]] of the config, once per channel; with --digest "
        "also the daily digest of the other open findings.")
    _add_config(alerts)
    alerts.add_argument("--digest", action="store_true", help="also send the daily digest")
    alerts.add_argument("--dry-run", action="store_true",
                        help="print the messages; send and record nothing")
    alerts.add_argument("--channel", action="append", metavar="NAME",
                        help="only this channel (repeatable)")

    validate = sub.add_parser(
        "validate", help="check the warehouse's data quality (great_expectations suites)",
        description="Runs the data quality checks of the Dagster asset checks on the warehouse "
        "(read-only) and prints what failed and why. Exit code 1 when a blocking check fails: "
        "findings built on that data would be wrong.")
    _add_config(validate)
    validate.add_argument("--asset", action="append", metavar="ASSET",
                          choices=["registry", "raw_x", "raw_facebook", "raw_instagram",
                                   "core_items", "core_media", "findings"],
                          help="only the tables this asset writes (repeatable)")
    validate.add_argument("--format", choices=["table", "json"], default="table")
    validate.add_argument("--batch-rows", type=int, default=100_000, metavar="N",
                          help="rows per validated batch (default 100000)")

    report = sub.add_parser(
        "report", help="build a week's dashboard and exception reports (CSV, XLSX)",
        description="Writes the week's self-contained HTML dashboard, the index of weeks and the "
        "exception reports into the workspace's reports folder, from the analyst snapshot.")
    _add_config(report)
    report.add_argument("--week", default="latest",
                        help="ISO week (2026-W14), any date in it, or 'latest' (the last week "
                        "that has ended; the default)")

    sql = sub.add_parser("sql", help="run a read-only SQL query on the analyst snapshot")
    sql.add_argument("query")
    _add_config(sql)
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument("--live", action="store_true",
                     help="read the warehouse itself instead of the snapshot (needs no writer)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from pipelines import commands

    handler = getattr(commands, "cmd_" + args.command.replace("-", "_"))
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`socialaudit findings | head`): stop quietly, as `cat` does;
        # stdout is pointed at /dev/null so the interpreter's final flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except commands.UserError as exc:
        print(f"socialaudit: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
