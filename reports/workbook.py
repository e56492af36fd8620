"""Write the quarterly workbook (季度报告) with XlsxWriter from reports.data.ReportData.

Presentation rules: amounts in 万元 (the unit in every amount header), thousands separators,
percentages and multiples formatted, "—" for a figure that does not exist; a title row and a
frozen header row on every sheet, autofilter on list sheets, a totals row of live formulas
(with their values cached so any reader sees the figure), column widths fitted to the text in
terminal cells (CJK = 2), landscape A4 fit to one page wide with the header rows repeated,
document properties with a fixed creation date (the quarter end) so runs are repeatable.

Every user-supplied text goes through write_string, and the workbook is opened with
strings_to_formulas/urls/numbers off: a company called `=HYPERLINK(…)` stays a string.
The workbook is written in constant_memory mode, so every sheet is written strictly row by row.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

DASH = "—"
WAN = 1_000_000.0  # fen per 万元
MAX_WIDTH = 48
MIN_WIDTH = 6


def _isnull(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _col_letter(c: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(c)


def _cells(s: str) -> int:
    from rich.cells import cell_len

    return cell_len(s)


def header_text(h: str) -> str:
    """Long headers break before their bracketed qualifier: `放大倍数（总规模口径）` → two lines."""
    if "\n" in h or _cells(h) <= 12:
        return h
    for sep in ("（", " ("):
        i = h.find(sep)
        if i > 0:
            return h[:i] + "\n" + h[i:].lstrip()
    return h


def header_width(h: str) -> int:
    return max(_cells(x) for x in header_text(h).split("\n"))


class Col:
    """A list column: key into the row data, header, kind and how its totals cell is made.

    kind: text | amount (values already in 万元) | int | pct | mult | date | days | yesno | figure
    total: None | "sum" | ("value", v) | ("formula", f, cached) | ("sumif", label_col, label, cached)
    """

    __slots__ = ("header", "kind", "total", "comment", "width")

    def __init__(self, header: str, kind: str = "text", total=None, comment: str | None = None,
                 width: int | None = None):
        self.header, self.kind, self.total, self.comment, self.width = header, kind, total, comment, width


class ReportWriter:
    def __init__(self, path, data, constant_memory: bool = True):
        import xlsxwriter

        self.d = data
        self.lang = data.lang
        self.zh = data.lang == "zh"
        self.q = data.quarter
        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": constant_memory,
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        })
        self.cells: dict = {}  # sheet → {"string": n, "number": n, "formula": n, "date": n}
        self._formats()

    # ---- language and formats -------------------------------------------------------------

    def t(self, zh: str, en: str) -> str:
        return zh if self.zh else en

    def amt(self, zh: str, en: str) -> str:
        """An amount header: the unit on its own line."""
        return f"{zh}\n（万元）" if self.zh else f"{en}\n(CNY 10k)"

    def _formats(self) -> None:
        add = self.wb.add_format
        border = {"border": 1, "border_color": "#BFBFBF"}
        self.f_title = add({"bold": True, "font_size": 14})
        self.f_sub = add({"italic": True, "font_color": "#595959"})
        self.f_head = add({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "vcenter",
                           "align": "center", **border})
        self.f_section = add({"bold": True, "font_size": 12, "font_color": "#1F4E78"})
        self.f_block = add({"bold": True, "bg_color": "#F2F2F2", **border})
        nf = {
            "text": None, "amount": "#,##0.00", "int": "#,##0", "pct": "0.0%", "mult": '0.00"x"',
            "date": "yyyy-mm-dd", "days": '#,##0" 天"' if self.zh else '#,##0" days"', "yesno": None,
            "d_amount": "+#,##0.00;-#,##0.00;0.00", "d_pct": "+0.0%;-0.0%;0.0%", "d_mult": '+0.00"x";-0.00"x";0.00"x"',
            "d_int": "+#,##0;-#,##0;0",
        }
        self.f = {}
        self.f_total = {}
        for k, n in nf.items():
            base = dict(border)
            if n:
                base["num_format"] = n
            base["valign"] = "vcenter"
            if k in ("yesno",):
                base["align"] = "center"
            self.f[k] = add(base)
            self.f_total[k] = add({**base, "bold": True, "top": 2, "bg_color": "#F2F2F2"})
        self.f["dash"] = add({**border, "align": "right", "valign": "vcenter"})
        self.f_total["dash"] = add({**border, "align": "right", "valign": "vcenter", "bold": True, "top": 2,
                                    "bg_color": "#F2F2F2"})
        self.f["text_b"] = add({**border, "bold": True, "valign": "vcenter"})
        self.f["amount_b"] = add({**border, "bold": True, "num_format": "#,##0.00", "valign": "vcenter"})
        self.f["kpi_label"] = add({**border, "bold": True, "bg_color": "#F7F9FC"})

    # ---- sheets ---------------------------------------------------------------------------

    def sheet(self, zh: str, en: str):
        ws = self.wb.add_worksheet(self.t(zh, en))
        ws._ft_widths = {}
        ws._ft_name = self.t(zh, en)
        self.cells[ws._ft_name] = {"string": 0, "number": 0, "formula": 0, "date": 0, "blank": 0}
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_header(f"&L&\"-,Bold\"{self.t('季度报告', 'Quarterly report')} {self.q}&R&A")
        ws.set_footer(self.t("&C第 &P 页，共 &N 页", "&CPage &P of &N"))
        return ws

    def _count(self, ws, kind: str, n: int = 1) -> None:
        self.cells[ws._ft_name][kind] += n

    def _w(self, ws, c: int, cells: int) -> None:
        if cells > ws._ft_widths.get(c, 0):
            ws._ft_widths[c] = cells

    def title(self, ws, text: str, row: int = 0) -> None:
        ws.set_row(row, 22)
        ws.write_string(row, 0, text, self.f_title)
        self._count(ws, "string")

    def sheet_title(self, ws, what_zh: str, what_en: str) -> str:
        if self.zh:
            return f"{what_zh} — {self.q.label('zh')}（截至 {self.d.as_of.isoformat()}，金额单位：万元）"
        return f"{what_en} — {self.q.label('en')} (as of {self.d.as_of.isoformat()}, amounts in CNY 10k)"

    def fit_columns(self, ws, ncols: int, headers: dict | None = None, max_lines: int = 3) -> int:
        """Set column widths from the widest text in terminal cells (headers break at their line
        breaks and may wrap further). Returns the header row's line count. Sheets wider than an
        A4 landscape page can hold legibly print on A3."""
        headers = headers or {}
        lines = 1
        total = 0
        for c in range(ncols):
            data_w = ws._ft_widths.get(c, 0)
            parts = header_text(headers[c]).split("\n") if headers.get(c) else []
            head_w = max((_cells(x) for x in parts), default=0)
            w = max(data_w + 2, MIN_WIDTH)
            if head_w + 2 > w:
                w = max(w, min(head_w + 2, 16), math.ceil(head_w / max_lines) + 2)
            w = min(w, MAX_WIDTH)
            if parts:
                lines = max(lines, sum(math.ceil(_cells(x) / max(w - 2, 1)) for x in parts))
            ws.set_column(c, c, w)
            total += w
        if total > 190:
            ws.set_paper(8)  # A3
        return min(lines, max_lines + 1)

    # ---- generic list ---------------------------------------------------------------------

    def _writer(self, ws, c: int, kind: str, total: bool = False):
        fmts = self.f_total if total else self.f
        fmt = fmts.get(kind, fmts["text"])
        dash = fmts["dash"]
        write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
        write_blank = ws.write_blank  # an empty cell keeps its border, so printed tables have no holes
        yes, no = self.t("是", "Yes"), self.t("否", "No")

        if kind == "text":
            def w(r, v):
                if v is None or v != v or v == "":
                    write_blank(r, c, None, fmt)
                else:
                    write_string(r, c, v if type(v) is str else str(v), fmt)
        elif kind in ("amount", "int", "days"):
            def w(r, v):
                if v is None or v != v:
                    write_blank(r, c, None, fmt)
                else:
                    write_number(r, c, v, fmt)
        elif kind in ("pct", "mult"):
            def w(r, v):
                if v is None or v != v:
                    write_string(r, c, DASH, dash)
                else:
                    write_number(r, c, v, fmt)
        elif kind == "date":
            def w(r, v):
                if v is None or v != v:
                    write_blank(r, c, None, fmt)
                else:
                    write_datetime(r, c, v, fmt)
        elif kind == "yesno":
            def w(r, v):
                if v is None or v != v:
                    write_blank(r, c, None, fmt)
                else:
                    write_string(r, c, yes if v else no, fmt)
        elif kind == "figure":  # (value, kind) pairs, per row
            fm = fmts

            def w(r, v):
                val, k = v
                if val is None or val != val:
                    write_string(r, c, DASH, dash)
                else:
                    write_number(r, c, val, fm.get(k, fmt))
        else:
            raise ValueError(kind)
        return w

    def _measure(self, ws, c: int, kind: str, values) -> None:
        """Width of a column's values in terminal cells, measured on distinct values."""
        if kind == "text":
            distinct = {v for v in values if isinstance(v, str)}
            self._w(ws, c, max((_cells(s) for s in distinct), default=0))
        elif kind in ("amount", "int", "days"):
            nums = [v for v in values if v is not None and v == v]
            if nums:
                lo, hi = min(nums), max(nums)
                f = "{:,.2f}" if kind == "amount" else "{:,.0f}"
                extra = 2 if kind == "days" else 0
                self._w(ws, c, max(len(f.format(lo)), len(f.format(hi))) + extra)
        elif kind in ("pct", "mult", "figure"):
            self._w(ws, c, 8)
        elif kind == "date":
            self._w(ws, c, 10)
        elif kind == "yesno":
            self._w(ws, c, 4)

    def header(self, ws, row: int, headers: list[str], lines: int = 2) -> dict:
        ws.set_row(row, 15 * lines + 3)
        hw = {}
        for c, h in enumerate(headers):
            ws.write_string(row, c, header_text(h), self.f_head)
            hw[c] = h
        self._count(ws, "string", len(headers))
        return hw

    def table(self, ws, head: int, cols: list[Col], columns: list[list], levels: list | None = None,
              total_label: str | None = None, lines: int = 2, measure: bool = True) -> tuple[int, dict]:
        """Header at `head`, data below, optional totals row. Returns (next free row, header widths).
        Row order only (constant_memory)."""
        if measure:
            for c, (col, values) in enumerate(zip(cols, columns)):
                self._measure(ws, c, col.kind, values)
        hw = self.header(ws, head, [c.header for c in cols], lines)
        n = len(columns[0]) if columns else 0
        writers = [self._writer(ws, c, col.kind) for c, col in enumerate(cols)]
        r0 = head + 1
        if levels is not None:
            set_row = ws.set_row
            for i in range(n):
                r = r0 + i
                if levels[i]:
                    set_row(r, None, None, {"level": levels[i]})
                for w, col in zip(writers, columns):
                    w(r, col[i])
        else:
            for i in range(n):
                r = r0 + i
                for w, col in zip(writers, columns):
                    w(r, col[i])
        for col, values in zip(cols, columns):
            if col.kind in ("pct", "mult", "figure"):
                self._count(ws, "number", n)  # a number or a "—"
            else:
                nn = sum(1 for v in values if not (v is None or v != v or v == ""))
                self._count(ws, "date" if col.kind == "date" else
                            ("string" if col.kind in ("text", "yesno") else "number"), nn)
                self._count(ws, "blank", n - nn)
        end = r0 + n
        if total_label is not None:
            self._totals_row(ws, end, cols, r0, end - 1, total_label)
            end += 1
        return end, hw

    def write_list(self, ws, cols: list[Col], columns: list[list], levels: list | None = None,
                   total_label: str | None = None, freeze_cols: int = 1, head: int = 1) -> int:
        """A list sheet: title row above, header at `head`, data, totals; autofilter, frozen header,
        fitted widths (measured before writing, since constant_memory cannot revisit a row)."""
        for c, (col, values) in enumerate(zip(cols, columns)):
            self._measure(ws, c, col.kind, values)
        lines = self.fit_columns(ws, len(cols), {c: col.header for c, col in enumerate(cols)})
        end, _ = self.table(ws, head, cols, columns, levels, total_label, lines=lines, measure=False)
        n = len(columns[0]) if columns else 0
        if cols:
            ws.autofilter(head, 0, head + max(n, 1), len(cols) - 1)
        ws.freeze_panes(head + 1, freeze_cols)
        ws.repeat_rows(0, head)
        if levels is not None:
            ws.outline_settings(True, False, True, False)
        return end

    def _totals_row(self, ws, r: int, cols: list[Col], r0: int, r1: int, label: str) -> None:
        ft = self.f_total
        ws.write_string(r, 0, label, ft["text"])
        self._count(ws, "string")
        for c, col in enumerate(cols):
            if c == 0:
                continue
            tot = col.total
            fmt = ft.get(col.kind, ft["text"])
            L = _col_letter(c)
            if tot is None:
                ws.write_blank(r, c, None, ft["text"])
                continue
            if tot == "sum" or (isinstance(tot, tuple) and tot[0] == "sum"):
                cached = tot[1] if isinstance(tot, tuple) else 0
                f = f"=SUM({L}{r0 + 1}:{L}{r1 + 1})" if r1 >= r0 else "=0"
                ws.write_formula(r, c, f, fmt, cached)
                self._count(ws, "formula")
            elif tot[0] == "sumif":
                _, lc, lab, cached = tot
                LL = _col_letter(lc)
                f = (f'=SUMIF({LL}{r0 + 1}:{LL}{r1 + 1},"{lab}",{L}{r0 + 1}:{L}{r1 + 1})' if r1 >= r0 else "=0")
                ws.write_formula(r, c, f, fmt, cached)
                self._count(ws, "formula")
            elif tot[0] == "formula":
                _, f, cached = tot
                if cached is None:
                    ws.write_formula(r, c, f, ft["dash"], DASH)
                else:
                    ws.write_formula(r, c, f, fmt, cached)
                self._count(ws, "formula")
            elif tot[0] == "value":
                v = tot[1]
                if _isnull(v):
                    ws.write_string(r, c, DASH, ft["dash"])
                    self._count(ws, "string")
                elif isinstance(v, str):
                    ws.write_string(r, c, v, fmt)
                    self._count(ws, "string")
                else:
                    ws.write_number(r, c, v, fmt)
                    self._count(ws, "number")
            if col.comment:
                ws.write_comment(r, c, col.comment, {"x_scale": 2, "y_scale": 1})

    # ---- the report ----------------------------------------------------------------------

    def write(self) -> None:
        from reports import sheets

        sheets.write_all(self)

    def close(self) -> None:
        d = self.d
        created = datetime(d.as_of.year, d.as_of.month, d.as_of.day, tzinfo=timezone.utc)
        title = self.t(f"政府引导基金季度报告 {d.quarter.label('zh')}", f"Guidance fund quarterly report {d.quarter}")
        self.wb.set_properties({
            "title": title,
            "subject": self.t(f"截至 {d.as_of.isoformat()}", f"As of {d.as_of.isoformat()}"),
            "author": "fundtrack",
            "company": "fundtrack",
            "keywords": f"{d.quarter}, {d.as_of.isoformat()}",
            "comments": self.t(f"数据截至 {d.as_of.isoformat()}；金额单位：万元", f"As of {d.as_of.isoformat()}; amounts in CNY 10k"),
            "created": created,
        })
        self.wb.set_custom_property("as_of", d.as_of.isoformat())
        self.wb.set_custom_property("quarter", str(d.quarter))
        self.wb.close()

