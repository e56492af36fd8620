"""Shared by the report tests: extra records on top of tests/factories.py and workbook readers."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session

from fundtrack.models import CashFlow, Commitment, Company, Fund, Investment
from fundtrack.names import normalise_name
from fundtrack.uscc import make_uscc

D = Decimal
EVIL = '=HYPERLINK("http://x","y")'


def add_q3_activity(engine, ids: dict) -> dict:
    """2026 Q3 activity on top of make_small_portfolio — all of it dated after 2026-06-30:

    - 湖北 fund also commits 40m to 子基金A on 2026-07-10 (A then has two guidance investors);
    - 武汉 fund's ledger in A: contribution 5m (07-15), fee 0.5m (08-01), distribution 2m (09-01),
      valuation 85m (09-30); 湖北 fund pays 12m into A (08-15), no valuation yet (carried at cost);
    - a new sub-fund E (inception 2026-08-01, size 100m, 武汉 fund commits 25m on 08-01);
    - 子基金D invests 10m in a company named like a formula (2026-08-20);
    - A's 深圳软件 investment exits on 2026-09-15 for 30m.
    """
    rng = random.Random(7)
    out = {}
    with Session(engine) as s:
        s.add(Commitment(investor_id=ids["g2"], investee_id=ids["A"], committed=D("40000000"),
                         paid_in=D("12000000"), committed_on=date(2026, 7, 10)))
        for d, typ, amt in [(date(2026, 7, 15), "contribution", "5000000"), (date(2026, 8, 1), "fee", "500000"),
                            (date(2026, 9, 1), "distribution", "2000000"),
                            (date(2026, 9, 30), "valuation", "85000000")]:
            s.add(CashFlow(investor_id=ids["g1"], target_fund_id=ids["A"], target_key=f"F:{ids['A']}", flow_date=d,
                           flow_type=typ, amount=D(amt)))
        s.add(CashFlow(investor_id=ids["g2"], target_fund_id=ids["A"], target_key=f"F:{ids['A']}",
                       flow_date=date(2026, 8, 15), flow_type="contribution", amount=D("12000000")))
        e = Fund(kind="sub", name="子基金E（新设）", name_key=normalise_name("子基金E（新设）"), manager="-2+3",
                 committed=D("100000000"), paid_in=D("20000000"), inception=date(2026, 8, 1),
                 required_leverage=D("3"), status="投资期")
        s.add(e)
        s.flush()
        s.add(Commitment(investor_id=ids["g1"], investee_id=e.id, committed=D("25000000"), paid_in=D("5000000"),
                         committed_on=date(2026, 8, 1)))
        co = Company(name=EVIL, name_key=normalise_name(EVIL), uscc=make_uscc(rng), industry="@SUM(1)",
                     registered_place="武汉市洪山区")
        s.add(co)
        s.flush()
        s.add(Investment(investor_id=ids["D"], company_id=co.id, round="+A轮", invested_on=date(2026, 8, 20),
                         amount=D("10000000")))
        s.execute(update(Investment).where(Investment.investor_id == ids["A"],
                                           Investment.company_id == ids["shenzhen"])
                  .values(exit_status="已退出", exit_proceeds=D("30000000"), exited_on=date(2026, 9, 15)))
        s.commit()
        out.update(E=e.id, evil=co.id)
    return out


def edit_sizes(engine, ids: dict) -> None:
    """Later edits that must not rewrite a frozen quarter: sizes, paid-in, a commitment."""
    with Session(engine) as s:
        s.execute(update(Fund).where(Fund.id == ids["A"]).values(committed=D("500000000"), paid_in=D("250000000")))
        s.execute(update(Fund).where(Fund.id == ids["g1"]).values(paid_in=D("700000000")))
        s.execute(update(Commitment).where(Commitment.investor_id == ids["g1"], Commitment.investee_id == ids["B"])
                  .values(committed=D("60000000")))
        s.commit()


# ---- reading workbooks back --------------------------------------------------------------------

def norm(h) -> str:
    return str(h).replace("\n", "") if h is not None else ""


def calamine_sheets(path) -> dict:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def openpyxl_sheets(path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(str(path), data_only=True, read_only=True)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return out


def plain(v):
    """A reader's cell value in one comparable form (calamine: float/str/date; openpyxl: int/datetime)."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, datetime):
        return v.date() if (v.hour, v.minute, v.second) == (0, 0, 0) else v
    if isinstance(v, (int, float)):
        return float(v)
    return v


def table(rows: list, header_first: str) -> tuple[list[str], list[list], int]:
    """(headers, data rows up to the blank row / end, header row index) of the table whose header
    row starts with `header_first`."""
    for i, r in enumerate(rows):
        if r and norm(r[0]) == header_first:
            heads = [norm(h) for h in r]
            data = []
            for rr in rows[i + 1:]:
                if not rr or all(plain(x) is None for x in rr):
                    break
                data.append(list(rr) + [None] * (len(heads) - len(rr)))
            return heads, data, i
    raise AssertionError(f"no table headed {header_first!r}")


def by_header(heads: list[str], row: list) -> dict:
    return {h: plain(v) for h, v in zip(heads, row) if h}


def module_db_url(request, tmp_path_factory) -> str:
    """A fresh migrated database for a module-scoped fixture parametrised over tests.conftest.BACKENDS
    (the per-test `db_url` fixture is function-scoped): copied from the session templates."""
    import os
    import shutil
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_URL, _worker

    if request.param == "sqlite":
        tmpl = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("db") / "fundtrack.db"
        shutil.copyfile(tmpl, path)
        os.chmod(path, 0o600)
        return f"sqlite:///{path}"
    tmpl = request.getfixturevalue("pg_template")
    name = f"ft_{_worker()}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl}"'))

    def _drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(_drop)
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
