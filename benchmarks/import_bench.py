"""Import benchmark (run by hand): a 100,000-row investment sheet in the template's layout.

    .venv/bin/python benchmarks/import_bench.py                 # 100,000 rows
    .venv/bin/python benchmarks/import_bench.py --rows 20000    # quicker

Measures, in one run and on the same file:
  (a) python-calamine merely parsing the workbook (every sheet to Python values);
  (b) the end-to-end `fundtrack import` — the installed console script, as a user runs it — into
      a fresh, already-migrated SQLite database: interpreter start, imports, reading, checks, the
      write and exit (the figure the targets are about); then one more, instrumented run that
      shows where the time goes (`import_files` and its stages, timed inside the process);
  (c) pandas.read_excel(engine="openpyxl") + DataFrame.to_sql into SQLite.
Targets: (b) ≤ 2 × (a); (c) ≥ 5 × (b); peak RSS of (b) < 600 MB (getrusage maxrss of the children).

The workbook (cached under --work, default /tmp/fundtrack-bench) holds 1 guidance fund,
50 sub-funds and N investments in N/2 companies (two rounds each), every company with a
valid generated USCC, amounts in 万元 with two decimals.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PY = sys.executable


def make_workbook(path: Path, rows: int, seed: int = 7) -> None:
    import xlsxwriter

    from fundtrack.uscc import make_uscc
    from importers.fields import GUIDANCE, INVESTMENT, SUB
    from importers.template import header_text

    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": datetime(2026, 1, 1)})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})

    g = wb.add_worksheet(GUIDANCE.label)
    g.write_row(0, 0, ["序号"] + [header_text(GUIDANCE, f) for f in GUIDANCE.fields])
    g.write_row(1, 0, [1, "基准测试引导基金（虚构）", "市级", "测试财政局", "测试管理机构", "武汉市", 10_000_000, 5_000_000])

    s = wb.add_worksheet(SUB.label)
    s.write_row(0, 0, ["序号"] + [header_text(SUB, f) for f in SUB.fields])
    subs = [f"基准子基金{i:02d}号（有限合伙）" for i in range(50)]
    for i, name in enumerate(subs, start=1):
        s.write_row(i, 0, [i, name, "基准测试引导基金（虚构）", "测试管理人", f"SB{i:04d}", 200_000, 40_000, 20_000,
                           100_000])

    inv = wb.add_worksheet(INVESTMENT.label)
    inv.write_row(0, 0, ["序号"] + [header_text(INVESTMENT, f) for f in INVESTMENT.fields])
    places = ["湖北省武汉市东湖新技术开发区", "武汉市洪山区", "广东省深圳市南山区", "江苏省苏州市工业园区"]
    industries = ["集成电路", "生物医药", "新能源汽车", "人工智能", "新材料"]
    companies = []
    for k in range(rows // 2 + 1):
        companies.append((f"基准测试企业{k:06d}有限公司", make_uscc(rng, "420100"), rng.choice(industries),
                          rng.choice(places)))
    base = datetime(2021, 1, 1)
    for r in range(1, rows + 1):
        c = companies[(r - 1) // 2]
        fund = subs[rng.randrange(50)]
        inv.write_row(r, 0, [r, c[0], c[1], fund, c[2], c[3], "A轮" if r % 2 else "B轮"])
        inv.write_datetime(r, 7, base + timedelta(days=rng.randrange(2000)), dfmt)
        amount = rng.randrange(10_000, 500_000) / 100  # 万元, two decimals
        inv.write_row(r, 8, [amount, rng.randrange(10, 300) / 1000, round(amount * rng.uniform(0.8, 2), 2),
                             "是" if rng.random() < 0.5 else "", "未退出", 0])
    wb.close()


def calamine_parse(path: Path) -> float:
    t = time.perf_counter()
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    n = 0
    for name in wb.sheet_names:
        n += len(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
    return time.perf_counter() - t


def fresh_db(work: Path, name: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        p = work / f"{name}{suffix}"
        if p.exists():
            p.unlink()
    url = f"sqlite:///{work / name}"
    subprocess.run([PY, "-c", f"from fundtrack.db import open_engine; open_engine({url!r}).dispose()"],
                   check=True, cwd=ROOT)
    return url


def end_to_end(path: Path, url: str) -> tuple[float, float, float]:
    """Wall time of the CLI subprocess, the in-process import time it reports, its peak RSS in MB."""
    # import_files is wrapped when importers.pipeline is first imported (an import hook), not
    # imported up front: the CLI starts parsing the workbook before it loads the pipeline, and
    # the measurement must not change that order.
    code = (
        "import sys, time, json, importlib.abc, importlib.machinery\n"
        "t0 = time.perf_counter()\n"
        "box = {}\n"
        "def patch(p):\n"
        "    orig = p.import_files\n"
        "    def timed(*a, **k):\n"
        "        t = time.perf_counter(); box['start'] = t - t0; r = orig(*a, **k)\n"
        "        box['t'] = time.perf_counter() - t; box['stages'] = r.timings; return r\n"
        "    p.import_files = timed\n"
        "class Hook(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name != 'importers.pipeline':\n"
        "            return None\n"
        "        sys.meta_path.remove(self)\n"
        "        spec = importlib.machinery.PathFinder.find_spec(name, path)\n"
        "        run = spec.loader.exec_module\n"
        "        def exec_module(m):\n"
        "            run(m); patch(m)\n"
        "        spec.loader.exec_module = exec_module\n"
        "        return spec\n"
        "sys.meta_path.insert(0, Hook())\n"
        "from fundtrack.cli import main\n"
        f"rc = main(['--db', {url!r}, 'import', {str(path)!r}, '--json'])\n"
        "box['end'] = time.perf_counter() - t0\n"
        "sys.stderr.write(json.dumps({'rc': rc, 'inproc': box.get('t'), 'stages': box.get('stages'),\n"
        "                            'start': box.get('start'), 'end': box.get('end')}) + '\\n')\n"
    )
    t = time.perf_counter()
    r = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode != 0 or '"ok": true' not in r.stdout:
        print(r.stdout[-3000:], r.stderr[-3000:])
        raise SystemExit("import failed")
    info = json.loads(r.stderr.strip().splitlines()[-1])
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("    (b) stages:", {k: round(v, 2) for k, v in (info["stages"] or {}).items()}, f"wall {wall:.2f}",
          f"(import_files called at {info['start']:.2f}, main returned at {info['end']:.2f})")
    return wall, info["inproc"], rss_mb


def cli_wall(path: Path, url: str) -> float:
    t = time.perf_counter()
    subprocess.run([str(Path(PY).with_name("fundtrack")), "--db", url, "import", str(path), "--json"],
                   cwd=ROOT, capture_output=True, check=True)
    return time.perf_counter() - t


def pandas_path(path: Path, work: Path) -> float:
    import sqlite3

    import pandas as pd

    db = work / "pandas.db"
    if db.exists():
        db.unlink()
    t = time.perf_counter()
    frames = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    con = sqlite3.connect(db)
    for name, df in frames.items():
        df.to_sql(f"t{abs(hash(name))}", con, index=False)
    con.commit()
    con.close()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--work", default="/tmp/fundtrack-bench")
    ap.add_argument("--skip-pandas", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs of (a) and (b); the best counts")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"investments-{args.rows}.xlsx"
    if not path.exists():
        t = time.perf_counter()
        make_workbook(path, args.rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f}s")

    # The machine may be shared: each figure is the best of --repeat runs, (a) and (b) interleaved.
    # (b) is the installed `fundtrack` console script itself, exactly as a user runs it.
    a_runs, b_runs = [], []
    for _ in range(args.repeat):
        a_runs.append(calamine_parse(path))
        b_runs.append(cli_wall(path, fresh_db(work, "bench.db")))
    a, b_wall = min(a_runs), min(b_runs)
    # Where the time goes: one more run, instrumented from inside (not counted above).
    _, b_in, _ = end_to_end(path, fresh_db(work, "bench.db"))
    url = fresh_db(work, "bench.db")
    cli_wall(path, url)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # The same file again into the now-full database: the no-op re-import.
    b_again = cli_wall(path, url)
    c = None if args.skip_pandas else pandas_path(path, work)

    print(f"rows: {args.rows:,}   file: {path.stat().st_size / 1e6:.1f} MB   python {sys.version.split()[0]}  "
          f"cpus {os.cpu_count()}   load {os.getloadavg()[0]:.1f}   best of {args.repeat}")
    print(f"(a) calamine parse only                    {a:7.2f} s   runs {_fmt(a_runs)}")
    print(f"(b) fundtrack import, subprocess wall      {b_wall:7.2f} s   = {b_wall / a:4.2f} × (a)   target ≤ 2"
          f"   runs {_fmt(b_runs)}")
    print(f"    import_files() in the instrumented run {b_in:7.2f} s   = {b_in / a:4.2f} × (a)")
    print(f"    peak RSS of (b)                        {rss:7.0f} MB  target < 600")
    print(f"    re-import of the same file (no-op)     {b_again:7.2f} s")
    if c is not None:
        print(f"(c) pandas read_excel(openpyxl) + to_sql   {c:7.2f} s   = {c / b_wall:4.1f} × (b)   target ≥ 5")


def _fmt(xs) -> str:
    return " ".join(f"{x:.2f}" for x in xs)


if __name__ == "__main__":
    main()
