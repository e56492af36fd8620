"""`fundtrack import`, `fundtrack template` and `fundtrack demo` (dispatched from fundtrack.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

# importers.pipeline (SQLAlchemy, the models) is imported inside the commands: `fundtrack import`
# starts reading the workbook before paying for those imports.

BIG_FILE_BYTES = 300_000  # ≈ a few thousand rows of .xlsx: worth a progress display


class RichProgress:
    """A Rich progress display on stderr (the pipeline.Progress protocol); silent when stderr
    is not a terminal."""

    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RP, SpinnerColumn, TextColumn, \
            TimeElapsedColumn

        console = Console(stderr=True)
        self._p = RP(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                     TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal)
        self._p.start()
        self._task = None

    def stage(self, label: str, total: int | None = None) -> None:
        if self._task is not None:
            self._p.remove_task(self._task)
        self._task = self._p.add_task(label, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None and n:
            self._p.advance(self._task, n)

    def done(self) -> None:
        if self._p.live.is_started:
            self._p.stop()


def _zh(args) -> bool:
    return (getattr(args, "lang", None) or "zh") != "en"


def print_result(res, lang: str = "zh", out=None) -> None:
    out = out or sys.stdout
    zh = lang != "en"
    problems = res.errors + res.warnings
    by_file: dict[str, list] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    for f, ps in by_file.items():
        if len(res.files) > 1:
            print(f"[{f}]", file=out)
        for p in ps:
            tag = ("错误" if zh else "error") if p.severity == "error" else ("提示" if zh else "warning")
            print(f"  {tag} {p.render(lang)}", file=out)
    if res.counts and res.ok:
        from rich.console import Console
        from rich.table import Table

        title = ("将要导入（--dry-run）" if res.dry_run else "导入结果") if zh else \
            ("What would be imported (--dry-run)" if res.dry_run else "Import result")
        t = Table(title=title, title_justify="left")
        for i, h in enumerate(("工作表", "新增", "变更", "未变") if zh else ("sheet", "added", "changed", "unchanged")):
            t.add_column(h, justify="left" if i == 0 else "right")
        for sheet, c in res.counts.items():
            t.add_row(sheet, f"{c['added']:,}", f"{c['changed']:,}", f"{c['unchanged']:,}")
        Console(file=out, soft_wrap=True).print(t)
    n = len(res.errors)
    if n:
        print((f"导入被拒绝：共 {n} 个错误，数据库未作任何改动。" if zh else
               f"Import rejected: {n} error(s); the database is unchanged."), file=out)
    elif res.dry_run:
        print("检查通过（--dry-run，未写入）。" if zh else "Checked: no errors (--dry-run, nothing written).", file=out)
    else:
        ids = ", ".join(map(str, res.batch_ids))
        print(f"已导入（批次 {ids}）。" if zh else f"Imported (batch {ids}).", file=out)


def cmd_import(args) -> int:
    from importers.mapping import MappingError, load_mapping

    lang = "zh" if _zh(args) else "en"
    mapping = None
    if getattr(args, "map", None):
        try:
            mapping = load_mapping(args.map)
        except MappingError as exc:
            msg = exc.zh if lang == "zh" else exc.en
            if args.json:
                print(json.dumps({"ok": False, "errors": [{"file": args.map, "sheet": "", "cell": "", "message": msg}],
                                  "counts": {}}, ensure_ascii=False, indent=2))
            else:
                print(f"错误 error: {msg}", file=sys.stderr)
            return 1
    from importers.read import collector_paused

    # From here, not only in import_files: the prefetch builds the grid (1.5 M objects for
    # 100,000 rows) before import_files is called. When the process ends with the command
    # (fundtrack.cli.entry), the collector stays off and the import's data is left for the exit.
    ending = getattr(args, "process_ends", False)
    with collector_paused(restore=not ending):
        return _import(args, list(args.files), mapping, lang, _RETAINED if ending else None)


_RETAINED: list = []  # what an import leaves for the process's exit (ImportOptions.retain)


def _import(args, files: list, mapping, lang: str, retain: list | None = None) -> int:
    from importers.read import Prefetch

    # Start parsing the workbooks now; the heavy imports and the schema check run meanwhile.
    prefetch = Prefetch(files, [Path(f).name for f in files], mapping)

    big = any(Path(f).exists() and Path(f).stat().st_size > BIG_FILE_BYTES for f in files)
    if big:
        # What the big-sheet reader (importers.fastsheet) needs once its parse ends, and records.py's
        # vectorised money path: loaded first, while the parse runs, so the reader never waits.
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
        import pyarrow.compute  # noqa: F401
    from fundtrack.db import open_engine
    from importers.pipeline import ImportOptions, Progress, import_files

    progress = RichProgress() if big else Progress()
    engine = open_engine(args.db)
    try:
        res = import_files(engine, files, ImportOptions(unit=args.unit, mapping=mapping, dry_run=args.dry_run,
                                                        progress=progress, reader=prefetch.read,
                                                        digest=prefetch.sha256, retain=retain))
    finally:
        progress.done()
        engine.dispose()
    if args.json:
        print(json.dumps(res.as_json(lang), ensure_ascii=False, indent=2))
    else:
        print_result(res, lang)
    return 0 if res.ok else 1


def cmd_template(args) -> int:
    from importers.template import write_template

    path = write_template(args.output)
    print(f"已写出导入模板 {path}" if _zh(args) else f"Template written to {path}")
    return 0


def demo_workbook() -> Path:
    return Path(__file__).with_name("data") / "demo.xlsx"


def cmd_demo(args) -> int:
    from fundtrack.cli_render import print_summary
    from fundtrack.db import mask_url, open_engine
    from fundtrack.services.summary import portfolio_summary
    from importers.pipeline import ImportOptions, import_files

    lang = "zh" if _zh(args) else "en"
    engine = open_engine(args.db)
    try:
        res = import_files(engine, [demo_workbook()], ImportOptions(kind="demo", display_names=["demo.xlsx"]))
        if not res.ok:
            print_result(res, lang, out=sys.stderr)
            return 1
        c = {k: sum(v[k] for v in res.counts.values()) for k in ("added", "changed", "unchanged")}
        if lang == "zh":
            print(f"示例组合已载入 {mask_url(str(engine.url))}：新增 {c['added']} 行，变更 {c['changed']} 行，"
                  f"未变 {c['unchanged']} 行（示例数据，子基金与企业均为虚构）。")
        else:
            print(f"Demo portfolio loaded into {mask_url(str(engine.url))}: {c['added']} rows added, "
                  f"{c['changed']} changed, {c['unchanged']} unchanged (sub-funds and companies are fictional).")
        print_summary(portfolio_summary(engine), lang=lang)
    finally:
        engine.dispose()
    return 0
