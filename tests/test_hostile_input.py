"""Hostile and broken files are refused with a clear message — never a traceback, never a write.
(Time and memory per file are measured by benchmarks/hostile_bench.py.)"""

from __future__ import annotations

import random
from datetime import date

import pytest

from importers.pipeline import ImportOptions, import_files
from tests import hostile
from tests.workbooks import write_workbook

EXPECT = {
    "zip_bomb.xlsx": "zip bomb",
    "billion_laughs.xlsx": "entity",
    "million_rows.xlsx": "rows",
    "truncated.xlsx": "damaged",
    "really_a_pdf.xlsx": "PDF",
    "password.xlsx": "password",
    "random.xlsx": "",
    "random.xls": "",
    "other_zip.xlsx": "workbook",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    return {name: make(d / name) for name, make in hostile.CORPUS.items()}


@pytest.mark.parametrize("name", sorted(hostile.CORPUS))
def test_hostile_file_is_refused_cleanly(name, corpus, tmp_path):
    from fundtrack.db import open_engine

    engine = open_engine(f"sqlite:///{tmp_path / 'h.db'}")
    res = import_files(engine, [corpus[name]], ImportOptions())
    assert not res.ok
    msgs = [e.as_json("en")["message"] for e in res.errors]
    assert any(EXPECT[name].lower() in m.lower() for m in msgs), msgs
    assert all("Traceback" not in m for m in msgs)
    zh = [e.as_json("zh")["message"] for e in res.errors]
    assert all(m for m in zh)
    with engine.connect() as c:
        assert c.exec_driver_sql("select count(*) from import_batch").scalar() == 0
    engine.dispose()


def test_sheet_too_long_without_a_dimension_is_refused(tmp_path):
    from fundtrack.db import open_engine

    f = hostile.million_rows(tmp_path / "nodim.xlsx", with_dimension=False, rows=600_000)
    engine = open_engine(f"sqlite:///{tmp_path / 'h.db'}")
    res = import_files(engine, [f], ImportOptions())
    assert not res.ok and any("rows" in e.as_json("en")["message"] for e in res.errors)
    engine.dispose()


def test_32k_character_cell_is_a_cell_error(engine, tmp_path):
    from fundtrack.uscc import make_uscc

    g = ["测试引导基金（虚构）", "市级", "财政局", "产投", "武汉市", 1000, 100, date(2020, 1, 1), "10年", 1]
    s = ["测试子基金（虚构）", g[0], "GP", "SAB123", 500, 100, 50, 200, 4, 1, "芯片", "武汉市", date(2021, 1, 1), None, None,
         "投资期"]
    long_name = "长" * 32_000
    inv = [long_name, make_uscc(random.Random(1)), s[0], "芯片", "武汉市", "A轮", date(2022, 1, 1), 10, 0.1, 10, "", "", 0,
           None]
    f = write_workbook(tmp_path / "long.xlsx", guidance=[g], subs=[s], investments=[inv])
    res = import_files(engine, [f], ImportOptions())
    assert not res.ok
    cells = [e.as_json("en")["cell"] for e in res.errors]
    assert "B2" in cells, res.as_json("en")
