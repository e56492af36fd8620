"""A plan → the database, inside the caller's one transaction.

Bulk SQLAlchemy Core statements on the model tables (executemany), never ORM objects: a
100,000-row sheet must write in about the time it takes to read. New rows get their ids up
front (SQLite: max(id)+1…, safe under BEGIN IMMEDIATE; PostgreSQL: a block of nextval() from
the table's sequence), so dependent rows can be built before anything is inserted.

Every inserted or updated row gets batch_id/src_sheet/src_row and a RowChange: op `insert`
(one line per run of consecutive new ids, row_id … last_row_id), or op `update` with before =
JSON of ALL the row's columns as they were (Decimal as a string of yuan, dates ISO, booleans,
null) — `fundtrack undo` restores exactly that.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import is_, itemgetter

from sqlalchemy import (Boolean, Date, DateTime, Float, Numeric, bindparam, func, insert, select, text,
                        update)

from fundtrack.models import AuditLog, ImportBatch, ImportSheet, RowChange
from fundtrack.money import Money, to_fen, to_money

from importers.parse import MoneyColumn, holds, slice_column
from importers.plan import Plan, TablePlan
from importers.problems import col_letter
from importers.records import SheetRecords

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


class _Executor:
    """Runs INSERTs on the transaction's DB-API connection, in order, on one background thread.

    sqlite3 and psycopg release the GIL while the database works, so the next table's values
    are converted in Python while the previous INSERT runs. Anything else that touches the
    connection waits for drain() first: statements stay in program order.
    """

    def __init__(self, conn):
        import queue
        import threading

        self._dbapi = conn.connection.dbapi_connection
        self._per_statement = _rows_per_statement(self._dbapi, conn.dialect.name)
        self._jobs: queue.Queue = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fundtrack-write", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    cur = self._dbapi.cursor()
                    try:
                        if isinstance(job, str):
                            cur.execute(job)
                        else:
                            for stmt, params in job:
                                cur.execute(stmt, params)
                    finally:
                        cur.close()
            except BaseException as exc:  # re-raised in the caller's thread by drain()
                self._error = exc
            finally:
                self._jobs.task_done()

    def submit(self, sql: str, columns: list[list] | None = None) -> None:
        """An INSERT … VALUES for rows given column-wise (insert_sql's output), or one statement
        without parameters (columns None).

        The statements' parameter lists are built here, in the caller's thread: this thread
        then only binds and steps, and the import's tail — the INSERTs still queued once
        planning has ended — is as short as it can be.
        """
        self._jobs.put(sql if columns is None else multi_row(sql, columns, self._per_statement))

    def drain(self) -> None:
        self._jobs.join()
        if self._error is not None:
            err, self._error = self._error, None
            raise err

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()


BULK_INDEX_ROWS = 20_000  # rows loaded into an empty table above which its indexes are rebuilt after
WRITE_SWITCH_INTERVAL = 0.0005  # seconds, sys.setswitchinterval while the executor thread runs
CHUNK = 20_000  # rows per INSERT job: small enough to overlap conversion with the database
ROWS_PER_STATEMENT = 500  # multi-row VALUES: ≤ 500 × 15 parameters, within PostgreSQL's 65,535
DISTINCT_MIN = 2000  # values in a column above which each distinct one is converted once
SQLITE_ROWS_PER_STATEMENT = 2000  # ≤ 30,000 parameters: SQLite ≥ 3.32 allows 32,766 (checked at run time)


def _rows_per_statement(dbapi, dialect_name: str) -> tuple[int, int]:
    """(rows a statement at most, bound parameters a statement at most)."""
    if dialect_name != "sqlite":
        return ROWS_PER_STATEMENT, 65_535
    try:
        import sqlite3

        limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except Exception:  # an older sqlite3 module without getlimit: SQLite's old default
        limit = 999
    return SQLITE_ROWS_PER_STATEMENT, limit


def multi_row(sql: str, columns: list[list], per_statement: tuple[int, int] = (ROWS_PER_STATEMENT, 65_535)
              ) -> list[tuple[str, list]]:
    """`INSERT … VALUES (…), (…), …` statements of up to 2,000 rows (SQLite; 500 elsewhere), each
    with its flat parameter list, for rows given as equally long columns.

    One executemany step per row would hand the GIL back and forth with the thread preparing
    the next table 100,000 times (each hand-over can wait out the switch interval); one
    statement per 2,000 rows needs 50 hand-overs and lets SQLite insert in a tight C loop. The
    parameters are laid out row after row by one strided slice assignment per column: no
    tuple per row is ever made. A column that holds one integer or NULL in every row (the
    batch id, an empty optional column, a zero) is written into the statement instead of
    bound 20,000 times: binding is most of an INSERT's cost here. Only integers and NULL —
    never text — are ever written as literals.
    """
    height = len(columns[0]) if columns else 0
    if not height:
        return []
    head, _, one = sql.rpartition("VALUES ")
    marks = one.strip()[1:-1].split(", ")
    bound = []
    for i, col in enumerate(columns):
        lit = _constant_literal(col, height)
        if lit is None:
            bound.append(col)
        else:
            marks[i] = lit
    one = f"({', '.join(marks)})"
    width = len(bound)
    n = max(1, min(per_statement[0], per_statement[1] // max(1, width)))
    full = None
    out = []
    for k in range(0, height, n):
        m = min(n, height - k)
        flat = [None] * (m * width)
        for i, col in enumerate(bound):
            flat[i::width] = col[k:k + m]
        if m == n:
            full = full or head + "VALUES " + ", ".join([one] * n)
            out.append((full, flat))
        else:
            out.append((head + "VALUES " + ", ".join([one] * m), flat))
    return out


def _constant_literal(col: list, height: int) -> str | None:
    """"NULL" or the integer's digits when every value of the column is None, or one and the
    same int (not a bool, float or Decimal equal to it) that a bound parameter could carry
    (64 bits: SQLite would take a bigger literal as a REAL); else None."""
    v = col[0]
    if col[-1] != v or col[height // 2] != v:  # most columns differ at once: no full scan
        return None
    if v is None:
        return "NULL" if all(map(is_, col, repeat(None))) else None
    if v.__class__ is int and -2 ** 63 <= v < 2 ** 63 and col.count(v) == height and set(map(type, col)) == {int}:
        return str(v)
    return None


class PlanWriter:
    """Writes a plan table by table, inside the caller's transaction, as the planner finishes
    each table (plan.Planner.stages): INSERTs run on the executor thread while Python plans
    and converts the next table. Updates, their before-images and the audit line come last.
    """

    def __init__(self, conn, files: list[FileBatch], actor: str, kind: str = "import", note: str = "",
                 progress=None):
        from fundtrack.models import CashFlow, Commitment, Company, Fund, Investment

        self.conn = conn
        self.files = files
        self.actor = actor[:120]
        self.kind = kind
        self.progress = progress
        self.sqlite = conn.dialect.name == "sqlite"
        self.tables = {"fund": Fund.__table__, "commitment": Commitment.__table__, "company": Company.__table__,
                       "investment": Investment.__table__, "cash_flow": CashFlow.__table__}
        if self.sqlite:
            # A big import updates six indexes per investment row: with SQLite's default 2 MB page
            # cache their B-tree pages keep falling out. 256 MB is an upper bound, used as needed.
            conn.exec_driver_sql("PRAGMA cache_size=-262144")
            # Under BEGIN IMMEDIATE nobody else inserts: new ids continue from today's maximum.
            self._next_id = {name: conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar() + 1
                             for name, t in self.tables.items()}
            # The secondary indexes of each table (not the UNIQUE constraints' own), to rebuild
            # after a bulk load into an empty table — see _defer_indexes.
            self._indexes = {name: conn.exec_driver_sql(
                "select name, sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null",
                (t.name,)).all() for name, t in self.tables.items()}
        self.now = datetime.now(timezone.utc)
        self.batch_ids = []
        for fb in files:
            bid = conn.execute(
                insert(ImportBatch.__table__).returning(ImportBatch.__table__.c.id),
                {"kind": kind, "file_name": fb.display[:500], "sha256": fb.sha256, "actor": self.actor,
                 "created_at": self.now, "status": "applied", "counts": "{}", "note": note},
            ).scalar_one()
            self.batch_ids.append(bid)
        sheet_rows = [
            {"batch_id": self.batch_ids[i], "sheet": rec.sheet[:120], "record_kind": rec.kind.key,
             "header_row": rec.layout.header_row, "unit": rec.unit_label(),
             "columns": json.dumps(sheet_columns(rec), ensure_ascii=False)}
            for i, fb in enumerate(files) for rec in fb.sheets
        ]
        if sheet_rows:
            conn.execute(insert(ImportSheet.__table__), sheet_rows)
        self.fund_map: dict[int, int] = {}
        self.company_map: dict[int, int] = {}
        self.updated: list[TablePlan] = []
        # The executor thread needs the GIL back after every statement (to bind the next one)
        # while this thread converts values: with CPython's default 5 ms switch interval each
        # hand-over can stall the database that long. 0.5 ms for the length of the write.
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, WRITE_SWITCH_INTERVAL))
        self.ex = _Executor(conn)

    def _ids(self, table_name: str, n: int) -> list[int]:
        if n == 0:
            return []
        if self.sqlite:
            start = self._next_id[table_name]
            self._next_id[table_name] = start + n
            return list(range(start, start + n))
        self.ex.drain()  # the connection is about to be used from this thread
        return allocate_ids(self.conn, self.tables[table_name], n)

    def _changes(self, batch_col, table_name: str, row_ids, op: str, befores) -> None:
        n = len(row_ids)
        self.ex.submit(*insert_sql(self.conn, RowChange.__table__, {
            "batch_id": list(batch_col), "table_name": [table_name] * n, "row_id": list(row_ids), "op": [op] * n,
            "before": list(befores)}))

    def _insert_changes(self, table_name: str, ids: list[int], batches: list[int]) -> None:
        """RowChange op `insert` for rows just inserted (ids, and each row's batch): one line
        per run of consecutive ids of one batch — a bulk load's new ids are one run per file."""
        runs = id_runs(ids, batches)
        if runs:
            k = len(runs)
            self.ex.submit(*insert_sql(self.conn, RowChange.__table__, {
                "batch_id": [r[0] for r in runs], "table_name": [table_name] * k, "row_id": [r[1] for r in runs],
                "last_row_id": [r[2] for r in runs], "op": ["insert"] * k, "before": [None] * k}))

    def _defer_indexes(self, table_name: str, n: int) -> list[str]:
        """SQLite, a table still empty and a big load: drop its secondary indexes now and return
        the statements that recreate them (run right after the load, in the same transaction).

        Building an index from sorted keys after the load is cheaper than keeping it up to date
        row by row when the keys arrive in random order (dates, investors). The statements are
        the schema's own text from sqlite_master, so the rebuilt index is the same index; readers
        (WAL) keep seeing the old snapshot, and a rollback or a crash restores everything.
        """
        if not self.sqlite or n < BULK_INDEX_ROWS or self._next_id[table_name] != 1:
            return []
        # An index on batch_id alone stays: every row of the load carries one of this import's
        # batch ids, in ascending order, so keeping it up to date is an append (cheaper than
        # sorting it again afterwards).
        kept = {ix.name for ix in self.tables[table_name].indexes if [c.name for c in ix.columns] == ["batch_id"]}
        indexes = [(name, sql) for name, sql in self._indexes.get(table_name) or [] if name not in kept]
        for name, _sql in indexes:
            self.ex.submit(f'DROP INDEX "{name}"')
        return [sql for _name, sql in indexes]

    def table(self, tp: TablePlan) -> None:
        """Insert one planned table's new rows (their RowChanges right after, in FK order)."""
        table = self.tables[tp.table]
        n_block = sum(b["_n"] for b in tp.blocks)
        recreate = self._defer_indexes(tp.table, len(tp.inserts) + n_block)
        new_ids = self._ids(tp.table, len(tp.inserts) + n_block)
        id_map = dict(zip((r["id"] for r in tp.inserts), new_ids))
        if tp.table == "fund":
            self.fund_map = id_map
        elif tp.table == "company":
            self.company_map = id_map
        _finish_inserts(tp, id_map, self.fund_map, self.company_map, self.batch_ids)
        if tp.inserts:
            cols = [c.name for c in table.columns if c.name in tp.inserts[0]]
            self.ex.submit(*insert_sql(self.conn, table, {n: list(map(itemgetter(n), tp.inserts)) for n in cols}))
            self._insert_changes(tp.table, [r["id"] for r in tp.inserts], [r["batch_id"] for r in tp.inserts])
            if self.progress:
                self.progress(len(tp.inserts))
        start = len(tp.inserts)
        for block in tp.blocks:
            n = block.pop("_n")
            bid = self.batch_ids[block.pop("_file")]
            block["id"] = new_ids[start:start + n]
            start += n
            temp = block.pop("_temp_ids", None)
            if temp is not None:  # rows others refer to by temporary id (companies)
                id_map.update(zip(temp, block["id"]))
            block["batch_id"] = [bid] * n
            for col in ("investor_id", "investee_id", "target_fund_id"):
                if col in block:
                    block[col] = list(map(self.fund_map.get, block[col], block[col]))
            if "company_id" in block:
                block["company_id"] = list(map(self.company_map.get, block["company_id"], block["company_id"]))
            for k in range(0, n, CHUNK):
                part = {c: slice_column(v, k, k + CHUNK) for c, v in block.items()}
                self.ex.submit(*insert_sql(self.conn, table, part))
                if self.progress:
                    self.progress(min(CHUNK, n - k))
            self._insert_changes(tp.table, block["id"], block["batch_id"])
        for sql in recreate:
            self.ex.submit(sql)
        if tp.updates:
            self.updated.append(tp)

    def finish(self) -> list[int]:
        """Updates with their before-images, the audit lines, the batches' counts; returns batch ids."""
        try:
            self.ex.drain()
            for tp in self.updated:
                table = self.tables[tp.table]
                _write_updates(self.conn, table, tp, self.batch_ids)
                self._changes([self.batch_ids[src.file_idx] for src in tp.update_srcs], tp.table,
                              [u[0] for u in tp.updates], "update",
                              [before_image(before, table) for _, _, before in tp.updates])
            self.ex.drain()
        finally:
            self.ex.close()
            sys.setswitchinterval(self._switch)
        conn = self.conn
        for bid, fb in zip(self.batch_ids, self.files):
            conn.execute(update(ImportBatch.__table__).where(ImportBatch.__table__.c.id == bid)
                         .values(counts=json.dumps(fb.counts, ensure_ascii=False)))
        conn.execute(insert(AuditLog.__table__), [
            {"at": self.now, "actor": self.actor, "action": "import" if self.kind == "import" else self.kind,
             "batch_id": bid,
             "detail": json.dumps({"file": fb.display, "sha256": fb.sha256, "counts": fb.counts}, ensure_ascii=False)}
            for bid, fb in zip(self.batch_ids, self.files)
        ])
        if self.sqlite:
            conn.exec_driver_sql("PRAGMA cache_size=-2000")  # back to SQLite's default for this connection
        return self.batch_ids

    def abandon(self) -> None:
        """Stop the executor (the caller rolls the transaction back)."""
        try:
            self.ex.drain()
        except Exception:
            pass
        self.ex.close()
        sys.setswitchinterval(self._switch)


def write_plan(conn, plan: Plan, files: list[FileBatch], actor: str, kind: str = "import",
               note: str = "", progress=None) -> list[int]:
    """Write a complete plan; return the batch ids (one per file, in file order)."""
    w = PlanWriter(conn, files, actor, kind, note, progress)
    try:
        for tp in plan.tables():
            w.table(tp)
    except BaseException:
        w.abandon()
        raise
    return w.finish()


def _money_storage(dialect):
    """Money.process_bind_param's result, computed without its per-value overhead."""
    if dialect.name != "sqlite":
        return lambda d: d if d is None or isinstance(d, Decimal) and d.as_tuple().exponent == -2 else to_money(d)
    half_up = ROUND_HALF_UP

    def fen(d):
        if isinstance(d, Decimal):
            q = d * 100
            i = int(q)
            if i == q:  # the amount was already whole fen (parse.money quantises): exact
                return i
            return int((q).to_integral_value(rounding=half_up))  # = to_fen(d)
        return to_fen(d)

    return fen


def _converter(col, dialect):
    """How a column's Python values become the driver's values: the column type's own bind
    processor, with the hot SQLite cases written out (same results, a fraction of the calls)."""
    t = col.type
    if isinstance(t, Money):
        return _money_storage(dialect)
    if dialect.name == "sqlite":
        if isinstance(t, Date) and not isinstance(t, DateTime):
            return date.isoformat  # SQLAlchemy's SQLite DATE storage format, %Y-%m-%d
        if isinstance(t, Numeric) and not isinstance(t, Float):
            return float  # SQLAlchemy stores NUMERIC on SQLite as REAL (its to_float processor)
        if isinstance(t, Boolean):
            return int
    return t._cached_bind_processor(dialect)


def _fen_vector(vals: list) -> list[int] | None:
    """A big column of Decimal yuan → integer fen in numpy, or None (then per value).

    float(d) is correctly rounded, so x = fl(float(d) × 100) is within 2·|x|·2⁻⁵³ ≤ 0.125 of
    d × 100 below 2⁴⁹ fen; when x is within 0.2 of an integer N, d × 100 is within 0.325 of N
    and rounding it half-up — `_money_storage` — gives N (the same bound as parse.money_floats).
    Every value must qualify, or the column takes the exact per-value path.
    """
    if len(vals) < 2000 or set(map(type, vals)) != {Decimal}:
        return None
    import numpy as np

    x = np.fromiter(map(float, vals), dtype=np.float64, count=len(vals)) * 100
    n = np.rint(x)
    with np.errstate(invalid="ignore"):
        if not ((np.abs(x - n) <= 0.2) & (np.abs(x) < 2.0 ** 49)).all():
            return None
    return n.astype(np.int64).tolist()


# Converters that give equal results for values that are equal as dict keys (True, 1, 1.0;
# Decimal 1 and 1.00): only these may convert a column once per distinct value.
_SAME_FOR_EQUAL_KEYS = (date.isoformat, float, int)


def _converted(vals: list, conv) -> list:
    """conv over a column, None kept as None."""
    if len(vals) >= DISTINCT_MIN and conv in _SAME_FOR_EQUAL_KEYS:
        try:
            distinct = set(vals)
        except TypeError:  # unhashable: per value
            distinct = None
        # Values equal as keys convert alike here (True and 1 → 1; Decimal 1 and 1.0 → 1.0).
        if distinct is not None and len(distinct) * 4 <= len(vals):
            table = {v: None if v is None else conv(v) for v in distinct}
            return list(map(table.__getitem__, vals))
    if holds(vals, None):
        return [None if v is None else conv(v) for v in vals]
    return list(map(conv, vals))  # a column without blanks: one C-level pass


def insert_sql(conn, table, columns: dict[str, list]) -> tuple[str, list[list]]:
    """An INSERT for rows given column-wise, and the columns' driver-ready values (multi_row
    lays them out as the statements' parameters).

    SQLAlchemy's own executemany spends most of its time building and processing one parameter
    dict per row; here each column's values go through that column's converter in one pass
    (once per distinct value where a big column repeats itself: dates, shares, flags), and the
    rows reach the driver without a dict or a tuple per row. The SQL names the model table's
    columns.
    """
    dialect = conn.dialect
    cols = [c.name for c in table.columns if c.name in columns]
    values = []
    for name in cols:
        vals = columns[name]
        conv = _converter(table.c[name], dialect)
        if conv is not None and dialect.name == "sqlite" and isinstance(table.c[name].type, Money):
            # Integer fen (the hot column): vectorised for big columns of Decimals, else inline —
            # exact for every amount the importer makes (all quantised to the fen); anything
            # else goes through the full conversion.
            fen = vals.fen if vals.__class__ is MoneyColumn else _fen_vector(vals)
            vals = fen if fen is not None else [
                None if v is None else (i if v.__class__ is Decimal and (i := int(q := v.scaleb(2))) == q
                                        else conv(v)) for v in vals]
        elif conv is not None:
            vals = _converted(vals, conv)
        values.append(vals)
    prep = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    sql = (f"INSERT INTO {prep.format_table(table)} ({', '.join(prep.quote(c) for c in cols)}) "
           f"VALUES ({', '.join([mark] * len(cols))})")
    return sql, values


def id_runs(ids: list[int], batches: list[int]) -> list[tuple[int, int, int]]:
    """(batch, first id, last id) for each run of consecutive ids of one batch, in order."""
    if not ids:
        return []
    first, b = ids[0], batches[0]
    n = len(ids)
    if ids[-1] - first == n - 1 and batches.count(b) == n and ids == list(range(first, first + n)):
        return [(b, first, ids[-1])]  # a block's new ids: one run (checked in C, not per id)
    runs: list[list[int]] = []
    for i, bid in zip(ids, batches):
        if runs and runs[-1][0] == bid and runs[-1][2] == i - 1:
            runs[-1][2] = i
        else:
            runs.append([bid, i, i])
    return [tuple(r) for r in runs]


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
