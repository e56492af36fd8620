"""合规 — compliance rules. Each rule is a pure function over the portfolio frames that yields
breaches with the figure and the threshold it broke; thresholds come from configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from fundtrack.metrics.ratios import ratio

RULES = {
    "guidance_share_cap": ("引导基金出资占比超上限", "Guidance share of sub-fund above cap"),
    "largest_investor": ("引导基金为第一大出资人", "Guidance fund is the largest investor"),
    "reinvest_below": ("返投未达要求", "Local re-investment below requirement"),
    "leverage_below": ("放大倍数低于要求", "Leverage below requirement"),
    "single_investment": ("单个项目投资占比超上限", "Single investment above share of fund"),
    "idle_cash": ("实缴资金闲置超期", "Paid-in capital idle too long"),
    "low_deployment": ("投资期结束投资进度偏低", "Low deployment after investment period"),
}


@dataclass(frozen=True)
class Breach:
    rule: str
    fund_id: int
    fund: str
    subject: str  # what the figure is about (a sub-fund, an investment …)
    figure: float
    threshold: float
    kind: str = "ratio"  # ratio | multiple | days

    def label(self, lang: str = "zh") -> str:
        zh, en = RULES[self.rule]
        return zh if lang == "zh" else en


def check(funds: pd.DataFrame, edges: pd.DataFrame, investments: pd.DataFrame, as_of: date,
          thresholds: dict, edge_figs: pd.DataFrame | None = None) -> list[Breach]:
    """All breaches as of a date. `edge_figs` is summary.edge_figures (返投 and leverage per edge)."""
    names = funds.set_index("id")["name"].to_dict()
    kinds = funds.set_index("id")["kind"].to_dict()
    out: list[Breach] = []
    g_edges = edges[edges["investor_id"].map(kinds) == "guidance"] if len(edges) else edges

    # Guidance share of a sub-fund above its cap.
    cap = float(thresholds["guidance_share_cap"])
    for r in g_edges.itertuples(index=False):
        share = ratio(r.committed, r.investee_committed)
        if share is not None and share > cap + 1e-12:
            out.append(Breach("guidance_share_cap", r.investor_id, names[r.investor_id],
                              names.get(r.investee_id, ""), share, cap))

    # Guidance fund the largest investor: its commitment exceeds every other recorded commitment
    # and the capital nobody recorded (size − all recorded), so no unseen LP can be larger.
    if thresholds.get("forbid_largest_investor", True) and len(g_edges):
        # Largest other recorded commitment per sub-fund: the top one, or the runner-up for the top investor.
        ranked = edges.sort_values("committed", ascending=False)
        top = ranked.groupby("investee_id").nth(0).set_index("investee_id")
        second = ranked.groupby("investee_id").nth(1).set_index("investee_id")["committed"]
        recorded = edges.groupby("investee_id")["committed"].sum()
        for r in g_edges.itertuples(index=False):
            if r.investee_committed <= 0:
                continue
            is_top = top.at[r.investee_id, "investor_id"] == r.investor_id
            others_max = int(second.get(r.investee_id, 0)) if is_top else int(top.at[r.investee_id, "committed"])
            unrecorded = r.investee_committed - int(recorded[r.investee_id])
            if r.committed > max(others_max, unrecorded):
                out.append(Breach("largest_investor", r.investor_id, names[r.investor_id],
                                  names.get(r.investee_id, ""), ratio(r.committed, r.investee_committed) or 0.0,
                                  0.5))

    required_leverage = funds.set_index("id")["required_leverage"].to_dict()
    if edge_figs is not None and len(edge_figs):
        floor = float(thresholds["reinvest_min_ratio"])
        for r in edge_figs.itertuples(index=False):
            if r.reinvest_required > 0 and (r.reinvest_ratio or 0.0) < floor - 1e-12:
                out.append(Breach("reinvest_below", r.investor_id, names[r.investor_id], names.get(r.investee_id, ""),
                                  r.reinvest_ratio or 0.0, floor))
            req = required_leverage.get(r.investee_id)
            if req is not None and r.leverage_total is not None and r.leverage_total < float(req) - 1e-12:
                out.append(Breach("leverage_below", r.investor_id, names[r.investor_id], names.get(r.investee_id, ""),
                                  r.leverage_total, float(req), "multiple"))

    # A single investment above a share of the investing fund's size.
    single = float(thresholds["single_investment_cap"])
    if len(investments):
        size = investments["investor_id"].map(funds.set_index("id")["committed"])
        share = investments["amount"] / size.where(size > 0)
        over = investments[share > single + 1e-12]
        for r, s in zip(over.itertuples(index=False), share[share > single + 1e-12]):
            out.append(Breach("single_investment", r.investor_id, names.get(r.investor_id, ""), r.company,
                              float(s), single))

    # Paid-in but idle: money received and not invested, with no new investment for idle_days.
    idle_days = int(thresholds["idle_days"])
    min_share = float(thresholds["idle_share_min"])
    cutoff = as_of - timedelta(days=idle_days)
    invested = investments.groupby("investor_id")["amount"].sum() if len(investments) else pd.Series(dtype="int64")
    last_inv = investments.groupby("investor_id")["invested_on"].max() if len(investments) else pd.Series(dtype=object)
    commits_out = edges.groupby("investor_id")["committed"].sum() if len(edges) else pd.Series(dtype="int64")
    for f in funds.itertuples(index=False):
        if f.paid_in <= 0:
            continue
        idle = f.paid_in - int(invested.get(f.id, 0)) - int(commits_out.get(f.id, 0))
        since = last_inv.get(f.id) or f.inception
        if idle > 0 and idle / f.paid_in >= min_share and since is not None and since <= cutoff:
            out.append(Breach("idle_cash", f.id, f.name, f.name, (as_of - since).days, idle_days, "days"))

    # Past the investment period with low deployment.
    floor_dep = float(thresholds["post_period_min_deployment"])
    for f in funds.itertuples(index=False):
        end = f.investment_period_end
        if end is None or end >= as_of or f.committed <= 0:
            continue
        dep = ratio(int(invested.get(f.id, 0)) + int(commits_out.get(f.id, 0)), f.committed) or 0.0
        if dep < floor_dep - 1e-12:
            out.append(Breach("low_deployment", f.id, f.name, f.name, dep, floor_dep))
    return out
