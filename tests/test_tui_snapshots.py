"""SVG snapshots of the main views (pytest-textual-snapshot), at a fixed terminal size, on the
small portfolio with a fixed as-of date and no cursor blink, so they are deterministic.

Regenerate after a deliberate change with `pytest tests/test_tui_snapshots.py --snapshot-update`
and look at the report before committing the new SVGs.
"""

from __future__ import annotations

import pytest

from tests.test_tui_app import bad_workbook, make_app, settle, small_url  # noqa: F401 (fixture)

SIZE = (150, 44)


@pytest.fixture
def snap_app(small_url):
    return lambda **kw: make_app(small_url, **kw)


def test_snapshot_overview(snap_app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_guidance_fund(snap_app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down", "down", "right")
        await settle(pilot)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_investments_sorted_in_english(snap_app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("right_square_bracket", "tab", *["right"] * 6, "s")
        await settle(pilot)

    assert snap_compare(snap_app(lang="en"), terminal_size=SIZE, run_before=run_before)


def test_snapshot_lookthrough(snap_app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down", "down", "l")
        await settle(pilot)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_compliance(snap_app, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_import_errors(snap_app, snap_compare, tmp_path, monkeypatch):
    folder = tmp_path / "incoming"
    folder.mkdir()
    bad_workbook(folder / "坏文件.xlsx")
    monkeypatch.chdir(folder)  # the file picker and the path are relative: the same on every run

    async def run_before(pilot):
        from tui.screens.imports import ImportScreen

        await settle(pilot)
        await pilot.app.push_screen(ImportScreen(start="."))
        await settle(pilot)
        pilot.app.screen.query_one("#path").value = "坏文件.xlsx"
        await pilot.click("#check")
        await settle(pilot)
        pilot.app.screen.query_one("#errors").table.focus()
        await settle(pilot)

    assert snap_compare(snap_app(), terminal_size=SIZE, run_before=run_before)
