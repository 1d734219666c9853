#!/usr/bin/env bash
# Streaming applications over HTTP (docs/benchmarks.md, "Streaming SQL
# applications"); not a test. Ack → row latency of the lab's continuous filter
# (bench/streaming_latency.js) on an idle server, then while event ingest
# runs flat out into another stream (wrk, bench/post_ndjson.lua: 500 lab
# records a POST), so the application's reader walks the whole busy log.
# Durable (fsync) server, auth off.
# Usage: bench/streaming_latency.sh [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-20}"
bin=build/gamelake
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/setup.sh" >&2; exit 1; }
source bench/bench_lib.sh
bench_init streaming-latency
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
loader_pid=""
for run in sse:idle poll:idle sse:ingest poll:ingest; do
  mode="${run%%:*}"
  load="${run##*:}"
  rm -rf "$work/data"
  port=$((20000 + RANDOM % 20000))
  "$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" --set auth.enabled=false \
    >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 400); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.05; done
  # The stream "lat" exists and SQL knows it before any load (neither mode
  # should measure that); the script's first records are the same as the JS's.
  for i in 0 1 2 3 4; do
    curl -sf "http://127.0.0.1:$port/v1/streams/lat/records" -H 'Content-Type: application/json' \
      -d "{\"PlayerID\":$i,\"Wins\":1,\"Losses\":1,\"Time Played\":7,\"CaughtAt\":1,\"CaughtBy\":2}" >/dev/null
  done
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$port/v1/query" -d '{"sql":"SELECT 1 FROM lat"}' >/dev/null && break
    sleep 0.1
  done
  if [ "$load" = ingest ]; then
    wrk -t1 -c8 -d"$((SECONDS_EACH + 5))s" -s bench/post_ndjson.lua "http://127.0.0.1:$port" \
      >"$work/wrk.txt" 2>&1 &
    loader_pid=$!
    sleep 1
  fi
  echo "$load: $(node bench/streaming_latency.js "http://127.0.0.1:$port" "$SECONDS_EACH" "$mode")"
  if [ -n "$loader_pid" ]; then
    wait "$loader_pid" || true
    loader_pid=""
    echo "  ingest during it: $(awk '$1 == "records_per_s" {print $2}' "$work/wrk.txt") records/s"
  fi
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
done
