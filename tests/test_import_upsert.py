"""Upsert on natural keys: re-importing is a no-op, a changed figure is one precise update with
its before-image, and every written row remembers its batch, sheet and row."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import date
from decimal import Decimal as D

from openpyxl import load_workbook
from sqlalchemy import func, select

from fundtrack.models import (AuditLog, CashFlow, Commitment, Company, Fund, ImportBatch, ImportSheet, Investment,
                              RowChange)
from importers.pipeline import ImportOptions, import_files
from tests import messy

DOMAIN = (Fund, Commitment, Company, Investment, CashFlow)


def rows(engine, model) -> list[tuple]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(select(model.__table__).order_by(model.__table__.c.id))]


def count(engine, model) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(model.__table__)).scalar()


def inserted_rows(engine) -> list[tuple[str, int, int]]:
    """(table, row id, batch) of every row the row_change insert lines name, in line order."""
    t = RowChange.__table__
    with engine.connect() as c:
        lines = c.execute(select(t.c.table_name, t.c.row_id, t.c.last_row_id, t.c.batch_id)
                          .where(t.c.op == "insert").order_by(t.c.id)).all()
    return [(name, r, b) for name, first, last, b in lines for r in range(first, (first if last is None else last) + 1)]


def stored_rows(engine) -> list[tuple[str, int, int]]:
    """(table, row id, batch) of every domain row."""
    with engine.connect() as c:
        return [(m.__tablename__, i, b) for m in DOMAIN
                for i, b in c.execute(select(m.__table__.c.id, m.__table__.c.batch_id))]


def files(tmp_path):
    return [messy.portfolio_openpyxl(tmp_path / "funds.xlsx"), messy.portfolio_xlsxwriter(tmp_path / "inv.xlsx")]


def test_reimport_is_a_no_op_but_recorded(engine, tmp_path):
    fs = files(tmp_path)
    first = import_files(engine, fs)
    assert first.ok and len(first.batch_ids) == 2  # one batch per file, one transaction
    before = {m: rows(engine, m) for m in DOMAIN}
    changes = count(engine, RowChange)
    # Every inserted row named by exactly one insert line of its own batch; a file's new rows
    # of a table are one run of ids: one line each, not one per row.
    assert sorted(inserted_rows(engine)) == sorted(stored_rows(engine))
    assert changes == len({(t, b) for t, _, b in stored_rows(engine)}) < len(stored_rows(engine))

    again = import_files(engine, fs)
    assert again.ok
    assert all(c["added"] == 0 and c["changed"] == 0 for c in again.counts.values())
    assert sum(c["unchanged"] for c in again.counts.values()) == 17
    assert {m: rows(engine, m) for m in DOMAIN} == before  # provenance untouched too
    assert count(engine, RowChange) == changes
    with engine.connect() as c:
        batches = c.execute(select(ImportBatch.__table__).order_by(ImportBatch.id)).all()
        audit = c.execute(select(AuditLog.__table__)).all()
    assert len(batches) == 4 and len(audit) == 4 and {a.action for a in audit} == {"import"}
    last = json.loads(batches[-1].counts)
    assert last == {"投资明细": {"added": 0, "changed": 0, "unchanged": 6},
                    "资金流水": {"added": 0, "changed": 0, "unchanged": 7}}
    assert batches[0].sha256 == hashlib.sha256(fs[0].read_bytes()).hexdigest()
    assert batches[0].file_name == "funds.xlsx" and batches[0].actor == getpass.getuser()
    assert batches[0].kind == "import" and batches[0].status == "applied"


def test_a_changed_figure_is_one_update_with_its_before_image(engine, tmp_path):
    fs = files(tmp_path)
    first = import_files(engine, fs)
    assert first.ok
    with engine.connect() as c:
        s1 = c.execute(select(Fund.__table__).where(Fund.name == messy.S1)).one()
    n_changes = count(engine, RowChange)

    wb = load_workbook(fs[0])
    wb["子基金"]["F4"] = "3"  # 2.5亿 → 3亿
    wb["子基金"]["F6"] = 3.5  # keep the 合计 right
    wb.save(fs[0])
    res = import_files(engine, [fs[0]])
    assert res.ok, [p.render() for p in res.errors]
    assert res.counts["子基金"] == {"added": 0, "changed": 1, "unchanged": 1}
    assert res.counts["引导基金"] == {"added": 0, "changed": 0, "unchanged": 2}

    with engine.connect() as c:
        now = c.execute(select(Fund.__table__).where(Fund.name == messy.S1)).one()
        rc = c.execute(select(RowChange.__table__).where(RowChange.id > n_changes)).all()
    assert now.committed == D("300000000.00") and now.batch_id == res.batch_ids[0] != s1.batch_id
    assert (now.src_sheet, now.src_row) == ("子基金", 4)
    assert len(rc) == 1 and (rc[0].table_name, rc[0].row_id, rc[0].op) == ("fund", s1.id, "update")
    before = json.loads(rc[0].before)
    assert set(before) == {c.name for c in Fund.__table__.columns}
    assert before["committed"] == "250000000.00" and before["paid_in"] == "0.00"
    assert before["inception"] == "2023-05-12" and before["investment_period_end"] is None
    assert before["kind"] == "sub" and before["amac_code"] == "SLK742" and before["id"] == s1.id
    assert D(before["required_leverage"]) == 5 and D(before["reinvest_multiple"]) == D("1.5")
    assert before["batch_id"] == s1.batch_id and before["src_row"] == 4 and before["src_sheet"] == "子基金"


def test_cash_flow_and_investment_updates_and_blank_columns(engine, tmp_path):
    fs = files(tmp_path)
    assert import_files(engine, fs).ok
    n = count(engine, RowChange)
    import xlsxwriter

    # A later sheet: one investment's valuation moves, one flow is corrected; 最新估值 blank on
    # another row clears it (a column present but blank), while absent columns leave values alone.
    f = tmp_path / "later.xlsx"
    wb = xlsxwriter.Workbook(str(f))
    ws = wb.add_worksheet("投资项目")
    ws.write_row(0, 0, ["企业名称", "统一社会信用代码", "投资主体", "投资轮次", "投资日期", "投资金额（万元）", "最新估值（万元）"])
    ws.write_row(1, 0, [messy.C1, messy.USCC[0], messy.S1, "A轮", "2023-05-12", 1234.56, 2500])
    ws.write_row(2, 0, [messy.C2, messy.USCC[1], messy.G1, "A轮", "2023-05-12", 100, ""])
    fl = wb.add_worksheet("资金流水")
    fl.write_row(0, 0, ["出资方", "被投对象", "日期", "类型", "金额（元）"])
    fl.write_row(1, 0, [messy.G1, messy.S1, "2023-09-30", "管理费", 260000])
    wb.close()
    res = import_files(engine, [f])
    assert res.ok, [p.render() for p in res.errors]
    assert res.counts == {"投资项目": {"added": 0, "changed": 2, "unchanged": 0},
                          "资金流水": {"added": 0, "changed": 1, "unchanged": 0}}
    with engine.connect() as c:
        rc = c.execute(select(RowChange.__table__).where(RowChange.id > n).order_by(RowChange.id)).all()
        invs = {(r.round, r.investor_id): r for r in c.execute(select(Investment.__table__))}
        fee = c.execute(select(CashFlow.__table__).where(CashFlow.flow_type == "fee")).one()
    assert [(r.table_name, r.op) for r in rc] == [("investment", "update")] * 2 + [("cash_flow", "update")]
    befores = [json.loads(r.before) for r in rc]
    assert befores[0]["fair_value"] == "20000000.00" and befores[0]["reinvest_flag"] is True
    assert befores[0]["invested_on"] == "2023-05-12" and befores[0]["exit_status"] == "未退出"
    assert befores[1]["fair_value"] == "1000000.00"
    assert befores[2]["amount"] == "250000.00" and befores[2]["flow_date"] == "2023-09-30"
    assert fee.amount == D("260000.00") and fee.src_sheet == "资金流水" and fee.src_row == 2
    a = [r for r in invs.values() if r.round == "A轮" and r.fair_value == D("25000000.00")]
    assert len(a) == 1 and a[0].reinvest_flag is True  # 是否认定返投 column absent: kept
    cleared = [r for r in invs.values() if r.round == "A轮" and r.fair_value is None]
    assert len(cleared) == 1 and cleared[0].equity_share is not None


def test_dry_run_shows_changes_and_writes_nothing(engine, tmp_path):
    fs = files(tmp_path)
    res = import_files(engine, fs, ImportOptions(dry_run=True))
    assert res.ok and res.dry_run and res.batch_ids == []
    assert res.counts["inv.xlsx/投资明细"]["added"] == 6
    assert all(count(engine, m) == 0 for m in (*DOMAIN, ImportBatch, RowChange, ImportSheet, AuditLog))


def test_every_written_row_remembers_its_cell(engine, tmp_path):
    fs = files(tmp_path)
    res = import_files(engine, fs)
    with engine.connect() as c:
        sheets = {(r.batch_id, r.sheet): json.loads(r.columns) for r in c.execute(select(ImportSheet.__table__))}
        inv = c.execute(select(Investment.__table__).where(Investment.round == "天使轮")).one()
        flows = c.execute(select(CashFlow.__table__)).all()
    for m in DOMAIN:
        for r in rows(engine, m):
            d = dict(zip([c.name for c in m.__table__.columns], r))
            assert d["batch_id"] in res.batch_ids and d["src_sheet"] and d["src_row"] >= 2
    # 投资明细 row 6, column 投资本金 (I): the cell the 天使轮 amount came from.
    assert (inv.src_sheet, inv.src_row) == ("投资明细", 6)
    assert sheets[(inv.batch_id, "投资明细")]["investment.amount"] == "I"
    assert sorted(f.src_row for f in flows) == [2, 3, 4, 5, 6, 7, 8]
    assert date(2025, 3, 31) in {f.flow_date for f in flows}
