"""One import, start to finish: files → sheets → records → entities → plan → one transaction.

All problems of all files are collected before anything is written; any error means nothing
is written (the transaction is never opened for writing, or is rolled back). Warnings (an
unknown column, a skipped sheet) do not stop an import.
"""

from __future__ import annotations

import getpass
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from fundtrack.db import write_transaction

from importers.entities import Builder
from importers.headers import HeaderMapping, find_layout, norm
from importers.plan import Planner, load_state, make_plan
from importers.problems import Problem, Problems
from importers.read import ReadError, collector_paused, file_sha256, read_file
from importers.records import SheetRecords, read_records
from importers.writer import FileBatch, PlanWriter

# Sheets that explain rather than hold records.
INSTRUCTION_SHEETS = frozenset(norm(s) for s in ("填写说明", "说明", "使用说明", "instructions", "readme", "封面",
                                                 "目录", "字典", "下拉选项", "lists"))


class Progress:
    """What the pipeline tells a progress display. The default shows nothing."""

    def stage(self, label: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def done(self) -> None: ...


@dataclass
class ImportOptions:
    unit: str | None = None
    mapping: HeaderMapping | None = None
    dry_run: bool = False
    kind: str = "import"  # ImportBatch.kind: import | demo
    actor: str | None = None
    progress: Progress = field(default_factory=Progress)
    display_names: list[str] | None = None  # names to record instead of the paths' names
    reader: Callable[..., list] | None = None  # read_file, or a read.Prefetch's read
    digest: Callable[[Path], str] | None = None  # read.file_sha256, or a read.Prefetch's sha256
    # A list to leave the import's working data in (the grids, the entities, the plan) instead
    # of freeing it: the CLI ends its process right after, and freeing millions of objects one
    # by one would cost a 100,000-row import ≈ 0.05 s for nothing.
    retain: list | None = None


@dataclass
class ImportResult:
    problems: list[Problem]
    counts: dict[str, dict[str, int]]
    batch_ids: list[int]
    dry_run: bool
    files: list[str]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, for benchmarks

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self, lang: str = "zh") -> dict:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "errors": [p.as_json(lang) for p in self.errors],
            "warnings": [p.as_json(lang) for p in self.warnings],
            "counts": self.counts,
            "batches": self.batch_ids,
        }


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (containers)
        return "unknown"


def _counts(rec: SheetRecords) -> dict[str, int]:
    o = rec.outcome
    added = o.count(2)
    changed = o.count(1)
    return {"added": added, "changed": changed, "unchanged": len(o) - added - changed}


def read_sheets(path: Path, shown: str, opts: ImportOptions, sink: list[Problem]) -> list[SheetRecords]:
    file_probs = Problems(shown, "", sink)
    try:
        raw_sheets = (opts.reader or read_file)(path, shown, opts.mapping)
    except ReadError as exc:
        file_probs.add_at("", exc.zh, exc.en)
        return []
    if opts.retain is not None:
        opts.retain.append(raw_sheets)
    out = []
    for sheet in raw_sheets:
        if not sheet.rows or not any(any(r) for r in sheet.rows[:200]):
            continue
        if norm(sheet.name) in INSTRUCTION_SHEETS:
            continue
        layout = find_layout(sheet, opts.mapping)
        if sheet.exact is not None and (layout is None or not sheet.fits(layout)):
            # Read column-wise as its head suggested; with the merged cells known the table
            # turns out otherwise (starts elsewhere, a field in a column read as text): read
            # it again the normal way.
            sheet = sheet.read_normally()
            layout = find_layout(sheet, opts.mapping)
        if layout is None:
            Problems(shown, sheet.name, sink).warn(
                None, None, "无法识别此工作表的记录类型（引导基金/子基金/投资项目/资金流水），已跳过",
                "cannot tell what this sheet holds (guidance funds / sub-funds / investments / cash flows): skipped")
            continue
        opts.progress.advance(0)
        out.append(read_records(sheet, layout, opts.unit, Problems(shown, sheet.name, sink)))
    if not any(p.severity == "error" and p.file == shown for p in sink):
        if not out:
            file_probs.add_at("", "文件中没有可导入的工作表（引导基金/子基金/投资项目/资金流水）",
                              "the file has no sheet to import (guidance funds / sub-funds / investments / cash flows)")
        elif not any(r.rows for r in out):
            # Most likely the blank template, or the wrong file: an import that adds nothing.
            file_probs.add_at("", "文件中没有数据行（只有表头或示例行）", "the file has no records (only headers or examples)")
    return out


def import_files(engine: Engine, paths: list[str | Path], opts: ImportOptions | None = None) -> ImportResult:
    with collector_paused():
        return _import_files(engine, paths, opts)


def _import_files(engine: Engine, paths: list[str | Path], opts: ImportOptions | None) -> ImportResult:
    opts = opts or ImportOptions()
    sink: list[Problem] = []
    names = opts.display_names or [Path(p).name for p in paths]
    files: list[FileBatch] = []
    builder = Builder()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    opts.progress.stage("读取 reading", None)
    for p, shown in zip(paths, names):
        path = Path(p)
        sheets = read_sheets(path, shown, opts, sink)
        sha = (opts.digest or file_sha256)(path) if path.exists() else ""
        files.append(FileBatch(shown, sha, sheets, {}))
    lap("read")
    opts.progress.stage("校验 checking", None)
    for idx, fb in enumerate(files):
        for rec in fb.sheets:
            builder.add(rec, idx, Problems(fb.display, rec.sheet, sink))
    lap("check")

    def has_errors() -> bool:
        return any(p.severity == "error" for p in sink)

    batch_ids: list[int] = []
    if opts.dry_run or has_errors():
        # Nothing will be written: plan against a plain read transaction (no write lock).
        with engine.connect() as conn:
            make_plan(builder.e, load_state(conn, builder.e))
        lap("plan")
    else:
        try:
            # write_transaction serialises writers: BEGIN IMMEDIATE on SQLite, the global
            # pg_advisory_xact_lock on PostgreSQL — taken before the state below is read, so two
            # concurrent imports of overlapping files cannot both insert the same fund.
            with write_transaction(engine, bulk=True) as conn:
                planner = Planner(builder.e, load_state(conn, builder.e))
                opts.progress.stage("写入 writing", None)  # rows written, new companies included
                writer = PlanWriter(conn, files, opts.actor or _actor(), opts.kind, note=_note(files),
                                    progress=opts.progress.advance)
                try:
                    # Each table is written as soon as it is planned; an error found later
                    # (only the database can reveal some) rolls the whole transaction back.
                    for tp in planner.stages():
                        if not has_errors():
                            writer.table(tp)
                    if has_errors():
                        raise _Rollback
                except BaseException:
                    writer.abandon()
                    raise
                for fb in files:
                    fb.counts = {r.sheet: _counts(r) for r in fb.sheets}
                batch_ids = writer.finish()
                lap("plan+write")
            lap("commit")
        except _Rollback:
            pass
    opts.progress.done()
    counts = _all_counts(files)
    if opts.retain is not None:
        opts.retain.append((builder, files))
    return ImportResult(sink, counts, batch_ids if not has_errors() else [], opts.dry_run, names, timings)


class _Rollback(Exception):
    """Leaves write_transaction by rolling back."""


def _note(files: list[FileBatch]) -> str:
    if len(files) < 2:
        return ""
    return json.dumps({"same_transaction": [f.display for f in files]}, ensure_ascii=False)


def _all_counts(files: list[FileBatch]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    multi = len(files) > 1
    for fb in files:
        for rec in fb.sheets:
            key = f"{fb.display}/{rec.sheet}" if multi else rec.sheet
            counts[key] = _counts(rec)
    return counts
