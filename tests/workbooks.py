"""Template-shaped workbooks written with openpyxl, for tests above the importer."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

GUIDANCE_HEAD = ["序号", "基金名称", "基金级别", "出资主体", "管理机构", "所在地区", "认缴规模（万元）", "实缴规模（万元）",
                 "成立日期", "存续期", "返投倍数要求"]
SUB_HEAD = ["序号", "子基金名称", "所属引导基金", "基金管理人", "备案编号", "认缴规模（万元）", "引导基金认缴（万元）",
            "引导基金实缴（万元）", "实缴规模（万元）", "放大倍数要求", "返投倍数要求", "投资领域", "所在地区", "成立日期",
            "投资期截止", "存续期截止", "状态"]
INV_HEAD = ["序号", "企业名称", "统一社会信用代码", "投资主体", "所属行业", "注册地", "投资轮次", "投资日期", "投资金额（万元）",
            "持股比例（%）", "最新估值（万元）", "是否认定返投", "退出状态", "退出金额（万元）", "退出日期"]
FLOW_HEAD = ["序号", "出资方", "被投对象", "日期", "类型", "金额（万元）"]


def write_workbook(path: Path, guidance=(), subs=(), investments=(), flows=()) -> Path:
    """Rows are lists without the 序号 column, in the template's column order."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, head, rows in (("引导基金", GUIDANCE_HEAD, guidance), ("子基金", SUB_HEAD, subs),
                              ("投资项目", INV_HEAD, investments), ("资金流水", FLOW_HEAD, flows)):
        if not rows:
            continue
        ws = wb.create_sheet(title)
        ws.append(head)
        for i, r in enumerate(rows, 1):
            ws.append([i, *r])
    wb.save(path)
    return path
