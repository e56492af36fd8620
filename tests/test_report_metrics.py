"""The pieces behind the report: the roll-forward metric, batch stake performance (equal to
fundtrack.metrics.performance per stake), the as-of restriction (equal to loading at that date),
the snapshot codec, quarters and region labels."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from fundtrack.metrics.rollforward import ROLL_KEYS, adjusted_nav, roll_forward
from reports.quarter import Quarter
from tests.conftest import BACKENDS
from tests.factories import make_small_portfolio
from tests.report_helpers import add_q3_activity, module_db_url

F = ["investor_id", "target_key", "flow_date", "flow_type", "amount"]
V = ["investor_id", "target_key", "flow_date", "amount"]


def flows(*rows):
    return pd.DataFrame(list(rows), columns=F)


def vals(*rows):
    return pd.DataFrame(list(rows), columns=V)


# ---- roll-forward -----------------------------------------------------------------------------

def test_adjusted_nav_rolls_a_stale_valuation_forward():
    f = flows((1, "F:2", date(2026, 1, 10), "contribution", 100), (1, "F:2", date(2026, 2, 1), "fee", 7),
              (1, "F:2", date(2026, 3, 1), "contribution", 50), (1, "F:2", date(2026, 3, 20), "distribution", 30),
              (1, "C:3", date(2026, 2, 2), "contribution", 40), (1, "C:3", date(2026, 3, 2), "distribution", 90))
    v = vals((1, "F:2", date(2026, 3, 1), 160))
    nav = adjusted_nav(f, v, date(2026, 3, 31)).set_index(["investor_id", "target_key"])["nav"]
    # F:2: valuation 160 on 03-01 includes that day's contribution; then −30 distributed; fees never count.
    assert nav[(1, "F:2")] == 130
    # C:3: no valuation → cost 40 − 90 < 0 → never below 0.
    assert nav[(1, "C:3")] == 0
    assert adjusted_nav(f, v, None).empty


def test_roll_forward_identity_and_chain():
    f = flows((1, "F:2", date(2025, 12, 1), "contribution", 1000), (1, "F:2", date(2026, 2, 1), "contribution", 500),
              (1, "F:2", date(2026, 2, 15), "fee", 20), (1, "F:2", date(2026, 5, 5), "distribution", 300),
              (2, "F:2", date(2026, 4, 1), "contribution", 70), (2, "F:2", date(2026, 4, 2), "contribution", -10))
    v_q4 = vals((1, "F:2", date(2025, 12, 31), 1100))
    v_q1 = vals((1, "F:2", date(2026, 3, 31), 1700))
    v_q2 = vals((1, "F:2", date(2026, 6, 30), 1500))
    q1 = roll_forward(f, v_q4, v_q1, date(2025, 12, 31), date(2026, 3, 31))
    q2 = roll_forward(f, v_q1, v_q2, date(2026, 3, 31), date(2026, 6, 30))
    ytd = roll_forward(f, v_q4, v_q2, date(2025, 12, 31), date(2026, 6, 30))
    itd = roll_forward(f, v_q4.iloc[0:0], v_q2, None, date(2026, 6, 30))
    for rf in (q1, q2, ytd, itd):
        lhs = rf["opening"] + rf["contributions"] - rf["distributions"] - rf["fees"] + rf["valuation_change"]
        assert (lhs == rf["closing"]).all()
    a1 = q1.set_index(["investor_id", "target_key"])
    a2 = q2.set_index(["investor_id", "target_key"])
    assert a1.loc[(1, "F:2"), "opening"] == 1100
    assert a1.loc[(1, "F:2"), "contributions"] == 520 and a1.loc[(1, "F:2"), "fees"] == 20
    assert a1.loc[(1, "F:2"), "valuation_change"] == 1700 - 1100 - 520 + 20
    assert a2.loc[(1, "F:2"), "opening"] == a1.loc[(1, "F:2"), "closing"]
    assert a2.loc[(2, "F:2"), "contributions"] == 60 and a2.loc[(2, "F:2"), "closing"] == 60  # refund nets, at cost
    assert ytd.set_index(["investor_id", "target_key"]).loc[(1, "F:2"), "opening"] == 1100
    assert (itd["opening"] == 0).all()
    empty = roll_forward(f.iloc[0:0], v_q4.iloc[0:0], v_q4.iloc[0:0], None, date(2026, 6, 30))
    assert list(empty.columns) == ["investor_id", "target_key", *ROLL_KEYS] and empty.empty


# ---- against the definitions, on a generated portfolio and the hand-checked one ---------------

def _generator():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "make_portfolio.py"
    spec = importlib.util.spec_from_file_location("make_portfolio_for_tests", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module", params=BACKENDS)
def portfolios(request, tmp_path_factory):
    """Two databases on one back-end: a generated portfolio (1% of the benchmark's) and the
    hand-checked small one with its Q3 activity."""
    from fundtrack.db import open_engine

    url = module_db_url(request, tmp_path_factory)
    _generator().generate(url, scale=0.01, seed=3)
    generated = open_engine(url)
    small = open_engine(module_db_url(request, tmp_path_factory))
    ids = make_small_portfolio(small)
    add_q3_activity(small, ids)
    yield generated, small
    generated.dispose()
    small.dispose()


def test_stake_performance_equals_performance_per_stake(portfolios):
    from fundtrack.metrics.performance import performance_by
    from fundtrack.services.frames import load_portfolio
    from reports.perf import stake_performance

    for eng in portfolios:
        for as_of in (date(2024, 6, 30), date(2026, 9, 30)):
            p = load_portfolio(eng, as_of, guidance_flows_only=True)
            keys = ["investor_id", "target_key"]
            fast = stake_performance(p.flows, p.valuations, keys)
            slow = performance_by(p.flows, p.valuations, keys)
            assert fast.keys() == slow.keys() and len(fast) >= 1
            for k in slow:
                assert fast[k] == slow[k], k
            assert stake_performance(p.flows, p.valuations, "investor_id") == performance_by(
                p.flows, p.valuations, "investor_id")


def test_restrict_equals_loading_at_that_date(portfolios):
    from fundtrack.services.frames import load_latest_valuations, load_portfolio
    from fundtrack.services.summary import portfolio_summary, summarise, summary_json
    from reports.data import restrict

    for eng in portfolios:
        p = load_portfolio(eng, date(2026, 9, 30), guidance_flows_only=True)
        g_ids = list(p.funds.loc[p.funds["kind"] == "guidance", "id"])
        for d in (date(2026, 6, 30), date(2026, 8, 1), date(2025, 3, 31), date(2021, 12, 31)):
            with eng.connect() as conn:
                v = load_latest_valuations(conn, d, g_ids)
            got = summary_json(summarise(restrict(p, d, v)))
            want = summary_json(portfolio_summary(eng, d))
            assert got == want, d


def test_snapshot_codec_round_trips_the_summary(engine):
    from fundtrack.services.compliance import breaches_for
    from fundtrack.services.frames import load_portfolio
    from fundtrack.services.summary import summarise, summary_json
    from reports import snapshot

    ids = make_small_portfolio(engine)
    add_q3_activity(engine, ids)
    p = load_portfolio(engine, date(2026, 9, 30), guidance_flows_only=True)
    s = summarise(p)
    br = breaches_for(p, edge_figs=s.sub_funds)
    fr = snapshot.roundtrip(s, br, p.edges)
    assert summary_json(fr.summary) == summary_json(s)
    assert [f.perf for f in fr.summary.funds] == [f.perf for f in s.funds]
    assert fr.breaches == br
    assert len(fr.summary.sub_funds) == len(s.sub_funds)
    assert fr.edges["committed"].tolist() == p.edges["committed"].tolist()
    snapshot.write(engine, "2026Q3", fr)
    back = snapshot.read(engine, "2026Q3")
    assert summary_json(back.summary) == summary_json(s) and back.breaches == br


# ---- small pure helpers -----------------------------------------------------------------------

def test_quarters():
    q = Quarter.parse("2026Q3")
    assert (q.start, q.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert Quarter.parse(" 2026 q1 ").prev() == Quarter(2025, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert q.year_start_end == date(2025, 12, 31)
    assert q.label() == "2026年第三季度" and q.label("en") == "Q3 2026"
    assert [str(x) for x in q.back(3)] == ["2026Q1", "2026Q2", "2026Q3"]
    assert Quarter.of(date(2026, 12, 31)) == Quarter(2026, 4)
    for bad in ("2026Q5", "2026-09", "Q3"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_place_region():
    from reports.places import place_region

    assert place_region("湖北省武汉市东湖新技术开发区") == "湖北·武汉"
    assert place_region("宜昌市猇亭区") == "湖北·宜昌"  # a Hubei city named without its province
    assert place_region("上海市浦东新区") == "上海"
    assert place_region("江苏省苏州市工业园区") == "江苏·苏州"
    assert place_region(None) == "未知" and place_region("", "en") == "Unknown"


def test_report_command_rejects_a_bad_quarter(db_url, tmp_path, capsys):
    from fundtrack.cli import main

    assert main(["--db", db_url, "report", "--quarter", "2026Q9", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "YYYYQn" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
