#!/usr/bin/env bash
# Querying other nodes' files of a shared S3 lake (issue 17, docs/deploy.md, "SQL over
# the shared lake"): a query on a node over EVENTS events that are all remote — its
# first run (cold: the node's cache of other nodes' files is empty) and its second and
# later runs (warm) — against DuckDB reading the same local files directly. s3rver (the
# S3-compatible server the tests use, tests/s3) is the store, on the same machine.
# Not part of the tests.
#
#   bench/s3_remote_query.sh [BUILD_DIR]               (default: build)
#   EVENTS=10000000 RUNS=5 bench/s3_remote_query.sh build
#   QUERIES=my.tsv KPI=0 bench/s3_remote_query.sh      (my.tsv: "name<TAB>sql" a line)
#
# 1. Node a (node.id=a, lake.location=s3://gl-test/lake/ on s3rver, auth off,
#    --durability none, compaction on, delivery.buffer_interval_s=5) gets EVENTS events
#    of `gamelake generate -t builtin:sessions --seed 1` over HTTP on a virtual clock
#    spread over the 30 days from 2025-03-01 (as bench/kpis.sh), until
#    gamelake_delivery_rows_total (uploaded and confirmed by the store) reaches EVENTS.
#    Offline `gamelake compact` is refused on an S3 lake, so `gamelake compact --data-dir
#    <a>` runs through node a while it runs (compaction.open_hour_min_files=2,
#    compaction.settle_s=0: everything merges now, up to compaction.target_file_bytes a
#    file, and the replaced objects are deleted before it answers); then node a stops.
#    Prints the bucket's objects and bytes.
# 2. Node b (node.id=b, a fresh data dir, the same bucket, lake.s3.list_interval_s=1)
#    starts; the wait ends when GET /v1/catalog/tables/events counts EVENTS rows. No query
#    runs, but the lister itself downloads each new file once to inspect it (by design).
# 3. Each query (default: count(*), count by event_type, count(DISTINCT player_id), and
#    GET /v1/kpis/active_players?from=2025-03-01&to=2025-03-30): node b restarted with its
#    cache dir (<data>/lake-cache) deleted — its catalog.json keeps the remote files'
#    metadata, so its start listing downloads nothing — and, once that listing is done,
#    the cold run; then RUNS warm runs, the median. Client wall time (curl
#    %{time_total}, HTTP and JSON included). The cold run's download is the cache's
#    bytes after it (gamelake_shared_lake_cache_bytes; the cache was empty); "cold MB/s"
#    is those bytes over the whole cold run. Then node b restarts keeping its cache, and
#    one more run ("restart"): the first run of a new process without the download, so
#    cold - restart is about what fetching the files cost. For reference, every object is
#    also fetched once with curl straight from s3rver (its own pace).
# 4. The same SQL (the KPI: its hand-written SQL, bench/kpi_hand.tsv) run by
#    BUILD_DIR/bench/sql_duckdb_baseline over node b's cache dir (the same Parquet files
#    the node read, in the lake's layout) with the server's sql.threads (2) and
#    sql.memory_limit (2GB): one warm-up, RUNS runs, the median.
# Needs BUILD_DIR/gamelake, BUILD_DIR/bench/sql_duckdb_baseline (-DGAMELAKE_BENCH=ON),
# curl, node and tests/s3's npm packages (scripts/setup.sh). Uses only 127.0.0.1;
# everything lives in one temp dir under /tmp, removed at exit with the processes it
# started. Every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
events="${EVENTS:-10000000}"
runs="${RUNS:-5}"
queries_file="${QUERIES:-}"
with_kpi="${KPI:-1}"
bin="$build/gamelake"
baseline="$build/bench/sql_duckdb_baseline"
from=2025-03-01 to=2025-03-30
for f in "$bin" "$baseline"; do
  [[ -x "$f" ]] || { echo "missing $f" >&2; exit 1; }
done

source bench/bench_lib.sh
bench_init s3query
# The servers first (they may still talk to the store), then s3rver, then the files.
trap '[[ -n "$server_pid" ]] && stop_server; s3_stop; bench_cleanup' EXIT

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# The Parquet objects in the bucket (s3rver keeps each object as <key>._S3rver_object).
bucket_objects() { find "$bucket/gl-test" -name '*.parquet._S3rver_object' | wc -l; }
bucket_bytes() {
  find "$bucket/gl-test" -name '*.parquet._S3rver_object' -printf '%s\n' | awk '{s += $1} END {print s + 0}'
}
# The events table's "rows" or "files" in node b's catalog (0 while it has none).
catalog_events() {
  curl -s --max-time 10 "http://127.0.0.1:$port/v1/catalog/tables/events" |
    { grep -o "\"$1\":[0-9]*" || true; } | head -1 | cut -d: -f2
}

# The queries: "name<TAB>sql"; the KPI goes through GET /v1/kpis and, for DuckDB, is
# its hand-written SQL.
sql_tsv="$work/queries.tsv"
if [[ -n "$queries_file" ]]; then
  grep -v '^#' "$queries_file" | grep $'\t' >"$sql_tsv"
else
  printf '%s\t%s\n' count 'SELECT count(*) FROM events' \
    by_event_type 'SELECT event_type, count(*) FROM events GROUP BY ALL ORDER BY ALL' \
    distinct_players 'SELECT count(DISTINCT player_id) FROM events' >"$sql_tsv"
fi
baseline_tsv="$work/baseline.tsv"
cp "$sql_tsv" "$baseline_tsv"
names=()
while IFS=$'\t' read -r name _; do names+=("$name"); done <"$sql_tsv"
if [[ "$with_kpi" == 1 ]]; then
  names+=(kpi_active_players)
  awk -F'\t' '$1 == "active_players" {print "kpi_active_players\t" $2}' bench/kpi_hand.tsv \
    >>"$baseline_tsv"
fi

bucket="$work/bucket"
s3_start "$bucket"
s3_args=(--set "lake.location=s3://gl-test/lake/"
  --set "lake.s3.endpoint=http://127.0.0.1:$s3_port" --set lake.s3.path_style=true
  --set lake.s3.access_key_id=S3RVER --set lake.s3.secret_access_key=S3RVER)

# ---- 1. Node a writes every event into the bucket.
data_a="$work/data-a"
echo "--- node a" >>"$work/server.log"
start_server "$data_a" --set node.id=a "${s3_args[@]}" --set compaction.enabled=true \
  --set compaction.open_hour_min_files=2 --set compaction.settle_s=0 \
  --set delivery.buffer_interval_s=5
step_ms="$(awk -v n="$events" 'BEGIN {printf "%.4f", 30 * 86400000 / n}')"
log "node a: generating $events builtin:sessions events (time step $step_ms ms)"
t0=$(now_ms)
timeout 3600 "$bin" generate -t builtin:sessions --seed 1 --start-time "$from" \
  --time-step-ms "$step_ms" --count "$events" --url "http://127.0.0.1:$port" --quiet
wait_delivered "$events" || { echo "node a delivered only ${rows:-0} events" >&2; exit 1; }
echo "node a: $events events accepted and uploaded in $((($(now_ms) - t0) / 1000)) s," \
  "$(metric gamelake_delivery_files_total) files delivered"
log "node a: compacting (through the server)"
timeout 1800 "$bin" compact --data-dir "$data_a" | tail -3
stop_server
echo "bucket: $(bucket_objects) Parquet objects, $(bucket_bytes) bytes"
# The store's own pace, for reference: every object once, one after the other, with curl
# (s3rver serves unsigned GETs).
get_stats="$(find "$bucket/gl-test" -name '*.parquet._S3rver_object' | while read -r f; do
  key="${f#"$bucket/gl-test/"}"
  curl -sf --max-time 600 -o /dev/null -w '%{size_download} %{time_total}\n' \
    "http://127.0.0.1:$s3_port/gl-test/${key%._S3rver_object}" || echo "0 0"
done | awk '{b += $1; t += $2} END {if (t > 0) printf "%.0f bytes in %.0f ms, %.1f MB/s", b, t * 1000, b / 1e6 / t}')"
echo "s3rver GET of every object (curl, sequential): ${get_stats:-failed}"

# ---- 2. Node b lists them.
data_b="$work/data-b"
cache="$data_b/lake-cache"
b_args=(--set node.id=b "${s3_args[@]}" --set lake.s3.list_interval_s=1)
echo "--- node b" >>"$work/server.log"
t0=$(now_ms)
start_server "$data_b" "${b_args[@]}"
for _ in $(seq 2400); do
  rows="$(catalog_events rows)"
  [[ "${rows:-0}" -ge "$events" ]] && break
  sleep 0.25
done
[[ "${rows:-0}" -ge "$events" ]] || { echo "node b's catalog has only ${rows:-0} rows" >&2; exit 1; }
remote_files="$(catalog_events files)"
echo "node b: catalog complete $(($(now_ms) - t0)) ms after its start: $rows rows in" \
  "$remote_files remote files ($(metric gamelake_shared_lake_cache_downloads) downloaded to" \
  "inspect them, $(metric gamelake_shared_lake_listings) listings)"

# restart_b [keep]: node b again, its cache emptied (unless "keep"), once its start
# listing is done.
restart_b() {
  local listings downloads
  stop_server
  [[ "${1:-}" == keep ]] || rm -rf "$cache"
  echo "--- node b, cache ${1:-emptied}" >>"$work/server.log"
  start_server "$data_b" "${b_args[@]}"
  for _ in $(seq 600); do
    listings="$(metric gamelake_shared_lake_listings)"
    [[ "${listings:-0}" -ge 1 ]] && break
    sleep 0.1
  done
  [[ "${listings:-0}" -ge 1 ]] || { echo "node b did not list the bucket" >&2; exit 1; }
  downloads="$(metric gamelake_shared_lake_cache_downloads)"
  [[ "${downloads:-0}" -eq 0 ]] || log "warning: node b's start listing downloaded $downloads files"
}

# run_once NAME: one run of query NAME on node b; prints its wall time in ms.
run_once() {
  local sql body
  if [[ "$1" == kpi_active_players ]]; then
    curl -sf --max-time 900 -o "$work/answer.json" -w '%{time_total}' \
      "http://127.0.0.1:$port/v1/kpis/active_players?from=$from&to=$to" |
      awk '{printf "%.1f\n", $1 * 1000}'
    return
  fi
  sql="$(awk -F'\t' -v n="$1" '$1 == n {print $2; exit}' "$sql_tsv")"
  body="$(printf '%s' "$sql" | sed 's/\\/\\\\/g; s/"/\\"/g')"
  curl -sf --max-time 900 -o "$work/answer.json" -w '%{time_total}' \
    "http://127.0.0.1:$port/v1/query" -H 'Content-Type: application/json' \
    -d "{\"sql\": \"$body\"}" | awk '{printf "%.1f\n", $1 * 1000}'
}

# ---- 3. Cold and warm runs on node b.
declare -A cold warm down fresh
for name in "${names[@]}"; do
  log "node b: $name, cold, $runs warm runs, first run after a restart with the cache kept"
  restart_b
  cold[$name]="$(run_once "$name")" || { echo "$name failed:" >&2; tail -5 "$work/server.log" >&2; exit 1; }
  down[$name]="$(metric gamelake_shared_lake_cache_bytes)"
  echo "$name: $(head -c 300 "$work/answer.json" | tr -d '\n')" >>"$work/answers.txt"
  ms=()
  for _ in $(seq "$runs"); do ms+=("$(run_once "$name")"); done
  warm[$name]="$(printf '%s\n' "${ms[@]}" | median)"
  restart_b keep
  fresh[$name]="$(run_once "$name")"
done
cached_files="$(find "$cache" -path "$cache/.incoming" -prune -o -name '*.parquet' -print | wc -l)"
stop_server
[[ "$cached_files" -eq "$remote_files" ]] ||
  log "warning: node b's cache holds $cached_files of its $remote_files remote files"

# ---- 4. DuckDB directly over the files node b downloaded.
log "DuckDB direct over $cache"
"$baseline" --lake "$cache" --queries "$baseline_tsv" --threads 2 --memory-limit 2GB \
  --runs "$runs" >"$work/baseline.out"

echo
echo "events: $events; warm and DuckDB runs: $runs; remote files: $remote_files ($(bucket_bytes) bytes in the bucket)"
printf '%-20s %9s %11s %9s %10s %9s %8s %10s\n' query "cold ms" "restart ms" "warm ms" \
  "duckdb ms" warm/duck "cold MB" "cold MB/s"
for name in "${names[@]}"; do
  direct="$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$work/baseline.out")"
  awk -v n="$name" -v c="${cold[$name]}" -v f="${fresh[$name]}" -v w="${warm[$name]}" \
    -v d="${direct:-0}" -v b="${down[$name]:-0}" 'BEGIN {
      printf "%-20s %9.1f %11.1f %9.1f %10.1f %9s %8.1f %10.1f\n", n, c, f, w, d,
        (d > 0 ? sprintf("%.2f", w / d) : "-"), b / 1e6, (c > 0 ? b / 1e6 / (c / 1000) : 0)
    }'
done
echo
echo "answers (node b, cold run; first 300 bytes):"
cat "$work/answers.txt"
echo "answers (DuckDB direct, first row):"
awk -F'\t' '{print $1 ": " $4}' "$work/baseline.out"
