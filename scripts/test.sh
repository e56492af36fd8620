#!/usr/bin/env bash
# The whole suite on SQLite and on PostgreSQL (FUNDTRACK_TEST_PG_URL adds the PostgreSQL
# parameter to every database test), plus the layering contracts.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUNDTRACK_TEST_PG_URL=${FUNDTRACK_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
.venv/bin/lint-imports
.venv/bin/python -m pytest -n 2 -q "$@"
