"""Analysis views for the fund selected in the tree (or the whole portfolio at the root):
look-through exposure with bars, compliance exceptions, quarter-over-quarter changes and the
cash-flow timeline. Each computes in a worker and is an ordinary sortable, filterable,
exportable table."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, Tab, Tabs
from textual.worker import get_current_worker

from tui.core.detail import NodeRef
from tui.i18n import tr
from tui.widgets.common import localise
from tui.widgets.dataview import DataView
from tui.widgets.vtable import VirtualTable

TITLES = {"lookthrough": "v.lookthrough", "compliance": "v.compliance", "changes": "v.changes",
          "timeline": "v.timeline"}
GROUPINGS = ("industry", "region", "round")


class ViewScreen(Screen):
    DEFAULT_CSS = """
    ViewScreen > Tabs { height: 2; }
    ViewScreen > #second { height: 1fr; }
    ViewScreen > #first.-half { height: auto; max-height: 20; }
    """

    BINDINGS = [
        Binding("escape", "back", "b.back", id="view.back"),
        Binding("1", "group('industry')", "b.by_industry", id="view.by_industry"),
        Binding("2", "group('region')", "b.by_region", id="view.by_region"),
        Binding("3", "group('round')", "b.by_round", id="view.by_round"),
    ]

    class Ready(Message):
        def __init__(self, key: tuple, first, second=None, note: str = "") -> None:
            super().__init__()
            self.key, self.first, self.second, self.note = key, first, second, note

    class Failed(Message):
        def __init__(self, key: tuple, error: str) -> None:
            super().__init__()
            self.key, self.error = key, error

    def __init__(self, kind: str, ref: NodeRef | None) -> None:
        super().__init__()
        localise(self)
        self.kind = kind
        ref = ref or NodeRef("root", name=tr("tree.root"))
        self.ref = ref
        self.fund_id = ref.fund_id
        self.root_id = ref.root
        if ref.kind in ("company", "more"):
            self.scope_name = ref.parent_name
            self.fund_kind = "guidance" if ref.parent == ref.root else "sub"
        else:
            self.scope_name = ref.name if ref.kind != "root" else tr("tree.root")
            self.fund_kind = ref.kind
        self.grouping = "industry"
        self._key: tuple = ()

    def compose(self) -> ComposeResult:
        yield Static(Text(tr(TITLES[self.kind], scope=self.scope_name), style="bold"), classes="screen-title")
        yield Static("", classes="note", id="note")
        if self.kind == "lookthrough":
            yield Tabs(*[Tab(tr(f"v.by_{g}"), id=f"by-{g}") for g in GROUPINGS], id="groupings")
        yield DataView(id="first", title=tr(TITLES[self.kind], scope=self.scope_name))
        if self.kind == "changes" and self.fund_id is None:
            yield DataView(id="second", title=tr(TITLES[self.kind], scope=self.scope_name))
        yield Footer()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "group":
            return self.kind == "lookthrough"
        return True

    def on_mount(self) -> None:
        if self.kind == "changes" and self.fund_id is None:
            self.query_one("#first").add_class("-half")
        self._start()
        self.query_one("#first", DataView).table.focus()

    def _start(self) -> None:
        self._key = (self.kind, self.grouping)
        for dv in self.query(DataView):
            dv.loading = True
        self._compute(self._key)

    @work(thread=True, exclusive=True, group="view")
    def _compute(self, key: tuple) -> None:
        from tui.core.compute import STALE

        compute = self.app.compute
        try:
            second, note = None, ""
            if self.kind == "lookthrough":
                first = compute("lookthrough", (self.fund_id, self.root_id, self.grouping), group="view")
                note = tr("v.lt_note")
            elif self.kind == "compliance":
                first = compute("compliance", (self.fund_id, self.root_id, self.fund_kind, self.scope_name),
                                group="view")
            elif self.kind == "changes":
                got = compute("changes", (self.fund_id, self.root_id), group="view")
                first, second = (STALE, None) if got == STALE else got[:2]
                note = tr("v.qoq_note")
                if self.fund_kind == "sub":
                    note += "  " + tr("p.under", parent=self.ref.parent_name or "")
            else:
                first = compute("timeline", (self.fund_id, self.fund_kind), group="view")
                note = tr("v.timeline_note_sub" if self.fund_kind == "sub" else "v.timeline_note",
                          who=self.scope_name)
            if first == STALE:
                return
            first.load()
        except Exception as exc:
            self.post_message(self.Failed(key, f"{type(exc).__name__}: {exc}"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.Ready(key, first, second, note))

    @on(Ready)
    def _ready(self, event: Ready) -> None:
        if event.key != self._key:
            return
        dv = self.query_one("#first", DataView)
        dv.set_source(event.first)
        dv.loading = False
        if event.second is not None:
            dv2 = self.query_one("#second", DataView)
            dv2.set_source(event.second)
            dv2.loading = False
        self.query_one("#note", Static).update(event.note)

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        for dv in self.query(DataView):
            dv.loading = False
        self.query_one("#note", Static).update(Text(f"{tr('error')}: {event.error}", style="bold red"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_group(self, grouping: str) -> None:
        if self.kind != "lookthrough" or grouping not in GROUPINGS:
            return
        self.query_one("#groupings", Tabs).active = f"by-{grouping}"

    @on(Tabs.TabActivated, "#groupings")
    def _grouping(self, event: Tabs.TabActivated) -> None:
        g = (event.tab.id or "").removeprefix("by-")
        if g in GROUPINGS and g != self.grouping:
            self.grouping = g
            self._start()

    @on(VirtualTable.Selected)
    def _row(self, event: VirtualTable.Selected) -> None:
        src = event.table.source
        if src is None:
            return
        if src.name == "compliance":
            self.app.jump_to_fund(int(event.key.fund_id))
        elif src.name == "changes_by_fund" and event.key is not None:
            self.app.jump_to_fund(int(event.key))
