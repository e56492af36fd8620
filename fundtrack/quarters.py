"""Calendar quarters: `2026Q3` ↔ (2026-07-01, 2026-09-30), and the quarter ends between two dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_Q = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])\s*$")
_ZH_Q = {1: "一", 2: "二", 3: "三", 4: "四"}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        m = _Q.match(text or "")
        if not m:
            raise ValueError(f"季度格式应为 YYYYQn，如 2026Q3: {text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, d: date) -> "Quarter":
        return cls(d.year, (d.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        m = 3 * self.q
        return date(self.year, m, 30 if m in (6, 9) else 31)

    def prev(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    @property
    def year_start_end(self) -> date:
        """The day before the year began (the YTD opening date)."""
        return date(self.year - 1, 12, 31)

    def label(self, lang: str = "zh") -> str:
        return f"{self.year}年第{_ZH_Q[self.q]}季度" if lang == "zh" else f"Q{self.q} {self.year}"

    def back(self, n: int) -> list["Quarter"]:
        """This quarter and the n − 1 before it, oldest first."""
        out = [self]
        while len(out) < n:
            out.append(out[-1].prev())
        return out[::-1]


def quarter_ends(start: date, end: date):
    """Every calendar-quarter end from the one containing `start` up to `end`, in order."""
    q = Quarter.of(start)
    while q.end <= end:
        yield q.end
        q = q.next()
