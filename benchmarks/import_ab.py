"""A/B of `fundtrack import` between two checkouts, runs interleaved (run by hand).

    git worktree add /tmp/base <commit>
    .venv/bin/python benchmarks/import_ab.py /tmp/base --runs 12

On a noisy shared VM the import's wall time drifts by ±30 % from one minute to the next, more
than most changes are worth; alternating the two checkouts run by run puts both through the same
minutes. Each run imports import_bench's 100,000-row workbook into a fresh migrated SQLite file
(both checkouts must share the schema) with this venv's Python, the checkout under test first on
sys.path. Prints best and median of each, and their ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.import_bench import fresh_db, make_workbook  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("base", help="the other checkout (a git worktree)")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--work", default="/tmp/fundtrack-bench")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    book = work / f"investments-{args.rows}.xlsx"
    if not book.exists():
        make_workbook(book, args.rows)
    template = Path(fresh_db(work, "ab-template.db").removeprefix("sqlite:///"))
    checkouts = {"base": Path(args.base).resolve(), "this": ROOT}
    for root in checkouts.values():  # as setup.sh does: no run pays for compiling
        subprocess.run([sys.executable, "-m", "compileall", "-q", "fundtrack", "importers"], cwd=root,
                       capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    for _ in range(args.runs):
        for name, root in checkouts.items():
            db = work / f"ab-{name}.db"
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, db)
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-c", "from fundtrack.cli import entry; entry()", "--db",
                                f"sqlite:///{db}", "import", str(book), "--json"],
                               cwd=work, env=dict(os.environ, PYTHONPATH=str(root)), capture_output=True, text=True)
            times[name].append(time.perf_counter() - t)
            if r.returncode != 0 or '"ok": true' not in r.stdout:
                raise SystemExit(f"{name}: import failed\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    for name, ts in times.items():
        print(f"{name:5s} best {min(ts):.2f} s  median {statistics.median(ts):.2f} s   "
              + " ".join(f"{x:.2f}" for x in ts))
    print(f"this ÷ base: best {min(times['this']) / min(times['base']):.2f}, "
          f"median {statistics.median(times['this']) / statistics.median(times['base']):.2f}")


if __name__ == "__main__":
    main()
