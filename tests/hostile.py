"""A corpus of hostile and broken files, made on the spot (nothing binary is committed)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

from tests.workbooks import INV_HEAD


def valid_xlsx_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "投资项目"
    ws.append(INV_HEAD)
    b = io.BytesIO()
    wb.save(b)
    return b.getvalue()


def _rewrite(src: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None,
             level: int = 6) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                   compresslevel=level) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info.filename))
            zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def zip_bomb(path: Path) -> Path:
    # A 200 MB sheet part of blanks inside a file of a few hundred KB.
    body = SHEET_HEAD + b"<sheetData>" + b" " * (200 * 2**20) + b"</sheetData></worksheet>"
    path.write_bytes(_rewrite(valid_xlsx_bytes(), {"xl/worksheets/sheet1.xml": body}, level=9))
    return path


def billion_laughs(path: Path) -> Path:
    """The sheet part declares nested entities that expand to 10^9 'lol's when parsed."""
    dtd = (b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                      for i in range(1, 10)) + b"]>")
    body = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + dtd
            + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    path.write_bytes(_rewrite(valid_xlsx_bytes(), {"xl/worksheets/sheet1.xml": body}))
    return path


def million_rows(path: Path, with_dimension: bool = True, rows: int = 1_000_000) -> Path:
    parts = [SHEET_HEAD]
    if with_dimension:
        parts.append(b'<dimension ref="A1:A%d"/>' % rows)
    parts.append(b"<sheetData>")
    parts.append(b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, rows + 1)))
    parts.append(b"</sheetData></worksheet>")
    path.write_bytes(_rewrite(valid_xlsx_bytes(), {"xl/worksheets/sheet1.xml": b"".join(parts)}))
    return path


def truncated(path: Path) -> Path:
    data = valid_xlsx_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def pdf_named_xlsx(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
    return path


def password_protected(path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(valid_xlsx_bytes())).encrypt("secret", out)
    path.write_bytes(out.getvalue())
    return path


def random_bytes(path: Path, n: int = 50_000, seed: int = 1) -> Path:
    import random

    path.write_bytes(random.Random(seed).randbytes(n))
    return path


def zip_of_other_things(path: Path) -> Path:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("readme.txt", "hello")
    path.write_bytes(b.getvalue())
    return path


CORPUS = {
    "zip_bomb.xlsx": zip_bomb,
    "billion_laughs.xlsx": billion_laughs,
    "million_rows.xlsx": million_rows,
    "truncated.xlsx": truncated,
    "really_a_pdf.xlsx": pdf_named_xlsx,
    "password.xlsx": password_protected,
    "random.xlsx": random_bytes,
    "random.xls": random_bytes,
    "other_zip.xlsx": zip_of_other_things,
}
