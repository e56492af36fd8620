"""The sheets of the quarterly workbook, in tab order. Each writes strictly row by row."""

from __future__ import annotations

from fundtrack.metrics.compliance import RULES
from fundtrack.metrics.ratios import ratio
from reports.workbook import DASH, WAN, Col, ReportWriter, _col_letter, header_text

TOP_INDUSTRIES = 15
TOP_SUBFUNDS = 20


def wan(fen):
    """fen → 万元 (float); None stays None."""
    if fen is None or fen != fen:
        return None
    return float(fen) / WAN


def wan_list(series) -> list:
    return [None if v is None or v != v else float(v) / WAN for v in series.tolist()]


def text_list(series) -> list:
    return [None if (v is None or v != v) else str(v) for v in series.tolist()]


def num_list(series) -> list:
    return [None if (v is None or v != v) else float(v) for v in series.tolist()]


def _sum_wan(values) -> float:
    import math

    return math.fsum(v for v in values if v is not None)


# ---- chart data (laid out first: the overview's charts point at it) ---------------------------

class ChartData:
    def __init__(self, w: ReportWriter):
        d = w.d
        self.name = w.t("图表数据", "Chart data")
        fq = d.flows_by_quarter
        self.flows = [(q, wan(c), wan(f), wan(x)) for q, c, f, x in
                      zip(fq["quarter"], fq["contribution"], fq["fee"], fq["distribution"])]
        ind = d.exposure["industry"]
        self.industry = [(str(c), float(e) / WAN) for c, e in zip(ind["category"], ind["exposure"])]
        if len(self.industry) > TOP_INDUSTRIES:
            rest = sum(e for _, e in self.industry[TOP_INDUSTRIES - 1:])
            self.industry = self.industry[:TOP_INDUSTRIES - 1] + [(w.t("其他", "Other"), rest)]
        subs = d.sub_funds
        lev = []
        if len(subs):
            x = subs.sort_values(["committed", "sub_name", "investee_id"], ascending=[False, True, True]).head(TOP_SUBFUNDS)
            names = list(x["sub_name"])
            dup = {n for n in names if names.count(n) > 1}
            for r in x.itertuples(index=False):
                label = r.sub_name if r.sub_name not in dup else f"{r.sub_name}（{r.investor_name}）"
                req = r.sub_required_leverage
                lev.append((label, None if r.leverage_total != r.leverage_total else r.leverage_total,
                            None if req is None or req != req else float(req)))
        self.leverage = lev
        # Row layout: title 0; each table = section row, header row, data rows, blank row.
        r = 2
        self.flows_head = r + 1
        r = self.flows_head + 1 + len(self.flows) + 1
        self.industry_head = r + 1
        r = self.industry_head + 1 + len(self.industry) + 1
        self.leverage_head = r + 1

    def ref(self, head: int, n: int, col: int) -> list:
        return [self.name, head + 1, col, head + max(n, 1), col]


def chart_data_sheet(w: ReportWriter, cd: ChartData) -> None:
    ws = w.sheet("图表数据", "Chart data")
    w.title(ws, w.t("图表数据（概览页图表引用本页）", "Chart data (used by the charts on the overview)"))
    ws.write_string(cd.flows_head - 1, 0, w.t("引导基金季度资金流", "Guidance funds' cash flows by quarter"), w.f_section)
    cols = [Col(w.t("季度", "Quarter")), Col(w.amt("实缴出资", "Contributions"), "amount"),
            Col(w.amt("管理费", "Fees"), "amount"), Col(w.amt("分配", "Distributions"), "amount")]
    w.table(ws, cd.flows_head, cols, [list(x) for x in zip(*cd.flows)] if cd.flows else [[], [], [], []], lines=1)
    ws.write_string(cd.industry_head - 1, 0, w.t("穿透金额按行业", "Look-through exposure by industry"), w.f_section)
    cols = [Col(w.t("行业", "Industry")), Col(w.amt("穿透金额", "Exposure"), "amount")]
    w.table(ws, cd.industry_head, cols, [list(x) for x in zip(*cd.industry)] if cd.industry else [[], []], lines=1)
    ws.write_string(cd.leverage_head - 1, 0, w.t(f"子基金放大倍数（引导基金认缴前{TOP_SUBFUNDS}）",
                                                 f"Sub-fund leverage (top {TOP_SUBFUNDS} guidance commitments)"),
                    w.f_section)
    cols = [Col(w.t("子基金", "Sub-fund")), Col(w.t("放大倍数（总规模口径）", "Leverage (total-size basis)"), "mult"),
            Col(w.t("要求放大倍数", "Required leverage"), "mult")]
    w.table(ws, cd.leverage_head, cols, [list(x) for x in zip(*cd.leverage)] if cd.leverage else [[], [], []], lines=2)
    w.fit_columns(ws, 4, {}, max_lines=2)
    ws.freeze_panes(1, 0)


# ---- 概览 ---------------------------------------------------------------------------------------

def overview(w: ReportWriter, cd: ChartData) -> None:
    d = w.d
    t = d.summary.totals
    ws = w.sheet("概览", "Overview")
    q = d.quarter
    w.title(ws, w.t("政府引导基金季度报告", "Government guidance funds — quarterly report"))
    lines = [
        w.t(f"报告期：{q.label('zh')}（{q.start.isoformat()} 至 {q.end.isoformat()}）",
            f"Period: {q.label('en')} ({q.start.isoformat()} to {q.end.isoformat()})"),
        w.t(f"数据截至：{q.end.isoformat()}　　金额单位：万元", f"As of {q.end.isoformat()}; amounts in CNY 10k"),
        w.t("汇总指标（本页、引导基金、子基金表及业绩表的基金行）取自本季度快照：季度结束后首次出具报告时冻结，"
            "之后修改基金规模等数据不改变该季度的报告（--refresh-snapshot 重新计算）。",
            "Headline figures (this page, the guidance-fund and sub-fund sheets, fund rows of Performance) come "
            "from the quarter's snapshot, frozen when the quarter is first reported after it ends "
            "(--refresh-snapshot recomputes)."),
    ]
    for i, s in enumerate(lines, start=1):
        ws.write_string(i, 0, s, w.f_sub)
        w._count(ws, "string")
    head = 5
    kpis = [
        ("引导基金数量", "Guidance funds", len(d.summary.funds), "int", "", ""),
        ("认缴规模（万元）", "Committed (CNY 10k)", wan(t.committed), "amount", "各引导基金认缴规模之和", "Σ fund sizes"),
        ("实缴规模（万元）", "Paid-in (CNY 10k)", wan(t.paid_in), "amount", "", ""),
        ("未缴（万元）", "Unfunded (CNY 10k)", wan(t.committed - t.paid_in), "amount", "认缴 − 实缴", "committed − paid-in"),
        ("子基金数量", "Sub-funds", t.sub_fund_count, "int", "按子基金去重", "each sub-fund counted once"),
        ("子基金认缴规模（万元）", "Sub-fund committed size (CNY 10k)", wan(t.sub_fund_committed), "amount",
         "按子基金去重", "each sub-fund counted once"),
        ("引导基金对子基金认缴（万元）", "Guidance commitments to sub-funds (CNY 10k)", wan(t.guidance_commitment),
         "amount", "", ""),
        ("放大倍数（总规模口径）", "Leverage (total-size basis)", t.leverage_total, "mult",
         "Σ子基金认缴规模 ÷ Σ引导基金认缴", "Σ sub-fund size ÷ Σ guidance commitment"),
        ("放大倍数（社会资本口径）", "Leverage (social-capital basis)", t.leverage_social, "mult",
         "(Σ子基金认缴规模 − Σ引导基金认缴) ÷ Σ引导基金认缴", "(Σ size − Σ guidance commitment) ÷ Σ guidance commitment"),
        ("直投金额（万元）", "Direct investments (CNY 10k)", wan(t.direct_invested), "amount", "", ""),
        ("返投要求（万元）", "Re-investment required (CNY 10k)", wan(t.reinvest_required), "amount",
         "Σ 返投倍数 × 引导基金认缴", "Σ multiple × guidance commitment"),
        ("返投完成（万元）", "Re-investment achieved (CNY 10k)", wan(t.reinvest_achieved), "amount",
         "子基金对本地企业的投资（不含直投）", "sub-funds' local investments (direct excluded)"),
        ("返投完成率", "Re-investment completion", t.reinvest_ratio, "pct", "返投完成 ÷ 返投要求", "achieved ÷ required"),
        ("投资进度", "Deployment", t.deployment, "pct", "(对子基金认缴 + 直投) ÷ 认缴规模",
         "(commitments + direct) ÷ committed"),
        ("IRR（净，扣除管理费）", "IRR (net of fees)", t.irr, "pct", "XIRR，含最新估值", "XIRR incl. latest valuation"),
        ("TVPI（净）", "TVPI (net)", t.tvpi, "mult", "DPI + RVPI", "DPI + RVPI"),
        ("DPI", "DPI", t.dpi, "mult", "分配 ÷ 实缴出资（含管理费）", "distributions ÷ paid-in incl. fees"),
        ("RVPI", "RVPI", t.rvpi, "mult", "最新估值 ÷ 实缴出资（含管理费）", "latest valuation ÷ paid-in incl. fees"),
        ("合规异常数量", "Compliance exceptions", len(d.breaches), "int", "详见“合规”表", "see the Compliance sheet"),
    ]
    cols = [Col(w.t("指标", "Figure")), Col(w.t("数值", "Value"), "figure"), Col(w.t("口径说明", "Definition"))]
    columns = [[w.t(a, b) for a, b, *_ in kpis], [(v, k) for _, _, v, k, _, _ in kpis],
               [w.t(a, b) for *_, a, b in kpis]]
    for c, (col, vals) in enumerate(zip(cols, columns)):
        w._measure(ws, c, col.kind, vals)
    ws._ft_widths[1] = max(ws._ft_widths.get(1, 0), 16)
    w.fit_columns(ws, 3, {c: col.header for c, col in enumerate(cols)})
    ws.set_column(2, 2, min(ws._ft_widths.get(2, 0) + 2, 64))  # definitions: one line each
    w.table(ws, head, cols, columns, lines=1, measure=False)
    ws.freeze_panes(head + 1, 0)
    ws.repeat_rows(0, head)
    # Charts to the right of the KPI block.
    x = 4
    ch = w.wb.add_chart({"type": "column"})
    names = [w.t("实缴出资", "Contributions"), w.t("管理费", "Fees"), w.t("分配", "Distributions")]
    n = len(cd.flows)
    for i, nm in enumerate(names, start=1):
        ch.add_series({"name": nm, "categories": cd.ref(cd.flows_head, n, 0), "values": cd.ref(cd.flows_head, n, i)})
    ch.set_title({"name": w.t("引导基金季度资金流（万元）", "Guidance funds' cash flows by quarter (CNY 10k)")})
    ch.set_y_axis({"num_format": "#,##0"})
    ch.set_legend({"position": "bottom"})
    ws.insert_chart(head, x, ch, {"x_scale": 1.5, "y_scale": 1.1})
    ch = w.wb.add_chart({"type": "bar"})
    n = len(cd.industry)
    ch.add_series({"name": w.t("穿透金额", "Exposure"), "categories": cd.ref(cd.industry_head, n, 0),
                   "values": cd.ref(cd.industry_head, n, 1), "data_labels": {"value": False}})
    ch.set_title({"name": w.t("穿透金额按行业（万元）", "Look-through exposure by industry (CNY 10k)")})
    ch.set_x_axis({"num_format": "#,##0"})
    ch.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})  # bar chart: the category axis
    ch.set_legend({"none": True})
    ws.insert_chart(head + 18, x, ch, {"x_scale": 1.5, "y_scale": 1.6})
    ch = w.wb.add_chart({"type": "column"})
    n = len(cd.leverage)
    ch.add_series({"name": w.t("放大倍数（总规模口径）", "Leverage (total-size basis)"),
                   "categories": cd.ref(cd.leverage_head, n, 0), "values": cd.ref(cd.leverage_head, n, 1)})
    line = w.wb.add_chart({"type": "line"})
    line.add_series({"name": w.t("要求放大倍数", "Required leverage"), "categories": cd.ref(cd.leverage_head, n, 0),
                     "values": cd.ref(cd.leverage_head, n, 2), "marker": {"type": "diamond"},
                     "line": {"none": True}})
    ch.combine(line)
    ch.set_title({"name": w.t(f"子基金放大倍数（引导基金认缴前{TOP_SUBFUNDS}）",
                              f"Sub-fund leverage (top {TOP_SUBFUNDS} by guidance commitment)")})
    ch.set_y_axis({"num_format": '0.0"x"'})
    ch.set_x_axis({"num_font": {"rotation": -45, "size": 7}, "interval_unit": 1})
    ch.set_legend({"position": "bottom"})
    ws.insert_chart(head + 43, x, ch, {"x_scale": 1.5, "y_scale": 1.5})
    ws.fit_to_pages(1, 1)  # the overview is one page: KPIs and the three charts


# ---- 引导基金 -----------------------------------------------------------------------------------

def guidance(w: ReportWriter) -> None:
    d = w.d
    s = d.summary
    t = s.totals
    ws = w.sheet("引导基金", "Guidance funds")
    w.title(ws, w.sheet_title(ws, "引导基金", "Guidance funds"))
    info = d.funds.set_index("id")
    funds = s.funds

    def live(fid, col):
        try:
            v = info.at[fid, col]
        except KeyError:
            return None
        return None if v is None or v != v else v

    r0, r1 = 2, 2 + len(funds) - 1
    L = _col_letter
    tr = r1 + 2  # the totals row (1-based)
    cols = [
        Col(w.t("基金名称", "Fund")), Col(w.t("基金级别", "Level")), Col(w.t("所在地区", "Region")),
        Col(w.t("管理机构", "Manager")), Col(w.t("成立日期", "Inception"), "date"),
        Col(w.amt("认缴规模", "Committed"), "amount", ("sum", wan(t.committed))),
        Col(w.amt("实缴规模", "Paid-in"), "amount", ("sum", wan(t.paid_in))),
        Col(w.amt("未缴", "Unfunded"), "amount", ("sum", wan(t.committed - t.paid_in))),
        Col(w.t("子基金数", "Sub-funds"), "int", ("value", t.sub_fund_count),
            w.t("按子基金去重：同一子基金有多个引导基金出资时只计一次", "Each sub-fund counted once")),
        Col(w.amt("子基金认缴规模", "Sub-fund size"), "amount", ("value", wan(t.sub_fund_committed)),
            w.t("按子基金去重：同一子基金有多个引导基金出资时只计一次", "Each sub-fund counted once")),
        Col(w.amt("引导基金认缴", "Guidance commitment"), "amount", ("sum", wan(t.guidance_commitment))),
        Col(w.t("放大倍数（总规模口径）", "Leverage (total-size basis)"), "mult",
            ("formula", f'=IF({L(10)}{tr}=0,"{DASH}",{L(9)}{tr}/{L(10)}{tr})', t.leverage_total)),
        Col(w.t("放大倍数（社会资本口径）", "Leverage (social-capital basis)"), "mult",
            ("formula", f'=IF({L(10)}{tr}=0,"{DASH}",({L(9)}{tr}-{L(10)}{tr})/{L(10)}{tr})', t.leverage_social)),
        Col(w.amt("直投金额", "Direct investments"), "amount", ("sum", wan(t.direct_invested))),
        Col(w.amt("返投要求", "Re-investment required"), "amount", ("sum", wan(t.reinvest_required))),
        Col(w.amt("返投完成", "Re-investment achieved"), "amount", ("sum", wan(t.reinvest_achieved))),
        Col(w.t("返投完成率", "Re-investment completion"), "pct",
            ("formula", f'=IF({L(14)}{tr}=0,"{DASH}",{L(15)}{tr}/{L(14)}{tr})', t.reinvest_ratio)),
        Col(w.t("投资进度", "Deployment"), "pct",
            ("formula", f'=IF({L(5)}{tr}=0,"{DASH}",({L(10)}{tr}+{L(13)}{tr})/{L(5)}{tr})', t.deployment)),
        Col("IRR" + w.t("（净）", " (net)"), "pct", ("value", t.irr)),
        Col("TVPI" + w.t("（净）", " (net)"), "mult", ("value", t.tvpi)),
        Col("DPI", "mult", ("value", t.dpi)),
        Col("RVPI", "mult", ("value", t.rvpi)),
    ]
    columns = [
        [f.name for f in funds], [live(f.fund_id, "level") for f in funds], [live(f.fund_id, "region") for f in funds],
        [live(f.fund_id, "manager") for f in funds], [live(f.fund_id, "inception") for f in funds],
        [wan(f.committed) for f in funds], [wan(f.paid_in) for f in funds], [wan(f.committed - f.paid_in) for f in funds],
        [f.sub_fund_count for f in funds], [wan(f.sub_fund_committed) for f in funds],
        [wan(f.guidance_commitment) for f in funds], [f.leverage_total for f in funds],
        [f.leverage_social for f in funds], [wan(f.direct_invested) for f in funds],
        [wan(f.reinvest_required) for f in funds], [wan(f.reinvest_achieved) for f in funds],
        [f.reinvest_ratio for f in funds], [f.deployment for f in funds],
        [f.irr for f in funds], [f.tvpi for f in funds], [f.dpi for f in funds], [f.rvpi for f in funds],
    ]
    assert r0 == 2
    w.write_list(ws, cols, columns, total_label=w.t("合计", "Total"))


# ---- 子基金 -------------------------------------------------------------------------------------

def sub_funds(w: ReportWriter) -> None:
    d = w.d
    t = d.summary.totals
    e = d.sub_funds
    ws = w.sheet("子基金", "Sub-funds")
    w.title(ws, w.sheet_title(ws, "子基金（按引导基金出资关系列示）", "Sub-funds (one row per guidance commitment)"))
    n = len(e)

    def col(name):
        return e[name].tolist() if n else []

    lev, req = col("leverage_total"), col("sub_required_leverage")
    req_f = [None if r is None or r != r else float(r) for r in req]
    meets = [None if (r is None or lt is None or lt != lt) else bool(lt >= r - 1e-12) for lt, r in zip(lev, req_f)]
    mult = [None if m is None or m != m else float(m) for m in col("reinvest_multiple")]
    shares = [ratio(a, b) for a, b in zip(col("committed"), col("investee_committed"))]
    dedup = w.t("按子基金去重：同一子基金有多个引导基金出资时只计一次", "Each sub-fund counted once")
    sub_paid_total = 0
    if n:
        u = e.drop_duplicates("investee_id")
        sub_paid_total = int(sum(0 if v is None or v != v else int(v) for v in u["sub_paid_in"]))
    cols = [
        Col(w.t("引导基金", "Guidance fund")), Col(w.t("子基金名称", "Sub-fund")), Col(w.t("基金管理人", "GP")),
        Col(w.t("备案编号", "AMAC code")), Col(w.t("状态", "Status")), Col(w.t("成立日期", "Inception"), "date"),
        Col(w.t("投资期截止", "Investment period end"), "date"),
        Col(w.amt("子基金认缴规模", "Sub-fund size"), "amount", ("value", wan(t.sub_fund_committed)), dedup),
        Col(w.amt("子基金实缴规模", "Sub-fund paid-in"), "amount", ("value", wan(sub_paid_total)), dedup),
        Col(w.amt("引导基金认缴", "Guidance commitment"), "amount", ("sum", wan(t.guidance_commitment))),
        Col(w.amt("引导基金实缴", "Guidance paid-in"), "amount",
            ("sum", wan(int(sum(int(v) for v in col("paid_in") if v == v and v is not None))))),
        Col(w.t("引导基金出资占比", "Guidance share"), "pct"),
        Col(w.t("放大倍数（总规模口径）", "Leverage (total-size basis)"), "mult", ("value", t.leverage_total)),
        Col(w.t("放大倍数（社会资本口径）", "Leverage (social-capital basis)"), "mult", ("value", t.leverage_social)),
        Col(w.t("要求放大倍数（总规模口径）", "Required leverage (total-size basis)"), "mult"),
        Col(w.t("放大倍数达标", "Leverage met"), "yesno"),
        Col(w.t("返投倍数要求", "Re-investment multiple"), "mult"),
        Col(w.amt("返投要求", "Re-investment required"), "amount", ("sum", wan(t.reinvest_required))),
        Col(w.amt("返投完成", "Re-investment achieved"), "amount", ("sum", wan(t.reinvest_achieved))),
        Col(w.t("返投完成率", "Re-investment completion"), "pct", ("value", t.reinvest_ratio)),
        Col(w.t("子基金投资进度", "Sub-fund deployment"), "pct"),
    ]
    columns = [
        col("investor_name"), col("sub_name"), col("sub_manager"), col("sub_amac_code"), col("sub_status"),
        col("sub_inception"), col("sub_investment_period_end"),
        [wan(v) for v in col("investee_committed")], [wan(v) for v in col("sub_paid_in")],
        [wan(v) for v in col("committed")], [wan(v) for v in col("paid_in")], shares, lev,
        col("leverage_social"), req_f, meets, mult,
        [wan(v) for v in col("reinvest_required")], [wan(v) for v in col("reinvest_achieved")],
        col("reinvest_ratio"), col("sub_deployment"),
    ]
    w.write_list(ws, cols, columns, total_label=w.t("合计", "Total"), freeze_cols=2)


# ---- 投资项目 ------------------------------------------------------------------------------------

def investments(w: ReportWriter) -> None:
    d = w.d
    inv = d.investments
    ws = w.sheet("投资项目", "Investments")
    w.title(ws, w.sheet_title(ws, "投资项目（直投及子基金投资）", "Investments (direct and via sub-funds)"))
    as_of = d.as_of
    kinds = {"guidance": w.t("直投", "Direct"), "sub": w.t("子基金", "Sub-fund")}
    exited_on = [x if (x is not None and x == x and x <= as_of) else None for x in inv["exited_on"].tolist()]
    amounts = wan_list(inv["amount"])
    proceeds = wan_list(inv["exit_proceeds"])
    look = [v / WAN for v in inv["lookthrough"].tolist()]
    cols = [
        Col(w.t("投资主体", "Investor")), Col(w.t("主体类型", "Investor type")),
        Col(w.t("穿透所属引导基金", "Guidance fund(s) above")),
        Col(w.t("企业名称", "Company")), Col(w.t("统一社会信用代码", "USCC")), Col(w.t("所属行业", "Industry")),
        Col(w.t("注册地", "Registered place")), Col(w.t("投资轮次", "Round")), Col(w.t("投资日期", "Date"), "date"),
        Col(w.amt("投资金额", "Amount"), "amount", ("sum", _sum_wan(amounts))),
        Col(w.t("持股比例", "Equity share"), "pct"),
        Col(w.amt("引导基金穿透金额", "Look-through exposure"), "amount", ("sum", _sum_wan(look))),
        Col(w.t("是否认定返投", "Counts as re-investment (flag)"), "yesno"),
        Col(w.t("退出状态", "Exit status")), Col(w.t("退出日期", "Exit date"), "date"),
        Col(w.amt("退出金额", "Exit proceeds"), "amount", ("sum", _sum_wan(proceeds))),
    ]
    columns = [
        text_list(inv["investor"]), [kinds.get(k, "") for k in inv["investor_kind"].tolist()],
        text_list(inv["roots"]), text_list(inv["company"]), text_list(inv["uscc"]), text_list(inv["industry"]),
        text_list(inv["registered_place"]), text_list(inv["round"]), inv["invested_on"].tolist(), amounts,
        num_list(inv["equity_share"]), look, inv["reinvest_flag"].tolist(), text_list(inv["exit_status"]), exited_on,
        proceeds,
    ]
    w.write_list(ws, cols, columns, total_label=w.t("合计", "Total"), freeze_cols=1)


# ---- 穿透分析 ------------------------------------------------------------------------------------

def lookthrough(w: ReportWriter) -> None:
    d = w.d
    ws = w.sheet("穿透分析", "Look-through")
    w.title(ws, w.sheet_title(ws, "穿透分析：引导基金经子基金（任意层级）穿透至企业的投资金额",
                              "Look-through exposure of the guidance funds to companies"))
    ws.write_string(1, 0, w.t("穿透金额 = 子基金投资金额 × 引导基金对该子基金认缴 ÷ 子基金认缴规模（多层逐级相乘）；直投按全额计。",
                              "Exposure = sub-fund's investment × guidance commitment ÷ sub-fund size, multiplied "
                              "along every fund-of-funds path; direct investments count in full."), w.f_sub)
    w._count(ws, "string")
    dims = [("industry", w.t("行业", "Industry")), ("region", w.t("地区", "Region")), ("round", w.t("轮次", "Round"))]
    head = 3
    tables = []
    for dim, label in dims:
        g = d.exposure[dim]
        ex = [float(v) / WAN for v in g["exposure"].tolist()]
        total = _sum_wan(ex)
        tables.append(([str(c) for c in g["category"].tolist()], ex, [ratio(v, total) for v in ex],
                       [int(v) for v in g["companies"].tolist()], total, label))
    all_companies = d.investments.loc[d.investments["lookthrough"] > 0, "company_id"].nunique()
    width = 4
    ncols = len(dims) * (width + 1) - 1
    # Header row of the three side-by-side tables.
    hw = {}
    heads = []
    for k, (_, _, _, _, _, label) in enumerate(tables):
        heads += [label, w.amt("穿透金额", "Exposure"), w.t("占比", "Share"), w.t("企业数", "Companies")]
        if k < len(tables) - 1:
            heads.append("")
    for k, (cats, ex, sh, cn, total, _) in enumerate(tables):
        c0 = k * (width + 1)
        w._measure(ws, c0, "text", cats + [w.t("合计", "Total")])
        w._measure(ws, c0 + 1, "amount", ex + [total])
        w._measure(ws, c0 + 2, "pct", sh)
        w._measure(ws, c0 + 3, "int", cn)
    # The per-fund table below shares the columns: measure it too before fixing widths.
    ebf = d.exposure_by_fund
    fund_rows = list(zip(ebf["name"].tolist(), [v / WAN for v in ebf["exposure"].tolist()],
                         [v / WAN for v in ebf["direct"].tolist()], [v / WAN for v in ebf["via"].tolist()]))
    w._measure(ws, 0, "text", [r[0] for r in fund_rows])
    for c in (1, 2, 3):
        w._measure(ws, c, "amount", [r[c] for r in fund_rows])
    lines = w.fit_columns(ws, ncols, {c: h for c, h in enumerate(heads) if h})
    for c in range(width, ncols, width + 1):
        ws.set_column(c, c, 2)
    ws.set_row(head, 15 * lines + 3)
    for c, h in enumerate(heads):
        if h:
            ws.write_string(head, c, header_text(h), w.f_head)
            w._count(ws, "string")
    nmax = max(len(tb[0]) for tb in tables)
    ft = w.f_total
    for i in range(nmax + 1):
        r = head + 1 + i
        for k, (cats, ex, sh, cn, total, _) in enumerate(tables):
            c0 = k * (width + 1)
            n = len(cats)
            if i < n:
                ws.write_string(r, c0, cats[i], w.f["text"])
                ws.write_number(r, c0 + 1, ex[i], w.f["amount"])
                if sh[i] is None:
                    ws.write_string(r, c0 + 2, DASH, w.f["dash"])
                else:
                    ws.write_number(r, c0 + 2, sh[i], w.f["pct"])
                ws.write_number(r, c0 + 3, cn[i], w.f["int"])
                w._count(ws, "string")
                w._count(ws, "number", 3)
            elif i == n:  # totals row of this table
                La, Lc = _col_letter(c0 + 1), _col_letter(c0 + 3)
                ws.write_string(r, c0, w.t("合计", "Total"), ft["text"])
                ws.write_formula(r, c0 + 1, f"=SUM({La}{head + 2}:{La}{head + 1 + n})" if n else "=0",
                                 ft["amount"], total)
                ws.write_number(r, c0 + 2, 1.0 if n else 0.0, ft["pct"])
                ws.write_number(r, c0 + 3, int(all_companies), ft["int"])
                if k == 0:
                    ws.write_comment(r, c0 + 3, w.t("企业去重计数", "Distinct companies"))
                w._count(ws, "string")
                w._count(ws, "formula")
                w._count(ws, "number", 2)
    r = head + nmax + 4
    ws.write_string(r, 0, w.t("按引导基金", "By guidance fund"), w.f_section)
    w._count(ws, "string")
    cols = [Col(w.t("引导基金", "Guidance fund")),
            Col(w.amt("穿透金额合计", "Exposure"), "amount", ("sum", _sum_wan(x[1] for x in fund_rows))),
            Col(w.amt("其中：直投", "of which direct"), "amount", ("sum", _sum_wan(x[2] for x in fund_rows))),
            Col(w.amt("其中：经子基金", "of which via sub-funds"), "amount", ("sum", _sum_wan(x[3] for x in fund_rows)))]
    columns = [list(x) for x in zip(*fund_rows)] if fund_rows else [[], [], [], []]
    w.table(ws, r + 1, cols, columns, total_label=w.t("合计", "Total"), lines=lines, measure=False)
    ws.freeze_panes(head + 1, 0)
    ws.repeat_rows(0, head)


# ---- 业绩 ----------------------------------------------------------------------------------------

def performance(w: ReportWriter) -> None:
    d = w.d
    st = d.stakes
    t = d.summary.totals
    ws = w.sheet("业绩", "Performance")
    w.title(ws, w.sheet_title(ws, "业绩与本季度资本账户变动（引导基金作为出资人）",
                              "Performance and the quarter's capital-account roll-forward (guidance funds as LPs)"))
    kind_label = {"fund": w.t("基金合计", "Fund total"), "sub": w.t("子基金", "Sub-fund"),
                  "direct": w.t("直投企业", "Direct")}
    fund_label = kind_label["fund"]
    n = len(st)
    perf = st["perf"].tolist() if n else []
    lvl = st["level"].tolist() if n else []

    def roll(c, sign=1):
        return [sign * int(v) / WAN for v in st[c].tolist()] if n else []

    is_fund = [k == "fund" for k in (st["kind"].tolist() if n else [])]

    def fund_sum(values):
        return _sum_wan(v for v, f in zip(values, is_fund) if f and v is not None)

    paid = [(p.contributions + p.fees) / WAN for p in perf]
    fees = [p.fees / WAN for p in perf]
    dist = [p.distributions / WAN for p in perf]
    nav = [p.nav / WAN for p in perf]
    q_cols = [roll("opening"), roll("contributions"), roll("distributions", -1), roll("fees", -1),
              roll("valuation_change"), roll("closing")]
    TC = 2  # the 类型 column the SUMIFs test

    def sumif(values):
        return ("sumif", TC, fund_label, fund_sum(values))

    tp = t.perf
    cols = [
        Col(w.t("引导基金", "Guidance fund")), Col(w.t("投资对象", "Holding")), Col(w.t("类型", "Type")),
        Col(w.amt("累计出资（含管理费）", "Paid-in incl. fees"), "amount", sumif(paid)),
        Col(w.amt("其中：管理费", "of which fees"), "amount", sumif(fees)),
        Col(w.amt("累计分配", "Distributions"), "amount", sumif(dist)),
        Col(w.amt("最新估值", "Latest valuation"), "amount", sumif(nav)),
        Col(w.t("估值日期", "Valuation date"), "date"),
        Col("IRR" + w.t("（净）", " (net)"), "pct", ("value", tp.irr)),
        Col("TVPI" + w.t("（净）", " (net)"), "mult", ("value", tp.tvpi)),
        Col("DPI", "mult", ("value", tp.dpi)), Col("RVPI", "mult", ("value", tp.rvpi)),
        Col("IRR" + w.t("（毛，未扣管理费）", " (gross of fees)"), "pct", ("value", tp.gross_irr)),
        Col("TVPI" + w.t("（毛）", " (gross)"), "mult", ("value", tp.gross_tvpi)),
        Col(w.amt("本季期初余额", "QTD opening"), "amount", sumif(q_cols[0])),
        Col(w.amt("本季出资（含管理费）", "QTD contributions"), "amount", sumif(q_cols[1])),
        Col(w.amt("本季分配", "QTD distributions"), "amount", sumif(q_cols[2])),
        Col(w.amt("本季管理费", "QTD fees"), "amount", sumif(q_cols[3])),
        Col(w.amt("本季估值变动", "QTD valuation change"), "amount", sumif(q_cols[4])),
        Col(w.amt("本季期末余额", "QTD closing"), "amount", sumif(q_cols[5])),
    ]
    targets = st["target"].tolist() if n else []
    targets = [tg if k else w.t("全部投资", "All holdings") for tg, k in zip(targets, lvl)]
    columns = [
        st["fund"].tolist() if n else [], targets, [kind_label[k] for k in (st["kind"].tolist() if n else [])],
        paid, fees, dist, nav, [p.nav_date for p in perf],
        [p.irr for p in perf], [p.tvpi for p in perf], [p.dpi for p in perf], [p.rvpi for p in perf],
        [p.gross_irr for p in perf], [p.gross_tvpi for p in perf], *q_cols,
    ]
    w.write_list(ws, cols, columns, levels=lvl, total_label=w.t("合计", "Total"), freeze_cols=2)


# ---- 资本账户 ------------------------------------------------------------------------------------

def capital(w: ReportWriter) -> None:
    d = w.d
    q = d.quarter
    ws = w.sheet("资本账户", "Capital account")
    w.title(ws, w.sheet_title(ws, "资本账户变动表（参照 ILPA 报告模板）", "Capital account statement (ILPA template)"))
    ws.write_string(1, 0, w.t("期末 = 期初 + 出资（含管理费）− 分配 − 管理费 + 估值变动；余额为调整后净值：最新估值加其后出资减其后分配，无估值按成本。",
                              "Closing = opening + contributions (incl. fees) − distributions − fees + valuation "
                              "change; balances are adjusted NAV: latest valuation plus later contributions less "
                              "later distributions, cost when there is no valuation."), w.f_sub)
    w._count(ws, "string")
    head = 3
    heads = [w.t("项目", "Item"),
             w.t(f"本季度（QTD）\n{q.start.isoformat()} 至 {q.end.isoformat()}",
                 f"Quarter to date\n{q.start.isoformat()} – {q.end.isoformat()}"),
             w.t(f"本年累计（YTD）\n{q.end.year}-01-01 至 {q.end.isoformat()}",
                 f"Year to date\n{q.end.year}-01-01 – {q.end.isoformat()}"),
             w.t(f"成立以来（ITD）\n截至 {q.end.isoformat()}", f"Inception to date\nto {q.end.isoformat()}")]
    items = [("opening", w.amt("期初资本账户余额", "Opening balance"), 1),
             ("contributions", w.amt("出资（含管理费）", "Contributions incl. fees"), 1),
             ("distributions", w.amt("分配", "Distributions"), -1),
             ("fees", w.amt("管理费", "Management fees"), -1),
             ("valuation_change", w.amt("估值变动", "Change in valuation"), 1),
             ("closing", w.amt("期末资本账户余额", "Closing balance"), 1)]
    names = [w.t("全部引导基金", "All guidance funds") if n is None else n for n, _ in d.capital]
    w._measure(ws, 0, "text", names + [lab for _, lab, _ in items])
    allv = [s * d_[p][k] / WAN for _, d_ in d.capital for p in ("qtd", "ytd", "itd") for k, _, s in items]
    for c in (1, 2, 3):
        w._measure(ws, c, "amount", allv)
    w.fit_columns(ws, 4, dict(enumerate(heads)), max_lines=1)
    ws.set_row(head, 36)
    for c, h in enumerate(heads):
        ws.write_string(head, c, h, w.f_head)
    w._count(ws, "string", 4)
    r = head + 1
    for name, (_, per) in zip(names, d.capital):
        ws.write_string(r, 0, name, w.f_block)
        for c in (1, 2, 3):
            ws.write_blank(r, c, None, w.f_block)
        w._count(ws, "string")
        r += 1
        first = r
        for k, label, sign in items:
            fmt = w.f["amount_b"] if k == "closing" else w.f["amount"]
            ws.write_string(r, 0, label, w.f["text_b"] if k == "closing" else w.f["text"])
            w._count(ws, "string")
            for c, p in enumerate(("qtd", "ytd", "itd"), start=1):
                v = sign * per[p][k] / WAN
                if k == "closing":
                    L = _col_letter(c)
                    ws.write_formula(r, c, f"=SUM({L}{first + 1}:{L}{r})", fmt, v)
                    w._count(ws, "formula")
                else:
                    ws.write_number(r, c, v, fmt)
                    w._count(ws, "number")
            r += 1
        r += 1
    ws.freeze_panes(head + 1, 1)
    ws.repeat_rows(0, head)


# ---- 现金流 --------------------------------------------------------------------------------------

def cash_flows(w: ReportWriter) -> None:
    d = w.d
    fq = d.flows_q
    ws = w.sheet("现金流", "Cash flows")
    w.title(ws, w.sheet_title(ws, "本季度资金流水", "The quarter's ledger"))
    type_zh = {"contribution": "实缴出资", "distribution": "分配", "fee": "管理费", "valuation": "估值"}
    type_en = {"contribution": "Contribution", "distribution": "Distribution", "fee": "Fee", "valuation": "Valuation"}
    tl = type_zh if w.zh else type_en
    kinds = {"guidance": w.t("引导基金", "Guidance fund"), "sub": w.t("子基金", "Sub-fund")}
    tk = {"fund": w.t("子基金", "Fund"), "company": w.t("企业", "Company")}
    types = fq["flow_type"].tolist()
    amounts = wan_list(fq["amount"])
    per = {k: [a if t == k else None for a, t in zip(amounts, types)] for k in type_zh}
    cols = [
        Col(w.t("日期", "Date"), "date"), Col(w.t("出资方", "Investor")), Col(w.t("出资方类型", "Investor type")),
        Col(w.t("被投对象", "Target")), Col(w.t("对象类型", "Target type")), Col(w.t("类型", "Type")),
        Col(w.amt("实缴出资", "Contributions"), "amount", ("sum", _sum_wan(per["contribution"]))),
        Col(w.amt("管理费", "Fees"), "amount", ("sum", _sum_wan(per["fee"]))),
        Col(w.amt("分配", "Distributions"), "amount", ("sum", _sum_wan(per["distribution"]))),
        Col(w.amt("估值", "Valuation"), "amount"),
    ]
    columns = [fq["flow_date"].tolist(), text_list(fq["investor"]),
               [kinds.get(k, "") for k in fq["investor_kind"].tolist()], text_list(fq["target"]),
               [tk.get(k, "") for k in fq["target_kind"].tolist()], [tl.get(t, t) for t in types],
               per["contribution"], per["fee"], per["distribution"], per["valuation"]]
    w.write_list(ws, cols, columns, total_label=w.t("合计", "Total"), freeze_cols=1)


# ---- 合规 ----------------------------------------------------------------------------------------

def compliance(w: ReportWriter) -> None:
    d = w.d
    order = {r: i for i, r in enumerate(RULES)}
    br = sorted(d.breaches, key=lambda b: (order.get(b.rule, 99), b.fund, b.subject, b.fund_id))
    ws = w.sheet("合规", "Compliance")
    w.title(ws, w.sheet_title(ws, "合规检查异常", "Compliance exceptions"))
    kmap = {"ratio": "pct", "multiple": "mult", "days": "days"}
    n = len(br)
    cols = [Col(w.t("规则", "Rule")), Col(w.t("基金", "Fund"), "text", ("formula", f"=COUNTA(B3:B{2 + n})" if n else "=0", n)),
            Col(w.t("对象", "Subject")), Col(w.t("指标值", "Figure"), "figure"), Col(w.t("阈值", "Threshold"), "figure"),
            Col(w.t("说明", "Note"))]
    notes = {
        "guidance_share_cap": ("引导基金认缴 ÷ 子基金认缴规模 高于上限", "guidance commitment ÷ sub-fund size above cap"),
        "largest_investor": ("引导基金认缴超过任何其他出资人", "guidance commitment exceeds every other investor"),
        "reinvest_below": ("返投完成率低于要求", "re-investment completion below the floor"),
        "leverage_below": ("放大倍数（总规模口径）低于要求", "leverage (total-size basis) below requirement"),
        "single_investment": ("单个项目金额 ÷ 基金认缴规模 高于上限", "single investment ÷ fund size above cap"),
        "idle_cash": ("自最近一次投资（或成立）起的天数", "days since the last investment (or inception)"),
        "low_deployment": ("投资期结束后投资进度低于下限", "deployment below the floor after the investment period"),
    }
    columns = [
        [RULES[b.rule][0 if w.zh else 1] for b in br], [b.fund for b in br], [b.subject for b in br],
        [(b.figure, kmap.get(b.kind, "pct")) for b in br], [(b.threshold, kmap.get(b.kind, "pct")) for b in br],
        [notes.get(b.rule, ("", ""))[0 if w.zh else 1] for b in br],
    ]
    w.write_list(ws, cols, columns, total_label=w.t(f"合计（{n} 项）", f"Total ({n})"), freeze_cols=1)


# ---- 季度变动 ------------------------------------------------------------------------------------

FIGURES = [
    ("committed", "认缴规模（万元）", "Committed (CNY 10k)", "amount"),
    ("paid_in", "实缴规模（万元）", "Paid-in (CNY 10k)", "amount"),
    ("unfunded", "未缴（万元）", "Unfunded (CNY 10k)", "amount"),
    ("sub_fund_count", "子基金数", "Sub-funds", "int"),
    ("sub_fund_committed", "子基金认缴规模（万元）", "Sub-fund size (CNY 10k)", "amount"),
    ("guidance_commitment", "引导基金认缴（万元）", "Guidance commitment (CNY 10k)", "amount"),
    ("leverage_total", "放大倍数（总规模口径）", "Leverage (total-size basis)", "mult"),
    ("leverage_social", "放大倍数（社会资本口径）", "Leverage (social-capital basis)", "mult"),
    ("direct_invested", "直投金额（万元）", "Direct investments (CNY 10k)", "amount"),
    ("reinvest_required", "返投要求（万元）", "Re-investment required (CNY 10k)", "amount"),
    ("reinvest_achieved", "返投完成（万元）", "Re-investment achieved (CNY 10k)", "amount"),
    ("reinvest_ratio", "返投完成率", "Re-investment completion", "pct"),
    ("deployment", "投资进度", "Deployment", "pct"),
    ("irr", "IRR（净）", "IRR (net)", "pct"),
    ("tvpi", "TVPI（净）", "TVPI (net)", "mult"),
    ("dpi", "DPI", "DPI", "mult"),
    ("rvpi", "RVPI", "RVPI", "mult"),
]


def _fig(f, key):
    if f is None:
        return None
    v = f.unfunded if key == "unfunded" else getattr(f, key)
    return v


def changes(w: ReportWriter) -> None:
    d = w.d
    ch = d.changes
    q, prev = d.quarter, d.quarter.prev()
    ws = w.sheet("季度变动", "Changes")
    w.title(ws, w.sheet_title(ws, f"较上季度（{prev.end.isoformat()}）的变动",
                              f"Changes since the previous quarter end ({prev.end.isoformat()})"))
    # 1. figure deltas: the portfolio (every figure), then each fund's changed figures.
    prev_by = {f.fund_id: f for f in d.prev_summary.funds}
    rows = []

    def add(entity, fnow, fprev, only_changed):
        for key, zh, en, kind in FIGURES:
            a, b = _fig(fprev, key), _fig(fnow, key)
            if only_changed and a == b:
                continue
            conv = (lambda v: wan(v)) if kind == "amount" else (lambda v: v)
            a_, b_ = (None if a is None else conv(a)), (None if b is None else conv(b))
            delta = None if (a_ is None or b_ is None) else b_ - a_
            rows.append((entity, w.t(zh, en), (a_, kind), (b_, kind), (delta, "d_" + kind)))

    add(w.t("全部引导基金", "All guidance funds"), d.summary.totals, d.prev_summary.totals, False)
    for f in d.summary.funds:
        add(f.name, f, prev_by.get(f.fund_id), True)
    cols = [Col(w.t("对象", "Entity")), Col(w.t("指标", "Figure")),
            Col(w.t(f"上季末\n{prev.end.isoformat()}", f"Previous\n{prev.end.isoformat()}"), "figure"),
            Col(w.t(f"本季末\n{q.end.isoformat()}", f"This quarter\n{q.end.isoformat()}"), "figure"),
            Col(w.t("变动", "Change"), "figure")]
    # sections 2–4
    subs = ch["new_subs"]
    new_funds = ch["new_funds"]
    ni = ch["new_investments"]
    ex = ch["exits"]
    s2_cols = [Col(w.t("引导基金", "Guidance fund")), Col(w.t("新增子基金", "New sub-fund")),
               Col(w.amt("引导基金认缴", "Guidance commitment"), "amount"),
               Col(w.amt("子基金认缴规模", "Sub-fund size"), "amount"), Col(w.t("认缴日期", "Committed on"), "date")]
    s2 = [[f.name for f in new_funds] + (subs["investor_name"].tolist() if len(subs) else []),
          [w.t("（新增引导基金）", "(new guidance fund)")] * len(new_funds) + (subs["sub_name"].tolist() if len(subs) else []),
          [None] * len(new_funds) + ([wan(v) for v in subs["committed"]] if len(subs) else []),
          [None] * len(new_funds) + ([wan(v) for v in subs["investee_committed"]] if len(subs) else []),
          [None] * len(new_funds) + (subs["committed_on"].tolist() if len(subs) else [])]
    s2_cols[2].total = ("sum", _sum_wan(s2[2]))
    ni_amt = wan_list(ni["amount"]) if len(ni) else []
    s3_cols = [Col(w.t("投资主体", "Investor")), Col(w.t("企业名称", "Company")), Col(w.t("投资轮次", "Round")),
               Col(w.t("投资日期", "Date"), "date"), Col(w.amt("投资金额", "Amount"), "amount", ("sum", _sum_wan(ni_amt)))]
    s3 = [text_list(ni["investor"]) if len(ni) else [], text_list(ni["company"]) if len(ni) else [],
          text_list(ni["round"]) if len(ni) else [], ni["invested_on"].tolist() if len(ni) else [], ni_amt]
    ex_amt = wan_list(ex["exit_proceeds"]) if len(ex) else []
    s4_cols = [Col(w.t("投资主体", "Investor")), Col(w.t("企业名称", "Company")), Col(w.t("退出状态", "Exit status")),
               Col(w.t("退出日期", "Exit date"), "date"), Col(w.amt("退出金额", "Proceeds"), "amount",
                                                        ("sum", _sum_wan(ex_amt)))]
    s4 = [text_list(ex["investor"]) if len(ex) else [], text_list(ex["company"]) if len(ex) else [],
          text_list(ex["exit_status"]) if len(ex) else [], ex["exited_on"].tolist() if len(ex) else [], ex_amt]
    s1 = [list(x) for x in zip(*rows)] if rows else [[], [], [], [], []]
    sections = [(w.t("一、主要指标变动", "1. Figures"), cols, s1, None),
                (w.t("二、新增引导基金及子基金", "2. New guidance funds and sub-funds"), s2_cols, s2, w.t("合计", "Total")),
                (w.t("三、本季度新增投资", "3. New investments this quarter"), s3_cols, s3, w.t("合计", "Total")),
                (w.t("四、本季度退出", "4. Exits this quarter"), s4_cols, s4, w.t("合计", "Total"))]
    hw: dict = {}
    for _, cs, data, _ in sections:
        for c, (col, vals) in enumerate(zip(cs, data)):
            w._measure(ws, c, col.kind, vals)
            if len(col.header) > len(hw.get(c, "")):
                hw[c] = col.header
    w.fit_columns(ws, 5, hw, max_lines=2)
    r = 2
    for title, cs, data, total in sections:
        ws.write_string(r, 0, title, w.f_section)
        w._count(ws, "string")
        if not data[0]:
            ws.write_string(r + 1, 0, w.t("（无）", "(none)"), w.f_sub)
            w._count(ws, "string")
            r += 3
            continue
        r, _ = w.table(ws, r + 1, cs, data, total_label=total, lines=2, measure=False)
        r += 1
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0, 0)


def write_all(w: ReportWriter) -> None:
    cd = ChartData(w)
    overview(w, cd)
    guidance(w)
    sub_funds(w)
    investments(w)
    lookthrough(w)
    performance(w)
    capital(w)
    cash_flows(w)
    compliance(w)
    changes(w)
    chart_data_sheet(w, cd)
