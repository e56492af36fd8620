"""A small, deterministic portfolio written through the ORM, for tests of every layer.

Figures are chosen so they can be checked by hand (amounts in 元):

引导基金 武汉测试引导基金（虚构） region 武汉市, committed 1,000,000,000, paid-in 600,000,000, default 返投 1.5
  ├─ 子基金A（有限合伙） size 400,000,000; guidance commits 100,000,000 (paid 60,000,000); 返投 multiple 2.0
  │     invests 50,000,000 in 光谷芯片 (武汉市东湖新技术开发区, local)
  │     invests 30,000,000 in 苏州材料 (江苏省苏州市, not local) but flagged 是否认定返投=是
  │     invests 20,000,000 in 深圳软件 (广东省深圳市, not local)
  ├─ 子基金B size 200,000,000; guidance commits 50,000,000; 返投 multiple blank → 1.5
  │     invests 40,000,000 in 洪山生物 (湖北省武汉市洪山区, local) flagged 否 → not counted
  │     commits 20,000,000 to 子基金C (fund of funds; C size 100,000,000)
  │           C invests 10,000,000 in 光谷芯片
  └─ direct investment 80,000,000 in 江夏装备 (武汉市江夏区)
引导基金 湖北省测试母基金（虚构） region 湖北省, committed 2,000,000,000, paid-in 0
  └─ 子基金D size 300,000,000; guidance commits 60,000,000; multiple 1.0
        invests 25,000,000 in 宜昌化工 (宜昌市猇亭区 — a city of 湖北 without the province: local)
"""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlmodel import Session

from fundtrack.models import CashFlow, Commitment, Company, Fund, ImportBatch, Investment
from fundtrack.names import normalise_name
from fundtrack.uscc import make_uscc

D = Decimal


def _fund(**kw) -> Fund:
    return Fund(name_key=normalise_name(kw["name"]), **kw)


def make_small_portfolio(engine) -> dict:
    """Write the portfolio above; return {short name: id} for funds and companies."""
    rng = random.Random(42)
    ids: dict = {}
    with Session(engine) as s:
        batch = ImportBatch(kind="import", file_name="tests/factories.py", actor="test",
                            created_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
        s.add(batch)
        s.flush()
        b = batch.id
        g1 = _fund(kind="guidance", name="武汉测试引导基金（虚构）", level="市级", region="武汉市",
                   committed=D("1000000000"), paid_in=D("600000000"), inception=date(2020, 1, 1),
                   reinvest_multiple=D("1.5"), batch_id=b, src_sheet="引导基金", src_row=2)
        g2 = _fund(kind="guidance", name="湖北省测试母基金（虚构）", level="省级", region="湖北省",
                   committed=D("2000000000"), paid_in=D("0"), inception=date(2021, 1, 1),
                   reinvest_multiple=D("1.0"), batch_id=b)
        a = _fund(kind="sub", name="子基金A（有限合伙）", manager="甲管理人（虚构）", amac_code="SAA001",
                  committed=D("400000000"), paid_in=D("200000000"), inception=date(2021, 3, 1),
                  required_leverage=D("4"), reinvest_multiple=D("2.0"), status="投资期",
                  investment_period_end=date(2026, 3, 1), batch_id=b, src_sheet="子基金", src_row=3)
        bb = _fund(kind="sub", name="子基金B", manager="乙管理人（虚构）", amac_code="SBB002",
                   committed=D("200000000"), paid_in=D("100000000"), inception=date(2021, 6, 1),
                   required_leverage=D("5"), status="投资期", batch_id=b)
        c = _fund(kind="sub", name="子基金C", committed=D("100000000"), paid_in=D("50000000"),
                  inception=date(2022, 1, 1), batch_id=b)
        dd = _fund(kind="sub", name="子基金D", committed=D("300000000"), paid_in=D("100000000"),
                   inception=date(2022, 1, 1), reinvest_multiple=D("1.0"), batch_id=b)
        s.add_all([g1, g2, a, bb, c, dd])
        s.flush()
        ids.update(g1=g1.id, g2=g2.id, A=a.id, B=bb.id, C=c.id, D=dd.id)
        s.add_all([
            Commitment(investor_id=g1.id, investee_id=a.id, committed=D("100000000"), paid_in=D("60000000"), batch_id=b),
            Commitment(investor_id=g1.id, investee_id=bb.id, committed=D("50000000"), paid_in=D("25000000"), batch_id=b),
            Commitment(investor_id=bb.id, investee_id=c.id, committed=D("20000000"), paid_in=D("10000000"), batch_id=b),
            Commitment(investor_id=g2.id, investee_id=dd.id, committed=D("60000000"), paid_in=D("30000000"), batch_id=b),
        ])
        cos = {}
        for key, name, place, industry in [
            ("chip", "光谷芯片科技有限公司（虚构）", "湖北省武汉市东湖新技术开发区", "集成电路"),
            ("suzhou", "苏州材料有限公司（虚构）", "江苏省苏州市工业园区", "新材料"),
            ("shenzhen", "深圳软件有限公司（虚构）", "广东省深圳市南山区", "人工智能"),
            ("bio", "洪山生物医药有限公司（虚构）", "武汉市洪山区", "生物医药"),
            ("jiangxia", "江夏装备制造有限公司（虚构）", "武汉市江夏区", "高端装备"),
            ("yichang", "宜昌化工新材料有限公司（虚构）", "宜昌市猇亭区", "新材料"),
        ]:
            co = Company(name=name, name_key=normalise_name(name), uscc=make_uscc(rng), registered_place=place,
                         industry=industry, batch_id=b)
            s.add(co)
            cos[key] = co
        s.flush()
        ids.update({k: v.id for k, v in cos.items()})
        inv = [
            (a.id, "chip", "A轮", date(2022, 3, 15), "50000000", None),
            (a.id, "suzhou", "B轮", date(2022, 6, 1), "30000000", True),
            (a.id, "shenzhen", "天使轮", date(2023, 1, 10), "20000000", None),
            (bb.id, "bio", "A轮", date(2023, 5, 12), "40000000", False),
            (c.id, "chip", "B轮", date(2024, 2, 1), "10000000", None),
            (g1.id, "jiangxia", "C+轮", date(2024, 7, 1), "80000000", None),
            (dd.id, "yichang", "Pre-A轮", date(2025, 8, 8), "25000000", None),
        ]
        for investor, co, rnd, on, amt, flag in inv:
            s.add(Investment(investor_id=investor, company_id=cos[co].id, round=rnd, invested_on=on,
                             amount=D(amt), fair_value=D(amt) * 2, reinvest_flag=flag, batch_id=b))
        # The guidance fund's ledger in sub-fund A: calls, a fee, a distribution, two valuations.
        for d, typ, amt in [
            (date(2021, 3, 31), "contribution", "30000000"), (date(2022, 3, 31), "contribution", "30000000"),
            (date(2022, 12, 31), "fee", "1000000"), (date(2024, 6, 30), "distribution", "10000000"),
            (date(2025, 12, 31), "valuation", "70000000"), (date(2026, 6, 30), "valuation", "80000000"),
        ]:
            s.add(CashFlow(investor_id=g1.id, target_fund_id=a.id, target_key=f"F:{a.id}", flow_date=d,
                           flow_type=typ, amount=D(amt), batch_id=b))
        # … and its direct investment as a ledger line to the company.
        s.add(CashFlow(investor_id=g1.id, target_company_id=cos["jiangxia"].id, target_key=f"C:{cos['jiangxia'].id}",
                       flow_date=date(2024, 7, 1), flow_type="contribution", amount=D("80000000"), batch_id=b))
        s.commit()
    return ids
