#!/usr/bin/env bash
# Player KPIs at scale (docs/benchmarks.md, "Player KPIs (issue 18)"). Not part of the tests.
#
#   bench/kpis.sh [BUILD_DIR]                     (default: build)
#   EVENTS=10000000 RUNS=5 ROUNDS=1 OLD_BIN=/path/to/older/gamelake bench/kpis.sh build
#   DATA=/tmp/kpi-lake bench/kpis.sh build         (keep the data dir; reuse it when it is there)
#   SERVE_ARGS="--set sql.parquet_metadata_cache=true" COMPACT=0 bench/kpis.sh build
#
# 1. A fresh server (auth off, --durability none, compaction off so the files stay put
#    while they are timed) gets EVENTS events of `gamelake generate -t builtin:sessions`
#    (the event convention of docs/events.md) over HTTP, 500 a request, 4 connections,
#    on a virtual clock spread over the 30 days from 2025-03-01 (--seed 1); the clock
#    stops when delivery has every one in the lake.
# 2. Each KPI with its default parameters over 2025-03-01..2025-03-30 (UTC), and the
#    rolling retention grid: GET /v1/kpis/{name} with curl, one warm-up, then RUNS runs,
#    the median of the client's wall time (HTTP and JSON included).
# 3. The same KPIs written by hand (bench/kpi_hand.tsv) run by BUILD_DIR/bench/
#    sql_duckdb_baseline — the same DuckDB library, on the same Parquet files
#    (read_parquet('<lake>/events/**/*.parquet')), with the server's sql.threads and
#    sql.memory_limit — one warm-up, RUNS runs, the median.
# 4. With OLD_BIN, the KPIs of that binary on the same lake (a before/after); with
#    FOOTER_CACHE=1 (the default), the server's KPIs again with
#    sql.parquet_metadata_cache=true (what the footer cache saves).
# Steps 2-4 repeat ROUNDS times, alternating, first on the lake as delivery left it
# (many small hour files), then (COMPACT=1, the default) once more after
# `gamelake compact` merged each day into one file — what a month-old lake looks
# like with compaction on. Needs BUILD_DIR/gamelake and
# BUILD_DIR/bench/sql_duckdb_baseline (configure with -DGAMELAKE_BENCH=ON), curl.
# Uses only 127.0.0.1; the work dir under /tmp is removed at exit (DATA is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
events="${EVENTS:-10000000}"
runs="${RUNS:-5}"
rounds="${ROUNDS:-1}"
old_bin="${OLD_BIN:-}"
bin="$build/gamelake"
baseline="$build/bench/sql_duckdb_baseline"
from=2025-03-01 to=2025-03-30
kpis=(active_players stickiness retention retention_rolling sessions progression deaths revenue
  ltv first_purchase)

source bench/bench_lib.sh
bench_init kpibench
data="${DATA:-$work/data}"
# SERVE_ARGS: more `serve` flags, e.g. "--set sql.parquet_metadata_cache=true".
read -r -a extra_args <<<"${SERVE_ARGS:-}"
server_args=(--set compaction.enabled=false "${extra_args[@]}")

# The query string of one bench KPI name.
kpi_url() {
  case "$1" in
    retention_rolling) echo "retention?from=$from&to=$to&mode=rolling" ;;
    *) echo "$1?from=$from&to=$to" ;;
  esac
}

load() {
  local t0 t1 rows step_ms
  start_server "$data" "${server_args[@]}"
  # 30 days of virtual clock over the events.
  step_ms="$(awk -v n="$events" 'BEGIN {printf "%.4f", 30 * 86400000 / n}')"
  log "generating $events builtin:sessions events into the server (time step $step_ms ms)"
  t0=$(now_ms)
  "$bin" generate -t builtin:sessions --seed 1 --start-time "$from" --time-step-ms "$step_ms" \
    --count "$events" --url "http://127.0.0.1:$port" --quiet
  t1=$(now_ms)
  echo "ingest: $events events in $(((t1 - t0) / 1000)) s = $((events * 1000 / (t1 - t0))) events/s"
  wait_delivered "$events" || { echo "only ${rows:-0} events delivered" >&2; exit 1; }
  echo "delivered: $rows events in $(metric gamelake_delivery_files_total) files," \
    "$(du -sb "$data/lake/events" | cut -f1) bytes of Parquet, $(((($(now_ms) - t0)) / 1000)) s after the start"
  stop_server
}

# time_kpis LABEL: prints "LABEL<TAB>kpi<TAB>median ms<TAB>rows" for every KPI.
time_kpis() {
  local label="$1" k url ms rows
  for k in "${kpis[@]}"; do
    url="http://127.0.0.1:$port/v1/kpis/$(kpi_url "$k")"
    if ! curl -sf -o "$work/answer.json" "$url"; then
      echo -e "$label\t$k\t-\tfailed"
      continue
    fi
    rows="$(grep -o '"row_count":[0-9]*' "$work/answer.json" | head -1 | cut -d: -f2)"
    ms=()
    for _ in $(seq "$runs"); do
      ms+=("$(curl -sf -o /dev/null -w '%{time_total}' "$url" | awk '{printf "%.1f", $1 * 1000}')")
    done
    echo -e "$label\t$k\t$(printf '%s\n' "${ms[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')\t${rows:-?}"
  done
}

if [[ ! -d "$data/lake/events" ]]; then
  mkdir -p "$data"
  load
fi
start_server "$data" "${server_args[@]}"
echo "the lake: $(curl -s "http://127.0.0.1:$port/v1/query" -H 'Content-Type: application/json' \
  -d '{"sql": "SELECT count(*) AS events, count(DISTINCT player_id) AS players, count(DISTINCT session_id) AS sessions, min(ts), max(ts) FROM events"}' |
  grep -o '"rows":.*\]\]')"
stop_server
# time_layout LAYOUT: steps 2-4 on the lake as it is now.
time_layout() {
  local layout="$1" round
  echo "layout: $layout, $(find "$data/lake/events" -name '*.parquet' | wc -l) Parquet files"
  for round in $(seq "$rounds"); do
    log "$layout, round $round: gamelake GET /v1/kpis"
    start_server "$data" "${server_args[@]}"
    time_kpis "gamelake/$layout"
    stop_server
    if [[ "${FOOTER_CACHE:-1}" == 1 ]]; then
      log "$layout, round $round: gamelake with sql.parquet_metadata_cache=true"
      start_server "$data" "${server_args[@]}" --set sql.parquet_metadata_cache=true
      time_kpis "gamelake+footer-cache/$layout"
      stop_server
    fi
    log "$layout, round $round: hand-written SQL, DuckDB direct"
    "$baseline" --lake "$data/lake" --queries bench/kpi_hand.tsv --threads 2 --memory-limit 2GB \
      --runs "$runs" | awk -F'\t' -v l="$layout" '{printf "hand/%s\t%s\t%s\n", l, $1, $2}'
    if [[ -n "$old_bin" ]]; then
      log "$layout, round $round: $old_bin"
      bin="$old_bin" start_server "$data" "${server_args[@]}"
      time_kpis "before/$layout"
      stop_server
    fi
  done
}

time_layout "${LAYOUT:-delivered}"  # LAYOUT: the label when DATA holds a lake compacted already
if [[ "${COMPACT:-1}" == 1 ]]; then
  log "compacting the lake (gamelake compact)"
  start_server "$data" "${server_args[@]}"
  "$bin" compact --url "http://127.0.0.1:$port" >>"$work/compact.log" 2>&1
  stop_server
  time_layout compacted
fi
