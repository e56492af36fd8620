"""Trust: exact undo of an import batch, refusal when later work depends on it, history and trace."""

import contextlib
import io
import json
from datetime import date
from types import SimpleNamespace

import random

from sqlalchemy import text

from fundtrack.cli import main
from fundtrack.uscc import make_uscc
from tests.workbooks import write_workbook

DOMAIN_TABLES = ["fund", "commitment", "company", "investment", "cash_flow"]
RNG = random.Random(5)
USCC = [make_uscc(RNG) for _ in range(5)]

G = ["武汉市测试引导基金（虚构）", "市级", "武汉市财政局", "武汉产投（虚构）", "武汉市", 100000, 40000, date(2020, 1, 1), "10年", 1.5]
S1 = ["光谷一号基金（有限合伙）", "武汉市测试引导基金（虚构）", "甲资本（虚构）", "SAB123", 50000, 10000, 4000, 20000, 4, 2,
      "集成电路", "武汉市", date(2021, 3, 1), date(2026, 3, 1), date(2029, 3, 1), "投资期"]
I1 = ["光谷芯片有限公司（虚构）", USCC[0], "光谷一号基金（有限合伙）", "集成电路", "武汉市东湖新技术开发区", "A轮",
      date(2022, 5, 12), 3000, 0.1, 4500, "", "未退出", 0, None]
F1 = ["武汉市测试引导基金（虚构）", "光谷一号基金（有限合伙）", date(2021, 3, 31), "实缴出资", 4000]


def ft(db_url, *args, check=True):
    """The CLI in-process (the same main() the console script runs; subprocess tests are elsewhere)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", db_url, *map(str, args)])
    r = SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def dump(engine) -> dict:
    with engine.connect() as c:
        return {t: [tuple(r) for r in c.execute(text(f"select * from {t} order by id"))] for t in DOMAIN_TABLES}


def batches(db_url):
    return json.loads(ft(db_url, "history", "--json").stdout)


def test_undo_restores_previous_values_and_removes_added_rows(engine, db_url, tmp_path):
    v1 = write_workbook(tmp_path / "v1.xlsx", guidance=[G], subs=[S1], investments=[I1], flows=[F1])
    ft(db_url, "import", v1)
    after_v1 = dump(engine)
    g2 = list(G)
    g2[5] = 120000  # committed changes
    i2 = ["洪山生物有限公司（虚构）", USCC[1], "光谷一号基金（有限合伙）", "生物医药", "武汉市洪山区", "B轮",
          date(2023, 1, 5), 1000, 0.05, 1000, "是", "未退出", 0, None]
    v2 = write_workbook(tmp_path / "v2.xlsx", guidance=[g2], subs=[S1], investments=[I1, i2], flows=[F1])
    ft(db_url, "import", v2)
    assert dump(engine) != after_v1
    second = batches(db_url)[-1]["id"]
    r = ft(db_url, "undo", second)
    assert "undone" in r.stdout
    assert dump(engine) == after_v1
    hist = batches(db_url)
    assert [b["status"] for b in hist if b["kind"] == "import"] == ["applied", "undone"]
    assert hist[-1]["kind"] == "undo"
    # undoing twice is refused
    assert ft(db_url, "undo", second, check=False).returncode == 1


def test_undo_refuses_when_a_later_batch_changed_the_same_rows(engine, db_url, tmp_path):
    ft(db_url, "import", write_workbook(tmp_path / "a.xlsx", guidance=[G], subs=[S1]))
    g2 = list(G)
    g2[6] = 50000  # paid-in changes in a later batch
    ft(db_url, "import", write_workbook(tmp_path / "b.xlsx", guidance=[g2]))
    first = batches(db_url)[0]["id"]
    before = dump(engine)
    r = ft(db_url, "undo", first, check=False)
    assert r.returncode == 1
    assert "undo them first" in r.stderr or "请先撤销" in r.stderr
    assert dump(engine) == before


def test_undo_reimport_undo_round_trips(engine, db_url, tmp_path):
    ft(db_url, "import", write_workbook(tmp_path / "base.xlsx", guidance=[G]))
    base = dump(engine)
    f = write_workbook(tmp_path / "x.xlsx", guidance=[G], subs=[S1], investments=[I1], flows=[F1])
    ft(db_url, "import", f)
    ft(db_url, "undo", batches(db_url)[-1]["id"])
    once = dump(engine)
    assert once == base
    ft(db_url, "import", f)
    ft(db_url, "undo", [b for b in batches(db_url) if b["kind"] == "import"][-1]["id"])
    assert dump(engine) == once


def test_trace_names_file_sheet_and_cell(engine, db_url, tmp_path):
    f = write_workbook(tmp_path / "trace.xlsx", guidance=[G], subs=[S1], investments=[I1], flows=[F1])
    ft(db_url, "import", f)
    info = json.loads(ft(db_url, "trace", "fund", "武汉市测试引导基金(虚构)", "--json").stdout)
    assert info["file"].endswith("trace.xlsx") and info["sheet"] == "引导基金" and info["row"] == 2
    assert info["cells"]["committed"]["cell"] == "引导基金!G2"
    assert info["cells"]["committed"]["value"] == "1000000000.00"
    co = json.loads(ft(db_url, "trace", "company", USCC[0], "--field", "registered_place", "--json").stdout)
    assert co["cells"]["registered_place"]["cell"] == "投资项目!F2"
    assert ft(db_url, "trace", "fund", "没有这个基金", check=False).returncode == 1


def test_undo_refuses_a_later_change_inside_an_earlier_insert_run(engine, db_url, tmp_path):
    """A bulk insert is recorded as runs of ids: a later update of any row inside a run — not
    only its first — blocks the earlier batch's undo; undone in order, everything goes."""
    rows = [[f"区间测试企业{k}有限公司（虚构）", USCC[k], S1[0], "集成电路", "武汉市", "A轮", date(2022, 5, 1 + k),
             1000 + k, 0.1, 0, "", "未退出", 0, None] for k in range(3)]
    empty = dump(engine)
    ft(db_url, "import", write_workbook(tmp_path / "a.xlsx", guidance=[G], subs=[S1], investments=rows))
    with engine.connect() as c:
        runs = c.execute(text("select table_name, row_id, last_row_id from row_change "
                              "where table_name = 'investment'")).all()
    assert len(runs) == 1 and runs[0][2] - runs[0][1] == 2  # three investments, one line
    changed = [list(r) for r in rows]
    changed[1][7] = 9999  # the middle investment's amount
    ft(db_url, "import", write_workbook(tmp_path / "b.xlsx", guidance=[G], subs=[S1], investments=changed))
    first, second = [b["id"] for b in batches(db_url)]
    before = dump(engine)
    r = ft(db_url, "undo", first, check=False)
    assert r.returncode == 1 and str(second) in r.stderr
    assert dump(engine) == before
    ft(db_url, "undo", second)
    ft(db_url, "undo", first)
    assert dump(engine) == empty
