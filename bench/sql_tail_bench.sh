#!/usr/bin/env bash
# Queries over the live tail alone (docs/benchmarks.md, "SQL"): for each gamelake
# binary given, a fresh server on 127.0.0.1 with delivery held back (interval 900 s,
# 1 GB buffer), 1 M lab records from `gamelake generate --seed 1`, then
# bench/sql_query.js times three queries (median of RUNS, server elapsed_ms last).
# Binaries alternate ROUNDS times, so an A/B of two builds is one command:
#
#   bench/sql_tail_bench.sh OLD/gamelake NEW/gamelake      (ROUNDS=2 RUNS=7 COUNT=1000000)
#
# Not part of the tests. Each step is time-bounded; the temp dir is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-2}" runs="${RUNS:-7}" count="${COUNT:-1000000}" parquet="${PARQUET:-0}"
work="$(mktemp -d /tmp/gl-tailbench.XXXXXX)"
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
printf '%s\t%s\n' cnt 'SELECT count(*) FROM events' \
  flt 'SELECT count(*) FROM events WHERE "Time Played" > 3600' \
  grp 'SELECT CaughtBy, count(*) FROM events GROUP BY 1' >"$work/queries.tsv"
queries="${QUERIES:-$work/queries.tsv}"
start() {  # start BIN DATA PORT [--set ...]: a server on 127.0.0.1, waited for
  local bin="$1" data="$2" port="$3"
  shift 3
  "$bin" serve --data-dir "$data" --listen "127.0.0.1:$port" --set auth.enabled=false \
    --durability none "$@" >>"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
}
for round in $(seq "$rounds"); do
  for bin in "$@"; do
    data="$work/data" port=$((20000 + RANDOM % 20000))
    rm -rf "$data" && mkdir -p "$data"
    start "$bin" "$data" "$port" --set delivery.buffer_interval_s=900 \
      --set delivery.buffer_size_bytes=1000000000
    timeout 300 "$bin" generate --template builtin:lab --count "$count" --seed 1 --batch 500 \
      --connections 4 --url "http://127.0.0.1:$port" --stream events >/dev/null 2>&1
    sleep 1
    echo "## round $round: $bin, live tail (name, median ms, runs, first row, server elapsed_ms, first run ms)"
    timeout 300 node bench/sql_query.js --url "http://127.0.0.1:$port" --queries "$queries" \
      --runs "$runs"
    kill "$pid" && wait "$pid" 2>/dev/null || true
    pid=""
    if [[ "$parquet" == 1 ]]; then
      start "$bin" "$data" "$port" --set delivery.buffer_interval_s=1
      for _ in $(seq 300); do
        [[ "$(node bench/sql_query.js --url "http://127.0.0.1:$port" --sql \
          "SELECT count(*) FROM read_parquet('$data/lake/events/**/*.parquet')" 2>/dev/null)" == "[[$count]]" ]] && break
        sleep 1
      done
      echo "## round $round: $bin, the same records as Parquet"
      timeout 300 node bench/sql_query.js --url "http://127.0.0.1:$port" --queries "$queries" \
        --runs "$runs"
      kill "$pid" && wait "$pid" 2>/dev/null || true
      pid=""
    fi
  done
done
