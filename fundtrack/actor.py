"""Who is writing: the OS user, and on PostgreSQL the database role too."""

from __future__ import annotations

import getpass
import os


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER") or f"uid{os.getuid()}"


def actor_for(conn) -> str:
    user = os_user()
    if conn.dialect.name == "postgresql":
        role = conn.exec_driver_sql("select current_user").scalar()
        return f"{user} (db:{role})"
    return user
