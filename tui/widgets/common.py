"""Small helpers shared by the widgets and screens."""

from __future__ import annotations

import dataclasses

from tui.i18n import tr


def localise(node) -> None:
    """Translate the node's binding descriptions (written as i18n keys, "b.filter").

    Bindings are class data, but every node holds its own copy (`_bindings`); rewriting that
    copy puts the right language in the footer, the help screen and the palette, while
    keymap.toml overrides (applied by binding id) keep working."""
    bm = node._bindings
    for key, bindings in list(bm.key_to_bindings.items()):
        bm.key_to_bindings[key] = [
            dataclasses.replace(b, description=tr(b.description), tooltip=b.tooltip)
            if b.description.startswith("b.") else b
            for b in bindings
        ]


def binding_text(description: str) -> str:
    return tr(description) if description.startswith("b.") else description
