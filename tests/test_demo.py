"""`fundtrack demo`: the shipped sample workbook is what its generator makes, is a realistic
Hubei portfolio marked fictional below the headline funds, imports cleanly, and twice is once."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal as D

from sqlalchemy import func, select

from fundtrack.cli import main
from fundtrack.models import CashFlow, Commitment, Company, Fund, ImportBatch, Investment
from fundtrack.regions import is_local
from fundtrack.uscc import is_valid_uscc
from importers import demo_data
from importers.cli import demo_workbook


def test_shipped_workbook_is_the_generators_output(tmp_path):
    out = demo_data.write(tmp_path / "demo.xlsx")
    assert out.read_bytes() == demo_workbook().read_bytes(), "run `python -m importers.demo_data` and commit"


def test_demo_portfolio_is_realistic_and_marked_fictional():
    d = demo_data.build()
    sizes = {g.name: g.committed for g in d.guidance}
    assert sizes["武汉市政府引导基金"] == D(4_820_000)  # 万元: 482亿元
    assert D(4_500_000) <= sizes["武汉经开区产业投资母基金"] <= D(5_000_000)  # ~500亿元
    assert sizes["咸宁高新区区域母基金"] == D(300_000) and sizes["咸宁市“一号种子”基金"] == D(5_000)
    assert sizes["武昌区拨转股资金池"] == D(5_000) and "鄂州市昌达产业投资基金" in sizes
    assert all("示例" in s.name for s in d.subs)
    assert all("示例" in i.company.name for i in d.investments)
    assert all(is_valid_uscc(i.company.uscc) for i in d.investments)
    assert {i.on.year for i in d.investments} <= set(range(2021, 2027))
    assert {2021, 2026} <= {i.on.year for i in d.investments} | {s.inception.year for s in d.subs}
    sub_names = {s.name for s in d.subs}
    assert any(s.investor in sub_names for s in d.subs)  # fund of funds
    assert {"是", "否"} <= {i.flag for i in d.investments}
    regions = {g.name: g.region for g in d.guidance} | {s.name: s.region for s in d.subs}
    local = Counter(is_local(i.company.place, regions[i.investor]) for i in d.investments)
    assert local[True] > 0 and local[False] > 0
    kinds = Counter(f.kind for f in d.flows)
    assert set(kinds) == {"实缴出资", "分配", "管理费", "估值"}
    years = {f.on.year for f in d.flows if f.kind == "估值"}
    assert len(years) >= 4
    assert any(i.investor == "鄂州市昌达产业投资基金" and i.round == "C+轮" and "存储" in i.company.industry
               for i in d.investments)


def test_demo_twice_is_once(db_url, capsys):
    assert main(["--db", db_url, "demo"]) == 0
    first = capsys.readouterr().out
    assert "武汉市政府引导基金" in first and "TVPI" in first

    from fundtrack.db import open_engine

    e = open_engine(db_url)

    def counts():
        with e.connect() as c:
            return {m.__tablename__: c.execute(select(func.count()).select_from(m.__table__)).scalar()
                    for m in (Fund, Commitment, Company, Investment, CashFlow)}

    once = counts()
    assert main(["--db", db_url, "demo"]) == 0
    assert "新增 0 行，变更 0 行" in capsys.readouterr().out
    assert counts() == once and once["fund"] == 18 and once["cash_flow"] > 300
    with e.connect() as c:
        assert {r.kind for r in c.execute(select(ImportBatch.__table__))} == {"demo"}

    from fundtrack.services.summary import portfolio_summary

    s = portfolio_summary(e, date(2026, 9, 30))
    e.dispose()
    assert len(s.funds) == 6
    with_irr = [f for f in s.funds if f.irr is not None and f.tvpi is not None]
    assert len(with_irr) >= 5
    assert s.totals.sub_fund_count >= 10 and s.totals.reinvest_achieved > 0 and s.totals.leverage_total > 1
