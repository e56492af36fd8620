"""Messy real-world workbooks (openpyxl and XlsxWriter, GBK CSV) import to exactly the figures
they mean — checked against values worked out by hand in tests/messy.py — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal as D

from sqlalchemy import select

from fundtrack.models import CashFlow, Commitment, Company, Fund, ImportSheet, Investment
from importers.pipeline import ImportOptions, import_files
from tests import messy
from tests.messy import EXPECTED


def stored(engine) -> dict:
    """Everything imported, by names instead of ids."""
    with engine.connect() as c:
        funds = {r.id: r for r in c.execute(select(Fund.__table__))}
        companies = {r.id: r for r in c.execute(select(Company.__table__))}
        name = {i: r.name for i, r in funds.items()}
        out = {
            "funds": {r.name: (r.kind, r.committed, r.paid_in, r.inception) for r in funds.values()},
            "fund_rows": {r.name: r for r in funds.values()},
            "commitments": {(name[r.investor_id], name[r.investee_id]): (r.committed, r.paid_in)
                            for r in c.execute(select(Commitment.__table__))},
            "companies": {r.name: (r.uscc, r.industry, r.registered_place) for r in companies.values()},
            "investments": {(name[r.investor_id], companies[r.company_id].name, r.round, r.invested_on):
                            (r.amount, r.equity_share, r.fair_value, r.reinvest_flag, r.exit_proceeds)
                            for r in c.execute(select(Investment.__table__))},
            "flows": {},
        }
        for r in c.execute(select(CashFlow.__table__)):
            target = name[r.target_fund_id] if r.target_fund_id else companies[r.target_company_id].name
            assert r.target_key == (f"F:{r.target_fund_id}" if r.target_fund_id else f"C:{r.target_company_id}")
            out["flows"][(name[r.investor_id], target, r.flow_date, r.flow_type)] = r.amount
    return out


def _ratio(x):
    return None if x is None else D(str(x)).quantize(D("0.00000001"))


def test_messy_workbooks_import_exact_figures(engine, tmp_path):
    a = messy.portfolio_openpyxl(tmp_path / "基金台账.xlsx")
    b = messy.portfolio_xlsxwriter(tmp_path / "投资与流水.xlsx")
    res = import_files(engine, [a, b])
    assert res.ok, [p.render() for p in res.errors]
    # The hidden junk rows, the blank row, the title and note rows and the 合计 rows are not records.
    assert res.counts == {
        "基金台账.xlsx/引导基金": {"added": 2, "changed": 0, "unchanged": 0},
        "基金台账.xlsx/子基金": {"added": 2, "changed": 0, "unchanged": 0},
        "投资与流水.xlsx/投资明细": {"added": 6, "changed": 0, "unchanged": 0},
        "投资与流水.xlsx/资金流水": {"added": 7, "changed": 0, "unchanged": 0},
    }
    got = stored(engine)
    assert got["funds"] == EXPECTED["funds"]
    assert got["commitments"] == EXPECTED["commitments"]
    assert got["companies"] == EXPECTED["companies"]
    inv = {k: (a, _ratio(s), f, flag, x) for k, (a, s, f, flag, x) in got["investments"].items()}
    exp = {k: (a, _ratio(s), f, flag, x) for k, (a, s, f, flag, x) in EXPECTED["investments"].items()}
    assert inv == exp
    assert got["flows"] == EXPECTED["flows"]

    g1 = got["fund_rows"][messy.G1]
    assert (g1.level, g1.region, g1.term, g1.reinvest_multiple) == ("市级", "武汉市", "10年", D("1.5"))
    s1 = got["fund_rows"][messy.S1]
    assert (s1.amac_code, s1.required_leverage, s1.reinvest_multiple, s1.status) == ("SLK742", 5, D("1.5"), "投资期")
    assert (s1.src_sheet, s1.src_row) == ("子基金", 4)
    assert got["fund_rows"][messy.G2].term == "8"

    with engine.connect() as c:
        sheets = {r.sheet: r for r in c.execute(select(ImportSheet.__table__))}
    assert sheets["子基金"].header_row == 3 and sheets["子基金"].unit == "混合"  # 亿元 size, 万元 commitments
    assert sheets["投资明细"].unit == "万元" and sheets["资金流水"].unit == "元"
    cols = json.loads(sheets["子基金"].columns)
    assert cols["fund.committed"] == "F" and cols["commitment.committed"] == "G" and cols["commitment.paid_in"] == "H"


def test_gbk_csv_found_by_its_headers(engine, tmp_path):
    f = messy.gbk_guidance_csv(tmp_path / "gbk.csv")
    res = import_files(engine, [f])
    assert res.ok, [p.render() for p in res.errors]
    got = stored(engine)["funds"]
    assert got == {"湖北测试省级母基金（虚构）": ("guidance", D("1250000000.00"), D("250000000.00"),
                                                   __import__("datetime").date(2022, 1, 1))}


def test_utf8_bom_and_plain_utf8_csv(engine, tmp_path):
    body = "出资方,被投对象,日期,类型,金额（万元）\n"
    g = tmp_path / "引导基金.csv"
    g.write_text("基金名称,认缴规模（万元）\n测试CSV引导基金（虚构）,1000\n", encoding="utf-8-sig")
    s = tmp_path / "子基金.csv"
    s.write_text("子基金名称,所属引导基金,认缴规模（万元）,引导基金认缴（万元）\n测试CSV子基金,测试CSV引导基金（虚构）,500,100\n",
                 encoding="utf-8")
    f = tmp_path / "流水.csv"
    f.write_text(body + "测试CSV引导基金（虚构）,测试CSV子基金,2024年3月31日,实缴出资,\"1,000.5\"\n", encoding="utf-8")
    res = import_files(engine, [g, s, f])
    assert res.ok, [p.render() for p in res.errors]
    got = stored(engine)
    assert got["commitments"] == {("测试CSV引导基金（虚构）", "测试CSV子基金"): (D("1000000.00"), D("0.00"))}
    assert list(got["flows"].values()) == [D("10005000.00")]


def test_title_rows_merged_total_and_subtotals(engine, tmp_path):
    """小计 rows total their group, 合计 the lot — both checked and skipped."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "母基金"
    ws.append(["某市母基金汇总表（单位：亿元）"])
    ws.append([])
    ws.append(["序号", "基金全称", "总规模", "实缴出资额"])
    ws.append(["合计", None, 6, 1.5])  # a total above its rows
    ws.append([1, "甲测试母基金（虚构）", 1, 0.5])
    ws.append([2, "乙测试母基金（虚构）", 2, 0.5])
    ws.append(["小计", None, 3, 1])
    ws.append([3, "丙测试母基金（虚构）", 3, 0.5])
    ws.append(["小计", None, 3, 0.5])
    ws.append(["总计", None, 6, 1.5])
    ws.append(["注：本表数据为虚构示例。"])
    ws.append(["填表人：张三", None, "审核人：李四"])
    wb.save(tmp_path / "m.xlsx")
    res = import_files(engine, [tmp_path / "m.xlsx"])
    assert res.ok, [p.render() for p in res.errors]
    funds = stored(engine)["funds"]
    assert {k: v[1] for k, v in funds.items()} == {"甲测试母基金（虚构）": D("100000000.00"),
                                                  "乙测试母基金（虚构）": D("200000000.00"),
                                                  "丙测试母基金（虚构）": D("300000000.00")}


def test_a_fund_of_funds_chain_any_depth(engine, tmp_path):
    """A sub-fund backed by a sub-fund backed by a sub-fund: all edges stored."""
    from tests.workbooks import write_workbook

    g = ["测试链引导基金（虚构）", "市级", None, None, "武汉市", 1000, 100, None, None, None]
    subs = [["测试链一级（虚构）", g[0], None, "SAB001", 500, 100, 50, None, None, None, None, None, None, None, None,
             None],
            ["测试链二级（虚构）", "测试链一级（虚构）", None, "SAB002", 200, 50, 0, None, None, None, None, None, None, None,
             None, None],
            ["测试链三级（虚构）", "测试链二级（虚构）", None, "SAB003", 100, 20, 0, None, None, None, None, None, None, None,
             None, None]]
    f = write_workbook(tmp_path / "chain.xlsx", guidance=[g], subs=subs)
    res = import_files(engine, [f])
    assert res.ok, [p.render() for p in res.errors]
    assert set(stored(engine)["commitments"]) == {("测试链引导基金（虚构）", "测试链一级（虚构）"),
                                                  ("测试链一级（虚构）", "测试链二级（虚构）"),
                                                  ("测试链二级（虚构）", "测试链三级（虚构）")}


def test_mapping_file_and_unit_option(engine, tmp_path):
    from openpyxl import Workbook

    from importers.mapping import load_mapping

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["基金名", "管理人名称", "认缴金额（万元）", "内部编号"])
    ws.append(["映射测试引导基金（虚构）", "某产投", 800, "X-1"])
    wb.save(tmp_path / "map.xlsx")
    m = tmp_path / "map.toml"
    m.write_text('[headers]\n"认缴金额（万元）" = "认缴规模"\n"内部编号" = "忽略"\n\n'
                 '[headers."引导基金"]\n"基金名" = "基金名称"\n"管理人名称" = "管理机构"\n\n'
                 '[sheets]\nSheet1 = "引导基金"\n', encoding="utf-8")
    res = import_files(engine, [tmp_path / "map.xlsx"], ImportOptions(mapping=load_mapping(m)))
    assert res.ok and not res.warnings, [p.render() for p in res.problems]
    row = stored(engine)["fund_rows"]["映射测试引导基金（虚构）"]
    assert row.committed == D("8000000.00") and row.manager == "某产投"

    # A money column with no unit anywhere needs --unit.
    ws["C1"] = "认缴规模"
    wb.save(tmp_path / "nounit.xlsx")
    res = import_files(engine, [tmp_path / "nounit.xlsx"], ImportOptions(dry_run=True, mapping=load_mapping(m)))
    assert [(e.sheet, e.cell) for e in res.errors] == [("Sheet1", "C1")] and "单位" in res.errors[0].zh
    res = import_files(engine, [tmp_path / "nounit.xlsx"], ImportOptions(unit="亿元", mapping=load_mapping(m)))
    assert res.ok and stored(engine)["fund_rows"]["映射测试引导基金（虚构）"].committed == D("80000000000.00")
