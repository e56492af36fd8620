"""A located table → typed values, column by column, with every bad cell reported.

Rows that are not records are skipped here: hidden rows, blank rows, the template's example
row (序号 `示例`), footnotes (`注：…`, `填表人：…`) and 合计/小计/总计 rows — whose figures
are checked against the sum of the rows they total (a mismatch is an error, DESIGN §3).

Work is column-wise (one list per field) because a sheet may hold 100,000 rows: one tight
loop per column with a fast path for the value type calamine usually gives.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import itemgetter

from fundtrack.money import CENT, to_fen
from fundtrack.names import nul_joined

from importers import parse
from importers.fields import MONEY, Field, RecordKind
from importers.headers import IGNORE, SEQ, UNIT_NOTE, Column, Layout
from importers.problems import CellError, Problems, col_letter
from importers.read import RawSheet

_TOTAL = re.compile(r"(合计|小计|总计|总合计|累计)[:：]?")
_EXAMPLE = frozenset({"示例", "例", "样例", "example", "e.g.", "eg"})
_FOOTER = re.compile(r"(注|备注|说明|填表人?|填报人|制表人?|审核人?|复核人?|负责人|单位负责人|数据来源|资料来源|note)"
                     r"\s*[:：\d一二三（(]")
_WS = re.compile(r"\s+")


@dataclass
class SheetRecords:
    """One sheet's records, column-wise: values[field][j] belongs to spreadsheet row rows[j]."""

    file: str
    sheet: str
    kind: RecordKind
    layout: Layout
    rows: list[int]
    values: dict[str, list]
    columns: dict[str, int]  # field → 0-based column
    units: dict[str, str]  # money field → unit used
    bad: set[int] = field(default_factory=set)  # positions j with a cell error
    outcome: list[int] = field(default_factory=list)  # per row: 0 unchanged, 1 changed, 2 added

    def col(self, key: str) -> int | None:
        return self.columns.get(key)

    def unit_label(self) -> str:
        units = set(self.units.values())
        if not units:
            return "元"
        return units.pop() if len(units) == 1 else "混合"


def _total_label(v) -> str | None:
    if type(v) is not str or not v:
        return None
    s = _WS.sub("", unicodedata.normalize("NFKC", v))
    m = _TOTAL.fullmatch(s) or (_TOTAL.match(s) if len(s) <= 8 else None)
    if not m:
        return None
    return "小计" if m.group(1) == "小计" else "合计"


def _label(f: Field, lang_zh: bool = True) -> str:
    return f.header if lang_zh else f.en


def read_records(sheet: RawSheet, layout: Layout, unit_option: str | None, problems: Problems) -> SheetRecords:
    kind = layout.kind
    rows = sheet.rows
    hdr = layout.header_row
    fcols = _check_columns(layout, problems)

    # ---- which rows are records
    seq = layout.seq_column()
    name_col = fcols.get(kind.fields[0].key)
    total_probe = sorted({c for c in (0, 1, 2, seq, name_col.index if name_col else None) if c is not None})
    if sheet.body is not None and sheet.body_start == layout.data_start:
        body = sheet.body  # read column-wise already (importers.fastsheet)
    else:
        body = _transpose(rows, layout.data_start)
    kept, events = _record_rows(rows, layout.data_start, sheet.hidden, total_probe, seq, body)
    offsets = [i - layout.data_start for i in kept] if body is not None else None

    row_numbers = [i + 1 for i in kept]
    values: dict[str, list] = {}
    units: dict[str, str] = {}
    bad: set[int] = set()

    for f in kind.fields:
        col = fcols.get(f.key)
        if col is None:
            continue
        if body is not None:
            bc = body[col.index] if col.index < len(body) else None
            raw = ([""] * len(kept) if bc is None else list(bc) if len(offsets) == len(bc)
                   else list(map(bc.__getitem__, offsets)))
        else:
            raw = _column_values(rows, kept, col.index)
        if f.is_money:
            unit = col.unit if col.unit in parse.UNIT_FACTORS else (layout.note_unit or unit_option)
            vals, errs, no_unit = _money_column(raw, unit)
            if unit:
                units[f.key] = unit
            elif no_unit:
                problems.add(col.index, col.header_row,
                             f"{f.header} 未注明金额单位（请在表头写明，如“{f.header}（万元）”，"
                             "或加一行“单位：万元”，或使用 --unit）",
                             f"{f.en}: the unit of this money column is stated nowhere (write it in the "
                             f"header, e.g. “{f.header}（万元）”, add a “单位：万元” note row, or pass --unit)")
                # Its cells are unreadable, not blank: no "required" error on top of this one.
                bad.update(j for j, v in enumerate(raw) if vals[j] is None and not parse.is_blank(v))
        elif f.type == "percent":
            vals, errs = _percent_column(raw)
        else:
            vals, errs = _column(raw, _CONVERTERS[f.type], _SETTLED.get(f.type))
        for j, e in errs:
            bad.add(j)
            problems.add(col.index, row_numbers[j], f"{f.header} {e.zh}", f"{f.en}: {e.en}")
        if f.max_len and max(map(len, filter(None, vals)), default=0) > f.max_len:
            for j, v in enumerate(vals):
                if v is not None and len(v) > f.max_len:
                    bad.add(j)
                    problems.add(col.index, row_numbers[j], f"{f.header} 超过 {f.max_len} 个字",
                                 f"{f.en} is longer than {f.max_len} characters")
        values[f.key] = vals

    rec = SheetRecords(sheet.file, sheet.name, kind, layout, row_numbers, values,
                       {k: c.index for k, c in fcols.items()}, units, bad)
    _check_totals(rec, rows, events, fcols, problems)
    return rec


def _transpose(rows: list[list], start: int) -> list[tuple] | None:
    """The rows below the header as columns (one C-level zip), or None when the grid is ragged
    (workbook grids and read_csv_rows' rows are padded: this is the safety net)."""
    body = rows[start:]
    if not body or len(set(map(len, body))) != 1:
        return None
    return list(zip(*body))


def _record_rows(rows: list[list], start: int, hidden: frozenset[int], probe: list[int], seq: int | None,
                 columns: list[tuple] | None = None):
    """Which rows are records, and where the 合计/小计 rows sit among them.

    Whole-column scans find the few rows that need a closer look (a total label, an example
    marker, a footnote, a unit note, leading white space); every other non-blank row is a
    record without per-row Python logic — a sheet may hold 100,000 rows.
    """
    body = range(start, len(rows))
    firsts = _firsts(columns) if columns is not None else \
        [next(filter(None, rows[i]), None) for i in body]  # first truthy cell; None = blank
    look: set[int] = {h - 1 for h in hidden if start <= h - 1 < len(rows)}
    tf = _TOTAL_FIRST
    for c in probe:
        if columns is not None:
            col = columns[c] if c < len(columns) else ()
        else:
            col = _column_values(rows, list(body), c)
        # The test runs once per distinct value that could pass it — found by one regex over
        # the texts joined by NUL — and positions only for the values that hit.
        try:
            hits = {v for v in _could_start_a_look(col) if v[0] in tf or v[0].isspace() or (
                c == seq and v.strip().casefold() in _EXAMPLE)}
        except TypeError:  # unhashable cells: never from our readers, but stay safe
            hits = None
        if hits is None:
            look.update(i for i, v in zip(body, col) if v.__class__ is str and v and (
                v[0] in tf or v[0].isspace() or (c == seq and v.strip().casefold() in _EXAMPLE)))
        elif hits:
            look.update(i for i, v in zip(body, col) if v.__class__ is str and v in hits)
    footers = _could_be_a_footer(firsts)
    if footers is None or footers:
        for i, f in zip(body, firsts):
            if f.__class__ is str and (f[:1] in _FOOTER_FIRST or f.isspace() or "单位" in f):
                look.add(i)
    if not look:
        kept = [i for i, f in zip(body, firsts) if f is not None] if None in firsts else list(body)
        return kept, list(zip(repeat("row"), range(len(kept))))
    kept: list[int] = []
    events: list[tuple[str, int]] = []  # ("row", position in kept) | ("合计"/"小计", row index)
    for i, first in zip(body, firsts):
        if first is None:
            continue  # blank ('' everywhere; a row of zeros and blanks names nothing either)
        if i in look:
            row = rows[i]
            if (i + 1) in hidden:
                continue
            if first.__class__ is str and first.isspace():
                first = next((v for v in row if v and not (type(v) is str and v.isspace())), None)
                if first is None:
                    continue
            tl = None
            for c in probe:
                v = row[c] if c < len(row) else None
                if v.__class__ is str and v:
                    tl = _total_label(v)
                    if tl:
                        break
            if tl:
                events.append((tl, i))
                continue
            if seq is not None and seq < len(row) and type(row[seq]) is str and \
                    row[seq].strip().casefold() in _EXAMPLE:
                continue  # the template's example row
            if type(first) is str and first[:1] in _FOOTER_FIRST and _FOOTER.match(first.strip()):
                if sum(1 for v in row if v not in ("", None)) <= 3:
                    continue  # 注：… / 填表人：…
            if type(first) is str and UNIT_NOTE.search(unicodedata.normalize("NFKC", first)) and \
                    sum(1 for v in row if v not in ("", None)) == 1:
                continue  # a 单位：万元 line below the header
        events.append(("row", len(kept)))
        kept.append(i)
    return kept, events


def _firsts(columns: list) -> list:
    """Each row's first truthy cell (None for a blank row), from the columns: a column fills the
    rows still empty, and the walk stops once none is (序号 usually fills them all at once)."""
    if not columns:
        return []
    firsts = [v if v else None for v in columns[0]]
    empty = [j for j, v in enumerate(firsts) if v is None] if None in firsts else []
    for col in columns[1:]:
        if not empty:
            break
        for j in empty:
            v = col[j]
            if v:
                firsts[j] = v
        empty = [j for j in empty if firsts[j] is None]
    return firsts


_FOOTER_FIRST = frozenset("注备说填制审复负单数资nN")
# Texts whose first character is a total's (合小总累), white space, or could begin an example
# marker once case-folded: a superset of what _record_rows looks at (its test then decides).
_LOOK_FIRST = re.compile("\x00([合小总累示例样eEＥｅ\\s][^\x00]*)")


def _could_start_a_look(column) -> set[str]:
    """The distinct texts of a column that _record_rows must look at more closely (a superset)."""
    joined = _texts_joined(column)
    if joined is None:
        texts = {v for v in set(column) if v.__class__ is str and v}
        joined = nul_joined(list(texts))
        if joined is None:  # a text holds a NUL itself: test them all
            return texts
    return set(_LOOK_FIRST.findall("\x00" + joined))


# First cells that could open a footnote (注：…), a unit note (单位：万元) or be white space:
# a superset of _record_rows' own test, which then runs on these texts only.
_FOOTER_LIKE = re.compile("\x00(?=[注备说填制审复负单数资nN\\s]|[^\x00]*单位)")


def _could_be_a_footer(firsts: list) -> bool | None:
    """Whether any row's first cell could be a footnote or unit note, by one regex over the
    first cells joined; None when they aren't all texts (then each row is tested)."""
    joined = _texts_joined(firsts)
    return None if joined is None else _FOOTER_LIKE.search("\x00" + joined) is not None


def _texts_joined(column) -> str | None:
    """A column that holds only texts, NUL-joined as it is (no set, no filtering: a column of
    100,000 distinct 序号 or names); None for any other column."""
    try:
        return nul_joined(column)
    except TypeError:  # a number, a date, a blank row's None: not a column of texts only
        return None


def _check_columns(layout: Layout, problems: Problems) -> dict[str, Column]:
    kind = layout.kind
    seen: dict[str, Column] = {}
    for c in layout.columns:
        if c.target in (SEQ, IGNORE):
            continue
        if c.target is None:
            if not UNIT_NOTE.search(unicodedata.normalize("NFKC", c.label)):
                problems.warn(c.index, c.header_row, f"未识别的列“{c.label}”，已忽略（可用 --map 映射）",
                              f"unknown column “{c.label}” ignored (map it with --map)")
            continue
        if c.target in seen:
            f = kind.field(c.target)
            problems.add(c.index, c.header_row,
                         f"“{c.label}”与 {col_letter(seen[c.target].index)} 列都对应 {f.header}",
                         f"“{c.label}” and column {col_letter(seen[c.target].index)} both mean {f.en}")
            continue
        seen[c.target] = c
    for f in kind.fields:
        if f.required and f.key not in seen:
            # Whole-row reference: the header row lacks the column.
            problems.add_at(f"{layout.header_row}:{layout.header_row}",
                            f"第 {layout.header_row} 行表头缺少必填列“{f.header}”",
                            f"the header (row {layout.header_row}) lacks the required column “{f.header}” ({f.en})")
    return seen


# ---------------------------------------------------------------- column parsers

_TOTAL_FIRST = frozenset("合小总累")
_MISSING = object()


def _column_values(rows: list[list], kept: list[int], c: int) -> list:
    try:
        return list(map(itemgetter(c), map(rows.__getitem__, kept)))
    except IndexError:  # a ragged row (workbook grids are padded; this is the safety net)
        return [rows[i][c] if c < len(rows[i]) else "" for i in kept]


def _by_distinct(raw: list, one, settled=None) -> tuple[list, list] | None:
    """Convert each distinct value once and map the results back onto the column.

    Columns repeat themselves (50 fund names over 100,000 rows, a handful of industries, a
    column of zeros), and the mapping back is a C-level map(). `one` returns the value, None
    for blank, or a CellError. Returns None when values can't safely be dict keys: True, 1 and
    1.0 are the same key, so a column holding booleans takes the plain loop. `settled(values)`,
    when given, names in bulk the values `one` would return unchanged: one() is not called
    for those (a column of 50,000 distinct company names).
    """
    try:
        distinct = set(raw)
        if bool in set(map(type, distinct)):
            return None
        if settled is not None and len(distinct) >= VECTOR_MIN:
            same = settled(distinct)
            table = {v: one(v) for v in distinct if v not in same}
            out = list(map(table.get, raw, raw))  # a value missing from the table is itself
        else:
            table = {v: one(v) for v in distinct}
            out = list(map(table.__getitem__, raw))
    except (TypeError, KeyError):  # unhashable, or NaN (a key that doesn't equal itself)
        return None
    errs: list = []
    if CellError in set(map(type, table.values())):
        errs = [(j, r) for j, r in enumerate(out) if r.__class__ is CellError]
        out = [None if r.__class__ is CellError else r for r in out]
    return out, errs


def _column(raw: list, conv, settled=None) -> tuple[list, list]:
    is_blank = parse.is_blank

    def one(v):
        if v == "" or v is None or (type(v) is str and (v.isspace() or (len(v) <= 4 and is_blank(v)))):
            return None
        try:
            return conv(v)
        except CellError as e:
            return e
        except _ODD as exc:
            return _odd(v, exc)

    done = _by_distinct(raw, one, settled)
    return done if done is not None else _each(raw, one)


def _each(raw: list, one) -> tuple[list, list]:
    """one() on every value: (values, [(position, CellError)]) with errored cells as None."""
    out: list = []
    errs: list = []
    for j, v in enumerate(raw):
        r = one(v)
        if r.__class__ is CellError:
            errs.append((j, r))
            r = None
        out.append(r)
    return out, errs


# What a parser might still raise on a value nobody foresaw: the cell gets an error and the
# import goes on collecting problems (never a traceback).
_ODD = (ArithmeticError, ValueError, TypeError, OverflowError)


def _odd(v, exc) -> CellError:
    shown = str(v)[:40]
    return CellError(f'无法识别的值 "{shown}"', f'unreadable value "{shown}" ({type(exc).__name__})')


VECTOR_MIN = 2000  # values in a column worth numpy (imported on first use, ~0.1 s)
_NO_UNIT = CellError("金额未注明单位", "the amount's unit is not stated")
_SLOW = object()


def _mostly_distinct(raw: list) -> bool:
    """More than a quarter of the values distinct, judged on the first 2,000 (which path is
    faster: both give the same result)."""
    head = raw[:2000]
    try:
        return len(set(head)) * 4 > len(head)
    except TypeError:
        return False


def _money_column(raw: list, unit: str | None):
    factor = parse.UNIT_FACTORS[unit] if unit else None
    # Floats at or beyond the range limit (and NaN, which fails both comparisons) leave the
    # hot path for parse.money's range check.
    limit = float(parse.MAX_AMOUNT / factor) if factor else 0.0
    money = parse.money
    is_blank = parse.is_blank
    half_up = ROUND_HALF_UP

    def one(v):
        t = type(v)
        if t is float and -limit < v < limit:
            # The hot path: calamine's float, through repr (what Excel shows), never binary.
            return (Decimal(repr(v)) * factor).quantize(CENT, rounding=half_up)
        if v == "" or v is None or (t is str and is_blank(v)):
            return None
        if t is bool:
            return CellError(f'"{v}" 不是金额', f'"{v}" is not an amount')
        try:
            return money(v, factor)
        except CellError as e:
            return _NO_UNIT if factor is None and e.en == _NO_UNIT.en else e
        except _ODD as exc:
            return _odd(v, exc)

    done = None
    if factor is not None and raw and raw[0].__class__ is float and _mostly_distinct(raw):
        # Mostly distinct floats (amounts). A column of floats only: vectorised, exact
        # (parse.money_floats); values it can't vouch for, and columns with other values in
        # them, take one comprehension with the Decimal conversion inline — a function call
        # per value would double the cost. Anything else takes one().
        slow = _SLOW
        if len(raw) >= VECTOR_MIN and set(map(type, raw)) == {float}:
            out = parse.money_floats(raw, factor)
            if parse.holds(out, None):
                out = [r if r is not None else
                       (Decimal(repr(v)) * factor).quantize(CENT, rounding=half_up) if -limit < v < limit else slow
                       for v, r in zip(raw, out)]
        else:
            out = [(Decimal(repr(v)) * factor).quantize(CENT, rounding=half_up)
                   if v.__class__ is float and -limit < v < limit else slow for v in raw]
        errs = []
        if parse.holds(out, slow):
            for j, r in enumerate(out):
                if r is slow:
                    r = one(raw[j])
                    if r.__class__ is CellError:
                        errs.append((j, r))
                        r = None
                    out[j] = r
        done = out, errs
    if done is None:
        done = _by_distinct(raw, one)
        if done is not None and not done[1] and len(raw) >= VECTOR_MIN and not parse.holds(done[0], None):
            done = _with_fen(done[0]), done[1]
    out, errs = done if done is not None else _each(raw, one)
    no_unit = any(e is _NO_UNIT for _, e in errs)
    if no_unit:
        errs = [(j, e) for j, e in errs if e is not _NO_UNIT]
    return out, errs, no_unit


def _with_fen(vals: list) -> parse.MoneyColumn:
    """A big column of amounts without blanks (Decimal yuan, to the fen, as `one` gives them)
    with its fen, worked out once per distinct amount: a column of zeros, a few round sums."""
    fen = {d: to_fen(d) for d in set(vals)}
    return parse.MoneyColumn(vals, list(map(fen.__getitem__, vals)))


def _percent_column(raw: list) -> tuple[list, list]:
    """Shares as `20%`, `20` or `0.2`: a plain number above 1 anywhere in the column means the
    column is in percentage points (20 = 20%), otherwise plain numbers are fractions (what a
    %-formatted Excel cell holds). Decided per column so 0.5 next to 20 reads as 0.5%."""
    def parts(v):
        if type(v) is float:
            return Decimal(repr(v)), False
        if v == "" or v is None or (type(v) is str and parse.is_blank(v)):
            return None
        try:
            return parse.percent_parts(v)
        except CellError as e:
            return e
        except _ODD as exc:
            return _odd(v, exc)

    done = _by_distinct(raw, parts)
    if done is None:
        done = _column(raw, lambda v: _raise_cell_error(parts(v)))
    p, errs = done
    distinct = set(p)
    points = any(x is not None and not x[1] and x[0] > 1 for x in distinct)
    places = parse.RATIO_PLACES
    hundred = Decimal(100)

    def share(x):
        d, pct = x
        y = d / hundred if (points or pct) else d
        if y < 0 or y > 1:
            return None
        return y.quantize(places)

    table = {x: share(x) for x in distinct if x is not None}
    if None in distinct:
        out = [None if x is None else table[x] for x in p]
    else:
        out = list(map(table.__getitem__, p))
    if any(y is None for y in table.values()):  # a share outside 0–100% somewhere
        for j, (x, y) in enumerate(zip(p, out)):
            if x is not None and y is None:
                errs.append((j, CellError(f'"{raw[j]}" 不在 0–100% 之间', f'"{raw[j]}" is not between 0 and 100%')))
    return out, errs


def _raise_cell_error(r):
    if r.__class__ is CellError:
        raise r
    return r


_CONVERTERS = {
    "text": parse.text,
    "name": parse.name,
    "ref": parse.name,
    "target": parse.text,
    "date": parse.to_date,
    "multiple": parse.multiple,
    "level": parse.level,
    "yesno": parse.yes_no,
    "flow_type": parse.flow_type,
    "uscc": parse.uscc_text,
    "amac": parse.amac,
}


# Bulk tests of which values a converter returns unchanged (see _by_distinct).
_SETTLED = {
    "text": parse.unchanged_texts,
    "target": parse.unchanged_texts,
    "name": parse.unchanged_names,
    "ref": parse.unchanged_names,
    "uscc": parse.valid_usccs,
}


# ---------------------------------------------------------------- 合计 check


def _check_totals(rec: SheetRecords, rows, events, fcols: dict[str, Column], problems: Problems) -> None:
    """Every 合计/总计 row must equal the sum of the rows it totals; 小计 the rows since the last subtotal.

    A total above its rows (a common layout: 合计 right under the header) totals the rows below
    it up to the next total. Tolerance: 0.01 of the column's unit (the total may be rounded to
    two places in 万元 or 亿元).
    """
    if len(events) == len(rec.rows):  # one ("row", …) event per record: no total row at all
        return
    money = [(f, fcols[f.key]) for f in rec.kind.fields if f.type == MONEY and f.key in fcols and f.key in rec.units]
    for f, col in money:
        vals = parse.plain(rec.values[f.key])
        unit = rec.units[f.key]
        factor = parse.UNIT_FACTORS[unit]
        tol = factor / 100
        _check_one_column(rec, rows, events, f, col, vals, factor, tol, problems)


def _check_one_column(rec, rows, events, f: Field, col: Column, vals, factor, tol, problems) -> None:
    def total_value(i):
        v = rows[i][col.index] if col.index < len(rows[i]) else ""
        if v == "" or v is None or (type(v) is str and parse.is_blank(v)):
            return None
        try:
            return parse.money(v, factor)
        except CellError:
            return None

    def compare(i, label, expected, count):
        tv = total_value(i)
        if tv is None or count == 0:
            return
        if abs(tv - expected) > tol:
            u = rec.units[f.key]
            shown_t = _fmt(tv / factor)
            shown_e = _fmt(expected / factor)
            problems.add(col.index, i + 1,
                         f"{label}行 {f.header} {shown_t} 与所列各行之和 {shown_e} 不符（单位：{u}）",
                         f"{f.en} on the {'subtotal' if label == '小计' else 'total'} row is {shown_t} but the "
                         f"rows it totals add up to {shown_e} ({u})")

    # Rows that failed to parse in this column make its sums unknowable: skip those totals.
    n = len(events)
    sub_sum = all_sum = Decimal(0)
    sub_n = all_n = 0
    sub_bad = all_bad = False
    k = 0
    while k < n:
        kind_, pos = events[k]
        if kind_ == "row":
            v = vals[pos]
            bad = pos in rec.bad and v is None
            if v is not None:
                sub_sum += v
                all_sum += v
                sub_n += 1
                all_n += 1
            sub_bad |= bad
            all_bad |= bad
            k += 1
            continue
        if (kind_ == "合计" and all_n == 0) or (kind_ == "小计" and sub_n == 0):
            # A leading total: sum the rows below it up to the next total of any kind.
            s, m, b = Decimal(0), 0, False
            k2 = k + 1
            while k2 < n and events[k2][0] == "row":
                v = vals[events[k2][1]]
                if v is not None:
                    s += v
                    m += 1
                elif events[k2][1] in rec.bad:
                    b = True
                k2 += 1
            if kind_ == "合计" and k2 < n and events[k2][0] == "小计":
                # 合计 on top of groups with subtotals: it totals everything below.
                s, m, b = Decimal(0), 0, False
                for kk in range(k + 1, n):
                    if events[kk][0] == "row":
                        v = vals[events[kk][1]]
                        if v is not None:
                            s += v
                            m += 1
                        elif events[kk][1] in rec.bad:
                            b = True
                    elif events[kk][0] == "合计":
                        break
            if not b:
                compare(pos, kind_, s, m)
            k += 1
            continue
        if kind_ == "小计":
            if not sub_bad:
                compare(pos, kind_, sub_sum, sub_n)
        else:
            if not all_bad:
                compare(pos, kind_, all_sum, all_n)
            all_sum, all_n, all_bad = Decimal(0), 0, False
        sub_sum, sub_n, sub_bad = Decimal(0), 0, False
        k += 1


def _fmt(d: Decimal) -> str:
    q = d.quantize(Decimal("0.01")) if d == d.quantize(Decimal("0.01")) else d.normalize()
    return f"{q:,}"
