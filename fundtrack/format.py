"""How figures are shown to people: 万元 with separators, percentages, multiples, "—" for none."""

from __future__ import annotations

from decimal import Decimal

NONE = "—"


def fmt_wan(fen, places: int = 2) -> str:
    """fen → 万元 with thousands separators (two decimals unless told)."""
    if fen is None:
        return NONE
    return f"{Decimal(int(fen)) / Decimal(1_000_000):,.{places}f}"


def fmt_yuan(fen) -> str:
    if fen is None:
        return NONE
    return f"{Decimal(int(fen)) / 100:,.2f}"


def fmt_pct(x, places: int = 1) -> str:
    return NONE if x is None else f"{x * 100:.{places}f}%"


def fmt_multiple(x) -> str:
    return NONE if x is None else f"{x:.2f}x"
