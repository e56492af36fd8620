"""Queries that load the ledger as of a date into plain DataFrames for the metrics.

Money leaves the database as int64 fen, computed in SQL (exact on both back-ends), so the
metrics can sum it vectorised without floats or per-row Decimal objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import BigInteger, and_, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.engine import Engine

from fundtrack.models import CashFlow, Commitment, Company, Fund, Investment


def fen(col, dialect: str):
    """An int64 fen expression for a Money column (or a SUM of one)."""
    if dialect == "sqlite":
        return type_coerce(col, BigInteger)
    return cast(func.round(col * 100), BigInteger)


def _frame(conn, stmt, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(stmt).all()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    # Transposing the tuples first is ~5x faster than DataFrame.from_records on Row objects.
    return pd.DataFrame({c: list(col) for c, col in zip(columns, zip(*rows))})


FUND_COLUMNS = ["id", "kind", "name", "level", "sponsor", "manager", "region", "amac_code", "committed",
                "paid_in", "inception", "term", "investment_period_end", "term_end", "required_leverage",
                "reinvest_multiple", "focus", "status"]


def load_funds(conn, as_of: date | None) -> pd.DataFrame:
    d = conn.dialect.name
    cols = [getattr(Fund, c) if c not in ("committed", "paid_in") else fen(getattr(Fund, c), d).label(c)
            for c in FUND_COLUMNS]
    stmt = select(*cols).order_by(Fund.id)
    if as_of is not None:
        stmt = stmt.where(or_(Fund.inception.is_(None), Fund.inception <= as_of))
    df = _frame(conn, stmt, FUND_COLUMNS)
    for c in ("required_leverage", "reinvest_multiple"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def load_edges(conn, as_of: date | None) -> pd.DataFrame:
    d = conn.dialect.name
    investee = Fund.__table__.alias("investee")
    investor = Fund.__table__.alias("investor")
    stmt = (
        select(
            Commitment.id, Commitment.investor_id, Commitment.investee_id,
            fen(Commitment.committed, d).label("committed"), fen(Commitment.paid_in, d).label("paid_in"),
            Commitment.committed_on,
            fen(investee.c.committed, d).label("investee_committed"),
            investee.c.reinvest_multiple.label("investee_multiple"),
            investor.c.reinvest_multiple.label("investor_default_multiple"),
            investor.c.region.label("investor_region"),
            investor.c.kind.label("investor_kind"),
        )
        .join(investee, investee.c.id == Commitment.investee_id)
        .join(investor, investor.c.id == Commitment.investor_id)
        .order_by(Commitment.id)
    )
    if as_of is not None:
        stmt = stmt.where(
            or_(Commitment.committed_on.is_(None), Commitment.committed_on <= as_of),
            or_(investee.c.inception.is_(None), investee.c.inception <= as_of),
            or_(investor.c.inception.is_(None), investor.c.inception <= as_of),
        )
    cols = ["id", "investor_id", "investee_id", "committed", "paid_in", "committed_on", "investee_committed",
            "investee_multiple", "investor_default_multiple", "investor_region", "investor_kind"]
    df = _frame(conn, stmt, cols)
    for c in ("investee_multiple", "investor_default_multiple"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


INVESTMENT_COLUMNS = ["id", "investor_id", "company_id", "round", "invested_on", "amount", "equity_share",
                      "fair_value", "reinvest_flag", "exit_status", "exit_proceeds", "exited_on",
                      "company", "uscc", "industry", "registered_place"]


def load_investments(conn, as_of: date | None, investor_ids=None) -> pd.DataFrame:
    d = conn.dialect.name
    stmt = (
        select(
            Investment.id, Investment.investor_id, Investment.company_id, Investment.round,
            Investment.invested_on, fen(Investment.amount, d).label("amount"), Investment.equity_share,
            fen(Investment.fair_value, d).label("fair_value"), Investment.reinvest_flag,
            Investment.exit_status, fen(Investment.exit_proceeds, d).label("exit_proceeds"),
            Investment.exited_on,
            Company.name, Company.uscc, Company.industry, Company.registered_place,
        )
        .join(Company, Company.id == Investment.company_id)
        .order_by(Investment.id)
    )
    if as_of is not None:
        stmt = stmt.where(Investment.invested_on <= as_of)
    if investor_ids is not None:
        stmt = stmt.where(Investment.investor_id.in_(list(investor_ids)))
    df = _frame(conn, stmt, INVESTMENT_COLUMNS)
    df["amount"] = df["amount"].astype("int64")
    if as_of is not None and len(df):
        # An exit after the as-of date had not happened yet.
        later = df["exited_on"].notna() & (df["exited_on"] > as_of)
        if later.any():
            df.loc[later, "exit_status"] = None
            df.loc[later, "exit_proceeds"] = 0
    df["reinvest_flag"] = df["reinvest_flag"].astype(object).where(df["reinvest_flag"].notna(), None)
    return df


def load_investment_sums(conn, as_of: date | None) -> pd.DataFrame:
    """Investments summed per investor, 返投 flag and registered place: all the summary needs,
    at a fraction of the rows and with no per-row dates to parse."""
    d = conn.dialect.name
    stmt = (
        select(Investment.investor_id, Investment.reinvest_flag, Company.registered_place,
               fen(func.sum(Investment.amount), d).label("amount"))
        .join(Company, Company.id == Investment.company_id)
        .group_by(Investment.investor_id, Investment.reinvest_flag, Company.registered_place)
    )
    if as_of is not None:
        stmt = stmt.where(Investment.invested_on <= as_of)
    df = _frame(conn, stmt, ["investor_id", "reinvest_flag", "registered_place", "amount"])
    df["amount"] = df["amount"].astype("int64")
    df["reinvest_flag"] = df["reinvest_flag"].astype(object).where(df["reinvest_flag"].notna(), None)
    return df


def load_flows(conn, as_of: date | None, investor_ids=None, by_target: bool = False) -> pd.DataFrame:
    """Contributions, distributions and fees summed per investor (and target), date and type."""
    d = conn.dialect.name
    keys = [CashFlow.investor_id] + ([CashFlow.target_key] if by_target else [])
    stmt = (
        select(*keys, CashFlow.flow_date, CashFlow.flow_type, fen(func.sum(CashFlow.amount), d).label("amount"))
        .where(CashFlow.flow_type != "valuation")
        .group_by(*keys, CashFlow.flow_date, CashFlow.flow_type)
    )
    if as_of is not None:
        stmt = stmt.where(CashFlow.flow_date <= as_of)
    if investor_ids is not None:
        stmt = stmt.where(CashFlow.investor_id.in_(list(investor_ids)))
    cols = ["investor_id"] + (["target_key"] if by_target else []) + ["flow_date", "flow_type", "amount"]
    df = _frame(conn, stmt, cols)
    df["amount"] = df["amount"].astype("int64")
    return df


def load_latest_valuations(conn, as_of: date | None, investor_ids=None) -> pd.DataFrame:
    """The latest valuation on or before the as-of date of every stake (investor, target)."""
    d = conn.dialect.name
    latest = select(CashFlow.investor_id, CashFlow.target_key, func.max(CashFlow.flow_date).label("d")).where(
        CashFlow.flow_type == "valuation"
    )
    if as_of is not None:
        latest = latest.where(CashFlow.flow_date <= as_of)
    if investor_ids is not None:
        latest = latest.where(CashFlow.investor_id.in_(list(investor_ids)))
    latest = latest.group_by(CashFlow.investor_id, CashFlow.target_key).subquery()
    stmt = select(
        CashFlow.investor_id, CashFlow.target_key, CashFlow.flow_date, fen(CashFlow.amount, d).label("amount")
    ).join(
        latest,
        and_(latest.c.investor_id == CashFlow.investor_id, latest.c.target_key == CashFlow.target_key,
             latest.c.d == CashFlow.flow_date),
    ).where(CashFlow.flow_type == "valuation")
    df = _frame(conn, stmt, ["investor_id", "target_key", "flow_date", "amount"])
    df["amount"] = df["amount"].astype("int64")
    return df


@dataclass
class Portfolio:
    """Everything the figures need, as of one date."""

    as_of: date
    funds: pd.DataFrame
    edges: pd.DataFrame
    investments: pd.DataFrame
    flows: pd.DataFrame  # per investor, target, date, type
    valuations: pd.DataFrame  # latest per stake


def load_portfolio(engine: Engine, as_of: date, with_flows: bool = True, guidance_flows_only: bool = False,
                   detail: bool = True) -> Portfolio:
    """The ledger as of a date. `detail=False` loads only what the summary needs: investments
    summed per investor/flag/place, flows per investor/date/type (no per-stake rows)."""
    with engine.connect() as conn:
        funds = load_funds(conn, as_of)
        edges = load_edges(conn, as_of)
        known = set(funds["id"])
        edges = edges[edges["investor_id"].isin(known) & edges["investee_id"].isin(known)].reset_index(drop=True)
        investments = load_investments(conn, as_of) if detail else load_investment_sums(conn, as_of)
        investments = investments[investments["investor_id"].isin(known)].reset_index(drop=True)
        ids = list(funds.loc[funds["kind"] == "guidance", "id"]) if guidance_flows_only else None
        if with_flows:
            flows = load_flows(conn, as_of, ids, by_target=detail)
            vals = load_latest_valuations(conn, as_of, ids)
        else:
            flows = pd.DataFrame(columns=["investor_id", "target_key", "flow_date", "flow_type", "amount"])
            vals = pd.DataFrame(columns=["investor_id", "target_key", "flow_date", "amount"])
    return Portfolio(as_of, funds, edges, investments, flows, vals)


def flows_between(engine: Engine, start: date, end: date) -> pd.DataFrame:
    """Every ledger line with start < date ≤ end, with investor and target names (for reports)."""
    target_fund = Fund.__table__.alias("tf")
    investor = Fund.__table__.alias("inv")
    with engine.connect() as conn:
        d = conn.dialect.name
        stmt = (
            select(
                CashFlow.id, CashFlow.flow_date, CashFlow.flow_type, fen(CashFlow.amount, d).label("amount"),
                CashFlow.investor_id, investor.c.name.label("investor"), CashFlow.target_key,
                func.coalesce(target_fund.c.name, Company.name).label("target"),
                case((CashFlow.target_fund_id.is_(None), literal("company")), else_=literal("fund")).label("target_kind"),
            )
            .join(investor, investor.c.id == CashFlow.investor_id)
            .outerjoin(target_fund, target_fund.c.id == CashFlow.target_fund_id)
            .outerjoin(Company, Company.id == CashFlow.target_company_id)
            .where(CashFlow.flow_date > start, CashFlow.flow_date <= end)
            .order_by(CashFlow.flow_date, CashFlow.id)
        )
        return _frame(conn, stmt, ["id", "flow_date", "flow_type", "amount", "investor_id", "investor",
                                   "target_key", "target", "target_kind"])
