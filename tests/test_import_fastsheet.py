"""The big-sheet reader (importers/fastsheet.py) gives what the normal reader gives.

Every test forces the fast path onto small workbooks (no size threshold, a head of a few
rows) and compares it with the normal python-calamine read of the same file: the grid cell
by cell, and whole imports table by table, on both back-ends. Where the fast path must step
aside (a field column mixing types, a layout only the merged cells reveal, a cell left of
the table) the result must still be the normal one.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime

import pytest

import importers.fastsheet as fastsheet
from importers import read as read_mod
from importers.pipeline import import_files
from importers.read import read_file
from tests import messy
from tests.test_import_messy import stored
from tests.workbooks import INV_HEAD, SUB_HEAD

G = "快速读取测试引导基金（虚构）"
SUBS = [f"快速读取子基金{i}号（有限合伙）" for i in range(3)]


@pytest.fixture
def fast(monkeypatch):
    """Fast path for every sheet with more than a few rows."""
    monkeypatch.setattr(fastsheet, "MIN_PART_BYTES", 0)
    monkeypatch.setattr(fastsheet, "PROBE_ROWS", 6)


def _normal(path):
    old = fastsheet.MIN_PART_BYTES
    fastsheet.MIN_PART_BYTES = 1 << 62
    try:
        return read_file(path)
    finally:
        fastsheet.MIN_PART_BYTES = old


def _shown(v):
    """A cell of a column the fast path reads as text (序号, ignored columns), as it reads it."""
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() else repr(v)
    return v


def _grid(sheet, fast=None):
    """The grid; below the header, the columns `fast` read as text shown as text."""
    start, text_columns = (fast.body_start, fast.text_columns) if fast is not None and fast.body else (0, frozenset())
    return [[_shown(v) if i >= start and c in text_columns else v for c, v in enumerate(r)]
            for i, r in enumerate(sheet.rows)]


def clean_book(path, rows=40, total_row=True, hidden=(7,), footnote_in_a=False):
    """Investments the way a big export looks: a title, a unit note, 序号, a 合计 row with its
    label in the 序号 column, a hidden row, dates at and off midnight, blanks, and a guidance
    fund and sub-fund sheet for the references."""
    import random

    from openpyxl import Workbook

    from fundtrack.uscc import make_uscc

    rng = random.Random(5)
    wb = Workbook()
    g = wb.active
    g.title = "引导基金"
    g.append(["基金名称", "基金级别", "认缴规模（万元）"])
    g.append([G, "市级", 100000])
    s = wb.create_sheet("子基金")
    s.append(SUB_HEAD[1:7])
    for name in SUBS:
        s.append([name, G, "测试管理人", f"SX{rng.randrange(1000, 9999)}", 20000, 5000])
    inv = wb.create_sheet("投资项目")
    inv["B1"] = "投资项目明细（截至2025年9月30日）"
    inv["B2"] = "单位：万元"
    inv.append([])  # row 3 blank
    head = [h.replace("（万元）", "") for h in INV_HEAD]
    for c, h in enumerate(head, start=2):  # the table starts in column B
        inv.cell(row=4, column=c, value=h)
    total = 0
    for i in range(rows):
        amount = round(rng.uniform(10, 5000), 2)
        total += 0 if i in hidden else amount
        when = datetime(2022, 1, 1 + i % 28, 0 if i % 3 else 9, 30 if i % 3 == 0 else 0) if i % 5 else \
            date(2023, 6, 1 + i % 28)
        row = [i + 1, f"快速读取企业{i:03d}有限公司", make_uscc(rng), SUBS[i % 3], "集成电路" if i % 2 else None,
               "武汉市", "A轮" if i % 2 else "B轮", when, amount, rng.randrange(1, 30) / 100,
               round(amount * 1.5, 2) if i % 4 else None, "是" if i % 3 else "否", "未退出", 0, None]
        for c, v in enumerate(row, start=2):
            inv.cell(row=5 + i, column=c, value=v)
    for r in hidden:
        inv.row_dimensions[5 + r].hidden = True
    end = 5 + rows
    if total_row:
        inv.cell(row=end, column=2, value="合计")
        inv.cell(row=end, column=10, value=round(total, 2))
    if footnote_in_a:
        inv.cell(row=end + 2, column=1, value="注：以上数据未经审计")
    wb.save(path)
    return path


def test_clean_sheet_is_read_fast_and_cell_for_cell_the_same(fast, tmp_path):
    path = clean_book(tmp_path / "clean.xlsx")
    fast_sheets = {s.name: s for s in read_file(path)}
    normal = {s.name: s for s in _normal(path)}
    inv = fast_sheets["投资项目"]
    assert inv.body is not None and inv.body_start == 4
    assert normal["投资项目"].body is None
    for name, s in normal.items():
        assert _grid(fast_sheets[name]) == _grid(s, fast_sheets[name]), name
        assert fast_sheets[name].hidden == s.hidden
        assert sorted(fast_sheets[name].merged or []) == sorted(s.merged or [])
    # The body columns are the grid's columns below the header, from column A.
    body = [list(col) for col in inv.body]
    assert body == [list(c) for c in zip(*_grid(normal["投资项目"], inv)[4:])]
    # Types exactly as calamine gives them: dates at midnight as date, others as datetime.
    kinds = {type(v) for v in body[8] if v != ""}
    assert kinds == {date, datetime}
    # 序号 (column B) holds the 合计 label under numbers: read as text, the labels survive.
    assert body[1][-1] == "合计"


def _import_both(engine, new_db_url, paths, monkeypatch):
    from fundtrack.db import open_engine

    slow = open_engine(new_db_url())
    try:
        monkeypatch.setattr(fastsheet, "MIN_PART_BYTES", 1 << 62)
        res_slow = import_files(slow, paths)
        monkeypatch.setattr(fastsheet, "MIN_PART_BYTES", 0)
        monkeypatch.setattr(fastsheet, "PROBE_ROWS", 6)
        res_fast = import_files(engine, paths)
        return res_fast, res_slow, stored(engine), stored(slow)
    finally:
        slow.dispose()


def _same(res_fast, res_slow, got_fast, got_slow):
    assert [p.render() for p in res_fast.problems] == [p.render() for p in res_slow.problems]
    assert res_fast.counts == res_slow.counts
    for key in ("funds", "commitments", "companies", "investments", "flows"):
        assert got_fast[key] == got_slow[key], key


def test_clean_import_equals_the_normal_read(engine, new_db_url, tmp_path, monkeypatch):
    path = clean_book(tmp_path / "clean.xlsx", rows=60, hidden=(7, 30))
    res_fast, res_slow, a, b = _import_both(engine, new_db_url, [path], monkeypatch)
    assert res_fast.ok, [p.render() for p in res_fast.errors]
    assert res_fast.counts["投资项目"]["added"] == 58  # 60 rows, two hidden; the 合计 row checked
    _same(res_fast, res_slow, a, b)


def test_messy_workbooks_import_the_same(engine, new_db_url, tmp_path, monkeypatch):
    """Text numbers, mixed date styles, two-row merged headers: the fast path steps aside
    where it must, and the import is the same."""
    paths = [messy.portfolio_openpyxl(tmp_path / "基金台账.xlsx"), messy.portfolio_xlsxwriter(tmp_path / "投资与流水.xlsx")]
    res_fast, res_slow, a, b = _import_both(engine, new_db_url, paths, monkeypatch)
    assert res_fast.ok
    _same(res_fast, res_slow, a, b)


def test_errors_are_reported_at_the_same_cells(engine, new_db_url, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    path = clean_book(tmp_path / "bad.xlsx", total_row=False)
    wb = load_workbook(path)
    ws = wb["投资项目"]
    ws["D9"] = "91420100MA4KXXXXX0"  # a broken USCC
    ws["J15"] = -5  # a negative amount
    wb.save(path)
    res_fast, res_slow, a, b = _import_both(engine, new_db_url, [path], monkeypatch)
    assert not res_fast.ok
    assert {"D9", "J15"} <= {p.cell for p in res_fast.errors}
    _same(res_fast, res_slow, a, b)


def test_a_field_column_mixing_types_is_read_the_normal_way(fast, tmp_path):
    from openpyxl import load_workbook

    path = clean_book(tmp_path / "mixed.xlsx")
    wb = load_workbook(path)
    wb["投资项目"]["J10"] = "1,234.50"  # text among the amounts
    wb.save(path)
    sheets = {s.name: s for s in read_file(path)}
    assert sheets["投资项目"].body is None
    assert _grid(sheets["投资项目"]) == _grid({s.name: s for s in _normal(path)}["投资项目"])


def test_a_cell_left_of_the_table_shifts_nothing(fast, tmp_path):
    """A footnote in column A below a table that starts in column B: the range grows left."""
    path = clean_book(tmp_path / "left.xlsx", footnote_in_a=True)
    inv = {s.name: s for s in read_file(path)}["投资项目"]
    assert inv.body is not None
    assert _grid(inv) == _grid({s.name: s for s in _normal(path)}["投资项目"], inv)


def test_a_layout_only_the_merged_cells_reveal_is_read_again(engine, new_db_url, tmp_path, monkeypatch):
    """A two-row header whose group cell spans two columns: without the merge the head's
    layout reads the second column as something else; the pipeline reads the sheet again."""
    from openpyxl import Workbook

    wb = Workbook()
    g = wb.active
    g.title = "引导基金"
    g.append(["基金名称", "认缴规模（万元）"])
    g.append([G, 100000])
    s = wb.create_sheet("子基金")
    heads = ["子基金名称", "所属引导基金", "引导基金出资（万元）", None, "子基金规模（万元）"]
    for c, h in enumerate(heads, start=1):
        if h:
            s.cell(row=1, column=c, value=h)
    for col in "ABE":
        s.merge_cells(f"{col}1:{col}2")
    s.merge_cells("C1:D1")
    s["C2"], s["D2"] = "认缴", "实缴"
    for i in range(12):
        s.append([f"合并表头子基金{i}号（有限合伙）", G, 1000 + i, 500 + i, 10000])
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    calls = []
    real = read_mod.RawSheet.fits

    def fits(self, layout):
        ok = real(self, layout)
        calls.append(ok)
        return ok

    monkeypatch.setattr(read_mod.RawSheet, "fits", fits)
    res_fast, res_slow, a, b = _import_both(engine, new_db_url, [path], monkeypatch)
    assert res_fast.ok, [p.render() for p in res_fast.errors]
    assert calls == [False]  # the sheet went the fast way first, didn't fit the real layout …
    _same(res_fast, res_slow, a, b)  # … and was read again: the import is the normal one
    assert {v for v in a["commitments"].values()}  # commitments (C/D under the merge) were read


def test_head_part_cuts_after_whole_rows(tmp_path):
    xml = (b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row><x:row r="2" spans="1:1"/>'
           b'<x:row r="3"><x:c r="A3"><x:v>3</x:v></x:c></x:row><x:row r="4"><x:c r="A4"><x:v>4</x:v></x:c></x:row>'
           b'</x:sheetData><x:rowBreaks count="0"/></x:worksheet>')
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("s.xml", xml)
    with zipfile.ZipFile(path) as z:
        head = fastsheet.head_part(z, "s.xml", rows=2)
        assert head.endswith(b'<x:row r="2" spans="1:1"/></x:sheetData></x:worksheet>')
        assert b'r="3"' not in head
        assert fastsheet.head_part(z, "s.xml", rows=4) is None  # nothing to cut


def test_the_import_command_never_loads_pandas(db_url, tmp_path):
    """`fundtrack import` of a big sheet stays off pandas: pyarrow imports it behind the scenes
    the first time a Python value becomes an Arrow one (fill_null's scalar) or an array goes
    to numpy, ≈ 0.16 s on the critical path of every import. Text columns with blanks and few
    distinct values (the dictionary path, > 1,000 rows) are the ones that used to do it."""
    import json
    import subprocess
    import sys

    import random

    from openpyxl import Workbook

    from fundtrack.uscc import make_uscc

    rng = random.Random(4)
    wb = Workbook()
    ws = wb.active
    ws.title = "投资项目"
    ws.append(INV_HEAD)
    for k in range(1500):
        ws.append([k + 1, f"无熊猫测试企业{k:04d}（虚构）", make_uscc(rng), SUBS[k % 3], "集成电路" if k % 2 else None,
                   "武汉市", "A轮", date(2022, 1, 1 + k % 28), 10 + k, 0.01, None, "是" if k % 3 else None,
                   "未退出", 0, None])
    path = tmp_path / "no-pandas.xlsx"
    wb.save(path)
    code = ("import sys, json\n"
            "import importers.fastsheet as fs\n"
            "fs.MIN_PART_BYTES = 0\n"
            "from fundtrack.cli import main\n"
            f"rc = main(['--db', {db_url!r}, 'import', {str(path)!r}, '--dry-run', '--json'])\n"
            "sys.stderr.write(json.dumps({'rc': rc, 'pandas': 'pandas' in sys.modules}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    info = json.loads(out.stderr.strip().splitlines()[-1])
    # The sheet names sub-funds the database doesn't hold: a rejected dry run, every row read
    # all the same (one error per row, down to the last).
    cells = [e["cell"] for e in json.loads(out.stdout)["errors"]]
    assert info["rc"] == 1 and cells[-1] == "D1501" and len(cells) == 1500
    assert info["pandas"] is False


def test_grid_gives_the_rows_the_transposed_body_would():
    """fastsheet.Grid makes body rows on demand: every index, slice and negative index gives
    what building all the row tuples up front gave."""
    head = [["标题", "", ""], ["序号", "企业名称", "投资金额（万元）"]]
    body = [[1.0, 2.0, 3.0, 4.0], ["甲", "乙", "", "丁"], [10.5, 20.0, 30.25, 0.0]]
    built = head + list(zip(*body))
    grid = fastsheet.Grid(head, body)
    assert len(grid) == len(built) == 6
    assert list(grid) == built and [grid[i] for i in range(-6, 6)] == [built[i] for i in range(-6, 6)]
    for sl in (slice(None), slice(1, 4), slice(None, 200), slice(2, None, 2), slice(-3, None)):
        assert grid[sl] == built[sl]
    with pytest.raises(IndexError):
        grid[6]
    with pytest.raises(IndexError):
        grid[-7]
    assert len(fastsheet.Grid(head, [])) == 2
