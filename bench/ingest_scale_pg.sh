#!/usr/bin/env bash
# bench/ingest_scale.py on a throw-away PostgreSQL server, started as scripts/test.sh starts it
# (scripts/pg.sh: a temp dir, a Unix socket, no network port) but with fsync on, as a real server
# runs: the queue's overhead per job and pages per second with 1 and 2 workers on PostgreSQL.
# Arguments go to the bench, e.g. `bash bench/ingest_scale_pg.sh --empty 200 --long-scan 0`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
# shellcheck source=scripts/pg.sh
source scripts/pg.sh
PG_OPTIONS="-c fsync=on"
pg_start_if_available
trap pg_stop EXIT
if [ -z "${ARSIP_TEST_POSTGRES_URL:-}" ]; then
  echo "PostgreSQL tidak terpasang: apt-get install postgresql" >&2
  exit 1
fi
python bench/ingest_scale.py --postgres "$ARSIP_TEST_POSTGRES_URL" "$@"
