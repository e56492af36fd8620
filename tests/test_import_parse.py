"""Cell values as finance staff write them (DESIGN §3) → exact values; headers → fields and units."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from importers import parse
from importers.headers import find_layout, split_unit
from importers.problems import CellError
from importers.read import RawSheet
from importers.records import _percent_column

WAN = parse.UNIT_FACTORS["万元"]
YI = parse.UNIT_FACTORS["亿元"]
YUAN = parse.UNIT_FACTORS["元"]


@pytest.mark.parametrize("raw, factor, expected", [
    ("1,234.56", YUAN, D("1234.56")),
    ("１２３４．５", YUAN, D("1234.50")),  # full-width digits and point
    ("(1,234.00)", YUAN, D("-1234.00")),  # accounting negative
    ("（1,234.00）", YUAN, D("-1234.00")),  # with full-width brackets
    ("￥5,000", YUAN, D("5000.00")),
    (" 12.5 ", YI, D("1250000000.00")),
    ("500万元", YUAN, D("5000000.00")),  # a unit in the cell wins over the column's
    ("1.2亿", WAN, D("120000000.00")),
    (1234.56, WAN, D("12345600.00")),  # a float through repr, never binary
    (0.1 + 0.2, YUAN, D("0.30")),
    (1e-7, YUAN, D("0.00")),
    (45000, YUAN, D("45000.00")),
    ("1.005", YUAN, D("1.01")),  # half up to the fen
])
def test_money(raw, factor, expected):
    got = parse.money(raw, factor)
    assert got == expected and got.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", ["abc", "12%", "1,2,3x", "--5", "nan", "inf", True, "1e999999999"])
def test_money_refuses(raw):
    with pytest.raises(CellError):
        parse.money(raw, YUAN)


def test_money_without_any_unit_is_refused():
    with pytest.raises(CellError):
        parse.money("100", None)
    assert parse.money("100万元", None) == D("1000000.00")


@pytest.mark.parametrize("raw, expected", [
    (date(2023, 5, 12), date(2023, 5, 12)),
    (datetime(2023, 5, 12, 13, 30), date(2023, 5, 12)),
    (45058, date(2023, 5, 12)),  # Excel serial
    (45058.75, date(2023, 5, 12)),  # serial with a time of day
    ("45058", date(2023, 5, 12)),
    ("2023-05-12", date(2023, 5, 12)),
    ("2023/5/12", date(2023, 5, 12)),
    ("2023.5.12", date(2023, 5, 12)),
    ("2023年5月12日", date(2023, 5, 12)),
    ("２０２３年５月１２日", date(2023, 5, 12)),
    ("2023年5月", date(2023, 5, 1)),
    ("2023-05", date(2023, 5, 1)),
    ("20230512", date(2023, 5, 12)),
    ("2023-05-12 00:00:00", date(2023, 5, 12)),
])
def test_dates(raw, expected):
    assert parse.to_date(raw) == expected


@pytest.mark.parametrize("raw", ["2023-02-30", "明天", "1850-01-01", 5, "2023/13/1", float("nan")])
def test_bad_dates(raw):
    with pytest.raises(CellError):
        parse.to_date(raw)


def test_percentages_decided_per_column():
    # A plain number above 1 makes the column percentage points; "%" always means percent.
    out, errs = _percent_column(["20%", 20, "0.5", 0.2])
    assert not errs and out == [D("0.2"), D("0.2"), D("0.005"), D("0.002")]
    out, errs = _percent_column([0.2, "0.05", "12.5%", None, ""])
    assert not errs and out == [D("0.2"), D("0.05"), D("0.125"), None, None]
    out, errs = _percent_column(["150%", "abc"])
    assert [j for j, _ in errs] == [1, 0] or sorted(j for j, _ in errs) == [0, 1]


@pytest.mark.parametrize("raw, expected", [("2", D(2)), ("1.5倍", D("1.5")), ("150%", D("1.5")), (4, D(4)),
                                           ("2.5x", D("2.5"))])
def test_multiples(raw, expected):
    assert parse.multiple(raw) == expected


@pytest.mark.parametrize("raw, expected", [("是", True), ("否", False), ("Y", True), ("no", False), (True, True),
                                           (1, True), ("√", True), ("×", False)])
def test_yes_no(raw, expected):
    assert parse.yes_no(raw) is expected


def test_words_and_codes():
    assert parse.flow_type("实缴出资") == "contribution" and parse.flow_type(" 分 配 ") == "distribution"
    assert parse.flow_type("管理费") == "fee" and parse.flow_type("估值") == "valuation"
    assert parse.level("市") == "市级" and parse.level("区县级") == "区县级"
    assert parse.amac("slk742") == "SLK742" and parse.amac("ＳＬＫ７４２") == "SLK742"
    for bad in ("SLK74", "1234567", "ABCD123", "SL-742"):
        with pytest.raises(CellError):
            parse.amac(bad)
    assert parse.uscc_text("91110000600037341l") == "91110000600037341L"
    with pytest.raises(CellError):
        parse.uscc_text("91110000600037341M")
    assert parse.name("  光谷 (有限合伙) ") == "光谷（有限合伙）"
    assert parse.text(7.0) == "7"


@pytest.mark.parametrize("header, expected", [
    ("认缴规模(万元)", ("认缴规模", "万元")),
    ("认缴规模（亿元）", ("认缴规模", "亿元")),
    ("认缴规模 （单位：万元）", ("认缴规模", "万元")),
    ("投资金额/万元", ("投资金额", "万元")),
    ("投资金额万元", ("投资金额", "万元")),
    ("金额（元）", ("金额", "元")),
    ("持股比例(%)", ("持股比例", "%")),
    ("认缴规模*", ("认缴规模", None)),
    ("Ｇ Ｐ", ("gp", None)),
])
def test_header_units(header, expected):
    assert split_unit(header) == expected


def _sheet(name, rows, merged=None):
    return RawSheet("t.xlsx", name, rows, merged=merged)


def test_kind_from_headers_when_the_sheet_name_says_nothing():
    rows = [["标题"], ["", "", ""], ["序号", "企业名称", "统一社会信用代码", "投资主体", "投资日期", "投资金额（万元）"]]
    lay = find_layout(_sheet("Sheet1", rows))
    assert lay.kind.key == "investment" and lay.header_row == 3 and lay.data_start == 3
    rows = [["出资方", "被投对象", "日期", "类型", "金额"]]
    assert find_layout(_sheet("Sheet2", rows)).kind.key == "cash_flow"
    assert find_layout(_sheet("说明", [["这里只有说明文字"]])) is None


def test_two_row_header_without_merge_information():
    """CSV and .ods carry no merges: a blank top cell continues the group on its left."""
    rows = [["子基金名称", "所属引导基金", "引导基金出资", "", "认缴规模（万元）"],
            ["", "", "认缴（万元）", "实缴（万元）", ""],
            ["甲", "乙", "100", "50", "1000"]]
    lay = find_layout(_sheet("子基金", rows))
    fc = lay.field_columns()
    assert lay.header_row == 2 and lay.data_start == 2
    assert fc["g_committed"].index == 2 and fc["g_paid_in"].index == 3 and fc["committed"].index == 4
    assert fc["g_committed"].unit == "万元"
