"""What the detail pane shows for a node of the portfolio tree, computed off the UI thread.

Two phases, so the pane fills at once and the figures follow:

* `basic(store, ref)` — SQL only: the node's title and fields, and its SQL-backed tables
  (investments, cash flows) with their first view prepared;
* `figures(store, ref)` — the scope (fundtrack.services.summary + compliance) → KPIs, the
  返投 progress, compliance flags and the in-memory tables (sub-funds, guidance funds).

Every figure comes from FundFigures / edge_figures / Breach as the services computed them,
or from a fundtrack.metrics function applied to the ledger rows it is defined over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fundtrack.format import NONE, fmt_multiple, fmt_pct, fmt_wan
from tui.i18n import tr


@dataclass(frozen=True)
class NodeRef:
    """A node of the tree: kind root | guidance | sub | company | more; `parent` is the fund
    above it on the path that was expanded, `root` the guidance fund at the top of that path."""

    kind: str
    id: int | None = None
    name: str = ""
    parent: int | None = None
    root: int | None = None
    parent_name: str = ""

    @property
    def fund_id(self) -> int | None:
        """The fund views should use for this node: itself, or for a company its investor."""
        if self.kind in ("guidance", "sub"):
            return self.id
        if self.kind in ("company", "more"):
            return self.parent
        return None


@dataclass
class Table:
    tab: str  # funds | subfunds | commitments | investments | flows
    label: str
    source: Any


@dataclass
class Basic:
    ref: NodeRef
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Figures:
    ref: NodeRef
    kpis: list[tuple[str, str]] = field(default_factory=list)
    reinvest: tuple[int, int, float | None] | None = None  # achieved fen, required fen, ratio
    flags: list[str] = field(default_factory=list)
    flags_total: int = 0
    tables: list[Table] = field(default_factory=list)
    note: str = ""


SECTION = "§"  # a KPI entry (SECTION, title) starts a titled group in the grid


def money(fen) -> str:
    return NONE if fen is None else f"{fmt_wan(fen)} {tr('k.wan')}"


def _fact(label_key: str, v) -> tuple[str, str] | None:
    if v is None or v == "":
        return None
    return (tr(label_key), str(v))


def _facts(*pairs) -> list[tuple[str, str]]:
    return [p for p in (_fact(k, v) for k, v in pairs) if p is not None]


def _prepared(src):
    src.set_view(src.prepare())
    return src


def _lazy(src):
    """A SQL table whose view the widget computes when its tab is first shown."""
    src.prepared = False
    return src


# ---------------------------------------------------------------------------------------------


def basic(store, ref: NodeRef) -> Basic:
    if ref.kind == "root":
        g_ids = [f.id for f in store.guidance_funds()]
        return Basic(ref, tr("tree.root"), [], [
            Table("funds", tr("t.funds"), None),  # filled by figures()
            Table("investments", tr("t.investments"), _lazy(store.investments_source("investments"))),
            Table("flows", tr("t.flows"), _lazy(store.flows_source("cash_flows", investor_ids=g_ids))),
        ])
    if ref.kind in ("guidance", "sub"):
        f = store.fund_info(ref.id) or {"name": ref.name, "kind": ref.kind}
        if ref.kind == "guidance":
            facts = _facts(("k.level", f.get("level")), ("k.region", f.get("region")), ("k.manager", f.get("manager")),
                           ("k.inception", f.get("inception")))
            tables = [
                Table("subfunds", tr("t.subfunds"), None),  # filled by figures()
                Table("investments", tr("t.direct"),
                      _lazy(store.investments_source("direct_investments", investor_ids=[ref.id]))),
                Table("flows", tr("t.flows"), _lazy(store.flows_source("cash_flows", investor_ids=[ref.id]))),
            ]
        else:
            facts = _facts(("k.gp", f.get("manager")), ("k.amac", f.get("amac_code")), ("k.status", f.get("status")),
                           ("k.inception", f.get("inception")), ("k.period_end", f.get("investment_period_end")),
                           ("k.parent", ref.parent_name or None))
            tables = [
                Table("investments", tr("t.investments"),
                      _lazy(store.investments_source("investments", investor_ids=[ref.id]))),
                Table("flows", tr("t.flows"), _lazy(store.flows_source(
                    "cash_flows", investor_ids=[ref.id], target_key=f"F:{ref.id}", either=True))),
            ]
        return Basic(ref, f["name"], facts, tables)
    if ref.kind in ("company", "more") and ref.kind == "company":
        c = store.company_info(ref.id) or {"name": ref.name}
        facts = _facts(("k.uscc", c.get("uscc")), ("k.industry", c.get("industry")),
                       ("k.place", c.get("registered_place")))
        return Basic(ref, c["name"], facts, [
            Table("investments", tr("t.investments"),
                  _lazy(store.investments_source("investments", company_id=ref.id))),
            Table("flows", tr("t.flows"), _lazy(store.flows_source("cash_flows", target_key=f"C:{ref.id}"))),
        ])
    # "… N more companies": show the parent fund's investments
    return basic(store, NodeRef("sub" if ref.parent != ref.root else "guidance", ref.parent, ref.parent_name,
                                None, ref.root))


# ---------------------------------------------------------------------------------------------


def _flag_lines(breaches, lang: str, limit: int = 3) -> tuple[list[str], int]:
    from tui.core.tables import breach_measure, breach_threshold
    from tui.core.sources import format_cell

    lines = []
    for b in breaches[:limit]:
        fig = format_cell("measure", breach_measure(b))
        th = format_cell("measure", breach_threshold(b))
        subj = f"{b.subject}：" if b.subject and b.subject != b.fund else ""
        lines.append(f"{b.label(lang)}  {subj}{fig}（{'阈值' if lang == 'zh' else 'limit'} {th}）")
    return lines, len(breaches)


def _perf_kpis(perf) -> list[tuple[str, str]]:
    return [(tr("k.irr"), fmt_pct(perf.irr)), (tr("k.tvpi"), fmt_multiple(perf.tvpi)),
            (tr("k.dpi"), fmt_multiple(perf.dpi)), (tr("k.rvpi"), fmt_multiple(perf.rvpi))]


def _fund_kpis(ff) -> list[tuple[str, str]]:
    return [
        (tr("k.committed"), money(ff.committed)), (tr("k.paid_in"), money(ff.paid_in)),
        (tr("k.unfunded"), money(ff.unfunded)),
        (tr("k.sub_fund_count"), str(ff.sub_fund_count)), (tr("k.sub_fund_committed"), money(ff.sub_fund_committed)),
        (tr("k.guidance_commitment"), money(ff.guidance_commitment)),
        (tr("k.leverage_total"), fmt_multiple(ff.leverage_total)),
        (tr("k.leverage_social"), fmt_multiple(ff.leverage_social)),
        (tr("k.direct_invested"), money(ff.direct_invested)),
        (tr("k.deployment"), fmt_pct(ff.deployment)),
        *_perf_kpis(ff.perf)[:3],
        (tr("k.rvpi"), fmt_multiple(ff.rvpi)), (tr("k.gross_irr"), fmt_pct(ff.perf.gross_irr)),
        (tr("k.nav"), money(ff.perf.nav) if ff.perf.nav_date else NONE),
    ]


def stake_performance(scope, investor_id: int, target_key: str):
    """The investor's performance in one stake, by fundtrack.metrics.performance."""
    from fundtrack.metrics.performance import performance

    p = scope.portfolio
    f = p.flows[(p.flows["investor_id"] == investor_id) & (p.flows["target_key"] == target_key)]
    v = p.valuations[(p.valuations["investor_id"] == investor_id) & (p.valuations["target_key"] == target_key)]
    return performance(f, v)


def figures(store, ref: NodeRef, lang: str = "zh") -> Figures:
    from tui.core import tables as T

    if ref.kind == "root":
        s = store.overview()
        out = Figures(ref, _fund_kpis(s.totals), (s.totals.reinvest_achieved, s.totals.reinvest_required,
                                                     s.totals.reinvest_ratio))
        out.tables = [Table("funds", tr("t.funds"), _prepared(T.guidance_table(s)))]
        return out

    if ref.kind == "guidance":
        scope = store.scope(ref.id)
        ff = scope.figures(ref.id)
        if ff is None:  # not yet incepted as of the date
            return Figures(ref)
        out = Figures(ref, _fund_kpis(ff), (ff.reinvest_achieved, ff.reinvest_required, ff.reinvest_ratio))
        mine = [b for b in scope.breaches if b.fund_id == ref.id]
        out.flags, out.flags_total = _flag_lines(mine, lang)
        out.tables = [Table("subfunds", tr("t.subfunds"), _prepared(T.subfunds_table(scope.summary.sub_funds, ref.id)))]
        return out

    if ref.kind == "sub":
        scope = store.scope(ref.root) if ref.root is not None else None
        f = scope.fund(ref.id) if scope is not None else None
        if f is None:
            return Figures(ref)
        from fundtrack.metrics.deployment import deployment
        from fundtrack.metrics.leverage import leverage

        p = scope.portfolio
        e = p.edges[(p.edges["investor_id"] == ref.parent) & (p.edges["investee_id"] == ref.id)]
        ef = scope.summary.sub_funds
        ef = ef[(ef["investor_id"] == ref.parent) & (ef["investee_id"] == ref.id)] if len(ef) else ef
        kpis = [(tr("k.committed"), money(f["committed"])), (tr("k.paid_in"), money(f["paid_in"])),
                (tr("k.unfunded"), money(f["committed"] - f["paid_in"]))]
        reinvest = None
        if len(e):
            edge = e.iloc[0]
            kpis += [(tr("k.guidance_commitment") if ref.parent == ref.root else tr("k.commitment", who=ref.parent_name),
                      money(int(edge["committed"]))),
                     (tr("k.guidance_paid") if ref.parent == ref.root else tr("k.commitment_paid", who=ref.parent_name),
                      money(int(edge["paid_in"])))]
            if len(ef):
                r = ef.iloc[0]
                lt, ls, dep = r["leverage_total"], r["leverage_social"], r["sub_deployment"]
                reinvest = (int(r["reinvest_achieved"]), int(r["reinvest_required"]), T._f(r["reinvest_ratio"]))
            else:
                lt, ls = leverage(int(edge["investee_committed"]), int(edge["committed"]))
                invested = int(p.investments.loc[p.investments["investor_id"] == ref.id, "amount"].sum())
                commits = int(p.edges.loc[p.edges["investor_id"] == ref.id, "committed"].sum())
                dep = deployment(commits, invested, int(f["committed"]))
            req = T._f(f.get("required_leverage"))
            kpis += [(tr("k.leverage_total"), fmt_multiple(T._f(lt))), (tr("k.leverage_social"), fmt_multiple(T._f(ls))),
                     (tr("k.required_leverage"), fmt_multiple(req)), (tr("k.deployment"), fmt_pct(T._f(dep)))]
            perf = stake_performance(scope, ref.parent, f"F:{ref.id}")
            kpis += [(SECTION, tr("k.stake_perf", who=ref.parent_name or "")), *_perf_kpis(perf)]
        out = Figures(ref, kpis, reinvest)
        mine = [b for b in scope.breaches if b.fund_id == ref.id or b.subject == f["name"]]
        out.flags, out.flags_total = _flag_lines(mine, lang)
        if (p.edges["investor_id"] == ref.id).any():
            out.tables = [Table("commitments", tr("t.subfunds"), _prepared(T.commitments_table(p, ref.id)))]
        return out

    if ref.kind == "company":
        if ref.root is None or ref.parent is None:
            return Figures(ref)
        scope = store.scope(ref.root)
        perf = stake_performance(scope, ref.parent, f"C:{ref.id}")
        p = scope.portfolio
        inv = p.investments[(p.investments["company_id"] == ref.id) & (p.investments["investor_id"] == ref.parent)]
        kpis = [(tr("k.total_invested"), money(int(inv["amount"].sum()))),
                (SECTION, tr("k.stake_perf_company", who=ref.parent_name or "")), *_perf_kpis(perf)]
        out = Figures(ref, kpis)
        mine = [b for b in scope.breaches if b.subject == ref.name]
        out.flags, out.flags_total = _flag_lines(mine, lang)
        return out
    return Figures(ref)
