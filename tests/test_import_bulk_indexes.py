"""A bulk load into an empty SQLite table drops its secondary indexes and rebuilds them after the
load (importers.writer.PlanWriter._defer_indexes): the schema must come out identical, undo must
still work, and a failed import must leave schema and data as they were."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import text

import importers.writer as writer
from fundtrack.uscc import make_uscc
from importers.pipeline import import_files
from tests.test_import_upsert import inserted_rows, stored_rows
from tests.test_audit import G, S1, ft
from tests.workbooks import write_workbook

RNG = random.Random(11)


def investments(n: int, start: int = 0) -> list[list]:
    out = []
    for k in range(start, start + n):
        out.append([f"批量测试企业{k:03d}有限公司（虚构）", make_uscc(RNG), "光谷一号基金（有限合伙）", "集成电路",
                    "武汉市洪山区", "A轮", date(2022, 1, 1 + k % 28), 100 + k, 0.01, 120 + k, "", "未退出", 0, None])
    return out


def schema(engine) -> list[tuple]:
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as c:
        return sorted(tuple(r) for r in c.execute(text("select type, name, tbl_name, sql from sqlite_master")))


def count(engine, table: str) -> int:
    with engine.connect() as c:
        return c.execute(text(f"select count(*) from {table}")).scalar()


@pytest.fixture
def small_bulk(monkeypatch):
    monkeypatch.setattr(writer, "BULK_INDEX_ROWS", 5)


def test_bulk_load_rebuilds_the_same_indexes_and_undo_works(small_bulk, engine, db_url, tmp_path):
    before = schema(engine)
    f = write_workbook(tmp_path / "bulk.xlsx", guidance=[G], subs=[S1], investments=investments(30))
    res = import_files(engine, [f])
    assert res.ok, res.errors
    assert schema(engine) == before
    assert count(engine, "investment") == 30 and count(engine, "company") == 30
    # One insert line per table (the file's new ids of a table are one run), naming every row.
    assert count(engine, "row_change") == 4  # funds (guidance and sub), commitment, companies, investments
    assert sorted(inserted_rows(engine)) == sorted(stored_rows(engine))
    if engine.dialect.name == "sqlite":
        with engine.connect() as c:
            assert c.execute(text("pragma integrity_check")).scalar() == "ok"
            plan = " ".join(r[-1] for r in c.execute(text(
                "explain query plan select id from investment where invested_on = '2022-01-05'")))
            assert "ix_investment_invested_on" in plan
    ft(db_url, "undo", res.batch_ids[0])
    assert count(engine, "investment") == 0 and count(engine, "company") == 0
    assert schema(engine) == before


def test_failed_bulk_load_leaves_schema_and_data_unchanged(small_bulk, monkeypatch, engine, tmp_path):
    before = schema(engine)
    real_finish = writer.PlanWriter.finish

    def failing_finish(self):
        self.ex.drain()  # every INSERT and index rebuild has run inside the transaction
        raise RuntimeError("simulated failure before commit")

    monkeypatch.setattr(writer.PlanWriter, "finish", failing_finish)
    f = write_workbook(tmp_path / "bulk.xlsx", guidance=[G], subs=[S1], investments=investments(30))
    with pytest.raises(RuntimeError):
        import_files(engine, [f])
    monkeypatch.setattr(writer.PlanWriter, "finish", real_finish)
    assert schema(engine) == before
    assert count(engine, "investment") == 0 and count(engine, "fund") == 0
    assert import_files(engine, [f]).ok
    assert schema(engine) == before and count(engine, "investment") == 30


def test_second_bulk_load_into_a_filled_table_keeps_its_indexes(small_bulk, engine, tmp_path):
    first = write_workbook(tmp_path / "a.xlsx", guidance=[G], subs=[S1], investments=investments(10))
    assert import_files(engine, [first]).ok
    before = schema(engine)
    dropped = []
    real = writer._Executor.submit

    def spy(self, sql, rows=None):
        if sql.startswith("DROP INDEX"):
            dropped.append(sql)
        return real(self, sql, rows)

    writer._Executor.submit = spy
    try:
        more = write_workbook(tmp_path / "b.xlsx", guidance=[G], subs=[S1], investments=investments(20, start=100))
        assert import_files(engine, [more]).ok
    finally:
        writer._Executor.submit = real
    assert dropped == []  # the table was not empty: its indexes stay and are maintained row by row
    assert schema(engine) == before
