"""The portfolio tree: guidance funds → sub-funds (any fund-of-funds depth) → companies.

Children are loaded when a node is first expanded (one indexed query), so a portfolio of
100k investments never sits in the tree at once; a fund with very many companies shows the
largest ones and a "… N more" line pointing at its Investments table.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.core.detail import NodeRef
from tui.core.store import Store
from tui.i18n import tr
from tui.widgets.common import localise

COMPANY_LIMIT = 200


class PortfolioTree(Tree[NodeRef], inherit_bindings=False):
    DEFAULT_CSS = """
    PortfolioTree { width: 30%; min-width: 28; max-width: 56; border-right: vkey $panel-lighten-1; padding: 0 0 0 1; }
    PortfolioTree:focus { border-right: vkey $accent; }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "b.open", show=False, id="tree.select"),
        Binding("space", "toggle_node", "b.expand", show=False, id="tree.toggle"),
        Binding("right", "expand_node", "b.tree_expand", show=False, id="tree.expand"),
        Binding("left", "collapse_or_parent", "b.tree_collapse", show=False, id="tree.collapse"),
        Binding("up", "cursor_up", "b.up", show=False, id="tree.up"),
        Binding("down", "cursor_down", "b.down", show=False, id="tree.down"),
        Binding("pageup", "page_up", "b.page_up", show=False, id="tree.page_up"),
        Binding("pagedown", "page_down", "b.page_down", show=False, id="tree.page_down"),
        Binding("home", "scroll_home", "b.home", show=False, id="tree.home"),
        Binding("end", "scroll_end", "b.end", show=False, id="tree.end"),
    ]

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(Text(tr("tree.root"), style="bold"), data=NodeRef("root", name=tr("tree.root")), id=id)
        localise(self)
        self.store = store
        self.guide_depth = 3
        self.auto_expand = False
        self._loaded: set[int] = set()  # ids of TreeNodes whose children are in place

    # -- loading -----------------------------------------------------------------------------------
    def load_roots(self) -> int:
        """Put the guidance funds under the root; returns how many there are."""
        self.clear()
        self._loaded.clear()
        funds = self.store.guidance_funds()
        for f in funds:
            label = Text.assemble((f.name, "bold"), (f"  {f.level or ''}", "dim"))
            self.root.add(label, NodeRef("guidance", f.id, f.name, None, f.id), allow_expand=f.has_children)
        self.root.expand()
        self._loaded.add(self.root.id)
        return len(funds)

    def ensure_children(self, node: TreeNode[NodeRef]) -> None:
        ref = node.data
        if node.id in self._loaded or ref is None or ref.kind not in ("guidance", "sub"):
            return
        self._loaded.add(node.id)
        ch = self.store.children(ref.id, COMPANY_LIMIT)
        for f in ch.funds:
            node.add(Text(f.name), NodeRef("sub", f.id, f.name, ref.id, ref.root, ref.name), allow_expand=f.has_children)
        for c in ch.companies:
            node.add_leaf(Text(c.name, style="dim"), NodeRef("company", c.id, c.name, ref.id, ref.root, ref.name))
        more = ch.companies_total - len(ch.companies)
        if more > 0:
            node.add_leaf(Text(tr("tree.more", n=f"{more:,}"), style="dim italic"),
                          NodeRef("more", None, ref.name, ref.id, ref.root, ref.name))
        if not ch.funds and not ch.companies:
            node.allow_expand = False

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded) -> None:
        self.ensure_children(event.node)

    # -- actions -----------------------------------------------------------------------------------
    def action_expand_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            self.ensure_children(node)
            node.expand()
        elif node.is_expanded and node.children:
            self.move_cursor(node.children[0])

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node is not self.root:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)

    def reveal_fund(self, path: list[int]) -> TreeNode[NodeRef] | None:
        """Expand the tree along a path of fund ids (guidance fund first) and put the cursor on
        its last fund."""
        node = self.root
        for fid in path:
            self.ensure_children(node)
            if node is not self.root:
                node.expand()
            nxt = next((c for c in node.children if c.data and c.data.kind in ("guidance", "sub")
                        and c.data.id == fid), None)
            if nxt is None:
                break
            node = nxt
        if node is self.root:
            return None
        _ = self._tree_lines  # lay the new lines out so the node has its line number
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)
        return node
