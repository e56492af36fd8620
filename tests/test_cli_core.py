"""The CLI as scripts use it: real subprocesses on a real database."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from fundtrack.services.summary import SUMMARY_KEYS
from tests.factories import make_small_portfolio


def ft(db_url, *args, check=True):
    r = subprocess.run([sys.executable, "-m", "fundtrack", "--db", db_url, *args], capture_output=True, text=True,
                       env={**os.environ, "COLUMNS": "120"})
    if check:
        assert r.returncode == 0, r.stderr
    return r


def test_summary_json_shape_and_types(engine, db_url):
    make_small_portfolio(engine)
    out = json.loads(ft(db_url, "summary", "--as-of", "2026-09-30", "--json").stdout)
    assert out["as_of"] == "2026-09-30"
    assert [set(f) for f in out["guidance_funds"]] == [set(SUMMARY_KEYS)] * 2
    assert set(out["totals"]) == set(SUMMARY_KEYS) - {"name"}
    f = out["guidance_funds"][0]
    assert isinstance(f["committed"], float) and isinstance(f["sub_fund_count"], int)
    assert f["committed"] == 1_000_000_000.0
    # amounts add up across funds in the totals
    for k in ("committed", "paid_in", "guidance_commitment", "direct_invested", "reinvest_required",
              "reinvest_achieved"):
        assert out["totals"][k] == pytest.approx(sum(g[k] for g in out["guidance_funds"]))


def test_summary_table_for_people_in_chinese(engine, db_url):
    make_small_portfolio(engine)
    r = ft(db_url, "summary", "--as-of", "2026-09-30")
    assert "放大倍数" in r.stdout and "武汉测试引导基金（虚构）" in r.stdout and "合计" in r.stdout
    assert "4.00x" in r.stdout  # leverage, total basis
    en = ft(db_url, "--lang", "en", "summary", "--as-of", "2026-09-30")
    assert "Leverage" in en.stdout and "Total" in en.stdout


def test_summary_rejects_a_bad_date(db_url):
    r = ft(db_url, "summary", "--as-of", "2026-13-01", check=False)
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    from fundtrack.db import open_engine

    url = f"sqlite:///{tmp_path / 'live.db'}"
    e = open_engine(url)
    make_small_portfolio(e)
    before = json.loads(ft(url, "summary", "--as-of", "2026-09-30", "--json").stdout)
    bak = tmp_path / "backup.db"
    ft(url, "db", "backup", str(bak))
    assert bak.stat().st_mode & 0o777 == 0o600
    assert ft(url, "db", "backup", str(bak), check=False).returncode == 1  # never overwrites
    with e.begin() as c:
        c.exec_driver_sql("delete from cash_flow")
    assert json.loads(ft(url, "summary", "--as-of", "2026-09-30", "--json").stdout) != before
    ft(url, "db", "restore", str(bak))
    assert json.loads(ft(url, "summary", "--as-of", "2026-09-30", "--json").stdout) == before
    e.dispose()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    r = ft(url, "db", "restore", str(junk), check=False)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    with sqlite3.connect(tmp_path / "live.db") as c:
        assert c.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_masked_password_in_messages():
    from fundtrack.db import mask_url

    assert "s3cret" not in mask_url("postgresql+psycopg://alice:s3cret@db.example/ft")
    assert "***" in mask_url("postgresql+psycopg://alice:s3cret@db.example/ft")


def test_read_only_is_accepted_with_or_without_the_tui_command():
    from fundtrack.cli import build_parser

    assert build_parser().parse_args(["--read-only"]).read_only is True
    assert build_parser().parse_args(["tui", "--read-only"]).read_only is True
    assert build_parser().parse_args(["tui"]).read_only is False
    assert build_parser().parse_args([]).read_only is False


def test_a_closed_pipe_is_not_a_traceback(engine, db_url):
    """`fundtrack history --json | head`: the reader leaves before the output is written; the
    console script stops quietly (exit 141, as for SIGPIPE) instead of printing a traceback."""
    from tests.factories import make_small_portfolio

    make_small_portfolio(engine)
    code = "import sys; from fundtrack.cli import entry; sys.argv[0] = 'fundtrack'; entry()"
    # print() output: our handler (141); Rich's tables: Rich's own handler (it exits with 1).
    for args, rc in ((["history", "--json"], 141), (["summary", "--json"], 141), (["summary"], 1)):
        p = subprocess.Popen([sys.executable, "-c", code, "--db", db_url, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdout.close()  # nobody reads: every write is a broken pipe
        err = p.stderr.read().decode()
        assert p.wait(timeout=60) == rc, err
        assert "Traceback" not in err and "Exception ignored" not in err, err
