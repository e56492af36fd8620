"""Files → raw sheets: a grid of cell values plus what the grid alone doesn't say
(which rows are hidden, which cells are merged).

Workbooks (.xlsx/.xlsm/.xls/.ods) are read with python-calamine: it is an order of magnitude
faster than openpyxl and gives typed values (float, date, bool, str). calamine does not expose
hidden rows, so for .xlsx/.xlsm we scan the sheet's XML for `<row … hidden="1">` ourselves —
one streaming pass over the compressed part, and the regex only runs when the bytes contain
`hidden` at all, which costs far less than loading the sheet a second time with openpyxl
(whose row_dimensions need the full, non-read-only load). .ods gets the same treatment
(`table:visibility="collapse"`), and .xls the BIFF ROW records' hidden flag.

CSV files are UTF-8 (with or without BOM), GBK/GB18030 (what Excel saves on Chinese Windows)
or UTF-16 (Excel's "Unicode text"); the delimiter is guessed from the first lines.
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import io
import os
import re
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}


class ReadError(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


@dataclass
class RawSheet:
    file: str  # file name as shown in messages
    name: str  # sheet name (CSV: the file's stem)
    rows: list[list]  # rows[0] is spreadsheet row 1; rows[i][0] is column A (a big sheet: fastsheet.Grid)
    hidden: frozenset[int] = frozenset()  # 1-based numbers of hidden rows
    merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None  # 0-based, inclusive
    from_csv: bool = False
    notes: list[str] = field(default_factory=list)
    # Read by importers.fastsheet: the rows from body_start down, column by column (from
    # column A), and how to read the sheet the normal way should its layout turn out otherwise.
    body: list[list] | None = None
    body_start: int | None = None
    text_columns: frozenset[int] = frozenset()  # body columns read as text (not holding fields)
    exact: Callable[[], "RawSheet"] | None = None  # the grid alone: use read_normally()

    def fits(self, layout) -> bool:
        """Whether a body read ahead of the layout matches it: same first data row, and every
        field's column read with its cells' own types."""
        return layout.data_start == self.body_start and not any(
            c.index in self.text_columns for c in layout.field_columns().values())

    def read_normally(self) -> "RawSheet":
        """The same sheet read the normal way, keeping the hidden rows already found."""
        sheet = self.exact()
        sheet.hidden = self.hidden
        return sheet


def read_file(path: str | Path, display_name: str | None = None, mapping=None) -> list[RawSheet]:
    """`mapping` (a headers.HeaderMapping) only helps a big sheet's fast read find its table."""
    p = Path(path)
    shown = display_name or p.name
    suffix = p.suffix.lower()
    if not p.exists():
        raise ReadError(f"找不到文件 {p}", f"file not found: {p}")
    if not p.is_file():
        raise ReadError(f"{p} 不是文件", f"{p} is not a file")
    from importers.guard import check_file

    check_file(p)  # hostile or broken input is refused here, before any parser runs
    if suffix in CSV_SUFFIXES:
        return [RawSheet(shown, p.stem, read_csv_rows(p), from_csv=True)]
    if suffix in WORKBOOK_SUFFIXES:
        return read_workbook(p, shown, mapping)
    raise ReadError(f"不支持的文件类型 {suffix or '(无扩展名)'}（支持 .xlsx .xlsm .xls .ods .csv）",
                    f"unsupported file type {suffix or '(none)'} (use .xlsx .xlsm .xls .ods .csv)")


def read_workbook(p: Path, shown: str, mapping=None) -> list[RawSheet]:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_path(str(p))
    except (CalamineError, OSError, ValueError) as exc:
        raise ReadError(f"无法读取工作簿：{exc}", f"cannot read the workbook: {exc}") from exc
    sheets: list[RawSheet] = []
    scanner = _sheet_scanner(p)
    # Hidden sheets hold lookup lists and scratch work, never data to import.
    wanted = [m.name for m in wb.sheets_metadata
              if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet]
    # The hidden-row scan decompresses each sheet's XML once more: on another thread, while
    # calamine parses (both release the GIL). With a big sheet for fastsheet the thread runs
    # at a lower priority: on two cores the parse and the caller's imports (`fundtrack import`
    # loads SQLAlchemy meanwhile) come first, the scan takes the time either leaves idle.
    found: dict[str, SheetScan] = {}
    big = _big_parts(scanner, wanted) if isinstance(scanner, _XlsxHidden) else {}

    def run_scan() -> None:
        if big:
            _lower_priority()
        found.update({n: scanner(n) for n in wanted})

    scan = threading.Thread(target=run_scan, name="fundtrack-hidden-rows", daemon=True)
    scan.start()
    with wb:
        for meta in wb.sheets_metadata:
            if meta.name not in wanted:
                continue
            if meta.name in big:
                fast = _read_fast(p, shown, meta.name, big[meta.name], mapping)
                if fast is not None:
                    sheets.append(fast)
                    continue
            sheets.append(_read_sheet(wb, meta.name, shown))
    scan.join()
    for i, sh in enumerate(sheets):
        got = found.get(sh.name, SheetScan())
        if sh.body is not None:
            if got.merged is None:  # the scan failed: no merge information to go on
                sheets[i] = sh = sh.exact()
            else:
                sh.merged = got.merged
        sh.hidden = got.hidden
    return sheets


def _lower_priority() -> None:
    """Renice the calling thread (Linux: a thread is a task of its own); best effort."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def _read_sheet(wb, name: str, shown: str) -> RawSheet:
    try:
        sh = wb.get_sheet_by_name(name)
        _check_size(name, sh.height, sh.width)
        rows = sh.to_python(skip_empty_area=False)
        merged = sh.merged_cell_ranges
    except ReadError:
        raise
    except Exception as exc:  # calamine raises more than CalamineError on damaged parts
        raise ReadError(f"无法读取工作表 {name}：{exc}", f"cannot read sheet {name}: {exc}") from exc
    return RawSheet(shown, name, rows, frozenset(), merged)


def _big_parts(scanner: "_XlsxHidden", wanted: list[str]) -> dict[str, str]:
    """Sheet name → its XML part, for the sheets big enough for importers.fastsheet (the
    workbook's sheet → part map is read once, for the hidden-row scan too)."""
    from importers.fastsheet import MIN_PART_BYTES

    try:
        with zipfile.ZipFile(scanner.path) as z:
            parts = scanner.parts(z)
            return {n: parts[n] for n in wanted
                    if parts.get(n) in z.NameToInfo and z.getinfo(parts[n]).file_size >= MIN_PART_BYTES}
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError):
        return {}


def _read_fast(p: Path, shown: str, name: str, part: str, mapping) -> RawSheet | None:
    """A big sheet through importers.fastsheet, or None to read it the normal way."""
    from importers import fastsheet
    from importers.headers import IGNORE, SEQ, find_layout

    def locate(head: list[list]) -> tuple[int, set[int]] | None:
        layout = find_layout(RawSheet(shown, name, head, frozenset(), []), mapping)
        if layout is None:
            return None
        return layout.data_start, {c.index for c in layout.columns if c.target not in (None, SEQ, IGNORE)}

    def exact() -> RawSheet:
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(str(p)) as wb:
            return _read_sheet(wb, name, shown)

    try:
        with zipfile.ZipFile(p) as z:
            rows, start, body, typed = fastsheet.read_big_sheet(str(p), z, part, name, locate)
    except (fastsheet.NotFast, zipfile.BadZipFile, KeyError, OSError):
        return None
    _check_size(name, len(rows), len(body))
    return RawSheet(shown, name, rows, frozenset(), [], body=body, body_start=start,
                    text_columns=frozenset(range(len(body))) - typed, exact=exact)


def _check_size(sheet: str, height: int, width: int) -> None:
    """The guard checked the size the writer declared; this checks the size actually found."""
    from importers.guard import MAX_COLUMNS, MAX_ROWS

    if height > MAX_ROWS:
        raise ReadError(f"工作表 {sheet} 有 {height:,} 行，超过导入上限 {MAX_ROWS:,} 行：请拆分文件",
                        f"sheet {sheet} has {height:,} rows, above the import limit of {MAX_ROWS:,}: split the file")
    if width > MAX_COLUMNS:
        raise ReadError(f"工作表 {sheet} 有 {width:,} 列，超过上限 {MAX_COLUMNS} 列",
                        f"sheet {sheet} has {width:,} columns, above the limit of {MAX_COLUMNS}")


# ---------------------------------------------------------------- hidden rows


@dataclass
class SheetScan:
    hidden: frozenset[int] = frozenset()  # 1-based numbers of hidden rows
    merged: list | None = None  # .xlsx only: merged ranges as calamine gives them


def _sheet_scanner(p: Path):
    """Sheet name → SheetScan, by a pass over the file of its own."""
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _XlsxHidden(p)
    if suffix == ".ods":
        reader = _OdsHidden(p)
    elif suffix == ".xls":
        reader = _XlsHidden(p)
    else:
        return lambda _name: SheetScan()
    return lambda name: SheetScan(reader(name))


class _ScannedOnce:
    """Sheet name → hidden rows, from one scan of the whole file on first use. A scan that fails
    on a damaged file means "no hidden rows", never an error: calamine reports the damage."""

    scan_errors: tuple[type[BaseException], ...] = (Exception,)

    def __init__(self, path: Path):
        self.path = path
        self._by_sheet: dict[str, frozenset[int]] | None = None

    def __call__(self, sheet_name: str) -> frozenset[int]:
        if self._by_sheet is None:
            try:
                self._by_sheet = self._scan()
            except self.scan_errors:
                self._by_sheet = {}
        return self._by_sheet.get(sheet_name, frozenset())

    def _scan(self) -> dict[str, frozenset[int]]:
        raise NotImplementedError


class _XlsHidden(_ScannedOnce):
    """Hidden rows of a BIFF8 .xls: ROW records with the fDyZero flag, per sheet substream.

    The Workbook stream is read with olefile (small: .xls holds at most 65,536 rows);
    BOUNDSHEET records name each sheet and give its substream's offset. Anything unexpected
    (BIFF5, a damaged stream: olefile and struct raise many kinds) means "no hidden rows".
    """

    def _scan(self) -> dict[str, frozenset[int]]:
        import struct

        import olefile

        with olefile.OleFileIO(str(self.path)) as ole:
            name = "Workbook" if ole.exists("Workbook") else "Book"
            data = ole.openstream(name).read()
        sheets: list[tuple[str, int]] = []
        pos = 0
        while pos + 4 <= len(data):
            rtype, size = struct.unpack_from("<HH", data, pos)
            body = data[pos + 4:pos + 4 + size]
            if rtype == 0x0085 and size >= 8:  # BOUNDSHEET: offset, state, type, name
                offset, cch, high = struct.unpack_from("<I", body)[0], body[6], body[7]
                raw = body[8:8 + cch * (2 if high & 1 else 1)]
                sheets.append((raw.decode("utf-16-le" if high & 1 else "latin-1"), offset))
            elif rtype == 0x000A:  # EOF of the globals substream
                break
            pos += 4 + size
        out = {}
        for sheet, offset in sheets:
            hidden, pos = set(), offset
            while pos + 4 <= len(data):
                rtype, size = struct.unpack_from("<HH", data, pos)
                if rtype == 0x0208 and size >= 16:  # ROW: rw … grbit (fDyZero = 0x20: hidden)
                    rw = struct.unpack_from("<H", data, pos + 4)[0]
                    if struct.unpack_from("<H", data, pos + 4 + 12)[0] & 0x20:
                        hidden.add(rw + 1)
                elif rtype == 0x000A:
                    break
                pos += 4 + size
            out[sheet] = frozenset(hidden)
        return out


_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ATTR_R = re.compile(rb'\br="(\d+)"')
_ATTR_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


class _XlsxHidden:
    """Sheet name → hidden row numbers and merged ranges, by scanning the sheet part's XML."""

    def __init__(self, path: Path):
        self.path = path
        self._parts: dict[str, str] | None = None

    def _sheet_parts(self, z: zipfile.ZipFile) -> dict[str, str]:
        from defusedxml import ElementTree as ET

        ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {}
        for r in rels:
            t = r.get("Target", "")
            t = t.lstrip("/") if t.startswith("/") else str(PurePosixPath("xl") / t)
            targets[r.get("Id")] = t
        out = {}
        for s in wb.iter(f"{ns_main}sheet"):
            out[s.get("name")] = targets.get(s.get(f"{ns_rel}id"), "")
        return out

    def parts(self, z: zipfile.ZipFile) -> dict[str, str]:
        if self._parts is None:
            self._parts = self._sheet_parts(z)
        return self._parts

    def __call__(self, sheet_name: str) -> SheetScan:
        try:
            with zipfile.ZipFile(self.path) as z:
                part = self.parts(z).get(sheet_name)
                if not part or part not in z.NameToInfo:
                    return SheetScan()
                return _scan_sheet(z.open(part))
        except (zipfile.BadZipFile, KeyError, OSError, SyntaxError):
            return SheetScan()


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _scan_sheet(stream) -> SheetScan:
    hidden: set[int] = set()
    merged: list = []
    tail = b""
    with stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            buf = tail + chunk
            # Keep an unfinished tag for the next round so no <row …> is cut in two.
            cut = buf.rfind(b">") + 1
            buf, tail = buf[:cut], buf[cut:]
            if b"mergeCell" in buf:
                for m in _MERGE.finditer(buf):
                    c0, r0 = _col_index(m.group(1)), int(m.group(2)) - 1
                    c1, r1 = (_col_index(m.group(3)), int(m.group(4)) - 1) if m.group(3) else (c0, r0)
                    merged.append(((r0, c0), (r1, c1)))
            if b"hidden" not in buf:
                continue
            for m in _ROW_TAG.finditer(buf):
                attrs = m.group(1)
                if b"hidden" in attrs and _ATTR_HIDDEN.search(attrs):
                    r = _ATTR_R.search(attrs)
                    if r:
                        hidden.add(int(r.group(1)))
    return SheetScan(frozenset(hidden), merged)


class _OdsHidden(_ScannedOnce):
    """Hidden (collapsed or filtered) rows of an OpenDocument spreadsheet, per table."""

    scan_errors = (zipfile.BadZipFile, KeyError, OSError, SyntaxError)

    def _scan(self) -> dict[str, frozenset[int]]:
        with zipfile.ZipFile(self.path) as z:
            data = z.read("content.xml")
        if b"table:visibility" not in data:
            return {}
        from defusedxml.ElementTree import iterparse

        t = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
        out: dict[str, frozenset[int]] = {}
        sheet, row, hidden = None, 0, set()
        for event, el in iterparse(io.BytesIO(data), events=("start", "end")):
            if el.tag == f"{t}table":
                if event == "start":
                    sheet, row, hidden = el.get(f"{t}name"), 0, set()
                else:
                    out[sheet] = frozenset(hidden)
                    el.clear()
            elif el.tag == f"{t}table-row" and event == "start":
                n = int(el.get(f"{t}number-rows-repeated", "1"))
                if el.get(f"{t}visibility", "visible") in ("collapse", "filter"):
                    hidden.update(range(row + 1, row + n + 1))
                row += n
            elif event == "end" and el.tag == f"{t}table-row":
                el.clear()
        return out


# ---------------------------------------------------------------- CSV


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError("无法识别 CSV 编码（支持 UTF-8、GBK）", "cannot tell the CSV encoding (UTF-8 or GBK expected)") from exc


def read_csv_rows(p: Path) -> list[list]:
    text = decode_text(p.read_bytes())
    head = text[:8192].splitlines()[:10]
    delim = max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in head))
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    # Pad ragged lines so every row has every column, as a workbook grid does.
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))
    return rows


@contextmanager
def collector_paused(restore: bool = True):
    """The cyclic garbage collector off for an import, as it was after: a big one allocates
    millions of objects, none in reference cycles, and the collector's full passes over them
    (≈ 0.2 s on 100,000 rows) would find nothing.

    restore=False leaves it off: the first allocation after re-enabling runs the full pass
    that the import's allocations are owed (≈ 0.05 s on 100,000 rows), which a process about
    to end (the CLI) does not need."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting and restore:
            gc.enable()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Prefetch:
    """Reads files on a background thread, started before the caller's slow imports.

    calamine parses a sheet in Rust with the GIL released, so `fundtrack import` can load
    SQLAlchemy and check the schema (≈1 s) while the workbook is being parsed instead of after.
    """

    _TAKEN = object()

    def __init__(self, paths: list[str | Path], display_names: list[str], mapping=None):
        self._jobs = [(Path(p), d) for p, d in zip(paths, display_names)]
        self._mapping = mapping
        self._results: list = [None] * len(self._jobs)
        self._ready = [threading.Event() for _ in self._jobs]
        threading.Thread(target=self._run, name="fundtrack-read", daemon=True).start()
        # The batch's file digests too, on a thread of their own (hashlib releases the GIL):
        # otherwise the pipeline reads and hashes each file again once the parse is over.
        self._digests: dict[Path, str] = {}
        self._hashed = threading.Thread(target=self._hash, name="fundtrack-sha256", daemon=True)
        self._hashed.start()

    def _hash(self) -> None:
        for p, _ in self._jobs:
            try:
                self._digests[p] = file_sha256(p)
            except OSError:
                pass  # the reader reports an unreadable file; the pipeline hashes what it can

    def sha256(self, path: str | Path) -> str:
        self._hashed.join()
        p = Path(path)
        return self._digests.get(p) or file_sha256(p)

    def _run(self) -> None:
        for i, (p, d) in enumerate(self._jobs):
            try:
                self._results[i] = (read_file(p, d, self._mapping), None)
            except BaseException as exc:  # handed to the caller and raised there
                self._results[i] = (None, exc)
            self._ready[i].set()

    def read(self, path: str | Path, display_name: str | None = None, mapping=None) -> list[RawSheet]:
        p = Path(path)
        for i, (q, d) in enumerate(self._jobs):
            if q == p and display_name in (None, d) and self._results[i] is not self._TAKEN:
                self._ready[i].wait()
                sheets, exc = self._results[i]
                self._results[i] = self._TAKEN  # let the grid go once the pipeline has it
                if exc is not None:
                    raise exc
                return sheets
        return read_file(p, display_name, mapping)
