"""Time and peak memory of the quarterly report on the benchmark portfolio, against a floor.

    python benchmarks/report_bench.py                                  # /tmp/bench_full.db, 2026Q3
    python benchmarks/report_bench.py --db sqlite:////tmp/bench_full.db --quarter 2026Q3
    python benchmarks/report_bench.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench

Each measurement runs in its own subprocess (peak memory = that process's ru_maxrss):
  1. report, first run: figures computed from the records and the quarter's snapshot written;
  2. report, second run: the quarter's figures read back from the frozen snapshot;
  3. the floor: XlsxWriter (same mode: constant_memory) writing the same number of string,
     number, date and formula cells per sheet as run 1 wrote, with no queries and no figures.
The target is a report within 3x the floor. A SQLite database is first copied (backup API) to a
temporary file so the snapshot rows the report writes never touch the source; a missing SQLite
database is generated with benchmarks/make_portfolio.py.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REPORT = r"""
import json, resource, sys, time
from datetime import date
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from fundtrack.db import open_engine
from reports.data import build
from reports.quarter import Quarter
from reports.workbook import ReportWriter
engine = open_engine({url!r})
t1 = time.perf_counter()
data = build(engine, Quarter.parse({quarter!r}), today=date.fromisoformat({today!r}))
t2 = time.perf_counter()
w = ReportWriter({out!r}, data)
w.write()
w.close()
t3 = time.perf_counter()
print(json.dumps(dict(state=data.snapshot_state, total=t3 - t0, imports_connect=t1 - t0, build=t2 - t1,
                      write=t3 - t2, cells=w.cells,
                      maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""

FLOOR = r"""
import json, resource, time
from datetime import date
t0 = time.perf_counter()
import xlsxwriter
cells = json.loads({cells!r})
wb = xlsxwriter.Workbook({out!r}, {{"constant_memory": True, "strings_to_formulas": False,
                                    "strings_to_urls": False, "strings_to_numbers": False}})
num = wb.add_format({{"num_format": "#,##0.00"}})
dat = wb.add_format({{"num_format": "yyyy-mm-dd"}})
txt = wb.add_format({{"border": 1}})
WIDTH = 16  # cells per row, about the widest list sheet
d0 = date(2026, 9, 30)
for name, c in cells.items():
    ws = wb.add_worksheet(name)
    i = 0
    for k in ("string", "number", "date", "formula", "blank"):
        for j in range(c.get(k, 0)):
            r, col = divmod(i, WIDTH)
            if k == "string":
                ws.write_string(r, col, "基准测试科技%06d" % (i % 999999), txt)  # ~ the mean text length
            elif k == "number":
                ws.write_number(r, col, i * 1.25, num)
            elif k == "date":
                ws.write_datetime(r, col, d0, dat)
            elif k == "blank":
                ws.write_blank(r, col, None, txt)
            else:
                ws.write_formula(r, col, "=SUM(A1:A2)", num, 0)
            i += 1
wb.close()
t1 = time.perf_counter()
print(json.dumps(dict(total=t1 - t0, maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def _run(code: str) -> dict:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def _copy_sqlite(url: str, tmp: Path) -> str:
    import sqlite3

    from sqlalchemy.engine import make_url

    src_path = make_url(url).database
    dst = tmp / "bench_copy.db"
    src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True)
    out = sqlite3.connect(dst)
    src.backup(out)
    out.close()
    src.close()
    return f"sqlite:///{dst}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="sqlite:////tmp/bench_full.db")
    ap.add_argument("--quarter", default="2026Q3")
    ap.add_argument("--today", default="2026-11-23", help="the date the report is run (after the quarter: frozen)")
    ap.add_argument("--keep", action="store_true", help="keep the workbooks and the database copy")
    a = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="report_bench_"))
    url = a.db
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        path = make_url(url).database
        if not os.path.exists(path):
            print(f"generating {url} with benchmarks/make_portfolio.py …", flush=True)
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_portfolio.py"), "--db", url], check=True)
        url = _copy_sqlite(url, tmp)
    print(f"database: {a.db}   quarter: {a.quarter}   work dir: {tmp}")

    runs = {}
    for label in ("first", "second"):
        out = str(tmp / f"report_{label}.xlsx")
        runs[label] = _run(REPORT.format(root=str(ROOT), url=url, quarter=a.quarter, today=a.today, out=out))
        runs[label]["bytes"] = os.path.getsize(out)
    cells = runs["first"]["cells"]
    floor = _run(FLOOR.format(cells=json.dumps(cells, ensure_ascii=False), out=str(tmp / "floor.xlsx")))

    n = {k: sum(c.get(k, 0) for c in cells.values()) for k in ("string", "number", "date", "formula", "blank")}
    total_cells = sum(n.values())
    print(f"cells written: {total_cells:,} ({', '.join(f'{k} {v:,}' for k, v in n.items())})")
    print(f"  largest sheets: " + ", ".join(f"{s} {sum(c.values()):,}" for s, c in
                                              sorted(cells.items(), key=lambda x: -sum(x[1].values()))[:4]))
    print(f"{'run':<34}{'seconds':>9}{'peak MB':>9}{'x floor':>9}")
    ft = floor["total"]
    for label, r in runs.items():
        name = f"report, {label} run ({r['state']})"
        print(f"{name:<34}{r['total']:>9.1f}{r['maxrss_mb']:>9.0f}{r['total'] / ft:>9.2f}")
        print(f"{'  imports+connect / build / write':<34}{r['imports_connect']:>6.1f} /{r['build']:>5.1f} /{r['write']:>5.1f}")
    print(f"{'floor: XlsxWriter, same cells':<34}{ft:>9.1f}{floor['maxrss_mb']:>9.0f}{1.0:>9.2f}")
    worst = max(r["total"] for r in runs.values()) / ft
    print(f"target ≤ 3.00x the floor: {'met' if worst <= 3 else 'NOT met'} (worst {worst:.2f}x); "
          f"workbook {runs['first']['bytes'] / 1e6:.1f} MB")
    if not a.keep:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    main()
