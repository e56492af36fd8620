"""History, exact undo of an import batch, and tracing a stored figure to its cell.

Undo replays the batch's `row_change` before-images backwards: rows it inserted are deleted,
rows it updated get their previous values back. It refuses when a later, still-applied batch
touched the same rows or depends on rows the batch added — undoing out of order would
silently lose that later work.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from fundtrack.actor import actor_for
from fundtrack.db import write_transaction
from fundtrack.models import (AuditLog, CashFlow, Commitment, Company, Fund, ImportBatch, ImportSheet, Investment,
                              RowChange)

TABLES = {m.__tablename__: m.__table__ for m in (Fund, Commitment, Company, Investment, CashFlow)}


class UndoRefused(RuntimeError):
    pass


def _restore_value(column, value):
    if value is None:
        return None
    try:
        pt = column.type.python_type
    except NotImplementedError:
        pt = None
    if pt is Decimal:
        return Decimal(str(value))
    if pt is date and isinstance(value, str):
        return date.fromisoformat(value)
    if pt is datetime and isinstance(value, str):
        return datetime.fromisoformat(value)
    if pt is bool:
        return bool(value)
    return value


def history(engine: Engine) -> list[dict]:
    with engine.connect() as c:
        rows = c.execute(select(ImportBatch).order_by(ImportBatch.id)).mappings().all()
    return [dict(r) | {"created_at": r["created_at"].isoformat() if r["created_at"] else None} for r in rows]


class _Touched:
    """The rows a batch's changes name: single rows, and runs of inserted ids."""

    def __init__(self, changes):
        self.rows: set[tuple[str, int]] = set()
        self.runs: dict[str, list[tuple[int, int]]] = {}
        for c in changes:
            if c["last_row_id"] is None:
                self.rows.add((c["table_name"], c["row_id"]))
            else:
                self.runs.setdefault(c["table_name"], []).append((c["row_id"], c["last_row_id"]))

    def meets(self, table: str, first: int, last: int | None) -> bool:
        """Whether a change to table's rows first … last (last None: first alone) names one."""
        last = first if last is None else last
        return any((table, r) in self.rows for r in range(first, last + 1)) or \
            any(a <= last and first <= b for a, b in self.runs.get(table, ()))


def undo(engine: Engine, batch_id: int) -> dict:
    """Revert one batch exactly; returns counts per table. Raises UndoRefused with the reason."""
    with write_transaction(engine) as conn:
        b = conn.execute(select(ImportBatch).where(ImportBatch.id == batch_id)).mappings().first()
        if b is None:
            raise UndoRefused(f"没有批次 {batch_id}。 No batch {batch_id}.")
        if b["status"] != "applied":
            raise UndoRefused(f"批次 {batch_id} 已撤销。 Batch {batch_id} is already undone.")
        changes = conn.execute(select(RowChange).where(RowChange.batch_id == batch_id)
                               .order_by(RowChange.id.desc())).mappings().all()
        touched = _Touched(changes)
        later = conn.execute(
            select(RowChange.batch_id, RowChange.table_name, RowChange.row_id, RowChange.last_row_id)
            .join(ImportBatch, ImportBatch.id == RowChange.batch_id)
            .where(RowChange.batch_id > batch_id, ImportBatch.status == "applied")
        ).all()
        blockers = sorted({bid for bid, t, rid, last in later if touched.meets(t, rid, last)})
        if blockers:
            raise UndoRefused(
                f"批次 {', '.join(map(str, blockers))} 在批次 {batch_id} 之后修改了同样的记录，请先撤销它们。"
                f" Later batch(es) {', '.join(map(str, blockers))} changed the same rows: undo them first."
            )
        counts: dict[str, dict[str, int]] = {}
        try:
            for ch in changes:
                t = TABLES[ch["table_name"]]
                c = counts.setdefault(ch["table_name"], {"deleted": 0, "restored": 0})
                if ch["op"] == "insert":
                    last = ch["row_id"] if ch["last_row_id"] is None else ch["last_row_id"]
                    c["deleted"] += conn.execute(t.delete().where(t.c.id.between(ch["row_id"], last))).rowcount
                else:
                    before = json.loads(ch["before"])
                    values = {k: _restore_value(t.c[k], v) for k, v in before.items() if k in t.c and k != "id"}
                    if ch["op"] == "delete":
                        conn.execute(t.insert().values(id=ch["row_id"], **values))
                    else:
                        conn.execute(update(t).where(t.c.id == ch["row_id"]).values(**values))
                    c["restored"] += 1
        except IntegrityError as exc:
            raise UndoRefused(
                f"后续批次的记录依赖批次 {batch_id} 新增的记录，无法撤销。"
                f" Rows of later batches depend on rows batch {batch_id} added. ({exc.orig})"
            ) from exc
        conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(status="undone"))
        now = datetime.now(timezone.utc)
        who = actor_for(conn)
        undo_id = conn.execute(ImportBatch.__table__.insert().values(
            kind="undo", file_name=b["file_name"], sha256=b["sha256"], actor=who, created_at=now, status="applied",
            counts=json.dumps(counts, ensure_ascii=False), note=f"undo of batch {batch_id}",
        )).inserted_primary_key[0]
        conn.execute(AuditLog.__table__.insert().values(at=now, actor=who, action="undo", batch_id=undo_id,
                                                        detail=json.dumps({"undone_batch": batch_id, **counts},
                                                                          ensure_ascii=False)))
    return counts


ENTITY_TABLES = {"fund": Fund, "company": Company, "investment": Investment, "cash_flow": CashFlow,
                 "commitment": Commitment}


def _find_row(conn, entity: str, key: str):
    from fundtrack.names import normalise_name

    m = ENTITY_TABLES[entity]
    t = m.__table__
    if key.isdigit():
        row = conn.execute(select(t).where(t.c.id == int(key))).mappings().first()
        if row is not None:
            return row
    if entity == "fund":
        return conn.execute(select(t).where(t.c.name_key == normalise_name(key))).mappings().first()
    if entity == "company":
        return conn.execute(select(t).where((t.c.uscc == key.upper()) | (t.c.name_key == normalise_name(key)))
                            ).mappings().first()
    return None


def trace(engine: Engine, entity: str, key: str, field: str | None = None) -> dict:
    """File, sheet, cell and batch each stored figure of a row came from."""
    with engine.connect() as conn:
        row = _find_row(conn, entity, key)
        if row is None:
            raise LookupError(f"找不到 {entity} {key!r}。 No {entity} {key!r}.")
        out = {"entity": entity, "id": row["id"], "batch_id": row["batch_id"], "sheet": row["src_sheet"],
               "row": row["src_row"], "file": None, "sha256": None, "imported_at": None, "actor": None, "cells": {}}
        if row["batch_id"] is not None:
            b = conn.execute(select(ImportBatch).where(ImportBatch.id == row["batch_id"])).mappings().first()
            out.update(file=b["file_name"], sha256=b["sha256"], imported_at=b["created_at"].isoformat(),
                       actor=b["actor"])
            sh = conn.execute(select(ImportSheet).where(and_(ImportSheet.batch_id == row["batch_id"],
                                                             ImportSheet.sheet == row["src_sheet"]))).mappings().first()
            if sh is not None and row["src_row"] is not None:
                # The importer records "table.column" → column letter for every field it read.
                table = ENTITY_TABLES[entity].__tablename__
                cols = {k.split(".", 1)[1]: v for k, v in json.loads(sh["columns"] or "{}").items()
                        if k.split(".", 1)[0] == table and "." in k}
                out["unit"] = sh["unit"]
                for f, letter in cols.items():
                    if field is None or f == field:
                        value = row.get(f) if f in row else None
                        out["cells"][f] = {"cell": f"{row['src_sheet']}!{letter}{row['src_row']}",
                                           "value": None if value is None else str(value)}
        if field is not None and field not in out["cells"]:
            out["cells"][field] = {"cell": None, "value": str(row.get(field)) if field in row else None}
    return out


# --- CLI ------------------------------------------------------------------------------

def _engine(args):
    from fundtrack.db import open_engine

    return open_engine(args.db)


def cmd_history(args) -> int:
    rows = history(_engine(args))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title="导入批次 Import batches")
    for h in ("批次", "类型", "时间", "操作人", "文件", "状态", "说明"):
        t.add_column(h)
    for r in rows:
        t.add_row(str(r["id"]), r["kind"], (r["created_at"] or "")[:19], r["actor"], r["file_name"], r["status"],
                  r["note"])
    Console().print(t)
    return 0


def cmd_undo(args) -> int:
    try:
        counts = undo(_engine(args), args.batch)
    except UndoRefused as exc:
        print(f"拒绝撤销 refused: {exc}", file=sys.stderr)
        return 1
    print(f"已撤销批次 {args.batch} — batch {args.batch} undone: {json.dumps(counts, ensure_ascii=False)}")
    return 0


def cmd_trace(args) -> int:
    try:
        info = trace(_engine(args), args.entity, args.key, args.field)
    except LookupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.entity} #{info['id']}: 文件 file {info['file']}  批次 batch {info['batch_id']}  "
          f"工作表 sheet {info['sheet']}  行 row {info['row']}  导入 {info['imported_at']} by {info['actor']}")
    for f, c in info["cells"].items():
        print(f"  {f:<24} {c['cell'] or '—':<16} {c['value']}")
    return 0
