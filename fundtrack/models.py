"""The ledger's tables.

Funds of every level live in one table; who committed to whom is a general
investor → investee edge (`commitment`), so a sub-fund can itself back sub-funds and
look-through works at any depth. Every imported row remembers its batch, sheet and row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from fundtrack.money import Money

FUND_KINDS = ("guidance", "sub")
FLOW_TYPES = ("contribution", "distribution", "fee", "valuation")
FLOW_TYPE_LABELS = {"contribution": "实缴出资", "distribution": "分配", "fee": "管理费", "valuation": "估值"}
FUND_LEVELS = ("国家级", "省级", "市级", "区县级")

Ratio = Numeric(18, 8)


def _money(nullable: bool = False, default: Decimal | None = None):
    return Field(default=default, sa_type=Money, nullable=nullable)



class Provenance(SQLModel):
    """Where a row came from: the import batch that last wrote it, its sheet and row."""

    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id", index=True)
    src_sheet: Optional[str] = Field(default=None, max_length=120)
    src_row: Optional[int] = None


class ImportBatch(SQLModel, table=True):
    __tablename__ = "import_batch"

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(default="import", max_length=16)  # import | edit | undo | demo
    file_name: str = Field(default="", max_length=500)
    sha256: str = Field(default="", max_length=64, index=True)
    actor: str = Field(default="", max_length=120)
    created_at: datetime
    status: str = Field(default="applied", max_length=16)  # applied | undone
    counts: str = Field(default="{}")  # JSON: per sheet added/changed/unchanged
    note: str = Field(default="")


class ImportSheet(SQLModel, table=True):
    """How one sheet of a batch was read: enough to turn (field, row) back into a cell."""

    __tablename__ = "import_sheet"

    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    sheet: str = Field(max_length=120)
    record_kind: str = Field(max_length=32)
    header_row: int
    unit: str = Field(default="元", max_length=8)
    columns: str = Field(default="{}")  # JSON: field → column letter


class RowChange(SQLModel, table=True):
    """What a batch did to each row it inserted or updated, so the batch can be undone exactly:
    the before-image of an update, one line per run of consecutive ids for inserts."""

    __tablename__ = "row_change"

    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    table_name: str = Field(max_length=40)
    row_id: int
    # An insert covers ids row_id … last_row_id: a bulk load's new ids are consecutive, and one
    # line per run instead of one per row spares a 100,000-row import 100,000 audit rows.
    # None: row_id alone (every update and delete, and inserts recorded before revision 0002).
    last_row_id: Optional[int] = None
    op: str = Field(max_length=8)  # insert | update | delete
    before: Optional[str] = None  # JSON of the row before, None for insert


class Fund(Provenance, table=True):
    __tablename__ = "fund"
    __table_args__ = (
        CheckConstraint("kind in ('guidance', 'sub')", name="ck_fund_kind"),
        CheckConstraint("committed >= 0", name="ck_fund_committed_nonneg"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, unique=True)
    level: Optional[str] = Field(default=None, max_length=16)
    sponsor: Optional[str] = Field(default=None, max_length=200)
    manager: Optional[str] = Field(default=None, max_length=200)
    region: Optional[str] = Field(default=None, max_length=100)
    amac_code: Optional[str] = Field(default=None, max_length=20, index=True)
    committed: Decimal = _money(default=Decimal("0"))
    paid_in: Decimal = _money(default=Decimal("0"))
    inception: Optional[date] = None
    term: Optional[str] = Field(default=None, max_length=40)
    investment_period_end: Optional[date] = None
    term_end: Optional[date] = None
    required_leverage: Optional[Decimal] = Field(default=None, sa_type=Ratio)
    reinvest_multiple: Optional[Decimal] = Field(default=None, sa_type=Ratio)
    focus: Optional[str] = Field(default=None, max_length=200)
    status: Optional[str] = Field(default=None, max_length=20)


class Commitment(Provenance, table=True):
    """An investor fund's commitment to an investee fund (引导基金认缴 / 实缴 to a sub-fund)."""

    __tablename__ = "commitment"
    __table_args__ = (
        UniqueConstraint("investor_id", "investee_id", name="uq_commitment_pair"),
        CheckConstraint("investor_id <> investee_id", name="ck_commitment_not_self"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    investor_id: int = Field(foreign_key="fund.id", index=True)
    investee_id: int = Field(foreign_key="fund.id", index=True)
    committed: Decimal = _money(default=Decimal("0"))
    paid_in: Decimal = _money(default=Decimal("0"))
    committed_on: Optional[date] = None


class Company(Provenance, table=True):
    __tablename__ = "company"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    uscc: Optional[str] = Field(default=None, max_length=18, unique=True)
    industry: Optional[str] = Field(default=None, max_length=60)
    registered_place: Optional[str] = Field(default=None, max_length=200)


class Investment(Provenance, table=True):
    __tablename__ = "investment"
    __table_args__ = (
        UniqueConstraint("investor_id", "company_id", "round", "invested_on", name="uq_investment_natural"),
        CheckConstraint("amount >= 0", name="ck_investment_amount_nonneg"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    investor_id: int = Field(foreign_key="fund.id", index=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    round: str = Field(default="", max_length=40)
    invested_on: date = Field(index=True)
    amount: Decimal = _money()
    equity_share: Optional[Decimal] = Field(default=None, sa_type=Ratio)
    fair_value: Optional[Decimal] = _money(nullable=True)
    reinvest_flag: Optional[bool] = None
    exit_status: Optional[str] = Field(default=None, max_length=20)
    exit_proceeds: Decimal = _money(default=Decimal("0"))
    exited_on: Optional[date] = None


class CashFlow(Provenance, table=True):
    """One ledger line from an investor fund to a sub-fund or a company."""

    __tablename__ = "cash_flow"
    __table_args__ = (
        UniqueConstraint("investor_id", "target_key", "flow_date", "flow_type", name="uq_cash_flow_natural"),
        CheckConstraint(
            "flow_type in ('contribution', 'distribution', 'fee', 'valuation')", name="ck_cash_flow_type"
        ),
        CheckConstraint(
            "(target_fund_id is null) <> (target_company_id is null)", name="ck_cash_flow_one_target"
        ),
        Index("ix_cash_flow_investor_date", "investor_id", "flow_date"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    investor_id: int = Field(foreign_key="fund.id")
    target_fund_id: Optional[int] = Field(default=None, foreign_key="fund.id", index=True)
    target_company_id: Optional[int] = Field(default=None, foreign_key="company.id", index=True)
    target_key: str = Field(max_length=24)  # "F:<id>" or "C:<id>": one column for the natural key
    flow_date: date
    flow_type: str = Field(max_length=16)
    amount: Decimal = _money()


class QuarterSnapshot(SQLModel, table=True):
    """Leverage and 返投 of a fund as they stood at a quarter end, frozen when the quarter is reported."""

    __tablename__ = "quarter_snapshot"
    __table_args__ = (UniqueConstraint("quarter", "fund_id", name="uq_snapshot_quarter_fund"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    quarter: str = Field(max_length=7, index=True)  # 2026Q3
    as_of: date
    fund_id: int = Field(foreign_key="fund.id", index=True)
    sub_fund_committed: Decimal = _money(default=Decimal("0"))
    guidance_commitment: Decimal = _money(default=Decimal("0"))
    leverage_total: Optional[Decimal] = Field(default=None, sa_type=Ratio)
    leverage_social: Optional[Decimal] = Field(default=None, sa_type=Ratio)
    required_leverage: Optional[Decimal] = Field(default=None, sa_type=Ratio)
    reinvest_required: Decimal = _money(default=Decimal("0"))
    reinvest_achieved: Decimal = _money(default=Decimal("0"))
    created_at: datetime
    payload: str = Field(default="{}")  # JSON of the full summary row, for reproducing old reports


class AuditLog(SQLModel, table=True):
    """Who changed what, when: one line per write action."""

    __tablename__ = "audit_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(max_length=120)
    action: str = Field(max_length=40)
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id", index=True)
    detail: str = Field(default="")


ALL_TABLES = [ImportBatch, ImportSheet, RowChange, Fund, Commitment, Company, Investment, CashFlow,
              QuarterSnapshot, AuditLog]
