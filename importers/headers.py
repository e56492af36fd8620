"""Finding the table in a sheet: which kind of record it holds, which row is the header,
which column is which field, and what unit each money column is in.

Real sheets put title rows and a `单位：万元` note above the header, split headers over two
rows under merged cells (`引导基金出资` over `认缴` / `实缴`), and spell headers with units,
full-width brackets and stray spaces. Header text is matched after NFKC, case folding and
removing white space, with the unit taken out first (`认缴规模（万元）` → 认缴规模, 万元).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from importers.fields import IGNORED_HEADERS, KIND_BY_KEY, KINDS, SEQ_HEADERS, RecordKind
from importers.read import RawSheet

HEADER_SCAN_ROWS = 30  # a header below row 30 is not a header
SEQ = "__seq__"
IGNORE = "__ignore__"

_WS = re.compile(r"\s+")
_UNIT_WORD = r"(亿元|万元|元|亿|万|%)"
# `(万元)`, `（单位：万元）`, `[万元人民币]`, `(人民币万元)`, `/万元`, `_万元`, `(%)`.
_UNIT_BRACKETED = re.compile(r"[(\[【](?:单位[:：]?)?(?:人民币)?" + _UNIT_WORD + r"(?:人民币)?[)\]】]")
_UNIT_SUFFIX = re.compile(r"[/_:：-]?(?:单位[:：]?)?(?:人民币)?(亿元|万元)$")
_MARKERS = re.compile(r"[*＊※]+|[(\[](必填|选填|可选|必选)[)\]]")
# A note row anywhere above the table: 单位：万元, 金额单位：亿元, （单位：人民币万元）.
UNIT_NOTE = re.compile(r"单位\s*[:：]\s*(?:人民币)?\s*(亿元|万元|元)")
# Groups over a two-row header end in words that the sub-header completes: 引导基金出资 / 认缴.
_GROUP_SUFFIX = re.compile(r"(出资情况|出资额|出资|情况|金额|规模)$")

_UNIT_NAMES = {"亿": "亿元", "万": "万元"}


def norm(text) -> str:
    """Header text as matched: NFKC, no white space, case-folded."""
    return _WS.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


def split_unit(text) -> tuple[str, str | None]:
    """`认缴规模（万元）` → (`认缴规模`, `万元`); `持股比例(%)` → (`持股比例`, `%`)."""
    s = norm(text)
    s = _MARKERS.sub("", s)
    unit = None
    m = _UNIT_BRACKETED.search(s)
    if m:
        unit = m.group(1)
        s = (s[: m.start()] + s[m.end():])
    else:
        m = _UNIT_SUFFIX.search(s)
        if m and m.start() > 0:
            unit = m.group(1)
            s = s[: m.start()]
    s = s.strip(":：-_/")
    return s, _UNIT_NAMES.get(unit, unit)


def _index(kind: RecordKind) -> dict[str, str]:
    idx: dict[str, str] = {}
    for f in kind.fields:
        for name in (f.header, *f.aliases):
            idx.setdefault(norm(name), f.key)
    for s in SEQ_HEADERS:
        idx.setdefault(norm(s), SEQ)
    for s in IGNORED_HEADERS:
        idx.setdefault(norm(s), IGNORE)
    return idx


INDEX = {k.key: _index(k) for k in KINDS}


@dataclass
class HeaderMapping:
    """A user's mapping file: unknown header → canonical header, sheet name → record kind."""

    headers: dict[str, str] = field(default_factory=dict)  # norm(header) → norm(canonical)
    by_kind: dict[str, dict[str, str]] = field(default_factory=dict)  # kind key → same
    sheets: dict[str, str] = field(default_factory=dict)  # norm(sheet name) → kind key

    def lookup(self, kind: str, key: str, key_no_unit: str) -> str | None:
        for table in (self.by_kind.get(kind, {}), self.headers):
            for k in (key, key_no_unit):
                if k in table:
                    return table[k]
        return None


def kind_from_label(label: str) -> RecordKind | None:
    n = norm(label)
    for k in KINDS:
        if n in (norm(k.label), k.key, norm(k.en)) or n in map(norm, k.sheet_names):
            return k
    return None


def kind_from_sheet_name(name: str, mapping: HeaderMapping | None = None) -> RecordKind | None:
    n = norm(name)
    if mapping and n in mapping.sheets:
        return KIND_BY_KEY[mapping.sheets[n]]
    for k in KINDS:
        if any(norm(s) in n for s in k.sheet_names):
            return k
    return None


@dataclass
class Column:
    index: int
    label: str  # the header as written (two-row headers joined with "/")
    unit: str | None
    target: str | None  # field key, SEQ, IGNORE or None (unknown)
    header_row: int  # 1-based row where the (lower) header cell sits


@dataclass
class Layout:
    kind: RecordKind
    header_row: int  # 1-based row of the last header row
    first_header_row: int
    data_start: int  # 0-based index into RawSheet.rows of the first data row
    columns: list[Column]
    note_unit: str | None  # from a 单位：万元 note row above the table
    note_row: int | None

    def field_columns(self) -> dict[str, Column]:
        out: dict[str, Column] = {}
        for c in self.columns:
            if c.target and c.target not in (SEQ, IGNORE) and c.target not in out:
                out[c.target] = c
        return out

    def seq_column(self) -> int | None:
        for c in self.columns:
            if c.target == SEQ:
                return c.index
        return None


def _match(kind: RecordKind, label, mapping: HeaderMapping | None) -> tuple[str | None, str | None]:
    """(field key | SEQ | IGNORE | None, unit) for one header text."""
    if label is None or label == "":
        return None, None
    bare, unit = split_unit(label)
    idx = INDEX[kind.key]
    if mapping:
        mapped = mapping.lookup(kind.key, norm(label), bare)
        if mapped is not None:
            if mapped == IGNORE:
                return IGNORE, unit
            mb, mu = split_unit(mapped)
            return idx.get(mb), unit or mu
    return idx.get(bare), unit


def _row_text(row: list, c: int):
    v = row[c] if c < len(row) else ""
    return v if isinstance(v, str) else ("" if v is None else v)


def _is_texty(v) -> bool:
    return v == "" or v is None or isinstance(v, str)


def _filled_top(rows: list[list], r: int, width: int, merged) -> list:
    """Row r with horizontally merged header cells repeated across their span."""
    top = [_row_text(rows[r], c) for c in range(width)]
    spans = [(c0, c1) for (r0, c0), (r1, c1) in (merged or []) if r0 <= r <= r1 and c1 > c0]
    for c0, c1 in spans:
        for c in range(c0 + 1, min(c1, width - 1) + 1):
            top[c] = top[c0]
    if merged is None and r + 1 < len(rows):
        # No merge information (CSV, .ods): a blank top cell above a sub-header continues
        # the group to its left when that group also has a sub-header under it.
        bottom = rows[r + 1]
        for c in range(1, width):
            if top[c] == "" and _row_text(bottom, c) != "" and _row_text(bottom, c - 1) != "" and top[c - 1] != "":
                top[c] = top[c - 1]
    return top


def _layout_for(kind: RecordKind, rows, r: int, two_rows: bool, merged, mapping, width: int) -> list[Column]:
    cols: list[Column] = []
    if not two_rows:
        for c in range(width):
            label = _row_text(rows[r], c)
            target, unit = _match(kind, label, mapping) if isinstance(label, str) else (None, None)
            if label != "":
                cols.append(Column(c, str(label), unit, target, r + 1))
        return cols
    top = _filled_top(rows, r, width, merged)
    bottom = rows[r + 1]
    for c in range(width):
        t, b = top[c], _row_text(bottom, c)
        if b == "":
            if t == "":
                continue
            target, unit = _match(kind, t, mapping)
            cols.append(Column(c, str(t), unit, target, r + 1))
            continue
        if t == "":
            target, unit = _match(kind, b, mapping)
            cols.append(Column(c, str(b), unit, target, r + 2))
            continue
        tb, tu = split_unit(t)
        bb, bu = split_unit(b)
        unit = bu or tu
        target = None
        for cand in (tb + bb, _GROUP_SUFFIX.sub("", tb) + bb, bb + tb, bb):
            got, _ = _match(kind, cand, mapping)
            if got is not None:
                target = got
                break
        if target is None and mapping:
            target, _ = _match(kind, f"{t}{b}", mapping)
        cols.append(Column(c, f"{t}/{b}", unit, target, r + 2))
    return cols


def _score(kind: RecordKind, cols: list[Column]) -> tuple[int, int]:
    keys = {c.target for c in cols if c.target and c.target not in (SEQ, IGNORE)}
    sig = len(keys & set(kind.signature))
    return len(keys) + 2 * sig, len(keys)


def _two_row_plausible(rows, r: int, width: int) -> bool:
    """The row under a header is a sub-header only if it holds nothing but short text."""
    if r + 1 >= len(rows):
        return False
    b = rows[r + 1]
    texts = [v for v in b[:width] if v not in ("", None)]
    if not texts or not all(isinstance(v, str) and len(v) <= 30 for v in texts):
        return False
    # CSV data rows are all text too: a row holding anything that reads as a number or a
    # date is data, not a sub-header.
    from importers.parse import to_date, to_decimal
    from importers.problems import CellError

    for v in texts:
        for probe in (to_decimal, to_date):
            try:
                probe(v)
                return False
            except CellError:
                pass
    return True


def find_layout(sheet: RawSheet, mapping: HeaderMapping | None = None) -> Layout | None:
    """The table in a sheet, or None when the sheet holds no record kind we know."""
    rows = sheet.rows
    if not rows:
        return None
    named = kind_from_sheet_name(sheet.name, mapping)
    scan = min(len(rows), HEADER_SCAN_ROWS)
    width = max((len(rows[i]) for i in range(scan)), default=0)
    candidates = (named,) if named else KINDS
    best = None  # (score, kind, r, two_rows, cols)
    for kind in candidates:
        for r in range(scan):
            if not any(isinstance(v, str) and v for v in rows[r]):
                continue
            options = [False] + ([True] if _two_row_plausible(rows, r, width) else [])
            for two in options:
                cols = _layout_for(kind, rows, r, two, sheet.merged, mapping, width)
                score, n = _score(kind, cols)
                if n < 2:
                    continue
                key = (score, two)
                if best is None or key > best[0]:
                    best = (key, kind, r, two, cols)
    if best is None and named:
        # The name said one kind but the headers don't fit it: let the headers decide.
        return find_layout(RawSheet(sheet.file, "", rows, sheet.hidden, sheet.merged, sheet.from_csv), mapping)
    if best is None:
        return None
    (_, _), kind, r, two, cols = best
    if not named:
        # Recognised by headers alone: insist on the record's name column being there.
        first = kind.fields[0].key
        if not any(c.target == first for c in cols):
            return None
    header_row = r + (2 if two else 1)
    note_unit, note_row = None, None
    for i in range(0, header_row):
        for v in rows[i]:
            if isinstance(v, str) and "单位" in v:
                m = UNIT_NOTE.search(unicodedata.normalize("NFKC", v))
                if m:
                    note_unit, note_row = m.group(1), i + 1
    return Layout(kind, header_row, r + 1, header_row, cols, note_unit, note_row)
