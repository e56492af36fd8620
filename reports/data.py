"""Everything the quarterly workbook shows, as plain frames (money in int64 fen), computed once.

Figures come from fundtrack: the summary (fundtrack.services.summary — or the quarter's frozen
snapshot, reports.snapshot), compliance (fundtrack.services.compliance), look-through
(fundtrack.metrics.lookthrough), the roll-forward (fundtrack.metrics.rollforward) and stake
performance (reports.perf, equal to fundtrack.metrics.performance per stake). This module only
loads, selects and arranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from fundtrack.metrics.rollforward import roll_forward
from fundtrack.services.frames import Portfolio, flows_between, load_latest_valuations, load_portfolio
from reports.quarter import Quarter

CHART_QUARTERS = 12  # quarters of cash-flow history on the chart
TOP_SUBFUNDS_CHART = 20  # sub-funds on the leverage chart (largest guidance commitments)


@dataclass
class ReportData:
    quarter: Quarter
    lang: str
    summary: object  # fundtrack.services.summary.Summary (frozen snapshot or live, always round-tripped)
    breaches: list
    snapshot_state: str  # frozen | written | provisional | empty
    prev_summary: object
    funds: pd.DataFrame  # live funds as of the quarter end (descriptive columns)
    sub_funds: pd.DataFrame  # summary.sub_funds, sorted for the sheet
    investments: pd.DataFrame  # as of the quarter end, with investor names, roots and look-through amount
    exposure: dict  # dimension → frame(category, exposure (float fen), companies)
    exposure_by_fund: pd.DataFrame  # root_id, name, exposure, direct, via
    stakes: pd.DataFrame  # one row per guidance fund and per stake: perf + QTD roll-forward
    capital: list  # [(entity name, {"qtd"|"ytd"|"itd": roll dict})], portfolio first
    flows_q: pd.DataFrame  # the quarter's ledger lines
    flows_by_quarter: pd.DataFrame  # quarter, contribution, fee, distribution (guidance funds)
    changes: dict = field(default_factory=dict)

    @property
    def as_of(self) -> date:
        return self.quarter.end


# ---- as-of restriction of a loaded portfolio ---------------------------------------------------

def _on_or_before(values, d: date) -> np.ndarray:
    return np.fromiter((v is None or v != v or v <= d for v in values), dtype=bool, count=len(values))


def _dated_on_or_before(values, d: date) -> np.ndarray:
    return np.fromiter((v is not None and v == v and v <= d for v in values), dtype=bool, count=len(values))


def restrict(p: Portfolio, as_of: date, valuations: pd.DataFrame) -> Portfolio:
    """The portfolio as load_portfolio(engine, as_of) would load it, from one loaded at a later date.

    Saves a second full load for the previous quarter's figures. `valuations` must be the latest
    valuations on or before `as_of` (load_latest_valuations). tests/test_report_metrics.py checks
    the summary of the result equals portfolio_summary(engine, as_of).
    """
    funds = p.funds[_on_or_before(p.funds["inception"].tolist(), as_of)].reset_index(drop=True)
    known = set(funds["id"])
    e = p.edges
    e = e[_on_or_before(e["committed_on"].tolist(), as_of) & e["investor_id"].isin(known).to_numpy()
          & e["investee_id"].isin(known).to_numpy()].reset_index(drop=True)
    inv = p.investments
    inv = inv[_dated_on_or_before(inv["invested_on"].tolist(), as_of)
              & inv["investor_id"].isin(known).to_numpy()].reset_index(drop=True).copy()
    if len(inv):
        later = ~_on_or_before(inv["exited_on"].tolist(), as_of)
        if later.any():
            inv.loc[later, "exit_status"] = None
            inv.loc[later, "exit_proceeds"] = 0
    fl = p.flows[_dated_on_or_before(p.flows["flow_date"].tolist(), as_of)].reset_index(drop=True)
    return Portfolio(as_of, funds, e, inv, fl, valuations)


# ---- the pieces -------------------------------------------------------------------------------

def _compute(p: Portfolio):
    """The quarter's figures from the records, in the form a snapshot stores them."""
    from fundtrack.services.compliance import breaches_for
    from fundtrack.services.summary import summarise
    from reports import snapshot

    summ = summarise(p)
    return snapshot.roundtrip(summ, breaches_for(p, edge_figs=summ.sub_funds), p.edges)


def _figures(engine: Engine, p: Portfolio, quarter: Quarter, today: date, refresh: bool):
    """(Frozen figures, state) of the reported quarter — see reports.snapshot for the rule."""
    from reports import snapshot

    ended = quarter.end < today
    if ended and not refresh:
        got = snapshot.read(engine, str(quarter))
        if got is not None:
            return got, "frozen"
    fr = _compute(p)
    if not fr.summary.funds:
        return fr, "empty"
    if ended and not refresh:
        if not snapshot.write(engine, str(quarter), fr, replace=False):
            return snapshot.read(engine, str(quarter)), "frozen"  # another report froze it first
        return fr, "written"
    snapshot.write(engine, str(quarter), fr)
    return fr, ("written" if ended else "provisional")


def _prev_figures(engine: Engine, p: Portfolio, quarter: Quarter, today: date, prev_vals: pd.DataFrame):
    """The previous quarter's figures, the comparison base: its snapshot, or computed and — when
    that quarter has ended — frozen now, so the comparison cannot drift either."""
    from reports import snapshot

    prev = quarter.prev()
    got = snapshot.read(engine, str(prev))
    if got is not None:
        return got.summary
    fr = _compute(restrict(p, prev.end, prev_vals))
    if fr.summary.funds and prev.end < today and not snapshot.write(engine, str(prev), fr, replace=False):
        return snapshot.read(engine, str(prev)).summary
    return fr.summary


def _company_names(engine: Engine, ids) -> dict:
    from fundtrack.models import Company

    ids = sorted({int(i) for i in ids})
    out: dict = {}
    with engine.connect() as conn:
        for k in range(0, len(ids), 5000):
            chunk = ids[k:k + 5000]
            out.update(dict(conn.execute(select(Company.id, Company.name).where(Company.id.in_(chunk))).all()))
    return out


def _stakes(p: Portfolio, summ, perf: dict, qtd: pd.DataFrame, fund_names: dict, company_names: dict,
            lang: str) -> pd.DataFrame:
    """Rows of the 业绩 sheet: each guidance fund (its figures from the summary) then its stakes."""
    from fundtrack.metrics.performance import EMPTY
    from fundtrack.metrics.rollforward import ROLL_KEYS

    qtd_by = {(int(r.investor_id), r.target_key): r for r in qtd.itertuples(index=False)}
    edges = summ.sub_funds
    keys: set = set(perf) | set(qtd_by)
    if len(edges):
        keys |= {(int(i), f"F:{int(j)}") for i, j in zip(edges["investor_id"], edges["investee_id"])}
    sub_names = {}
    if len(edges):
        sub_names = {int(j): n for j, n in zip(edges["investee_id"], edges["sub_name"])}
    by_fund: dict = {}
    for k in keys:
        by_fund.setdefault(k[0], []).append(k)

    def target_name(tk: str) -> tuple[str, str]:
        kind, _, ident = tk.partition(":")
        i = int(ident)
        if kind == "F":
            return fund_names.get(i) or sub_names.get(i) or tk, "sub"
        return company_names.get(i, tk), "direct"

    rows = []
    for f in summ.funds:
        qsum = {k: 0 for k in ROLL_KEYS}
        stake_rows = []
        for k in by_fund.get(f.fund_id, []):
            name, kind = target_name(k[1])
            pf = perf.get(k, EMPTY)
            q = qtd_by.get(k)
            roll = {c: (int(getattr(q, c)) if q is not None else 0) for c in ROLL_KEYS}
            for c in ROLL_KEYS:
                qsum[c] += roll[c]
            stake_rows.append(dict(level=1, fund=f.name, fund_id=f.fund_id, target=name, target_key=k[1], kind=kind,
                                   perf=pf, **roll))
        stake_rows.sort(key=lambda r: (0 if r["kind"] == "sub" else 1, r["target"], r["target_key"]))
        rows.append(dict(level=0, fund=f.name, fund_id=f.fund_id, target="", target_key="", kind="fund",
                         perf=f.perf, **qsum))
        rows.extend(stake_rows)
    return pd.DataFrame(rows)


def _capital(summ, rolls: dict) -> list:
    """ILPA statement per guidance fund and for the portfolio: {period: Σ roll-forward}."""
    from fundtrack.metrics.rollforward import summed

    ids = [f.fund_id for f in summ.funds]
    out = [(None, {k: summed(r[r["investor_id"].isin(ids)]) for k, r in rolls.items()})]
    for f in summ.funds:
        out.append((f.name, {k: summed(r[r["investor_id"] == f.fund_id]) for k, r in rolls.items()}))
    return out


def _exposure(p: Portfolio, edges: pd.DataFrame, roots: list, lang: str):
    from fundtrack.metrics.lookthrough import effective_shares, exposure
    from reports.places import place_region

    inv = p.investments
    inv = inv.assign(region=[place_region(x, lang) for x in inv["registered_place"]],
                     industry=inv["industry"].where(inv["industry"].notna() & (inv["industry"] != ""),
                                                    "未分类" if lang == "zh" else "Unclassified"),
                     round=inv["round"].where(inv["round"].notna() & (inv["round"] != ""),
                                              "未披露" if lang == "zh" else "Undisclosed"))
    dims = {}
    for dim in ("industry", "region", "round"):
        x = exposure(roots, edges, inv, by=[dim, "company_id"]) if len(inv) and roots else pd.DataFrame(
            columns=["root_id", dim, "company_id", "exposure", "companies"])
        g = (x.groupby(dim, as_index=False).agg(exposure=("exposure", "sum"), companies=("company_id", "nunique"))
             if len(x) else pd.DataFrame(columns=[dim, "exposure", "companies"]))
        g = g[g["exposure"] > 0] if len(g) else g
        g = g.rename(columns={dim: "category"}).sort_values(["exposure", "category"], ascending=[False, True],
                                                             ignore_index=True)
        dims[dim] = g
    # Per investment: Σ over guidance funds of its look-through amount, and which funds reach it.
    if len(inv) and roots:
        per = exposure(roots, edges, inv, by="id")
        look = per.groupby("id")["exposure"].sum()
        shares = effective_shares(roots, edges)
        names = p.funds.set_index("id")["name"].to_dict()
        reach = shares.groupby("fund_id")["root_id"].apply(lambda s: "、".join(names[r] for r in sorted(set(s))))
        by_root = exposure(roots, edges, inv, by="direct")
    else:
        look, reach = pd.Series(dtype=float), pd.Series(dtype=object)
        by_root = pd.DataFrame(columns=["root_id", "direct", "exposure", "companies"])
    inv["lookthrough"] = inv["id"].map(look).fillna(0.0)
    inv["roots"] = inv["investor_id"].map(reach)
    return inv, dims, by_root


def _flows_by_quarter(flows: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    qs = quarter.back(CHART_QUARTERS)
    out = pd.DataFrame({"quarter": [str(q) for q in qs]})
    for t in ("contribution", "fee", "distribution"):
        out[t] = 0
    if len(flows):
        start = qs[0].start
        f = flows[_dated_on_or_before(flows["flow_date"].tolist(), quarter.end)]
        f = f[[d >= start for d in f["flow_date"]]]
        if len(f):
            ql = [f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in f["flow_date"]]
            g = f.assign(q=ql).groupby(["q", "flow_type"])["amount"].sum().unstack(fill_value=0)
            for t in ("contribution", "fee", "distribution"):
                if t in g.columns:
                    out[t] = out["quarter"].map(g[t]).fillna(0).astype("int64")
    return out


def _changes(summ, prev, inv: pd.DataFrame, quarter: Quarter) -> dict:
    start, end = quarter.prev().end, quarter.end
    prev_edges = set()
    if len(prev.sub_funds):
        prev_edges = {(int(a), int(b)) for a, b in zip(prev.sub_funds["investor_id"], prev.sub_funds["investee_id"])}
    e = summ.sub_funds
    new_subs = e[[(int(a), int(b)) not in prev_edges for a, b in zip(e["investor_id"], e["investee_id"])]] \
        if len(e) else e
    prev_funds = {f.fund_id for f in prev.funds}
    new_funds = [f for f in summ.funds if f.fund_id not in prev_funds]
    new_inv = inv[[start < d <= end for d in inv["invested_on"]]] if len(inv) else inv
    exits = inv[[d is not None and d == d and start < d <= end for d in inv["exited_on"]]] if len(inv) else inv
    return dict(new_subs=new_subs, new_funds=new_funds, new_investments=new_inv, exits=exits)


def build(engine: Engine, quarter: Quarter, lang: str = "zh", today: date | None = None,
          refresh_snapshot: bool = False) -> ReportData:
    from reports.perf import stake_performance

    today = today or date.today()
    end, prev_end, ys = quarter.end, quarter.prev().end, quarter.year_start_end
    p = load_portfolio(engine, end, guidance_flows_only=True)
    g_ids = list(p.funds.loc[p.funds["kind"] == "guidance", "id"])
    fr, state = _figures(engine, p, quarter, today, refresh_snapshot)
    summ, breaches = fr.summary, fr.breaches

    with engine.connect() as conn:
        prev_vals = load_latest_valuations(conn, prev_end, g_ids)
        ys_vals = prev_vals if ys == prev_end else load_latest_valuations(conn, ys, g_ids)
    prev = _prev_figures(engine, p, quarter, today, prev_vals)

    flows = p.flows
    empty_v = p.valuations.iloc[0:0]
    rolls = {
        "qtd": roll_forward(flows, prev_vals, p.valuations, prev_end, end),
        "ytd": roll_forward(flows, ys_vals, p.valuations, ys, end),
        "itd": roll_forward(flows, empty_v, p.valuations, None, end),
    }
    perf = stake_performance(flows, p.valuations, ["investor_id", "target_key"])
    c_ids = {int(k.split(":")[1]) for _, k in set(perf) | set(zip(rolls["qtd"]["investor_id"], rolls["qtd"]["target_key"]))
             if k.startswith("C:")}
    company_names = {int(i): n for i, n in zip(p.investments["company_id"], p.investments["company"])}
    missing = c_ids - set(company_names)
    if missing:
        company_names.update(_company_names(engine, missing))
    fund_names = p.funds.set_index("id")["name"].to_dict()
    stakes = _stakes(p, summ, perf, rolls["qtd"], fund_names, company_names, lang)
    capital = _capital(summ, rolls)

    roots = [f.fund_id for f in summ.funds if f.fund_id in set(g_ids)]
    inv, dims, by_root = _exposure(p, fr.edges, roots, lang)
    kinds = p.funds.set_index("id")["kind"].to_dict()
    inv["investor"] = inv["investor_id"].map(fund_names)
    inv["investor_kind"] = inv["investor_id"].map(kinds)
    inv = inv.sort_values(["investor_kind", "investor", "invested_on", "company", "id"],
                          key=lambda s: s.map({"guidance": 0, "sub": 1}) if s.name == "investor_kind" else s,
                          ignore_index=True)
    ebf = []
    for r in roots:
        x = by_root[by_root["root_id"] == r]
        direct = float(x.loc[x["direct"] == True, "exposure"].sum())  # noqa: E712
        via = float(x.loc[x["direct"] == False, "exposure"].sum())  # noqa: E712
        ebf.append(dict(root_id=r, name=fund_names.get(r, ""), exposure=direct + via, direct=direct, via=via))
    exposure_by_fund = pd.DataFrame(ebf, columns=["root_id", "name", "exposure", "direct", "via"])

    fq = flows_between(engine, prev_end, end)
    fq["investor_kind"] = fq["investor_id"].map(kinds)
    order = {"contribution": 0, "fee": 1, "distribution": 2, "valuation": 3}
    fq = fq.assign(_t=fq["flow_type"].map(order)).sort_values(
        ["flow_date", "investor", "target", "_t", "id"], ignore_index=True).drop(columns="_t")

    subs = summ.sub_funds
    if len(subs):
        fund_order = {f.fund_id: i for i, f in enumerate(summ.funds)}
        subs = subs.assign(_o=subs["investor_id"].map(fund_order)).sort_values(
            ["_o", "sub_name", "investee_id"], ignore_index=True).drop(columns="_o")

    data = ReportData(
        quarter=quarter, lang=lang, summary=summ, breaches=breaches, snapshot_state=state, prev_summary=prev,
        funds=p.funds, sub_funds=subs, investments=inv, exposure=dims, exposure_by_fund=exposure_by_fund,
        stakes=stakes, capital=capital, flows_q=fq, flows_by_quarter=_flows_by_quarter(flows, quarter),
    )
    data.changes = _changes(summ, prev, inv, quarter)
    return data
