"""Export screen: pick the quarter and the path, write the quarterly report in a worker, then
show where it went. Writing a report freezes the quarter's snapshot in the database, so like
import it is not offered in read-only mode."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from tui.core.external import ReportOutcome, run_report, valid_quarter
from tui.i18n import lang, tr
from tui.widgets.common import localise


class ExportScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "back", "b.back", id="export.back")]

    class Done(Message):
        def __init__(self, outcome: ReportOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    def __init__(self) -> None:
        super().__init__()
        localise(self)
        self.running = False
        self.written: str | None = None

    def compose(self) -> ComposeResult:
        from tui.core.views import report_quarter

        q = report_quarter(self.app.as_of)
        with Vertical(classes="dialog"):
            yield Label(tr("exp.title"), classes="dialog-title")
            yield Label(tr("exp.quarter"))
            yield Input(q, id="quarter", select_on_focus=False)
            yield Label(tr("exp.path"))
            yield Input(str(Path.cwd() / f"fundtrack-report-{q}.xlsx"), id="path", select_on_focus=False)
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Static("", id="result")
            with Horizontal(classes="buttons"):
                yield Button(tr("exp.run"), variant="primary", id="run")
                yield Button(tr("close"), id="close")

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        for inp in self.query(Input):
            inp.cursor_blink = self.app.cursor_blink
        self.query_one("#path", Input).focus()

    @on(Input.Changed, "#quarter")
    def _quarter_changed(self, event: Input.Changed) -> None:
        q = event.value.strip().upper()
        path = self.query_one("#path", Input)
        p = Path(path.value)
        if valid_quarter(q) and p.name.startswith("fundtrack-report-"):
            path.value = str(p.with_name(f"fundtrack-report-{q}.xlsx"))

    def action_back(self) -> None:
        if not self.running:
            self.dismiss(self.written)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.action_back()

    @on(Input.Submitted)
    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        if self.running:
            return
        q = self.query_one("#quarter", Input).value.strip().upper()
        path = self.query_one("#path", Input).value.strip()
        if not valid_quarter(q):
            self._result(tr("exp.bad_quarter"), "red")
            return
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.running = True
        self.query_one("#run", Button).disabled = True
        self.query_one("#progress").display = True
        self._result(tr("exp.running", q=q), "")
        self._write(q, path)

    @work(thread=True, exclusive=True, group="report")
    def _write(self, quarter: str, path: str) -> None:
        self.post_message(self.Done(run_report(self.app.engine, quarter, path, lang=lang())))

    @on(Done)
    def _done(self, event: Done) -> None:
        self.running = False
        self.query_one("#progress").display = False
        self.query_one("#run", Button).disabled = False
        o = event.outcome
        if o.ok:
            self.written = o.path
            self._result(tr("exp.written", path=o.path), "green")
            self.app.notify(tr("exp.written", path=o.path), timeout=10)
        else:
            self._result(tr("exp.failed", msg=o.message), "red")

    def _result(self, text: str, colour: str) -> None:
        self.query_one("#result", Static).update(Text(text, style=f"bold {colour}".strip()))
