"""TUI responsiveness on the benchmark portfolio (50 guidance funds, 2,000 sub-funds, 100k
investments, ~500k flows):

    python benchmarks/make_portfolio.py --db sqlite:////tmp/bench_full.db     # once
    python benchmarks/tui_bench.py --db sqlite:////tmp/bench_full.db

Each run is a fresh interpreter (so imports count), driving the real app headless at
160×45:

1. launch → first paint of the main screen (tree of guidance funds on screen), measured
   from before the interpreter starts;
2. opening the 100,000-investment table (the root's 投资 tab) → its first rows painted;
3. 20 PageDowns plus one filter keystroke (`/` then a character) → the filtered rows painted.

Targets on a 2-core machine: < 1.5 s, < 1 s, < 1 s. `--runs N` repeats and reports the median;
`--settled` also measures 2 and 3 after the overview figures finished computing in the
background (without that, the summary worker competes for the CPU, as it does for a user
who opens the table straight away).
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
TARGETS = {"launch": 1.5, "table": 1.0, "scroll_filter": 1.0}


def child(db: str, t0: float, settled: bool, size=(160, 45)) -> dict:
    """Runs in the fresh interpreter: drive the app, print the timings as JSON."""
    import asyncio

    sys.path.insert(0, str(ROOT))
    from tui.app import FundtrackApp
    from tui.widgets.detail import DetailPane
    from tui.widgets.vtable import VirtualTable

    out: dict = {}

    async def main():
        from datetime import date

        # As tui.app.run does it: the engine (and its schema check) first, then the app.
        from fundtrack.db import open_engine

        engine = open_engine(db)
        app = FundtrackApp(engine=engine, as_of=date(2026, 9, 30), cursor_blink=False)
        painted = asyncio.Event()

        def hook():
            out["launch"] = time.time() - t0
            painted.set()

        app.first_paint_hook = hook
        async with app.run_test(size=size) as pilot:
            await painted.wait()
            out["tree_funds"] = len(app.main.tree.root.children)
            pane = app.main.query_one(DetailPane)
            # wait for the pane's SQL part (its tabs) — it arrives with the first frames
            while "investments" not in [t.tab for t in pane.tables]:
                await asyncio.sleep(0.005)
            if settled:
                await app.workers.wait_for_complete()
                await pilot.pause(0.1)
            table = pane.query_one(VirtualTable)

            async def painted_rows(pred, what: str = ""):
                end = time.perf_counter() + 60
                while not pred():
                    await asyncio.sleep(0.002)
                    if time.perf_counter() > end:
                        raise TimeoutError(f"waiting for {what}: cursor {table.cursor_row}, rows {table.row_count}, "
                                           f"busy {table.busy}, view {table.source.view.filter_text!r} "
                                           f"partial {table.source.view.partial}, focused {app.focused}")
                done = asyncio.Event()
                table.call_after_refresh(done.set)
                await done.wait()

            t = time.perf_counter()
            pane.select_tab("investments")
            await painted_rows(lambda: table.source is not None and len(table.source) > 0, "the table")
            out["table"] = time.perf_counter() - t
            out["table_rows"] = table.source.total
            table.focus()
            # (a user presses tab and then starts paging: let the footer catch up with the focus)
            await asyncio.sleep(0.3)

            # Keys go in the way a terminal delivers them (the driver's queue), as fast as they
            # come; the clock stops when the result is on screen. (Pilot.press would wait for the
            # process to look idle after every key, which a background worker never lets it.)
            from textual import events

            def key(k: str, ch: str | None = None) -> None:
                ev = events.Key(k, ch)
                ev.set_sender(app)
                app._driver.send_message(ev)

            page = table.page_rows
            t = time.perf_counter()
            for _ in range(20):
                key("pagedown")
            await painted_rows(lambda: table.cursor_row >= min(20 * page, table.row_count - 1), "the page-downs")
            out["pagedowns"] = time.perf_counter() - t
            out["cursor_after_pagedowns"] = table.cursor_row
            first_view = table.source.view
            from tui.widgets.dataview import FilterInput

            fi = pane.query_one(FilterInput)
            key("slash", "/")
            await painted_rows(lambda: fi.has_focus, "the filter's focus")
            key("7", "7")
            await painted_rows(lambda: table.source.view is not first_view and table.source.view.filter_text == "7",
                               "the filtered rows")
            out["scroll_filter"] = time.perf_counter() - t
            out["filter_first_rows"] = len(table.source)
            await painted_rows(lambda: not table.source.view.partial and not table.busy, "the whole filtered view")
            out["filter_complete"] = time.perf_counter() - t
            out["filtered_rows"] = len(table.source)
            app.exit()

    asyncio.run(main())
    return out


def run_once(db: str, settled: bool) -> dict:
    t0 = time.time()
    p = subprocess.run([sys.executable, __file__, "--child", "--db", db, "--t0", repr(t0)]
                       + (["--settled"] if settled else []),
                       capture_output=True, text=True, cwd=ROOT, env={**os.environ, "TEXTUAL": ""})
    if p.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{p.stderr[-4000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="sqlite:////tmp/bench_full.db")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--settled", action="store_true", help="also measure after the background figures finished")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--t0", type=float, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.db, a.t0 or time.time(), a.settled)))
        return 0

    def report(label: str, settled: bool) -> bool:
        runs = [run_once(a.db, settled) for _ in range(a.runs)]
        r0 = runs[-1]
        print(f"\n{label}")
        print(f"  ({a.runs} runs, median; {r0['tree_funds']} guidance funds in the tree, "
              f"{r0['table_rows']:,} investments, {r0['filtered_rows']:,} rows after the filter)")
        ok = True
        for k, name in (("launch", "launch → main screen painted"), ("table", "100k-investment table painted"),
                        ("scroll_filter", "20 × PageDown + filter keystroke")):
            vals = [r[k] for r in runs]
            med = statistics.median(vals)
            good = med < TARGETS[k]
            ok &= good
            print(f"  {name:<36} {med:6.3f} s   (runs: {', '.join(f'{v:.3f}' for v in vals)})  "
                  f"target < {TARGETS[k]} s  {'OK' if good else 'SLOW'}")
        for k, name in (("pagedowns", "  of which the 20 PageDowns"),
                        ("filter_complete", "  filter's last row ids in place")):
            vals = [r[k] for r in runs]
            print(f"  {name:<36} {statistics.median(vals):6.3f} s")
        return ok

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"fundtrack TUI benchmark on {a.db}  (python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {load:.2f} before the runs)")
    ok = report("straight after launch (overview figures computing in the background)", False)
    if a.settled:
        ok &= report("after the background figures finished", True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
