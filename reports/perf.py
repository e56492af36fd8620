"""Performance of many stakes at once, equal to fundtrack.metrics.performance.performance per stake.

`performance()` is the definition; calling it once per stake costs a few milliseconds of pandas
overhead (its XIRR wrapper builds a Series per call), which for the benchmark portfolio's ~7,000
stakes is 40 s. This computes the same Performance objects in one pass: the sums with one
groupby, and the XIRR along the main path of `fundtrack.metrics.performance.xirr` (same-day
flows netted, zero days dropped, no sign change or fewer than two days → None, amounts scaled to
at most 1, pyxirr) with that function itself as the fallback. tests/test_report_metrics.py checks
every stake of the test portfolios against `performance()` itself, so the two cannot drift apart
unnoticed. (Better still: a vectorised xirr in fundtrack.metrics.performance that this calls.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fundtrack.metrics.performance import SIGN, Performance
from fundtrack.metrics.ratios import ratio


def _irr(dates: list, amounts: np.ndarray) -> float | None:
    """fundtrack.metrics.performance.xirr on already netted, date-sorted flows, without its
    per-call pandas: the same main path (scale to at most 1, pyxirr), and the core function
    itself whenever that path has no answer (so its fallback is used, not copied)."""
    nz = amounts != 0
    if nz.sum() < 2:
        return None
    a = amounts[nz]
    if not ((a > 0).any() and (a < 0).any()):
        return None
    import pyxirr

    d = [x for x, keep in zip(dates, nz) if keep]
    scaled = a / np.abs(a).max()
    try:
        r = pyxirr.xirr(d, scaled.tolist(), silent=True)
    except Exception:  # pyxirr raises on inputs it cannot solve
        r = None
    if r is None or not math.isfinite(r):
        from fundtrack.metrics.performance import xirr

        return xirr(d, a)
    return float(r)


def _irrs(long: pd.DataFrame, n_keys: int) -> list:
    """IRR per key code 0..n_keys−1 from rows (code, date, signed)."""
    out: list = [None] * n_keys
    if long.empty:
        return out
    net = long.groupby(["code", "flow_date"], sort=True)["signed"].sum().reset_index()
    codes = net["code"].to_numpy()
    dates = net["flow_date"].tolist()
    amounts = net["signed"].to_numpy(dtype=float)
    bounds = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(codes)]])
    for s, e in zip(starts, ends):
        out[int(codes[s])] = _irr(dates[s:e], amounts[s:e])
    return out


def stake_performance(flows: pd.DataFrame, valuations: pd.DataFrame, keys: str | list[str]) -> dict:
    """{key: Performance} for every key in flows or valuations — what performance_by returns.

    flows: keys…, flow_date, flow_type (contribution | distribution | fee), amount (fen), ≤ as-of.
    valuations: keys…, flow_date, amount (fen) — the latest valuation of each stake.
    """
    keys = [keys] if isinstance(keys, str) else list(keys)
    kf = flows[keys].copy()
    kv = valuations[keys].copy()
    allk = pd.concat([kf, kv], ignore_index=True).drop_duplicates(ignore_index=True)
    if allk.empty:
        return {}
    allk["code"] = np.arange(len(allk))
    n = len(allk)
    fcode = kf.merge(allk, on=keys, how="left")["code"].to_numpy() if len(kf) else np.array([], dtype=int)
    vcode = kv.merge(allk, on=keys, how="left")["code"].to_numpy() if len(kv) else np.array([], dtype=int)

    types = flows["flow_type"].to_numpy() if len(flows) else np.array([], dtype=object)
    amt = flows["amount"].to_numpy(dtype=np.int64) if len(flows) else np.array([], dtype=np.int64)

    def sums(t):
        m = types == t
        return _isum(fcode[m], amt[m], n)

    contrib, fees, dist = sums("contribution"), sums("fee"), sums("distribution")
    vamt = valuations["amount"].to_numpy(dtype=np.int64) if len(valuations) else np.array([], dtype=np.int64)
    nav = _isum(vcode, vamt, n)
    nav_date: list = [None] * n
    if len(valuations):
        vd = pd.DataFrame({"code": vcode, "d": valuations["flow_date"].to_numpy()}).groupby("code")["d"].max()
        for c, d in vd.items():
            nav_date[int(c)] = d

    sign = pd.Series(types).map(SIGN).fillna(0).to_numpy() if len(flows) else np.array([])
    signed = sign * amt.astype(float)
    fdates = flows["flow_date"].to_numpy() if len(flows) else np.array([], dtype=object)
    vdates = valuations["flow_date"].to_numpy() if len(valuations) else np.array([], dtype=object)
    long = pd.DataFrame({"code": np.concatenate([fcode, vcode]).astype(int),
                         "flow_date": np.concatenate([fdates, vdates]),
                         "signed": np.concatenate([signed, vamt.astype(float)])})
    gross_mask = np.concatenate([types != "fee", np.ones(len(vcode), dtype=bool)])
    irr = _irrs(long, n)
    gross_irr = _irrs(long[gross_mask], n)

    out: dict = {}
    records = allk[keys].itertuples(index=False, name=None)
    for i, k in enumerate(records):
        c, f, d, v = int(contrib[i]), int(fees[i]), int(dist[i]), int(nav[i])
        paid = c + f
        dpi = ratio(d, paid)
        rvpi = ratio(v, paid)
        tvpi = None if dpi is None else dpi + (rvpi or 0.0)
        g_dpi, g_rvpi = ratio(d, c), ratio(v, c)
        gross_tvpi = None if g_dpi is None else g_dpi + (g_rvpi or 0.0)
        key = k if len(keys) > 1 else k[0]
        out[key] = Performance(c, f, d, v, nav_date[i], irr[i], gross_irr[i], dpi, rvpi, tvpi, gross_tvpi)
    return out


def _isum(codes: np.ndarray, amounts: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 Σ per code (np.bincount would go through float64)."""
    out = np.zeros(n, dtype=np.int64)
    if len(codes):
        np.add.at(out, codes.astype(int), amounts.astype(np.int64))
    return out
