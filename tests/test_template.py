"""`fundtrack template`: the blank workbook — one sheet per record kind, canonical headers with
units, drop-downs for enumerations, an instruction sheet and an example row the importer skips."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date
from decimal import Decimal as D

from openpyxl import load_workbook
from sqlalchemy import select

from fundtrack.models import CashFlow, Commitment, Fund, Investment
from importers.fields import TEMPLATE_ORDER
from importers.pipeline import import_files
from importers.template import header_text, write_template


def _validations(ws) -> dict[str, str]:
    """Column letter → list source of each list validation."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            out[str(dv.sqref).split(":")[0].rstrip("0123456789")] = dv.formula1.strip('"')
    return out


def test_template_layout(tmp_path):
    r = subprocess.run([sys.executable, "-m", "fundtrack", "--db", f"sqlite:///{tmp_path / 'x.db'}", "template", "-o",
                        str(tmp_path / "模板.xlsx")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    wb = load_workbook(tmp_path / "模板.xlsx")
    assert wb.sheetnames == ["填写说明", "引导基金", "子基金", "投资项目", "资金流水"]
    for kind in TEMPLATE_ORDER:
        ws = wb[kind.label]
        assert [c.value for c in ws[1]] == ["序号"] + [header_text(kind, f) for f in kind.fields]
        assert ws["A2"].value == "示例" and ws["B2"].value  # an example row per sheet
    assert "认缴规模（万元）" in [c.value for c in wb["引导基金"][1]]
    assert "持股比例（%）" in [c.value for c in wb["投资项目"][1]]
    assert _validations(wb["引导基金"]) == {"C": "国家级,省级,市级,区县级"}
    assert _validations(wb["资金流水"]) == {"E": "实缴出资,分配,管理费,估值"}
    assert _validations(wb["投资项目"])["L"] == "是,否"
    assert _validations(wb["子基金"])["Q"] == "募集期,投资期,退出期,延长期,已清算"
    text = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "合计" in text and "万元" in text and "--dry-run" in text

    write_template(tmp_path / "again.xlsx")  # the same bytes every time
    assert hashlib.sha256((tmp_path / "again.xlsx").read_bytes()).digest() == \
        hashlib.sha256((tmp_path / "模板.xlsx").read_bytes()).digest()


def test_blank_template_is_refused_and_a_filled_one_imports(engine, tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    res = import_files(engine, [path])
    assert not res.ok and "no records" in res.errors[0].en

    wb = load_workbook(path)
    wb["引导基金"].append([1, "模板测试引导基金（虚构）", "省级", "省财政厅", "省投资公司", "湖北省", 20000, 5000,
                          date(2022, 1, 1), "10年", 1.2])
    wb["子基金"].append([1, "模板测试子基金（虚构）", "模板测试引导基金（虚构）", "甲管理人", "SAB321", 10000, 2000, 500,
                        4000, 5, 1.5, "芯片", "武汉市", date(2023, 1, 1), date(2028, 1, 1), date(2031, 1, 1), "投资期"])
    wb["投资项目"].append([1, "模板测试企业（虚构）", None, "模板测试子基金（虚构）", "芯片", "武汉市东湖新技术开发区", "A轮",
                          date(2024, 1, 1), 300, 0.1, 400, "是", "未退出", 0, None])
    wb["资金流水"].append([1, "模板测试引导基金（虚构）", "模板测试子基金（虚构）", date(2023, 3, 31), "实缴出资", 500])
    wb.save(path)
    res = import_files(engine, [path])
    assert res.ok, [p.render() for p in res.errors]
    assert res.counts == {k.label: {"added": 1, "changed": 0, "unchanged": 0} for k in TEMPLATE_ORDER}
    with engine.connect() as c:
        g = c.execute(select(Fund.__table__).where(Fund.kind == "guidance")).one()
        cm = c.execute(select(Commitment.__table__)).one()
        i = c.execute(select(Investment.__table__)).one()
        f = c.execute(select(CashFlow.__table__)).one()
    assert (g.committed, g.paid_in, g.level) == (D("200000000.00"), D("50000000.00"), "省级")
    assert (cm.committed, cm.paid_in, cm.committed_on) == (D("20000000.00"), D("5000000.00"), date(2023, 1, 1))
    assert (i.amount, i.fair_value, i.equity_share, i.reinvest_flag) == (D("3000000.00"), D("4000000.00"), D("0.1"),
                                                                         True)
    assert (f.amount, f.flow_type) == (D("5000000.00"), "contribution")
