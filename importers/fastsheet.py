"""Big .xlsx sheets read column-wise with fastexcel, with calamine's values.

python-calamine turns a sheet into a Python grid in two steps that are both slow on a
100,000-row sheet: its parse clones every string, and `to_python` builds 1.5 M Python
objects row by row, which the importer then transposes back into columns. fastexcel runs the
same calamine parser over borrowed strings and hands back Arrow columns, ≈ 2× faster in all.

Its catch is typing: a column gets one Arrow type, guessed from its cells, so the title and
header rows must be left out of the load, and where they end is only known after reading
them. So a big sheet is read in two moves:

1. The head. The sheet part is cut after its first PROBE_ROWS rows and closed again, put
   into an in-memory copy of the workbook (styles, shared strings, everything else as is),
   and that copy is read with python-calamine: the first rows exactly as the normal reader
   would give them. The importer's own `find_layout` then says where the data starts.
2. The body. fastexcel loads the rows from there down with `dtype_coercion="strict"`
   over every row: a column that mixes types (numbers and text, dates and numbers) raises,
   and the sheet is read the normal way instead. Otherwise each Arrow column becomes the
   Python values calamine would have given: float, str, bool, date (a datetime at midnight),
   datetime, "" for an empty cell.

The head is read without the sheet's merged cells (they sit at the end of the part); the
pipeline locates the table again with them and re-reads the sheet the normal way if the
data then starts elsewhere (RawSheet.exact). Any surprise here means "not this path",
never a different result.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Callable

MIN_PART_BYTES = 2_000_000  # uncompressed sheet XML (≈ 3,000 rows) worth the two-step read
PROBE_ROWS = 40  # rows read for the head: headers.HEADER_SCAN_ROWS and the row under the last

_ROW_START = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_SHEETDATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData[\s>/]")
# Calamine turns serials below 61 into 1899/1900 datetimes and python-calamine gives a time
# of day for those below 1: leave such columns to calamine rather than copy its rules.
_EARLIEST = datetime(1900, 3, 1)


class NotFast(Exception):
    """This sheet is not for the fast path; read it the normal way."""


def head_part(z: zipfile.ZipFile, part: str, rows: int | None = None) -> bytes | None:
    """The sheet part cut before its row number rows+1 and closed again; None when the part
    holds no more rows than that (or doesn't look like a worksheet we can cut)."""
    rows = PROBE_ROWS if rows is None else rows
    buf = b""
    seen = 0
    pos = 0
    with z.open(part) as f:
        while True:
            chunk = f.read(1 << 16)
            if not chunk:
                return None
            buf += chunk
            # Rows already counted stay counted: resume a little before the old end, where a
            # `<row` might have been cut in two.
            for m in _ROW_START.finditer(buf, max(0, pos - 16)):
                if m.start() < pos:
                    continue
                seen += 1
                if seen > rows:
                    sd = _SHEETDATA.search(buf)
                    if sd is None or sd.start() > m.start():
                        return None
                    p = sd.group(1)
                    return buf[:m.start()] + b"</" + p + b"sheetData></" + p + b"worksheet>"
            pos = len(buf)
            if len(buf) > 64 << 20:  # 40 rows in 64 MB: nothing a person made
                return None


def head_workbook(z: zipfile.ZipFile, heads: dict[str, bytes]) -> io.BytesIO:
    """An uncompressed in-memory copy of the workbook's XML parts with some sheet parts
    replaced by their heads (media, thumbnails and the like are left out: calamine doesn't
    read them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as w:
        for info in z.infolist():
            name = info.filename
            if name in heads:
                w.writestr(name, heads[name])
            elif name.endswith((".xml", ".rels")) and not name.startswith("xl/worksheets/"):
                w.writestr(name, z.read(name))
            elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
                # Other sheets: calamine opens only the one asked for, but keep them valid.
                w.writestr(name, z.read(name) if info.file_size < 1 << 20 else _EMPTY_SHEET)
    out.seek(0)
    return out


_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData/></worksheet>")


def load_body(path: str, sheet: str, start: int, typed: set[int], width: int) -> list[list]:
    """Rows start+1 … end of a sheet as columns (from column A) of calamine-like values.

    Columns in `typed` (the ones that hold fields) keep their cells' types; the others of the
    head's `width` (序号, ignored and unknown columns) are read as text — a 合计 label under
    numbers would otherwise mix a column's types. Raises NotFast.
    """
    try:
        import fastexcel  # pyarrow only after the parse: `fundtrack import` loads it meanwhile
    except ImportError as exc:
        raise NotFast(str(exc)) from exc
    # It logs a warning for every column without a single value ("falling back to string"):
    # an empty optional column is normal here, and the CLI must not print it.
    logging.getLogger("fastexcel").setLevel(logging.ERROR)
    absolute: list[int] = []

    def keep(column) -> bool:  # called once per column: where each one sits in the sheet
        absolute.append(column.absolute_index)
        return True

    as_text = {c: "string" for c in range(width) if c not in typed}  # keys: absolute column indices
    try:
        # eager: one call parses and hands back a RecordBatch (no second pass for the schema)
        table = fastexcel.read_excel(path).load_sheet(
            sheet, header_row=None, skip_rows=start, schema_sample_rows=None, dtype_coercion="strict",
            dtypes=as_text or None, whitespace_as_null=False, skip_whitespace_tail_rows=False,
            use_columns=keep, eager=True)
    except Exception as exc:  # fastexcel raises its own classes for mixed columns and odd files
        raise NotFast(str(exc)) from exc
    import pyarrow as pa
    import pyarrow.compute as pc

    height = table.num_rows
    if len(absolute) != table.num_columns or absolute != sorted(set(absolute)):
        raise NotFast("unexpected column layout")
    loaded = dict(zip(absolute, table.columns))
    return [_values(loaded[c], pa, pc) if c in loaded else [""] * height
            for c in range(max(width, absolute[-1] + 1 if absolute else 0))]


def _values(arr, pa, pc) -> list:
    t = arr.type
    if pa.types.is_null(t):
        return [""] * len(arr)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        if len(arr) > 1000 and pc.count_distinct(arr.slice(0, 1000)).as_py() < 700:
            # Texts that repeat (industries, rounds, 是/否; a company's name on each of its
            # rows): one Python object per distinct text, shared by its cells.
            return _through_dictionary(arr, pc)
        vals = arr.to_pylist()
        return _blank_nulls(vals) if arr.null_count else vals
    if pa.types.is_floating(t) or pa.types.is_boolean(t) or pa.types.is_integer(t):
        vals = arr.to_pylist()
        return _blank_nulls(vals) if arr.null_count else vals
    if pa.types.is_timestamp(t):
        if arr.null_count < len(arr) and pc.min(arr).as_py() < _EARLIEST:
            raise NotFast("serials before March 1900")
        # Each distinct moment becomes a Python object once (a column holds a few thousand
        # dates over 100,000 rows); python-calamine gives a date for a datetime at midnight.
        return _through_dictionary(arr, pc, lambda v: v.date() if not (
            v.hour or v.minute or v.second or v.microsecond) else v)
    raise NotFast(f"column type {t}")


def _through_dictionary(arr, pc, convert=None) -> list:
    """Each distinct value made a Python object once and shared by its cells (nulls → "")."""
    # Nothing here turns a Python value into an Arrow one (fill_null's scalar, to_numpy):
    # pyarrow imports pandas for that on first use, ≈ 0.16 s on the import's critical path.
    enc = pc.dictionary_encode(arr)
    distinct = enc.dictionary.to_pylist()
    if convert is not None:
        distinct = [convert(v) for v in distinct]
    idx = enc.indices.to_pylist()
    if enc.indices.null_count:
        lookup = dict(enumerate(distinct))
        lookup[None] = ""
        return list(map(lookup.__getitem__, idx))
    return list(map(distinct.__getitem__, idx))


def _blank_nulls(vals: list) -> list:
    return ["" if v is None else v for v in vals]


def read_big_sheet(path: str, z: zipfile.ZipFile, part: str, sheet: str,
                   locate: Callable[[list[list]], tuple[int, set[int]] | None]):
    """(rows, body_start, body_columns, typed columns) of a big sheet, or raise NotFast.

    `locate` gets the head rows and returns the 0-based row where the data starts and the
    columns that hold fields (or None). rows is the whole grid as calamine would give it (the
    head's rows, then the body's as tuples); body_columns are the same body values column by
    column, padded from column A.
    """
    head = head_part(z, part)
    if head is None:
        raise NotFast("small sheet")
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_filelike(head_workbook(z, {part: head})) as wb:
            head_rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise NotFast(str(exc)) from exc
    found = locate(head_rows)
    if found is None or not 0 < found[0] < len(head_rows):
        raise NotFast("no table in the head")
    start, typed = found
    body = load_body(path, sheet, start, typed, max(map(len, head_rows)))
    width = len(body)
    top = [list(r) + [""] * (width - len(r)) for r in head_rows[:start]]
    return Grid(top, body), start, body, typed


class Grid(Sequence):
    """A big sheet's rows as calamine would give them — the head's rows (lists), then the
    body's as tuples — with each body row made only when asked for. The importer reads a big
    sheet column by column and looks at a few rows (totals, notes, the head): 100,000 row
    tuples built up front would sit on the import's critical path unused."""

    __slots__ = ("_head", "_body", "_len")

    def __init__(self, head: list[list], body: list[list]):
        self._head = head
        self._body = body
        self._len = len(head) + (len(body[0]) if body else 0)

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("row index out of range")
        h = len(self._head)
        if i < h:
            return self._head[i]
        i -= h
        return tuple(col[i] for col in self._body)
