"""Shared fixtures: a real database per test, SQLite always, PostgreSQL when asked.

`db_url` is parametrised over the back-ends: SQLite (a real file under tmp_path) always, and
the real PostgreSQL server when FUNDTRACK_TEST_PG_URL is set (.ci/run sets it). Each test gets
a fresh, migrated database: a copy of a template migrated once per session, so tests start in
milliseconds and still run the real Alembic migrations.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("FUNDTRACK_TEST_PG_URL")  # e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from fundtrack.db import open_engine

    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    engine = open_engine(f"sqlite:///{path}")
    with engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template():
    if not PG_URL:
        pytest.skip("FUNDTRACK_TEST_PG_URL not set")
    from sqlalchemy.engine import make_url

    from fundtrack.db import open_engine

    name = f"ft_tmpl_{_worker()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    e = open_engine(url)
    e.dispose()
    yield name
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """URL of a fresh, migrated, empty fundtrack database on each back-end."""
    if request.param == "sqlite":
        tmpl = request.getfixturevalue("sqlite_template")
        path = tmp_path / "fundtrack.db"
        shutil.copyfile(tmpl, path)
        os.chmod(path, 0o600)
        return f"sqlite:///{path}"
    from sqlalchemy.engine import make_url

    tmpl = request.getfixturevalue("pg_template")
    name = f"ft_{_worker()}_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def _drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(_drop)
    return url


@pytest.fixture
def engine(db_url):
    from fundtrack.db import open_engine

    e = open_engine(db_url)
    yield e
    e.dispose()
