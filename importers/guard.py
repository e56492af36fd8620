"""Pre-flight checks on a file before any parser sees it: hostile or broken input is refused
with a clear message, within seconds and bounded memory, never a traceback.

What it catches, cheaply (headers and directory only, plus the first bytes of XML parts):
- the wrong kind of file behind a spreadsheet name (a PDF, an image, a zip of something else);
- password-protected workbooks (an OLE container with an EncryptionInfo stream) and legacy
  .xls files renamed .xlsx;
- zip bombs: too many members, too large uncompressed, or an absurd compression ratio;
- XML entity expansion ("billion laughs") and external entities: any DOCTYPE in an XML part
  (Office never writes one);
- sheets larger than the import limits, by the `<dimension>` the writer recorded, and CSV files
  with too many lines or too long a line.
The limits are generous for real portfolios (the largest sheet we expect is ~100k rows).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from importers.read import ReadError

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000
MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # uncompressed ÷ compressed, for parts above RATIO_FLOOR
RATIO_FLOOR = 2 * 1024 * 1024
MAX_ROWS = 500_000
MAX_COLUMNS = 500
MAX_CSV_LINE = 1_000_000  # characters

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAGIC_NAMES = [(b"%PDF", "PDF 文档", "a PDF document"), (b"\x89PNG", "PNG 图片", "a PNG image"),
               (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"), (b"GIF8", "GIF 图片", "a GIF image"),
               (b"<!DOCTYPE html", "网页", "a web page"), (b"<html", "网页", "a web page"),
               (b"{\\rtf", "RTF 文档", "an RTF document")]

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _refuse(zh: str, en: str):
    raise ReadError(zh, en)


def check_file(p: Path) -> None:
    size = p.stat().st_size
    if size == 0:
        _refuse("文件为空", "the file is empty")
    if size > MAX_FILE_BYTES:
        _refuse(f"文件过大（{size / 2**20:.0f} MB，上限 {MAX_FILE_BYTES // 2**20} MB）",
                f"file too large ({size / 2**20:.0f} MB, limit {MAX_FILE_BYTES // 2**20} MB)")
    with p.open("rb") as f:
        head = f.read(4096)
    suffix = p.suffix.lower()
    for magic, zh, en in MAGIC_NAMES:
        if head.lstrip()[: len(magic)].lower() == magic.lower():
            _refuse(f"这不是电子表格，而是{zh}", f"this is not a spreadsheet but {en}")
    if suffix in (".xlsx", ".xlsm", ".ods", ".xlsb"):
        if head.startswith(OLE_MAGIC):
            if _ole_encrypted(p):
                _refuse("工作簿设有打开密码，请在 Excel 中取消密码后再导入",
                        "the workbook is password-protected: remove the password in Excel first")
            _refuse(f"文件扩展名为 {suffix}，内容却是旧版 .xls 格式：请另存为 .xlsx 或改扩展名为 .xls",
                    f"the file is named {suffix} but holds a legacy .xls workbook: save it as .xlsx")
        if not head.startswith(ZIP_MAGIC):
            _refuse("文件已损坏或不是 Excel 工作簿（不是有效的 zip 包）",
                    "the file is damaged or not an Excel workbook (not a valid zip package)")
        _check_zip(p)
    elif suffix == ".xls":
        if head.startswith(ZIP_MAGIC):
            return  # an .xlsx named .xls: calamine reads it by content
        if not head.startswith(OLE_MAGIC):
            _refuse("文件已损坏或不是 Excel 工作簿", "the file is damaged or not an Excel workbook")
        if _ole_encrypted(p):
            _refuse("工作簿设有打开密码，请在 Excel 中取消密码后再导入",
                    "the workbook is password-protected: remove the password in Excel first")
    elif suffix in (".csv", ".txt", ".tsv"):
        _check_csv(p)


def _ole_encrypted(p: Path) -> bool:
    # The stream names sit in the OLE directory as UTF-16LE; Office encryption always adds
    # "EncryptionInfo" (OOXML) or a "FILEPASS"-bearing Workbook (BIFF, checked by calamine).
    data = p.read_bytes() if p.stat().st_size < 64 * 2**20 else p.open("rb").read(64 * 2**20)
    return "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data


def _check_zip(p: Path) -> None:
    try:
        z = zipfile.ZipFile(p)
    except Exception:  # BadZipFile, or what a damaged directory raises on the way (an undecodable UTF-8 name…)
        _refuse("文件已损坏（zip 结构不完整，可能是下载或复制中断）",
                "the file is damaged (incomplete zip structure; a download or copy may have been cut short)")
    with z:
        infos = z.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            _refuse(f"工作簿包含的部件过多（{len(infos)} 个）", f"too many parts in the workbook ({len(infos)})")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            _refuse(f"工作簿解压后过大（{total / 2**20:.0f} MB），疑似压缩炸弹",
                    f"the workbook expands to {total / 2**20:.0f} MB: refused as a possible zip bomb")
        for i in infos:
            if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(1, i.compress_size):
                _refuse(f"工作簿部件 {i.filename} 压缩比异常（{i.file_size // max(1, i.compress_size)}:1），疑似压缩炸弹",
                        f"part {i.filename} has a compression ratio of {i.file_size // max(1, i.compress_size)}:1:"
                        " refused as a possible zip bomb")
        names = {i.filename for i in infos}
        if p.suffix.lower() in (".xlsx", ".xlsm") and "xl/workbook.xml" not in names:
            if "content.xml" in names:
                return  # an .ods named .xlsx; calamine reads it by content
            _refuse("zip 包中没有 Excel 工作簿（缺少 xl/workbook.xml）",
                    "the zip holds no Excel workbook (xl/workbook.xml is missing)")
        for i in infos:
            if not i.filename.endswith((".xml", ".rels")):
                continue
            try:
                with z.open(i) as f:
                    start = f.read(8192)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                _refuse(f"工作簿部件 {i.filename} 已损坏：{exc}", f"part {i.filename} is damaged: {exc}")
            except Exception as exc:  # zlib.error and friends on truncated members
                _refuse(f"工作簿部件 {i.filename} 已损坏：{exc}", f"part {i.filename} is damaged: {exc}")
            if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                _refuse(f"工作簿部件 {i.filename} 含 DTD/实体声明（Excel 从不写入），已拒绝以防实体扩展攻击",
                        f"part {i.filename} declares a DTD or entities (Excel never does): refused"
                        " (XML entity expansion)")
            if i.filename.startswith("xl/worksheets/"):
                m = _DIMENSION.search(start)
                if m:
                    last_col, last_row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
                    rows, cols = int(last_row), _col_number(last_col)
                    if rows > MAX_ROWS:
                        _refuse(f"工作表 {i.filename} 有 {rows:,} 行，超过导入上限 {MAX_ROWS:,} 行：请拆分文件",
                                f"sheet {i.filename} has {rows:,} rows, above the import limit of {MAX_ROWS:,}:"
                                " split the file")
                    if cols > MAX_COLUMNS:
                        _refuse(f"工作表 {i.filename} 有 {cols:,} 列，超过上限 {MAX_COLUMNS} 列",
                                f"sheet {i.filename} has {cols:,} columns, above the limit of {MAX_COLUMNS}")


def _check_csv(p: Path) -> None:
    lines = 0
    with p.open("rb") as f:
        for line in f:
            lines += 1
            if len(line) > MAX_CSV_LINE:
                _refuse(f"CSV 第 {lines} 行过长（{len(line):,} 字节）", f"CSV line {lines} is too long ({len(line):,} bytes)")
            if lines > MAX_ROWS + 50:
                _refuse(f"CSV 超过导入上限 {MAX_ROWS:,} 行：请拆分文件",
                        f"the CSV has more than {MAX_ROWS:,} rows, the import limit: split the file")
