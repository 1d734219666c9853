#!/usr/bin/env bash
# Benchmarks of the lake over months (docs/benchmarks.md, "The lake over months").
# Not part of the tests.
#
#   bench/lake_bench.sh [BUILD_DIR]                 (default: build)
#   PARTS="month compaction erase" RUNS=5 bench/lake_bench.sh
#   BEFORE=0 PARTS=month bench/lake_bench.sh      (skip the ~15 min of queries over 43,200 files)
#
# month:      a month of lab events as one-minute deliveries leave them (43,200 files,
#             2.6 M records; bench/lake_fixture) and the same rows as one file a day.
#             Times the lab's queries (bench/sql_queries.tsv) and an hour-bounded query
#             through POST /v1/query before and after compaction, against DuckDB reading
#             the day files (and, for the hour, just that hour's small files); the
#             compaction itself; and server start + first query, before and after.
# compaction: 10 M lab events in 100 files of 100,000 (a busy day): compaction
#             throughput on its one thread, and the ingest rate (NDJSON, 4 connections)
#             alone and while that compaction runs.
# erase:      erasing one player from that 10 M-event lake: time, rows, files and
#             bytes rewritten; DuckDB rewriting the same files directly for scale.
# Needs BUILD_DIR/gamelake, BUILD_DIR/bench/{lake_fixture,sql_duckdb_baseline} and node.
# Uses only 127.0.0.1; everything lives in one temp dir under /tmp, removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
runs="${RUNS:-5}"
parts="${PARTS:-month compaction erase}"
bin="$build/gamelake"
fixture="$build/bench/lake_fixture"
baseline="$build/bench/sql_duckdb_baseline"

source bench/bench_lib.sh
bench_init lakebench
sql() { node bench/sql_query.js --url "http://127.0.0.1:$port" --sql "$1"; }

# The lab's queries and the hour-bounded one, through the server and DuckDB direct.
compare() {
  local label="$1" data="$2" day_glob="$3" hour_glob="$4"
  echo "## $label: gamelake /v1/query (name, median ms, runs, first row, server ms)"
  timeout 1800 node bench/sql_query.js --url "http://127.0.0.1:$port" --queries "$work/queries.tsv" \
    --runs "$runs"
  echo "## $label: duckdb direct over one file a day (name, median ms, runs, first row)"
  timeout 1800 "$baseline" --lake x --glob "$day_glob" --queries bench/sql_queries.tsv --runs "$runs"
  timeout 600 "$baseline" --lake x --glob "$day_glob" --queries "$work/hour.tsv" --runs "$runs"
  echo "## $label: duckdb direct over that hour's delivered files"
  timeout 600 "$baseline" --lake x --glob "$hour_glob" --queries "$work/hour.tsv" --runs "$runs"
}

run_month() {
  local data="$work/month" base="$work/month-base"
  log "generating a month: 2.6 M lab records in 43,200 one-minute files"
  "$bin" generate --template builtin:lab --seed 7 --count 2600000 --output "$work/lab.ndjson" 2>/dev/null
  timeout 1200 "$fixture" --ndjson "$work/lab.ndjson" --data "$data" --baseline "$base" --days 30 \
    --files-per-day 1440 --end-hours-ago 2
  rm -f "$work/lab.ndjson"
  # An hour in the middle of the month, as the fixture placed it.
  local hour_dir
  hour_dir="$(find "$data/lake/events" -mindepth 2 -maxdepth 2 -type d | sort | sed -n 360p)"
  local dt hr
  dt="$(basename "$(dirname "$hour_dir")" | cut -d= -f2)"
  hr="$(basename "$hour_dir" | cut -d= -f2)"
  cp bench/sql_queries.tsv "$work/queries.tsv"
  printf 'h_hour\tSELECT CaughtBy, count(*) AS n, sum(Losses) FROM events WHERE _ingest_time >= TIMESTAMP %s AND _ingest_time < TIMESTAMP %s + INTERVAL 1 HOUR GROUP BY 1 ORDER BY 1\n' \
    "'$dt $hr:00:00'" "'$dt $hr:00:00'" >"$work/hour.tsv"
  cat "$work/hour.tsv" >>"$work/queries.tsv"
  echo "hour: $dt $hr:00, $(ls "$hour_dir" | wc -l) files"
  # That hour's delivered files, kept for DuckDB: compaction replaces them in the lake.
  mkdir -p "$work/hour-files" && cp "$hour_dir"/*.parquet "$work/hour-files/"

  log "first start: crawling 43,200 files"
  start_server "$data" --set compaction.enabled=false
  echo "first start (catalog built by a crawl of every footer): $started_ms ms"
  local t0 && t0=$(now_ms)
  sql 'SELECT count(*) FROM events' >/dev/null
  echo "first query after it: $(($(now_ms) - t0)) ms"
  stop_server
  start_server "$data" --set compaction.enabled=false
  t0=$(now_ms)
  echo "restart with 43,200 files in the catalog: healthy in $started_ms ms, first query" \
    "$(sql 'SELECT count(*) FROM events') in $(($(now_ms) - t0)) ms"
  if [[ "${BEFORE:-1}" == 1 ]]; then
    compare "before compaction (43,200 files)" "$data" "$base/events/*/*.parquet" "$work/hour-files/*.parquet"
  fi

  log "compacting"
  t0=$(now_ms)
  curl -s -X POST "http://127.0.0.1:$port/v1/lake/compact" -d '{}' >"$work/compact.json"
  local ms=$(($(now_ms) - t0))
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    let files = 0, rows = 0, bin = 0, bout = 0, jms = 0;
    for (const j of r.jobs) { files += j.files; rows += j.rows; bin += j.bytes_in; bout += j.bytes_out || 0; jms += j.ms || 0; }
    console.log(`compaction: ${r.done} merges of ${files} files, ${rows} rows, ${(bin/1e6).toFixed(1)} MB -> ${(bout/1e6).toFixed(1)} MB in ${process.argv[2]} ms wall (${jms.toFixed(0)} ms in jobs): ${(rows / jms * 1000 / 1e6).toFixed(2)} M records/s, ${(files / jms * 1000).toFixed(0)} files/s`);
  ' "$work/compact.json" "$ms"
  echo "files now: $(metric gamelake_lake_files)"
  # A restart, so the 43,200 replaced files' deletion is not under way while timing.
  stop_server
  start_server "$data" --set compaction.enabled=false
  t0=$(now_ms)
  echo "restart after compaction: healthy in $started_ms ms, first query" \
    "$(sql 'SELECT count(*) FROM events') in $(($(now_ms) - t0)) ms"
  compare "after compaction" "$data" "$base/events/*/*.parquet" "$work/hour-files/*.parquet"
  stop_server
}

busy_day() {  # A day of 10 M records in 100 files, ended a day ago: $work/busy.
  [[ -d "$work/busy" ]] && return 0
  log "generating a busy day: 10 M lab records in 100 files"
  "$bin" generate --template builtin:lab --seed 9 --count 10000000 --output "$work/busy.ndjson" 2>/dev/null
  timeout 1200 "$fixture" --ndjson "$work/busy.ndjson" --data "$work/busy" --stream big --days 1 \
    --files-per-day 100 --end-hours-ago 26
  rm -f "$work/busy.ndjson"
}

# load SECONDS: accepted records/s of a max-rate NDJSON load into stream `load`.
load() {
  local before after
  before="$(metric gamelake_records_accepted_total)"
  timeout $(($1 + 30)) node bench/sql_load.js --url "http://127.0.0.1:$port" --count 100000000 \
    --max-seconds "$1" --stream load >/dev/null 2>&1 || true
  after="$(metric gamelake_records_accepted_total)"
  echo $(((${after%.*} - ${before%.*}) / $1))
}

run_compaction() {
  busy_day
  start_server "$work/busy" --set compaction.enabled=false --set compaction.max_bytes_per_s=0
  log "ingest alone"
  local alone during t0 ms
  load 5 >/dev/null  # Warm-up.
  alone="$(load 10)"
  log "ingest while compacting 10 M records"
  t0=$(now_ms)
  curl -s -X POST "http://127.0.0.1:$port/v1/lake/compact" -d '{"stream":"big"}' >"$work/big.json" &
  local curl_pid=$!
  during="$(load 10)"
  wait "$curl_pid"
  ms=$(($(now_ms) - t0))
  echo "ingest alone: $alone records/s; while compacting: $during records/s" \
    "($(node -e "console.log(($during / $alone).toFixed(2))")x)"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    for (const j of r.jobs) console.log(`compaction: ${j.files} files, ${j.rows} rows, ${(j.bytes_in/1e6).toFixed(1)} MB -> ${(j.bytes_out/1e6).toFixed(1)} MB in ${j.ms.toFixed(0)} ms on one thread: ${(j.rows / j.ms * 1000 / 1e6).toFixed(2)} M records/s`);
  ' "$work/big.json"
  echo "compaction wall time: $ms ms"
  stop_server
}

run_erase() {
  busy_day
  start_server "$work/busy" --set compaction.enabled=false
  local files bytes
  files="$(find "$work/busy/lake/big" -name '*.parquet' | wc -l)"
  bytes="$(du -sb "$work/busy/lake/big" | cut -f1)"
  echo "lake: $(sql 'SELECT count(*) FROM big') records, $files files, $bytes bytes;" \
    "player 4242 has $(sql 'SELECT count(*) FROM big WHERE PlayerID = 4242') records"
  local t0 && t0=$(now_ms)
  local id
  id="$(curl -s -X POST "http://127.0.0.1:$port/v1/erasures" \
    -d '{"stream":"big","where":"PlayerID = 4242"}' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).id))')"
  curl -s "http://127.0.0.1:$port/v1/erasures/$id?wait_s=600" >"$work/erase.json"
  local ms=$(($(now_ms) - t0))
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
    const t = r.results.big;
    console.log(`erasure ${r.state}: ${t.rows_removed} rows removed, ${t.files_rewritten} files rewritten, ${(t.bytes_rewritten/1e6).toFixed(1)} MB written, ${process.argv[2]} ms from request to done (validation, delivery flush, rewrite, catalog switch)`);
  ' "$work/erase.json" "$ms"
  echo "left: $(sql 'SELECT count(*) FROM big WHERE PlayerID = 4242') rows of the player"
  stop_server
  log "DuckDB rewriting the same rows directly, on one thread"
  printf 'rewrite\tCOPY (SELECT * FROM events WHERE PlayerID <> 4242) TO %s (FORMAT parquet, COMPRESSION zstd)\n' \
    "'$work/rewrite.parquet'" >"$work/rewrite.tsv"
  echo "## duckdb direct, threads=1: read 10 M rows, write all but the player's (name, median ms)"
  timeout 900 "$baseline" --lake x --glob "$work/busy/lake/big/*/*/*.parquet" --queries "$work/rewrite.tsv" \
    --threads 1 --runs 1
}

echo "# lake_bench $(date -u +%FT%TZ) $(uname -m) $(nproc) cores, git $(git rev-parse --short HEAD)"
for part in $parts; do
  case "$part" in
    month) run_month ;;
    compaction) run_compaction ;;
    erase) run_erase ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
