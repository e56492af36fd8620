"""Alembic migrations: they build exactly the models' schema, and the app guards versions."""

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

import fundtrack.models  # noqa: F401
from fundtrack.db import SCHEMA_HEAD, SchemaError, alembic_config, ensure_schema, make_engine, open_engine


def test_schema_head_constant_is_alembic_head():
    e = make_engine("sqlite://")
    assert ScriptDirectory.from_config(alembic_config(e)).get_current_head() == SCHEMA_HEAD


def test_migrated_schema_matches_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == []


def test_refuses_schema_behind(db_url):
    e = open_engine(db_url)
    with e.begin() as c:
        c.execute(text("update alembic_version set version_num = '0000'"))
    with pytest.raises(SchemaError, match="fundtrack db upgrade"):
        ensure_schema(e)
    e.dispose()
    r = subprocess.run([sys.executable, "-m", "fundtrack", "--db", db_url, "summary", "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "fundtrack db upgrade" in r.stderr


def test_db_upgrade_command_on_new_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    r = subprocess.run([sys.executable, "-m", "fundtrack", "--db", url, "db", "upgrade"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert SCHEMA_HEAD in r.stdout
    assert (tmp_path / "new.db").stat().st_mode & 0o777 == 0o600


def test_sqlite_money_is_exact(engine):
    """Sums of many amounts with fen stay exact (SQLite stores integer fen)."""
    from decimal import Decimal

    from sqlalchemy import func, select
    from sqlmodel import Session

    from fundtrack.models import Fund

    vals = [Decimal("12345678901.23"), Decimal("0.01"), Decimal("99999999999.99")] * 50
    with Session(engine) as s:
        for i, v in enumerate(vals):
            s.add(Fund(kind="sub", name=f"f{i}", name_key=f"f{i}", committed=v))
        s.commit()
        total = s.exec(select(func.sum(Fund.committed))).one()[0]
        one = s.exec(select(Fund.committed).where(Fund.name_key == "f0")).one()[0]
    assert total == sum(vals)
    assert one == Decimal("12345678901.23")


def test_insert_runs_survive_a_downgrade_and_old_lines_still_undo(engine, db_url, tmp_path):
    """0002 records an insert as a run of ids. Downgraded to 0001 each run becomes one line per
    row (what 0001's code undoes); upgraded again, those single-row lines undo as before."""
    from alembic import command

    from fundtrack.db import alembic_config
    from tests.test_audit import G, I1, S1, batches, dump, ft
    from tests.workbooks import write_workbook

    empty = dump(engine)
    ft(db_url, "import", write_workbook(tmp_path / "a.xlsx", guidance=[G], subs=[S1], investments=[I1]))
    with engine.connect() as c:
        n_rows = sum(c.execute(text(f"select count(*) from {t}")).scalar()
                     for t in ("fund", "commitment", "company", "investment"))
        n_lines = c.execute(text("select count(*) from row_change")).scalar()
    assert n_lines < n_rows
    command.downgrade(alembic_config(engine), "0001")
    with engine.connect() as c:
        lines = c.execute(text("select table_name, row_id, op from row_change order by id")).all()
    assert len(lines) == n_rows and {op for _, _, op in lines} == {"insert"}
    assert [t for t, _, _ in lines] == sorted((t for t, _, _ in lines),
                                              key=["fund", "commitment", "company", "investment"].index)
    command.upgrade(alembic_config(engine), "head")
    ft(db_url, "undo", batches(db_url)[0]["id"])
    assert dump(engine) == empty
