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
