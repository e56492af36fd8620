"""`fundtrack report --quarter 2026Q3 -o FILE.xlsx` (fundtrack.cli dispatches here)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path


def write_report(engine, quarter: str, output, lang: str = "zh", today: date | None = None,
                 refresh_snapshot: bool = False, constant_memory: bool = True):
    """Build and write the workbook; returns (ReportData, cell counts per sheet)."""
    from reports.data import build
    from reports.quarter import Quarter
    from reports.workbook import ReportWriter

    q = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    data = build(engine, q, lang=lang, today=today, refresh_snapshot=refresh_snapshot)
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    w = ReportWriter(tmp, data, constant_memory=constant_memory)
    try:
        w.write()
        w.close()
        tmp.replace(out)  # never leave a half-written workbook under the requested name
    finally:
        if tmp.exists():
            tmp.unlink()
    return data, w.cells


def cmd_report(args) -> int:
    from fundtrack.db import open_engine
    from reports.quarter import Quarter

    lang = args.lang or "zh"
    try:
        q = Quarter.parse(args.quarter)
    except ValueError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
    engine = open_engine(args.db)
    try:
        data, _ = write_report(engine, q, args.output, lang=lang,
                               refresh_snapshot=bool(getattr(args, "refresh_snapshot", False)))
    finally:
        engine.dispose()
    state = {
        "frozen": ("汇总指标取自已冻结的季度快照", "headline figures from the frozen quarter snapshot"),
        "written": ("已冻结本季度快照", "quarter snapshot written and frozen"),
        "provisional": ("季度未结束：快照为临时数据，每次出具报告时刷新", "quarter still open: provisional snapshot refreshed"),
        "empty": ("没有引导基金，未写入快照", "no guidance funds: no snapshot written"),
    }[data.snapshot_state]
    zh = lang == "zh"
    print(f"{'已写入' if zh else 'wrote'} {args.output}  ({q}, {data.as_of.isoformat()}; {state[0] if zh else state[1]})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m reports` — the same command with the snapshot option."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m reports", description="季度报告 quarterly report")
    p.add_argument("--db", metavar="URL")
    p.add_argument("--lang", choices=["zh", "en"], default=None)
    p.add_argument("--quarter", required=True, metavar="YYYYQn")
    p.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    p.add_argument("--refresh-snapshot", action="store_true",
                   help="recompute the quarter's figures and freeze them again")
    return cmd_report(p.parse_args(argv))
