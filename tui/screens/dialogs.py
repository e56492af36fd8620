"""Modal dialogs: export a table to .xlsx, and one record's details with its source cell."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table as RichTable
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar, Static

from tui.core.sources import TableSource, format_cell
from tui.i18n import tr
from tui.widgets.common import localise


class ExportTableDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "b.back", id="dialog.cancel")]

    class Progress(Message):
        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    class Finished(Message):
        def __init__(self, path: str | None, rows: int, error: str | None) -> None:
            super().__init__()
            self.path, self.rows, self.error = path, rows, error

    def __init__(self, source: TableSource, title: str) -> None:
        super().__init__()
        localise(self)
        self.source = source
        self.title_text = title

    def compose(self) -> ComposeResult:
        from tui.core.xlsx import default_name

        with Vertical(classes="dialog"):
            yield Label(tr("xt.title"), classes="dialog-title")
            yield Static(tr("xt.rows", n=f"{len(self.source):,}", name=self.title_text))
            default = Path.cwd() / default_name(self.source.name, self.app.as_of)
            yield Input(str(default), id="path", select_on_focus=False)
            yield ProgressBar(total=max(len(self.source), 1), show_eta=False, id="progress")
            yield Static("", id="result")
            with Horizontal(classes="buttons"):
                yield Button(tr("exp.run"), variant="primary", id="run")
                yield Button(tr("cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#progress").display = False
        inp = self.query_one("#path", Input)
        inp.cursor_blink = self.app.cursor_blink
        inp.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#run")
    def _run(self) -> None:
        path = self.query_one("#path", Input).value.strip()
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.query_one("#run", Button).disabled = True
        self.query_one("#progress").display = True
        self._write(path)

    @work(thread=True, exclusive=True, group="export-table")
    def _write(self, path: str) -> None:
        from tui.core.xlsx import write_table

        try:
            n = write_table(self.source, path, self.title_text, self.app.as_of,
                            progress=lambda d, t: self.post_message(self.Progress(d, t)))
        except Exception as exc:
            self.post_message(self.Finished(None, 0, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Finished(str(Path(path).expanduser().resolve()), n, None))

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.query_one("#progress", ProgressBar).update(total=max(event.total, 1), progress=event.done)

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        if event.error:
            self.query_one("#result", Static).update(Text(tr("xt.failed", msg=event.error), style="bold red"))
            self.query_one("#run", Button).disabled = False
            return
        msg = tr("xt.done", n=f"{event.rows:,}", path=event.path)
        self.app.notify(msg, timeout=8)
        self.dismiss(event.path)


class RecordDialog(ModalScreen[None]):
    """An investment or a ledger line, every field, and where it was imported from."""

    BINDINGS = [Binding("escape,enter", "close", "b.back", id="dialog.close")]

    def __init__(self, kind: str, record_id: int) -> None:
        super().__init__()
        localise(self)
        self.kind = kind
        self.record_id = record_id

    def compose(self) -> ComposeResult:
        store = self.app.store
        with Vertical(classes="dialog"):
            if self.kind == "investment":
                r = store.investment_detail(self.record_id) or {}
                yield Label(tr("detail.investment"), classes="dialog-title")
                rows = [
                    (tr("c.company"), r.get("company")), (tr("k.uscc"), r.get("uscc")),
                    (tr("c.industry"), r.get("industry")), (tr("c.place"), r.get("registered_place")),
                    (tr("c.investor"), r.get("investor")), (tr("c.round"), r.get("round")),
                    (tr("c.invested_on"), format_cell("date", r.get("invested_on"))),
                    (tr("c.amount"), format_cell("money", r.get("amount"))),
                    (tr("c.share"), format_cell("ratio", r.get("equity_share"))),
                    (tr("c.fair_value"), format_cell("money", r.get("fair_value"))),
                    (tr("c.reinvest_flag"), format_cell("bool", r.get("reinvest_flag"))),
                    (tr("c.exit_status"), r.get("exit_status")),
                    (tr("c.exit_proceeds"), format_cell("money", r.get("exit_proceeds"))),
                ]
            else:
                r = store.flow_detail(self.record_id) or {}
                yield Label(tr("detail.flow"), classes="dialog-title")
                rows = [
                    (tr("c.date"), format_cell("date", r.get("flow_date"))),
                    (tr("c.flow_from"), r.get("investor")), (tr("c.flow_to"), r.get("target")),
                    (tr("c.flow_type"), tr(f"flow.{r.get('flow_type')}") if r.get("flow_type") else None),
                    (tr("c.flow_amount"), format_cell("money", r.get("amount"))),
                ]
            if r.get("batch_id") is not None:
                rows.append((tr("detail.source"), tr("detail.source_v", file=r.get("file_name") or "?",
                                                     sheet=r.get("src_sheet") or "?", row=r.get("src_row") or "?",
                                                     batch=r.get("batch_id"))))
            t = RichTable.grid(padding=(0, 2))
            t.add_column(style="dim", no_wrap=True)
            t.add_column()
            for k, v in rows:
                t.add_row(k, "" if v is None else str(v))
            with VerticalScroll():
                yield Static(t)
            with Horizontal(classes="buttons"):
                yield Button(tr("close"), variant="primary", id="close")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
