"""The tables the TUI shows: their columns, and sources built from the store or from the
figures the services computed. Rows carry raw values (int fen, fractions, dates); the table
widget formats only what is on screen."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select

from fundtrack.models import CashFlow, Company, Fund, Investment
from tui.core.sources import Column, MemorySource, SqlColumn, SqlSource
from tui.i18n import tr

FLOW_TYPES = ("contribution", "distribution", "fee", "valuation")


def _liker(dialect: str):
    """Substring match, case-insensitive for Latin letters. SQLite's LIKE already ignores ASCII
    case, and lower() on every row makes the scan ~2.5x slower, so only PostgreSQL gets ILIKE."""
    if dialect == "sqlite":
        return lambda col, term: col.contains(term, autoescape=True)
    return lambda col, term: col.icontains(term, autoescape=True)


# ---------------------------------------------------------------------------------------------
# SQL-backed: investments and cash flows (up to 100k+ rows, never loaded whole)


def investments_source(store, name: str, *, investor_ids=None, company_id=None) -> SqlSource:
    d = store.dialect
    _like = _liker(d)
    from tui.core.store import fen

    inv = Investment.__table__
    base = inv.join(Company.__table__, Company.id == Investment.company_id).join(
        Fund.__table__, Fund.id == Investment.investor_id)
    joins = {
        "company": lambda f: f.join(Company.__table__, Company.id == Investment.company_id),
        "fund": lambda f: f.join(Fund.__table__, Fund.id == Investment.investor_id),
    }
    cols = [
        SqlColumn(Column("company", tr("c.company"), max_width=34), Company.name, joins=("company",)),
        SqlColumn(Column("investor", tr("c.investor"), max_width=30), Fund.name, joins=("fund",)),
        SqlColumn(Column("industry", tr("c.industry"), max_width=12), Company.industry, joins=("company",)),
        SqlColumn(Column("place", tr("c.place"), max_width=22), Company.registered_place, joins=("company",)),
        SqlColumn(Column("round", tr("c.round"), max_width=10), Investment.round),
        SqlColumn(Column("invested_on", tr("c.invested_on"), "date"), Investment.invested_on),
        SqlColumn(Column("amount", tr("c.amount"), "money"), fen(Investment.amount, d)),
        SqlColumn(Column("share", tr("c.share"), "ratio"), Investment.equity_share),
        SqlColumn(Column("fair_value", tr("c.fair_value"), "money"), fen(Investment.fair_value, d)),
        SqlColumn(Column("reinvest_flag", tr("c.reinvest_flag"), "bool"), Investment.reinvest_flag),
        SqlColumn(Column("exit_status", tr("c.exit_status"), max_width=10), Investment.exit_status),
        SqlColumn(Column("exit_proceeds", tr("c.exit_proceeds"), "money"), fen(Investment.exit_proceeds, d)),
    ]
    where = [Investment.invested_on <= store.as_of]
    if investor_ids is not None:
        where.append(Investment.investor_id.in_(list(investor_ids)))
    if company_id is not None:
        where.append(Investment.company_id == company_id)
        cols = [c for c in cols if c.column.key != "company"]

    def matcher(t: str):
        return or_(
            Investment.company_id.in_(select(Company.id).where(or_(
                _like(Company.name, t), _like(Company.uscc, t), _like(Company.industry, t),
                _like(Company.registered_place, t)))),
            Investment.investor_id.in_(select(Fund.id).where(_like(Fund.name, t))),
            _like(Investment.round, t),
            _like(Investment.exit_status, t),
        )

    return SqlSource(name, store.engine, cols, Investment.id, base, where, matcher, id_from=inv, joins=joins)


def flows_source(store, name: str, *, investor_ids=None, target_key=None, either: bool = False) -> SqlSource:
    d = store.dialect
    _like = _liker(d)
    from tui.core.store import fen

    cf = CashFlow.__table__
    inv = Fund.__table__.alias("inv")
    tf = Fund.__table__.alias("tf")
    co = Company.__table__
    base = cf.join(inv, inv.c.id == CashFlow.investor_id).outerjoin(tf, tf.c.id == CashFlow.target_fund_id) \
        .outerjoin(co, co.c.id == CashFlow.target_company_id)
    joins = {
        "inv": lambda f: f.join(inv, inv.c.id == CashFlow.investor_id),
        "target": lambda f: f.outerjoin(tf, tf.c.id == CashFlow.target_fund_id).outerjoin(
            co, co.c.id == CashFlow.target_company_id),
    }
    labels = {t: tr(f"flow.{t}") for t in FLOW_TYPES}
    type_label = case(labels, value=CashFlow.flow_type, else_=CashFlow.flow_type)
    cols = [
        SqlColumn(Column("flow_date", tr("c.date"), "date"), CashFlow.flow_date),
        SqlColumn(Column("from", tr("c.flow_from"), max_width=30), inv.c.name, joins=("inv",)),
        SqlColumn(Column("to", tr("c.flow_to"), max_width=34), func.coalesce(tf.c.name, co.c.name),
                  joins=("target",)),
        SqlColumn(Column("flow_type", tr("c.flow_type"), max_width=8), type_label),
        SqlColumn(Column("amount", tr("c.flow_amount"), "money"), fen(CashFlow.amount, d)),
    ]
    where = [CashFlow.flow_date <= store.as_of]
    conds = []
    if investor_ids is not None:
        conds.append(CashFlow.investor_id.in_(list(investor_ids)))
    if target_key is not None:
        conds.append(CashFlow.target_key == target_key)
    if conds:
        where.append(or_(*conds) if either else conds[0] if len(conds) == 1 else conds[0] & conds[1])

    def matcher(t: str):
        types = [k for k, v in labels.items() if t in v.casefold() or t in k]
        fund_ids = select(Fund.id).where(_like(Fund.name, t))
        return or_(
            CashFlow.investor_id.in_(fund_ids),
            CashFlow.target_fund_id.in_(fund_ids),
            CashFlow.target_company_id.in_(select(Company.id).where(_like(Company.name, t))),
            *([CashFlow.flow_type.in_(types)] if types else []),
        )

    return SqlSource(name, store.engine, cols, CashFlow.id, base, where, matcher, id_from=cf, joins=joins)


# ---------------------------------------------------------------------------------------------
# In memory: built from the figures fundtrack.services computed


def _f(x):
    """A ratio as a plain float (None stays None; Decimal and numpy become float)."""
    if x is None:
        return None
    try:
        import math

        v = float(x)
        return None if math.isnan(v) else v
    except (TypeError, ValueError):
        return None


def _i(x):
    if x is None:
        return None
    try:
        import math

        if isinstance(x, float) and math.isnan(x):
            return None
    except TypeError:
        pass
    return int(x)


def _s(x):
    if x is None:
        return None
    if isinstance(x, float) and x != x:
        return None
    return str(x)


def guidance_table(summary) -> MemorySource:
    cols = [
        Column("name", tr("c.name"), max_width=30, pinyin=True),
        Column("committed", tr("c.committed"), "money"),
        Column("paid_in", tr("c.paid_in"), "money"),
        Column("sub_fund_count", tr("c.sub_count"), "int"),
        Column("sub_fund_committed", tr("c.sub_committed"), "money"),
        Column("guidance_commitment", tr("c.g_commit"), "money"),
        Column("leverage_total", tr("c.lev_total"), "multiple"),
        Column("leverage_social", tr("c.lev_social"), "multiple"),
        Column("direct_invested", tr("c.direct"), "money"),
        Column("reinvest_ratio", tr("c.re_ratio"), "ratio"),
        Column("deployment", tr("c.deployment"), "ratio"),
        Column("irr", tr("c.irr"), "ratio"),
        Column("tvpi", tr("c.tvpi"), "multiple"),
        Column("dpi", tr("c.dpi"), "multiple"),
    ]
    rows = [tuple(getattr(f, c.key) for c in cols) for f in summary.funds]
    return MemorySource("guidance_funds", cols, rows, [f.fund_id for f in summary.funds])


def subfunds_table(edge_figs, investor_id: int) -> MemorySource:
    """The guidance fund's commitments, one row per sub-fund, from summary.edge_figures."""
    cols = [
        Column("name", tr("c.subfund"), max_width=30, pinyin=True),
        Column("manager", tr("c.manager"), max_width=20, pinyin=True),
        Column("amac", tr("c.amac"), max_width=8),
        Column("committed", tr("c.committed"), "money"),
        Column("g_commit", tr("c.g_commit"), "money"),
        Column("g_paid", tr("c.g_paid"), "money"),
        Column("leverage_total", tr("c.lev_total"), "multiple"),
        Column("leverage_social", tr("c.lev_social"), "multiple"),
        Column("required_leverage", tr("c.lev_required"), "multiple"),
        Column("re_required", tr("c.re_required"), "money"),
        Column("re_achieved", tr("c.re_achieved"), "money"),
        Column("re_ratio", tr("c.re_ratio"), "ratio"),
        Column("deployment", tr("c.deployment"), "ratio"),
        Column("status", tr("c.status"), max_width=8),
    ]
    rows, keys = [], []
    if len(edge_figs):
        e = edge_figs[edge_figs["investor_id"] == investor_id]
        for r in e.itertuples(index=False):
            rows.append((_s(r.sub_name), _s(r.sub_manager), _s(r.sub_amac_code), _i(r.investee_committed),
                         _i(r.committed), _i(r.paid_in), _f(r.leverage_total), _f(r.leverage_social),
                         _f(r.sub_required_leverage), _i(r.reinvest_required), _i(r.reinvest_achieved),
                         _f(r.reinvest_ratio), _f(r.sub_deployment), _s(r.sub_status)))
            keys.append(int(r.investee_id))
    return MemorySource("sub_funds", cols, rows, keys)


def commitments_table(portfolio, investor_id: int) -> MemorySource:
    """A sub-fund's own commitments to further funds (fund of funds)."""
    from fundtrack.metrics.leverage import leverage

    cols = [
        Column("name", tr("c.subfund"), max_width=30, pinyin=True),
        Column("committed", tr("c.committed"), "money"),
        Column("commit", tr("c.commit"), "money"),
        Column("commit_paid", tr("c.commit_paid"), "money"),
        Column("leverage_total", tr("c.lev_total"), "multiple"),
        Column("leverage_social", tr("c.lev_social"), "multiple"),
    ]
    names = portfolio.funds.set_index("id")["name"].to_dict()
    e = portfolio.edges[portfolio.edges["investor_id"] == investor_id]
    rows, keys = [], []
    for r in e.itertuples(index=False):
        lt, ls = leverage(int(r.investee_committed), int(r.committed))
        rows.append((names.get(r.investee_id, ""), int(r.investee_committed), int(r.committed), int(r.paid_in), lt, ls))
        keys.append(int(r.investee_id))
    return MemorySource("commitments", cols, rows, keys)


def breach_measure(b) -> tuple:
    return ("days" if b.kind == "days" else "multiple" if b.kind == "multiple" else "ratio", b.figure)


def breach_threshold(b) -> tuple:
    return ("days" if b.kind == "days" else "multiple" if b.kind == "multiple" else "ratio", b.threshold)


def breaches_table(breaches, lang: str = "zh") -> MemorySource:
    cols = [
        Column("rule", tr("c.rule"), max_width=26),
        Column("fund", tr("c.fund"), max_width=30, pinyin=True),
        Column("subject", tr("c.subject"), max_width=34, pinyin=True),
        Column("figure", tr("c.figure"), "measure"),
        Column("threshold", tr("c.threshold"), "measure"),
    ]
    rows = [(b.label(lang), b.fund, b.subject, breach_measure(b), breach_threshold(b)) for b in breaches]
    return MemorySource("compliance", cols, rows, [b for b in breaches])
