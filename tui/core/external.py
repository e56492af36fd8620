"""The importer and the report writer, as the TUI calls them (from worker threads).

Both prefer the packages' Python APIs — importers.pipeline.import_files (with real progress
stages) and reports.cli.write_report — and fall back to the stable CLI contract
(`fundtrack import FILE --dry-run --json`, `fundtrack report --quarter Q -o FILE`) in a
subprocess when the API is not there, so the UI works against either.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ProgressFn = Callable[[str, int | None, int], None]  # (stage label, total or None, done so far)


@dataclass
class ImportOutcome:
    ok: bool
    dry_run: bool
    errors: list[dict] = field(default_factory=list)  # {"file","sheet","cell","message"}
    warnings: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # sheet → {"added","changed","unchanged"}
    batches: list = field(default_factory=list)
    failure: str | None = None  # the importer itself failed (not the file)
    via: str = "api"


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def run_import(engine, path: str | Path, *, dry_run: bool, lang: str = "zh", unit: str | None = None,
               progress: ProgressFn | None = None) -> ImportOutcome:
    try:
        from importers.pipeline import ImportOptions, Progress, import_files
    except ImportError:
        return run_import_cli(_url(engine), path, dry_run=dry_run, lang=lang, unit=unit)

    class _P(Progress):
        def __init__(self) -> None:
            self.label, self.total, self.done_n = "", None, 0

        def stage(self, label: str, total: int | None = None) -> None:
            self.label, self.total, self.done_n = label, total, 0
            if progress:
                progress(label, total, 0)

        def advance(self, n: int = 1) -> None:
            self.done_n += n
            if progress and (self.total is None or self.done_n % 500 < n or self.done_n >= self.total):
                progress(self.label, self.total, self.done_n)

    try:
        res = import_files(engine, [str(path)], ImportOptions(unit=unit, dry_run=dry_run, progress=_P()))
    except Exception as exc:  # the importer crashed: show it, never take the UI down
        return ImportOutcome(False, dry_run, failure=f"{type(exc).__name__}: {exc}")
    j = res.as_json(lang)
    return ImportOutcome(bool(j.get("ok", not j.get("errors"))), dry_run, j.get("errors", []), j.get("warnings", []),
                         j.get("counts", {}), j.get("batches", []))


def run_import_cli(db_url: str, path: str | Path, *, dry_run: bool, lang: str = "zh",
                   unit: str | None = None) -> ImportOutcome:
    """`fundtrack --db URL import FILE [--dry-run] --json` in a subprocess (exit 0 ok, 1 rejected)."""
    cmd = [sys.executable, "-m", "fundtrack", "--db", db_url, "--lang", lang, "import", str(path), "--json"]
    if dry_run:
        cmd.append("--dry-run")
    if unit:
        cmd += ["--unit", unit]
    p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    try:
        j = json.loads(p.stdout)
    except (ValueError, TypeError):
        msg = (p.stderr or p.stdout or f"exit {p.returncode}").strip().splitlines()
        return ImportOutcome(False, dry_run, failure=msg[-1] if msg else f"exit {p.returncode}", via="cli")
    return ImportOutcome(p.returncode == 0, dry_run, j.get("errors", []), j.get("warnings", []), j.get("counts", {}),
                         j.get("batches", []), via="cli")


@dataclass
class ReportOutcome:
    ok: bool
    path: str | None = None
    message: str = ""
    via: str = "api"


def run_report(engine, quarter: str, output: str | Path, *, lang: str = "zh") -> ReportOutcome:
    out = Path(output).expanduser()
    try:
        from reports.cli import write_report
    except ImportError:
        return run_report_cli(_url(engine), quarter, out, lang=lang)
    try:
        write_report(engine, quarter, out, lang=lang)
    except Exception as exc:
        return ReportOutcome(False, None, f"{type(exc).__name__}: {exc}")
    return ReportOutcome(True, str(out.resolve()))


def run_report_cli(db_url: str, quarter: str, output: Path, *, lang: str = "zh") -> ReportOutcome:
    cmd = [sys.executable, "-m", "fundtrack", "--db", db_url, "--lang", lang, "report", "--quarter", quarter,
           "-o", str(output)]
    p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
    if p.returncode != 0 or not output.exists():
        msg = (p.stderr or p.stdout or f"exit {p.returncode}").strip().splitlines()
        return ReportOutcome(False, None, msg[-1] if msg else f"exit {p.returncode}", via="cli")
    return ReportOutcome(True, str(output.resolve()), p.stdout.strip(), via="cli")


def valid_quarter(q: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}Q[1-4]", q.strip().upper()))
