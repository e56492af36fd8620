#!/usr/bin/env bash
# One command from a fresh clone: install, build the demo portfolio in the default SQLite
# database, print its summary and write this quarter's report to out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A default database left by an earlier version is brought up to this schema (a new one is
# simply created): the commands refuse a database whose schema is behind.
.venv/bin/fundtrack db upgrade
.venv/bin/fundtrack demo
mkdir -p out
.venv/bin/fundtrack report --quarter "${QUARTER:-2026Q3}" -o "out/季度报告-${QUARTER:-2026Q3}.xlsx"
echo "报告 report: out/季度报告-${QUARTER:-2026Q3}.xlsx"
