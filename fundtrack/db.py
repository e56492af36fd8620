"""Engines, sessions and the schema-version guard.

SQLite is the embedded default (a file in the user data dir, WAL, foreign keys on, a busy
timeout so a reader never errors while an import writes); any SQLAlchemy URL works, and
PostgreSQL (psycopg 3) is the team set-up.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from fundtrack.errors import SchemaError  # noqa: F401  (raised here, caught by the CLI)

# The newest migration. tests/test_migrations.py checks it equals Alembic's head, so the
# start-up guard can compare versions without loading Alembic (which costs ~150 ms).
SCHEMA_HEAD = "0002"

ENV_VAR = "FUNDTRACK_DB"


def default_url() -> str:
    url = os.environ.get(ENV_VAR)
    if url:
        return url
    from platformdirs import user_data_dir

    path = Path(user_data_dir("fundtrack", appauthor=False)) / "fundtrack.db"
    return f"sqlite:///{path}"


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, for anything printed or logged."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _prepare_sqlite_file(url) -> None:
    db = url.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Ledger files hold the fund's books: readable by their owner only.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = url or default_url()
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        _prepare_sqlite_file(u)
        engine = create_engine(u, connect_args={"timeout": 60}, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            # pysqlite's own transaction handling defers BEGIN until the first write, which lets
            # two writers both read and then collide; we issue BEGIN ourselves (see _begin).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        # A write transaction takes the write lock up front (BEGIN IMMEDIATE).
        @event.listens_for(engine, "begin")
        def _begin(conn):  # noqa: ANN001
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

        return engine
    if u.get_backend_name() == "postgresql" and u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    return create_engine(u, pool_pre_ping=True, **kwargs)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("select version_num from alembic_version")).scalar()


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return not inspect(conn).get_table_names()


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def ensure_schema(engine: Engine, auto_create: bool = True) -> None:
    """Create a new database, or refuse one whose schema is behind (or ahead of) this code."""
    rev = current_revision(engine)
    if rev == SCHEMA_HEAD:
        return
    if rev is None and is_empty(engine) and auto_create:
        upgrade(engine)
        return
    if rev is None:
        raise SchemaError(
            f"{mask_url(str(engine.url))} 不是 fundtrack 数据库（没有 alembic_version 表）。"
            " Not a fundtrack database."
        )
    raise SchemaError(
        f"数据库结构版本 {rev} 与程序所需版本 {SCHEMA_HEAD} 不一致，请先运行 `fundtrack db upgrade`。"
        f" Database schema is at {rev}, this fundtrack needs {SCHEMA_HEAD}: run `fundtrack db upgrade`."
    )


def open_engine(url: str | None = None, auto_create: bool = True) -> Engine:
    engine = make_engine(url)
    ensure_schema(engine, auto_create=auto_create)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


FAILPOINT_ENV = "FUNDTRACK_FAILPOINT"


def failpoint(name: str) -> None:
    """Fault injection for the crash tests: when FUNDTRACK_FAILPOINT names this point, say so on
    stderr and stall, so a test can SIGKILL the process exactly there. Inert otherwise."""
    if os.environ.get(FAILPOINT_ENV) != name:
        return
    import sys
    import time

    sys.stderr.write(f"FAILPOINT {name}\n")
    sys.stderr.flush()
    time.sleep(float(os.environ.get("FUNDTRACK_FAILPOINT_SLEEP", "600")))


# Every writer (import, undo, snapshot, edit) takes this PostgreSQL advisory lock first, so
# writes serialise like SQLite's single writer: no lost updates, no deadlock cycles between
# two imports upserting overlapping rows in different orders. Readers never wait for it.
WRITE_LOCK_KEY = 7240001


class ForeignKeyViolation(RuntimeError):
    """A bulk write left a row pointing at nothing (a bug: the write is rolled back)."""


@contextmanager
def write_transaction(engine: Engine, bulk: bool = False) -> Iterator:
    """One all-or-nothing write. SQLite: BEGIN IMMEDIATE; PostgreSQL: the global write lock.

    bulk (SQLite): foreign keys are checked once at the end, every table in one pass
    (PRAGMA foreign_key_check), instead of row by row — a 100,000-row import spends a third of
    its insert time on 300,000 row-level lookups otherwise. A violation still rolls it all back.
    """
    with engine.connect() as conn:
        sqlite_bulk = bulk and conn.dialect.name == "sqlite"
        if sqlite_bulk:
            # Outside any transaction (the pragma is a no-op inside one); per connection only.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        conn.info["write"] = True
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"select pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                yield conn
                if sqlite_bulk:
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if bad is not None:
                        raise ForeignKeyViolation(f"{bad[0]} row {bad[1]} refers to a missing {bad[2]} row")
                failpoint("write.before_commit")
        finally:
            conn.info.pop("write", None)
            if sqlite_bulk:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
