"""Command palette providers.

ActionsProvider (ctrl+p) offers every action that is live where the palette was opened:
the bindings of the focused widget, its containers, the screen and the app (so the list
follows the screen, and read-only mode hides import here too), plus "sort by <column>" for
the table on screen and "show the <tab> table" for the detail pane. Commands match by their
Chinese label, English text or pinyin initials.

FundJumpProvider (g) jumps to any fund by its Chinese name, pinyin or pinyin initials.
"""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.actions import parse as parse_action
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.i18n import tr


class ActionsProvider(Provider):
    async def startup(self) -> None:
        # pypinyin loads in a thread, so the palette opens at once.
        self._pinyin = None
        try:
            self._pinyin = await asyncio.to_thread(_pinyin_module)
        except Exception:  # pragma: no cover - pinyin is optional for the palette
            self._pinyin = None

    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        screen = self.screen
        out: list[tuple[str, str, object]] = []
        seen: set[str] = set()
        for node, bm in screen._binding_chain:
            for key, bindings in bm.key_to_bindings.items():
                for b in bindings:
                    if not b.description or not b.id or b.id in seen:
                        continue
                    if b.id.endswith((".up", ".down", ".left", ".right", ".page_up", ".page_down", ".home", ".end")):
                        continue  # cursor keys are not commands
                    try:
                        _, name, params = parse_action(b.action)
                    except Exception:
                        continue
                    if node.check_action(name, params) is False or app.check_action(name, params) is False:
                        continue
                    seen.add(b.id)
                    keys = app.binding_key(b.id) if hasattr(app, "binding_key") and b.id.startswith("app.") \
                        else app.get_key_display(b)
                    out.append((b.description, f"{keys}", partial(app.run_action, b.action, node)))
        # The table on screen: sort by any column.
        from tui.widgets.dataview import DataView

        for dv in screen.query(DataView):
            if not dv.display or dv.source is None or not dv.region.area:
                continue
            for c in dv.source.columns:
                out.append((tr("p.sort_by", col=c.label), dv.title, partial(dv.table.action_sort, c.key)))
            break
        # The detail pane's tables.
        from tui.widgets.detail import DetailPane

        for pane in screen.query(DetailPane):
            for t in pane.tables:
                out.append((tr("p.tab", tab=t.label), "", partial(pane.select_tab, t.tab)))
        return out

    async def discover(self) -> Hits:
        for label, help_text, cb in self._commands():
            yield DiscoveryHit(label, cb, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        q = "".join(query.casefold().split())
        for label, help_text, cb in self._commands():
            score = matcher.match(label)
            if score <= 0 and self._pinyin is not None and q.isascii():
                e = self._pinyin.entry(None, label)
                s = self._pinyin.score(q, e)
                score = s * 0.9 if s else 0
            if score > 0:
                yield Hit(score, matcher.highlight(label), cb, text=label, help=help_text)


def _pinyin_module():
    from tui.core import pinyin

    return pinyin


def fund_index(store) -> list:
    """Pinyin entries of every fund, cached on the store (rebuilt after an import)."""

    def build():
        from tui.core.pinyin import entry

        parents = store.parents()
        names = store.fund_names()
        by_id = {i: n for i, n, _ in names}
        out = []
        for fid, name, kind in names:
            ps = parents.get(fid, [])
            out.append(entry((fid, kind, by_id.get(ps[0], "") if ps else ""), name))
        return out

    return store._cached(("fund_index",), build)


class FundJumpProvider(Provider):
    async def startup(self) -> None:
        self._entries = await asyncio.to_thread(fund_index, self.app.store)

    def _hit_text(self, e) -> tuple[Text, str]:
        fid, kind, parent = e.key
        t = Text(e.name)
        help_text = tr(f"kind.{kind}") + (f" · {tr('p.under', parent=parent)}" if parent else "")
        return t, help_text

    async def discover(self) -> Hits:
        for e in [e for e in self._entries if e.key[1] == "guidance"][:60]:
            t, h = self._hit_text(e)
            yield DiscoveryHit(t, partial(self.app.jump_to_fund, e.key[0]), text=e.name, help=h)

    async def search(self, query: str) -> Hits:
        from tui.core.pinyin import search

        hits = await asyncio.to_thread(search, query, self._entries, 40)
        for score, e in hits:
            t, h = self._hit_text(e)
            q = query.strip()
            if q and q in e.name:
                i = e.name.index(q)
                t.stylize("bold underline", i, i + len(q))
            yield Hit(score, t, partial(self.app.jump_to_fund, e.key[0]), text=e.name, help=h)
