"""DESIGN §1 layering: the import-linter contracts in pyproject hold, and the core starts
without the heavy libraries (they are imported lazily by the commands that need them)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 3 kept, 0 broken" in r.stdout


def test_cli_help_loads_no_heavy_module():
    code = (
        "import sys, json\n"
        "from fundtrack.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pandas','openpyxl','python_calamine','textual','sqlalchemy','sqlmodel','xlsxwriter','pyxirr','numpy'})))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(r.stdout) == []


def test_core_packages_never_import_textual():
    code = (
        "import sys, fundtrack.services.summary, fundtrack.services.compliance, fundtrack.cli\n"
        "print('textual' in sys.modules)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False"
