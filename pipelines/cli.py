"""The ``socialaudit`` command line. Imports stay inside the commands so ``--help`` is instant."""

from __future__ import annotations

import argparse
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

    findings = sub.add_parser("findings", help="list the audit findings")
    _add_config(findings)
    findings.add_argument("--week", help="ISO week (2026-W14) or any date in it")
    findings.add_argument("--rule", help="only this rule")
    findings.add_argument("--severity", choices=["critical", "high", "medium", "low"])
    findings.add_argument("--status", choices=["open", "cleared", "all"], default="open")
    findings.add_argument("--format", choices=["table", "csv", "json"], default="table")

    policy = sub.add_parser("policy", help="the district policy packs")
    policy_sub = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    coverage = policy_sub.add_parser(
        "coverage", help="every clause of a pack and the rule that enforces it, or why none can")
    coverage.add_argument("pack", nargs="?",
                          help="pack name or YAML path (default: the workspace's pack)")
    _add_config(coverage)
    policy_sub.add_parser("list", help="the packs that ship with socialaudit")

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
    except commands.UserError as exc:
        print(f"socialaudit: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
