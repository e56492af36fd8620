"""The main screen: the portfolio tree beside the selected node's detail pane."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, Tree

from tui.core.detail import NodeRef
from tui.i18n import tr
from tui.widgets.common import localise
from tui.widgets.dataview import DataView
from tui.widgets.detail import DetailPane
from tui.widgets.tree import PortfolioTree
from tui.widgets.vtable import VirtualTable

HIGHLIGHT_DELAY = 0.12  # seconds the cursor rests on a node before its detail loads
WARM_UP_AFTER = 2.0  # seconds after the first paint: import pypinyin in the background


def _warm_imports() -> None:
    import tui.core.pinyin  # noqa: F401 — ~0.4 s, needed by the jump palette and pinyin filters


class TopBar(Static):
    DEFAULT_CSS = """
    TopBar { dock: top; height: 1; background: $primary-background; color: $foreground; padding: 0 1; }
    """

    def on_mount(self) -> None:
        app = self.app
        t = Text()
        t.append("fundtrack ", style="bold")
        t.append(tr("app.title"))
        t.append("  │  ", style="dim")
        t.append(tr("as_of", d=app.as_of.isoformat()))
        t.append("  │  ", style="dim")
        t.append(app.db_label, style="dim")
        t.append("  │  ", style="dim")
        t.append(tr("unit.wan"), style="dim")
        if app.read_only:
            t.append("  ")
            t.append(f" {tr('read_only')} ", style="bold black on yellow")
        self.update(t)


class MainScreen(Screen):
    BINDINGS = [
        Binding("tab", "app.focus_next", "b.focus_table", show=False, id="main.focus_next"),
        Binding("shift+tab", "app.focus_previous", "b.focus_tree", show=False, id="main.focus_previous"),
        Binding("right_square_bracket", "next_tab", "b.next_tab", id="main.next_tab"),
        Binding("left_square_bracket", "prev_tab", "b.prev_tab", show=False, id="main.prev_tab"),
        Binding("z", "zoom", "b.zoom", show=False, id="main.zoom"),
    ]

    def action_next_tab(self) -> None:
        self.detail.action_next_tab()

    def action_prev_tab(self) -> None:
        self.detail.action_prev_tab()

    def action_zoom(self) -> None:
        self.detail.action_zoom()

    def __init__(self) -> None:
        super().__init__()
        localise(self)
        self._timer: Timer | None = None
        self.current_ref: NodeRef | None = NodeRef("root", name=tr("tree.root"))

    def compose(self) -> ComposeResult:
        yield TopBar()
        with Horizontal(id="body"):
            yield PortfolioTree(self.app.store, id="tree")
            yield DetailPane(self.app.store, id="detail")
        yield Static("", id="empty-hint")
        yield Footer()

    def on_mount(self) -> None:
        for p in self.app.settings.problems:
            self.notify(p, severity="warning", timeout=8)
        self._load()
        tree = self.query_one(PortfolioTree)
        tree.focus()
        tree.move_cursor(tree.root)
        # Paint the tree first; the pane's workers (which import pandas and the models) start after.
        self.call_after_refresh(self._first_paint)

    def _first_paint(self) -> None:
        hook = getattr(self.app, "first_paint_hook", None)
        if hook is not None:
            hook()
        self.query_one(DetailPane).show(self.current_ref)
        self.set_timer(WARM_UP_AFTER, self._warm_up)

    def _warm_up(self) -> None:
        """Import what the first filter or jump will need while the user is still reading."""
        self.run_worker(_warm_imports, thread=True, group="warm-up", exit_on_error=False)

    def _load(self) -> None:
        n = self.query_one(PortfolioTree).load_roots()
        hint = self.query_one("#empty-hint", Static)
        if n == 0:
            key = self.app.binding_key("app.import")
            hint.update(Text(tr("empty_db_ro") if self.app.read_only else tr("empty_db", key=key), style="bold"))
            hint.display = True
        else:
            hint.display = False

    def reload(self) -> None:
        ref = self.current_ref
        self._load()
        tree = self.query_one(PortfolioTree)
        pane = self.query_one(DetailPane)
        if ref is not None and ref.kind in ("guidance", "sub"):
            self.reveal_fund(ref.id)
        else:
            tree.move_cursor(tree.root)
            self.current_ref = tree.root.data
        pane.refresh_data()

    # -- the tree drives the pane ----------------------------------------------------------------
    def _take(self, node):
        """The node's ref becomes current and any pending delayed show is dropped; None for no ref."""
        ref = node.data
        if ref is None:
            return None
        self.current_ref = ref
        if self._timer is not None:
            self._timer.stop()
        return ref

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        ref = self._take(event.node)
        if ref is None:
            return
        delay = getattr(self.app, "highlight_delay", HIGHLIGHT_DELAY)
        if delay <= 0:
            self.query_one(DetailPane).show(ref)
        else:
            self._timer = self.set_timer(delay, lambda: self.query_one(DetailPane).show(ref))

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected) -> None:
        ref = self._take(event.node)
        if ref is None:
            return
        self.query_one(DetailPane).show(ref)
        node = event.node
        if node.allow_expand:
            tree = self.query_one(PortfolioTree)
            tree.ensure_children(node)
            node.toggle()

    def reveal_fund(self, fund_id: int) -> None:
        tree = self.query_one(PortfolioTree)
        node = tree.reveal_fund(self.app.store.fund_path(fund_id))
        if node is not None and node.data is not None:
            self.current_ref = node.data
            if self._timer is not None:
                self._timer.stop()
            self.query_one(DetailPane).show(node.data)
            tree.focus()

    # -- rows of the pane's tables ----------------------------------------------------------------
    @on(VirtualTable.Selected)
    def _row_selected(self, event: VirtualTable.Selected) -> None:
        src = event.table.source
        if src is None or event.key is None:
            return
        name = src.name
        if name in ("guidance_funds", "sub_funds", "commitments"):
            self.reveal_fund(int(event.key))
        elif name in ("investments", "direct_investments"):
            from tui.screens.dialogs import RecordDialog

            self.app.push_screen(RecordDialog("investment", int(event.key)))
        elif name == "cash_flows":
            from tui.screens.dialogs import RecordDialog

            self.app.push_screen(RecordDialog("flow", int(event.key)))

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def tree(self) -> PortfolioTree:
        return self.query_one(PortfolioTree)

    @property
    def dataview(self) -> DataView:
        return self.query_one(DetailPane).query_one(DataView)
