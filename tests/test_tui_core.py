"""The TUI's headless core (tui/core): table sources, scopes, pinyin matching, exports, settings.

No Textual here: these run in milliseconds. The database tests run on every back-end.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from tests.factories import make_small_portfolio
from tui.core.sources import Column, MemorySource, format_cell, rows_of, wan

AS_OF = date(2026, 9, 30)


# ---------------------------------------------------------------------------------------------
# Formatting


def test_wan_matches_the_core_formatter_exactly():
    from fundtrack.format import fmt_wan

    rng = random.Random(7)
    values = [0, 1, -1, 4_999, 5_000, 5_001, 15_000, 25_000, -5_000, -15_000, 9_995_000, 99_999_999]
    values += [rng.randint(-10**14, 10**14) for _ in range(20_000)] + [rng.randint(-10**7, 10**7) for _ in range(20_000)]
    assert [wan(v) for v in values] == [fmt_wan(v) for v in values]


def test_format_cell_kinds():
    assert format_cell("money", 123_456_789) == "123.46"
    assert format_cell("ratio", 0.25) == "25.0%"
    assert format_cell("multiple", 4) == "4.00x"
    assert format_cell("money_delta", 1_000_000) == "+1.00"
    assert format_cell("money_delta", 0) == "0.00"
    assert format_cell("pp_delta", -0.012) == "-1.2pp"
    assert format_cell("ratio", None) == "—"
    assert format_cell("text", None) == ""
    assert format_cell("measure", ("multiple", 2.5)) == "2.50x"
    assert format_cell("bar", 0.5, 8) == "████    "
    assert format_cell("bar", 0.5, 1) == "▌"
    assert format_cell("bar", 0.001, 4) == "▏   "  # above zero stays visible
    assert format_cell("bar", 0, 4) == "    "


# ---------------------------------------------------------------------------------------------
# In-memory source


def _mem():
    cols = [Column("name", "名称", pinyin=True), Column("amount", "金额", "money"), Column("r", "比例", "ratio")]
    rows = [("武汉光谷基金", 300, 0.2), ("湖北长江基金", None, 0.5), ("Alpha 基金", 100, None), ("宜昌基金", 200, 0.1)]
    return MemorySource("t", cols, rows, keys=["wh", "hb", "al", "yc"])


def test_memory_source_sorts_with_blanks_last_both_ways():
    s = _mem()
    s.set_view(s.prepare(sort_key="amount", descending=True))
    assert [s.key(i) for i in range(len(s))] == ["wh", "yc", "al", "hb"]
    s.set_view(s.prepare(sort_key="amount", descending=False))
    assert [s.key(i) for i in range(len(s))] == ["al", "yc", "wh", "hb"]
    s.set_view(s.prepare(sort_key="r", descending=True))
    assert [s.key(i) for i in range(len(s))][-1] == "al"


def test_memory_source_filters_by_text_pinyin_initials_and_several_words():
    s = _mem()
    s.set_view(s.prepare("光谷"))
    assert [s.key(i) for i in range(len(s))] == ["wh"]
    s.set_view(s.prepare("hbcj"))  # 湖北长江 by its pinyin initials
    assert [s.key(i) for i in range(len(s))] == ["hb"]
    s.set_view(s.prepare("alpha"))  # case-insensitive
    assert [s.key(i) for i in range(len(s))] == ["al"]
    s.set_view(s.prepare("基金 宜昌"))  # every word must match
    assert [s.key(i) for i in range(len(s))] == ["yc"]
    assert s.total == 4 and len(s) == 1
    s.set_view(s.prepare("nothing-like-this"))
    assert len(s) == 0 and s.index_of("wh") is None


# ---------------------------------------------------------------------------------------------
# Pinyin matching


def test_pinyin_scores_names_initials_and_polyphones():
    from tui.core.pinyin import entry, score, search

    wh = entry(1, "武汉测试引导基金（虚构）")
    cj = entry(2, "湖北省长江产业基金")
    cq = entry(3, "重庆银行股权投资基金")
    for q in ("武汉", "whcs", "wuhan", "whyd"):
        assert score(q, wh) is not None, q
    assert score("zzzz", wh) is None
    # 湖北省长江 is read 省长+江 by phrase segmentation; the per-character readings still find it.
    assert score("hbscj", cj) is not None and score("cjcy", cj) is not None
    assert score("cqyh", cq) is not None
    # A prefix on the name ranks above a subsequence of initials.
    hits = search("wh", [wh, cj, entry(4, "光谷武汉基金")])
    assert hits[0][1].key == 1


# ---------------------------------------------------------------------------------------------
# Dates and regions


def test_quarters_and_cities():
    from tui.core.views import city_of, previous_quarter_end, report_quarter

    assert previous_quarter_end(date(2026, 9, 30)) == date(2026, 6, 30)
    assert previous_quarter_end(date(2026, 11, 15)) == date(2026, 9, 30)
    assert previous_quarter_end(date(2026, 1, 1)) == date(2025, 12, 31)
    assert report_quarter(date(2026, 9, 30)) == "2026Q3" and report_quarter(date(2026, 11, 23)) == "2026Q3"
    assert city_of("湖北省武汉市东湖新技术开发区") == "武汉"
    assert city_of("宜昌市猇亭区") == "宜昌"
    assert city_of("上海市浦东新区") == "上海"
    assert city_of(None) == "（未填）"


# ---------------------------------------------------------------------------------------------
# Settings and keymap


def test_settings_and_keymap_files(tmp_path):
    from tui.settings import load_settings

    (tmp_path / "tui.toml").write_text('[tui]\nlang = "en"\ntheme = "textual-light"\ncursor_blink = false\n',
                                       encoding="utf-8")
    (tmp_path / "keymap.toml").write_text(
        '[keymap]\n"app.jump" = "f"\n"table.filter" = ["f2", "slash"]\nbad = 3\n[keymap.table]\nsort = "o"\n',
        encoding="utf-8")
    s = load_settings(tmp_path)
    assert (s.lang, s.theme, s.cursor_blink) == ("en", "textual-light", False)
    assert s.keymap == {"app.jump": "f", "table.filter": "f2,slash", "table.sort": "o"}
    assert any("bad" in p for p in s.problems)
    (tmp_path / "keymap.toml").write_text("not toml [", encoding="utf-8")
    s = load_settings(tmp_path)
    assert s.keymap == {} and s.problems  # reported, never fatal


def test_light_tables_mirror_the_models():
    from fundtrack.models import ALL_TABLES
    from tui.core import light

    real = {m.__tablename__: m.__table__ for m in ALL_TABLES}
    for t in light.meta.sorted_tables:
        for c in t.columns:
            rc = real[t.name].c[c.name]
            assert type(rc.type).__name__ in (type(c.type).__name__, "Money", "AutoString"), (t.name, c.name)


# ---------------------------------------------------------------------------------------------
# The store on a real database (every back-end)


@pytest.fixture
def store(engine):
    from tui.core.store import Store

    ids = make_small_portfolio(engine)
    s = Store(engine, AS_OF)
    s.ids = ids
    return s


def test_tree_queries(store):
    ids = store.ids
    g = store.guidance_funds()
    assert [f.name for f in g] == ["湖北省测试母基金（虚构）", "武汉测试引导基金（虚构）"]  # 省级 before 市级
    ch = store.children(ids["g1"])
    assert [f.name for f in ch.funds] == ["子基金A（有限合伙）", "子基金B"]  # largest commitment first
    assert [c.name for c in ch.companies] == ["江夏装备制造有限公司（虚构）"]  # the direct investment
    assert ch.funds[0].commitment == 100_000_000 * 100
    b = store.children(ids["B"])
    assert [f.name for f in b.funds] == ["子基金C"] and b.funds[0].has_children  # fund of funds
    limited = store.children(ids["A"], company_limit=2)
    assert len(limited.companies) == 2 and limited.companies_total == 3
    assert store.fund_path(ids["C"]) == [ids["g1"], ids["B"], ids["C"]]


def test_scope_figures_equal_the_portfolio_summary(store):
    """A guidance fund's scope (its subtree only) gives exactly `fundtrack summary`'s figures."""
    from fundtrack.services.compliance import breaches
    from fundtrack.services.summary import portfolio_summary

    full = portfolio_summary(store.engine, AS_OF)
    all_breaches = breaches(store.engine, AS_OF)
    for ff in full.funds:
        scope = store.scope(ff.fund_id)
        mine = scope.figures(ff.fund_id)
        assert mine.as_json() == ff.as_json()
        assert mine.perf == ff.perf
        sub = {f for f in scope.portfolio.funds["id"]}
        expected = sorted((b for b in all_breaches if b.fund_id in sub), key=repr)
        assert sorted(scope.breaches, key=repr) == expected


def test_sql_source_pages_filters_and_sorts(store):
    ids = store.ids
    src = store.investments_source("investments")
    src.set_view(src.prepare())
    assert len(src) == 7 and src.total == 7
    src.BLOCK = 2  # force several block fetches
    names = [r[0] for r in rows_of(src)]
    assert names[0] == "光谷芯片科技有限公司（虚构）" and len(names) == 7
    # filter as you type: company name, investor name, place, round; terms AND together
    src.set_view(src.prepare("光谷"))
    assert len(src) == 2 and src.total == 7
    src.set_view(src.prepare("子基金a"))  # case-insensitive Latin letters, via the investor's name
    assert {r[1] for r in rows_of(src)} == {"子基金A（有限合伙）"}
    src.set_view(src.prepare("武汉 A轮"))
    assert [r[0] for r in rows_of(src)] == ["光谷芯片科技有限公司（虚构）", "洪山生物医药有限公司（虚构）"]
    src.set_view(src.prepare("100%_"))  # LIKE wildcards are escaped
    assert len(src) == 0
    # sort by a joined column and by money, NULLs last
    src.set_view(src.prepare(sort_key="investor"))
    assert rows_of(src)[0][1] == "子基金A（有限合伙）"
    src.set_view(src.prepare(sort_key="amount", descending=True))
    assert [r[6] for r in rows_of(src)][:2] == [8_000_000_000, 5_000_000_000]
    # a partial view: the first rows now, the rest later
    v = src.prepare(sort_key="amount", descending=True, limit=3)
    assert v.partial and len(v.order) == 3
    assert src.prepare(limit=50).partial is False
    # scoped
    d = store.investments_source("d", investor_ids=[ids["A"]])
    assert len(d.load()) == 3
    f = store.flows_source("f", investor_ids=[ids["g1"]])
    f.load()
    assert len(f) == 7
    f.set_view(f.prepare("分配"))  # by the type's label
    assert [r[3] for r in rows_of(f)] == ["分配"]


def test_detail_and_views_compute_for_every_node(store):
    from tui.core import views
    from tui.core.detail import NodeRef, basic, figures

    ids = store.ids
    nodes = [NodeRef("root", name="全部"), NodeRef("guidance", ids["g1"], "武汉", None, ids["g1"]),
             NodeRef("sub", ids["B"], "子基金B", ids["g1"], ids["g1"], "武汉"),
             NodeRef("sub", ids["C"], "子基金C", ids["B"], ids["g1"], "子基金B"),
             NodeRef("company", ids["chip"], "光谷芯片科技有限公司（虚构）", ids["A"], ids["g1"], "子基金A")]
    for ref in nodes:
        b = basic(store, ref)
        f = figures(store, ref)
        assert b.tables and (f.kpis or ref.kind == "company")
    g = figures(store, nodes[1])
    kp = dict(g.kpis)
    assert kp["放大倍数（总规模口径）"] == "4.00x" and kp["放大倍数（社会资本口径）"] == "3.00x"
    assert g.reinvest == (8_000_000_000, 27_500_000_000, pytest.approx(80 / 275))
    c = dict(figures(store, nodes[3]).kpis)  # fund of funds: leverage of B's commitment to C
    assert c["放大倍数（总规模口径）"] == "5.00x"
    lt = views.lookthrough(store, ids["g1"], ids["g1"], "industry").load()
    total = sum(r[1] for r in rows_of(lt))
    # A 25% of 100m + B 25% of 40m + C via B 5% of 10m + 80m direct = 115.5m
    assert total == 11_550_000_000
    assert views.compliance(store, None, None).total >= 1
    m, per_fund, prev = views.changes(store, None, None)
    assert prev == date(2026, 6, 30) and len(per_fund) == 2
    t = views.timeline(store, ids["g1"])
    assert [r[0] for r in rows_of(t)] == ["2021Q1", "2022Q1", "2022Q4", "2024Q2", "2024Q3"]


# ---------------------------------------------------------------------------------------------
# Export of a table


def test_xlsx_export_writes_text_as_text(tmp_path):
    import openpyxl

    from tui.core.xlsx import write_table

    cols = [Column("name", "企业名称"), Column("amount", "金额(万元)", "money"), Column("r", "比例", "ratio"),
            Column("d", "日期", "date"), Column("b", "分布", "bar", width=5)]
    evil = ["=HYPERLINK(\"http://x\",\"y\")", "+86 27 1234", "-1+2", "@SUM(A1)", "正常名称"]
    rows = [(n, 12_345_600, 0.25, date(2026, 9, 30), 0.5) for n in evil]
    src = MemorySource("evil", cols, rows).load()
    n = write_table(src, tmp_path / "t.xlsx", "标题", AS_OF)
    assert n == 5
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(i for i, r in enumerate(values) if r[0] == "企业名称")
    assert values[header][:4] == ["企业名称", "金额(元)", "比例", "日期"]  # bars are not exported
    body = values[header + 1:]
    assert [r[0] for r in body] == evil
    for row in ws.iter_rows(min_row=header + 2):
        assert row[0].data_type == "s"  # text, never a formula
    assert body[0][1] == pytest.approx(123_456.0) and body[0][2] == 0.25
