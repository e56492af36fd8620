"""What can be wrong with an input, said in Chinese and English, pinned to a cell.

Every problem is collected, never raised, so a file's errors come back all at once
(DESIGN §3): `子基金!F7: 认缴规模 "abc" 不是数字`.
"""

from __future__ import annotations

from dataclasses import dataclass


def col_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_ref(col: int | None, row: int | None) -> str:
    """A1 reference from a 0-based column and a 1-based row; either may be unknown."""
    if col is None and row is None:
        return ""
    if col is None:
        return str(row)
    if row is None:
        return col_letter(col)
    return f"{col_letter(col)}{row}"


@dataclass(frozen=True)
class Problem:
    """An error (or a warning) at one cell of one sheet of one file."""

    file: str
    sheet: str
    cell: str
    zh: str
    en: str
    severity: str = "error"  # error | warning

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.file

    def render(self, lang: str = "zh") -> str:
        return f"{self.where()}: {self.message(lang)}"

    def as_json(self, lang: str = "zh") -> dict:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell, "message": self.message(lang)}


class CellError(ValueError):
    """A value that cannot be read; carries both languages so the caller can place it."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


class Problems:
    """Collects problems for one sheet (file and sheet name fixed)."""

    def __init__(self, file: str, sheet: str, sink: list[Problem]):
        self.file = file
        self.sheet = sheet
        self.sink = sink

    def add(self, col: int | None, row: int | None, zh: str, en: str, severity: str = "error") -> None:
        self.sink.append(Problem(self.file, self.sheet, cell_ref(col, row), zh, en, severity))

    def add_at(self, cell: str, zh: str, en: str, severity: str = "error") -> None:
        self.sink.append(Problem(self.file, self.sheet, cell, zh, en, severity))

    def warn(self, col: int | None, row: int | None, zh: str, en: str) -> None:
        self.add(col, row, zh, en, "warning")
