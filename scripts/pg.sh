# A throw-away PostgreSQL server for the tests, on a Unix socket in a temp dir (never a network port).
# Sourced by scripts/test.sh (and bench/ingest_scale_pg.sh); sets ARSIP_TEST_POSTGRES_URL when the
# server is up.  PG_OPTIONS: server options (default `-c fsync=off`: the tests need no durability).
pg_start_if_available() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ]; then
    echo "==> PostgreSQL not installed: its tests will be skipped"; return 0
  fi
  PG_DIR=$(mktemp -d /tmp/arsip-pg.XXXXXX)
  local run_as=()
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd -r postgres
    chown postgres "$PG_DIR"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U arsip -A trust >/dev/null
  "${run_as[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
      -o "-k $PG_DIR -c listen_addresses='' ${PG_OPTIONS:--c fsync=off}" start >/dev/null
  export ARSIP_TEST_POSTGRES_URL="postgresql+psycopg://arsip@/postgres?host=$PG_DIR"
  PG_BIN="$bindir"; PG_RUN_AS=("${run_as[@]}")
  echo "==> PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on $PG_DIR"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
