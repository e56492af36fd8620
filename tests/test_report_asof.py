"""As-of correctness of the quarterly report: the roll-forward ties across quarters, an earlier
quarter's workbook does not change when later data arrives or sizes are edited (snapshot rule),
and an open quarter stays provisional. Both back-ends."""

from __future__ import annotations

import math
from datetime import date

from reports.cli import write_report
from tests.factories import make_small_portfolio
from tests.report_helpers import add_q3_activity, calamine_sheets, edit_sizes, norm, plain, table

TODAY = date(2026, 11, 23)
ITEMS = ["期初资本账户余额（万元）", "出资（含管理费）（万元）", "分配（万元）", "管理费（万元）", "估值变动（万元）",
         "期末资本账户余额（万元）"]


def capital_blocks(rows) -> dict:
    """{entity: {item: (qtd, ytd, itd)}} from the 资本账户 sheet."""
    heads, _, hi = table(rows, "项目")
    out, cur = {}, None
    for r in rows[hi + 1:]:
        label = norm(r[0]) if r else ""
        if not label:
            continue
        if label in ITEMS:
            out[cur][label] = tuple(plain(x) for x in r[1:4])
        else:
            cur = label
            out[cur] = {}
    return out


def ties(block: dict) -> None:
    for k in range(3):
        o, c, d, f, v, cl = (block[i][k] for i in ITEMS)
        # distributions and fees are shown negative: the column adds up to the closing balance
        assert math.isclose(o + c + d + f + v, cl, abs_tol=1e-6), block


def test_roll_forward_ties_and_quarters_chain(engine, tmp_path):
    ids = make_small_portfolio(engine)
    add_q3_activity(engine, ids)
    d2, _ = write_report(engine, "2026Q2", tmp_path / "q2.xlsx", today=TODAY)
    d3, _ = write_report(engine, "2026Q3", tmp_path / "q3.xlsx", today=TODAY)
    q2 = capital_blocks(calamine_sheets(tmp_path / "q2.xlsx")["资本账户"])
    q3 = capital_blocks(calamine_sheets(tmp_path / "q3.xlsx")["资本账户"])
    assert set(q2) == set(q3) and "全部引导基金" in q3
    for name in q3:
        ties(q2[name])
        ties(q3[name])
        # this quarter's opening is last quarter's closing, exactly
        assert q3[name][ITEMS[0]][0] == q2[name][ITEMS[-1]][0]
        # YTD and ITD end where the quarter ends; ITD opens at 0
        assert q3[name][ITEMS[-1]][0] == q3[name][ITEMS[-1]][1] == q3[name][ITEMS[-1]][2]
        assert q3[name][ITEMS[0]][2] == 0
    wh = q3["武汉测试引导基金（虚构）"]
    # Q3: opening 16,000 (A valued 8,000 + 江夏 at cost 8,000); paid 500 + fee 50; distributed 200;
    # A revalued to 8,500 on 09-30 (its Q3 flows all before or on that date) → closing 16,500.
    assert wh[ITEMS[0]][0] == 16_000 and wh[ITEMS[1]][0] == 550 and wh[ITEMS[2]][0] == -200
    assert wh[ITEMS[3]][0] == -50 and wh[ITEMS[-1]][0] == 16_500 and wh[ITEMS[4]][0] == 200
    hb = q3["湖北省测试母基金（虚构）"]
    assert hb[ITEMS[1]][0] == 1_200 and hb[ITEMS[-1]][0] == 1_200 and hb[ITEMS[4]][0] == 0  # at cost

    # Per stake, in the data behind the 业绩 sheet: identity, and Q3 opening = Q2 closing.
    s2 = {(r.fund_id, r.target_key): r for r in d2.stakes.itertuples() if r.level == 1}
    for r in d3.stakes.itertuples():
        assert r.opening + r.contributions - r.distributions - r.fees + r.valuation_change == r.closing
        if r.level == 1 and (r.fund_id, r.target_key) in s2:
            assert r.opening == s2[(r.fund_id, r.target_key)].closing


def test_earlier_quarter_unchanged_after_later_data_and_edits(engine, tmp_path):
    ids = make_small_portfolio(engine)
    d1, _ = write_report(engine, "2026Q2", tmp_path / "before.xlsx", today=TODAY)
    assert d1.snapshot_state == "written"
    before = calamine_sheets(tmp_path / "before.xlsx")

    add_q3_activity(engine, ids)  # everything dated after 2026-06-30
    edit_sizes(engine, ids)  # and sizes, paid-in and a commitment edited in place
    d2, _ = write_report(engine, "2026Q2", tmp_path / "after.xlsx", today=TODAY)
    assert d2.snapshot_state == "frozen"
    after = calamine_sheets(tmp_path / "after.xlsx")
    assert after == before
    assert (tmp_path / "after.xlsx").read_bytes() == (tmp_path / "before.xlsx").read_bytes()

    # --refresh-snapshot recomputes from today's records: A is now 500m, so 武汉's leverage moves.
    d3, _ = write_report(engine, "2026Q2", tmp_path / "refreshed.xlsx", today=TODAY, refresh_snapshot=True)
    assert d3.snapshot_state == "written"
    old = {f.name: f for f in d1.summary.funds}
    new = {f.name: f for f in d3.summary.funds}
    wh = "武汉测试引导基金（虚构）"
    assert old[wh].leverage_total == 4.0
    assert math.isclose(new[wh].leverage_total, (500 + 200) / (100 + 60))
    assert new[wh].paid_in == 700_000_000_00


def test_open_quarter_is_provisional_and_previous_quarter_freezes(engine, tmp_path):
    from reports import snapshot

    ids = make_small_portfolio(engine)
    d1, _ = write_report(engine, "2026Q3", tmp_path / "a.xlsx", today=date(2026, 8, 15))
    assert d1.snapshot_state == "provisional"
    assert snapshot.read(engine, "2026Q2") is not None  # the comparison base froze with it
    edit_sizes(engine, ids)
    d2, _ = write_report(engine, "2026Q3", tmp_path / "b.xlsx", today=date(2026, 8, 20))
    assert d2.snapshot_state == "provisional"
    wh = {f.name: f for f in d2.summary.funds}["武汉测试引导基金（虚构）"]
    assert math.isclose(wh.leverage_total, 700 / 160)  # edits show while the quarter is open
    # … while the previous quarter, the comparison column, did not move.
    prev = {f.name: f for f in d2.prev_summary.funds}["武汉测试引导基金（虚构）"]
    assert prev.leverage_total == 4.0
    heads, rows, _ = table(calamine_sheets(tmp_path / "b.xlsx")["季度变动"], "对象")
    lev = [r for r in rows if r[0] == "武汉测试引导基金（虚构）" and norm(r[1]) == "放大倍数（总规模口径）"]
    assert lev and plain(lev[0][2]) == 4.0 and math.isclose(plain(lev[0][3]), 700 / 160)


def test_empty_database_writes_a_report(engine, tmp_path):
    d, cells = write_report(engine, "2026Q3", tmp_path / "empty.xlsx", today=TODAY)
    assert d.snapshot_state == "empty"
    cal = calamine_sheets(tmp_path / "empty.xlsx")
    heads, rows, _ = table(cal["引导基金"], "基金名称")
    assert rows[-1][0] == "合计" and plain(rows[-1][heads.index("认缴规模（万元）")]) == 0


def test_guidance_fund_without_sub_funds(engine, tmp_path):
    from decimal import Decimal

    from sqlmodel import Session

    from fundtrack.models import Fund

    with Session(engine) as s:
        s.add(Fund(kind="guidance", name="孤立引导基金（虚构）", name_key="孤立引导基金(虚构)", committed=Decimal("1000"),
                   paid_in=Decimal("0"), inception=date(2020, 1, 1)))
        s.commit()
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert write_report(engine, "2026Q3", a, today=TODAY)[0].snapshot_state == "written"
    assert write_report(engine, "2026Q3", b, today=TODAY)[0].snapshot_state == "frozen"
    assert a.read_bytes() == b.read_bytes()
    heads, rows, _ = table(calamine_sheets(a)["引导基金"], "基金名称")
    assert rows[0][0] == "孤立引导基金（虚构）" and plain(rows[0][heads.index("放大倍数（总规模口径）")]) == "—"
