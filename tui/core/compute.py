"""The figure computations the UI asks for by name, from its worker threads.

One seam between the widgets and the headless core: `run_local(store, "figures", (ref,), lang)`
calls tui.core.detail.figures, the view functions call tui.core.views. (Running these in helper
processes instead was tried: on a 2-core machine under load it made start-up and paging slower,
as the helpers' own start-up and work compete for the same cores — see docs/tui.md.)
"""

from __future__ import annotations

STALE = "stale"  # a result nobody waits for any more


def run_local(store, fn: str, args: tuple, lang: str):
    from tui import i18n
    from tui.core import detail, views

    i18n.set_lang(lang)
    if fn == "figures":
        return detail.figures(store, *args, lang=lang)
    if fn == "compliance":
        return views.compliance(store, *args, lang=lang)
    if fn in ("lookthrough", "changes", "timeline"):
        return getattr(views, fn)(store, *args)
    raise ValueError(f"unknown computation {fn!r}")
