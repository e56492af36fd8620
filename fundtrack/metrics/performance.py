"""LP performance of a stake: IRR (Excel XIRR convention), DPI, RVPI, TVPI — net and gross of fees.

Ledger signs: contributions and fees are money out (negative flows), distributions money in;
the latest valuation on or before the as-of date of each stake is a final positive flow on
that valuation's date. A negative ledger amount reverses its type (a refund, a fee rebate),
which the arithmetic below does by itself.

One definition, vectorised: `performance_by` computes every stake (or fund, or pool) of a
portfolio in one pass — the sums with exact int64 adds, the IRRs one pyxirr call per key —
and `performance` is the same function on a single group.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from fundtrack.metrics.ratios import ratio

SIGN = {"contribution": -1, "fee": -1, "distribution": 1}


def _ordinals(dates) -> np.ndarray:
    return np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))


def _irr_netted(days: np.ndarray, amounts: np.ndarray) -> float | None:
    """XIRR of flows already netted per day and sorted by day (ordinals, floats)."""
    nz = amounts != 0
    if nz.sum() < 2:
        return None
    a, d = amounts[nz], days[nz]
    if not ((a > 0).any() and (a < 0).any()):
        return None
    import pyxirr

    # XIRR is scale-free; pyxirr's Newton steps fail to converge on pooled portfolios whose
    # flows run to 1e14 fen, so solve on amounts scaled to at most 1.
    a = a / np.abs(a).max()
    dates = [date.fromordinal(int(x)) for x in d]
    try:
        r = pyxirr.xirr(dates, a.tolist(), silent=True)
    except Exception:  # pyxirr raises on inputs it cannot solve
        r = None
    if r is None or not math.isfinite(r):
        r = _bisect_xirr(d, a)
    return None if r is None else float(r)


def xirr(dates, amounts) -> float | None:
    """Excel's XIRR (actual/365 from the first flow), or None when it has no answer.

    Same-day flows are netted first (pyxirr and Excel disagree on unsorted duplicates);
    flows that never change sign, or all on one day, have no IRR — never 0.
    """
    if len(dates) == 0:
        return None
    days, inv = np.unique(_ordinals(list(dates)), return_inverse=True)
    net = np.zeros(len(days))
    np.add.at(net, inv, np.asarray(amounts, dtype=float))
    return _irr_netted(days, net)


def _bisect_xirr(days: np.ndarray, v: np.ndarray) -> float | None:
    """Fallback root search by bisection on the Excel NPV (actual/365); None if no root is bracketed."""
    t = (days - days[0]) / 365.0

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


def _isum(codes: np.ndarray, amounts: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 Σ per code (np.bincount would go through float64)."""
    out = np.zeros(n, dtype=np.int64)
    if len(codes):
        np.add.at(out, codes.astype(int), amounts.astype(np.int64))
    return out


def _irrs(codes: np.ndarray, days: np.ndarray, signed: np.ndarray, n: int) -> list:
    """IRR per key code 0..n−1 from (code, day ordinal, signed amount) rows."""
    out: list = [None] * n
    if len(codes) == 0:
        return out
    order = np.lexsort((days, codes))
    codes, days, signed = codes[order], days[order], signed[order]
    # Net same-day flows of a key: one row per (code, day).
    new = np.ones(len(codes), dtype=bool)
    new[1:] = (codes[1:] != codes[:-1]) | (days[1:] != days[:-1])
    grp = np.cumsum(new) - 1
    net = np.zeros(grp[-1] + 1)
    np.add.at(net, grp, signed)
    g_codes, g_days = codes[new], days[new]
    bounds = np.flatnonzero(np.diff(g_codes)) + 1
    for s, e in zip(np.concatenate([[0], bounds]), np.concatenate([bounds, [len(g_codes)]])):
        out[int(g_codes[s])] = _irr_netted(g_days[s:e], net[s:e])
    return out


def performance_by(flows: pd.DataFrame, valuations: pd.DataFrame, keys: str | list[str]) -> dict:
    """{key: Performance} for every key present in flows or valuations.

    flows: keys…, flow_date, flow_type (contribution|distribution|fee), amount (fen), already ≤ as-of.
    valuations: keys…, flow_date, amount (fen) — the latest valuation of each stake, already chosen.
    A single key column gives plain keys; several give tuples.
    """
    keys = [keys] if isinstance(keys, str) else list(keys)
    kf, kv = flows[keys], valuations[keys]
    allk = pd.concat([kf, kv], ignore_index=True).drop_duplicates(ignore_index=True)
    if allk.empty:
        return {}
    allk["code"] = np.arange(len(allk))
    n = len(allk)
    fcode = kf.merge(allk, on=keys, how="left")["code"].to_numpy() if len(kf) else np.array([], dtype=int)
    vcode = kv.merge(allk, on=keys, how="left")["code"].to_numpy() if len(kv) else np.array([], dtype=int)

    types = flows["flow_type"].to_numpy(dtype=object) if len(flows) else np.array([], dtype=object)
    amt = flows["amount"].to_numpy(dtype=np.int64) if len(flows) else np.array([], dtype=np.int64)
    contrib, fees, dist = (_isum(fcode[types == t], amt[types == t], n) for t in ("contribution", "fee", "distribution"))
    vamt = valuations["amount"].to_numpy(dtype=np.int64) if len(valuations) else np.array([], dtype=np.int64)
    nav = _isum(vcode, vamt, n)
    nav_date: list = [None] * n
    if len(valuations):
        vd = pd.DataFrame({"code": vcode, "d": valuations["flow_date"].to_numpy()}).groupby("code")["d"].max()
        for c, d in vd.items():
            nav_date[int(c)] = d

    sign = np.array([SIGN.get(t, 0) for t in types], dtype=float)
    codes = np.concatenate([fcode, vcode]).astype(int)
    days = np.concatenate([_ordinals(list(flows["flow_date"])) if len(flows) else np.array([], dtype=np.int64),
                           _ordinals(list(valuations["flow_date"])) if len(valuations) else np.array([], dtype=np.int64)])
    signed = np.concatenate([sign * amt.astype(float), vamt.astype(float)])
    gross = np.concatenate([types != "fee", np.ones(len(vcode), dtype=bool)])
    irr = _irrs(codes, days, signed, n)
    gross_irr = _irrs(codes[gross], days[gross], signed[gross], n)

    out: dict = {}
    for i, k in enumerate(allk[keys].itertuples(index=False, name=None)):
        c, f, d, v = int(contrib[i]), int(fees[i]), int(dist[i]), int(nav[i])
        paid = c + f
        dpi, rvpi = ratio(d, paid), ratio(v, paid)
        tvpi = None if dpi is None else dpi + (rvpi or 0.0)
        g_dpi, g_rvpi = ratio(d, c), ratio(v, c)
        gross_tvpi = None if g_dpi is None else g_dpi + (g_rvpi or 0.0)
        out[k if len(keys) > 1 else k[0]] = Performance(c, f, d, v, nav_date[i], irr[i], gross_irr[i], dpi, rvpi,
                                                        tvpi, gross_tvpi)
    return out


def performance(flows: pd.DataFrame, valuations: pd.DataFrame) -> Performance:
    """One stake, or a pool of stakes taken together."""
    f = flows.assign(_all=0)
    v = valuations.assign(_all=0)
    return performance_by(f, v, "_all").get(0, EMPTY)
