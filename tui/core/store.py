"""Everything the TUI reads from the database, as of one date.

Two kinds of access:

* light SQL for browsing (the tree's children, one fund's fields, table sources) — fast
  enough for the UI thread, and free of pandas so start-up stays quick;
* *scopes* for the figures — a guidance fund's whole subtree (or the whole portfolio) loaded
  with fundtrack.services.frames and summarised with fundtrack.services.summary, the same
  computation the CLI and the report use. Scopes are slow at scale, so they are cached and
  computed in worker threads only.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, cast, func, or_, select, type_coerce
from sqlalchemy.engine import Engine

from tui.core import light as L

MAX_DEPTH = 12  # fund-of-funds chains deeper than this are a data error (or a cycle)
LEVEL_ORDER = {"国家级": 0, "省级": 1, "市级": 2, "区县级": 3}


def fen(col, dialect: str):
    """An int fen expression for a Money column (as fundtrack.services.frames.fen, which we
    cannot import at start-up: that module loads pandas)."""
    if dialect == "sqlite":
        return type_coerce(col, BigInteger)
    return cast(func.round(col * 100), BigInteger)


@dataclass(frozen=True)
class FundRow:
    id: int
    kind: str
    name: str
    level: str | None = None
    region: str | None = None
    committed: int = 0  # fen
    has_children: bool = True
    commitment: int | None = None  # the parent's commitment to it, fen (as a child)


@dataclass(frozen=True)
class CompanyRow:
    id: int
    name: str
    amount: int  # Σ the parent's investments in it, fen


@dataclass(frozen=True)
class Children:
    funds: list[FundRow]
    companies: list[CompanyRow]
    companies_total: int


@dataclass
class Scope:
    """A guidance fund's subtree (root_id) or the whole portfolio (root_id None), with figures."""

    root_id: int | None
    as_of: date
    portfolio: Any  # fundtrack.services.frames.Portfolio
    summary: Any  # fundtrack.services.summary.Summary
    breaches: list = field(default_factory=list)

    def fund(self, fund_id: int) -> dict | None:
        f = self.portfolio.funds
        rows = f[f["id"] == fund_id]
        return None if rows.empty else rows.iloc[0].to_dict()

    def figures(self, fund_id: int):
        for ff in self.summary.funds:
            if ff.fund_id == fund_id:
                return ff
        return None


class Store:
    def __init__(self, engine: Engine, as_of: date):
        self.engine = engine
        self.as_of = as_of
        self.dialect = engine.dialect.name
        self._lock = threading.RLock()
        self._key_locks: dict = {}
        self._cache: dict = {}
        self._parents: dict[int, list[int]] | None = None

    # -- caching ---------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget everything (after an import)."""
        with self._lock:
            self._cache.clear()
            self._parents = None

    def _cached(self, key, compute):
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:  # one computation per key, even when two workers ask at once
            with self._lock:
                if key in self._cache:
                    return self._cache[key]
            value = compute()
            with self._lock:
                self._cache[key] = value
            return value

    # -- light SQL (start-up path: Core tables from tui.core.light, no models) -----------------
    def _fund_visible(self, f=L.fund):
        return or_(f.c.inception.is_(None), f.c.inception <= self.as_of)

    def _has_children_expr(self, f=L.fund):
        i2 = L.investment.alias("i2")
        c2 = L.commitment.alias("c2")
        inv = select(i2.c.id).where(i2.c.investor_id == f.c.id, i2.c.invested_on <= self.as_of).correlate(
            f).exists()
        com = select(c2.c.id).where(c2.c.investor_id == f.c.id).correlate(f).exists()
        return or_(inv, com)

    def guidance_funds(self) -> list[FundRow]:
        f = L.fund
        stmt = (
            select(f.c.id, f.c.kind, f.c.name, f.c.level, f.c.region, fen(f.c.committed, self.dialect),
                   self._has_children_expr())
            .where(f.c.kind == "guidance", self._fund_visible())
        )
        with self.engine.connect() as conn:
            rows = [FundRow(*r[:6], has_children=bool(r[6])) for r in conn.execute(stmt)]
        rows.sort(key=lambda x: (LEVEL_ORDER.get(x.level or "", 9), -x.committed, x.id))
        return rows

    def children(self, fund_id: int, company_limit: int = 200) -> Children:
        d = self.dialect
        f, cm, co, inv = L.fund, L.commitment, L.company, L.investment
        with self.engine.connect() as conn:
            funds = [
                FundRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7])
                for r in conn.execute(
                    select(f.c.id, f.c.kind, f.c.name, f.c.level, f.c.region, fen(f.c.committed, d),
                           self._has_children_expr(), fen(cm.c.committed, d))
                    .join(cm, cm.c.investee_id == f.c.id)
                    .where(cm.c.investor_id == fund_id, self._fund_visible(),
                           or_(cm.c.committed_on.is_(None), cm.c.committed_on <= self.as_of))
                    .order_by(cm.c.committed.desc(), f.c.id)
                )
            ]
            amount = func.sum(inv.c.amount)
            base = (select(co.c.id, co.c.name, fen(amount, d))
                    .join(inv, inv.c.company_id == co.c.id)
                    .where(inv.c.investor_id == fund_id, inv.c.invested_on <= self.as_of)
                    .group_by(co.c.id, co.c.name))
            companies = [CompanyRow(*r) for r in
                         conn.execute(base.order_by(amount.desc(), co.c.id).limit(company_limit))]
            total = len(companies)
            if total == company_limit:
                total = conn.execute(
                    select(func.count(func.distinct(inv.c.company_id)))
                    .where(inv.c.investor_id == fund_id, inv.c.invested_on <= self.as_of)
                ).scalar()
        return Children(funds, companies, int(total))

    def fund_info(self, fund_id: int) -> dict | None:
        from fundtrack.models import Fund

        d = self.dialect
        cols = [Fund.id, Fund.kind, Fund.name, Fund.level, Fund.sponsor, Fund.manager, Fund.region, Fund.amac_code,
                fen(Fund.committed, d).label("committed"), fen(Fund.paid_in, d).label("paid_in"), Fund.inception,
                Fund.term, Fund.investment_period_end, Fund.term_end, Fund.required_leverage,
                Fund.reinvest_multiple, Fund.focus, Fund.status]
        with self.engine.connect() as conn:
            r = conn.execute(select(*cols).where(Fund.id == fund_id)).mappings().first()
        return dict(r) if r else None

    def company_info(self, company_id: int) -> dict | None:
        from fundtrack.models import Company

        with self.engine.connect() as conn:
            r = conn.execute(select(Company.id, Company.name, Company.uscc, Company.industry, Company.registered_place)
                             .where(Company.id == company_id)).mappings().first()
        return dict(r) if r else None

    def fund_names(self) -> list[tuple[int, str, str]]:
        """(id, name, kind) of every fund visible as of the date — the jump palette's index."""
        f = L.fund
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(f.c.id, f.c.name, f.c.kind).where(self._fund_visible()).order_by(f.c.id))]

    def parents(self) -> dict[int, list[int]]:
        with self._lock:
            if self._parents is None:
                out: dict[int, list[int]] = {}
                cm = L.commitment
                with self.engine.connect() as conn:
                    for inv, ee in conn.execute(select(cm.c.investor_id, cm.c.investee_id)
                                                .order_by(cm.c.committed.desc())):
                        out.setdefault(ee, []).append(inv)
                self._parents = out
            return self._parents

    def fund_path(self, fund_id: int) -> list[int]:
        """A chain of fund ids from a guidance fund down to `fund_id` (breadth-first, so the
        shortest; a sub-fund with several investors is reached through its largest one)."""
        parents = self.parents()
        kinds = {i: k for i, _, k in self.fund_names()}
        seen = {fund_id: None}
        q = deque([fund_id])
        while q:
            cur = q.popleft()
            if kinds.get(cur) == "guidance":
                path = [cur]
                while seen[path[-1]] is not None:
                    path.append(seen[path[-1]])
                return path
            for p in parents.get(cur, []):
                if p not in seen:
                    seen[p] = cur
                    q.append(p)
        return [fund_id]

    def investment_detail(self, investment_id: int) -> dict | None:
        from fundtrack.models import Company, Fund, ImportBatch, Investment

        d = self.dialect
        stmt = (
            select(Investment.id, Company.name.label("company"), Company.uscc, Company.industry,
                   Company.registered_place, Fund.name.label("investor"), Investment.round, Investment.invested_on,
                   fen(Investment.amount, d).label("amount"), Investment.equity_share,
                   fen(Investment.fair_value, d).label("fair_value"), Investment.reinvest_flag,
                   Investment.exit_status, fen(Investment.exit_proceeds, d).label("exit_proceeds"),
                   Investment.exited_on, ImportBatch.file_name, Investment.src_sheet, Investment.src_row,
                   Investment.batch_id)
            .join(Company, Company.id == Investment.company_id)
            .join(Fund, Fund.id == Investment.investor_id)
            .outerjoin(ImportBatch, ImportBatch.id == Investment.batch_id)
            .where(Investment.id == investment_id)
        )
        with self.engine.connect() as conn:
            r = conn.execute(stmt).mappings().first()
        return dict(r) if r else None

    def flow_detail(self, flow_id: int) -> dict | None:
        from fundtrack.models import CashFlow, Company, Fund, ImportBatch

        d = self.dialect
        inv = Fund.__table__.alias("inv")
        tf = Fund.__table__.alias("tf")
        stmt = (
            select(CashFlow.id, CashFlow.flow_date, CashFlow.flow_type, fen(CashFlow.amount, d).label("amount"),
                   inv.c.name.label("investor"), func.coalesce(tf.c.name, Company.name).label("target"),
                   ImportBatch.file_name, CashFlow.src_sheet, CashFlow.src_row, CashFlow.batch_id)
            .join(inv, inv.c.id == CashFlow.investor_id)
            .outerjoin(tf, tf.c.id == CashFlow.target_fund_id)
            .outerjoin(Company, Company.id == CashFlow.target_company_id)
            .outerjoin(ImportBatch, ImportBatch.id == CashFlow.batch_id)
            .where(CashFlow.id == flow_id)
        )
        with self.engine.connect() as conn:
            r = conn.execute(stmt).mappings().first()
        return dict(r) if r else None

    # -- scopes (pandas; worker threads only) ---------------------------------------------------
    def scope(self, root_id: int) -> Scope:
        """A guidance fund's subtree with its figures and compliance flags."""
        return self._cached(("scope", root_id, self.as_of), lambda: self._scope(root_id, self.as_of))

    def scope_at(self, root_id: int, as_of: date) -> Scope:
        return self._cached(("scope", root_id, as_of), lambda: self._scope(root_id, as_of))

    def _scope(self, root_id: int, as_of: date) -> Scope:
        from fundtrack.services.compliance import breaches_for
        from fundtrack.services.frames import (Portfolio, load_edges, load_funds, load_investments,
                                               load_latest_valuations, load_flows)
        from fundtrack.services.summary import summarise

        with self.engine.connect() as conn:
            funds = load_funds(conn, as_of)
            edges = load_edges(conn, as_of)
            known = set(funds["id"])
            edges = edges[edges["investor_id"].isin(known) & edges["investee_id"].isin(known)]
            sub = descendants(root_id, edges) if root_id in known else set()
            ids = sorted(sub)
            investments = load_investments(conn, as_of, investor_ids=ids)
            flows = load_flows(conn, as_of, ids, by_target=True)
            vals = load_latest_valuations(conn, as_of, ids)
        # Every commitment into the subtree stays, from investors outside it too: the
        # largest-investor rule compares the guidance fund with every LP of a sub-fund.
        p = Portfolio(as_of, funds[funds["id"].isin(sub)].reset_index(drop=True),
                      edges[edges["investee_id"].isin(sub)].reset_index(drop=True),
                      investments, flows, vals)
        s = summarise(p)
        return Scope(root_id, as_of, p, s, breaches_for(p, edge_figs=s.sub_funds))

    def overview(self, as_of: date | None = None):
        """The whole portfolio's Summary — exactly `fundtrack summary`'s computation."""
        as_of = as_of or self.as_of

        def compute():
            from fundtrack.services.summary import portfolio_summary

            return portfolio_summary(self.engine, as_of)

        return self._cached(("overview", as_of), compute)

    def full_scope(self) -> Scope:
        """The whole portfolio in detail (look-through, every compliance flag)."""

        def compute():
            from fundtrack.services.compliance import breaches_for
            from fundtrack.services.frames import load_portfolio
            from fundtrack.services.summary import summarise

            p = load_portfolio(self.engine, self.as_of, guidance_flows_only=True)
            s = summarise(p)
            return Scope(None, self.as_of, p, s, breaches_for(p, edge_figs=s.sub_funds))

        return self._cached(("full", self.as_of), compute)

    # -- table sources ---------------------------------------------------------------------------
    def investments_source(self, name: str, *, investor_ids: list[int] | None = None,
                           company_id: int | None = None):
        from tui.core.tables import investments_source

        return investments_source(self, name, investor_ids=investor_ids, company_id=company_id)

    def flows_source(self, name: str, *, investor_ids: list[int] | None = None, target_key: str | None = None,
                     either: bool = False):
        from tui.core.tables import flows_source

        return flows_source(self, name, investor_ids=investor_ids, target_key=target_key, either=either)


def descendants(root_id: int, edges) -> set[int]:
    """root_id and every fund below it through commitments (any fund-of-funds depth)."""
    children: dict[int, list[int]] = {}
    for inv, ee in zip(edges["investor_id"], edges["investee_id"]):
        children.setdefault(int(inv), []).append(int(ee))
    out = {root_id}
    frontier = [root_id]
    for _ in range(MAX_DEPTH):
        nxt = [c for f in frontier for c in children.get(f, []) if c not in out]
        if not nxt:
            break
        out.update(nxt)
        frontier = nxt
    return out

