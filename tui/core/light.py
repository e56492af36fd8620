"""Just the columns the first screen needs, as plain SQLAlchemy Core tables.

fundtrack.models is SQLModel (pydantic) and costs ~0.5 s to import; the tree of guidance
funds needs none of that. These declarations mirror the models' columns by name and type
(tests/test_tui_core.py checks them against fundtrack.models), and are used only for the
start-up path; everything else imports the models, in worker threads.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, MetaData, Numeric, String, Table

meta = MetaData()

fund = Table(
    "fund", meta,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16)),
    Column("name", String(200)),
    Column("level", String(16)),
    Column("region", String(100)),
    Column("committed", Numeric(20, 2)),
    Column("inception", Date),
)

commitment = Table(
    "commitment", meta,
    Column("id", Integer, primary_key=True),
    Column("investor_id", Integer),
    Column("investee_id", Integer),
    Column("committed", Numeric(20, 2)),
    Column("committed_on", Date),
)

company = Table(
    "company", meta,
    Column("id", Integer, primary_key=True),
    Column("name", String(200)),
)

investment = Table(
    "investment", meta,
    Column("id", Integer, primary_key=True),
    Column("investor_id", Integer),
    Column("company_id", Integer),
    Column("invested_on", Date),
    Column("amount", Numeric(20, 2)),
)
