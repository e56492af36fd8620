"""DataView: a VirtualTable with its filter bar (`/`, filter as you type) and a status line
(rows shown / total, the sort, the filter). `e` exports the current view to .xlsx."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from tui.core.sources import TableSource
from tui.i18n import tr
from tui.widgets.common import localise
from tui.widgets.vtable import VirtualTable

FILTER_DELAY = 0.06  # seconds of quiet typing before the filter query runs


class FilterInput(Input):
    BINDINGS = [Binding("escape", "clear", "b.clear_filter", id="table.clear_filter")]

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        localise(self)

    def action_clear(self) -> None:
        dv = self.ancestors_with_self
        for n in dv:
            if isinstance(n, DataView):
                n.clear_filter()
                return


class DataView(Vertical):
    DEFAULT_CSS = """
    DataView { height: 1fr; }
    DataView > .filter-bar { height: 1; background: $panel; }
    DataView.-compact > .filter-bar { display: none; }
    DataView.-compact.-filtering > .filter-bar { display: block; }
    DataView > .filter-bar > Label { width: auto; padding: 0 0 0 1; color: $accent; text-style: bold; }
    DataView > .filter-bar > FilterInput { border: none; height: 1; padding: 0 1; width: 1fr; background: $panel; }
    DataView > .filter-bar > FilterInput:focus { border: none; background: $boost; }
    DataView > .status { height: 1; padding: 0 1; color: $text-muted; background: $panel; }
    """

    def __init__(self, source: TableSource | None = None, *, id: str | None = None, classes: str | None = None,
                 title: str = "", compact: bool = False) -> None:
        """compact: the filter bar shows only while filtering (small tables); otherwise it is
        always there, which also spares big tables a re-layout when `/` is pressed."""
        super().__init__(id=id, classes=classes)
        if compact:
            self.add_class("-compact")
        self._initial = source
        self.title = title
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield VirtualTable(self._initial)
        with Horizontal(classes="filter-bar"):
            yield Label(tr("t.filter"))
            yield FilterInput(placeholder=tr("t.filter_ph"), compact=True, select_on_focus=False)
        yield Static("", classes="status")

    def on_mount(self) -> None:
        self._status()

    @property
    def table(self) -> VirtualTable:
        return self.query_one(VirtualTable)

    @property
    def source(self) -> TableSource | None:
        return self.table.source

    def set_source(self, source: TableSource | None) -> None:
        self.table.set_source(source)
        fi = self.query_one(FilterInput)
        if source is not None and source.view.filter_text:
            fi.value = source.view.filter_text
        elif fi.value:
            with fi.prevent(Input.Changed):
                fi.value = ""
            self.remove_class("-filtering")
        self._status()

    # -- filter ------------------------------------------------------------------------------------
    @on(VirtualTable.FilterRequested)
    def _open_filter(self, event: VirtualTable.FilterRequested) -> None:
        event.stop()
        self.add_class("-filtering")
        self.query_one(FilterInput).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(FILTER_DELAY, lambda: self.table.apply(filter_text=value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        if self.source is not None and event.value != self.source.view.filter_text:
            self.table.apply(filter_text=event.value)
        if not event.value:
            self.remove_class("-filtering")
        self.table.focus()

    def clear_filter(self) -> None:
        fi = self.query_one(FilterInput)
        if self._timer is not None:
            self._timer.stop()
        with fi.prevent(Input.Changed):
            fi.value = ""
        self.remove_class("-filtering")
        if self.source is not None and self.source.view.filter_text:
            self.table.apply(filter_text="")
        self.table.focus()

    def filter(self, text: str) -> None:
        """Filter programmatically (the palette, tests)."""
        self.add_class("-filtering")
        fi = self.query_one(FilterInput)
        with fi.prevent(Input.Changed):
            fi.value = text
        self.table.apply(filter_text=text)

    # -- status and export -------------------------------------------------------------------------
    @on(VirtualTable.ViewChanged)
    def _view_changed(self, event: VirtualTable.ViewChanged) -> None:
        event.stop()
        self._status()

    def _status(self) -> None:
        st = self.query_one(".status", Static)
        src = self.source
        if src is None:
            st.update("")
            return
        n, total = len(src), src.total
        shown = f"{n:,}+" if src.view.partial else f"{n:,}"
        parts = [tr("t.rows", n=shown, total=f"{total:,}") if (n != total or src.view.partial)
                 else tr("t.rows_all", total=f"{total:,}")]
        v = src.view
        if v.sort_key:
            try:
                col = src.columns[src.column_index(v.sort_key)].label
                parts.append(tr("t.sorted", col=col, dir=tr("t.desc") if v.descending else tr("t.asc")))
            except KeyError:
                pass
        if v.filter_text:
            parts.append(tr("t.filter") + v.filter_text)
        if self.table.busy:
            parts.append(tr("t.updating"))
        st.update(" · ".join(parts))

    @on(VirtualTable.ExportRequested)
    def _export(self, event: VirtualTable.ExportRequested) -> None:
        event.stop()
        if self.source is None:
            return
        from tui.screens.dialogs import ExportTableDialog

        self.app.push_screen(ExportTableDialog(self.source, self.title or self.source.name))
