#!/usr/bin/env bash
# The whole test suite: lint (ruff), types (mypy), then pytest on both cores.
# Starts a throw-away PostgreSQL server for the engine tests when the binaries are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff"; ruff check ingest archive search api tests bench
echo "==> mypy"; mypy

# shellcheck source=scripts/pg.sh
source scripts/pg.sh
pg_start_if_available

echo "==> pytest"
set +e
python -m pytest -n 2 -q "$@"
rc=$?
set -e
pg_stop
exit $rc
