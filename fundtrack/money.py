"""Exact money: Decimal in Python, NUMERIC(20, 2) yuan in PostgreSQL.

SQLite has no exact decimal type: a NUMERIC column there stores REAL, and SUM over
500k doubles of ~1e8 drifts by whole fen. So on SQLite the same column holds integer
fen (分) — exact storage and exact SUM — and this type converts at the boundary.
Code above the database only ever sees Decimal yuan with two places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal | None:
    """Decimal yuan quantised to the fen; None stays None. Floats go through repr, not binary."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, float):
        d = Decimal(repr(value))
    else:
        try:
            d = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(value) -> int | None:
    """An amount as integer fen (分), as SQLite stores it: to_money, times 100."""
    d = to_money(value)
    return None if d is None else int(d * 100)


class Money(TypeDecorator):
    """NUMERIC(20,2) yuan; integer fen on SQLite."""

    impl = Numeric(20, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(20, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return to_fen(value)
        return to_money(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            # SUM over integers stays an integer; anything else here is a bug upstream.
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)

    @property
    def python_type(self):
        return Decimal


def fen_to_yuan(fen: int | None) -> Decimal:
    return ZERO if fen is None else (Decimal(int(fen)) / 100).quantize(CENT)
