"""返投 — local re-investment required vs achieved.

required = sub-fund's multiple (blank → its guidance fund's default) × guidance commitment.
achieved = Σ the sub-fund's investments in local companies: the explicit 是否认定返投 flag when
given, else the company's 注册地 lies in the guidance fund's region (fundtrack.regions).
Direct investments of the guidance fund never count.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from fundtrack.regions import is_local


def counts_as_local(flag, place, region) -> bool:
    if flag is not None and not (isinstance(flag, float) and np.isnan(flag)) and flag is not pd.NA:
        return bool(flag)
    return is_local(place, region)


def required_fen(multiple, committed_fen: int) -> int:
    """multiple × commitment, exact to the fen (half-up)."""
    if multiple is None or committed_fen == 0:
        return 0
    q = Decimal(str(multiple)) * Decimal(int(committed_fen))
    return int(q.to_integral_value(rounding=ROUND_HALF_UP))


def reinvest_by_edge(edges: pd.DataFrame, investments: pd.DataFrame) -> pd.DataFrame:
    """返投 per (guidance fund, sub-fund) edge.

    edges: investor_id, investee_id, committed (fen), investee_multiple (may be None),
           investor_default_multiple (may be None), investor_region.
    investments: investor_id (the sub-fund), amount (fen), reinvest_flag (bool/None),
           registered_place.
    Returns edges with reinvest_multiple, reinvest_required, reinvest_achieved (fen).
    """
    out = edges.copy()
    mult = [
        m if m is not None and not (isinstance(m, float) and np.isnan(m)) else d
        for m, d in zip(out["investee_multiple"], out["investor_default_multiple"])
    ]
    mult = [None if (m is None or (isinstance(m, float) and np.isnan(m))) else m for m in mult]
    out["reinvest_multiple"] = mult
    out["reinvest_required"] = [required_fen(m, c) for m, c in zip(mult, out["committed"])]

    if investments.empty or out.empty:
        out["reinvest_achieved"] = 0
        return out
    # Locality depends on the guidance fund's region, so judge each (edge, investment) pair;
    # the distinct (place, flag, region) combinations are few, so cache the judgement.
    pairs = out[["investor_id", "investee_id", "investor_region"]].merge(
        investments[["investor_id", "amount", "reinvest_flag", "registered_place"]].rename(
            columns={"investor_id": "investee_id"}
        ),
        on="investee_id",
    )
    if pairs.empty:
        out["reinvest_achieved"] = 0
        return out
    cache: dict = {}
    flags = pairs["reinvest_flag"].astype(object).where(pairs["reinvest_flag"].notna(), None)
    local = []
    for f, p, r in zip(flags.tolist(), pairs["registered_place"].tolist(), pairs["investor_region"].tolist()):
        k = (f, p, r)
        v = cache.get(k)
        if v is None:
            v = cache[k] = counts_as_local(f, p, r)
        local.append(v)
    pairs["local_amount"] = np.where(np.array(local, dtype=bool), pairs["amount"].to_numpy(np.int64), 0)
    ach = pairs.groupby(["investor_id", "investee_id"])["local_amount"].sum()
    out = out.merge(ach.rename("reinvest_achieved").reset_index(), on=["investor_id", "investee_id"], how="left")
    out["reinvest_achieved"] = out["reinvest_achieved"].fillna(0).astype(np.int64)
    return out
