"""Rich rendering of the summary for people (the JSON is for machines)."""

from __future__ import annotations

from fundtrack.format import fmt_multiple, fmt_pct, fmt_wan


def print_summary(summ, lang: str = "zh") -> None:
    from rich.console import Console
    from rich.table import Table

    zh = lang == "zh"
    t = Table(title=(f"引导基金概览（截至 {summ.as_of}，金额单位：万元）" if zh
                     else f"Guidance funds as of {summ.as_of} (amounts in 10k yuan)"), show_lines=False)
    heads = (["基金名称", "认缴规模", "实缴规模", "子基金数", "子基金规模", "引导基金认缴", "放大倍数(总规模)",
              "放大倍数(社会资本)", "直投金额", "返投要求", "返投完成", "返投完成率", "投资进度", "IRR", "TVPI", "DPI"]
             if zh else
             ["Fund", "Committed", "Paid-in", "Sub-funds", "Sub-fund size", "Guidance commit.", "Leverage (total)",
              "Leverage (social)", "Direct", "返投 req.", "返投 done", "返投 %", "Deployed", "IRR", "TVPI", "DPI"])
    for i, h in enumerate(heads):
        t.add_column(h, justify="left" if i == 0 else "right", no_wrap=i != 0)
    for f in [*summ.funds, summ.totals]:
        t.add_row(
            f.name if f.fund_id is not None else ("合计" if zh else "Total"),
            fmt_wan(f.committed), fmt_wan(f.paid_in), str(f.sub_fund_count), fmt_wan(f.sub_fund_committed),
            fmt_wan(f.guidance_commitment), fmt_multiple(f.leverage_total), fmt_multiple(f.leverage_social),
            fmt_wan(f.direct_invested), fmt_wan(f.reinvest_required), fmt_wan(f.reinvest_achieved),
            fmt_pct(f.reinvest_ratio), fmt_pct(f.deployment), fmt_pct(f.irr), fmt_multiple(f.tvpi),
            fmt_multiple(f.dpi),
            end_section=f.fund_id is not None and f is summ.funds[-1],
        )
    Console().print(t)
