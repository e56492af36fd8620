"""`fundtrack db backup|restore` for SQLite, through SQLite's online backup API so a backup
taken while the TUI reads or an import writes is still a consistent snapshot.
PostgreSQL users use pg_dump / pg_restore (README)."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import Engine


def _sqlite_path(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    return engine.url.database


def backup(engine: Engine, dest: str) -> int:
    src = _sqlite_path(engine)
    if not src:
        print("PostgreSQL：请使用 pg_dump（见 README）。 Use pg_dump for PostgreSQL (see README).", file=sys.stderr)
        return 1
    dest_path = Path(dest)
    if dest_path.exists():
        print(f"{dest} 已存在，不覆盖。 {dest} exists; not overwritten.", file=sys.stderr)
        return 1
    fd = os.open(dest_path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)
    with sqlite3.connect(src) as s, sqlite3.connect(dest_path) as d:
        s.backup(d)
    print(f"备份完成 backup written: {dest_path} ({dest_path.stat().st_size:,} bytes)")
    return 0


def restore(engine: Engine, source: str) -> int:
    dst = _sqlite_path(engine)
    if not dst:
        print("PostgreSQL：请使用 pg_restore（见 README）。 Use pg_restore for PostgreSQL (see README).", file=sys.stderr)
        return 1
    from fundtrack.db import SCHEMA_HEAD

    if not Path(source).exists():
        print(f"找不到文件 {source}。 No such file.", file=sys.stderr)
        return 1
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as s:
            rev = s.execute("select version_num from alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        print(f"{source} 不是 fundtrack 备份：{exc}。 Not a fundtrack backup.", file=sys.stderr)
        return 1
    if not rev or rev[0] != SCHEMA_HEAD:
        print(f"备份的结构版本 {rev[0] if rev else None} 与程序版本 {SCHEMA_HEAD} 不符。 Schema mismatch.",
              file=sys.stderr)
        return 1
    engine.dispose()
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as s, sqlite3.connect(dst, timeout=60) as d:
        s.backup(d)
    print(f"已从 {source} 恢复 restored into {dst}")
    return 0
