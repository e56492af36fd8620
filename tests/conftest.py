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
def backend(request) -> str:
    return request.param


@pytest.fixture
def new_db_url(request, backend, tmp_path):
    """A factory of fresh, migrated, empty databases on the test's back-end."""
    made: list[str] = []

    def make() -> str:
        n = len(made)
        if backend == "sqlite":
            tmpl = request.getfixturevalue("sqlite_template")
            path = tmp_path / ("fundtrack.db" if n == 0 else f"fundtrack{n}.db")
            shutil.copyfile(tmpl, path)
            os.chmod(path, 0o600)
            url = f"sqlite:///{path}"
        else:
            from sqlalchemy.engine import make_url

            tmpl = request.getfixturevalue("pg_template")
            name = f"ft_{_worker()}_{uuid.uuid4().hex[:10]}"
            admin = _pg_admin()
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"'))
            admin.dispose()
            url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

            def _drop(name=name):
                a = _pg_admin()
                with a.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                a.dispose()

            request.addfinalizer(_drop)
        made.append(url)
        return url

    return make


@pytest.fixture
def db_url(new_db_url) -> str:
    """URL of a fresh, migrated, empty fundtrack database on each back-end."""
    return new_db_url()


@pytest.fixture
def engine(db_url):
    from fundtrack.db import open_engine

    e = open_engine(db_url)
    yield e
    e.dispose()


@pytest.fixture(autouse=True)
def _ui_language_is_per_test():
    """The TUI keeps its language as module state (one app per process); a test that opens the
    app in English must not leave the next test on the same xdist worker in English."""
    import sys

    mod = sys.modules.get("tui.i18n")
    if mod is not None:
        mod.set_lang("zh")
    yield
    mod = sys.modules.get("tui.i18n")
    if mod is not None:
        mod.set_lang("zh")
