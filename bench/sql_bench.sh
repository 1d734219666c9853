#!/usr/bin/env bash
# SQL benchmarks of issue 4 (docs/benchmarks.md, "SQL (issue 4)"). Not part of the tests.
#
#   bench/sql_bench.sh [BUILD_DIR] [COUNT]        (defaults: build-sqlbench 10000000)
#   PARTS="queries freshness" SQLITE=1 RUNS=5 ROUNDS=2 MARKERS=200 LOAD_RATE=30000 bench/sql_bench.sh
#
# queries:   loads COUNT lab records into a fresh server over HTTP (NDJSON, 500 per
#            request), waits until delivery has put them all in the lake, then times the
#            lab's queries (bench/sql_queries.tsv): gamelake POST /v1/query (client wall
#            time), DuckDB reading the same Parquet files directly (sql_duckdb_baseline,
#            same threads and memory limit as the server's SQL engine) and SQLite (same
#            rows imported from CSV, no index; needs the sqlite3 CLI: apt-get install sqlite3).
# freshness: ack-to-visible latency of marker records under a steady load
#            (bench/sql_freshness.js), with delivery.buffer_interval_s at its default (60 s)
#            and at 1 s.
# Needs BUILD_DIR/gamelake and BUILD_DIR/bench/sql_duckdb_baseline (configure with
# -DGAMELAKE_BENCH=ON) and node. Uses only 127.0.0.1; everything lives in one temp dir
# under /tmp, removed at exit with the servers it started. Each step is time-bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-sqlbench}"
count="${2:-10000000}"
runs="${RUNS:-5}"
rounds="${ROUNDS:-2}"
# The server's SQL threads run at nice +5 (QueryEngine options); BASELINE_NICE=5 gives the
# DuckDB baseline the same handicap, which matters only when other work competes for the CPU.
baseline_nice="${BASELINE_NICE:-0}"
parts="${PARTS:-queries freshness}"
markers="${MARKERS:-200}"
load_rate="${LOAD_RATE:-30000}"
bin="$build/gamelake"
baseline="$build/bench/sql_duckdb_baseline"
sql_threads=2 sql_memory=2GB  # the server's sql.threads / sql.memory_limit defaults

source bench/bench_lib.sh
bench_init sqlbench

run_queries() {
  local data="$work/data" ndjson="$work/lab.ndjson"
  mkdir -p "$data"
  start_server "$data"
  if "$bin" generate --help 2>/dev/null | grep -q -- --output; then
    log "generating $count lab records (gamelake generate --template builtin:lab)"
    local t0=$SECONDS
    timeout 600 "$bin" generate --template builtin:lab --count "$count" --output "$ndjson"
    log "generated in $((SECONDS - t0)) s, $(stat -c %s "$ndjson") bytes"
    log "loading over HTTP (NDJSON, 500 records/request, 4 connections)"
    echo "load: $(timeout 900 node bench/sql_load.js --url "http://127.0.0.1:$port" --file "$ndjson")"
    rm -f "$ndjson"
  else
    log "gamelake generate not available: bench/sql_load.js generates the lab records"
    echo "load: $(timeout 900 node bench/sql_load.js --url "http://127.0.0.1:$port" --count "$count")"
  fi
  local t0=$SECONDS
  log "waiting for delivery of $count rows"
  while :; do
    local rows
    rows="$(metric gamelake_delivery_rows_total)"
    [[ "${rows:-0}" -ge "$count" ]] && break
    ((SECONDS - t0 < 300)) || { echo "delivery did not finish: $rows rows" >&2; exit 1; }
    sleep 1
  done
  echo "delivered: $(metric gamelake_delivery_rows_total) rows in $(metric gamelake_delivery_files_total) files," \
    "$(du -sb "$data/lake/events" | cut -f1) bytes of Parquet; waited $((SECONDS - t0)) s after the load"
  echo "count(*) via SQL: $(node bench/sql_query.js --url "http://127.0.0.1:$port" --sql 'SELECT count(*) FROM events')"

  echo "plan of c_at_by: $(node bench/sql_query.js --url "http://127.0.0.1:$port" \
    --sql "EXPLAIN $(awk -F'\t' '$1 == "c_at_by" {print $2}' bench/sql_queries.tsv)")"
  # gamelake and DuckDB alternate ROUNDS times (the server idles meanwhile), so that a
  # noisy neighbour hits both alike.
  for round in $(seq "$rounds"); do
    log "round $round: gamelake /v1/query"
    echo "## round $round: gamelake (name, median ms, runs, first row, server elapsed_ms)"
    timeout 900 node bench/sql_query.js --url "http://127.0.0.1:$port" --queries bench/sql_queries.tsv --runs "$runs"
    log "round $round: DuckDB direct"
    echo "## round $round: duckdb direct, threads=$sql_threads memory_limit=$sql_memory nice=$baseline_nice (name, median ms, runs, first row)"
    timeout 900 nice -n "$baseline_nice" "$baseline" --lake "$data/lake" --queries bench/sql_queries.tsv \
      --threads "$sql_threads" --memory-limit "$sql_memory" --runs "$runs"
  done
  stop_server

  if [[ "${SQLITE:-1}" == 0 ]]; then
    echo "## sqlite: skipped (SQLITE=0)"
    return
  fi
  if ! command -v sqlite3 >/dev/null; then
    echo "## sqlite: skipped (no sqlite3 CLI; apt-get install sqlite3)"
    return
  fi
  log "SQLite: export CSV, import"
  timeout 600 "$baseline" --lake "$data/lake" --export-csv "$work/lab.csv"
  local t1=$SECONDS
  timeout 900 sqlite3 "$work/lab.sqlite" <<EOF
CREATE TABLE events(PlayerID INTEGER, "Time Played" INTEGER, Wins INTEGER, Losses INTEGER,
                    CaughtAt INTEGER, CaughtBy INTEGER);
.mode csv
.import $work/lab.csv events
EOF
  echo "sqlite: imported $(sqlite3 "$work/lab.sqlite" 'SELECT count(*) FROM events') rows in $((SECONDS - t1)) s," \
    "$(stat -c %s "$work/lab.sqlite") bytes, no index"
  rm -f "$work/lab.csv"
  echo "## sqlite $(sqlite3 --version | cut -d' ' -f1) (name, median ms, runs, first row)"
  while IFS=$'\t' read -r name sql; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    local script="$work/q.sql"
    { echo ".timer on"; echo ".mode list"; for _ in $(seq $((runs + 1))); do echo "$sql;"; done; } >"$script"
    local out
    out="$(timeout 900 sqlite3 "$work/lab.sqlite" <"$script")"
    # Run Time lines, minus the warm-up; median of the rest.
    local times
    times="$(grep -o 'Run Time: real [0-9.]*' <<<"$out" | awk '{print $4 * 1000}' | tail -n +2)"
    local median
    median="$(sort -n <<<"$times" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')"
    printf '%s\t%.1f\t%s\t%s\n' "$name" "$median" "$(paste -sd, <<<"$times")" \
      "$(grep -v 'Run Time' <<<"$out" | head -1)"
  done <bench/sql_queries.tsv
}

# freshness LABEL [--set ...]: one marker run under a steady load on a fresh data dir.
freshness() {
  local label="$1"
  shift
  local data="$work/fresh-$label"
  mkdir -p "$data"
  start_server "$data" "$@"
  node bench/sql_load.js --url "http://127.0.0.1:$port" --rate "$load_rate" --marker load --seconds 600 \
    --max-seconds 610 >"$work/loader-$label.json" 2>&1 &
  loader_pid=$!
  sleep 3
  log "freshness ($label): $markers markers under $load_rate records/s"
  echo "## freshness, $label, load $load_rate records/s"
  timeout 600 node bench/sql_freshness.js --url "http://127.0.0.1:$port" --markers "$markers"
  echo "accepted during the run: $(metric gamelake_records_accepted_total) records;" \
    "delivered $(metric gamelake_delivery_rows_total) rows in $(metric gamelake_delivery_files_total) files"
  kill "$loader_pid" 2>/dev/null || true
  wait "$loader_pid" 2>/dev/null || true
  loader_pid=""
  stop_server
}

echo "# sql_bench $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, git $(git rev-parse --short HEAD)"
for part in $parts; do
  case "$part" in
    queries) run_queries ;;
    freshness)
      freshness "interval-60s"
      freshness "interval-1s" --set delivery.buffer_interval_s=1
      ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
