"""Import screen: pick a workbook, check it (dry run: added / changed / unchanged per sheet,
every error with its sheet!cell), then confirm. Both run in a worker with a progress bar;
the UI never waits on the importer. Not available in read-only mode."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DirectoryTree, Footer, Input, Label, ProgressBar, Static

from tui.core.external import ImportOutcome, run_import
from tui.core.sources import Column, MemorySource
from tui.i18n import lang, tr
from tui.widgets.common import localise
from tui.widgets.dataview import DataView

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


class WorkbookTree(DirectoryTree):
    DEFAULT_CSS = "WorkbookTree { width: 1fr; }"

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        out = []
        for p in paths:
            if p.name.startswith("."):
                continue
            try:
                if p.is_dir() or p.suffix.lower() in SUFFIXES:
                    out.append(p)
            except OSError:
                continue
        return out


class ImportScreen(Screen):
    DEFAULT_CSS = """
    ImportScreen #import-body { height: 1fr; }
    ImportScreen #files { width: 40; border-right: vkey $panel-lighten-1; }
    ImportScreen #right { width: 1fr; padding: 0 1; }
    ImportScreen #path { margin: 1 0 0 0; }
    ImportScreen #import-buttons { height: auto; margin: 0 0 1 0; }
    ImportScreen #import-buttons Button { margin-right: 2; }
    ImportScreen #progress-row { height: 1; }
    ImportScreen #status { height: auto; margin: 0 0 1 0; }
    ImportScreen #counts { height: auto; max-height: 12; }
    ImportScreen #errors { height: 1fr; }
    ImportScreen .section { text-style: bold; margin: 1 0 0 0; }
    """

    BINDINGS = [
        Binding("escape", "back", "b.back", id="import.back"),
        Binding("ctrl+r", "check", "b.dry_run", id="import.check"),
        Binding("ctrl+s", "confirm", "b.confirm", id="import.confirm"),
    ]

    class Progress(Message):
        def __init__(self, label: str, total: int | None, done: int) -> None:
            super().__init__()
            self.label, self.total, self.done = label, total, done

    class Done(Message):
        def __init__(self, path: str, outcome: ImportOutcome) -> None:
            super().__init__()
            self.path, self.outcome = path, outcome

    def __init__(self, start: str | Path | None = None) -> None:
        super().__init__()
        localise(self)
        self.start = Path(start) if start else Path.cwd()
        self.checked: str | None = None  # the path the last clean dry run was for
        self.running = False
        self.outcome: ImportOutcome | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(tr("imp.title"), style="bold"), classes="screen-title")
        with Horizontal(id="import-body"):
            yield WorkbookTree(self.start, id="files")
            with Vertical(id="right"):
                yield Input(placeholder=tr("imp.path_ph"), id="path", select_on_focus=False)
                with Horizontal(id="import-buttons"):
                    yield Button(tr("imp.dry_run"), variant="primary", id="check")
                    yield Button(tr("imp.confirm"), variant="success", id="confirm", disabled=True)
                with Horizontal(id="progress-row"):
                    yield ProgressBar(total=None, show_eta=False, id="progress")
                yield Static("", id="status")
                yield Label(tr("imp.counts"), classes="section")
                yield DataView(id="counts", title=tr("imp.counts"), compact=True)
                yield Label("", classes="section", id="errors-title")
                yield DataView(id="errors", title=tr("imp.errors", n=""), compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress-row").display = False
        inp = self.query_one("#path", Input)
        inp.cursor_blink = self.app.cursor_blink
        inp.focus()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "confirm":
            return self.checked is not None and not self.running
        if action == "check":
            return not self.running
        return True

    # -- choosing a file -------------------------------------------------------------------------
    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#path", Input).value = str(event.path)
        self.action_check()

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        if self.checked is not None and event.value.strip() != self.checked:
            self.checked = None
            self.query_one("#confirm", Button).disabled = True
            self.refresh_bindings()

    @on(Input.Submitted, "#path")
    def _submitted(self) -> None:
        self.action_check()

    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        if self.running:
            return
        path = self.query_one("#path", Input).value.strip()
        if not path:
            self._status(tr("imp.no_file"), "yellow")
            return
        p = Path(path).expanduser()
        if not p.is_file():
            self._status(tr("imp.not_found", path=path), "red")
            return
        self._start(str(p), dry_run=True)

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        if self.running or self.checked is None or self.app.read_only:
            return
        self._start(self.checked, dry_run=False)

    def action_back(self) -> None:
        if not self.running:
            self.app.pop_screen()

    # -- running the importer ----------------------------------------------------------------------
    def _start(self, path: str, dry_run: bool) -> None:
        self.running = True
        self.refresh_bindings()
        self.query_one("#check", Button).disabled = True
        self.query_one("#confirm", Button).disabled = True
        self.query_one("#progress-row").display = True
        self.query_one("#progress", ProgressBar).update(total=None, progress=0)
        name = Path(path).name
        self._status(tr("imp.checking" if dry_run else "imp.importing", name=name), "")
        self._run(path, dry_run)

    @work(thread=True, exclusive=True, group="import")
    def _run(self, path: str, dry_run: bool) -> None:
        out = run_import(self.app.engine, path, dry_run=dry_run, lang=lang(),
                         progress=lambda label, total, done: self.post_message(self.Progress(label, total, done)))
        self.post_message(self.Done(path, out))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        bar = self.query_one("#progress", ProgressBar)
        if event.total:
            bar.update(total=event.total, progress=event.done)
        else:
            bar.update(total=None)

    @on(Done)
    def _done(self, event: Done) -> None:
        self.running = False
        out = event.outcome
        self.outcome = out
        self.query_one("#progress-row").display = False
        self.query_one("#check", Button).disabled = False
        name = Path(event.path).name
        self._show_counts(out.counts)
        self._show_errors(out.errors + out.warnings)
        if out.failure:
            self._status(tr("imp.failed", msg=out.failure), "red")
            self.checked = None
        elif not out.ok:
            self._status(tr("imp.rejected"), "red")
            self.checked = None
        elif out.dry_run:
            self._status(tr("imp.no_errors"), "green")
            self.checked = event.path
            self.query_one("#confirm", Button).disabled = False
        else:
            self._status(tr("imp.imported", name=name), "green")
            self.checked = None
            self.app.notify(tr("imp.imported", name=name), timeout=6)
            self.app.data_changed()
        self.refresh_bindings()

    def _status(self, text: str, colour: str) -> None:
        self.query_one("#status", Static).update(Text(text, style=f"bold {colour}".strip()))

    def _show_counts(self, counts: dict) -> None:
        cols = [Column("sheet", tr("c.sheet"), max_width=24), Column("added", tr("c.added"), "int"),
                Column("changed", tr("c.changed"), "int"), Column("unchanged", tr("c.unchanged"), "int")]
        rows = [(s, c.get("added", 0), c.get("changed", 0), c.get("unchanged", 0)) for s, c in counts.items()]
        self.query_one("#counts", DataView).set_source(MemorySource("import_counts", cols, rows).load())

    def _show_errors(self, problems: list[dict]) -> None:
        errors = [p for p in problems]
        cols = [Column("where", tr("c.sheet_cell"), max_width=22), Column("message", tr("c.message"), max_width=120)]
        rows = []
        for p in errors:
            where = f"{p.get('sheet')}!{p.get('cell')}" if p.get("sheet") and p.get("cell") else (
                p.get("sheet") or p.get("file") or "")
            rows.append((where, p.get("message", "")))
        n_err = len(self.outcome.errors) if self.outcome else len(rows)
        self.query_one("#errors-title", Label).update(tr("imp.errors", n=n_err) if n_err else tr("imp.no_errors"))
        self.query_one("#errors", DataView).set_source(MemorySource("import_errors", cols, rows).load())
