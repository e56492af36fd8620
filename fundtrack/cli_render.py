"""Rich rendering of the summary for people (the JSON is for machines).

Two narrower tables rather than one of sixteen columns: Chinese fund names are wide and an
80-column terminal must still show every figure."""

from __future__ import annotations

from fundtrack.format import fmt_multiple, fmt_pct, fmt_wan

HEADS = {
    "scale": {
        "zh": ["基金名称", "认缴规模", "实缴规模", "子基金", "子基金规模", "引导基金\n认缴", "放大倍数\n总规模",
               "放大倍数\n社会资本", "直投金额"],
        "en": ["Fund", "Committed", "Paid-in", "Sub-funds", "Sub-fund\nsize", "Guidance\ncommit.",
               "Leverage\ntotal", "Leverage\nsocial", "Direct"],
    },
    "result": {
        "zh": ["基金名称", "返投要求", "返投完成", "返投完成率", "投资进度", "IRR", "TVPI", "DPI", "RVPI"],
        "en": ["Fund", "Reinvest req.", "Reinvest done", "Reinvest %", "Deployment", "IRR", "TVPI", "DPI", "RVPI"],
    },
}


def _natural_width(heads: list[str], rows: list[list[str]]) -> int:
    """Terminal cells the table needs without wrapping or cutting anything (CJK = 2 cells)."""
    from rich.cells import cell_len

    cols = list(zip(*([h.split("\n") for h in heads] and [[max(h.split("\n"), key=cell_len) for h in heads]]
                      + rows)))
    return sum(max(cell_len(v) for v in c) for c in cols) + 2 * len(cols)


def _rows(f):
    # Whole 万元 in the terminal to save width; the JSON and the report carry the fen.
    scale = [fmt_wan(f.committed, 0), fmt_wan(f.paid_in, 0), str(f.sub_fund_count), fmt_wan(f.sub_fund_committed, 0),
             fmt_wan(f.guidance_commitment, 0), fmt_multiple(f.leverage_total), fmt_multiple(f.leverage_social),
             fmt_wan(f.direct_invested, 0)]
    result = [fmt_wan(f.reinvest_required, 0), fmt_wan(f.reinvest_achieved, 0), fmt_pct(f.reinvest_ratio),
              fmt_pct(f.deployment), fmt_pct(f.irr), fmt_multiple(f.tvpi), fmt_multiple(f.dpi), fmt_multiple(f.rvpi)]
    return {"scale": scale, "result": result}


def print_summary(summ, lang: str = "zh") -> None:
    from rich.console import Console
    from rich import box
    from rich.table import Table

    zh = lang == "zh"
    lang = "zh" if zh else "en"
    console = Console()
    titles = {
        "scale": ("规模与放大倍数" if zh else "Size and leverage"),
        "result": ("返投、投资进度与业绩" if zh else "Re-investment, deployment and performance"),
    }
    unit = f"（截至 {summ.as_of}，金额单位：万元）" if zh else f" — as of {summ.as_of}, amounts in 10k yuan"
    total_label = "合计" if zh else "Total"
    tables, widths = [], []
    for part in ("scale", "result"):
        t = Table(title=titles[part] + unit, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                  padding=(0, 1), pad_edge=False)
        for i, h in enumerate(HEADS[part][lang if lang in ("zh", "en") else "zh"]):
            t.add_column(h, justify="left" if i == 0 else "right", no_wrap=i != 0, overflow="fold",
                         min_width=10 if i == 0 else None)
        for f in summ.funds:
            t.add_row(f.name, *_rows(f)[part], end_section=f is summ.funds[-1])
        t.add_row(total_label, *_rows(summ.totals)[part], style="bold")
        tables.append(t)
        body = [[f.name, *_rows(f)[part]] for f in [*summ.funds, summ.totals]]
        widths.append(_natural_width(HEADS[part][lang], body))
    if all(w <= console.width for w in widths):
        for t in tables:
            console.print(t)
    else:
        _print_cards(console, summ, zh, unit, total_label)
    if not summ.funds:
        console.print("数据库中还没有引导基金。运行 `fundtrack demo` 或 `fundtrack import 文件.xlsx`。" if zh else
                      "No guidance funds yet: run `fundtrack demo` or `fundtrack import FILE.xlsx`.")


def _print_cards(console, summ, zh: bool, unit: str, total_label: str) -> None:
    """A narrow terminal: one block per fund, label and value pairs, nothing truncated."""
    from rich import box
    from rich.table import Table

    lang = "zh" if zh else "en"
    labels = [h.replace("\n", "·") for h in HEADS["scale"][lang][1:] + HEADS["result"][lang][1:]]
    console.print(("引导基金概览" if zh else "Guidance funds") + unit, style="bold")
    for f in [*summ.funds, summ.totals]:
        r = _rows(f)
        values = r["scale"] + r["result"]
        g = Table(box=box.SIMPLE_HEAD, show_header=True, title=None, padding=(0, 1), pad_edge=False)
        g.add_column(f.name if f.fund_id is not None else total_label, no_wrap=True)
        g.add_column("", justify="right", no_wrap=True)
        g.add_column("", no_wrap=True)
        g.add_column("", justify="right", no_wrap=True)
        half = (len(labels) + 1) // 2
        for i in range(half):
            j = i + half
            g.add_row(labels[i], values[i], labels[j] if j < len(labels) else "", values[j] if j < len(values) else "")
        console.print(g)
