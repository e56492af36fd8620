"""Compliance breaches of the portfolio as of a date, with the user's thresholds."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from fundtrack.config import compliance_thresholds
from fundtrack.metrics.compliance import Breach, check
from fundtrack.services.frames import Portfolio, load_portfolio
from fundtrack.services.summary import edge_figures


def breaches_for(p: Portfolio, thresholds: dict | None = None, edge_figs=None) -> list[Breach]:
    th = compliance_thresholds(thresholds)
    ef = edge_figs if edge_figs is not None else edge_figures(p)
    return check(p.funds, p.edges, p.investments, p.as_of, th, ef)


def breaches(engine: Engine, as_of: date, thresholds: dict | None = None) -> list[Breach]:
    return breaches_for(load_portfolio(engine, as_of, with_flows=False), thresholds)
