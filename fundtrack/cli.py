"""`fundtrack` command line (DESIGN §4). argparse and deferred imports keep `--help` fast;
the importers, reports and the TUI are loaded only by the command that needs them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date


def _parse_date(s: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD: {s!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fundtrack",
        description="政府引导基金台账：导入、指标、季度报告与终端界面。"
        " Ledger, figures, quarterly reports and a terminal UI for government guidance funds.",
    )
    p.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: $FUNDTRACK_DB, else a SQLite file "
                   "in the user data directory)")
    p.add_argument("--lang", choices=["zh", "en"], default=None, help="language of messages and reports (default zh)")
    p.add_argument("--read-only", action="store_true", help="terminal UI without any writing action")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("demo", help="create the demo portfolio and print its summary")

    t = sub.add_parser("template", help="write the blank import template")
    t.add_argument("-o", "--output", required=True, metavar="FILE")

    i = sub.add_parser("import", help="import Excel/CSV files (one transaction)")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--dry-run", action="store_true", help="check and show what would change; write nothing")
    i.add_argument("--unit", choices=["元", "万元", "亿元"], help="unit of money columns that state none")
    i.add_argument("--map", metavar="MAPPING.toml", help="map unknown headers to fields")
    i.add_argument("--json", action="store_true", help="machine-readable result")

    s = sub.add_parser("summary", help="portfolio figures per guidance fund")
    s.add_argument("--as-of", type=_parse_date, default=None, metavar="YYYY-MM-DD")
    s.add_argument("--json", action="store_true")

    r = sub.add_parser("report", help="write the quarterly Excel report")
    r.add_argument("--quarter", required=True, metavar="YYYYQn")
    r.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    r.add_argument("--refresh-snapshot", action="store_true",
                   help="recompute an ended quarter's figures and freeze them again (docs/report.md)")

    ui = sub.add_parser("tui", help="open the terminal UI (the default command)")
    # SUPPRESS: `fundtrack --read-only` (no command) and `fundtrack tui --read-only` both work.
    ui.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS, help="hide every writing action")

    h = sub.add_parser("history", help="list import batches")
    h.add_argument("--json", action="store_true")
    u = sub.add_parser("undo", help="revert one import batch exactly")
    u.add_argument("batch", type=int)
    tr = sub.add_parser("trace", help="where a stored figure came from (file, sheet, cell, batch)")
    tr.add_argument("entity", choices=["fund", "company", "investment", "cash_flow", "commitment"])
    tr.add_argument("key", help="id, or name / USCC")
    tr.add_argument("--field", default=None)
    tr.add_argument("--json", action="store_true")

    d = sub.add_parser("db", help="database maintenance")
    dsub = d.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dsub.add_parser("upgrade", help="apply schema migrations (Alembic)")
    dsub.add_parser("current", help="print the schema revision")
    b = dsub.add_parser("backup", help="copy a SQLite database online to FILE")
    b.add_argument("file")
    rs = dsub.add_parser("restore", help="replace the SQLite database with FILE")
    rs.add_argument("file")
    return p


def _engine(args, auto_create: bool = True):
    from fundtrack.db import open_engine

    return open_engine(args.db, auto_create=auto_create)


def cmd_summary(args) -> int:
    from fundtrack.services.summary import portfolio_summary, summary_json

    engine = _engine(args)
    summ = portfolio_summary(engine, args.as_of)
    if args.json:
        print(json.dumps(summary_json(summ), ensure_ascii=False, indent=2))
        return 0
    from fundtrack.cli_render import print_summary

    print_summary(summ, lang=args.lang or "zh")
    return 0


def cmd_db(args) -> int:
    from fundtrack import db

    if args.db_command == "upgrade":
        engine = db.make_engine(args.db)
        before = db.current_revision(engine)
        db.upgrade(engine)
        print(f"schema: {before or '(empty)'} → {db.current_revision(engine)}  ({db.mask_url(str(engine.url))})")
        return 0
    if args.db_command == "current":
        engine = db.make_engine(args.db)
        print(db.current_revision(engine) or "(empty)")
        return 0
    from fundtrack import backup

    if args.db_command == "backup":
        return backup.backup(db.make_engine(args.db), args.file)
    return backup.restore(db.make_engine(args.db), args.file)


def dispatch(args) -> int:
    c = args.command or "tui"
    if c == "summary":
        return cmd_summary(args)
    if c == "db":
        return cmd_db(args)
    if c in ("import", "template", "demo"):
        from importers import cli as icli

        return getattr(icli, f"cmd_{c}")(args)
    if c == "report":
        from reports import cli as rcli

        return rcli.cmd_report(args)
    if c in ("history", "undo", "trace"):
        from fundtrack.services import audit

        return getattr(audit, f"cmd_{c}")(args)
    if c == "tui":
        from tui.app import run

        return run(db_url=args.db, lang=args.lang, read_only=getattr(args, "read_only", False))
    raise SystemExit(f"unknown command {c}")


def main(argv: list[str] | None = None) -> int:
    return _run(build_parser().parse_args(argv))


def _run(args) -> int:
    from fundtrack.errors import SchemaError  # not fundtrack.db: `import` starts reading before SQLAlchemy loads

    try:
        return dispatch(args) or 0
    except SchemaError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def entry() -> None:
    """The `fundtrack` console script.

    Once a command has finished and its output is flushed, the process ends with os._exit:
    tearing down the interpreter (every module, every object a 100,000-row import left for the
    garbage collector) costs a big import a few tenths of a second and does nothing a user
    needs — the database connections were closed by the command itself. The TUI exits the
    normal way (Textual restores the terminal in its own shutdown).
    """
    args = build_parser().parse_args()
    # Commands may leave their data for the exit instead of freeing it (importers.cli).
    args.process_ends = args.command in _FAST_EXIT_COMMANDS
    try:
        rc = _run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`fundtrack history --json | head`): nothing wrong here. Output
        # still buffered goes to /dev/null instead of a second traceback at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        rc = 141  # 128 + SIGPIPE, as a shell reports a command killed by it
    if not args.process_ends:
        sys.exit(rc)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


# Commands that open no terminal UI and leave nothing behind but their output and the database.
_FAST_EXIT_COMMANDS = ("import", "demo", "report", "summary")


if __name__ == "__main__":  # pragma: no cover
    entry()
