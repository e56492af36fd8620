"""`fundtrack tui`: the terminal UI.

The App owns the Store (the headless core) and the app-wide actions; screens and widgets
are imported when first needed so start-up only pays for Textual, SQLAlchemy and the models.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from tui import i18n
from tui.i18n import tr
from tui.settings import Settings, load_settings
from tui.widgets.common import localise


def db_label(engine) -> str:
    """Where the data is, without secrets or temporary directories: `sqlite · fundtrack.db`."""
    u = engine.url
    if u.get_backend_name() == "sqlite":
        return f"sqlite · {Path(u.database or ':memory:').name}"
    host = u.host or "localhost"
    return f"{u.get_backend_name()} · {host}/{u.database or ''}"


# Actions that write to the database: an import, and a report (it freezes the quarter's snapshot).
WRITING_ACTIONS = frozenset({"import", "report"})


class FundtrackApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "fundtrack"

    BINDINGS = [
        Binding("q", "quit", "b.quit", id="app.quit"),
        Binding("question_mark,f1", "help", "b.help", id="app.help"),
        Binding("g", "jump", "b.jump", id="app.jump"),
        Binding("l", "view('lookthrough')", "b.lookthrough", id="app.lookthrough"),
        Binding("c", "view('compliance')", "b.compliance", id="app.compliance"),
        Binding("w", "view('changes')", "b.changes", id="app.changes"),
        Binding("t", "view('timeline')", "b.timeline", id="app.timeline"),
        Binding("i", "import", "b.import", id="app.import"),
        Binding("x", "report", "b.report", id="app.report"),
        Binding("r,f5", "refresh", "b.refresh", show=False, id="app.refresh"),
        Binding("ctrl+p", "command_palette", "b.palette", show=False, priority=True, id="app.command_palette"),
    ]

    def __init__(self, db_url: str | None = None, *, engine=None, lang: str | None = None, read_only: bool = False,
                 as_of: date | None = None, settings: Settings | None = None, cursor_blink: bool | None = None):
        self.settings = settings if settings is not None else load_settings()
        i18n.set_lang(lang or self.settings.lang)
        self.COMMANDS = App.COMMANDS | {_commands_provider}
        super().__init__()
        localise(self)
        if engine is None:
            from fundtrack.db import open_engine

            engine = open_engine(db_url)
        from tui.core.store import Store

        self.engine = engine
        self.as_of = as_of or date.today()
        self.store = Store(engine, self.as_of)
        self.read_only = read_only
        self.cursor_blink = self.settings.cursor_blink if cursor_blink is None else cursor_blink
        self.db_label = db_label(engine)
        self.first_paint_hook = None  # benchmarks: called once the main screen has painted
        self.highlight_delay = 0.12  # seconds the tree cursor rests on a node before its detail loads
        if self.settings.theme:
            self.theme = self.settings.theme
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)

    # -- screens -------------------------------------------------------------------------------------
    def get_default_screen(self):
        from tui.screens.main import MainScreen

        return MainScreen()

    @property
    def main(self):
        from tui.screens.main import MainScreen

        for s in self.screen_stack:
            if isinstance(s, MainScreen):
                return s
        return None

    @property
    def current_ref(self):
        m = self.main
        return m.current_ref if m is not None else None

    def binding_key(self, binding_id: str) -> str:
        """The key(s) a binding id is on now (after keymap.toml), for hints in the UI."""
        keys = self._keymap.get(binding_id)
        if keys is None:
            for b in self.BINDINGS:
                if isinstance(b, Binding) and b.id == binding_id:
                    keys = b.key
                    break
        if not keys:
            return "?"
        return ", ".join(self.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))

    # -- actions -------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITING_ACTIONS and self.read_only:
            return False  # hidden: not in the footer, the help or the palette
        return True

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_jump(self) -> None:
        from textual.command import CommandPalette

        from tui.commands import FundJumpProvider

        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(providers=[FundJumpProvider], placeholder=tr("p.jump_ph")))

    def action_view(self, kind: str) -> None:
        from tui.screens.views import ViewScreen

        ref = self.current_ref
        screen = ViewScreen(kind, ref)
        if isinstance(self.screen, ViewScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_import(self) -> None:
        if self.read_only:
            return
        from tui.screens.imports import ImportScreen

        if not isinstance(self.screen, ImportScreen):
            self.push_screen(ImportScreen())

    def action_report(self) -> None:
        if self.read_only:
            return
        from tui.screens.export import ExportScreen

        if not isinstance(self.screen, ExportScreen):
            self.push_screen(ExportScreen())

    def action_refresh(self) -> None:
        self.data_changed()

    def compute(self, fn: str, args: tuple, group: str | None = None):
        """Figures for the detail pane or a view, by name (call from worker threads only)."""
        from tui.core.compute import run_local

        return run_local(self.store, fn, args, i18n.lang())

    def data_changed(self) -> None:
        """The database changed (an import): forget cached figures, reload the tree and pane."""
        self.store.invalidate()
        m = self.main
        if m is not None:
            m.reload()

    def jump_to_fund(self, fund_id: int) -> None:
        from tui.screens.main import MainScreen

        while not isinstance(self.screen, MainScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        m = self.main
        if m is not None:
            m.reveal_fund(fund_id)


def _commands_provider():
    from tui.commands import ActionsProvider

    return ActionsProvider


def run(db_url: str | None = None, lang: str | None = None, read_only: bool = False, as_of: date | None = None,
        **_: Any) -> int:
    """Open the TUI; returns the process exit code."""
    from fundtrack.db import open_engine

    engine = open_engine(db_url)  # schema errors surface here, on a normal terminal
    try:
        app = FundtrackApp(engine=engine, lang=lang, read_only=read_only, as_of=as_of)
        app.run()
    finally:
        engine.dispose()
    rc = app.return_code
    return 0 if rc is None else int(rc)
