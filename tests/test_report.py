"""The quarterly workbook (fundtrack report), read back with openpyxl and python-calamine and
checked against `fundtrack summary --as-of <quarter end> --json` on both back-ends."""

from __future__ import annotations

import json
import math
import re
import zipfile
from datetime import date

import pytest

from fundtrack.cli import main
from tests.conftest import BACKENDS
from tests.factories import make_small_portfolio
from tests.report_helpers import (EVIL, add_q3_activity, by_header, calamine_sheets, module_db_url, norm,
                                  openpyxl_sheets, plain, table)

WAN = 10_000  # yuan per 万元
TODAY = date(2026, 11, 23)  # after 2026 Q3: that quarter has ended


def yuan(v):
    return None if v is None else v * WAN


def close(a, b, tol=0.006):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=tol)


@pytest.fixture(scope="module", params=BACKENDS)
def q3(request, tmp_path_factory):
    """Built once per back-end for this module: the small portfolio plus Q3 activity, the Q3 report
    written through the CLI, and `fundtrack summary --as-of 2026-09-30 --json` of the same database."""
    import contextlib
    import io

    from fundtrack.db import open_engine

    db_url = module_db_url(request, tmp_path_factory)
    engine = open_engine(db_url)
    ids = make_small_portfolio(engine)
    ids.update(add_q3_activity(engine, ids))
    engine.dispose()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["--db", db_url, "summary", "--as-of", "2026-09-30", "--json"]) == 0
    summary = json.loads(buf.getvalue())
    out = tmp_path_factory.mktemp("q3") / "q3.xlsx"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["--db", db_url, "report", "--quarter", "2026Q3", "-o", str(out)]) == 0
    return dict(url=db_url, ids=ids, summary=summary, path=out, cal=calamine_sheets(out), opx=openpyxl_sheets(out))


KPI = {  # 概览 label → summary JSON totals key
    "认缴规模（万元）": "committed", "实缴规模（万元）": "paid_in", "子基金数量": "sub_fund_count",
    "子基金认缴规模（万元）": "sub_fund_committed", "引导基金对子基金认缴（万元）": "guidance_commitment",
    "放大倍数（总规模口径）": "leverage_total", "放大倍数（社会资本口径）": "leverage_social",
    "直投金额（万元）": "direct_invested", "返投要求（万元）": "reinvest_required", "返投完成（万元）": "reinvest_achieved",
    "返投完成率": "reinvest_ratio", "投资进度": "deployment", "IRR（净，扣除管理费）": "irr", "TVPI（净）": "tvpi",
    "DPI": "dpi", "RVPI": "rvpi",
}
GUIDANCE_COLS = {  # 引导基金 sheet header → summary JSON key
    "基金名称": "name", "认缴规模（万元）": "committed", "实缴规模（万元）": "paid_in", "子基金数": "sub_fund_count",
    "子基金认缴规模（万元）": "sub_fund_committed", "引导基金认缴（万元）": "guidance_commitment",
    "放大倍数（总规模口径）": "leverage_total", "放大倍数（社会资本口径）": "leverage_social",
    "直投金额（万元）": "direct_invested", "返投要求（万元）": "reinvest_required", "返投完成（万元）": "reinvest_achieved",
    "返投完成率": "reinvest_ratio", "投资进度": "deployment", "IRR（净）": "irr", "TVPI（净）": "tvpi", "DPI": "dpi",
    "RVPI": "rvpi",
}
AMOUNTS = {"committed", "paid_in", "sub_fund_committed", "guidance_commitment", "direct_invested",
           "reinvest_required", "reinvest_achieved"}


def _expect(key, cell, want):
    if key in AMOUNTS:
        assert close(yuan(cell), want), (key, cell, want)
    elif key in ("name",):
        assert cell == want
    elif want is None:
        assert cell == "—", (key, cell)  # a figure that does not exist shows as a dash, never 0
    else:
        assert close(cell, float(want), 1e-12), (key, cell, want)


def test_kpis_and_fund_rows_match_summary_json(q3):
    s, cal = q3["summary"], q3["cal"]
    t = s["totals"]
    assert t["sub_fund_count"] == 4  # A (two guidance investors, counted once), B, D, E
    heads, rows, _ = table(cal["概览"], "指标")
    kpi = {norm(r[0]): plain(r[1]) for r in rows}
    for label, key in KPI.items():
        _expect(key, kpi[label], t[key])
    assert close(yuan(kpi["未缴（万元）"]), t["committed"] - t["paid_in"])
    assert kpi["引导基金数量"] == len(s["guidance_funds"])

    heads, rows, _ = table(cal["引导基金"], "基金名称")
    data = {r[0]: by_header(heads, r) for r in rows}
    for f in s["guidance_funds"]:
        row = data[f["name"]]
        for h, key in GUIDANCE_COLS.items():
            _expect(key, row[h], f[key])
    total = data["合计"]
    for h, key in GUIDANCE_COLS.items():
        if key != "name":
            _expect(key, total[h], t[key])
    assert close(yuan(total["未缴（万元）"]), t["committed"] - t["paid_in"])

    # 业绩: each fund row and the totals row carry the summary's performance.
    heads, rows, _ = table(cal["业绩"], "引导基金")
    fund_rows = {r[0]: by_header(heads, r) for r in rows if norm(r[2]) == "基金合计"}
    perf_cols = {"IRR（净）": "irr", "TVPI（净）": "tvpi", "DPI": "dpi", "RVPI": "rvpi"}
    for f in s["guidance_funds"]:
        for h, key in perf_cols.items():
            _expect(key, fund_rows[f["name"]][h], f[key])
    total = by_header(heads, rows[-1])
    assert rows[-1][0] == "合计"
    for h, key in perf_cols.items():
        _expect(key, total[h], t[key])


def test_table_totals_tie_to_summary_and_to_their_columns(q3):
    s, cal = q3["summary"], q3["cal"]
    t = s["totals"]

    def col_sum(rows, heads, h, where=None):
        i = heads.index(h)
        return math.fsum(plain(r[i]) or 0.0 for r in rows if where is None or where(r))

    # 子基金: one row per guidance commitment; SUMs add up, the size total counts each sub-fund once.
    heads, rows, _ = table(cal["子基金"], "引导基金")
    data, total = rows[:-1], by_header(heads, rows[-1])
    assert rows[-1][0] == "合计" and len(data) == 5
    for h, key in [("引导基金认缴（万元）", "guidance_commitment"), ("返投要求（万元）", "reinvest_required"),
                   ("返投完成（万元）", "reinvest_achieved")]:
        assert close(yuan(total[h]), t[key])
        assert close(total[h], col_sum(data, heads, h))
    assert close(yuan(total["子基金认缴规模（万元）"]), t["sub_fund_committed"])
    assert col_sum(data, heads, "子基金认缴规模（万元）") > total["子基金认缴规模（万元）"]  # A listed twice
    assert close(total["放大倍数（总规模口径）"], t["leverage_total"], 1e-12)

    # 引导基金: the SUM cells equal the sum of the rows above them.
    heads, rows, _ = table(cal["引导基金"], "基金名称")
    for h in ("认缴规模（万元）", "实缴规模（万元）", "引导基金认缴（万元）", "返投要求（万元）", "返投完成（万元）"):
        assert close(by_header(heads, rows[-1])[h], col_sum(rows[:-1], heads, h))

    # 投资项目 and 穿透分析: the same look-through total from every angle.
    heads, rows, _ = table(cal["投资项目"], "投资主体")
    inv_total = by_header(heads, rows[-1])
    look = inv_total["引导基金穿透金额（万元）"]
    assert close(look, col_sum(rows[:-1], heads, "引导基金穿透金额（万元）"))
    assert close(inv_total["投资金额（万元）"], col_sum(rows[:-1], heads, "投资金额（万元）"))
    lt = cal["穿透分析"]
    heads, rows, hi = table(lt, "行业")
    totals_in_row = [plain(x) for r in rows if any(norm(c) == "合计" for c in r) for x in r]
    for k, dim in enumerate(("行业", "地区", "轮次")):
        c0 = k * 5
        assert norm(lt[hi][c0]) == dim
        total_row = next(r for r in lt[hi + 1:] if norm(r[c0]) == "合计")
        assert close(plain(total_row[c0 + 1]), look)
    heads, rows, _ = table(lt, "引导基金")
    assert close(by_header(heads, rows[-1])["穿透金额合计（万元）"], look)
    # By hand (万元): 武汉 direct 8,000 + A (5,000+3,000+2,000) × ¼ + B 4,000 × ¼ + C 1,000 × ¼ × ⅕ (via B);
    # 湖北 D 2,500 × ⅕ + D's new 1,000 × ⅕ + A 10,000 × ⅒ (its Q3 commitment of 40m in A's 400m).
    by_fund = {r[0]: by_header(heads, r)["穿透金额合计（万元）"] for r in rows[:-1]}
    assert close(by_fund["武汉测试引导基金（虚构）"], 8_000 + 2_500 + 1_000 + 50)
    assert close(by_fund["湖北省测试母基金（虚构）"], 500 + 200 + 1_000)
    assert totals_in_row
    # 直投 exposure equals the summary's direct investments.
    assert close(yuan(by_header(heads, rows[-1])["其中：直投（万元）"]), t["direct_invested"])

    # 现金流: the quarter's ledger lines.
    heads, rows, _ = table(cal["现金流"], "日期")
    tot = by_header(heads, rows[-1])
    assert close(yuan(tot["实缴出资（万元）"]), 5_000_000 + 12_000_000)
    assert close(yuan(tot["管理费（万元）"]), 500_000)
    assert close(yuan(tot["分配（万元）"]), 2_000_000)
    assert len(rows) - 1 == 5

    # 合规: the overview's count is the number of listed breaches.
    heads, rows, _ = table(cal["合规"], "规则")
    kpi = {norm(r[0]): plain(r[1]) for r in table(cal["概览"], "指标")[1]}
    assert kpi["合规异常数量"] == len(rows) - 1
    assert plain(rows[-1][1]) == len(rows) - 1  # COUNTA

    # 季度变动: the new sub-fund, the new investment and the exit of the quarter.
    ch = cal["季度变动"]
    flat = [norm(c) for r in ch for c in r]
    assert "子基金E（新设）" in flat and EVIL in flat and "深圳软件有限公司（虚构）" in flat


def test_both_readers_agree_on_every_cell(q3):
    cal, opx = q3["cal"], q3["opx"]
    assert list(cal) == list(opx)
    for name in cal:
        a, b = cal[name], opx[name]
        for i in range(max(len(a), len(b))):
            ra = a[i] if i < len(a) else []
            rb = b[i] if i < len(b) else []
            for j in range(max(len(ra), len(rb))):
                x = plain(ra[j]) if j < len(ra) else None
                y = plain(rb[j]) if j < len(rb) else None
                if isinstance(x, float) and isinstance(y, float):
                    assert math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-9), (name, i, j, x, y)
                else:
                    assert x == y, (name, i, j, x, y)


def test_user_text_is_never_a_formula(q3):
    import openpyxl

    wb = openpyxl.load_workbook(str(q3["path"]))  # not data_only: formulas come back as formulas
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == EVIL:
                    assert c.data_type == "s"
                    found.append(ws.title)
                if isinstance(c.value, str) and c.value in ("@SUM(1)", "+A轮", "-2+3"):
                    assert c.data_type == "s"
    assert "投资项目" in found and "季度变动" in found
    assert any(r and EVIL in r for r in q3["cal"]["投资项目"])
    with zipfile.ZipFile(q3["path"]) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/sheet"):
                xml = z.read(n).decode()
                formulas = re.findall(r"<f>(.*?)</f>", xml)
                assert not [f for f in formulas if "HYPERLINK" in f or "@SUM" in f or "2+3" in f], n
                assert all(re.match(r"^(SUM|SUMIF|IF|COUNTA)\(", f) for f in formulas), formulas


def test_presentation(q3):
    import openpyxl

    wb = openpyxl.load_workbook(str(q3["path"]))
    assert wb.sheetnames == ["概览", "引导基金", "子基金", "投资项目", "穿透分析", "业绩", "资本账户", "现金流", "合规",
                             "季度变动", "图表数据"]
    ws = wb["引导基金"]
    assert ws.freeze_panes == "B3"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A2:")
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$1:$2"
    heads = {norm(c.value): c for c in ws[2]}
    assert heads["认缴规模（万元）"].column_letter
    total_row = ws.max_row
    cell = ws.cell(total_row, heads["认缴规模（万元）"].column)
    assert cell.value.startswith("=SUM(") and cell.number_format == "#,##0.00"
    assert ws.cell(3, heads["放大倍数（总规模口径）"].column).number_format == '0.00"x"'
    assert ws.cell(3, heads["投资进度"].column).number_format == "0.0%"
    # Widths fit the CJK names: 武汉测试引导基金（虚构） is 24 terminal cells.
    assert ws.column_dimensions["A"].width >= 24
    assert ws.column_dimensions["A"].width <= 30
    # Every amount header states the unit.
    for name in ("引导基金", "子基金", "投资项目", "业绩", "现金流"):
        hs = [norm(c.value) for c in wb[name][2] if c.value]
        money = [h for h in hs if any(k in h for k in ("规模", "金额", "认缴", "实缴", "返投要求", "返投完成（", "分配",
                                                        "估值（", "管理费"))
                 and not any(k in h for k in ("倍数", "占比", "率", "进度", "日期", "子基金数", "IRR"))]
        assert money and all("万元" in h for h in money), (name, money)
    assert len(wb["概览"]._charts) == 3
    props = wb.properties
    assert "2026年第三季度" in props.title and props.created.date() == date(2026, 9, 30)


def test_english_report(engine, tmp_path):
    from reports.cli import write_report

    make_small_portfolio(engine)
    out = tmp_path / "en.xlsx"
    write_report(engine, "2026Q3", out, lang="en", today=TODAY)
    cal = calamine_sheets(out)
    assert list(cal)[:3] == ["Overview", "Guidance funds", "Sub-funds"]
    heads, rows, _ = table(cal["Guidance funds"], "Fund")
    assert "Committed(CNY 10k)" in heads and rows[-1][0] == "Total"


def test_same_database_same_workbook(engine, tmp_path):
    from reports.cli import write_report

    ids = make_small_portfolio(engine)
    add_q3_activity(engine, ids)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    d1, _ = write_report(engine, "2026Q3", a, today=TODAY)
    d2, _ = write_report(engine, "2026Q3", b, today=TODAY)
    assert (d1.snapshot_state, d2.snapshot_state) == ("written", "frozen")
    assert a.read_bytes() == b.read_bytes()  # byte for byte: fixed dates, stable order, same figures
    with zipfile.ZipFile(a) as z:
        core = z.read("docProps/core.xml").decode()
    assert "2026-09-30T00:00:00Z" in core
