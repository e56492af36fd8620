"""The terminal UI driven like a user drives it (Textual's run_test), on a real database.

Tests that depend on the database back-end take `db_url` (SQLite and PostgreSQL); the rest use
one SQLite file, to keep the suite quick. Settings are passed in, so a developer's own
keymap.toml never leaks into a test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.factories import make_small_portfolio

AS_OF = date(2026, 9, 30)
SIZE = (150, 44)


# ---------------------------------------------------------------------------------------------
# helpers (also used by test_tui_snapshots.py)


async def settle(pilot, timeout: float = 30.0) -> None:
    """Wait until no worker is running and the screen has processed what they posted."""
    from textual.worker import WorkerState

    app = pilot.app
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    quiet = 0
    while quiet < 2:
        await pilot.pause()
        # (DirectoryTree's _loader waits for work forever: it is never "done")
        busy = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                and w.group != "_loader"]
        quiet = 0 if busy else quiet + 1
        if busy:
            await asyncio.sleep(0.02)
        if loop.time() > end:
            raise TimeoutError(f"workers still running: {busy}")
    await pilot.pause()


def make_app(url: str, **kw):
    from tui.app import FundtrackApp
    from tui.settings import Settings

    kw.setdefault("settings", Settings())
    kw.setdefault("as_of", AS_OF)
    kw.setdefault("cursor_blink", False)
    app = FundtrackApp(url, **kw)
    app.highlight_delay = 0  # load the detail at once, so settle() sees its workers
    return app


def screen_lines(app) -> list[str]:
    return [s.text for s in app.screen._compositor.render_strips()]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


@pytest.fixture
def small_url(sqlite_template, tmp_path) -> str:
    """One SQLite database with the small portfolio (for tests that do not depend on the back-end)."""
    from fundtrack.db import open_engine

    path = tmp_path / "fundtrack.db"
    shutil.copyfile(sqlite_template, path)
    os.chmod(path, 0o600)
    url = f"sqlite:///{path}"
    e = open_engine(url)
    make_small_portfolio(e)
    e.dispose()
    return url


@pytest.fixture
def portfolio_url(db_url) -> str:
    from fundtrack.db import open_engine

    e = open_engine(db_url)
    make_small_portfolio(e)
    e.dispose()
    return db_url


def bad_workbook(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "子基金"
    ws.append(["子基金名称", "所属引导基金", "基金管理人", "认缴规模(万元)", "引导基金认缴(万元)"])
    ws.append(["坏数据子基金（有限合伙）", "武汉测试引导基金（虚构）", "某管理人", "abc", "1,000"])
    ws.append(["另一个子基金", "武汉测试引导基金（虚构）", "某管理人", "2000", "xyz"])
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# On every back-end: browse, filter, open, import, export


async def test_browse_filter_and_open_a_record(portfolio_url):
    from tui.screens.dialogs import RecordDialog
    from tui.widgets.dataview import DataView, FilterInput
    from tui.widgets.detail import DetailPane
    from tui.widgets.tree import PortfolioTree

    app = make_app(portfolio_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(PortfolioTree)
        assert [n.data.name for n in tree.root.children] == ["湖北省测试母基金（虚构）", "武汉测试引导基金（虚构）"]
        text = screen_text(app)
        assert "全部引导基金" in text and "300,000.00 万元" in text  # the portfolio totals

        # down twice → 武汉; → expands it (children load on expand), → again enters the first child
        await pilot.press("down", "down", "right")
        await settle(pilot)
        wuhan = tree.root.children[1]
        assert wuhan.is_expanded and [c.data.name for c in wuhan.children] == [
            "子基金A（有限合伙）", "子基金B", "江夏装备制造有限公司（虚构）"]
        pane = app.screen.query_one(DetailPane)
        assert pane.ref.name == "武汉测试引导基金（虚构）"
        text = screen_text(app)
        assert "放大倍数（总规模口径）" in text and "4.00x" in text and "3.00x" in text
        assert "29.1%" in text  # 返投 8,000 / 27,500
        assert "返投未达要求" in text  # its compliance flags
        dv = pane.query_one(DataView)
        assert dv.source.name == "sub_funds" and len(dv.source) == 2

        # Fund of funds: 子基金B → 子基金C, loaded lazily
        await pilot.press("right", "down")
        await settle(pilot)
        assert pane.ref.name == "子基金B"
        await pilot.press("right")
        await settle(pilot)
        b = wuhan.children[1]
        assert [c.data.name for c in b.children][0] == "子基金C"

        # The investments table of 子基金A: filter as you type, then open a row
        await pilot.press("up")
        await settle(pilot)
        assert pane.ref.name == "子基金A（有限合伙）"
        assert dv.source.name == "investments" and len(dv.source) == 3
        await pilot.press("tab")  # to the table
        await pilot.press("slash")
        assert app.screen.query_one(FilterInput).has_focus
        await pilot.press(*"深圳")
        await settle(pilot)
        assert len(dv.source) == 1 and dv.source.total == 3
        assert "1 / 3 行" in screen_text(app)
        await pilot.press("enter")  # back to the table, filter kept
        await pilot.press("enter")  # open the row
        await settle(pilot)
        assert isinstance(app.screen, RecordDialog)
        text = screen_text(app)
        assert "深圳软件有限公司（虚构）" in text and "广东省深圳市南山区" in text and "tests/factories.py" in text
        await pilot.press("escape")
        # Escape in the filter clears it
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert len(dv.source) == 3


async def test_import_a_bad_workbook_shows_every_error_and_writes_nothing(portfolio_url, tmp_path):
    from tui.screens.imports import ImportScreen
    from tui.widgets.dataview import DataView

    bad = bad_workbook(tmp_path / "坏文件.xlsx")
    app = make_app(portfolio_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        screen = app.screen
        screen.query_one("#path").value = str(bad)
        await pilot.click("#check")
        await settle(pilot)
        errors = screen.query_one("#errors", DataView).source
        assert [r[0] for r in errors.rows(0, len(errors))] == ["子基金!D2", "子基金!E3"]
        text = screen_text(app)
        assert "子基金!D2" in text and "abc" in text and "错误 2 条" in text
        assert screen.query_one("#confirm").disabled  # cannot import a rejected file
        assert not screen.check_action("confirm", ())
        await pilot.press("escape")
        assert not isinstance(app.screen, ImportScreen)
    from fundtrack.db import open_engine
    from sqlalchemy import text as sql

    e = open_engine(portfolio_url)
    with e.connect() as c:
        assert c.execute(sql("select count(*) from fund")).scalar() == 6  # nothing written
    e.dispose()


async def test_export_the_quarterly_report_and_a_table(portfolio_url, tmp_path):
    from tui.screens.dialogs import ExportTableDialog
    from tui.screens.export import ExportScreen

    app = make_app(portfolio_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one("#quarter").value == "2026Q3"
        out = tmp_path / "季度报告.xlsx"
        app.screen.query_one("#path").value = str(out)
        await pilot.click("#run")
        await settle(pilot)
        assert out.exists() and out.stat().st_size > 5000
        assert str(out.resolve()) in screen_text(app)
        await pilot.press("escape")

        # `e` on a table writes that table (its current view)
        await pilot.press("tab", "e")
        assert isinstance(app.screen, ExportTableDialog)
        target = tmp_path / "funds.xlsx"
        app.screen.query_one("#path").value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    import openpyxl

    ws = openpyxl.load_workbook(target).active
    names = [r[0].value for r in ws.iter_rows()]
    assert "武汉测试引导基金（虚构）" in names and "湖北省测试母基金（虚构）" in names


# ---------------------------------------------------------------------------------------------
# SQLite only: behaviour that does not depend on the back-end


async def test_main_screen_lines_are_exactly_the_terminal_width(small_url):
    """Chinese names are two cells wide: every rendered line must still fill the width exactly."""
    from tui.widgets.detail import DetailPane

    for size in ((150, 44), (101, 30)):
        app = make_app(small_url)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("down", "down", "right")  # 武汉: names in the tree, the pane and its table
            await settle(pilot)
            app.screen.query_one(DetailPane).select_tab("investments")
            await settle(pilot)
            lines = screen_lines(app)
            assert len(lines) == size[1]
            assert any("江夏装备制造有限公司（虚构）" in ln for ln in lines)
            assert any("子基金A（有限合伙）" in ln for ln in lines)
            for ln in lines:
                assert cell_len(ln) == size[0], repr(ln)


async def test_views_open_for_the_selected_fund(small_url):
    from tui.screens.views import ViewScreen
    from tui.widgets.dataview import DataView

    app = make_app(small_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")  # 武汉
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ViewScreen) and app.screen.kind == "lookthrough"
        text = screen_text(app)
        assert "穿透分析：武汉测试引导基金（虚构）" in text and "高端装备" in text and "█" in text
        await pilot.press("2")  # by region
        await settle(pilot)
        assert app.screen.query_one("#first", DataView).source.rows(0, 1)[0][0] == "武汉"
        await pilot.press("c")  # views switch in place
        await settle(pilot)
        assert app.screen.kind == "compliance" and "返投未达要求" in screen_text(app)
        await pilot.press("w")
        await settle(pilot)
        assert "上季末 2026-06-30" in screen_text(app)
        await pilot.press("t")
        await settle(pilot)
        assert "2024Q2" in screen_text(app)
        # Enter on a compliance row jumps to its fund in the tree
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_ref.kind in ("guidance", "sub")
        assert not isinstance(app.screen, ViewScreen)


async def test_sort_by_a_column_key_and_click(small_url):
    from tui.widgets.detail import DetailPane
    from tui.widgets.vtable import VirtualTable

    app = make_app(small_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = app.screen.query_one(DetailPane)
        pane.select_tab("investments")
        await settle(pilot)
        table = pane.query_one(VirtualTable)
        table.focus()
        await pilot.press("right", "right", "right", "right", "right", "right", "s")  # 投资金额, biggest first
        await settle(pilot)
        assert table.source.view.sort_key == "amount" and table.source.view.descending
        assert table.source.rows(0, 1)[0][0] == "江夏装备制造有限公司（虚构）"
        assert "投资金额(万元) ▼" in screen_text(app)
        await pilot.press("s")  # again: ascending
        await settle(pilot)
        assert not table.source.view.descending
        assert table.source.rows(0, 1)[0][:2] == ("光谷芯片科技有限公司（虚构）", "子基金C")  # 1,000 万元
        # a click on a header sorts by that column
        await pilot.press(*["left"] * 6)
        await pilot.click(VirtualTable, offset=(3, 0))
        await settle(pilot)
        assert table.source.view.sort_key == "company"


async def test_jump_to_a_fund_by_pinyin_initials(small_url):
    app = make_app(small_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press(*"zjjc")  # 子基金C, deep under 武汉 → 子基金B
        await settle(pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_ref.name == "子基金C"
        assert app.current_ref.parent_name == "子基金B"
        tree = app.main.tree
        assert tree.cursor_node.data.name == "子基金C"


async def test_command_palette_follows_the_screen_and_read_only_hides_writes(small_url):
    from textual.command import CommandPalette

    from tui.commands import ActionsProvider
    from tui.screens.help import HelpScreen

    for read_only in (False, True):
        app = make_app(small_url, read_only=read_only)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            footer = screen_lines(app)[-1]
            assert ("导入" in footer) is not read_only and ("季度报告" in footer) is not read_only
            provider = ActionsProvider(app.screen)
            labels = [c[0] for c in provider._commands()]
            assert "跳转基金" in labels and "穿透" in labels and "显示「引导基金」表" in labels
            assert ("导入" in labels) is not read_only
            await pilot.press("i")
            await settle(pilot)
            assert (type(app.screen).__name__ == "ImportScreen") is not read_only
            if not read_only:
                await pilot.press("escape")
            await pilot.press("ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"帮助")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            assert "app.quit" in screen_text(app)
            ids = [r[2] for r in app.screen.rows]
            assert "table.filter" in ids and ("app.import" in ids) is not read_only
            await pilot.press("escape")
            # On the table, the palette offers its columns
            await pilot.press("tab")
            provider = ActionsProvider(app.screen)
            labels = [c[0] for c in provider._commands()]
            assert "按「认缴规模(万元)」排序" in labels and "筛选" in labels


async def test_keymap_and_english(small_url, tmp_path):
    from textual.command import CommandPalette

    from tui.settings import load_settings

    (tmp_path / "keymap.toml").write_text('"app.jump" = "f"\n"table.filter" = "f2"\n', encoding="utf-8")
    (tmp_path / "tui.toml").write_text('[tui]\nlang = "en"\n', encoding="utf-8")
    app = make_app(small_url, settings=load_settings(tmp_path), lang=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "All guidance funds" in text and "Leverage (total-size basis)" in text
        assert "Look-through" in screen_lines(app)[-1]
        active = app.screen.active_bindings
        assert active["f"].binding.id == "app.jump" and "g" not in active
        await pilot.press("f")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await pilot.press("tab", "f2")
        assert app.screen.query_one("FilterInput").has_focus
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        assert "Keys" in screen_text(app)
        rows = {r[2]: r for r in app.screen.rows}
        assert rows["table.filter"][0] == "f2" and rows["app.jump"][:2] == ("f", "Jump to fund")


async def test_empty_database_says_what_to_do(sqlite_template, tmp_path):
    path = tmp_path / "empty.db"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "数据库里还没有基金" in text and "fundtrack demo" in text


def test_run_returns_an_exit_code(monkeypatch, small_url):
    from tui import app as app_module

    seen = {}

    def fake_run(self, *a, **kw):
        seen["lang"] = app_module.i18n.lang()
        seen["read_only"] = self.read_only
        self.exit(0)

    monkeypatch.setattr(app_module.FundtrackApp, "run", fake_run)
    assert app_module.run(db_url=small_url, lang="en", read_only=True) == 0
    assert seen == {"lang": "en", "read_only": True}
    app_module.i18n.set_lang("zh")
