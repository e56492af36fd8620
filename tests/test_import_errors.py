"""Bad input: every problem of every file at once, each naming its sheet and cell, in Chinese
or English — and a rejected import leaves the database exactly as it was."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from fundtrack.uscc import make_uscc
from importers.pipeline import import_files
from tests.workbooks import write_workbook

G = ["错误测试引导基金（虚构）", "市级", "财政局", "产投", "武汉市", 1000, 100, date(2020, 1, 1), "10年", 1.5]
S = ["错误测试子基金（虚构）", G[0], "GP", "SAB123", 500, 100, 50, 200, 4, 1.5, "芯片", "武汉市", date(2021, 1, 1), None,
     None, "投资期"]
CODES = [make_uscc(random.Random(77 + i)) for i in range(4)]


def inv(name, code, investor=S[0], amount=10, share=0.1, flag="", rnd="A轮", on=date(2022, 1, 1)):
    return [name, code, investor, "芯片", "武汉市", rnd, on, amount, share, amount, flag, "", 0, None]


def base_file(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "base.xlsx", guidance=[G], subs=[S],
                          investments=[inv("错误测试企业甲（虚构）", CODES[0])],
                          flows=[[G[0], S[0], date(2021, 3, 31), "实缴出资", 50]])


def bad_files(tmp_path: Path) -> tuple[Path, Path]:
    bad_code = CODES[1][:17] + ("0" if CODES[1][17] != "0" else "1")
    g = [
        [G[0], "市级", None, None, "武汉市", 1000, 2000, None, None, None],  # row 2: paid-in > committed → H2
        ["另一测试引导基金（虚构）", "省部级", None, None, None, 10, 0, None, None, None],  # row 3: level → C3
        [G[0], "市级", None, None, None, 1000, 100, None, None, None],  # row 4: duplicate name → B4
    ]
    s = [
        [S[0], G[0], None, "SAB123", "abc", 100, 50] + [None] * 9,  # row 2: F2 not a number
        ["孤儿子基金（虚构）", "不存在的引导基金", None, "SAB124", 500, 100, 0] + [None] * 9,  # row 3: C3 unknown
        ["超额子基金（虚构）", G[0], None, "12345", 500, 600, 0] + [None] * 9,  # row 4: E4 AMAC, G4 > size
        ["超缴子基金（虚构）", G[0], None, "SAB125", 500, 100, 200] + [None] * 9,  # row 5: H5 paid > committed
        ["日期错子基金（虚构）", G[0], None, "SAB126", 500, 100, 0] + [None] * 5 + ["2023-13-45", None, None, None],
        ["负数子基金（虚构）", G[0], None, "SAB127", 500, -5, 0] + [None] * 9,  # row 7: G7 negative
    ]
    i = [
        inv("错误测试企业乙（虚构）", bad_code),  # row 2: C2 checksum
        inv("错误测试企业丙（虚构）", CODES[2]),  # row 3
        inv("错误测试企业丙（虚构）", CODES[2]),  # row 4: duplicate of row 3 → B4
        inv("错误测试企业丁（虚构）", CODES[3], share="150%"),  # row 5: J5
        inv("错误测试企业戊（虚构）", None, flag="可能"),  # row 6: L6
        inv("错误测试企业己（虚构）", None, investor="不存在的基金"),  # row 7: D7
        inv("错误测试企业庚（虚构）", None, amount=None),  # row 8: I8 required
    ]
    f = [
        [G[0], S[0], date(2021, 6, 30), "借款", 10],  # row 2: E2
        [G[0], "不存在的对象", date(2021, 6, 30), "实缴出资", 10],  # row 3: C3
        [G[0], S[0], date(2021, 6, 30), "估值", -10],  # row 4: F4
        [G[0], S[0], date(2021, 9, 30), "管理费", 1],  # row 5
        [G[0], S[0], date(2021, 9, 30), "管理费", 2],  # row 6: duplicate → F6
    ]
    a = write_workbook(tmp_path / "bad.xlsx", guidance=g, subs=s, investments=i, flows=f)

    import xlsxwriter

    b = tmp_path / "bad2.xlsx"
    wb = xlsxwriter.Workbook(str(b))
    ws = wb.add_worksheet("母基金")
    ws.write_row(0, 0, ["序号", "基金名称", "认缴规模（万元）", "实缴规模（万元）"])
    ws.write_row(1, 0, [1, "合计测试母基金甲（虚构）", 100, 10])
    ws.write_row(2, 0, [2, "合计测试母基金乙（虚构）", 200, 20])
    ws.write_row(3, 0, ["合计", None, 301, 30])  # C4 is wrong by 1 万元
    wb.close()
    return a, b


EXPECTED_CELLS = {
    ("bad.xlsx", "引导基金", "H2"), ("bad.xlsx", "引导基金", "C3"), ("bad.xlsx", "引导基金", "B4"),
    ("bad.xlsx", "子基金", "F2"), ("bad.xlsx", "子基金", "C3"), ("bad.xlsx", "子基金", "E4"),
    ("bad.xlsx", "子基金", "G4"), ("bad.xlsx", "子基金", "H5"), ("bad.xlsx", "子基金", "N6"),
    ("bad.xlsx", "子基金", "G7"),
    ("bad.xlsx", "投资项目", "C2"), ("bad.xlsx", "投资项目", "B4"), ("bad.xlsx", "投资项目", "J5"),
    ("bad.xlsx", "投资项目", "L6"), ("bad.xlsx", "投资项目", "D7"), ("bad.xlsx", "投资项目", "I8"),
    ("bad.xlsx", "资金流水", "E2"), ("bad.xlsx", "资金流水", "C3"), ("bad.xlsx", "资金流水", "F4"),
    ("bad.xlsx", "资金流水", "F6"),
    ("bad2.xlsx", "母基金", "C4"),
}


def snapshot(db_url: str):
    """SQLite: the database file's bytes after a checkpoint. PostgreSQL: every table's rows."""
    e = create_engine(db_url)
    try:
        with e.connect() as c:
            if e.dialect.name == "sqlite":
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                return Path(e.url.database).read_bytes()
            tables = [r[0] for r in c.execute(text("select tablename from pg_tables where schemaname = 'public'"))]
            return {t: sorted(map(tuple, c.execute(text(f'select * from "{t}"'))), key=repr) for t in sorted(tables)}
    finally:
        e.dispose()


def test_all_errors_of_all_files_at_once_and_nothing_written(engine, db_url, tmp_path):
    assert import_files(engine, [base_file(tmp_path)]).ok
    engine.dispose()
    before = snapshot(db_url)
    a, b = bad_files(tmp_path)
    res = import_files(engine, [a, b])
    engine.dispose()
    assert not res.ok
    got = {(e.file, e.sheet, e.cell) for e in res.errors}
    assert got == EXPECTED_CELLS, sorted(got ^ EXPECTED_CELLS)
    msgs = {(e.sheet, e.cell): e.zh for e in res.errors}
    assert msgs[("子基金", "F2")] == '认缴规模 "abc" 不是数字'
    assert "不存在的引导基金" in msgs[("子基金", "C3")] and "数据库" in msgs[("子基金", "C3")]
    assert "合计" in msgs[("母基金", "C4")] and "301" in msgs[("母基金", "C4")] and "300" in msgs[("母基金", "C4")]
    assert "重复" in msgs[("投资项目", "B4")] and "B3" in msgs[("投资项目", "B4")]
    en = {(e.sheet, e.cell): e.en for e in res.errors}
    assert en[("子基金", "F2")] == 'committed size: "abc" is not a number'
    assert all(e.en and e.en != e.zh for e in res.errors)
    assert snapshot(db_url) == before, "a rejected import changed the database"


def test_a_database_level_error_rolls_back_the_write_transaction(engine, db_url, tmp_path):
    """The file parses cleanly; only the database knows the fund is missing."""
    assert import_files(engine, [base_file(tmp_path)]).ok
    engine.dispose()
    before = snapshot(db_url)
    f = write_workbook(tmp_path / "orphan.xlsx", subs=[["孤儿（虚构）", "谁也不认识的基金", None, "SAB999", 10, 1, 0] +
                                                       [None] * 9], flows=[[G[0], S[0], date(2022, 3, 31), "管理费", 1]])
    res = import_files(engine, [f])
    engine.dispose()
    assert [(e.sheet, e.cell) for e in res.errors] == [("子基金", "C2")]
    assert snapshot(db_url) == before


def test_cli_json_and_english(db_url, tmp_path):
    a, b = bad_files(tmp_path)
    r = subprocess.run([sys.executable, "-m", "fundtrack", "--db", db_url, "--lang", "en", "import", str(a), str(b),
                        "--json"], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"errors", "counts"}
    assert {(e["sheet"], e["cell"]) for e in out["errors"]} == {(s, c) for _, s, c in EXPECTED_CELLS}
    assert all(set(e) >= {"sheet", "cell", "message"} for e in out["errors"])
    f2 = next(e for e in out["errors"] if (e["sheet"], e["cell"]) == ("子基金", "F2"))
    assert f2["message"] == 'committed size: "abc" is not a number'

    r = subprocess.run([sys.executable, "-m", "fundtrack", "--db", db_url, "import", str(a)], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert '子基金!F2: 认缴规模 "abc" 不是数字' in r.stdout
    assert "数据库未作任何改动" in r.stdout
