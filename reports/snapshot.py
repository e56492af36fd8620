"""Quarter snapshots (QuarterSnapshot rows): the summary figures of a quarter, frozen when reported.

Rule (docs/report.md):
- A report for a quarter that has ended (quarter end < today) reads that quarter's snapshot when
  one exists; later edits to fund sizes, commitments, paid-in or requirements then do not
  rewrite the quarter's 放大倍数, 返投 and other summary figures. `--refresh-snapshot`
  recomputes the figures from the records as of the quarter end and freezes them again.
- A report for a quarter with no snapshot yet computes the figures as of the quarter end and
  writes the snapshot (the first report of a quarter freezes it).
- A quarter still running (quarter end ≥ today) is provisional: every report recomputes and
  rewrites its snapshot.

One row per guidance fund. Its columns hold the headline figures (for SQL and the TUI); its
`payload` JSON holds everything needed to reproduce the report's summary figures exactly:
{"version", "figures" (FundFigures, money in fen), "perf" (Performance), "edges" (the fund's rows
of summary.edge_figures)}, and on the row of the lowest fund id also "portfolio" ({"totals",
"breaches", "edges"}) — what belongs to no one fund: the totals, the compliance breaches and every
commitment edge (investor, investee, committed, investee_committed) that look-through multiplies
along, so a later change to a fund's size does not change the quarter's look-through either.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
import math
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from fundtrack.metrics.compliance import Breach
from fundtrack.metrics.performance import Performance
from fundtrack.metrics.ratios import fen_to_decimal
from fundtrack.models import QuarterSnapshot

VERSION = 1
LOOKTHROUGH_COLUMNS = ["investor_id", "investee_id", "committed", "investee_committed"]


@dataclass
class Frozen:
    summary: object  # fundtrack.services.summary.Summary
    breaches: list
    edges: object  # every commitment edge as of the quarter end (LOOKTHROUGH_COLUMNS)


# ---- a small JSON codec for frames holding dates, Decimals, numpy scalars and NaN ------------

def _plain(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalar
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _kind(values) -> str:
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, datetime):
            return "datetime"
        if isinstance(v, date):
            return "date"
        if isinstance(v, Decimal):
            return "decimal"
        return "plain"
    return "plain"


def encode_frame(df) -> dict:
    cols = list(df.columns)
    kinds = {c: _kind(df[c].tolist()) for c in cols}
    rows = [[_plain(v) for v in r] for r in df.itertuples(index=False, name=None)]
    return {"columns": cols, "kinds": kinds, "rows": rows}


def decode_frame(obj: dict):
    return decode_frames([obj])


def decode_frames(objs: list[dict]):
    """One frame from several encoded frames with the same columns (rows concatenated)."""
    import pandas as pd

    objs = [o for o in objs if o["columns"]]
    if not objs:
        return pd.DataFrame()
    cols = objs[0]["columns"]
    kinds = dict(objs[0]["kinds"])
    for o in objs[1:]:  # a column all-null in one fund's part is "plain" there
        for c, k in o["kinds"].items():
            if kinds.get(c) == "plain":
                kinds[c] = k
    rows = [r for o in objs for r in o["rows"]]
    conv = {"date": date.fromisoformat, "datetime": datetime.fromisoformat, "decimal": Decimal}
    data = {}
    for j, c in enumerate(cols):
        vals = [r[j] for r in rows]
        f = conv.get(kinds[c])
        if f:
            vals = [None if v is None else f(v) for v in vals]
        if kinds[c] == "plain" and vals and all(type(v) is int for v in vals):
            data[c] = pd.Series(vals, dtype="int64")
        else:
            data[c] = pd.Series(vals, dtype=object)
    return pd.DataFrame(data, columns=cols)


def _perf_to(p: Performance) -> dict:
    return {k: _plain(v) for k, v in dataclasses.asdict(p).items()}


def _perf_from(d: dict) -> Performance:
    d = dict(d)
    d["nav_date"] = date.fromisoformat(d["nav_date"]) if d.get("nav_date") else None
    return Performance(**d)


def _figures_to(f) -> dict:
    return {k.name: _plain(getattr(f, k.name)) for k in dataclasses.fields(f) if k.name not in ("perf", "extra")}


def _figures_from(d: dict, perf: Performance):
    from fundtrack.services.summary import FundFigures

    return FundFigures(**d, perf=perf)


def _breach_to(b: Breach) -> dict:
    return {k: _plain(v) for k, v in dataclasses.asdict(b).items()}


# ---- read / write -----------------------------------------------------------------------------

def _dec(x, places: int = 8):
    return None if x is None else Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places))


def encode(summary, breaches, edges) -> list[dict]:
    """The snapshot rows (without quarter / created_at) for a Summary, its breaches and the
    portfolio's commitment edges."""
    subs = summary.sub_funds
    rows = []
    for i, f in enumerate(summary.funds):
        e = subs[subs["investor_id"] == f.fund_id] if len(subs) else subs
        payload = {"version": VERSION, "figures": _figures_to(f), "perf": _perf_to(f.perf),
                   "edges": encode_frame(e)}
        if i == 0:
            payload["portfolio"] = {"totals": {"figures": _figures_to(summary.totals),
                                               "perf": _perf_to(summary.totals.perf)},
                                    "breaches": [_breach_to(b) for b in breaches],
                                    "edges": encode_frame(edges[LOOKTHROUGH_COLUMNS])}
        rows.append(dict(
            fund_id=int(f.fund_id), as_of=summary.as_of,
            sub_fund_committed=fen_to_decimal(f.sub_fund_committed),
            guidance_commitment=fen_to_decimal(f.guidance_commitment),
            leverage_total=_dec(f.leverage_total), leverage_social=_dec(f.leverage_social),
            required_leverage=None,
            reinvest_required=fen_to_decimal(f.reinvest_required),
            reinvest_achieved=fen_to_decimal(f.reinvest_achieved),
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True, allow_nan=False),
        ))
    return rows


def decode(as_of: date, payloads: list[dict]) -> Frozen:
    """The Summary, breaches and edges from the payloads of a quarter's rows (ordered by fund id)."""
    import pandas as pd

    from fundtrack.services.summary import Summary

    funds, portfolio = [], None
    for p in payloads:
        funds.append(_figures_from(p["figures"], _perf_from(p["perf"])))
        if "portfolio" in p:
            portfolio = p["portfolio"]
    if portfolio is None:
        raise ValueError("snapshot has no portfolio totals")
    totals = _figures_from(portfolio["totals"]["figures"], _perf_from(portfolio["totals"]["perf"]))
    edges = decode_frames([p["edges"] for p in payloads])
    breaches = [Breach(**b) for b in portfolio["breaches"]]
    lt = decode_frame(portfolio["edges"])
    if lt.empty:
        lt = pd.DataFrame({c: pd.Series(dtype="int64") for c in LOOKTHROUGH_COLUMNS})
    return Frozen(Summary(as_of, funds, totals, edges), breaches, lt)


def read(engine: Engine, quarter: str) -> Frozen | None:
    """The stored figures of a quarter, or None."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(QuarterSnapshot.as_of, QuarterSnapshot.payload, QuarterSnapshot.created_at)
            .where(QuarterSnapshot.quarter == quarter).order_by(QuarterSnapshot.fund_id)
        ).all()
    if not rows:
        return None
    payloads = [json.loads(r.payload) for r in rows]
    if any(p.get("version") != VERSION for p in payloads):
        return None
    return decode(rows[0].as_of, payloads)


def write(engine: Engine, quarter: str, frozen: Frozen, now: datetime | None = None, replace: bool = True) -> int:
    """Write the quarter's snapshot rows, replacing any (replace=True), or only if the quarter has
    none (replace=False: freezing; under the database write lock, so of two reports racing to
    freeze a quarter the first wins). Returns the number of rows written."""
    from sqlalchemy import func

    from fundtrack.db import write_transaction

    rows = encode(frozen.summary, frozen.breaches, frozen.edges)
    now = now or datetime.now(timezone.utc)
    with write_transaction(engine) as conn:
        if not replace:
            n = conn.execute(select(func.count()).select_from(QuarterSnapshot)
                             .where(QuarterSnapshot.quarter == quarter)).scalar()
            if n:
                return 0
        conn.execute(delete(QuarterSnapshot).where(QuarterSnapshot.quarter == quarter))
        if rows:
            conn.execute(QuarterSnapshot.__table__.insert(),
                         [dict(r, quarter=quarter, created_at=now) for r in rows])
    return len(rows)


def roundtrip(summary, breaches, edges) -> Frozen:
    """What a later report would read back: encode and decode without the database."""
    if not summary.funds:
        return Frozen(summary, breaches, edges[LOOKTHROUGH_COLUMNS])
    rows = encode(summary, breaches, edges)
    return decode(summary.as_of, [json.loads(r["payload"]) for r in rows])
