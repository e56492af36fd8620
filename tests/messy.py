"""Workbooks the way finance staff keep them, for the importer tests — built on the spot with
openpyxl and XlsxWriter (nothing binary is committed).

`portfolio_openpyxl` writes funds the messy way (title rows, a 单位：万元 note, aliases,
two-row merged headers, 序号, a hidden junk row, text numbers, full-width digits, bracket
variants, 合计 rows); `portfolio_xlsxwriter` writes investments and cash flows (every date
and percentage style, accounting negatives, a USCC-less repeat of a company). EXPECTED holds
the figures they mean, worked out by hand in 元.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

from fundtrack.uscc import make_uscc

G1 = "武汉测试引导基金（虚构）"
G2 = "测试区县母基金（虚构）"
S1 = "测试光谷子基金（有限合伙）"
S2 = "测试二级子基金（有限合伙）"  # fund of funds: backed by S1
_rng = random.Random(20260930)
USCC = [make_uscc(_rng) for _ in range(6)]
C1, C2, C3 = "测试芯片有限公司（虚构）", "测试生物有限公司（虚构）", "深圳测试软件有限公司（虚构）"

EXPECTED = {
    "funds": {  # name → (kind, committed 元, paid_in 元, inception)
        G1: ("guidance", D("100005000.00"), D("30000000.00"), date(2020, 1, 15)),
        G2: ("guidance", D("50000000.00"), D("20000000.00"), date(2021, 3, 1)),
        S1: ("sub", D("250000000.00"), D("0.00"), date(2023, 5, 12)),
        S2: ("sub", D("50000000.00"), D("0.00"), date(2023, 5, 1)),
    },
    "commitments": {  # (investor, investee) → (committed, paid_in)
        (G1, S1): (D("50000000.00"), D("20005000.00")),
        (S1, S2): (D("10000000.00"), D("0.00")),
    },
    # (investor, company, round, date) → (amount, equity_share, fair_value, reinvest_flag, exit_proceeds)
    "investments": {
        (S1, C1, "A轮", date(2023, 5, 12)): (D("12345600.00"), D("0.2"), D("20000000.00"), True, D("0.00")),
        (S1, C1, "B轮", date(2024, 5, 12)): (D("12340000.00"), D("0.15"), D("12340000.00"), None, D("0.00")),
        (S1, C2, "天使轮", date(2023, 5, 12)): (D("5000000.00"), D("0.05"), None, False, D("0.00")),
        (S2, C3, "A轮", date(2023, 5, 12)): (D("3000000.00"), D("0.1"), D("3000000.00"), None, D("4500000.00")),
        (G1, C2, "A轮", date(2023, 5, 12)): (D("1000000.00"), D("0.01"), D("1000000.00"), None, D("0.00")),
        (G1, C1, "C轮", date(2023, 5, 1)): (D("2000000.00"), D("0.02"), D("2000000.00"), None, D("0.00")),
    },
    "companies": {C1: (USCC[0], "集成电路", "湖北省武汉市东湖新技术开发区"), C2: (USCC[1], "生物医药", "武汉市洪山区"),
                  C3: (None, "软件", "广东省深圳市南山区")},
    # (investor, target name, date, type) → amount
    "flows": {
        (G1, S1, date(2023, 6, 30), "contribution"): D("20005000.00"),
        (G1, S1, date(2023, 9, 30), "fee"): D("250000.00"),
        (G1, S1, date(2023, 12, 31), "contribution"): D("-1234.00"),
        (G1, S1, date(2024, 12, 31), "valuation"): D("21000000.00"),
        (G1, S1, date(2025, 3, 31), "distribution"): D("1234567.89"),
        (G1, C2, date(2023, 5, 12), "contribution"): D("1000000.00"),
        (G1, C2, date(2024, 12, 31), "valuation"): D("1500000.00"),
    },
}


def portfolio_openpyxl(path: Path) -> Path:
    """Guidance funds and sub-funds, kept badly."""
    from openpyxl import Workbook

    wb = Workbook()
    g = wb.active
    g.title = "引导基金"
    g["A1"] = "2025年政府引导基金情况表"
    g.merge_cells("A1:K1")
    g["K2"] = "单位：万元"
    g.append(["序号", "引导基金名称", "级别", "出资单位", "受托管理机构", "地区", "基金规模", "到位资金", "设立日期",
              "存续期限", "返投要求"])  # row 3: aliases everywhere; money in 万元 per the note row
    g.append([1, f"  武汉测试引导基金 ( 虚构 ) ", "市", "武汉市财政局", "测试产投（虚构）", "武汉市", "10,000.50", "３,０００",
              "2020/1/15", "10年", "1.5倍"])
    g.append([2, G2, "区县级", "某区财政局", "某区产投（虚构）", "洪山区", 5000, 2000, datetime(2021, 3, 1), 8, 1])
    g.append([None, "这一行被隐藏了，里面是垃圾", "不存在的级别", None, None, None, "abc", "def", "不是日期"])
    g.row_dimensions[6].hidden = True
    g.append([])
    g.append(["合计", None, None, None, None, None, 15000.5, 5000])  # correct totals

    s = wb.create_sheet("子基金")
    s["A1"] = "参股子基金明细（截至2025年6月30日）"
    s.merge_cells("A1:K1")
    # Two-row header: 序号/子基金名称/... span rows 2–3; 引导基金出资 spans G2:H2 over 认缴/实缴.
    heads = ["序号", "子基金名称", "所属引导基金", "管理人", "备案编号", "子基金规模（亿元）", "引导基金出资（万元）", None,
             "放大倍数要求", "返投倍数要求", "成立日期", "状态"]
    for c, h in enumerate(heads, start=1):
        if h is not None:
            s.cell(row=2, column=c, value=h)
    for col in "ABCDEFIJKL":
        s.merge_cells(f"{col}2:{col}3")
    s.merge_cells("G2:H2")
    s["G3"], s["H3"] = "认缴", "实缴"
    s.append([1, "测试光谷子基金 (有限合伙)", "武汉测试引导基金(虚构)", "甲资本（虚构）", "slk742", "2.5", "5,000.00", 2000.5,
              "5倍", "150%", "2023.5.12", "投资期"])
    s.append([2, "测试二级子基金（有限合伙）", "测试光谷子基金（有限合伙）", "乙资本（虚构）", "SXY1234", 0.5, 1000, None,
              None, None, "2023年5月", "投资期"])
    s.append(["合计", None, None, None, None, 3, 6000, "2,000.50"])
    wb.save(path)
    return path


def portfolio_xlsxwriter(path: Path) -> Path:
    """Investments and cash flows, written with XlsxWriter."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    inv = wb.add_worksheet("投资明细")
    inv.merge_range("A1:N1", "投资项目明细表")
    inv.write("A2", "金额单位：人民币万元")
    inv.write_row(2, 0, ["序号", "被投企业", "信用代码", "投资基金", "行业", "注册地址", "轮次", "首次投资日期", "投资本金",
                         "股权比例", "公允价值", "是否认定返投", "退出状态", "已实现回款"])
    rows = [
        [1, C1, USCC[0], S1, "集成电路", "湖北省武汉市东湖新技术开发区", "A轮", "DATE", "1,234.56", "20%", 2000, "是",
         "未退出", None],
        # Same company again, without its code: matched by name.
        [2, "测试芯片有限公司 (虚构)", None, S1, None, None, "B轮", "2024/5/12", "１２３４", 15, "1234", None, None, None],
        [3, C2, USCC[1], S1, "生物医药", "武汉市洪山区", "天使轮", 45058, 500, "5%", None, "否", None, "-"],
        [4, C3, None, S2, "软件", "广东省深圳市南山区", "A轮", "2023年5月12日", 300, 10, 300, None, "部分退出", 450],
        [5, C2, USCC[1], G1, None, None, "A轮", "2023-05-12", 100, 1, 100, "", None, 0],
        [6, C1, USCC[0], G1, None, None, "C轮", "2023年5月", 200, 2, 200, None, None, None],
    ]
    for r, row in enumerate(rows, start=3):
        for c, v in enumerate(row):
            if v == "DATE":
                inv.write_datetime(r, c, datetime(2023, 5, 12), dfmt)
            elif v is not None:
                inv.write(r, c, v)
    inv.set_row(9, None, None, {"hidden": True})  # row 10: hidden junk
    inv.write_row(9, 0, [None, "隐藏行", "BADCODE", "不存在的基金", None, None, None, "x", "y"])
    # 合计 of 投资本金: 1234.56 + 1234 + 500 + 300 + 100 + 200 = 3568.56 万元
    inv.write_row(10, 0, ["合 计", None, None, None, None, None, None, None, 3568.56])

    f = wb.add_worksheet("资金流水")
    f.write_row(0, 0, ["序号", "LP", "被投对象", "发生日期", "类型", "金额（元）"])
    flows = [
        [1, G1, S1, "2023-06-30", "实缴出资", "20,005,000.00"],
        [2, G1, "测试光谷子基金(有限合伙)", "2023/9/30", "管理费", 250000],
        [3, G1, S1, "2023.12.31", "实缴出资", "(1,234.00)"],  # a refund: accounting negative
        [4, G1, S1, "2024年12月31日", "估值", 21000000],
        [5, G1, S1, 45747, "分配", "1,234,567.89"],  # 2025-03-31 as a bare serial
        [6, G1, USCC[1], "2023-05-12", "出资", 1000000],  # a company named by its code
        [7, G1, C2, "2024-12-31", "估值", "1,500,000"],
    ]
    for r, row in enumerate(flows, start=1):
        f.write_row(r, 0, row)
    wb.close()
    return path


def gbk_guidance_csv(path: Path) -> Path:
    """A CSV saved by Excel on Chinese Windows: GBK, units in the header, fractions as shares."""
    text = ("基金名称,基金级别,所在地区,认缴规模（亿元）,实缴规模（亿元）,成立日期\r\n"
            "湖北测试省级母基金（虚构）,省级,湖北省,12.5,\"1,000.00\",2022-01-01\r\n")
    # 1,000.00 亿 paid-in above 12.5 亿 committed: replaced below by a sane figure.
    text = text.replace('"1,000.00"', "2.5")
    path.write_bytes(text.encode("gbk"))
    return path
