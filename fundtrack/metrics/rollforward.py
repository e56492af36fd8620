"""资本账户变动 — the capital-account roll-forward of a stake (investor fund → sub-fund or company).

The statement follows the ILPA reporting template: contributions include the capital called for
fees, and the fees then reduce the account, so for any period (start, end]:

    closing = opening + contributions − distributions − fees + valuation_change

holds exactly by construction: opening and closing are the stake's NAV at the two dates and the
valuation change is the balancing figure. Because opening(Q) and closing(Q − 1) are the same
function at the same date, this quarter's opening equals last quarter's closing exactly.

NAV of a stake at a date D (the *adjusted NAV*, the usual roll-forward of a stale valuation):
    V + Σ contributions in (d_V, D] − Σ distributions in (d_V, D]
where V is the stake's latest valuation (估值) on or before D and d_V its date; a valuation is an
end-of-day figure, so flows on d_V itself are inside it. A stake with no valuation yet is carried
at cost: Σ contributions − Σ distributions up to D. Fees never enter the NAV (they are paid in and
expensed). The NAV never goes below 0. A stake with nothing before `start` opens at 0, so an
inception-to-date statement (start None) opens at 0.

This NAV deliberately differs from RVPI's numerator (fundtrack.metrics.performance uses the latest
valuation itself, 0 if none, as DESIGN §2 says): RVPI is a performance ratio, the roll-forward an
account balance that must not drop to 0 the day money is paid in.

Frames: money is int64 fen. flows: investor_id, target_key, flow_date, flow_type
(contribution | distribution | fee), amount. Valuations: investor_id, target_key, flow_date,
amount — the latest valuation of each stake on or before the date in question
(fundtrack.services.frames.load_latest_valuations).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

STAKE = ["investor_id", "target_key"]
ROLL_KEYS = ("opening", "contributions", "distributions", "fees", "valuation_change", "closing")


def adjusted_nav(flows: pd.DataFrame, latest_valuations: pd.DataFrame, at: date | None) -> pd.DataFrame:
    """investor_id, target_key, nav (int64 fen) of every stake that has anything on or before `at`.

    `flows` may hold flows after `at` (they are ignored); `latest_valuations` must be the latest
    valuation per stake on or before `at`. `at` None means "before anything": no rows.
    """
    if at is None:
        return pd.DataFrame({"investor_id": pd.Series(dtype="int64"), "target_key": pd.Series(dtype=object),
                             "nav": pd.Series(dtype="int64")})
    f = flows[(flows["flow_date"] <= at) & flows["flow_type"].isin(("contribution", "distribution"))]
    v = latest_valuations[latest_valuations["flow_date"] <= at]
    signed = np.where(f["flow_type"].to_numpy() == "contribution", 1, -1) * f["amount"].to_numpy(dtype=np.int64)
    f = pd.DataFrame({"investor_id": f["investor_id"].to_numpy(dtype=np.int64),
                      "target_key": f["target_key"].to_numpy(dtype=object),
                      "flow_date": f["flow_date"].to_numpy(), "signed": signed})
    if len(v) and len(f):
        # Only flows after the stake's valuation date move its NAV (the valuation includes its own day).
        m = f.merge(v[STAKE + ["flow_date"]].rename(columns={"flow_date": "v_date"}), on=STAKE, how="left")
        keep = [vd is None or vd != vd or fd > vd for fd, vd in zip(m["flow_date"], m["v_date"])]
        f = m[np.asarray(keep, dtype=bool)]
    moved = f.groupby(STAKE, as_index=False)["signed"].sum()
    base = pd.DataFrame({"investor_id": v["investor_id"].to_numpy(dtype=np.int64),
                         "target_key": v["target_key"].to_numpy(dtype=object),
                         "valuation": v["amount"].to_numpy(dtype=np.int64)})
    out = base.merge(moved, on=STAKE, how="outer")
    nav = out["valuation"].fillna(0).astype("int64") + out["signed"].fillna(0).astype("int64")
    return pd.DataFrame({"investor_id": out["investor_id"].astype("int64"), "target_key": out["target_key"],
                         "nav": nav.clip(lower=0).astype("int64")})


def roll_forward(flows: pd.DataFrame, opening_valuations: pd.DataFrame, closing_valuations: pd.DataFrame,
                 start: date | None, end: date) -> pd.DataFrame:
    """The roll-forward of every stake over (start, end]: investor_id, target_key and ROLL_KEYS (fen).

    contributions = contribution + fee flows in the period (capital called, ILPA "total
    contributions"); distributions and fees are positive amounts that reduce the account.
    Sorted by stake; a stake appears when it has an opening or closing NAV or a flow in the period.
    """
    opening = adjusted_nav(flows, opening_valuations, start).rename(columns={"nav": "opening"})
    closing = adjusted_nav(flows, closing_valuations, end).rename(columns={"nav": "closing"})
    mask = flows["flow_date"] <= end
    if start is not None:
        mask &= flows["flow_date"] > start
    p = flows[mask]
    amounts = {}
    for t in ("contribution", "distribution", "fee"):
        x = p[p["flow_type"] == t]
        amounts[t] = pd.DataFrame({"investor_id": x["investor_id"].to_numpy(dtype=np.int64),
                                   "target_key": x["target_key"].to_numpy(dtype=object),
                                   t: x["amount"].to_numpy(dtype=np.int64)}).groupby(STAKE, as_index=False)[t].sum()
    out = opening.merge(closing, on=STAKE, how="outer")
    for t, x in amounts.items():
        out = out.merge(x, on=STAKE, how="outer")
    for c in ("opening", "closing", "contribution", "distribution", "fee"):
        out[c] = out[c].fillna(0).astype("int64")
    out["investor_id"] = out["investor_id"].astype("int64")
    out["contributions"] = out["contribution"] + out["fee"]
    out["distributions"] = out["distribution"]
    out["fees"] = out["fee"]
    out["valuation_change"] = (out["closing"] - out["opening"] - out["contributions"]
                               + out["distributions"] + out["fees"])
    return out[STAKE + list(ROLL_KEYS)].sort_values(STAKE, ignore_index=True)


def summed(rows: pd.DataFrame) -> dict:
    """Σ of the roll-forward over stakes (amounts add, so the identity holds for the sums too)."""
    return {k: int(rows[k].sum()) if len(rows) else 0 for k in ROLL_KEYS}
