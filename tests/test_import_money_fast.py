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


def test_vouched_columns_carry_their_fen():
    """money_floats and records._with_fen hand the writer integer fen beside the Decimals
    (parse.MoneyColumn): the same numbers Money's own rule stores, and the column is read-only."""
    import random

    import pytest

    from importers.records import _with_fen
    from importers.parse import slice_column as _slice
    from importers.writer import _money_storage

    class SQLite:
        name = "sqlite"

    per_value = _money_storage(SQLite())
    rng = random.Random(8)
    for factor in FACTORS:
        bound = min(10 ** 9, int(2 ** 47 / float(factor)))  # within the fast path's range
        values = [rng.randrange(-bound, bound) / 100 for _ in range(3000)]
        out = parse.money_floats(values, factor)
        assert isinstance(out, parse.MoneyColumn)
        # No Decimal is made before one is read: a slice of the fen, sign checks and holds()
        # work on the fen alone.
        part = _slice(out, 100, 2100)
        assert out._values is None and part._values is None and not parse.holds(out, None)
        assert out._values is None
        decimals = [exact(v, factor) for v in values]
        assert [d.as_tuple() for d in out] == [d.as_tuple() for d in decimals]  # same digits and exponent
        assert out.fen == [per_value(d) for d in out] == [int(d * 100) for d in decimals]
        assert isinstance(part, parse.MoneyColumn) and part.fen == out.fen[100:2100] and part == out[100:2100]
        assert part.values == decimals[100:2100] and len(part) == 2000 and part[-1] == decimals[2099]
        with pytest.raises(TypeError):
            out[0] = Decimal(1)
        assert not hasattr(out, "append")
        assert type(list(out)) is list and type(out[:5]) is list  # copies are plain lists
        assert parse.plain(out) is out.values and parse.plain(decimals) is decimals
    assert not isinstance(parse.money_floats([1.0, 1.005] * 1500, Decimal(1)), parse.MoneyColumn)
    zeros = [Decimal("0.00")] * 2500 + [Decimal("12.30"), Decimal("-4.05")] * 10
    col = _with_fen(zeros)
    assert col == zeros and col.fen == [per_value(d) for d in zeros]


def test_big_sheet_stores_the_vouched_fen(engine, tmp_path, monkeypatch):
    """End to end on a sheet past VECTOR_MIN rows: every stored amount equals Decimal(repr(v)) ×
    10,000 to the fen, computed here; on SQLite the writer took the fen from the columns
    (no big column went through its own Decimal → fen conversion)."""
    import random
    from datetime import date

    from sqlalchemy import text

    import importers.writer as writer
    from fundtrack.uscc import make_uscc
    from importers.pipeline import import_files
    from tests.test_audit import G, S1
    from tests.workbooks import write_workbook

    rng = random.Random(21)
    n = VECTOR_MIN + 300
    amounts = [rng.randrange(1, 10 ** 8) / 100 for _ in range(n)]
    values = [rng.randrange(1, 10 ** 8) / 100 for _ in range(n)]
    rows = [[f"定额测试企业{k:05d}有限公司（虚构）", make_uscc(rng), S1[0], "集成电路", "武汉市洪山区", "A轮",
             date(2021, 1 + k % 12, 1 + k % 28), amounts[k], 0.05, values[k], "是", "未退出", 0, None]
            for k in range(n)]
    f = write_workbook(tmp_path / "big.xlsx", guidance=[G], subs=[S1], investments=rows)
    big_conversions = []
    real = writer._fen_vector
    monkeypatch.setattr(writer, "_fen_vector", lambda vals: big_conversions.append(len(vals)) or real(vals))
    res = import_files(engine, [f])
    assert res.ok, res.errors
    wan = Decimal(10000)
    with engine.connect() as c:
        got = c.execute(text("select src_row, amount, fair_value, exit_proceeds from investment order by src_row")).all()
    scale = Decimal(1) if engine.dialect.name == "sqlite" else Decimal(100)  # SQLite stores fen, PostgreSQL yuan
    assert [r[0] for r in got] == list(range(2, n + 2))
    for (row, amount, fair, proceeds), a, v in zip(got, amounts, values):
        assert Decimal(amount) * scale == exact(a, wan) * 100, row
        assert Decimal(fair) * scale == exact(v, wan) * 100, row
        assert Decimal(proceeds) == 0
    if engine.dialect.name == "sqlite":
        assert not [k for k in big_conversions if k >= VECTOR_MIN]


def test_big_sheets_check_and_store_lazy_amounts(engine, tmp_path):
    """Past VECTOR_MIN rows amounts stay integer fen until something reads them (MoneyColumn):
    a negative amount deep in a big investment sheet is still found, at its cell, with nothing
    written; and a big cash-flow sheet (read row by row) stores every amount exactly."""
    import random
    from datetime import date, timedelta

    from sqlalchemy import text

    from fundtrack.uscc import make_uscc
    from importers.pipeline import import_files
    from tests.test_audit import G, S1, dump
    from tests.workbooks import write_workbook

    rng = random.Random(5)
    n = VECTOR_MIN + 100
    rows = [[f"负数测试企业{k:05d}有限公司（虚构）", make_uscc(rng), S1[0], "集成电路", "武汉市", "A轮",
             date(2021, 1 + k % 12, 1 + k % 28), rng.randrange(1, 10 ** 6) / 100, 0.05, 0, "否", "未退出", 0, None]
            for k in range(n)]
    rows[1999][7] = -12.5
    before = dump(engine)
    res = import_files(engine, [write_workbook(tmp_path / "neg.xlsx", guidance=[G], subs=[S1], investments=rows)])
    assert not res.ok and [e.cell for e in res.errors] == ["I2001"] and "-125,000.00" in res.errors[0].render("en")
    assert dump(engine) == before

    flows = [[G[0], S1[0], date(2021, 1, 1) + timedelta(days=k), "实缴出资", rng.randrange(1, 10 ** 7) / 100]
             for k in range(n)]
    res = import_files(engine, [write_workbook(tmp_path / "flows.xlsx", guidance=[G], subs=[S1], flows=flows)])
    assert res.ok, res.errors
    with engine.connect() as c:
        got = [r[0] for r in c.execute(text("select amount from cash_flow order by flow_date"))]
    scale = Decimal(1) if engine.dialect.name == "sqlite" else Decimal(100)
    assert [Decimal(a) * scale for a in got] == [exact(f[4], Decimal(10000)) * 100 for f in flows]
