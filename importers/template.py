"""The blank import workbook (`fundtrack template -o FILE`).

One sheet per record kind with the canonical headers (money in 万元, shares in %), drop-down
lists for the enumerations, an example row whose 序号 cell says 示例 (the importer skips such
rows, so a template filled in around the example still imports cleanly), and an instruction
sheet 填写说明. Written with XlsxWriter, whose output Excel, WPS and LibreOffice all open.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fundtrack.models import FUND_LEVELS

from importers.fields import EXIT_STATUSES, SUB_STATUSES, TEMPLATE_ORDER, RecordKind

MONEY_UNIT = "万元"
FLOW_TYPES_ZH = ("实缴出资", "分配", "管理费", "估值")
DATA_ROWS = 2000  # how far down the drop-downs and formats reach
FIXED_TIME = datetime(2026, 1, 1)  # document properties: the same template bytes every time

EXAMPLES = {
    "guidance": {"name": "示例市政府引导基金（虚构）", "level": "市级", "sponsor": "示例市财政局", "manager": "示例市产业投资有限公司",
                 "region": "示例市", "committed": 100000, "paid_in": 40000, "inception": date(2022, 1, 1),
                 "term": "10年", "reinvest_multiple": 1.5},
    "sub": {"name": "示例创业投资基金合伙企业（有限合伙）", "investor": "示例市政府引导基金（虚构）",
            "manager": "示例私募基金管理有限公司", "amac_code": "SXY123", "committed": 50000, "g_committed": 10000,
            "g_paid_in": 4000, "paid_in": 20000, "required_leverage": 5, "reinvest_multiple": 1.5,
            "focus": "集成电路", "region": "示例市", "inception": date(2023, 3, 1),
            "investment_period_end": date(2028, 2, 28), "term_end": date(2031, 2, 28), "status": "投资期"},
    "investment": {"company": "示例科技有限公司", "uscc": None, "investor": "示例创业投资基金合伙企业（有限合伙）",
                   "industry": "集成电路", "registered_place": "湖北省示例市高新区", "round": "A轮",
                   "invested_on": date(2024, 5, 12), "amount": 2000, "equity_share": 0.05, "fair_value": 2600,
                   "reinvest_flag": "是", "exit_status": "未退出", "exit_proceeds": 0, "exited_on": None},
    "cash_flow": {"investor": "示例市政府引导基金（虚构）", "target": "示例创业投资基金合伙企业（有限合伙）",
                  "flow_date": date(2024, 3, 31), "flow_type": "实缴出资", "amount": 2000},
}

NOTES = {
    "guidance": "每行一只引导基金（母基金）。基金名称为唯一标识，重复导入同名基金将更新该基金。",
    "sub": "每行一项引导基金对子基金的出资；同一子基金由多只基金出资时每个出资方一行。所属引导基金也可以是另一只子基金（母子基金）。",
    "investment": "每行一笔投资。投资主体为引导基金（直投）或子基金；企业以统一社会信用代码识别，未填代码时以企业名称识别。",
    "cash_flow": "每行一笔资金流水：出资方向被投对象（子基金或企业）实缴出资、收到分配、支付管理费，或记录估值（期末净值）。",
}


def header_text(kind: RecordKind, f) -> str:
    if f.is_money:
        return f"{f.header}（{MONEY_UNIT}）"
    if f.type == "percent":
        return f"{f.header}（%）"
    return f.header


def _example_value(kind: RecordKind, f):
    if kind.key == "investment" and f.key == "uscc":
        import random

        from fundtrack.uscc import make_uscc

        return make_uscc(random.Random(7), "420100")  # a valid, fictional code
    return EXAMPLES[kind.key].get(f.key)


def write_template(path: str | Path) -> Path:
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "fundtrack 导入模板", "created": FIXED_TIME})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter",
                          "align": "center"})
    required = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True,
                              "valign": "vcenter", "align": "center"})
    example = wb.add_format({"italic": True, "font_color": "#7F7F7F"})
    ex_date = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "yyyy-mm-dd"})
    ex_money = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "#,##0.00"})
    ex_pct = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "0.00%"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.00"})
    pct_fmt = wb.add_format({"num_format": "0.00%"})
    text_fmt = wb.add_format({"num_format": "@"})

    _instructions(wb, wb.add_worksheet("填写说明"), head)
    for kind in TEMPLATE_ORDER:
        ws = wb.add_worksheet(kind.label)
        ws.freeze_panes(1, 2)
        ws.set_row(0, 32)
        ws.write(0, 0, "序号", head)
        ws.set_column(0, 0, 6)
        ws.write(1, 0, "示例", example)
        for c, f in enumerate(kind.fields, start=1):
            ws.write(0, c, header_text(kind, f), required if f.required else head)
            width = 30 if f.type in ("name", "ref", "target") else 16
            col_fmt = {"date": date_fmt, "money": money_fmt, "percent": pct_fmt, "uscc": text_fmt,
                       "amac": text_fmt}.get(f.type)
            ws.set_column(c, c, width, col_fmt)
            v = _example_value(kind, f)
            if v is not None:
                fmt = {"date": ex_date, "money": ex_money, "percent": ex_pct}.get(f.type, example)
                if isinstance(v, date):
                    ws.write_datetime(1, c, _as_datetime(v), fmt)
                else:
                    ws.write(1, c, v, fmt)
            choices = _choices(f)
            if choices:
                ws.data_validation(1, c, DATA_ROWS, c, {
                    "validate": "list", "source": list(choices),
                    "error_title": f.header, "error_message": f"请从下拉列表中选择：{'/'.join(choices)}",
                })
            elif f.type == "date":
                ws.data_validation(1, c, DATA_ROWS, c, {
                    "validate": "date", "criteria": ">=", "value": _as_datetime(date(1980, 1, 1)),
                    "error_type": "warning", "error_message": "请填写日期，如 2024-05-12",
                })
            elif f.is_money:
                ws.data_validation(1, c, DATA_ROWS, c, {
                    "validate": "decimal", "criteria": "between", "minimum": -1e12, "maximum": 1e12,
                    "error_type": "warning", "error_message": f"请填写金额（{MONEY_UNIT}）",
                })
            if f.required:
                ws.write_comment(0, c, "必填", {"visible": False})
        ws.write_comment(1, 0, "示例行：序号为“示例”的行不会被导入，可保留或删除。", {"visible": False})
    wb.close()
    return path


def _choices(f) -> tuple[str, ...] | None:
    if f.type == "level":
        return FUND_LEVELS
    if f.type == "flow_type":
        return FLOW_TYPES_ZH
    if f.type == "yesno":
        return ("是", "否")
    if f.key == "status":
        return SUB_STATUSES
    if f.key == "exit_status":
        return EXIT_STATUSES
    return None


def _as_datetime(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _instructions(wb, ws, head) -> None:
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True, "font_size": 14})
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 100)
    ws.write(0, 0, "fundtrack 导入模板 填写说明", bold)
    lines = [
        ("导入命令", "fundtrack import 本文件.xlsx [--dry-run] —— 先加 --dry-run 检查，无错误后再正式导入。"),
        ("整体规则", "一个工作表只放一类记录；工作表名和表头不要改动（也可使用自己的表头，别名见 docs/importing.md）。"
                 "所有文件、所有工作表一次性校验，任何一处错误都不会写入任何数据。重复导入相同的行不会产生重复数据。"),
        ("金额单位", "模板中金额均为万元（表头已注明）。自有表格请在表头注明单位，如“认缴规模（亿元）”，"
                 "或在表头上方加一行“单位：万元”，否则需在命令中加 --unit。"),
        ("日期", "可填 Excel 日期，或 2023-05-12、2023/5/12、2023.5.12、2023年5月12日；只填“2023年5月”按当月1日。"),
        ("比例", "持股比例可填 20%、20 或 0.2；同一列中若有大于 1 的数，则整列按百分数理解。"),
        ("合计行", "合计/小计/总计行不会导入，但会核对其金额等于所合计各行之和，不符即报错。"),
        ("示例行", "序号为“示例”的行不会导入。"),
        ("名称", "基金、企业名称中的空格与全角/半角括号差异会被忽略：“光谷（有限合伙）”与“光谷 (有限合伙)”视为同一名称。"),
    ]
    for kind in TEMPLATE_ORDER:
        req = "、".join(f.header for f in kind.fields if f.required)
        lines.append((kind.label, f"{NOTES[kind.key]} 必填列：{req}。"))
    lines.append(("资金流水类型", "实缴出资（向子基金或企业出资，负数表示退回）、分配（收到的分配）、管理费、估值（该时点持有份额的净值）。"))
    lines.append(("基金级别", "国家级 / 省级 / 市级 / 区县级。"))
    lines.append(("是否认定返投", "是 / 否 / 留空（留空时按企业注册地是否在引导基金所在地区判断）。"))
    ws.write(2, 0, "项目", head)
    ws.write(2, 1, "说明", head)
    for i, (k, v) in enumerate(lines, start=3):
        ws.write(i, 0, k, wrap)
        ws.write(i, 1, v, wrap)
