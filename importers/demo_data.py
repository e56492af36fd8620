"""The demo portfolio workbook (`importers/data/demo.xlsx`), generated deterministically.

    python -m importers.demo_data            # rewrites importers/data/demo.xlsx

The guidance funds are the Hubei funds of public reporting (DESIGN §5) with their headline
sizes: 武汉市 482亿元, 武汉经开区 industrial mother fund ~500亿元, 咸宁高新区 regional mother
fund 30亿元, 咸宁 “一号种子” 5000万元, 武昌区 拨转股 5000万元 pool, 鄂州 昌达产业投资基金.
Everything below them — sub-funds, managers, companies, amounts, dates, cash flows — is
fictional, marked 示例 in its name and 虚构 in the 备注 column. Company USCCs are generated
valid codes (fundtrack.uscc.make_uscc, fixed seed), not real ones.

The workbook uses the import template's layout, so `fundtrack demo` exercises the real
importer. Same seed, same bytes: document properties carry a fixed date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from fundtrack.quarters import Quarter
from fundtrack.quarters import quarter_ends as _quarter_ends
from fundtrack.uscc import make_uscc

from importers.fields import TEMPLATE_ORDER
from importers.template import header_text

OUT = Path(__file__).with_name("data") / "demo.xlsx"
SEED = 20260930
LAST_QUARTER_END = date(2026, 9, 30)
W = Decimal("0.01")  # amounts in the workbook are 万元 with two places
NOTE_REAL = "规模据公开报道；其下子基金、企业及全部金额流水均为虚构示例"
NOTE_FAKE = "虚构示例"


def wan(x) -> Decimal:
    return Decimal(str(x)).quantize(W, rounding=ROUND_HALF_UP)


@dataclass
class GFund:
    name: str
    level: str
    sponsor: str
    manager: str
    region: str
    committed: Decimal
    inception: date
    term: str
    reinvest: Decimal
    note: str = NOTE_REAL
    paid_in: Decimal = Decimal(0)


@dataclass
class SFund:
    name: str
    investor: str
    manager: str
    amac: str
    size: Decimal
    g_commit: Decimal
    focus: str
    region: str
    inception: date
    leverage: Decimal | None
    reinvest: Decimal | None
    status: str = "投资期"
    g_paid: Decimal = Decimal(0)
    paid_in: Decimal = Decimal(0)


@dataclass
class Co:
    name: str
    uscc: str
    industry: str
    place: str


@dataclass
class Inv:
    investor: str
    company: Co
    round: str
    on: date
    amount: Decimal
    share: Decimal
    fair_value: Decimal
    flag: str | None = None
    exit_status: str = "未退出"
    exit_proceeds: Decimal = Decimal(0)
    exited_on: date | None = None


@dataclass
class Flow:
    investor: str
    target: str
    on: date
    kind: str  # 实缴出资 分配 管理费 估值
    amount: Decimal


@dataclass
class Demo:
    guidance: list[GFund] = field(default_factory=list)
    subs: list[SFund] = field(default_factory=list)
    investments: list[Inv] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)


def quarter_ends(start: date, end: date = LAST_QUARTER_END):
    return _quarter_ends(start, end)


GUIDANCE = [
    GFund("武汉市政府引导基金", "市级", "武汉市人民政府", "武汉市引导基金受托管理机构（示例）", "武汉市",
          wan(4_820_000), date(2021, 3, 31), "15年", Decimal("1.5")),
    GFund("武汉经开区产业投资母基金", "区县级", "武汉经济技术开发区管委会", "车谷产业投资管理公司（示例）",
          "武汉经济技术开发区", wan(4_980_000), date(2022, 1, 15), "15年", Decimal("1.2")),
    GFund("咸宁高新区区域母基金", "区县级", "咸宁高新区管委会", "咸宁高新投资管理公司（示例）", "咸宁高新区",
          wan(300_000), date(2023, 4, 20), "10年", Decimal("1.0")),
    GFund("咸宁市“一号种子”基金", "市级", "咸宁市科技局", "咸宁市创投管理公司（示例）", "咸宁市",
          wan(5_000), date(2024, 6, 28), "10年", Decimal("1.0")),
    GFund("武昌区拨转股资金池", "区县级", "武昌区财政局", "武昌区科技投资公司（示例）", "武昌区",
          wan(5_000), date(2023, 9, 1), "8年", Decimal("1.0")),
    GFund("鄂州市昌达产业投资基金", "市级", "鄂州市国资委", "昌达投资管理公司（示例）", "鄂州市",
          wan(200_000), date(2022, 6, 30), "10年", Decimal("1.0"),
          note="基金名称据公开报道（曾参与某存储企业C+轮）；规模及以下全部数据为虚构示例"),
]

# (name, investor, focus, region, size 万元, guidance commitment 万元, inception, 返投 multiple, leverage)
SUBS = [
    ("江城示例光芯创业投资基金（有限合伙）", 0, "光电子信息", "武汉市", 200_000, 40_000, date(2021, 9, 15), "1.5", "5"),
    ("江城示例生物医药产业基金（有限合伙）", 0, "生物医药", "武汉市", 300_000, 60_000, date(2022, 3, 10), None, "5"),
    ("江城示例天使母基金（有限合伙）", 0, "天使投资（母基金）", "武汉市", 100_000, 25_000, date(2022, 6, 20), "1.2", "4"),
    ("江城示例新能源汽车产业基金（有限合伙）", 0, "新能源汽车", "武汉市", 400_000, 80_000, date(2022, 11, 8), "1.5", "5"),
    ("江城示例人工智能创投基金（有限合伙）", 0, "人工智能", "武汉市", 150_000, 30_000, date(2023, 6, 12), "1.5", "5"),
    ("车谷示例智能网联产业基金（有限合伙）", 1, "智能网联汽车", "武汉经济技术开发区", 500_000, 100_000, date(2022, 5, 18),
     "1.2", "5"),
    ("车谷示例科创基金（有限合伙）", 1, "硬科技", "武汉经济技术开发区", 100_000, 30_000, date(2023, 2, 16), None, "3.3"),
    ("咸宁示例先进制造基金（有限合伙）", 2, "高端装备", "咸宁高新区", 100_000, 20_000, date(2023, 8, 8), "1.0", "5"),
    ("咸宁示例新材料创投基金（有限合伙）", 2, "新材料", "咸宁高新区", 50_000, 10_000, date(2024, 3, 26), "1.0", "5"),
    ("鄂州示例光电产业基金（有限合伙）", 5, "光电子信息", "鄂州市", 60_000, 15_000, date(2023, 1, 12), "1.0", "4"),
    # Fund of funds: the angel mother fund backs two early-stage funds.
    ("示例种子一期创业投资基金（有限合伙）", "江城示例天使母基金（有限合伙）", "种子期", "武汉市", 20_000, 6_000,
     date(2023, 3, 1), None, None),
    ("示例硬科技早期创业投资基金（有限合伙）", "江城示例天使母基金（有限合伙）", "硬科技早期", "武汉市", 30_000, 8_000,
     date(2023, 10, 20), None, None),
]

PLACES = {  # key → (registered place, region code of the USCC, short city name for company names)
    "wuhan": ("湖北省武汉市东湖新技术开发区", "420100", "武汉"),
    "hongshan": ("湖北省武汉市洪山区", "420111", "武汉"),
    "wuchang": ("湖北省武汉市武昌区", "420106", "武汉"),
    "jkq": ("武汉经济技术开发区", "420114", "武汉"),
    "xianning": ("湖北省咸宁市咸宁高新区", "421200", "咸宁"),
    "xianan": ("湖北省咸宁市咸安区", "421202", "咸宁"),
    "ezhou": ("湖北省鄂州市葛店开发区", "420700", "鄂州"),
    "yichang": ("湖北省宜昌市", "420500", "宜昌"),
    "shenzhen": ("广东省深圳市南山区", "440305", "深圳"),
    "suzhou": ("江苏省苏州市工业园区", "320500", "苏州"),
    "shanghai": ("上海市浦东新区", "310115", "上海"),
    "hefei": ("安徽省合肥市高新区", "340100", "合肥"),
}
WORDS = ["芯源", "光启", "微纳", "智行", "深蓝", "云帆", "博瑞", "同创", "星河", "恒拓", "睿思", "凌峰", "启明", "青禾",
         "远景", "数衡", "瀚海", "极光", "锐能", "合纵", "新程", "赛维", "华芯", "康宁", "知行", "山海", "卓越", "晨曦",
         "澜图", "天衡", "鸿鹄", "麒麟", "驰远", "磐石", "优联", "安澜", "北辰", "青云", "若水", "松果", "金桥", "盛弘"]
TRADES = {"光电子信息": "光电", "生物医药": "生物医药", "新能源汽车": "新能源", "人工智能": "智能科技", "智能网联汽车": "智联",
          "硬科技": "精密仪器", "高端装备": "装备制造", "新材料": "新材料", "集成电路": "半导体", "存储": "存储科技",
          "种子期": "科技", "硬科技早期": "量子科技", "天使投资（母基金）": "科技"}
ROUNDS = ["天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "B+轮", "C轮", "C+轮"]


def build(seed: int = SEED) -> Demo:
    rng = random.Random(seed)
    demo = Demo()
    demo.guidance = [GFund(**g.__dict__) for g in GUIDANCE]
    gnames = [g.name for g in demo.guidance]
    used_names: set[str] = set()

    def company(focus: str, where: str) -> Co:
        place, code, city = PLACES[where]
        while True:
            w = rng.choice(WORDS)
            name = f"{city}{w}{TRADES.get(focus, '科技')}有限公司（示例）"
            if name not in used_names:
                used_names.add(name)
                return Co(name, make_uscc(rng, code), focus, place)

    for i, (name, inv, focus, region, size, gc, inc, rm, lev) in enumerate(SUBS):
        investor = gnames[inv] if isinstance(inv, int) else inv
        amac = f"S{'ABCDEFGHJKLMNPQRSTUVWXYZ'[i]}{rng.randint(100, 999)}"
        sub = SFund(name, investor, f"{name[:4]}私募基金管理有限公司（示例）", amac, wan(size), wan(gc), focus, region,
                    inc, Decimal(lev) if lev else None, Decimal(rm) if rm else None)
        demo.subs.append(sub)

    local_by_region = {"武汉市": ["wuhan", "hongshan", "wuchang"], "武汉经济技术开发区": ["jkq"],
                       "咸宁高新区": ["xianning"], "鄂州市": ["ezhou"]}
    elsewhere = ["shenzhen", "suzhou", "shanghai", "hefei", "yichang"]
    fund_names = {s.name for s in demo.subs}
    for sub in demo.subs:
        if any(other.investor == sub.name for other in demo.subs):
            continue  # the angel mother fund invests through its sub-funds, not directly
        n = rng.randint(5, 9)
        for k in range(n):
            local = rng.random() < 0.7
            where = rng.choice(local_by_region.get(sub.region, ["wuhan"])) if local else rng.choice(elsewhere)
            co = company(sub.focus, where)
            on = _date_between(rng, sub.inception, date(2026, 8, 31))
            # 1–5% of the fund per deal, in whole 100万元.
            pct = Decimal(rng.choice(["0.01", "0.015", "0.02", "0.03", "0.04", "0.05"]))
            amount = wan((sub.size * pct / 100).quantize(Decimal(1)) * 100)
            share = Decimal(rng.randint(20, 150)) / 1000
            fv = wan(amount * Decimal(str(round(rng.uniform(0.8, 2.4), 2))))
            inv = Inv(sub.name, co, rng.choice(ROUNDS), on, amount, share, fv)
            if not local and rng.random() < 0.4:
                inv.flag = "是"  # approved as 返投 although registered elsewhere (e.g. a Wuhan plant)
            elif local and rng.random() < 0.1:
                inv.flag = "否"
            if on < date(2024, 6, 1) and rng.random() < 0.4:
                partial = rng.random() < 0.6
                inv.exit_status = "部分退出" if partial else "已退出"
                inv.exit_proceeds = wan(amount * Decimal(str(round(rng.uniform(0.9, 2.8), 2))) * (Decimal("0.4") if partial else 1))
                inv.exited_on = _date_between(rng, date(2024, 6, 1), date(2026, 6, 30))
                if not partial:
                    inv.fair_value = Decimal(0)
            demo.investments.append(inv)

    # Direct investments of the seed fund, the 拨转股 pool and 昌达 (a storage company's C+ round).
    directs = [(3, "种子期", ["xianning", "xianan"], [200, 300, 500], ["天使轮", "种子轮"], 4),
               (4, "硬科技早期", ["wuchang", "hongshan"], [100, 150, 200, 300], ["天使轮", "Pre-A轮"], 5),
               (1, "集成电路", ["jkq", "suzhou"], [10_000, 20_000], ["B轮", "C轮"], 2)]
    for gi, focus, wheres, amounts, rounds, n in directs:
        g = demo.guidance[gi]
        for _ in range(n):
            co = company(focus, rng.choice(wheres))
            on = _date_between(rng, g.inception, date(2026, 8, 31))
            amount = wan(rng.choice(amounts))
            demo.investments.append(Inv(g.name, co, rng.choice(rounds), on, amount,
                                        Decimal(rng.randint(10, 80)) / 1000,
                                        wan(amount * Decimal(str(round(rng.uniform(0.9, 2.0), 2))))))
    storage = Co("鄂州晶存科技有限公司（示例）", make_uscc(rng, "420700"), "存储", PLACES["ezhou"][0])
    demo.investments.append(Inv(demo.guidance[5].name, storage, "C+轮", date(2025, 7, 18), wan(30_000),
                                Decimal("0.021"), wan(36_000)))

    _cash_flows(rng, demo, fund_names)
    return demo


def _date_between(rng: random.Random, a: date, b: date) -> date:
    return date.fromordinal(rng.randint(a.toordinal(), max(a.toordinal(), b.toordinal())))


def _cash_flows(rng: random.Random, demo: Demo, fund_names: set[str]) -> None:
    """Quarterly ledger per stake: capital calls, fees, distributions and a quarter-end NAV."""
    inv_by_fund: dict[str, list[Inv]] = {}
    for inv in demo.investments:
        inv_by_fund.setdefault(inv.investor, []).append(inv)
    gfund = {g.name: g for g in demo.guidance}
    for sub in demo.subs:
        share = sub.g_commit / sub.size
        calls = [Decimal("0.25"), Decimal("0.20"), Decimal("0.20"), Decimal("0.15")]
        paid = Decimal(0)
        nav_growth = Decimal(1)
        flows_for: list[Flow] = []
        qs = list(quarter_ends(sub.inception))
        for k, q in enumerate(qs):
            if k % 4 == 0 and calls:
                amt = wan(sub.g_commit * calls.pop(0))
                paid += amt
                flows_for.append(Flow(sub.investor, sub.name, _first_month_day(q), "实缴出资", amt))
            fee = wan(sub.g_commit * Decimal("0.02") / 4)
            flows_for.append(Flow(sub.investor, sub.name, q, "管理费", fee))
            nav_growth *= Decimal(str(round(rng.uniform(0.985, 1.06), 4)))
            dist = Decimal(0)
            for inv in inv_by_fund.get(sub.name, []):
                if inv.exited_on and _quarter_of(inv.exited_on) == q:
                    dist += wan(inv.exit_proceeds * share)
            if dist:
                flows_for.append(Flow(sub.investor, sub.name, q, "分配", dist))
            nav = wan(max(Decimal(0), paid * nav_growth - dist * Decimal("0.5")))
            flows_for.append(Flow(sub.investor, sub.name, q, "估值", nav))
        sub.g_paid = paid
        sub.paid_in = wan(paid / share) if share else Decimal(0)
        demo.flows.extend(flows_for)
    # Direct investments: the investment itself is the contribution; NAV at each quarter end.
    for inv in demo.investments:
        if inv.investor not in gfund:
            continue
        demo.flows.append(Flow(inv.investor, inv.company.name, inv.on, "实缴出资", inv.amount))
        qs = list(quarter_ends(inv.on))
        for k, q in enumerate(qs):
            frac = Decimal(k + 1) / Decimal(len(qs))
            nav = wan(inv.amount + (inv.fair_value - inv.amount) * frac)
            demo.flows.append(Flow(inv.investor, inv.company.uscc if k % 2 else inv.company.name, q, "估值", nav))
    for g in demo.guidance:
        commits = sum((s.g_paid for s in demo.subs if s.investor == g.name), Decimal(0))
        direct = sum((i.amount for i in demo.investments if i.investor == g.name), Decimal(0))
        g.paid_in = min(g.committed, wan((commits + direct) * Decimal("1.25")))
    demo.flows.sort(key=lambda f: (f.on, f.investor, f.target, f.kind))


def _first_month_day(q: date) -> date:
    return date(q.year, q.month - 2, 15)


def _quarter_of(d: date) -> date:
    return Quarter.of(d).end


# ---------------------------------------------------------------- workbook


def write(path: Path = OUT, seed: int = SEED) -> Path:
    import xlsxwriter

    demo = build(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "fundtrack 示例组合（虚构数据）", "created": datetime(2026, 10, 1)})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center"})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    mfmt = wb.add_format({"num_format": "#,##0.00"})
    pfmt = wb.add_format({"num_format": "0.00%"})

    info = wb.add_worksheet("填写说明")
    info.set_column(0, 0, 100)
    for i, line in enumerate([
        "fundtrack 示例组合 —— 由 importers/demo_data.py 生成（固定随机种子）。",
        "引导基金名称与规模取自公开报道（湖北，2025–2026）；其下全部子基金、管理人、企业、金额与资金流水均为虚构示例，"
        "名称中带“示例”，备注列注明“虚构”。企业统一社会信用代码为按 GB 32100-2015 规则生成的虚构代码。",
        "金额单位：万元。",
    ]):
        info.write(i, 0, line)

    rows = {
        "guidance": [{"name": g.name, "level": g.level, "sponsor": g.sponsor, "manager": g.manager, "region": g.region,
                      "committed": g.committed, "paid_in": g.paid_in, "inception": g.inception, "term": g.term,
                      "reinvest_multiple": g.reinvest, "note": g.note} for g in demo.guidance],
        "sub": [{"name": s.name, "investor": s.investor, "manager": s.manager, "amac_code": s.amac,
                 "committed": s.size, "g_committed": s.g_commit, "g_paid_in": s.g_paid, "paid_in": s.paid_in,
                 "required_leverage": s.leverage, "reinvest_multiple": s.reinvest, "focus": s.focus,
                 "region": s.region, "inception": s.inception,
                 "investment_period_end": date(s.inception.year + 5, s.inception.month, 1),
                 "term_end": date(s.inception.year + 8, s.inception.month, 1), "status": s.status,
                 "note": NOTE_FAKE} for s in demo.subs],
        "investment": [{"company": i.company.name, "uscc": i.company.uscc, "investor": i.investor,
                        "industry": i.company.industry, "registered_place": i.company.place, "round": i.round,
                        "invested_on": i.on, "amount": i.amount, "equity_share": i.share, "fair_value": i.fair_value,
                        "reinvest_flag": i.flag, "exit_status": i.exit_status, "exit_proceeds": i.exit_proceeds,
                        "exited_on": i.exited_on, "note": NOTE_FAKE} for i in demo.investments],
        "cash_flow": [{"investor": f.investor, "target": f.target, "flow_date": f.on, "flow_type": f.kind,
                       "amount": f.amount, "note": NOTE_FAKE} for f in demo.flows],
    }
    for kind in TEMPLATE_ORDER:
        ws = wb.add_worksheet(kind.label)
        ws.freeze_panes(1, 2)
        ws.write(0, 0, "序号", head)
        for c, f in enumerate(kind.fields, start=1):
            ws.write(0, c, header_text(kind, f), head)
            ws.set_column(c, c, 30 if f.type in ("name", "ref", "target") else 14)
        note_col = len(kind.fields) + 1
        ws.write(0, note_col, "备注", head)
        for r, rec in enumerate(rows[kind.key], start=1):
            ws.write_number(r, 0, r)
            for c, f in enumerate(kind.fields, start=1):
                v = rec.get(f.key)
                if v is None:
                    continue
                if isinstance(v, date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), dfmt)
                elif isinstance(v, Decimal):
                    ws.write_number(r, c, float(v), pfmt if f.type == "percent" else mfmt)
                else:
                    ws.write(r, c, v)
            ws.write(r, note_col, rec["note"])
    wb.close()
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write())
