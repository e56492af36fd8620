"""Generate a synthetic portfolio straight into a fundtrack database, for every benchmark.

    python benchmarks/make_portfolio.py --db sqlite:///bench.db            # 50 / 2,000 / 100k / 500k
    python benchmarks/make_portfolio.py --db URL --scale 0.1               # a tenth of that

Deterministic for a given --seed. Writes through SQLAlchemy Core on the real schema (the
Alembic migration creates it), so the data is exactly what an import would have stored.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fundtrack.db import open_engine, write_transaction  # noqa: E402
from fundtrack.models import CashFlow, Commitment, Company, Fund, ImportBatch, Investment  # noqa: E402
from fundtrack.quarters import quarter_ends  # noqa: E402
from fundtrack.uscc import make_uscc  # noqa: E402

REGIONS = ["武汉市", "湖北省", "宜昌市", "襄阳市", "咸宁市", "鄂州市", "黄石市", "荆州市", "孝感市", "十堰市",
           "武汉市东湖新技术开发区", "武汉经济技术开发区", "武昌区", "洪山区", "江夏区"]
PLACES = ["湖北省武汉市东湖新技术开发区", "武汉市洪山区", "湖北省宜昌市", "湖北省襄阳市高新区", "咸宁市咸安区",
          "鄂州市葛店开发区", "上海市浦东新区", "江苏省苏州市工业园区", "广东省深圳市南山区", "北京市海淀区",
          "浙江省杭州市余杭区", "安徽省合肥市高新区", "湖南省长沙市岳麓区", "黄石市下陆区", "荆州市沙市区"]
INDUSTRIES = ["光电子信息", "生物医药", "新能源汽车", "高端装备", "新材料", "人工智能", "集成电路", "节能环保",
              "数字经济", "航空航天", "现代农业"]
ROUNDS = ["天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "C轮", "C+轮", "D轮", "Pre-IPO"]
LEVELS = ["省级", "市级", "区县级", "市级"]


def uniform_rows(rows: list[dict]) -> list[dict]:
    """executemany needs every row to name the same columns."""
    keys = set().union(*rows) if rows else set()
    return [{k: r.get(k) for k in keys} for r in rows]


def yuan(x: float) -> Decimal:
    return Decimal(int(x)) if x >= 1 else Decimal("0")


def generate(url: str, scale: float = 1.0, seed: int = 7, end: date = date(2026, 9, 30)) -> dict:
    rng = random.Random(seed)
    n_g = max(2, int(50 * scale))
    n_s = max(4, int(2000 * scale))
    n_inv = max(10, int(100_000 * scale))
    n_flows_target = max(50, int(500_000 * scale))
    engine = open_engine(url)
    t0 = time.perf_counter()
    now = datetime.now(timezone.utc)
    with write_transaction(engine) as conn:
        batch_id = conn.execute(ImportBatch.__table__.insert().values(
            kind="import", file_name="benchmarks/make_portfolio.py", sha256="", actor="bench", created_at=now,
            status="applied", counts="{}", note=f"synthetic scale={scale} seed={seed}")).inserted_primary_key[0]

        funds, fid = [], 0
        g_ids = []
        for i in range(n_g):
            fid += 1
            g_ids.append(fid)
            committed = yuan(rng.uniform(5e8, 5e10))
            funds.append(dict(id=fid, kind="guidance", name=f"基准测试引导基金{i + 1:03d}（虚构）",
                              name_key=f"基准测试引导基金{i + 1:03d}(虚构)", level=rng.choice(LEVELS),
                              sponsor="某财政局（虚构）", manager="某投资管理有限公司（虚构）",
                              region=rng.choice(REGIONS), committed=committed,
                              paid_in=yuan(float(committed) * rng.uniform(0.3, 1.0)),
                              inception=date(2016 + rng.randrange(6), rng.randrange(1, 13), 1), term="10+2",
                              reinvest_multiple=Decimal(rng.choice(["1.0", "1.2", "1.5", "2.0"])),
                              batch_id=batch_id))
        s_ids = []
        sub_size = {}
        for i in range(n_s):
            fid += 1
            s_ids.append(fid)
            size = yuan(rng.uniform(2e8, 5e9))
            sub_size[fid] = size
            inc = date(2018 + rng.randrange(7), rng.randrange(1, 13), 1)
            funds.append(dict(id=fid, kind="sub", name=f"基准测试子基金{i + 1:05d}（有限合伙）（虚构）",
                              name_key=f"基准测试子基金{i + 1:05d}(有限合伙)(虚构)", manager=f"GP{i % 300:03d}（虚构）",
                              amac_code=f"S{rng.choice('ABCDEFGHJKLMN')}{rng.choice('ABCDEFGHJKLMN')}{i:03d}"[:6],
                              committed=size, paid_in=yuan(float(size) * rng.uniform(0.2, 1.0)), inception=inc,
                              investment_period_end=inc + timedelta(days=365 * 5), term_end=inc + timedelta(days=365 * 8),
                              required_leverage=Decimal(rng.choice(["2.0", "2.5", "3.0", "4.0"])),
                              reinvest_multiple=None if rng.random() < 0.5 else Decimal("1.5"),
                              focus=rng.choice(INDUSTRIES), status=rng.choice(["投资期", "投资期", "退出期", "已清算"]),
                              batch_id=batch_id))
        conn.execute(Fund.__table__.insert(), uniform_rows(funds))

        commitments = []
        for s in s_ids:
            investors = rng.sample(g_ids, 2 if rng.random() < 0.1 else 1)
            for g in investors:
                commitments.append(dict(investor_id=g, investee_id=s,
                                        committed=yuan(float(sub_size[s]) * rng.uniform(0.1, 0.35)),
                                        paid_in=Decimal("0"), committed_on=None, batch_id=batch_id))
        # Fund of funds: 5% of sub-funds also back another sub-fund.
        for s in rng.sample(s_ids, max(1, len(s_ids) // 20)):
            t = rng.choice(s_ids)
            if t != s:
                commitments.append(dict(investor_id=s, investee_id=t,
                                        committed=yuan(float(sub_size[t]) * rng.uniform(0.05, 0.2)),
                                        paid_in=Decimal("0"), batch_id=batch_id))
        seen = set()
        commitments = [c for c in commitments if not ((c["investor_id"], c["investee_id"]) in seen
                                                      or seen.add((c["investor_id"], c["investee_id"])))]
        for c in commitments:
            c["paid_in"] = yuan(float(c["committed"]) * rng.uniform(0.3, 1.0))
        conn.execute(Commitment.__table__.insert(), uniform_rows(commitments))

        n_co = int(n_inv * 0.6)
        companies = []
        usccs = set()
        for i in range(n_co):
            code = make_uscc(rng)
            while code in usccs:
                code = make_uscc(rng)
            usccs.add(code)
            companies.append(dict(id=i + 1, name=f"基准测试科技{i + 1:06d}有限公司（虚构）",
                                  name_key=f"基准测试科技{i + 1:06d}有限公司(虚构)", uscc=code,
                                  industry=rng.choice(INDUSTRIES), registered_place=rng.choice(PLACES),
                                  batch_id=batch_id))
        for k in range(0, len(companies), 20000):
            conn.execute(Company.__table__.insert(), companies[k:k + 20000])

        invs, seen = [], set()
        for i in range(n_inv):
            investor = rng.choice(g_ids) if rng.random() < 0.05 else rng.choice(s_ids)
            company = rng.randrange(1, n_co + 1)
            on = date(2019, 1, 1) + timedelta(days=rng.randrange(0, (end - date(2019, 1, 1)).days))
            rnd = rng.choice(ROUNDS)
            key = (investor, company, rnd, on)
            if key in seen:
                continue
            seen.add(key)
            amount = yuan(rng.uniform(2e6, 8e7))
            exited = rng.random() < 0.08
            invs.append(dict(investor_id=investor, company_id=company, round=rnd, invested_on=on, amount=amount,
                             equity_share=Decimal(f"{rng.uniform(0.01, 0.2):.6f}"),
                             fair_value=yuan(float(amount) * rng.uniform(0.5, 3.0)),
                             reinvest_flag=None if rng.random() < 0.9 else rng.random() < 0.5,
                             exit_status="已退出" if exited else None,
                             exit_proceeds=yuan(float(amount) * rng.uniform(0.8, 4.0)) if exited else Decimal("0"),
                             exited_on=min(end, on + timedelta(days=rng.randrange(200, 1500))) if exited else None,
                             batch_id=batch_id))
        for k in range(0, len(invs), 20000):
            conn.execute(Investment.__table__.insert(), invs[k:k + 20000])

        flows = []
        # Guidance funds → sub-funds: contributions, fees, distributions, valuations each quarter.
        for c in commitments:
            start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 900))
            paid = float(c["paid_in"])
            qs = list(quarter_ends(start, end))
            if not qs:
                continue
            n_calls = max(1, min(len(qs), 4))
            for j, d in enumerate(qs):
                tk = f"F:{c['investee_id']}"
                base = dict(investor_id=c["investor_id"], target_fund_id=c["investee_id"], target_company_id=None,
                            target_key=tk, flow_date=d, batch_id=batch_id)
                if j < n_calls:
                    flows.append({**base, "flow_type": "contribution", "amount": yuan(paid / n_calls)})
                flows.append({**base, "flow_type": "fee", "amount": yuan(paid * 0.005)})
                if j >= 8 and rng.random() < 0.3:
                    flows.append({**base, "flow_type": "distribution", "amount": yuan(paid * rng.uniform(0.02, 0.15))})
                if j % 2 == 1 or j == len(qs) - 1:
                    flows.append({**base, "flow_type": "valuation",
                                  "amount": yuan(paid * rng.uniform(0.8, 1.6) * (1 + 0.02 * j))})
        # Funds → companies: the investment as a contribution, then yearly valuations and some distributions.
        # Recent investments run out of dates before their share of flows: ask for a fifth more.
        per_inv = max(1.0, 1.2 * (n_flows_target - len(flows)) / max(1, len(invs)))
        for iv in invs:
            tk = f"C:{iv['company_id']}"
            base = dict(investor_id=iv["investor_id"], target_fund_id=None, target_company_id=iv["company_id"],
                        target_key=tk, batch_id=batch_id)
            k = max(1, int(rng.gauss(per_inv, 1)))
            d = iv["invested_on"]
            flows.append({**base, "flow_date": d, "flow_type": "contribution", "amount": iv["amount"]})
            for j in range(1, k):
                d = d + timedelta(days=rng.randrange(30, 150))
                if d > end:
                    break
                typ = "distribution" if rng.random() < 0.15 else "valuation"
                amt = float(iv["amount"]) * (rng.uniform(0.02, 0.3) if typ == "distribution" else rng.uniform(0.6, 3))
                flows.append({**base, "flow_date": d, "flow_type": typ, "amount": yuan(amt)})
        # Same stake, date and type twice would break the natural key: keep the first.
        seen = set()
        uniq = []
        for f in flows:
            key = (f["investor_id"], f["target_key"], f["flow_date"], f["flow_type"])
            if key not in seen:
                seen.add(key)
                uniq.append(f)
        for k in range(0, len(uniq), 50000):
            conn.execute(CashFlow.__table__.insert(), uniq[k:k + 50000])
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
            c.commit()
    counts = dict(guidance_funds=n_g, sub_funds=n_s, commitments=len(commitments), companies=n_co,
                  investments=len(invs), cash_flows=len(uniq), seconds=round(time.perf_counter() - t0, 1))
    engine.dispose()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="SQLAlchemy URL of a new (empty) database")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    print(generate(a.db, a.scale, a.seed))


if __name__ == "__main__":
    main()
