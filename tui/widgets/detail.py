"""The detail pane: the selected node's title and facts, KPIs, 返投 progress, compliance flags
and its tables (switch with [ and ]). Data arrives from two workers as messages — the SQL
part at once, the figures when the scope is computed — and stale results are dropped."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table as RichTable
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static, Tab, Tabs
from textual.worker import get_current_worker

from tui.core import detail as D
from tui.core.sources import bar
from tui.i18n import tr
from tui.widgets.common import localise
from tui.widgets.dataview import DataView


TAB_ORDER = ["funds", "subfunds", "investments", "flows", "commitments"]


class DetailPane(Vertical):
    DEFAULT_CSS = """
    DetailPane { width: 1fr; padding: 0 1; }
    DetailPane > #summary { height: auto; max-height: 55%; scrollbar-size-vertical: 1; }
    DetailPane #title { height: auto; padding: 0 0 0 0; }
    DetailPane #kpis { height: auto; min-height: 1; margin: 1 0 0 0; }
    DetailPane #reinvest { height: auto; }
    DetailPane #flags { height: auto; margin: 0 0 1 0; }
    DetailPane > Tabs { height: 2; margin: 0; }
    DetailPane > DataView { height: 1fr; }
    """

    ref: reactive[D.NodeRef | None] = reactive(None, init=False)

    class BasicReady(Message):
        def __init__(self, data: D.Basic) -> None:
            super().__init__()
            self.data = data

    class FiguresReady(Message):
        def __init__(self, data: D.Figures) -> None:
            super().__init__()
            self.data = data

    class Failed(Message):
        def __init__(self, ref: D.NodeRef, error: str) -> None:
            super().__init__()
            self.ref = ref
            self.error = error

    def __init__(self, store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        localise(self)
        self.store = store
        self._basic: list[D.Table] = []
        self._figs: list[D.Table] = []
        self._tab_ids: list[str] = []
        self._active: str | None = None
        self._user_tab = False
        self._gen = 0
        self._kpis: tuple | None = None
        self._failed = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary", can_focus=False):
            yield Static(id="title")
            yield Static(id="kpis")
            yield Static(id="reinvest")
            yield Static(id="flags")
        yield self._new_tabs([], None)
        yield DataView(id="table")

    # -- showing a node --------------------------------------------------------------------------
    def show(self, ref: D.NodeRef) -> None:
        if ref == self.ref:
            return
        self.ref = ref

    def watch_ref(self, ref: D.NodeRef | None) -> None:
        if ref is None:
            return
        self._basic, self._figs = [], []
        self._user_tab = False
        self._active = None
        self.query_one("#title", Static).update(Text(ref.name or tr("tree.root"), style="bold"))
        self._kpis = None
        self._failed = False
        self.query_one("#kpis", Static).update(Text(tr("computing"), style="dim italic"))
        self.query_one("#reinvest", Static).update("")
        self.query_one("#flags", Static).update("")
        self._rebuild_tabs()
        self._load_basic(ref)
        self._load_figures(ref)

    def refresh_data(self) -> None:
        ref, self.ref = self.ref, None
        if ref is not None:
            self.ref = ref

    @work(thread=True, exclusive=True, group="detail-basic")
    def _load_basic(self, ref: D.NodeRef) -> None:
        try:
            data = D.basic(self.store, ref)
        except Exception as exc:  # shown in the pane, never a crash
            self.post_message(self.Failed(ref, f"{type(exc).__name__}: {exc}"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.BasicReady(data))

    @work(thread=True, exclusive=True, group="detail-figures")
    def _load_figures(self, ref: D.NodeRef) -> None:
        from tui.core.compute import STALE

        try:
            data = self.app.compute("figures", (ref,), group="detail")
        except Exception as exc:
            self.post_message(self.Failed(ref, f"{type(exc).__name__}: {exc}"))
            return
        if data is STALE or data == STALE:
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.FiguresReady(data))

    @on(BasicReady)
    def _on_basic(self, event: BasicReady) -> None:
        b = event.data
        if b.ref != self.ref:
            return
        title = Text(b.title, style="bold")
        if b.ref.kind in ("guidance", "sub", "company"):
            title.append(f"  {tr('kind.' + ('company' if b.ref.kind == 'company' else b.ref.kind))}", style="dim")
        lines = [title]
        if b.facts:
            facts = Text()
            for i, (k, v) in enumerate(b.facts):
                if i:
                    facts.append("   ")
                facts.append(f"{k} ", style="dim")
                facts.append(v)
            lines.append(facts)
        self.query_one("#title", Static).update(Group(*lines))
        self._basic = b.tables
        self._rebuild_tabs()

    @on(FiguresReady)
    def _on_figures(self, event: FiguresReady) -> None:
        f = event.data
        if f.ref != self.ref:
            return
        self.query_one("#kpis", Static).update(self._kpi_grid(f.kpis, f.note))
        self.query_one("#reinvest", Static).update(self._reinvest(f.reinvest))
        self.query_one("#flags", Static).update(self._flags(f))
        self._figs = f.tables
        self._rebuild_tabs()

    @on(Failed)
    def _on_failed(self, event: Failed) -> None:
        if event.ref != self.ref:
            return
        self._failed = True
        self.query_one(DataView).loading = False
        self.query_one("#kpis", Static).update(Text(f"{tr('error')}: {event.error}", style="bold red"))

    # -- rendering pieces ------------------------------------------------------------------------
    def on_resize(self) -> None:
        if self._kpis is not None:
            self.query_one("#kpis", Static).update(self._kpi_grid(*self._kpis))

    def _kpi_grid(self, kpis: list[tuple[str, str]], note: str = ""):
        """Label/value pairs in as many columns as fit; (SECTION, title) starts a titled group."""
        self._kpis = (kpis, note)
        if not kpis:
            return Text(note or "", style="dim")
        from rich.cells import cell_len

        pairs = [(k, v) for k, v in kpis if k != D.SECTION]
        lw = max(cell_len(k) for k, _ in pairs)
        vw = max(cell_len(v) for _, v in pairs)
        width = self.content_region.width or 80
        per_row = max(1, min(3, (width + 3) // (lw + vw + 2 + 3)))
        groups: list[tuple[str | None, list]] = [(None, [])]
        for k, v in kpis:
            if k == D.SECTION:
                groups.append((v, []))
            else:
                groups[-1][1].append((k, v))
        parts = []
        for title, items in groups:
            if title:
                parts.append(Text(title, style="bold underline"))
            if not items:
                continue
            g = RichTable.grid(padding=(0, 1), expand=False)
            for i in range(per_row):
                g.add_column(style="dim", no_wrap=True, min_width=lw)
                g.add_column(justify="right", no_wrap=True, min_width=vw)
                if i < per_row - 1:
                    g.add_column(width=1)
            for i in range(0, len(items), per_row):
                chunk = items[i:i + per_row]
                cells = []
                for j, (k, v) in enumerate(chunk):
                    cells += [k, Text(v, style="bold")] + ([""] if j < per_row - 1 else [])
                cells += [""] * (3 * per_row - 1 - len(cells))
                g.add_row(*cells)
            parts.append(g)
        if note:
            parts.append(Text(note, style="dim italic"))
        return Group(*parts)

    def _reinvest(self, r):
        if r is None:
            return ""
        achieved, required, ratio = r
        from fundtrack.format import fmt_pct, fmt_wan

        if required == 0:
            return Text.assemble((f"{tr('k.reinvest')}  ", "dim"), (tr("none"), ""))
        colour = "green" if (ratio or 0) >= 1 else "yellow" if (ratio or 0) >= 0.5 else "red"
        return Text.assemble(
            (f"{tr('k.reinvest')}  ", "dim"),
            (bar(min(ratio or 0.0, 1.0), 30), colour),
            (f"  {fmt_pct(ratio)}", f"bold {colour}"),
            (f"   {fmt_wan(achieved)} / {fmt_wan(required)} {tr('k.wan')}", ""),
        )

    def _flags(self, f: D.Figures):
        if f.ref.kind == "root":
            key = self.app.binding_key("app.compliance") if hasattr(self.app, "binding_key") else "c"
            return Text(tr("k.flags_root", key=key), style="dim")
        if not f.flags:
            return Text(tr("k.no_flags"), style="green dim")
        t = Text()
        for i, line in enumerate(f.flags):
            if i:
                t.append("\n")
            t.append(" ! ", style="bold white on red")
            t.append(" " + line, style="red")
        more = f.flags_total - len(f.flags)
        if more > 0:
            key = self.app.binding_key("app.compliance") if hasattr(self.app, "binding_key") else "c"
            t.append("\n" + tr("k.flags_more", n=more, key=key), style="dim")
        return t

    # -- tabs and the table ------------------------------------------------------------------------
    @property
    def tables(self) -> list[D.Table]:
        """The node's tables in a fixed order; a figures table fills its placeholder tab."""
        by = {t.tab: t for t in self._basic}
        for t in self._figs:
            by[t.tab] = t
        return sorted(by.values(), key=lambda t: TAB_ORDER.index(t.tab) if t.tab in TAB_ORDER else 99)

    def _new_tabs(self, tables: list, active: str | None) -> Tabs:
        tabs = Tabs(*[Tab(t.label, id=self._tab_dom_id(t.tab)) for t in tables],
                    active=self._tab_dom_id(active) if active else None, classes="detail-tabs")
        tabs.can_focus = False  # switch with [ and ] (or the mouse); tab goes tree ⇄ table
        self._tabs = tabs
        self._initial_tab = active  # its activation is announced after mounting: not a user's choice
        return tabs

    def _rebuild_tabs(self) -> None:
        tables = self.tables
        ids = [t.tab for t in tables]
        if ids == self._tab_ids:
            self._activate(self._active)  # a placeholder may have been filled
            return
        self._tab_ids = ids
        keep = self._active if (self._user_tab and self._active in ids) else (ids[0] if ids else None)
        # A new Tabs widget, created with the right tab active: adding tabs to an empty Tabs
        # activates the first one later, which would undo a choice made meanwhile. Its ids
        # carry a generation, as the old widget is removed after this handler.
        self._gen += 1
        self._tabs.remove()
        self.mount(self._new_tabs(tables, keep), before=self.query_one(DataView))
        self._activate(keep)

    def _highlight(self, tab: str) -> None:
        """Show `tab` as the active tab (once the Tabs widget holding it is mounted)."""
        tabs, dom = self._tabs, self._tab_dom_id(tab)

        def do() -> None:
            try:
                tabs.active = dom
            except ValueError:
                pass

        if tabs.is_mounted and tabs.query(f"#{dom}"):
            do()
        else:
            tabs.call_after_refresh(do)

    def _tab_dom_id(self, tab: str) -> str:
        return f"tab-{self._gen}-{tab}"

    @on(Tabs.TabActivated)
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab is None or event.tab.id is None:
            return
        prefix = f"tab-{self._gen}-"
        if not event.tab.id.startswith(prefix):
            return
        tab = event.tab.id.removeprefix(prefix)
        if tab == self._initial_tab:
            self._initial_tab = None
            if tab != self._active and self._active is not None:
                self._highlight(self._active)  # a tab was chosen while the new Tabs mounted
                return
        if tab != self._active:
            self._user_tab = True
            self._activate(tab)

    def _activate(self, tab: str | None) -> None:
        self._active = tab
        dv = self.query_one(DataView)
        t = next((x for x in self.tables if x.tab == tab), None)
        if t is None or t.source is None:
            if dv.source is not None:
                dv.set_source(None)
            dv.loading = t is not None and not self._failed  # its figures are being computed
            return
        dv.loading = False
        dv.title = f"{self.ref.name if self.ref else ''} {t.label}".strip()
        if dv.source is not t.source:
            dv.set_source(t.source)
            if not getattr(t.source, "prepared", True):
                t.source.prepared = True
                dv.table.apply()

    def select_tab(self, tab: str) -> bool:
        if tab in self._tab_ids:
            self._user_tab = True
            self._highlight(tab)
            self._activate(tab)
            return True
        return False

    def action_next_tab(self) -> None:
        self._user_tab = True
        self._tabs.action_next_tab()

    def action_prev_tab(self) -> None:
        self._user_tab = True
        self._tabs.action_previous_tab()

    def action_zoom(self) -> None:
        dv = self.query_one(DataView)
        if self.screen.maximized is dv:
            self.screen.minimize()
        else:
            self.screen.maximize(dv)
