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
    for fmt in ("ods", "xls"):
        r = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{d / 'profile'}", "--headless", "--convert-to",
                            fmt, "--outdir", str(d / fmt), *map(str, src)], capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stderr
        out[fmt] = [d / fmt / f"{p.stem}.{fmt}" for p in src]
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
