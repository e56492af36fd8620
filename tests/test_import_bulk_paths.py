"""Bulk shortcuts equal the per-value definitions they stand in for (hypothesis).

A big sheet's columns are converted in bulk where every value is already clean: the names
joined and normalised as one string, a column's USCCs checked as one numpy array. These
properties pin each shortcut to the function it replaces, on arbitrary text.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from fundtrack.names import normalise_name, normalise_names
from fundtrack.uscc import make_uscc
from importers import parse
from importers.problems import CellError

# Text finance staff type, and what breaks normalisation: full-width forms, brackets, every
# kind of space, combining marks (which compose across a boundary if anything does), ß/ς/Σ
# (case folding), compatibility characters (㈱, ﬁ), CJK.
_ALPHABET = st.sampled_from(list("测试（）() 　\t\nAbcΣςßﬁ㈱１２３-—/") + ["\u0301", "\u0308", "e", "公司", "有限合伙"])
_TEXT = st.lists(_ALPHABET, max_size=12).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_TEXT, max_size=30))
def test_normalise_names_is_normalise_name_mapped(names):
    assert normalise_names(names) == [normalise_name(n) for n in names]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_TEXT, max_size=30))
def test_unchanged_names_and_texts_are_returned_unchanged(values):
    for bulk, one in ((parse.unchanged_names, parse.name), (parse.unchanged_texts, parse.text)):
        for v in bulk(values):
            assert one(v) == v


def test_clean_names_are_all_found_unchanged():
    names = [f"测试企业{i:05d}有限公司（虚构）" for i in range(50)]
    assert parse.unchanged_names(names) == set(names)
    assert parse.unchanged_texts(["湖北省武汉市东湖新技术开发区", "集成电路"]) == {"湖北省武汉市东湖新技术开发区"}
    # One name needing work sends the whole column to the per-value path.
    assert parse.unchanged_names(names + ["测试 企业有限公司"]) == set()


def test_valid_usccs_is_the_per_value_check():
    rng = random.Random(3)
    good = [make_uscc(rng) for _ in range(300)]
    bad = [g[:17] + ("0" if g[17] != "0" else "1") for g in good[:50]]  # wrong check digit
    odd = ["91420100MA4KXXXXXI", "短", "９１４２０１００ＭＡ４ＫＸＸＸＸＸ０", "91420100ma4k12345x"]
    got = parse.valid_usccs(good + bad + odd)
    assert got == set(good)
    for v in good + bad + odd:
        try:
            same = parse.uscc_text(v) == v
        except CellError:
            same = False
        assert (v in got) == same, v


# What a sheet's first cells and probe columns hold: totals, examples, footnotes, unit notes,
# white space of every kind, NUL, numbers and blanks among the texts.
_CELL_TEXT = st.lists(st.sampled_from(list("合小总累计示例样eEＥｅ注备说填制审复负单位数资nN表人 　\t\x1c\x85\u2028\x00测试1")),
                      max_size=6).map("".join)
_CELL = st.one_of(_CELL_TEXT, st.none(), st.floats(allow_nan=False), st.integers(0, 9))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_CELL, max_size=25))
def test_joined_look_and_footer_scans_keep_every_row_the_loop_would(column):
    """records._could_start_a_look and _could_be_a_footer (one regex over a NUL-joined column)
    never miss a value the row-by-row tests of _record_rows would look at."""
    from importers.records import _EXAMPLE, _FOOTER_FIRST, _TOTAL_FIRST, _could_be_a_footer, _could_start_a_look

    candidates = _could_start_a_look(column)
    for v in column:
        if v.__class__ is str and v and (v[0] in _TOTAL_FIRST or v[0].isspace() or v.strip().casefold() in _EXAMPLE):
            assert v in candidates, v
    footer = _could_be_a_footer(column)
    any_footer = any(f.__class__ is str and (f[:1] in _FOOTER_FIRST or f.isspace() or "单位" in f) for f in column)
    assert footer is None or footer is any_footer or (footer and not any_footer)
    if any_footer:
        assert footer is not False
    texts_only = all(v.__class__ is str for v in column)
    assert (footer is None) is (not texts_only or any("\x00" in v for v in column))


def test_first_import_plans_companies_as_the_row_by_row_planner_does(new_db_url, tmp_path, monkeypatch):
    """plan.Planner._all_fresh (no company of the files in the database: all planned at once)
    gives what the per-company loop gives, on a file with repeated companies, one without
    USCC, two spellings of one name and several rounds of one company."""
    from datetime import date

    from sqlalchemy import text

    from fundtrack.db import open_engine
    from importers import plan
    from importers.pipeline import import_files
    from tests.test_audit import G, S1
    from tests.test_import_messy import stored
    from tests.workbooks import write_workbook

    rng = random.Random(17)
    codes = [make_uscc(rng) for _ in range(6)]
    rows = [["甲科技有限公司（虚构）", codes[0], S1[0], "集成电路", "", "A轮", date(2022, 1, 3), 100, 0.1, 120, "是", "未退出", 0, None],
            ["乙科技有限公司（虚构）", codes[1], S1[0], "", "武汉市", "A轮", date(2022, 2, 3), 200, 0.1, 0, "否", "未退出", 0, None],
            ["甲科技有限公司（虚构）", codes[0], S1[0], "", "武汉市江夏区", "B轮", date(2023, 1, 3), 300, 0.1, 0, "是", "未退出", 0, None],
            ["丙 科技有限公司(虚构)", None, S1[0], "光电子", "", "天使轮", date(2021, 5, 3), 50, 0.2, 0, "否", "未退出", 0, None],
            ["丙科技有限公司（虚构）", codes[2], S1[0], "", "黄石市", "A轮", date(2022, 5, 3), 80, 0.2, 0, "否", "未退出", 0, None],
            ["丁科技有限公司（虚构）", codes[3], S1[0], "生物医药", "孝感市", "A轮", date(2022, 6, 3), 90, 0.05, 0, "是", "未退出", 0, None]]
    book = write_workbook(tmp_path / "plan.xlsx", guidance=[G], subs=[S1], investments=rows)
    results = []
    for at_once in (True, False):
        paths = []
        real = plan.Planner._none_stored
        monkeypatch.setattr(plan.Planner, "_none_stored",
                            lambda self, cs: paths.append(1) or (real(self, cs) if at_once else False))
        engine = open_engine(new_db_url())
        try:
            res = import_files(engine, [book])
            assert res.ok, res.errors
            got = stored(engine)
            with engine.connect() as c:
                rows_ = [tuple(r) for r in c.execute(text(
                    "select id, name, name_key, uscc, industry, registered_place, src_row from company order by id"))]
                inv = [tuple(r) for r in c.execute(text(
                    "select id, investor_id, company_id, round, src_row from investment order by id"))]
            results.append((got["companies"], got["investments"], rows_, inv, res.counts))
        finally:
            engine.dispose()
        assert paths  # the companies were planned through the branch under test
    assert results[0] == results[1]
    assert len(results[0][0]) == 4  # 甲, 乙, 丙 (two spellings, merged), 丁
