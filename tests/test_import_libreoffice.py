"""Workbooks re-saved by LibreOffice (as .ods and as .xls) import to the same figures — hidden
rows, merged two-row headers and totals survive the round trip. Skipped without `soffice`."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from importers.pipeline import import_files
from tests import messy
from tests.messy import EXPECTED
from tests.test_import_messy import stored

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    d = tmp_path_factory.mktemp("lo")
    src = [messy.portfolio_openpyxl(d / "funds.xlsx"), messy.portfolio_xlsxwriter(d / "inv.xlsx")]
    out = {}
    for fmt in ("ods", "xls", "xlsx"):
        r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{d / 'profile'}", "--headless", "--convert-to",
                            fmt, "--outdir", str(d / fmt), *map(str, src)], capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stderr
        out[fmt] = [d / fmt / f"{p.stem}.{fmt}" for p in src]
    # A big investment sheet saved by LibreOffice as .xlsx (its own XML conventions:
    # hidden="false" on every row, shared strings, style ids).
    from tests.test_import_fastsheet import clean_book

    book = clean_book(d / "big.xlsx", rows=80, hidden=(7, 30))
    r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{d / 'profile'}", "--headless", "--convert-to",
                        "xlsx", "--outdir", str(d / "lo"), str(book)], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr
    out["big"] = d / "lo" / "big.xlsx"
    return out


def test_libreoffice_round_trip(engine, converted):
    res = import_files(engine, converted["ods"])
    assert res.ok, [p.render() for p in res.errors]
    got = stored(engine)
    assert got["funds"] == EXPECTED["funds"]
    assert got["commitments"] == EXPECTED["commitments"]
    assert got["flows"] == EXPECTED["flows"]
    assert {k: v[0] for k, v in got["investments"].items()} == {k: v[0] for k, v in EXPECTED["investments"].items()}
    # The .xls copy (BIFF8, hidden rows flagged in ROW records) means exactly the same.
    res = import_files(engine, converted["xls"])
    assert res.ok, [p.render() for p in res.errors]
    assert all(c["added"] == 0 and c["changed"] == 0 for c in res.counts.values()), res.counts


def test_libreoffice_xlsx_through_the_big_sheet_reader(engine, new_db_url, converted, monkeypatch):
    """The fast reader on LibreOffice's .xlsx gives the import the normal reader gives."""
    import importers.fastsheet as fastsheet
    from importers.read import read_file
    from tests.test_import_fastsheet import _import_both, _same

    monkeypatch.setattr(fastsheet, "MIN_PART_BYTES", 0)
    monkeypatch.setattr(fastsheet, "PROBE_ROWS", 6)
    inv = {s.name: s for s in read_file(converted["big"])}["投资项目"]
    assert inv.body is not None and sorted(inv.hidden) == [12, 35]  # read the fast way
    res_fast, res_slow, a, b = _import_both(engine, new_db_url, [converted["big"]], monkeypatch)
    assert res_fast.ok, [p.render() for p in res_fast.errors]
    assert res_fast.counts["投资项目"]["added"] == 78  # two hidden rows left out
    _same(res_fast, res_slow, a, b)
