"""放大倍数 — leverage on both bases, always aggregated by summing amounts first.

total basis  = Σ sub-fund committed size ÷ Σ guidance commitment to those sub-funds
social basis = (Σ size − Σ guidance commitment) ÷ Σ guidance commitment  (= total − 1)
"""

from __future__ import annotations

import pandas as pd

from fundtrack.metrics.ratios import ratio

BASIS_LABELS = {
    "total": ("放大倍数（总规模口径）", "Leverage (total-size basis)"),
    "social": ("放大倍数（社会资本口径）", "Leverage (social-capital basis)"),
}


def leverage(size_fen, guidance_fen) -> tuple[float | None, float | None]:
    """(total basis, social basis) from summed amounts."""
    total = ratio(size_fen, guidance_fen)
    social = ratio(size_fen - guidance_fen, guidance_fen) if total is not None else None
    return total, social


def leverage_by_investor(edges: pd.DataFrame) -> pd.DataFrame:
    """Per investor fund: sub-fund count, Σ sizes, Σ commitments and both leverage figures.

    edges: one row per (investor_id, investee_id) with int64 fen columns
    `investee_committed` (the sub-fund's total size) and `committed` (the investor's commitment).
    """
    if edges.empty:
        return pd.DataFrame(
            columns=["investor_id", "sub_fund_count", "sub_fund_committed", "guidance_commitment",
                     "leverage_total", "leverage_social"]
        ).set_index("investor_id")
    g = edges.groupby("investor_id").agg(
        sub_fund_count=("investee_id", "nunique"),
        sub_fund_committed=("investee_committed", "sum"),
        guidance_commitment=("committed", "sum"),
    )
    lev = [leverage(s, c) for s, c in zip(g["sub_fund_committed"], g["guidance_commitment"])]
    g["leverage_total"] = [t for t, _ in lev]
    g["leverage_social"] = [s for _, s in lev]
    return g
