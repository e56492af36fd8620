"""Each hostile file of tests/hostile.py through `fundtrack import`, in a fresh subprocess:
wall time, peak RSS and the first line of the refusal. A clean refusal is exit 1 and no
traceback; the baseline row is a valid one-sheet workbook refused for having no records.

    python benchmarks/hostile_bench.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import hostile  # noqa: E402

WRAP = (
    "import resource, subprocess, sys, time, json\n"
    "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps([time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,"
    " r.returncode, r.stdout + r.stderr]))\n"
)


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        files = {name: make(d / name) for name, make in hostile.CORPUS.items()}
        files["no_dimension_600k_rows.xlsx"] = hostile.million_rows(d / "nodim.xlsx", with_dimension=False,
                                                                    rows=600_000)
        base = d / "empty_template_sheet.xlsx"
        base.write_bytes(hostile.valid_xlsx_bytes())
        files = {"(baseline) header-only workbook": base, **files}
        print(f"{'file':<34} {'size':>10} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
        for name, path in files.items():
            db = f"sqlite:///{d / 'h.db'}"
            r = subprocess.run([sys.executable, "-c", WRAP, sys.executable, "-m", "fundtrack", "--db", db, "import",
                                str(path)], capture_output=True, text=True, check=True)
            secs, rss, code, out = json.loads(r.stdout)
            line = next((ln.strip() for ln in out.splitlines() if "错误" in ln or "rror" in ln),
                        out.strip().splitlines()[-1] if out.strip() else "")
            # Every file is refused, the baseline too (a header without records is an error).
            flag = "" if code == 1 and "Traceback" not in out else "  <-- NOT CLEAN"
            print(f"{name:<34} {path.stat().st_size:>10,} {code:>4} {secs:>8.2f} {rss:>8}  {line[:90]}{flag}")


if __name__ == "__main__":
    main()
