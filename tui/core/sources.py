"""Table sources: what a VirtualTable shows, independent of Textual.

A source owns the rows and the *view* over them (filter + sort). Computing a view may be slow
(an SQL query over 100k rows), so it is split in two:

    view = source.prepare(filter_text, sort_key, descending)   # any thread
    source.set_view(view)                                      # the UI thread

and the widget only ever asks for the visible rows: `source.rows(start, end)`.

MemorySource holds small tables in memory (sub-funds, summaries, breaches).
SqlSource never loads the whole table: a view is the ordered list of row ids (one narrow
query), and rows are fetched by id in blocks as they scroll into sight, with an LRU cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator, Sequence

from fundtrack.format import NONE, fmt_multiple, fmt_pct

# ---------------------------------------------------------------------------------------------
# Columns and cell formatting

NUMERIC_KINDS = {"money", "ratio", "multiple", "int", "money_delta", "pp_delta", "multiple_delta", "bar", "days",
                 "measure", "int_delta"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | money | ratio | multiple | int | date | bool | bar | *_delta | days
    max_width: int = 36
    width: int | None = None  # fixed width (bars); None: measured from the data
    pinyin: bool = False  # the filter also matches this column's pinyin initials

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


BAR_FULL = "█"
BAR_PARTS = " ▏▎▍▌▋▊▉"


def bar(fraction: float | None, width: int) -> str:
    """A horizontal bar of `width` cells filled to `fraction` (0..1), eighth-cell resolution."""
    if fraction is None or width <= 0:
        return " " * max(width, 0)
    f = min(max(float(fraction), 0.0), 1.0)
    eighths = int(round(f * width * 8))
    if f > 0 and eighths == 0:
        eighths = 1  # anything above zero stays visible
    full, part = divmod(eighths, 8)
    s = BAR_FULL * full + (BAR_PARTS[part] if part and full < width else "")
    return s + " " * (width - len(s))


def wan(fen) -> str:
    """fundtrack.format.fmt_wan without Decimal: int fen → 万元, two places, round half to even
    (exactly what formatting the Decimal does). ~10× faster, for tables of 100k rows;
    tests/test_tui_core.py checks the two agree."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 1_000_000)  # 万元 and the fen below one 万元
    cents, rest = divmod(r, 10_000)  # 0.01 万元 = 100 元 = 10,000 fen
    if rest > 5_000 or (rest == 5_000 and cents % 2 == 1):
        cents += 1
        if cents == 100:
            q, cents = q + 1, 0
    if sign and q == 0 and cents == 0:
        sign = "-"  # Decimal keeps the sign of a negative that rounds to zero
    return f"{sign}{q:,}.{cents:02d}"


def _signed(s: str, v) -> str:
    return "+" + s if v is not None and v > 0 else s


def format_cell(kind: str, v: Any, width: int = 0, yes_no: tuple[str, str] | None = None) -> str:
    """The text of one cell. Money is int fen shown in 万元; ratios are fractions shown as %."""
    if kind == "bar":
        return bar(v, width)
    if v is None:
        return NONE if kind != "text" else ""
    if kind == "text":
        return str(v)
    if kind == "money":
        return wan(v)
    if kind == "ratio":
        return fmt_pct(v)
    if kind == "multiple":
        return fmt_multiple(v)
    if kind == "int":
        return f"{int(v):,}"
    if kind == "days":
        from tui.i18n import tr

        return tr("days", n=f"{int(v):,}")
    if kind == "date":
        return v.isoformat() if isinstance(v, (date, datetime)) else str(v)
    if kind == "bool":
        if yes_no is None:
            from tui.i18n import yes_no as _yn

            yes_no = _yn()
        return yes_no[0] if v else yes_no[1]
    if kind == "money_delta":
        return _signed(wan(v), v)
    if kind == "int_delta":
        return _signed(f"{int(v):,}", v)
    if kind == "pp_delta":
        return _signed(f"{v * 100:.1f}pp", v)
    if kind == "multiple_delta":
        return _signed(f"{v:.2f}x", v)
    if kind == "measure":  # (kind, value): a column whose rows hold different kinds of figure
        k, x = v
        return format_cell(k, x, width, yes_no)
    return str(v)


def sort_value(v):
    """A key that sorts None last and mixes nothing incomparable."""
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str):  # a "measure"
        return v[1] if v[1] is not None else float("-inf")
    return v


# ---------------------------------------------------------------------------------------------
# Sources


@dataclass
class View:
    """One filtered, sorted view: row positions (memory) or row ids (SQL), plus the settings."""

    order: Sequence[Any]
    filter_text: str = ""
    sort_key: str | None = None
    descending: bool = False
    extents: dict = field(default_factory=dict)  # numeric column → widest formatted value
    partial: bool = False  # only the first rows of the view; the whole follows


class TableSource:
    """Base of every table source."""

    name: str = "table"
    columns: list[Column]

    def __init__(self) -> None:
        self.view = View(order=())

    # -- the view ------------------------------------------------------------------------------
    def prepare(self, filter_text: str = "", sort_key: str | None = None, descending: bool = False,
                limit: int | None = None) -> View:
        raise NotImplementedError

    def index_of(self, key: Any) -> int | None:
        """Where a row (by key) is in the current view, or None."""
        return None

    def set_view(self, view: View) -> None:
        self.view = view

    def load(self) -> "TableSource":
        """Prepare and apply the default view synchronously (tests, small tables)."""
        self.set_view(self.prepare(self.view.filter_text, self.view.sort_key, self.view.descending))
        return self

    # -- rows ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.view.order)

    @property
    def total(self) -> int:
        return len(self)

    def rows(self, start: int, end: int) -> list[tuple]:
        raise NotImplementedError

    def key(self, index: int) -> Any:
        raise NotImplementedError

    def iter_rows(self, batch: int = 2000) -> Iterator[tuple]:
        """Every row of the current view, in order (for exports)."""
        for start in range(0, len(self), batch):
            yield from self.rows(start, min(start + batch, len(self)))

    def column_index(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)


def _terms(filter_text: str) -> list[str]:
    return [t for t in filter_text.casefold().split() if t]


class MemorySource(TableSource):
    """A small table held in memory: rows are tuples in column order; keys identify rows."""

    def __init__(self, name: str, columns: list[Column], rows: list[tuple], keys: Sequence[Any] | None = None):
        super().__init__()
        self.name = name
        self.columns = columns
        self._rows = list(rows)
        self._keys = list(keys) if keys is not None else list(range(len(self._rows)))
        self._haystack: list[str] | None = None
        self._lock = threading.Lock()
        self.view = View(order=range(len(self._rows)))

    @property
    def total(self) -> int:
        return len(self._rows)

    def _hay(self) -> list[str]:
        with self._lock:
            if self._haystack is None:
                text_cols = [i for i, c in enumerate(self.columns) if not c.numeric]
                py_cols = [i for i, c in enumerate(self.columns) if c.pinyin]
                initials = None
                if py_cols:
                    from tui.core.pinyin import initials as initials  # deferred: pypinyin is slow to import
                hay = []
                for r in self._rows:
                    parts = [format_cell(self.columns[i].kind, r[i]) for i in text_cols]
                    if initials is not None:
                        parts += [initials(r[i]) for i in py_cols if r[i]]
                    hay.append("\x1f".join(parts).casefold())
                self._haystack = hay
            return self._haystack

    def prepare(self, filter_text: str = "", sort_key: str | None = None, descending: bool = False,
                limit: int | None = None) -> View:
        order: list[int] = list(range(len(self._rows)))
        terms = _terms(filter_text)
        if terms:
            hay = self._hay()
            order = [i for i in order if all(t in hay[i] for t in terms)]
        if sort_key is not None:
            ci = self.column_index(sort_key)
            present = [i for i in order if self._rows[i][ci] is not None]
            missing = [i for i in order if self._rows[i][ci] is None]
            present.sort(key=lambda i: sort_value(self._rows[i][ci]), reverse=descending)
            order = present + missing
        return View(order, filter_text, sort_key, descending, self._extents())

    def _extents(self) -> dict:
        out = {}
        for i, c in enumerate(self.columns):
            if c.numeric and c.kind != "bar":
                out[c.key] = max((len(format_cell(c.kind, r[i])) for r in self._rows), default=1)
        return out

    def rows(self, start: int, end: int) -> list[tuple]:
        return [self._rows[i] for i in self.view.order[start:end]]

    def key(self, index: int) -> Any:
        return self._keys[self.view.order[index]]

    def index_of(self, key: Any) -> int | None:
        for i, j in enumerate(self.view.order):
            if self._keys[j] == key:
                return i
        return None


@dataclass(frozen=True)
class SqlColumn:
    column: Column
    expr: Any  # a SQLAlchemy column expression selected for display
    order: Any = None  # expression to ORDER BY (defaults to expr)
    joins: tuple = ()  # names of joins the ORDER BY needs (see SqlSource.joins)


class SqlSource(TableSource):
    """A table that stays in the database.

    id_col: the table's primary key; base: the FROM (with every join the display needs);
    where: fixed conditions (the scope: an investor, an as-of date); matcher(term) → a
    condition for one filter term on id_from (use IN-subqueries, not joins); id_from: a
    narrower FROM for the id query, so the default view is a single-table scan of ids;
    joins[name](from) adds what an ORDER BY column needs.
    """

    BLOCK = 128
    CACHE_BLOCKS = 64
    FIRST_PAGE = 1000  # rows of a new view shown before the rest of its ids arrive

    def __init__(self, name: str, engine, columns: list[SqlColumn], id_col, base, where: list,
                 matcher: Callable[[str], Any] | None = None, id_from=None, joins: dict | None = None):
        super().__init__()
        self.name = name
        self.engine = engine
        self.sql_columns = columns
        self.columns = [c.column for c in columns]
        self.id_col = id_col
        self.base = base
        self.where = list(where)
        self.matcher = matcher
        self.id_from = id_from if id_from is not None else base
        self.joins = joins or {}
        self._blocks: OrderedDict[int, dict] = OrderedDict()  # block number → {id: row}
        self._total: int | None = None

    @property
    def total(self) -> int:
        return self._total if self._total is not None else len(self)

    def _conditions(self, filter_text: str) -> list:
        conds = list(self.where)
        if self.matcher is not None:
            for t in _terms(filter_text):
                conds.append(self.matcher(t))
        return conds

    def prepare(self, filter_text: str = "", sort_key: str | None = None, descending: bool = False,
                limit: int | None = None) -> View:
        """The ordered ids of the view — all of them, or the first `limit` (a partial view)."""
        from sqlalchemy import select

        frm = self.id_from
        order = [self.id_col]
        if sort_key is not None:
            sc = next(c for c in self.sql_columns if c.column.key == sort_key)
            expr = sc.order if sc.order is not None else sc.expr
            for j in sc.joins:
                frm = self.joins[j](frm)
            # NULLs last in both directions, on both back-ends.
            order = [expr.is_(None), expr.desc() if descending else expr.asc(), self.id_col]
        stmt = select(self.id_col).select_from(frm).where(*self._conditions(filter_text)).order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit + 1)
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(stmt)]
            partial = limit is not None and len(ids) > limit
            if partial and self._total is None and not filter_text.strip():
                from sqlalchemy import func

                # The table's size, for "1,000+ / 100,000": a count is cheap, the ids are not.
                self._total = conn.execute(
                    select(func.count()).select_from(self.id_from).where(*self.where)).scalar()
        if partial:
            ids = ids[:limit]
        if not partial and not filter_text.strip():
            self._total = len(ids)
        return View(ids, filter_text, sort_key, descending, {}, partial)

    def index_of(self, key: Any) -> int | None:
        try:
            return self.view.order.index(key)
        except ValueError:
            return None

    def _fetch(self, ids: list) -> dict:
        from sqlalchemy import select

        stmt = select(self.id_col, *[c.expr for c in self.sql_columns]).select_from(self.base).where(
            self.id_col.in_(ids))
        with self.engine.connect() as conn:
            return {r[0]: tuple(r[1:]) for r in conn.execute(stmt)}

    def _block(self, n: int) -> dict:
        b = self._blocks.get(n)
        if b is not None:
            self._blocks.move_to_end(n)
            return b
        ids = list(self.view.order[n * self.BLOCK:(n + 1) * self.BLOCK])
        b = self._fetch(ids) if ids else {}
        self._blocks[n] = b
        while len(self._blocks) > self.CACHE_BLOCKS:
            self._blocks.popitem(last=False)
        return b

    def rows(self, start: int, end: int) -> list[tuple]:
        out = []
        end = min(end, len(self.view.order))
        i = start
        while i < end:
            n = i // self.BLOCK
            blk = self._block(n)
            stop = min(end, (n + 1) * self.BLOCK)
            for j in range(i, stop):
                row = blk.get(self.view.order[j])
                out.append(row if row is not None else tuple(None for _ in self.columns))
            i = stop
        return out

    def key(self, index: int) -> Any:
        return self.view.order[index]

    def set_view(self, view: View) -> None:  # blocks hold rows of one view's order
        if view.order is not self.view.order:
            old = self.view
            # A partial view's rows are the first rows of the full one: keep their blocks.
            if not (old.partial and old.filter_text == view.filter_text and old.sort_key == view.sort_key
                    and old.descending == view.descending):
                self._blocks.clear()
            else:
                full = len(old.order) // self.BLOCK
                for n in [n for n in self._blocks if n >= full]:
                    del self._blocks[n]
        self.view = view

    def iter_rows(self, batch: int = 1000) -> Iterator[tuple]:
        order = list(self.view.order)
        for start in range(0, len(order), batch):
            ids = order[start:start + batch]
            got = self._fetch(ids)
            for i in ids:
                if i in got:
                    yield got[i]


def rows_of(source: TableSource, limit: int | None = None) -> list[tuple]:
    """The current view's rows (tests and small exports)."""
    n = len(source) if limit is None else min(limit, len(source))
    return source.rows(0, n)


def iter_formatted(source: TableSource, rows: Iterable[tuple]) -> Iterator[list[str]]:
    for r in rows:
        yield [format_cell(c.kind, v) for c, v in zip(source.columns, r)]
