"""A plan → the database, inside the caller's one transaction.

Bulk SQLAlchemy Core statements on the model tables (executemany), never ORM objects: a
100,000-row sheet must write in about the time it takes to read. New rows get their ids up
front (SQLite: max(id)+1…, safe under BEGIN IMMEDIATE; PostgreSQL: a block of nextval() from
the table's sequence), so dependent rows can be built before anything is inserted.

Every inserted or updated row gets batch_id/src_sheet/src_row and a RowChange: op `insert`
with before = None, or op `update` with before = JSON of ALL the row's columns as they were
(Decimal as a string of yuan, dates ISO, booleans, null) — `fundtrack undo` restores exactly that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import bindparam, func, insert, select, text, update

from fundtrack.models import AuditLog, ImportBatch, ImportSheet, RowChange

from importers.plan import Plan, TablePlan
from importers.problems import col_letter
from importers.records import SheetRecords

# pg_advisory_xact_lock key shared by every fundtrack import: "fundtrak" as a number.
IMPORT_LOCK_KEY = 0x66756E647472616B


def lock_for_import(conn) -> None:
    """Serialise imports. PostgreSQL: a transaction-scoped advisory lock, taken before the state
    is read, so two concurrent imports of overlapping files cannot both insert the same fund.
    SQLite: write_transaction already began with BEGIN IMMEDIATE (the database write lock)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("select pg_advisory_xact_lock(:k)"), {"k": IMPORT_LOCK_KEY})


# Field of a sheet → the stored column it lands in, for ImportSheet.columns ("table.column" → letter).
FIELD_COLUMNS = {
    "guidance": {k: (f"fund.{k}",) for k in ("name", "level", "sponsor", "manager", "region", "committed",
                                               "paid_in", "inception", "term", "reinvest_multiple")},
    "sub": {
        **{k: (f"fund.{k}",) for k in ("manager", "amac_code", "committed", "paid_in", "required_leverage",
                                        "reinvest_multiple", "focus", "region", "investment_period_end",
                                        "term_end", "status")},
        "name": ("fund.name", "commitment.investee_id"),
        "investor": ("commitment.investor_id",),
        "g_committed": ("commitment.committed",),
        "g_paid_in": ("commitment.paid_in",),
        "inception": ("fund.inception", "commitment.committed_on"),
    },
    "investment": {
        "company": ("company.name", "investment.company_id"),
        "uscc": ("company.uscc",),
        "industry": ("company.industry",),
        "registered_place": ("company.registered_place",),
        "investor": ("investment.investor_id",),
        **{k: (f"investment.{k}",) for k in ("round", "invested_on", "amount", "equity_share", "fair_value",
                                              "reinvest_flag", "exit_status", "exit_proceeds", "exited_on")},
    },
    "cash_flow": {
        "investor": ("cash_flow.investor_id",),
        "target": ("cash_flow.target_key",),
        "flow_date": ("cash_flow.flow_date",),
        "flow_type": ("cash_flow.flow_type",),
        "amount": ("cash_flow.amount",),
    },
}


def sheet_columns(rec: SheetRecords) -> dict[str, str]:
    out: dict[str, str] = {}
    for fld, col in rec.columns.items():
        for target in FIELD_COLUMNS[rec.kind.key].get(fld, ()):
            out[target] = col_letter(col)
    return out


def jsonable(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


def before_image(row: dict, table) -> str:
    return json.dumps({c.name: jsonable(row.get(c.name)) for c in table.columns}, ensure_ascii=False)


@dataclass
class FileBatch:
    """One file of the import: it becomes one ImportBatch."""

    display: str
    sha256: str
    sheets: list[SheetRecords]
    counts: dict  # sheet → {"added", "changed", "unchanged"}


def allocate_ids(conn, table, n: int) -> list[int]:
    if n == 0:
        return []
    if conn.dialect.name == "postgresql":
        seq = conn.execute(text("select pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
        return list(conn.execute(text("select nextval(:s) from generate_series(1, :n)"), {"s": seq, "n": n})
                    .scalars())
    start = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar() + 1
    return list(range(start, start + n))


def write_plan(conn, plan: Plan, files: list[FileBatch], actor: str, kind: str = "import",
               note: str = "", progress=None) -> list[int]:
    """Write everything; return the batch ids (one per file, in file order)."""
    from fundtrack.models import CashFlow, Commitment, Company, Fund, Investment

    now = datetime.now(timezone.utc)
    batch_ids = []
    for fb in files:
        bid = conn.execute(
            insert(ImportBatch.__table__).returning(ImportBatch.__table__.c.id),
            {"kind": kind, "file_name": fb.display[:500], "sha256": fb.sha256, "actor": actor[:120],
             "created_at": now, "status": "applied", "counts": json.dumps(fb.counts, ensure_ascii=False),
             "note": note},
        ).scalar_one()
        batch_ids.append(bid)
    sheet_rows = [
        {"batch_id": batch_ids[i], "sheet": rec.sheet[:120], "record_kind": rec.kind.key,
         "header_row": rec.layout.header_row, "unit": rec.unit_label(),
         "columns": json.dumps(sheet_columns(rec), ensure_ascii=False)}
        for i, fb in enumerate(files) for rec in fb.sheets
    ]
    if sheet_rows:
        conn.execute(insert(ImportSheet.__table__), sheet_rows)

    tables = {"fund": Fund.__table__, "commitment": Commitment.__table__, "company": Company.__table__,
              "investment": Investment.__table__, "cash_flow": CashFlow.__table__}
    fund_map: dict[int, int] = {}
    company_map: dict[int, int] = {}
    changes: list[dict] = []
    for tp in plan.tables():
        table = tables[tp.table]
        ids = allocate_ids(conn, table, len(tp.inserts))
        id_map = {}
        for row, new_id in zip(tp.inserts, ids):
            id_map[row["id"]] = new_id
        if tp.table == "fund":
            fund_map = id_map
        elif tp.table == "company":
            company_map = id_map
        _finish_inserts(tp, id_map, fund_map, company_map, batch_ids)
        if tp.inserts:
            conn.execute(insert(table), tp.inserts)
            if progress:
                progress(len(tp.inserts))
        _write_updates(conn, table, tp, batch_ids)
        for row in tp.inserts:
            changes.append({"batch_id": row["batch_id"], "table_name": tp.table, "row_id": row["id"],
                            "op": "insert", "before": None})
        for (rid, values, before), src in zip(tp.updates, tp.update_srcs):
            changes.append({"batch_id": batch_ids[src.file_idx], "table_name": tp.table, "row_id": rid,
                            "op": "update", "before": before_image(before, table)})
    if changes:
        conn.execute(insert(RowChange.__table__), changes)
    conn.execute(insert(AuditLog.__table__), [
        {"at": now, "actor": actor[:120], "action": "import" if kind == "import" else kind, "batch_id": bid,
         "detail": json.dumps({"file": fb.display, "sha256": fb.sha256, "counts": fb.counts}, ensure_ascii=False)}
        for bid, fb in zip(batch_ids, files)
    ])
    return batch_ids


def _finish_inserts(tp: TablePlan, id_map, fund_map, company_map, batch_ids) -> None:
    """Swap temporary ids for real ones and stamp each row with its file's batch."""
    def fund(x):
        return fund_map[x] if x is not None and x < 0 else x

    def company(x):
        return company_map[x] if x is not None and x < 0 else x

    for row in tp.inserts:
        row["id"] = id_map[row["id"]]
        row["batch_id"] = batch_ids[row.pop("_file")]
        if tp.table == "commitment":
            row["investor_id"] = fund(row["investor_id"])
            row["investee_id"] = fund(row["investee_id"])
        elif tp.table == "investment":
            row["investor_id"] = fund(row["investor_id"])
            row["company_id"] = company(row["company_id"])
        elif tp.table == "cash_flow":
            row["investor_id"] = fund(row["investor_id"])
            kind, tid = row["target_key"]
            tid = fund(tid) if kind == "F" else company(tid)
            row["target_key"] = f"{kind}:{tid}"
            if kind == "F":
                row["target_fund_id"] = tid
            else:
                row["target_company_id"] = tid


def _write_updates(conn, table, tp: TablePlan, batch_ids) -> None:
    groups: dict[tuple, list[dict]] = {}
    for (rid, values, _before), src in zip(tp.updates, tp.update_srcs):
        values = dict(values)
        values.pop("_file", None)
        values["batch_id"] = batch_ids[src.file_idx]
        cols = tuple(sorted(values))
        params = {f"v_{k}": v for k, v in values.items()}
        params["b_id"] = rid
        groups.setdefault(cols, []).append(params)
    for cols, params in groups.items():
        stmt = update(table).where(table.c.id == bindparam("b_id")).values({c: bindparam(f"v_{c}") for c in cols})
        conn.execute(stmt, params)
