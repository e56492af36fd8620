#!/usr/bin/env bash
# Create .venv and install fundtrack with its test tools (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# Byte-compile the project once, as a regular (non-editable) install does: with
# PYTHONDONTWRITEBYTECODE set (as on CI) every command would otherwise recompile it at start-up.
.venv/bin/python -m compileall -q fundtrack importers reports tui > /dev/null
