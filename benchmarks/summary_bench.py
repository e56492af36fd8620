"""`fundtrack summary --json` on the benchmark portfolio vs a minimal pandas script.

    python benchmarks/make_portfolio.py --db sqlite:////tmp/bench_full.db     # once
    python benchmarks/summary_bench.py --db /tmp/bench_full.db [--pg URL]

Both run as fresh subprocesses (interpreter start and imports included on both sides), three
times each; the median wall time and the peak RSS are printed with their ratio. The baseline
computes the same per-fund leverage, 返投 (region rule + flag) and TVPI straight from the
SQLite file with pandas — the least a hand-written script would do.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE = r'''
import sqlite3, sys, json
import pandas as pd
db = sys.argv[1]; as_of = sys.argv[2]
con = sqlite3.connect(db)
funds = pd.read_sql("select id, kind, name, region, committed, reinvest_multiple from fund", con)
edges = pd.read_sql("select c.investor_id, c.investee_id, c.committed, f.committed size, f.reinvest_multiple m "
                    "from commitment c join fund f on f.id = c.investee_id", con)
inv = pd.read_sql("select i.investor_id, i.amount, i.reinvest_flag, co.registered_place from investment i "
                  "join company co on co.id = i.company_id where i.invested_on <= ?", con, params=[as_of])
flows = pd.read_sql("select investor_id, target_key, flow_date, flow_type, amount from cash_flow "
                    "where flow_date <= ?", con, params=[as_of])
g = funds[funds.kind == "guidance"].set_index("id")
e = edges[edges.investor_id.isin(g.index)].copy()
lev = e.groupby("investor_id").agg(size=("size", "sum"), gc=("committed", "sum"))
lev["leverage"] = lev["size"] / lev["gc"]
e["mult"] = e["m"].fillna(e["investor_id"].map(g["reinvest_multiple"]))
e["required"] = e["mult"] * e["committed"]
e["stem"] = e["investor_id"].map(g["region"]).str.replace(r"(省|市|区|县)$", "", regex=True)
m = e.merge(inv, left_on="investee_id", right_on="investor_id", suffixes=("", "_i"))
local = [s in (p or "") for s, p in zip(m["stem"], m["registered_place"])]
flag = m["reinvest_flag"]
m["counts"] = flag.where(flag.notna(), pd.Series(local, index=m.index)).astype(bool)
ach = m[m["counts"]].groupby("investor_id")["amount"].sum()
f = flows[flows.investor_id.isin(g.index)]
paid = f[f.flow_type.isin(["contribution", "fee"])].groupby("investor_id")["amount"].sum()
dist = f[f.flow_type == "distribution"].groupby("investor_id")["amount"].sum()
v = f[f.flow_type == "valuation"].sort_values("flow_date").groupby(["investor_id", "target_key"]).tail(1)
nav = v.groupby("investor_id")["amount"].sum()
tvpi = (dist.reindex(g.index, fill_value=0) + nav.reindex(g.index, fill_value=0)) / paid.reindex(g.index)
out = pd.DataFrame({"leverage": lev["leverage"], "required": e.groupby("investor_id")["required"].sum(),
                    "achieved": ach, "tvpi": tvpi})
print(len(out))
'''


def run(cmd: list[str], env=None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MB) of the child, stdout."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "if r.returncode: sys.stderr.write(r.stderr); sys.exit(r.returncode)\n"
        "print(json.dumps([w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, r.stdout[-2000:]]))\n"
    )
    r = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True, env=env, check=True)
    w, rss, out = json.loads(r.stdout)
    return w, rss, out


def bench(label: str, cmd: list[str], n: int = 3, env=None) -> tuple[float, int, str]:
    results = [run(cmd, env) for _ in range(n)]
    w = statistics.median(x[0] for x in results)
    rss = max(x[1] for x in results)
    print(f"{label:<48} median {w:6.2f} s   peak RSS {rss:5d} MB   ({', '.join(f'{x[0]:.2f}' for x in results)})")
    return w, rss, results[-1][2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="/tmp/bench_full.db", help="SQLite file made by make_portfolio.py")
    ap.add_argument("--pg", default=None, help="also time summary on this PostgreSQL URL (same data)")
    ap.add_argument("--as-of", default="2026-09-30")
    ap.add_argument("-n", type=int, default=3)
    a = ap.parse_args()
    db = Path(a.db)
    if not db.exists():
        sys.exit(f"{db} not found: run benchmarks/make_portfolio.py --db sqlite:///{db}")
    exe = [sys.executable, "-m", "fundtrack"]
    env = dict(os.environ)
    t0 = time.perf_counter()
    help_w, _, _ = bench("fundtrack --help", [*exe, "--help"], a.n)
    ft_w, ft_rss, out = bench("fundtrack summary --json (SQLite)", [*exe, "--db", f"sqlite:///{db}", "summary",
                                                                  "--as-of", a.as_of, "--json"], a.n, env)
    funds = json.loads(out[out.index("{"):]) if out.strip().startswith("{") else None
    base_w, base_rss, _ = bench("baseline: minimal pandas script (SQLite)", [sys.executable, "-c", BASELINE, str(db),
                                                                            a.as_of], a.n)
    print(f"\nratio fundtrack / baseline: {ft_w / base_w:.2f}x   (target ≤ 2x)")
    print(f"memory fundtrack / baseline: {ft_rss} MB / {base_rss} MB")
    if a.pg:
        bench("fundtrack summary --json (PostgreSQL)", [*exe, "--db", a.pg, "summary", "--as-of", a.as_of, "--json"],
              a.n, env)
    print(f"(--help median {help_w:.3f} s; bench took {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
