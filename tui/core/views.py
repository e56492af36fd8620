"""The analysis views' data: look-through exposure, compliance exceptions, quarter-over-quarter
changes and the cash-flow timeline — each for one fund's scope or the whole portfolio.

The figures are the services' (summary, compliance) and the metrics' (lookthrough.exposure);
this module groups and shapes them into tables. Worker threads only (pandas).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from tui.core.sources import Column, MemorySource
from tui.i18n import tr

UNSET = "（未填）"


# ---------------------------------------------------------------------------------------------
# Dates


def quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def quarter_end(year: int, q: int) -> date:
    m = q * 3
    return date(year, m, 30 if m in (6, 9) else 31)


def previous_quarter_end(d: date) -> date:
    """The end of the quarter before d's: 2026-09-30 → 2026-06-30, 2026-11-15 → 2026-09-30."""
    q = (d.month - 1) // 3 + 1
    return date(d.year, (q - 1) * 3 + 1, 1) - timedelta(days=1)


def report_quarter(d: date) -> str:
    """The quarter a report as of d would cover: d's quarter if d is its last day, else the one before."""
    q = (d.month - 1) // 3 + 1
    if d == quarter_end(d.year, q):
        return quarter_of(d)
    return quarter_of(previous_quarter_end(d))


# ---------------------------------------------------------------------------------------------
# Regions for look-through grouping


_PLACE = re.compile(r"^(.+?(?:自治区|特别行政区|省|市))")


def city_of(place) -> str:
    """The city a registered place names (or its province / municipality when no city we
    know is named): 湖北省武汉市洪山区 → 武汉, 宜昌市猇亭区 → 宜昌, 上海市浦东新区 → 上海."""
    if not isinstance(place, str) or not place.strip():
        return UNSET
    from fundtrack.regions import PROVINCE_CITIES, region_stem

    p = place.strip()
    for cities in PROVINCE_CITIES.values():
        for c in cities:
            if c in p:
                return c
    m = _PLACE.match(p)
    if m:
        s = m.group(1)
        if "省" in s and not s.endswith("省"):
            s = s[s.index("省") + 1:]
        return region_stem(s) or s
    return p[:6]


# ---------------------------------------------------------------------------------------------
# Look-through


def _scope_for(store, fund_id, root_id):
    if fund_id is None:
        return store.full_scope(), None
    return store.scope(root_id if root_id is not None else fund_id), [fund_id]


def lookthrough(store, fund_id: int | None, root_id: int | None, by: str) -> MemorySource:
    """Exposure by industry | region | round, as fundtrack.metrics.lookthrough defines it."""
    from fundtrack.metrics.lookthrough import effective_shares, exposure

    scope, roots = _scope_for(store, fund_id, root_id)
    p = scope.portfolio
    if roots is None:
        roots = list(p.funds.loc[p.funds["kind"] == "guidance", "id"])
    inv = p.investments.copy()
    inv["region"] = inv["registered_place"].map(city_of)
    for c in ("industry", "round"):
        inv[c] = inv[c].where(inv[c].notna() & (inv[c] != ""), UNSET)
    col = {"industry": "industry", "region": "region", "round": "round"}[by]
    label = {"industry": tr("c.industry"), "region": tr("k.region"), "round": tr("c.round")}[by]
    cols = [
        Column("category", label, max_width=20),
        Column("exposure", tr("c.exposure"), "money"),
        Column("share", tr("c.exposure_share"), "ratio"),
        Column("companies", tr("c.companies"), "int"),
        Column("bar", tr("c.bar"), "bar", width=28),
    ]
    if inv.empty or not roots:
        return MemorySource(f"lookthrough_{by}", cols, [])
    ex = exposure(roots, p.edges, inv, by=col)
    g = ex.groupby(col)["exposure"].sum()
    shares = effective_shares(roots, p.edges)
    reached = inv[inv["investor_id"].isin(set(shares.loc[shares["share"] > 0, "fund_id"]))]
    companies = reached.groupby(col)["company_id"].nunique()
    total = float(g.sum())
    top = float(g.max()) if len(g) else 0.0
    rows = []
    for cat, v in g.sort_values(ascending=False).items():
        rows.append((str(cat), int(round(v)), (v / total) if total else None, int(companies.get(cat, 0)),
                     (v / top) if top else 0.0))
    return MemorySource(f"lookthrough_{by}", cols, rows, [r[0] for r in rows])


# ---------------------------------------------------------------------------------------------
# Compliance


def compliance(store, fund_id: int | None, root_id: int | None, kind: str | None = None, name: str = "",
               lang: str = "zh") -> MemorySource:
    from tui.core.tables import breaches_table

    scope, _ = _scope_for(store, fund_id, root_id)
    b = scope.breaches
    if fund_id is not None and kind == "sub":
        b = [x for x in b if x.fund_id == fund_id or x.subject == name]
    src = breaches_table(b, lang)
    src.load()
    return src


# ---------------------------------------------------------------------------------------------
# Quarter over quarter


METRICS = [
    ("committed", "k.committed", "money"), ("paid_in", "k.paid_in", "money"),
    ("sub_fund_count", "k.sub_fund_count", "int"), ("sub_fund_committed", "k.sub_fund_committed", "money"),
    ("guidance_commitment", "k.guidance_commitment", "money"), ("leverage_total", "k.leverage_total", "multiple"),
    ("leverage_social", "k.leverage_social", "multiple"), ("direct_invested", "k.direct_invested", "money"),
    ("reinvest_required", "k.reinvest_required", "money"), ("reinvest_achieved", "k.reinvest_achieved", "money"),
    ("reinvest_ratio", "k.reinvest_ratio", "ratio"), ("deployment", "k.deployment", "ratio"),
    ("irr", "k.irr", "ratio"), ("tvpi", "k.tvpi", "multiple"), ("dpi", "k.dpi", "multiple"),
    ("rvpi", "k.rvpi", "multiple"),
]
DELTA = {"money": "money_delta", "ratio": "pp_delta", "multiple": "multiple_delta", "int": "int_delta"}


def _delta(a, b):
    if a is None or b is None:
        return None
    return b - a


def metrics_table(prev, cur, d_prev: date, d_cur: date) -> MemorySource:
    cols = [
        Column("metric", tr("c.metric"), max_width=26),
        Column("prev", tr("c.prev", d=d_prev.isoformat()), "measure"),
        Column("cur", tr("c.cur", d=d_cur.isoformat()), "measure"),
        Column("change", tr("c.change"), "measure"),
    ]
    rows = []
    for key, label, kind in METRICS:
        a = getattr(prev, key) if prev is not None else None
        b = getattr(cur, key) if cur is not None else None
        rows.append((tr(label), (kind, a), (kind, b), (DELTA[kind], _delta(a, b))))
    return MemorySource("changes", cols, rows, [m[0] for m in METRICS])


def funds_changes_table(prev_summary, cur_summary) -> MemorySource:
    cols = [
        Column("name", tr("c.name"), max_width=30, pinyin=True),
        Column("paid_in", tr("c.paid_in"), "money"),
        Column("d_paid", tr("c.d_paid"), "money_delta"),
        Column("d_sub", tr("c.d_sub_committed"), "money_delta"),
        Column("d_re", tr("c.d_re_achieved"), "money_delta"),
        Column("deployment", tr("c.deployment"), "ratio"),
        Column("d_dep", tr("c.d_deployment"), "pp_delta"),
        Column("tvpi", tr("c.tvpi"), "multiple"),
        Column("d_tvpi", tr("c.d_tvpi"), "multiple_delta"),
    ]
    before = {f.fund_id: f for f in prev_summary.funds}
    rows, keys = [], []
    for f in cur_summary.funds:
        p = before.get(f.fund_id)
        g = (lambda k: getattr(p, k) if p is not None else None)
        rows.append((f.name, f.paid_in, _delta(g("paid_in"), f.paid_in),
                     _delta(g("sub_fund_committed"), f.sub_fund_committed),
                     _delta(g("reinvest_achieved"), f.reinvest_achieved), f.deployment,
                     _delta(g("deployment"), f.deployment), f.tvpi, _delta(g("tvpi"), f.tvpi)))
        keys.append(f.fund_id)
    return MemorySource("changes_by_fund", cols, rows, keys)


def changes(store, fund_id: int | None, root_id: int | None) -> tuple[MemorySource, MemorySource | None, date]:
    """(metrics table, per-fund table or None, previous quarter end)."""
    prev_d = previous_quarter_end(store.as_of)
    if fund_id is None:
        a, b = store.overview(prev_d), store.overview()
        return metrics_table(a.totals, b.totals, prev_d, store.as_of).load(), \
            funds_changes_table(a, b).load(), prev_d
    g = root_id if root_id is not None else fund_id
    a = store.scope_at(g, prev_d).figures(g)
    b = store.scope(g).figures(g)
    return metrics_table(a, b, prev_d, store.as_of).load(), None, prev_d


# ---------------------------------------------------------------------------------------------
# Cash-flow timeline


def _flows_into(conn, as_of: date, target_key: str):
    """Ledger lines paid into one fund (by all its investors), summed per date and type."""
    import pandas as pd
    from sqlalchemy import func, select

    from fundtrack.models import CashFlow
    from fundtrack.services.frames import fen

    d = conn.dialect.name
    stmt = (select(CashFlow.flow_date, CashFlow.flow_type, fen(func.sum(CashFlow.amount), d))
            .where(CashFlow.target_key == target_key, CashFlow.flow_type != "valuation", CashFlow.flow_date <= as_of)
            .group_by(CashFlow.flow_date, CashFlow.flow_type))
    rows = conn.execute(stmt).all()
    return pd.DataFrame({"flow_date": [r[0] for r in rows], "flow_type": [r[1] for r in rows],
                         "amount": [int(r[2]) for r in rows]})


def timeline(store, fund_id: int | None, kind: str | None = None) -> MemorySource:
    """A guidance fund's (or every guidance fund's) own ledger by quarter; for a sub-fund, the
    money its investors paid in and got back (its capital account)."""
    from fundtrack.services.frames import load_flows

    if fund_id is None:
        ids = [f.id for f in store.guidance_funds()]
    else:
        ids = [fund_id]
    cols = [
        Column("quarter", tr("c.quarter"), max_width=8),
        Column("contrib", tr("c.contrib"), "money"),
        Column("fees", tr("c.fees"), "money"),
        Column("dist", tr("c.dist"), "money"),
        Column("net", tr("c.net"), "money"),
        Column("cum_net", tr("c.cum_net"), "money"),
        Column("bar_out", tr("c.contrib"), "bar", width=16),
        Column("bar_in", tr("c.dist"), "bar", width=16),
    ]
    with store.engine.connect() as conn:
        if kind == "sub" and fund_id is not None:
            df = _flows_into(conn, store.as_of, f"F:{fund_id}")
        else:
            df = load_flows(conn, store.as_of, ids) if ids else None
    if df is None or df.empty:
        return MemorySource("cash_flow_timeline", cols, []).load()
    df["quarter"] = [quarter_of(d) for d in df["flow_date"]]
    pv = df.pivot_table(index="quarter", columns="flow_type", values="amount", aggfunc="sum", fill_value=0)
    for t in ("contribution", "fee", "distribution"):
        if t not in pv.columns:
            pv[t] = 0
    pv = pv.sort_index()
    out_max = float((pv["contribution"] + pv["fee"]).abs().max()) or 1.0
    in_max = float(pv["distribution"].abs().max()) or 1.0
    rows, cum = [], 0
    for q, r in pv.iterrows():
        c, fee, dist = int(r["contribution"]), int(r["fee"]), int(r["distribution"])
        net = dist - c - fee
        cum += net
        rows.append((q, c, fee, dist, net, cum, abs(c + fee) / out_max, abs(dist) / in_max))
    return MemorySource("cash_flow_timeline", cols, rows, [r[0] for r in rows]).load()
