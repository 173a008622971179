#!/usr/bin/env bash
# The whole test suite: lint (ruff), types (mypy), then pytest on both cores.
# Starts a throw-away PostgreSQL server when the binaries are installed: the engine tests use it,
# and a second pytest pass runs every archive test on it (ARSIP_TEST_DATABASE=postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff"; ruff check ingest archive search api tests bench
echo "==> mypy"; mypy

# shellcheck source=scripts/pg.sh
source scripts/pg.sh
pg_start_if_available

echo "==> pytest (archive on SQLite; engine-parametrised tests on both)"
set +e
start=$SECONDS
python -m pytest -n 2 -q "$@"
rc=$?
echo "==> first pass: $((SECONDS - start)) s"
if [ -n "${ARSIP_TEST_POSTGRES_URL:-}" ]; then
  # every test that opens an archive again, now on PostgreSQL (tests/backend.py)
  echo "==> pytest (archive on PostgreSQL)"
  start=$SECONDS
  ARSIP_TEST_DATABASE=postgres python -m pytest -n 2 -q -m archive_db "$@"
  rc2=$?
  echo "==> PostgreSQL pass: $((SECONDS - start)) s"
  [ $rc -ne 0 ] || rc=$rc2
fi
set -e
pg_stop
exit $rc
