"""The vectorised money path (importers.parse.money_floats) gives exactly what the Decimal path
gives — Decimal(repr(v)) × unit, quantised half-up to the fen — for every float it accepts."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fundtrack.money import CENT, to_money
from importers import parse
from importers.records import VECTOR_MIN, _money_column

FACTORS = list(parse.UNIT_FACTORS.values())


def exact(v: float, factor: Decimal) -> Decimal:
    return (Decimal(repr(v)) * factor).quantize(CENT, rounding=ROUND_HALF_UP)


def check(values: list[float], factor: Decimal) -> int:
    out = parse.money_floats(values, factor)
    accepted = 0
    for v, got in zip(values, out):
        if got is None:
            continue
        accepted += 1
        want = exact(v, factor)
        assert got == want and str(got) == str(want), (v, factor, got, want)
        if factor == 1:
            assert got == to_money(v)
    return accepted


# Amounts as sheets hold them: whole fen in 元, 万元 or 亿元 (the common case, must be accepted) …
cents = st.integers(min_value=-(10 ** 17), max_value=10 ** 17).map(lambda n: n / 100)
# … and anything else a double can be: more decimals, halves of a fen, huge, tiny, inf, NaN.
any_float = st.floats(allow_nan=True, allow_infinity=True)
near_half = st.integers(min_value=-(10 ** 12), max_value=10 ** 12).map(lambda n: (n + 0.5) / 100)
tiny_steps = st.tuples(st.integers(-(10 ** 9), 10 ** 9), st.integers(1, 9)).map(lambda t: t[0] / 10 ** t[1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(cents, any_float, near_half, tiny_steps), min_size=1, max_size=50),
       st.sampled_from(FACTORS))
def test_fast_path_equals_decimal_path(values, factor):
    check(values, factor)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-(10 ** 11), max_value=10 ** 11), min_size=1, max_size=50),
       st.sampled_from(FACTORS))
def test_two_decimal_amounts_take_the_fast_path(fen, factor):
    # Values with at most two decimals in their own unit, below 2^48 fen after the unit.
    values = [n / 100 for n in fen]
    values = [v for v in values if abs(v) * float(factor) * 100 < 2 ** 48]
    assert check(values, factor) == len(values)


def test_edges():
    for factor in FACTORS:
        vals = [0.0, -0.0, 0.005, 0.015, 1.005, 2.675, 1e-300, 5e-324, 1e300, float("nan"), float("inf"),
                -float("inf"), 0.1 + 0.2, 1234.5678, -1234.565, 9007199254740993.0, 2.0 ** 49, 2.0 ** 49 / 1e6, -0.004, -0.005, 1e15, -1e15]
        check(vals, factor)
    out = parse.money_floats([-0.0], Decimal(1))
    assert out == [None]  # −0.0 keeps the Decimal path, which keeps its sign


def test_column_uses_fast_path_and_matches(monkeypatch):
    """records._money_column: a big float column goes vectorised, and gives the same values,
    errors and None as the Decimal path; odd values in it are still checked one by one."""
    import random

    rng = random.Random(5)
    raw = [rng.randrange(-10 ** 9, 10 ** 9) / 100 for _ in range(VECTOR_MIN + 500)]
    raw[3] = 1.23456789
    raw[7] = float("nan")
    raw[11] = 2e15
    raw[13] = -0.0
    unit = "万元"
    calls = []
    real = parse.money_floats
    monkeypatch.setattr(parse, "money_floats", lambda *a: calls.append(1) or real(*a))
    fast = _money_column(raw, unit)
    assert calls
    monkeypatch.setattr(parse, "money_floats", lambda values, factor: [None] * len(values))
    slow = _money_column(raw, unit)
    assert fast[0] == slow[0] and [str(x) for x in fast[0]] == [str(x) for x in slow[0]]
    assert [(j, e.en) for j, e in fast[1]] == [(j, e.en) for j, e in slow[1]]
    assert {j for j, _ in fast[1]} == {7, 11}


def test_writer_fen_vector_equals_per_value_conversion():
    """importers.writer._fen_vector (Decimal yuan → int fen, numpy) against Money's own rule."""
    import random

    from importers.writer import _fen_vector, _money_storage

    class SQLite:
        name = "sqlite"

    per_value = _money_storage(SQLite())
    rng = random.Random(3)
    for scale in (10 ** 4, 10 ** 9, 10 ** 14):
        vals = [Decimal(rng.randrange(-scale, scale)).scaleb(-2) for _ in range(3000)]
        assert _fen_vector(vals) == [per_value(v) for v in vals]
    odd = [Decimal(rng.randrange(-10 ** 9, 10 ** 9)).scaleb(-2) for _ in range(3000)]
    odd[5] = Decimal("1.005")  # half a fen: the vector path refuses the column
    assert _fen_vector(odd) is None
    odd[5] = Decimal(10) ** 14  # beyond 2^49 fen: refused too
    assert _fen_vector(odd) is None
    assert _fen_vector(odd[:100]) is None  # small columns: per value
    assert _fen_vector([None] + odd[1:]) is None
