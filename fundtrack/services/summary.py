"""The portfolio figures (DESIGN §4 `summary`): one computation for the CLI, TUI and report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy.engine import Engine

from fundtrack.metrics.deployment import deployment
from fundtrack.metrics.leverage import leverage, leverage_by_investor
from fundtrack.metrics.performance import EMPTY, Performance, performance, performance_by
from fundtrack.metrics.ratios import fen_to_decimal, ratio
from fundtrack.metrics.reinvest import reinvest_by_edge
from fundtrack.services.frames import Portfolio, load_portfolio

AMOUNT_KEYS = ("committed", "paid_in", "sub_fund_committed", "guidance_commitment", "direct_invested",
               "reinvest_required", "reinvest_achieved")
RATIO_KEYS = ("leverage_total", "leverage_social", "reinvest_ratio", "deployment", "irr", "tvpi", "dpi", "rvpi")
SUMMARY_KEYS = ("name", "committed", "paid_in", "sub_fund_count", "sub_fund_committed", "guidance_commitment",
                "leverage_total", "leverage_social", "direct_invested", "reinvest_required", "reinvest_achieved",
                "reinvest_ratio", "deployment", "irr", "tvpi", "dpi", "rvpi")


@dataclass
class FundFigures:
    """One guidance fund's figures (amounts in fen internally; see as_json)."""

    fund_id: int | None
    name: str
    committed: int
    paid_in: int
    sub_fund_count: int
    sub_fund_committed: int
    guidance_commitment: int
    leverage_total: float | None
    leverage_social: float | None
    direct_invested: int
    reinvest_required: int
    reinvest_achieved: int
    reinvest_ratio: float | None
    deployment: float | None
    perf: Performance = EMPTY
    extra: dict = field(default_factory=dict)

    @property
    def irr(self):
        return self.perf.irr

    @property
    def tvpi(self):
        return self.perf.tvpi

    @property
    def dpi(self):
        return self.perf.dpi

    @property
    def rvpi(self):
        return self.perf.rvpi

    @property
    def unfunded(self) -> int:
        return self.committed - self.paid_in

    def amount(self, key: str) -> Decimal:
        return fen_to_decimal(getattr(self, key))

    def as_json(self) -> dict:
        out: dict = {}
        for k in SUMMARY_KEYS:
            v = getattr(self, k)
            if k in AMOUNT_KEYS:
                out[k] = float(fen_to_decimal(v))
            elif k in RATIO_KEYS:
                out[k] = None if v is None else round(float(v), 10)
            else:
                out[k] = v
        return out


@dataclass
class Summary:
    as_of: date
    funds: list[FundFigures]
    totals: FundFigures
    sub_funds: pd.DataFrame  # one row per (guidance fund, sub-fund) edge — see edge_figures


def _guidance_edges(p: Portfolio) -> pd.DataFrame:
    g_ids = set(p.funds.loc[p.funds["kind"] == "guidance", "id"])
    return p.edges[p.edges["investor_id"].isin(g_ids)].reset_index(drop=True)


def edge_figures(p: Portfolio) -> pd.DataFrame:
    """Per guidance-fund → sub-fund commitment: leverage, 返投 and the sub-fund's own deployment."""
    e = _guidance_edges(p)
    e = reinvest_by_edge(e, p.investments)
    if e.empty:
        for c in ("leverage_total", "leverage_social", "reinvest_ratio", "sub_invested", "sub_deployment"):
            e[c] = pd.Series(dtype=object)
        return e
    lev = [leverage(s, c) for s, c in zip(e["investee_committed"], e["committed"])]
    e["leverage_total"] = [t for t, _ in lev]
    e["leverage_social"] = [s for _, s in lev]
    e["reinvest_ratio"] = [ratio(a, r) for a, r in zip(e["reinvest_achieved"], e["reinvest_required"])]
    invested = p.investments.groupby("investor_id")["amount"].sum()
    fund_commits = p.edges.groupby("investor_id")["committed"].sum()
    e["sub_invested"] = e["investee_id"].map(invested).fillna(0).astype("int64")
    e["sub_fund_commitments"] = e["investee_id"].map(fund_commits).fillna(0).astype("int64")
    e["sub_deployment"] = [deployment(c, i, s) for c, i, s in
                           zip(e["sub_fund_commitments"], e["sub_invested"], e["investee_committed"])]
    f = p.funds.set_index("id")
    for src, dst in (("name", "investor_name"),):
        e[dst] = e["investor_id"].map(f[src])
    for src in ("name", "manager", "amac_code", "paid_in", "status", "investment_period_end", "inception",
                "required_leverage", "focus", "term_end"):
        e[f"sub_{src}"] = e["investee_id"].map(f[src])
    return e


def _figures(fund_id, name, committed, paid_in, edges: pd.DataFrame, direct: int, perf: Performance,
             distinct_subs: bool = False) -> FundFigures:
    if distinct_subs:
        sizes = edges.drop_duplicates("investee_id")["investee_committed"].sum() if len(edges) else 0
    else:
        sizes = edges["investee_committed"].sum() if len(edges) else 0
    g = int(edges["committed"].sum()) if len(edges) else 0
    req = int(edges["reinvest_required"].sum()) if len(edges) else 0
    ach = int(edges["reinvest_achieved"].sum()) if len(edges) else 0
    lt, ls = leverage(int(sizes), g)
    return FundFigures(
        fund_id=fund_id, name=name, committed=int(committed), paid_in=int(paid_in),
        sub_fund_count=int(edges["investee_id"].nunique()) if len(edges) else 0,
        sub_fund_committed=int(sizes), guidance_commitment=g, leverage_total=lt, leverage_social=ls,
        direct_invested=int(direct), reinvest_required=req, reinvest_achieved=ach,
        reinvest_ratio=ratio(ach, req), deployment=deployment(g, int(direct), int(committed)), perf=perf,
    )


def summarise(p: Portfolio) -> Summary:
    gf = p.funds[p.funds["kind"] == "guidance"]
    edges = edge_figures(p)
    g_ids = list(gf["id"])
    direct = p.investments[p.investments["investor_id"].isin(g_ids)].groupby("investor_id")["amount"].sum()
    flows = p.flows[p.flows["investor_id"].isin(g_ids)]
    vals = p.valuations[p.valuations["investor_id"].isin(g_ids)]
    perfs = performance_by(flows, vals, "investor_id")
    funds = []
    for row in gf.itertuples(index=False):
        e = edges[edges["investor_id"] == row.id]
        funds.append(_figures(row.id, row.name, row.committed, row.paid_in, e, direct.get(row.id, 0),
                              perfs.get(row.id, EMPTY)))
    totals = _figures(None, "合计", gf["committed"].sum(), gf["paid_in"].sum(), edges, direct.sum(),
                      performance(flows, vals) if len(flows) or len(vals) else EMPTY, distinct_subs=True)
    return Summary(p.as_of, funds, totals, edges)


def portfolio_summary(engine: Engine, as_of: date | None = None) -> Summary:
    as_of = as_of or date.today()
    return summarise(load_portfolio(engine, as_of, guidance_flows_only=True, detail=False))


def summary_json(s: Summary) -> dict:
    return {
        "as_of": s.as_of.isoformat(),
        "guidance_funds": [f.as_json() for f in s.funds],
        "totals": {k: v for k, v in s.totals.as_json().items() if k != "name"},
    }
