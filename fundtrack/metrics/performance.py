"""LP performance of a stake: IRR (Excel XIRR convention), DPI, RVPI, TVPI — net and gross of fees.

Ledger signs: contributions and fees are money out (negative flows), distributions money in;
the latest valuation on or before the as-of date of each stake is a final positive flow on
that valuation's date. A negative ledger amount reverses its type (a refund, a fee rebate),
which the arithmetic below does by itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from fundtrack.metrics.ratios import ratio

SIGN = {"contribution": -1, "fee": -1, "distribution": 1}


def xirr(dates, amounts) -> float | None:
    """Excel's XIRR (actual/365 from the first flow), or None when it has no answer.

    Same-day flows are netted first (pyxirr and Excel disagree on unsorted duplicates);
    flows that never change sign, or all on one day, have no IRR — never 0.
    """
    if len(dates) == 0:
        return None
    s = pd.Series(np.asarray(amounts, dtype=float), index=pd.to_datetime(pd.Index(dates)))
    s = s.groupby(level=0).sum()
    s = s[s != 0]
    if len(s) < 2 or not ((s > 0).any() and (s < 0).any()):
        return None
    import pyxirr

    # XIRR is scale-free; pyxirr's Newton steps fail to converge on pooled portfolios whose
    # flows run to 1e14 fen, so solve on amounts scaled to at most 1.
    s = s / s.abs().max()
    days = [d.date() for d in s.index]
    try:
        r = pyxirr.xirr(days, s.to_list(), silent=True)
    except Exception:  # pyxirr raises on inputs it cannot solve
        r = None
    if r is None or not np.isfinite(r):
        r = _bisect_xirr(s)
    return None if r is None else float(r)


def _bisect_xirr(s: pd.Series) -> float | None:
    """Fallback root search by bisection on the Excel NPV (actual/365); None if no root is bracketed."""
    t = ((s.index - s.index[0]).days.to_numpy() / 365.0)
    v = s.to_numpy()

    def npv(rate: float) -> float:
        return float(np.sum(v / np.power(1.0 + rate, t)))

    grid = [-0.99, -0.9, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    vals = [npv(g) for g in grid]
    for (a, fa), (b, fb) in zip(zip(grid, vals), zip(grid[1:], vals[1:])):
        if fa == 0:
            return a
        if fa * fb < 0:
            for _ in range(200):
                m = (a + b) / 2
                fm = npv(m)
                if abs(fm) < 1e-12 or (b - a) < 1e-12:
                    return m
                if fa * fm < 0:
                    b, fb = m, fm
                else:
                    a, fa = m, fm
            return (a + b) / 2
    return None


@dataclass(frozen=True)
class Performance:
    contributions: int  # fen, net of refunds
    fees: int
    distributions: int
    nav: int  # Σ latest valuation per stake
    nav_date: date | None
    irr: float | None  # net of fees
    gross_irr: float | None
    dpi: float | None
    rvpi: float | None
    tvpi: float | None
    gross_tvpi: float | None

    def as_dict(self) -> dict:
        return asdict(self)


EMPTY = Performance(0, 0, 0, 0, None, None, None, None, None, None, None)


def performance(flows: pd.DataFrame, valuations: pd.DataFrame) -> Performance:
    """One stake or pool of stakes.

    flows: flow_date, flow_type (contribution|distribution|fee), amount (fen), already ≤ as-of.
    valuations: flow_date, amount (fen) — the latest valuation of each stake, already chosen.
    """
    contrib = int(flows.loc[flows["flow_type"] == "contribution", "amount"].sum()) if len(flows) else 0
    fees = int(flows.loc[flows["flow_type"] == "fee", "amount"].sum()) if len(flows) else 0
    dist = int(flows.loc[flows["flow_type"] == "distribution", "amount"].sum()) if len(flows) else 0
    nav = int(valuations["amount"].sum()) if len(valuations) else 0
    nav_date = max(valuations["flow_date"]) if len(valuations) else None

    if len(flows):
        signs = flows["flow_type"].map(SIGN).fillna(0).to_numpy()
        signed = signs * flows["amount"].to_numpy(dtype=float)
        gross_mask = (flows["flow_type"] != "fee").to_numpy()
        dates = list(flows["flow_date"])
    else:
        signed, gross_mask, dates = np.array([]), np.array([], dtype=bool), []
    v_dates = list(valuations["flow_date"]) if len(valuations) else []
    v_amts = valuations["amount"].to_numpy(dtype=float) if len(valuations) else np.array([])

    irr = xirr(dates + v_dates, np.concatenate([signed, v_amts]))
    g_dates = [d for d, m in zip(dates, gross_mask) if m]
    gross_irr = xirr(g_dates + v_dates, np.concatenate([signed[gross_mask], v_amts]))

    paid = contrib + fees
    dpi = ratio(dist, paid)
    rvpi = ratio(nav, paid)
    tvpi = None if dpi is None else dpi + (rvpi or 0.0)
    g_dpi, g_rvpi = ratio(dist, contrib), ratio(nav, contrib)
    gross_tvpi = None if g_dpi is None else g_dpi + (g_rvpi or 0.0)
    return Performance(contrib, fees, dist, nav, nav_date, irr, gross_irr, dpi, rvpi, tvpi, gross_tvpi)


def performance_by(flows: pd.DataFrame, valuations: pd.DataFrame, key: str | list[str]) -> dict:
    """Performance per group key (e.g. investor_id, or [investor_id, target_key])."""
    keys = [key] if isinstance(key, str) else key
    out: dict = {}
    fgroups = dict(tuple(flows.groupby(keys, sort=False))) if len(flows) else {}
    vgroups = dict(tuple(valuations.groupby(keys, sort=False))) if len(valuations) else {}
    empty_f = flows.iloc[0:0]
    empty_v = valuations.iloc[0:0]
    for k in set(fgroups) | set(vgroups):
        out[k if len(keys) > 1 else (k[0] if isinstance(k, tuple) else k)] = performance(
            fgroups.get(k, empty_f), vgroups.get(k, empty_v)
        )
    return out
