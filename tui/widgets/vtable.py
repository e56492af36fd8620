"""VirtualTable: a table that renders only the lines on screen (toolong's pattern).

The rows live in a TableSource (tui.core.sources); this widget asks it for the visible rows
only, formats them, and keeps the rendered lines in an LRU cache, so a 100,000-row table
costs the same to draw and scroll as a 10-row one. Filtering and sorting compute a new
view in a worker thread and swap it in when ready; the old view stays usable meanwhile.

The header is pinned as line 0; a row cursor and a column cursor (for sorting) move with
the keys; every binding has an id so it can be remapped from keymap.toml.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, on, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import get_current_worker

from tui.core.sources import Column, TableSource, View, format_cell
from tui.i18n import tr
from tui.widgets.common import localise

SEP = 2  # cells between columns
PAD = 1  # cells before the first column
MIN_NUMERIC = {"money": 12, "money_delta": 12, "ratio": 6, "pp_delta": 7, "multiple": 6, "int": 6, "date": 10}


def fit(text: str, width: int, right: bool) -> str:
    """text in exactly `width` cells: cropped with … or padded (right- or left-aligned)."""
    n = cell_len(text)
    if n > width:
        if width <= 1:
            return set_cell_size(text, width)
        # A wide character cut in half leaves a space: put the ellipsis before it.
        cut = set_cell_size(text, width - 1)
        short = cut.rstrip(" ") if not text[:len(cut)].endswith(" ") else cut
        head = short + "…"
        return head + " " * (width - cell_len(head))
    pad = " " * (width - n)
    return pad + text if right else text + pad


class VirtualTable(ScrollView, can_focus=True, inherit_bindings=False):
    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        scrollbar-gutter: stable;
    }
    VirtualTable > .vtable--header { background: $panel; color: $foreground; text-style: bold; }
    VirtualTable > .vtable--header-cursor { background: $panel; color: $accent; text-style: bold underline; }
    VirtualTable > .vtable--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .vtable--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    VirtualTable > .vtable--negative { color: $error; }
    VirtualTable > .vtable--bar { color: $accent; }
    VirtualTable > .vtable--empty { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {"vtable--header", "vtable--header-cursor", "vtable--cursor", "vtable--negative",
                         "vtable--bar", "vtable--empty"}

    BINDINGS = [
        Binding("up", "cursor_up", "b.up", show=False, id="table.up"),
        Binding("down", "cursor_down", "b.down", show=False, id="table.down"),
        Binding("left", "cursor_left", "b.left", show=False, id="table.left"),
        Binding("right", "cursor_right", "b.right", show=False, id="table.right"),
        Binding("pageup", "page_up", "b.page_up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "b.page_down", show=False, id="table.page_down"),
        Binding("home", "first", "b.home", show=False, id="table.home"),
        Binding("end", "last", "b.end", show=False, id="table.end"),
        Binding("enter", "open", "b.open", id="table.open"),
        Binding("slash", "filter", "b.filter", id="table.filter"),
        Binding("s", "sort", "b.sort", id="table.sort"),
        Binding("e", "export", "b.export", id="table.export"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    cursor_col: reactive[int] = reactive(0, repaint=False)
    busy: reactive[bool] = reactive(False, repaint=False)

    class Selected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: "VirtualTable", index: int, key: Any) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> "VirtualTable":
            return self.table

    class ViewChanged(Message):
        """A new view (filter / sort) is in place, or one started computing (busy)."""

        def __init__(self, table: "VirtualTable") -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> "VirtualTable":
            return self.table

    class FilterRequested(Message):
        def __init__(self, table: "VirtualTable") -> None:
            super().__init__()
            self.table = table

    class ExportRequested(Message):
        def __init__(self, table: "VirtualTable") -> None:
            super().__init__()
            self.table = table

    class _ViewReady(Message):
        def __init__(self, source: TableSource, view: View) -> None:
            super().__init__()
            self.source = source
            self.view = view

    def __init__(self, source: TableSource | None = None, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        localise(self)
        self.source: TableSource | None = None
        self.widths: list[int] = []
        self.offsets: list[int] = []
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)
        self._generation = 0
        self._styles: dict | None = None
        self._grown: dict[str, int] = {}  # numeric column → width a drawn value needed
        self._grow_pending = False
        if source is not None:
            self.set_source(source)

    # -- the source and its view ---------------------------------------------------------------
    def set_source(self, source: TableSource | None) -> None:
        """Show another table (its view already prepared, e.g. by a worker)."""
        self.source = source
        self._grown = {}
        self.cursor_col = 0
        self._layout()
        self.cursor_row = 0
        self.scroll_to(0, 0, animate=False, immediate=True)

    @property
    def columns(self) -> list[Column]:
        return self.source.columns if self.source is not None else []

    @property
    def row_count(self) -> int:
        return len(self.source) if self.source is not None else 0

    def _layout(self) -> None:
        """Column widths from the headers, the numeric extents and a sample of text cells."""
        self._generation += 1
        self._lines.clear()
        src = self.source
        if src is None:
            self.widths, self.offsets = [], []
            self.virtual_size = Size(0, 1)
            self.refresh()
            return
        sample = src.rows(0, min(len(src), 100)) if len(src) else []
        widths = []
        for i, c in enumerate(src.columns):
            head = cell_len(c.label) + 2  # room for the sort arrow
            if c.width is not None:
                w = max(c.width, head)
            elif c.numeric:
                # Numbers are never cut: a wider one found while drawing widens its column.
                w = max(head, MIN_NUMERIC.get(c.kind, 6), src.view.extents.get(c.key, 0),
                        self._grown.get(c.key, 0),
                        max((cell_len(format_cell(c.kind, r[i])) for r in sample), default=0))
            else:
                data = max((cell_len(format_cell(c.kind, r[i])) for r in sample), default=0)
                w = max(head, min(data, c.max_width))
            widths.append(w)
        offsets, x = [], PAD
        for w in widths:
            offsets.append(x)
            x += w + SEP
        self.widths, self.offsets = widths, offsets
        self.virtual_size = Size(x - SEP + PAD, len(src) + 1)
        self.refresh()

    def apply(self, filter_text: str | None = None, sort_key: str | None | bool = False,
              descending: bool | None = None) -> None:
        """Compute a new view in a worker; unspecified settings keep their current value."""
        if self.source is None:
            return
        v = self.source.view
        ft = v.filter_text if filter_text is None else filter_text
        sk = v.sort_key if sort_key is False else sort_key
        desc = v.descending if descending is None else descending
        self.busy = True
        self.post_message(self.ViewChanged(self))
        self._compute_view(self.source, ft, sk, desc)

    @work(thread=True, exclusive=True, group="view")
    def _compute_view(self, source: TableSource, filter_text: str, sort_key, descending: bool) -> None:
        worker = get_current_worker()
        first = getattr(source, "FIRST_PAGE", 0)
        if first:
            # A big SQL table: the first screens of the new view at once, the rest after.
            view = source.prepare(filter_text, sort_key, descending, limit=first)
            if worker.is_cancelled:
                return
            self.post_message(self._ViewReady(source, view))
            if not view.partial:
                return
        view = source.prepare(filter_text, sort_key, descending)
        if not worker.is_cancelled:
            self.post_message(self._ViewReady(source, view))

    @on(_ViewReady)
    def _view_ready(self, event: _ViewReady) -> None:
        event.stop()
        src = event.source
        if src is not self.source:
            return
        old = src.view
        continuation = (old.partial and old.filter_text == event.view.filter_text
                        and old.sort_key == event.view.sort_key and old.descending == event.view.descending)
        key = self.current_key
        src.set_view(event.view)
        self.busy = event.view.partial
        self._layout()
        if continuation:
            # The rest of the view we already show: same order, so cursor and scroll stay.
            self.cursor_row = self.cursor_row
        else:
            # Keep the cursor on the same row when it survived the new view; else the top.
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
            idx = src.index_of(key) if key is not None else None
            if idx is not None:
                self.cursor_row = idx
        self._scroll_col_into_view()
        self.post_message(self.ViewChanged(self))

    @property
    def current_key(self) -> Any:
        if self.source is None or not len(self.source):
            return None
        return self.source.key(min(self.cursor_row, len(self.source) - 1))

    # -- cursor --------------------------------------------------------------------------------
    @property
    def page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, self.row_count - 1)) if self.row_count else 0

    def validate_cursor_col(self, value: int) -> int:
        return max(0, min(value, len(self.columns) - 1)) if self.columns else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_cursor_into_view()

    def watch_cursor_col(self, old: int, new: int) -> None:
        self._lines.clear()
        self.refresh()
        self._scroll_col_into_view()

    def _scroll_col_into_view(self) -> None:
        """Scroll sideways by whole columns, so the left edge never shows half a name."""
        new = self.cursor_col
        if not self.widths or new >= len(self.widths):
            return
        width = self.scrollable_content_region.width
        start = self.offsets[new] - PAD
        end = self.offsets[new] + self.widths[new] + PAD
        if start < self.scroll_x:
            target = start
        elif end > self.scroll_x + width:
            need = end - width
            target = next((o - PAD for o in self.offsets if o - PAD >= need), start)
        else:
            return
        self.scroll_to(x=max(0, target), animate=False, immediate=True)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        page = self.page_rows
        r = self.cursor_row
        if r < top:
            self.scroll_to(y=r, animate=False, immediate=True)
        elif r >= top + page:
            self.scroll_to(y=r - page + 1, animate=False, immediate=True)

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh_line(y)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_left(self) -> None:
        self.cursor_col -= 1

    def action_cursor_right(self) -> None:
        self.cursor_col += 1

    def action_page_up(self) -> None:
        page = self.page_rows
        self.scroll_to(y=max(0, int(self.scroll_y) - page), animate=False, immediate=True)
        self.cursor_row -= page

    def action_page_down(self) -> None:
        page = self.page_rows
        self.scroll_to(y=int(self.scroll_y) + page, animate=False, immediate=True)
        self.cursor_row += page

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = self.row_count - 1

    def action_open(self) -> None:
        if self.row_count:
            self.post_message(self.Selected(self, self.cursor_row, self.current_key))

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested(self))

    def action_export(self) -> None:
        self.post_message(self.ExportRequested(self))

    def action_sort(self, key: str | None = None) -> None:
        """Sort by the cursor's column (or `key`); again on the same column reverses it."""
        if self.source is None or not self.columns:
            return
        if key is None:
            key = self.columns[self.cursor_col].key
        else:
            self.cursor_col = self.source.column_index(key)
        v = self.source.view
        col = self.columns[self.cursor_col]
        if v.sort_key == key:
            desc = not v.descending
        else:
            desc = col.numeric  # numbers: biggest first; text and dates: A→Z, oldest first
        self.apply(sort_key=key, descending=desc)

    # -- mouse ---------------------------------------------------------------------------------
    def _column_at(self, x: int) -> int | None:
        vx = x + int(self.scroll_x)
        for i, (o, w) in enumerate(zip(self.offsets, self.widths)):
            if o <= vx < o + w + SEP:
                return i
        return None

    async def _on_click(self, event: events.Click) -> None:
        if self.source is None:
            return
        col = self._column_at(event.x)
        if event.y == 0:
            if col is not None:
                self.cursor_col = col
                self.action_sort()
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < self.row_count:
            if col is not None:
                self.cursor_col = col
            self.cursor_row = row
            if event.chain >= 2:
                self.action_open()

    # -- rendering -----------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._lines.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self._styles = None
        self._lines.clear()
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self._styles = None
        self._lines.clear()
        self.refresh()

    def _style(self) -> dict:
        """Component styles, computed once per theme / focus change (not per line)."""
        if self._styles is None:
            base = self.rich_style
            cursor = base + self.get_component_rich_style("vtable--cursor")
            neg = self.get_component_rich_style("vtable--negative")
            bar_ = self.get_component_rich_style("vtable--bar")
            self._styles = {
                "base": base, "cursor": cursor,
                "neg": base + neg, "bar": base + bar_, "cursor_neg": cursor + neg, "cursor_bar": cursor + bar_,
                "header": self.get_component_rich_style("vtable--header"),
                "header_cursor": self.get_component_rich_style("vtable--header-cursor"),
                "empty": self.get_component_rich_style("vtable--empty"),
            }
        return self._styles

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        st = self._style()
        base = st["base"]
        if y == 0:
            strip = self._header()
        else:
            index = scroll_y + y - 1
            if self.source is None or index >= self.row_count:
                if index == 0 and self.source is not None:
                    strip = self._empty()
                else:
                    return Strip.blank(width, base)
            else:
                strip = self._row(index)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _empty(self) -> Strip:
        style = self._style()["empty"]
        text = " " * PAD + (tr("t.updating") if self.busy else tr("t.no_rows"))
        return Strip([Segment(text, style)], cell_len(text))

    def _header(self) -> Strip:
        key = ("header", self._generation, self.cursor_col, self.has_focus,
               self.source.view.sort_key if self.source else None,
               self.source.view.descending if self.source else None)
        hit = self._lines.get(key)
        if hit is not None:
            return hit
        st = self._style()
        style, cur = st["header"], st["header_cursor"]
        segs = [Segment(" " * PAD, style)]
        v = self.source.view if self.source else None
        for i, (c, w) in enumerate(zip(self.columns, self.widths)):
            label = c.label
            if v is not None and v.sort_key == c.key:
                label = f"{label} {'▼' if v.descending else '▲'}"
            s = cur if (i == self.cursor_col and self.has_focus) else style
            segs.append(Segment(fit(label, w, c.numeric), s))
            segs.append(Segment(" " * SEP, style))
        strip = Strip(segs).adjust_cell_length(self.virtual_size.width, style)
        self._lines[key] = strip
        return strip

    def _row(self, index: int) -> Strip:
        is_cursor = index == self.cursor_row
        key = (index, self._generation, is_cursor)
        hit = self._lines.get(key)
        if hit is not None:
            return hit
        rows = self.source.rows(index, index + 1)
        row = rows[0] if rows else tuple(None for _ in self.columns)
        st = self._style()
        if is_cursor:
            row_style, neg, barst = st["cursor"], st["cursor_neg"], st["cursor_bar"]
        else:
            row_style, neg, barst = st["base"], st["neg"], st["bar"]
        gap = " " * SEP
        segs = [Segment(" " * PAD, row_style)]
        for c, w, v in zip(self.columns, self.widths, row):
            text = format_cell(c.kind, v, w)
            if c.numeric:
                n = len(text) if text.isascii() else cell_len(text)
                if n > w:
                    self._grow(c.key, n)
                    text = fit(text, w, True)
                else:
                    text = " " * (w - n) + text
                s = barst if c.kind == "bar" else neg if _negative(v) else row_style
            else:
                text = fit(text, w, False)
                s = row_style
            segs.append(Segment(text, s))
            segs.append(Segment(gap, row_style))
        total = self.virtual_size.width
        strip = Strip(segs, PAD + sum(self.widths) + SEP * len(self.widths))
        if strip.cell_length != total:
            strip = strip.adjust_cell_length(total, row_style)
        self._lines[key] = strip
        return strip

    def _grow(self, key: str, width: int) -> None:
        if width > self._grown.get(key, 0):
            self._grown[key] = width
            if not self._grow_pending:
                self._grow_pending = True
                self.call_after_refresh(self._regrow)

    def _regrow(self) -> None:
        self._grow_pending = False
        self._layout()


def _negative(v) -> bool:
    if isinstance(v, tuple):
        v = v[1]
    try:
        return v is not None and v < 0
    except TypeError:
        return False


__all__ = ["VirtualTable", "Style"]
