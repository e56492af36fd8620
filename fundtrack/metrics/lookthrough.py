"""穿透 — look-through exposure of a fund to companies at any fund-of-funds depth.

The exposure of fund G to a company held by sub-fund S = S's investment × G's share of S,
where G's share of S is G's commitment ÷ S's committed size, multiplied along every path
G → S1 → S2 … and summed over paths. G's own direct investments count at share 1.
"""

from __future__ import annotations

import pandas as pd

MAX_DEPTH = 12  # deeper chains than this are a data error (or a cycle)


def effective_shares(root_ids, edges: pd.DataFrame) -> pd.DataFrame:
    """root_id, fund_id, share — each root's look-through share of every fund below it (and itself at 1).

    edges: investor_id, investee_id, committed (fen), investee_committed (fen).
    """
    e = edges[edges["investee_committed"] > 0].copy()
    e["share"] = e["committed"].astype(float) / e["investee_committed"].astype(float)
    e = e[["investor_id", "investee_id", "share"]]
    frontier = pd.DataFrame({"root_id": list(root_ids), "fund_id": list(root_ids), "share": 1.0})
    parts = [frontier]
    for _ in range(MAX_DEPTH):
        nxt = frontier.merge(e, left_on="fund_id", right_on="investor_id")
        if nxt.empty:
            break
        nxt = pd.DataFrame({"root_id": nxt["root_id"], "fund_id": nxt["investee_id"],
                            "share": nxt["share_x"] * nxt["share_y"]})
        frontier = nxt.groupby(["root_id", "fund_id"], as_index=False)["share"].sum()
        parts.append(frontier)
    out = pd.concat(parts, ignore_index=True)
    return out.groupby(["root_id", "fund_id"], as_index=False)["share"].sum()


def exposure(root_ids, edges: pd.DataFrame, investments: pd.DataFrame,
             by: str | list[str] | None = None) -> pd.DataFrame:
    """Look-through exposure (float yuan×100, i.e. fen) per root and grouping column(s).

    investments: investor_id, company_id, amount (fen), and the grouping columns
    (industry, region, round …). `by=None` gives per-company rows.
    """
    shares = effective_shares(root_ids, edges)
    m = shares.merge(investments, left_on="fund_id", right_on="investor_id")
    m["exposure"] = m["amount"].astype(float) * m["share"]
    m["direct"] = m["fund_id"] == m["root_id"]
    keys = ["root_id"] + ([by] if isinstance(by, str) else list(by or ["company_id"]))
    g = m.groupby(keys, as_index=False, dropna=False).agg(exposure=("exposure", "sum"),
                                                          companies=("company_id", "nunique"))
    return g.sort_values(["root_id", "exposure"], ascending=[True, False], ignore_index=True)
