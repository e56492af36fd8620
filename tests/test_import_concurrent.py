"""Two imports of overlapping files at the same moment: they serialise (SQLite's write lock,
PostgreSQL's advisory lock taken before the state is read), so nothing is duplicated and
nothing is lost. Real threads, separate connections, both back-ends."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

from sqlalchemy import func, select, text

from fundtrack.db import open_engine
from fundtrack.models import CashFlow, Commitment, Company, Fund, Investment
from fundtrack.uscc import make_uscc
from importers.pipeline import import_files
from tests.test_import_upsert import inserted_rows, stored_rows
from tests.workbooks import write_workbook

G = ["并发导入引导基金（虚构）", "市级", None, None, "武汉市", 500000, 100000, date(2020, 1, 1), "10年", 1.5]
CODES = [make_uscc(random.Random(4242 + i)) for i in range(500)]


def sub(i):
    return [f"并发导入子基金{i:02d}（虚构）", G[0], None, f"SCI{i:03d}", 50000, 10000, 4000, None, None, None, None, None,
            date(2021, 3, 1), None, None, "投资期"]


def inv(i):
    return [f"并发导入企业{i:04d}（虚构）", CODES[i], f"并发导入子基金{i % 10:02d}（虚构）", "集成电路", "武汉市", "A轮",
            date(2022, 1, 1) + timedelta(days=i), 100 + i, 0.1, 150 + i, "", "未退出", 0, None]


def flow(i):
    return [G[0], f"并发导入子基金{i % 10:02d}（虚构）", date(2021, 3, 31) + timedelta(days=91 * (i // 10)), "实缴出资", 10 + i]


def test_two_simultaneous_overlapping_imports(db_url, tmp_path):
    a = write_workbook(tmp_path / "a.xlsx", guidance=[G], subs=[sub(i) for i in range(10)],
                       investments=[inv(i) for i in range(0, 300)], flows=[flow(i) for i in range(0, 60)])
    b = write_workbook(tmp_path / "b.xlsx", guidance=[G], subs=[sub(i) for i in range(10)],
                       investments=[inv(i) for i in range(200, 500)], flows=[flow(i) for i in range(40, 100)])
    engines = [open_engine(db_url), open_engine(db_url)]
    start = threading.Barrier(2)
    results: dict = {}

    def run(k, path):
        start.wait()
        try:
            results[k] = import_files(engines[k], [path])
        except BaseException as exc:  # pragma: no cover - reported below
            results[k] = exc

    threads = [threading.Thread(target=run, args=(k, p)) for k, p in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for e in engines:
        e.dispose()
    assert all(getattr(r, "ok", False) for r in results.values()), results
    # The second to take the lock found the first one's rows: its overlap is unchanged.
    added = sorted(sum(c["added"] for c in r.counts.values()) for r in results.values())
    assert added[0] + added[1] == 1 + 10 + 500 + 100  # guidance, sub-funds, investments, flows

    e = open_engine(db_url)
    with e.connect() as c:
        n = {m.__tablename__: c.execute(select(func.count()).select_from(m.__table__)).scalar()
             for m in (Fund, Commitment, Company, Investment, CashFlow)}
        dup_names = c.execute(text("select count(*) from (select name_key from fund group by name_key "
                                   "having count(*) > 1) d")).scalar()
        amounts = sorted(r[0] for r in c.execute(select(Investment.amount)))
    # Each row named once by an insert line of the batch that wrote it: none lost, none twice.
    covered, stored = sorted(inserted_rows(e)), sorted(stored_rows(e))
    e.dispose()
    assert n == {"fund": 11, "commitment": 10, "company": 500, "investment": 500, "cash_flow": 100}
    assert dup_names == 0
    assert covered == stored
    assert amounts == sorted(__import__("decimal").Decimal(100 + i) * 10000 for i in range(500))
