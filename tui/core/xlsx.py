"""Export one table (its current filtered, sorted view) to .xlsx with xlsxwriter.

Amounts are written in 元 as numbers (the table's int fen ÷ 100) with a thousands format,
ratios as numbers with a % format, dates as dates. Every text cell is written as a string —
a company called "=HYPERLINK(…)" or "+86…" stays text, never a formula (CSV/formula
injection). Large tables stream in constant-memory mode.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Callable

from tui.core.sources import TableSource, format_cell

INJECTION = ("=", "+", "-", "@", "\t", "\r")


def default_name(name: str, as_of: date) -> str:
    return f"fundtrack-{name}-{as_of:%Y%m%d}.xlsx"


def write_table(source: TableSource, path: str | Path, title: str = "", as_of: date | None = None,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Write the source's current view; returns the number of data rows written."""
    import xlsxwriter

    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    try:
        ws = wb.add_worksheet((source.name or "table")[:31])
        bold = wb.add_format({"bold": True})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        fmt = {
            "money": wb.add_format({"num_format": "#,##0.00"}),
            "money_delta": wb.add_format({"num_format": "+#,##0.00;-#,##0.00;0.00"}),
            "ratio": wb.add_format({"num_format": "0.00%"}),
            "pp_delta": wb.add_format({"num_format": "+0.00%;-0.00%;0.00%"}),
            "multiple": wb.add_format({"num_format": '0.00"x"'}),
            "multiple_delta": wb.add_format({"num_format": '+0.00"x";-0.00"x";0.00"x"'}),
            "int": wb.add_format({"num_format": "#,##0"}),
            "int_delta": wb.add_format({"num_format": "+#,##0;-#,##0;0"}),
            "days": wb.add_format({"num_format": "#,##0"}),
            "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        }
        cols = [c for c in source.columns if c.kind != "bar"]
        idx = [i for i, c in enumerate(source.columns) if c.kind != "bar"]
        r = 0
        if title:
            ws.write_string(r, 0, title, bold)
            r += 1
        if as_of is not None:
            ws.write_string(r, 0, f"截至 as of {as_of.isoformat()} · 金额单位：元 amounts in yuan")
            r += 1
        if r:
            r += 1
        header_row = r
        for j, c in enumerate(cols):
            label = c.label.replace("(万元)", "(元)").replace("(10k)", "(yuan)")
            ws.write_string(r, j, label, head)
            ws.set_column(j, j, 14 if c.numeric else 24)
        ws.freeze_panes(r + 1, 0)
        total = len(source)
        n = 0
        for row in source.iter_rows():
            r += 1
            for j, (c, i) in enumerate(zip(cols, idx)):
                _write(ws, r, j, c.kind, row[i], fmt)
            n += 1
            if progress is not None and n % 2000 == 0:
                progress(n, total)
        if n:
            ws.autofilter(header_row, 0, r, len(cols) - 1)
        wb.close()
    except BaseException:
        try:
            wb.close()
        except Exception:
            pass
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    if progress is not None:
        progress(n, total)
    return n


def _write(ws, r: int, c: int, kind: str, v, fmt: dict) -> None:
    if v is None:
        return
    if kind == "measure":
        kind, v = v
        if v is None:
            return
    if kind in ("money", "money_delta"):
        ws.write_number(r, c, int(v) / 100, fmt[kind])
    elif kind in ("ratio", "pp_delta", "multiple", "multiple_delta", "int", "int_delta", "days"):
        ws.write_number(r, c, float(v), fmt[kind])
    elif kind == "date" and isinstance(v, (date, datetime)):
        ws.write_datetime(r, c, datetime(v.year, v.month, v.day), fmt["date"])
    elif kind == "bool":
        ws.write_string(r, c, format_cell("bool", v))
    else:
        ws.write_string(r, c, str(v))  # never a formula, whatever it starts with
