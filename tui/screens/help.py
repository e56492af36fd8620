"""The help screen: every key, what it does and its binding id (for keymap.toml)."""

from __future__ import annotations

from rich.table import Table as RichTable
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.i18n import tr
from tui.widgets.common import binding_text, localise


def binding_groups(read_only: bool = False) -> list[tuple[str, list[Binding]]]:
    from tui.app import FundtrackApp
    from tui.screens.dialogs import ExportTableDialog, RecordDialog
    from tui.screens.export import ExportScreen
    from tui.screens.imports import ImportScreen
    from tui.screens.main import MainScreen
    from tui.screens.views import ViewScreen
    from tui.widgets.dataview import FilterInput
    from tui.widgets.tree import PortfolioTree
    from tui.widgets.vtable import VirtualTable

    def only(bs):
        out = [b for b in bs if isinstance(b, Binding) and b.id]
        if read_only:
            from tui.app import WRITING_ACTIONS

            out = [b for b in out if b.action not in WRITING_ACTIONS]
        return out

    return [
        ("help.global", only(FundtrackApp.BINDINGS)),
        ("help.main", only(MainScreen.BINDINGS)),
        ("help.tree", only(PortfolioTree.BINDINGS)),
        ("help.table", only(VirtualTable.BINDINGS) + only(FilterInput.BINDINGS)),
        ("help.views", only(ViewScreen.BINDINGS) + ([] if read_only else only(ImportScreen.BINDINGS))
         + ([] if read_only else only(ExportScreen.BINDINGS)) + only(ExportTableDialog.BINDINGS)
         + only(RecordDialog.BINDINGS) + only(HelpScreen.BINDINGS)),
    ]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen > #help { height: 90%; }
    HelpScreen > #help > VerticalScroll { height: 1fr; }
    """

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "b.back", id="help.close")]

    def __init__(self) -> None:
        super().__init__()
        localise(self)

    def compose(self) -> ComposeResult:
        app = self.app
        t = RichTable(expand=True, show_edge=False, pad_edge=False, box=None, header_style="bold")
        t.add_column(tr("help.key"), no_wrap=True, style="bold cyan")
        t.add_column(tr("help.action"))
        t.add_column(tr("help.id"), style="dim", no_wrap=True)
        self.rows: list[tuple[str, str, str]] = []
        for group, bindings in binding_groups(app.read_only):
            t.add_row(Text(tr(group), style="bold underline"), "", "")
            seen = set()
            for b in bindings:
                if b.id in seen:
                    continue
                seen.add(b.id)
                keys = app._keymap.get(b.id, b.key)
                shown = ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))
                t.add_row(shown, binding_text(b.description), b.id)
                self.rows.append((shown, binding_text(b.description), b.id))
            t.add_row("", "", "")
        from tui.settings import KEYMAP_FILE

        d = app.settings.directory
        path = str(d / KEYMAP_FILE) if d is not None else KEYMAP_FILE
        with Vertical(classes="dialog", id="help"):
            yield Label(tr("help.title"), classes="dialog-title")
            with VerticalScroll():
                yield Static(t)
            yield Static(Text(tr("help.keymap", path=path), style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
