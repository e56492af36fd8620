"""The writer's bulk layout and the CLI's exit path, against their plain definitions.

multi_row lays the parameters out with strided slices instead of a tuple per row; columns that
repeat themselves are converted once per distinct value; the console script leaves the import's
data and the garbage collector's debt to os._exit. Each must give exactly what the plain way
gives: the same parameters in the same order, the same stored values, the same output.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from importers import writer
from importers.read import collector_paused

_CELL = st.one_of(st.none(), st.integers(-10, 10), st.text(max_size=3), st.booleans(), st.sampled_from([0.0, 1.0]),
                  st.sampled_from([2 ** 63 - 1, -2 ** 63, 2 ** 63]))


@st.composite
def _columns(draw):
    width = draw(st.integers(1, 6))
    height = draw(st.integers(0, 40))
    # Constant columns (one value in every row) are frequent: they are the ones inlined.
    return [draw(st.lists(_CELL, min_size=height, max_size=height) | _CELL.map(lambda v: [v] * height))
            for _ in range(width)]


def _rows_of(stmt: str, params: list, width: int) -> list[tuple]:
    """The rows a multi-row INSERT stores: its literals where it has them, else the parameters."""
    values = stmt.partition(" VALUES ")[2]
    groups = values[1:-1].split("), (")
    it = iter(params)
    rows = []
    for g in groups:
        toks = g.split(", ")
        assert len(toks) == width
        rows.append(tuple(next(it) if t == "?" else None if t == "NULL" else int(t) for t in toks))
    assert next(it, "end") == "end"  # every parameter used
    return rows


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_columns(), st.integers(1, 7), st.integers(1, 30))
def test_multi_row_gives_the_rows_in_order_within_the_limits(columns, max_rows, max_params):
    width = len(columns)
    sql = f"INSERT INTO t ({', '.join(f'c{i}' for i in range(width))}) VALUES ({', '.join(['?'] * width)})"
    out = writer.multi_row(sql, columns, (max_rows, max_params))
    got = [r for stmt, params in out for r in _rows_of(stmt, params, width)]
    want = list(zip(*columns))
    # The same rows in the same order, every value of the same type (a literal is only ever an
    # int in 64 bits or NULL, where the column holds nothing else).
    assert got == want and [list(map(type, r)) for r in got] == [list(map(type, r)) for r in want]
    for stmt, params in out:
        assert stmt.partition(" VALUES ")[0] == sql.partition(" VALUES ")[0]
        rows = stmt.count("), (") + 1
        assert rows <= max_rows and (len(params) <= max_params or rows == 1)


def test_constant_integer_and_null_columns_are_written_into_the_statement():
    sql = "INSERT INTO t (a, b, c, d, e) VALUES (?, ?, ?, ?, ?)"
    cols = [[7] * 3, [None] * 3, ["x"] * 3, [True] * 3, [1, 1, 1.0]]
    (stmt, params), = writer.multi_row(sql, cols, (10, 100))
    assert stmt.endswith("VALUES (7, NULL, ?, ?, ?), (7, NULL, ?, ?, ?), (7, NULL, ?, ?, ?)")
    assert params == ["x", True, 1, "x", True, 1, "x", True, 1.0]  # text, bools, mixed types: bound


_REPEATED = st.lists(st.one_of(st.none(), st.booleans(), st.integers(0, 3), st.sampled_from([1.0, 0.5, 2.0]),
                               st.sampled_from([Decimal("1"), Decimal("1.00"), Decimal("0.125")])),
                     min_size=1, max_size=8)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_REPEATED, st.sampled_from([int, float]))
def test_a_repeating_column_converts_as_value_by_value(values, conv):
    """Above DISTINCT_MIN values each distinct one is converted once; keys that are equal
    (True, 1 and 1.0; Decimal 1 and 1.00) share one conversion, which must not show — the
    writer's converters are numeric (int, float) or dates, which can't tell such keys apart."""
    col = (values * (writer.DISTINCT_MIN // len(values) + 1))[:writer.DISTINCT_MIN + 3]
    got = writer._converted(col, conv)
    want = [None if v is None else conv(v) for v in col]
    assert got == want and list(map(type, got)) == list(map(type, want))


def test_dates_convert_once_per_distinct_day():
    days = [date(2021, 1, 1 + k % 28) for k in range(5000)] + [None]
    assert writer._converted(days, date.isoformat) == [None if d is None else d.isoformat() for d in days]


def test_collector_stays_off_only_when_asked():
    was = gc.isenabled()
    gc.enable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        with collector_paused(restore=False):
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()


def _book(tmp_path):
    from tests.test_audit import G, S1
    from tests.workbooks import write_workbook

    rows = [[f"退出路径测试企业{k:02d}（虚构）", None, S1[0], "集成电路", "武汉市", "A轮", date(2022, 1, 1 + k), 100 + k,
             0.1, 120, "是", "未退出", 0, None] for k in range(20)]
    return write_workbook(tmp_path / "exit.xlsx", guidance=[G], subs=[S1], investments=rows)


def test_retained_import_stores_and_reports_the_same(new_db_url, tmp_path):
    """ImportOptions.retain only keeps the working data alive: same counts, same rows."""
    from tests.test_import_messy import stored

    from fundtrack.db import open_engine
    from importers.pipeline import ImportOptions, import_files

    book = _book(tmp_path)
    seen = []
    for retain in (None, []):
        engine = open_engine(new_db_url())
        try:
            res = import_files(engine, [book], ImportOptions(retain=retain))
            assert res.ok, res.errors
            seen.append((res.counts, stored(engine)))
        finally:
            engine.dispose()
        if retain is not None:
            assert len(retain) == 2  # the file's sheets as read, then the entities and batches
    assert seen[0] == seen[1]


def test_console_script_ends_with_its_output_and_its_data(db_url, tmp_path):
    """The `fundtrack` entry point ends an import with os._exit, collector off and data left
    in place: the JSON result must still arrive whole, and the rows be committed."""
    from sqlalchemy import create_engine, text

    book = _book(tmp_path)
    code = "import sys; from fundtrack.cli import entry; sys.argv[0] = 'fundtrack'; entry()"
    r = subprocess.run([sys.executable, "-c", code, "--db", db_url, "import", str(book), "--json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] is True and out["counts"]["投资项目"]["added"] == 20
    e = create_engine(db_url)
    try:
        with e.connect() as c:
            assert c.execute(text("select count(*) from investment")).scalar() == 20
    finally:
        e.dispose()
    r = subprocess.run([sys.executable, "-c", code, "--db", db_url, "import", str(tmp_path / "missing.xlsx")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "missing.xlsx" in r.stdout + r.stderr
