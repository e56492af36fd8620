"""The two primitives every figure uses: exact fen ↔ yuan, and a ratio that knows 0 ÷ 0."""

from __future__ import annotations

from decimal import Decimal

CENT = Decimal("0.01")


def ratio(numerator, denominator) -> float | None:
    """numerator ÷ denominator as a float, None when the denominator is 0 or missing."""
    if denominator is None or numerator is None:
        return None
    if denominator == 0:
        return None
    return float(numerator) / float(denominator)


def fen_to_decimal(fen) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def decimal_to_fen(value: Decimal | None) -> int:
    if value is None:
        return 0
    return int((Decimal(value) * 100).to_integral_value())
