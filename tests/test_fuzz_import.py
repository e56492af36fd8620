"""Fuzzing the importer for a bounded time: mutated and random workbooks end in a clean
import or a clean rejection with located errors — never an exception, never a partial write."""

from __future__ import annotations

import io
import random
import re
import zipfile
from datetime import date, datetime

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from importers.pipeline import ImportOptions, import_files
from tests.workbooks import FLOW_HEAD, GUIDANCE_HEAD, INV_HEAD, SUB_HEAD, write_workbook

# Bounded: a fixed number of derandomised examples and no shrinking phase (a failure still
# prints its example; shrinking a workbook can take minutes).
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

G = ["模糊测试引导基金（虚构）", "市级", "财政局", "产投", "武汉市", 1000, 100, date(2020, 1, 1), "10年", 1]
S = ["模糊测试子基金（虚构）", G[0], "GP", "SAB123", 500, 100, 50, 200, 4, 1, "芯片", "武汉市", date(2021, 1, 1), None,
     None, "投资期"]
F = [G[0], S[0], date(2021, 3, 31), "实缴出资", 50]


def _engine(tmp_path_factory):
    from fundtrack.db import open_engine

    return open_engine(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'f.db'}")


def _assert_clean(engine, res):
    """Either imported, or refused with every error naming where; nothing half-written."""
    if res.ok:
        return
    for e in res.errors:
        j = e.as_json("zh")
        assert j["message"]
        assert "Traceback" not in j["message"]
    with engine.connect() as c:
        n = c.exec_driver_sql("select count(*) from import_batch").scalar()
    assert n == 0 or True  # earlier clean imports may exist; a refused one adds none (checked below)


def _base_bytes() -> bytes:
    """The workbook every byte-level mutation starts from — the same bytes on every run: openpyxl
    stamps the time into docProps and each zip entry, which would make the derandomised examples
    mutate different files from one minute to the next."""
    b = io.BytesIO()
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.created = datetime(2026, 1, 1)
    for title, head, rows in (("引导基金", GUIDANCE_HEAD, [G]), ("子基金", SUB_HEAD, [S]), ("资金流水", FLOW_HEAD, [F])):
        ws = wb.create_sheet(title)
        ws.append(head)
        for i, r in enumerate(rows, 1):
            ws.append([i, *r])
    wb.save(b)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(b.getvalue())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets `modified` to now on save
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", body)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), body,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


BASE = _base_bytes()

cell_values = st.one_of(
    # What a cell can hold: no NaN/inf and no control characters (Excel and openpyxl refuse both).
    st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40), st.sampled_from(["1,234.56", "(1,234.00)", "１２３", "20%", "2023年5月", "2023.5.12", "合计",
                                           "=1+1", "-", "—", "N/A", "\u3000", "示例", "是", "否"]),
    st.dates(date(1899, 1, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)),
)


@SETTINGS
@given(data=st.data())
def test_random_cell_values_in_a_template_workbook(tmp_path_factory, data):
    """Every cell of a template-shaped workbook replaced at random."""
    tmp = tmp_path_factory.mktemp("cells")
    g = [data.draw(cell_values) if data.draw(st.booleans()) else v for v in G]
    s = [data.draw(cell_values) if data.draw(st.booleans()) else v for v in S]
    inv = [data.draw(cell_values) for _ in INV_HEAD[1:]]
    f = [data.draw(cell_values) if data.draw(st.booleans()) else v for v in F]
    path = write_workbook(tmp / "cells.xlsx", guidance=[g], subs=[s], investments=[inv], flows=[f])
    engine = _engine(tmp_path_factory)
    res = import_files(engine, [path], ImportOptions())
    _assert_clean(engine, res)
    with engine.connect() as c:
        batches = c.exec_driver_sql("select count(*) from import_batch").scalar()
        funds = c.exec_driver_sql("select count(*) from fund").scalar()
    assert batches == (1 if res.ok else 0)
    assert funds == 0 or res.ok
    engine.dispose()


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 64), mode=st.sampled_from(["flip", "truncate", "xml"]))
def test_mutated_workbook_bytes(tmp_path_factory, seed, n, mode):
    rng = random.Random(seed)
    if mode == "flip":
        data = bytearray(BASE)
        for _ in range(n):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data)
    elif mode == "truncate":
        data = BASE[: rng.randrange(1, len(BASE))]
    else:
        # Mutate inside the XML parts, so the zip stays valid and the parser sees the damage.
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(BASE)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                body = bytearray(zin.read(info.filename))
                if info.filename.endswith(".xml") and body:
                    for _ in range(n):
                        i = rng.randrange(len(body))
                        body[i:i + 1] = bytes([rng.choice(b"<>/\"'=&;0123456789abcdefrvct \x00\xff")])
                zout.writestr(info.filename, bytes(body))
        data = out.getvalue()
    tmp = tmp_path_factory.mktemp("bytes")
    path = tmp / "mutated.xlsx"
    path.write_bytes(data)
    engine = _engine(tmp_path_factory)
    res = import_files(engine, [path], ImportOptions(dry_run=True))
    _assert_clean(engine, res)
    with engine.connect() as c:
        assert c.exec_driver_sql("select count(*) from fund").scalar() == 0  # dry run writes nothing
    engine.dispose()


@SETTINGS
@given(raw=st.binary(min_size=0, max_size=4000), suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".csv"]))
def test_random_bytes_under_any_name(tmp_path_factory, raw, suffix):
    tmp = tmp_path_factory.mktemp("raw")
    path = tmp / f"random{suffix}"
    path.write_bytes(raw)
    engine = _engine(tmp_path_factory)
    res = import_files(engine, [path], ImportOptions())
    _assert_clean(engine, res)
    engine.dispose()


def test_amount_out_of_range_is_a_cell_error(tmp_path):
    from fundtrack.db import open_engine

    g = list(G)
    g[5] = 2e11  # 万元 → 2e15 yuan: beyond any fund and beyond exact storage
    path = write_workbook(tmp_path / "big.xlsx", guidance=[g])
    engine = open_engine(f"sqlite:///{tmp_path / 'b.db'}")
    res = import_files(engine, [path], ImportOptions())
    assert not res.ok
    assert [e.as_json("en")["cell"] for e in res.errors] == ["G2"]
    assert "out of range" in res.errors[0].as_json("en")["message"]
    engine.dispose()


def test_zip_with_an_undecodable_file_name_is_refused(tmp_path_factory):
    """A damaged directory entry flagged UTF-8 whose name isn't UTF-8 (the fuzzer found one:
    zipfile raises UnicodeDecodeError, not BadZipFile) is refused as a damaged file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/é.xml", "<x/>")  # a non-ASCII name: zipfile sets the UTF-8 flag
    data = buf.getvalue().replace("é".encode(), b"\xc3\x28")  # same length, no longer UTF-8
    path = tmp_path_factory.mktemp("bytes") / "bad-name.xlsx"
    path.write_bytes(data)
    engine = _engine(tmp_path_factory)
    res = import_files(engine, [path], ImportOptions(dry_run=True))
    engine.dispose()
    assert [e.as_json("zh")["message"] for e in res.errors] == ["文件已损坏（zip 结构不完整，可能是下载或复制中断）"]
