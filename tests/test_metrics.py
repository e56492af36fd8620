"""Pure metric functions: golden cases, edge cases and properties."""

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundtrack.metrics.leverage import leverage, leverage_by_investor
from fundtrack.metrics.lookthrough import effective_shares, exposure
from fundtrack.metrics.performance import performance, xirr
from fundtrack.metrics.ratios import ratio
from fundtrack.metrics.reinvest import reinvest_by_edge, required_fen


# --- XIRR -------------------------------------------------------------------------------

def test_xirr_excel_golden_case():
    dates = [date(2008, 1, 1), date(2008, 3, 1), date(2008, 10, 30), date(2009, 2, 15), date(2009, 4, 1)]
    amounts = [-10000, 2750, 4250, 3250, 2750]
    # Excel stops iterating within 0.000001 percent, so its 0.373362535 and the exact root
    # 0.37336253351 agree to 1e-8.
    assert xirr(dates, amounts) == pytest.approx(0.373362535, abs=1e-8)


def test_xirr_order_does_not_matter():
    dates = [date(2009, 4, 1), date(2008, 1, 1), date(2008, 10, 30), date(2009, 2, 15), date(2008, 3, 1)]
    amounts = [2750, -10000, 4250, 3250, 2750]
    assert xirr(dates, amounts) == pytest.approx(0.373362535, abs=1e-8)


def test_xirr_same_day_flows_are_netted():
    # Two same-day flows equal one netted flow.
    split = xirr([date(2020, 1, 1), date(2020, 1, 1), date(2021, 1, 1)], [-600, -400, 1100])
    netted = xirr([date(2020, 1, 1), date(2021, 1, 1)], [-1000, 1100])
    assert split == pytest.approx(netted)
    assert netted == pytest.approx(1.1 ** (365 / 366) - 1, abs=1e-9)  # actual/365 over leap-year 2020
    assert xirr([date(2020, 1, 1), date(2020, 1, 1)], [-100, 150]) is None  # all on one day


@pytest.mark.parametrize("amounts", [[-100, -50, -10], [100, 50, 10], [0, 0, 0]])
def test_xirr_without_sign_change_is_none_not_zero(amounts):
    assert xirr([date(2020, 1, 1), date(2021, 1, 1), date(2022, 1, 1)], amounts) is None


def test_xirr_no_root_is_none():
    assert xirr([], []) is None
    # Money back on the same day it went out, netting to zero, leaves nothing to solve.
    assert xirr([date(2020, 1, 1), date(2020, 1, 1)], [-100, 100]) is None


# --- performance ------------------------------------------------------------------------

def _flows(rows):
    return pd.DataFrame(rows, columns=["flow_date", "flow_type", "amount"])


def test_performance_net_and_gross_of_fees():
    flows = _flows([(date(2020, 1, 1), "contribution", 1000_00), (date(2020, 1, 1), "fee", 20_00),
                    (date(2021, 1, 1), "distribution", 300_00)])
    vals = pd.DataFrame([(date(2022, 1, 1), 900_00)], columns=["flow_date", "amount"])
    p = performance(flows, vals)
    assert p.dpi == pytest.approx(300 / 1020)
    assert p.rvpi == pytest.approx(900 / 1020)
    assert p.tvpi == pytest.approx(1200 / 1020)
    assert p.gross_tvpi == pytest.approx(1200 / 1000)
    assert p.irr < p.gross_irr


def test_negative_contribution_is_a_refund():
    flows = _flows([(date(2020, 1, 1), "contribution", 1000_00), (date(2020, 6, 1), "contribution", -200_00),
                    (date(2021, 1, 1), "distribution", 900_00)])
    p = performance(flows, pd.DataFrame(columns=["flow_date", "amount"]))
    assert p.contributions == 800_00
    assert p.dpi == pytest.approx(900 / 800)
    assert p.rvpi == 0.0  # no valuation → RVPI 0
    assert p.irr is not None and p.irr > 0


def test_performance_of_nothing():
    p = performance(_flows([]), pd.DataFrame(columns=["flow_date", "amount"]))
    assert (p.irr, p.tvpi, p.dpi, p.rvpi) == (None, None, None, None)
    assert p.contributions == 0


# --- leverage ---------------------------------------------------------------------------

def test_ratio_zero_denominator_is_none():
    assert ratio(5, 0) is None
    assert ratio(0, 5) == 0.0
    assert leverage(100, 0) == (None, None)


edge_rows = st.lists(
    st.tuples(st.integers(1, 3), st.integers(1, 10**12), st.integers(1, 10**11)), min_size=1, max_size=30
)


@given(edge_rows)
@settings(max_examples=200, deadline=None)
def test_leverage_sums_first_then_divides(rows):
    edges = pd.DataFrame(
        [(inv, i, size, min(c, size)) for i, (inv, size, c) in enumerate(rows)],
        columns=["investor_id", "investee_id", "investee_committed", "committed"],
    )
    out = leverage_by_investor(edges)
    for inv, grp in edges.groupby("investor_id"):
        total = grp["investee_committed"].sum() / grp["committed"].sum()
        assert out.at[inv, "leverage_total"] == pytest.approx(total, rel=1e-12)
        # social basis is total − 1, exactly as defined
        assert out.at[inv, "leverage_social"] == pytest.approx(out.at[inv, "leverage_total"] - 1, rel=1e-9, abs=1e-9)
    # Aggregating is not averaging: the pooled figure is Σsize ÷ Σcommitment.
    pooled, _ = leverage(int(edges["investee_committed"].sum()), int(edges["committed"].sum()))
    assert pooled == pytest.approx(edges["investee_committed"].sum() / edges["committed"].sum())


def test_leverage_pooled_differs_from_average_of_ratios():
    edges = pd.DataFrame({"investor_id": [1, 1], "investee_id": [1, 2], "investee_committed": [100, 1000],
                          "committed": [50, 100]})
    out = leverage_by_investor(edges)
    assert out.at[1, "leverage_total"] == pytest.approx(1100 / 150)
    assert out.at[1, "leverage_total"] != pytest.approx((2 + 10) / 2)


# --- 返投 ------------------------------------------------------------------------------

def _edges(**over):
    base = dict(investor_id=[1], investee_id=[10], committed=[100_000_00], investee_multiple=[None],
                investor_default_multiple=[Decimal("1.5")], investor_region=["武汉市"])
    base.update(over)
    return pd.DataFrame(base)


def test_reinvest_flag_overrides_region_rule():
    inv = pd.DataFrame({
        "investor_id": [10, 10, 10, 10],
        "amount": [1_00, 10_00, 100_00, 1000_00],
        "reinvest_flag": [None, True, False, None],
        "registered_place": ["湖北省武汉市东湖新技术开发区", "上海市浦东新区", "武汉市洪山区", "北京市海淀区"],
    })
    out = reinvest_by_edge(_edges(), inv)
    # local by region (1) + flagged 是 though not local (10); flagged 否 though local (100) and non-local (1000) don't count
    assert out.at[0, "reinvest_achieved"] == 11_00
    # blank sub-fund multiple takes the guidance fund's default 1.5
    assert out.at[0, "reinvest_required"] == 150_000_00


def test_reinvest_province_fund_counts_its_cities():
    inv = pd.DataFrame({"investor_id": [10, 10], "amount": [5_00, 7_00], "reinvest_flag": [None, None],
                        "registered_place": ["武汉市洪山区", "长沙市岳麓区"]})
    out = reinvest_by_edge(_edges(investor_region=["湖北省"]), inv)
    assert out.at[0, "reinvest_achieved"] == 5_00


def test_required_is_exact_to_the_fen():
    assert required_fen(Decimal("1.5"), 33331) == 49997  # 49996.5 rounds half-up
    assert required_fen(None, 100) == 0


# --- look-through ----------------------------------------------------------------------

def test_two_level_fund_of_funds_lookthrough():
    # G commits 30 of S1 (size 100); S1 commits 50 of S2 (size 200); S2 invests 1000 in company 7;
    # S1 invests 400 in company 7; G directly invests 10 in company 8.
    edges = pd.DataFrame({"investor_id": [1, 2], "investee_id": [2, 3], "committed": [30, 50],
                          "investee_committed": [100, 200]})
    inv = pd.DataFrame({"investor_id": [3, 2, 1], "company_id": [7, 7, 8], "amount": [1000, 400, 10],
                        "industry": ["芯片", "芯片", "装备"]})
    shares = effective_shares([1], edges).set_index("fund_id")["share"]
    assert shares[2] == pytest.approx(0.3)
    assert shares[3] == pytest.approx(0.3 * 0.25)
    by_co = exposure([1], edges, inv).set_index("company_id")["exposure"]
    assert by_co[7] == pytest.approx(400 * 0.3 + 1000 * 0.075)
    assert by_co[8] == pytest.approx(10)
    by_ind = exposure([1], edges, inv, by="industry").set_index("industry")["exposure"]
    assert by_ind["芯片"] == pytest.approx(195)


def test_lookthrough_sums_over_diamond_paths():
    # G → A and G → B, both → C: exposure through C counts both paths.
    edges = pd.DataFrame({"investor_id": [1, 1, 2, 3], "investee_id": [2, 3, 4, 4], "committed": [10, 20, 5, 5],
                          "investee_committed": [100, 100, 50, 50]})
    shares = effective_shares([1], edges).set_index("fund_id")["share"]
    assert shares[4] == pytest.approx(0.1 * 0.1 + 0.2 * 0.1)


def test_xirr_is_scale_free_for_huge_pooled_amounts():
    dates = [date(2008, 1, 1), date(2008, 3, 1), date(2008, 10, 30), date(2009, 2, 15), date(2009, 4, 1)]
    amounts = [-10000, 2750, 4250, 3250, 2750]
    big = [a * 10**11 for a in amounts]  # 1e15 yuan-scale flows, as a whole portfolio pooled in fen
    assert xirr(dates, big) == pytest.approx(xirr(dates, amounts), abs=1e-9)


def test_bisection_fallback_finds_the_same_root():
    from fundtrack.metrics.performance import _bisect_xirr

    days = [date(2008, 1, 1), date(2008, 3, 1), date(2008, 10, 30), date(2009, 2, 15), date(2009, 4, 1)]
    ords = np.array([d.toordinal() for d in days])
    v = np.array([-10000, 2750, 4250, 3250, 2750]) / 10000
    assert _bisect_xirr(ords, v) == pytest.approx(0.373362535, abs=1e-8)


def test_performance_by_equals_performance_per_group():
    from fundtrack.metrics.performance import performance_by

    rows = [(1, date(2020, 1, 1), "contribution", 100_00), (1, date(2020, 1, 1), "fee", 2_00),
            (1, date(2021, 6, 1), "distribution", 40_00), (2, date(2019, 5, 5), "contribution", 70_00),
            (2, date(2019, 5, 5), "contribution", 30_00), (2, date(2022, 1, 1), "distribution", 150_00)]
    flows = pd.DataFrame(rows, columns=["k", "flow_date", "flow_type", "amount"])
    vals = pd.DataFrame([(1, date(2022, 1, 1), 90_00), (3, date(2022, 1, 1), 5_00)],
                        columns=["k", "flow_date", "amount"])
    by = performance_by(flows, vals, "k")
    assert set(by) == {1, 2, 3}
    for k in by:
        one = performance(flows[flows.k == k].drop(columns="k"), vals[vals.k == k].drop(columns="k"))
        assert by[k] == one
    assert by[2].irr == pytest.approx(xirr([date(2019, 5, 5), date(2022, 1, 1)], [-100, 150]))
    assert by[3].irr is None and by[3].rvpi is None  # a valuation with nothing paid: no ratio
