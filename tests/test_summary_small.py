"""The summary of the hand-checkable portfolio in tests/factories.py, on every back-end."""

from datetime import date

import pytest

from fundtrack.services.summary import portfolio_summary, summary_json
from tests.factories import make_small_portfolio


def test_small_portfolio_figures(engine):
    make_small_portfolio(engine)
    s = summary_json(portfolio_summary(engine, date(2026, 9, 30)))
    wh, hb = s["guidance_funds"]
    assert wh["name"] == "武汉测试引导基金（虚构）"
    assert wh["sub_fund_count"] == 2
    assert wh["sub_fund_committed"] == 600_000_000.0
    assert wh["guidance_commitment"] == 150_000_000.0
    assert wh["leverage_total"] == pytest.approx(4.0)
    assert wh["leverage_social"] == pytest.approx(3.0)
    assert wh["direct_invested"] == 80_000_000.0
    # 返投 required: A 2.0 × 100m + B (blank → fund default 1.5) × 50m = 275m
    assert wh["reinvest_required"] == 275_000_000.0
    # achieved: A's chip 50m (local) + suzhou 30m (flag 是); B's bio is local but flagged 否; C is not direct.
    assert wh["reinvest_achieved"] == 80_000_000.0
    assert wh["reinvest_ratio"] == pytest.approx(80 / 275)
    assert wh["deployment"] == pytest.approx((150 + 80) / 1000)
    # Ledger: paid 60m + fee 1m + 80m direct; distributions 10m; latest valuation 80m.
    assert wh["dpi"] == pytest.approx(10 / 141)
    assert wh["rvpi"] == pytest.approx(80 / 141)
    assert wh["tvpi"] == pytest.approx(90 / 141)
    assert wh["irr"] is not None and wh["irr"] < 0  # lost money so far
    # 湖北省 fund: 宜昌市猇亭区 names a Hubei city without the province → local.
    assert hb["reinvest_achieved"] == 25_000_000.0
    assert hb["reinvest_required"] == 60_000_000.0
    assert hb["irr"] is None and hb["tvpi"] is None and hb["dpi"] is None  # no ledger: null, never 0
    t = s["totals"]
    assert t["committed"] == 3_000_000_000.0
    assert t["sub_fund_committed"] == 900_000_000.0
    assert t["leverage_total"] == pytest.approx(900 / 210)


def test_as_of_excludes_later_records(engine):
    make_small_portfolio(engine)
    s = summary_json(portfolio_summary(engine, date(2022, 12, 31)))
    names = [f["name"] for f in s["guidance_funds"]]
    assert names == ["武汉测试引导基金（虚构）", "湖北省测试母基金（虚构）"]
    wh = s["guidance_funds"][0]
    assert wh["direct_invested"] == 0.0  # the direct investment is dated 2024
    assert wh["reinvest_achieved"] == 80_000_000.0  # chip 2022-03 + suzhou 2022-06
    assert wh["rvpi"] == 0.0  # no valuation before 2025
