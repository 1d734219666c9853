#!/usr/bin/env bash
# Metrics over HTTP (docs/benchmarks.md, "Metrics store"); not a test.
#   1. PutMetricData, 1,000 datapoints a request, durable (fsync), 2 wrk
#      threads x 16 connections for $SECONDS_EACH s: through gamelake's
#      native API (POST /v1/metrics), through the CloudWatch API (AWS JSON
#      1.0), and — the baseline, same bytes — the same 1,000 datum objects as
#      NDJSON records through event ingest; and VictoriaMetrics (Debian's
#      victoria-metrics, installed here if missing; its service is not
#      started) taking the same series and values in Prometheus text format.
#      VictoriaMetrics acknowledges before its data is on disk (it flushes
#      about once a second); gamelake acknowledges after fdatasync.
#   2. Live: how late each 1-second datapoint reaches a /v1/metrics/live
#      subscriber after its second closes, first on an idle server, then
#      while event ingest runs flat out (wrk, bench/post_ndjson.lua).
# Usage: bench/metrics_http_bench.sh [seconds_each=10]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-10}"
BIN=build/gamelake
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/setup.sh" >&2; exit 1; }
WORK=$(mktemp -d /tmp/gl-metrics-http-XXXXXX)
PORT=$((20000 + RANDOM % 20000))
GL_PID="" LOAD_PID="" VM_PID=""
cleanup() {
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null || true
  [ -n "$VM_PID" ] && kill "$VM_PID" 2>/dev/null || true
  [ -n "$GL_PID" ] && kill -9 "$GL_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start() {  # start DATA_DIR [ARGS]: durable (fsync), auth off (this measures the pipeline).
  local dir="$1"
  shift
  "$BIN" serve --data-dir "$dir" --listen "127.0.0.1:$PORT" --set auth.enabled=false "$@" \
    2>>"$WORK/server.log" >/dev/null &
  GL_PID=$!
  for _ in $(seq 1 400); do
    curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null && return 0
    sleep 0.05
  done
  echo "server did not start" >&2; tail "$WORK/server.log" >&2; exit 1
}
stop() { kill -TERM "$GL_PID"; wait "$GL_PID" || true; GL_PID=""; }
field() { awk -v k="$1" '$1 == k {print $2}'; }

echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
# One put run: run MODE PORT -> "per_s p50 p99 body_bytes".
run() {
  local out
  out=$(MODE=$1 wrk -t2 -c16 -d"${SECONDS_EACH}s" -s bench/put_metrics.lua "http://127.0.0.1:$2")
  [ "$(echo "$out" | field non_2xx)" = "0" ] || { echo "$1: non-2xx answers" >&2; echo "$out" >&2; }
  echo "$(echo "$out" | field per_s) $(echo "$out" | field latency_p50_ms)" \
    "$(echo "$out" | field latency_p99_ms) $(echo "$out" | field body_bytes)"
}
start_victoria() {
  if ! command -v victoria-metrics >/dev/null; then
    echo "installing victoria-metrics (Debian) for the baseline; its service stays off" >&2
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get install -y -qq victoria-metrics >/dev/null
    $sudo systemctl disable --now victoria-metrics >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK/vm"
  victoria-metrics -storageDataPath "$WORK/vm" -httpListenAddr "127.0.0.1:$PORT" \
    -retentionPeriod 1d >"$WORK/vm.log" 2>&1 &
  VM_PID=$!
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && return 0; sleep 0.05; done
  echo "victoria-metrics did not start" >&2; exit 1
}
stop_victoria() { kill "$VM_PID"; wait "$VM_PID" 2>/dev/null || true; VM_PID=""; }

# Three rounds, the modes interleaved, each on a fresh server: medians.
declare -A results
for round in 1 2 3; do
  for mode in native cloudwatch events victoria; do
    if [ "$mode" = victoria ]; then
      start_victoria
      results[$mode]+="$(run victoria "$PORT");"
      stop_victoria
    else
      # Event ingest takes 500 records a request by default (Firehose's batch): 1,000 here.
      start "$WORK/$mode-$round" --set server.max_records_per_request=1000
      results[$mode]+="$(run "$mode" "$PORT");"
      stop
    fi
  done
done
median() { tr ';' '\n' | awk 'NF' | sort -n | awk '{v[NR]=$0} END {print v[int((NR+1)/2)]}'; }
echo "| 1,000 datapoints a request | median per second (3 runs) | runs | body bytes | p50 / p99 ms (median run) |"
echo "| --- | --- | --- | --- | --- |"
for mode in native cloudwatch events victoria; do
  m=$(echo "${results[$mode]}" | median)
  runs=$(echo "${results[$mode]}" | tr ';' '\n' | awk 'NF {printf "%s%s", (n++ ? ", " : ""), $1}')
  set -- $m
  echo "| $mode | $1 | $runs | $4 | $2 / $3 |"
done
echo
echo "| live 1-second datapoint after its second closes | datapoints | p50 ms | p99 ms | max ms | ingest records/s meanwhile |"
echo "| --- | --- | --- | --- | --- | --- |"
start "$WORK/live"
idle=$(node bench/metrics_live_latency.js "http://127.0.0.1:$PORT" 30)
echo "| idle server | $(echo "$idle" | node -pe 'const d=JSON.parse(require("fs").readFileSync(0));`${d.count} | ${d.p50_ms} | ${d.p99_ms} | ${d.max_ms}`') | — |"
wrk -t2 -c16 -d40s -s bench/post_ndjson.lua "http://127.0.0.1:$PORT" >"$WORK/load.txt" &
LOAD_PID=$!
sleep 3
busy=$(node bench/metrics_live_latency.js "http://127.0.0.1:$PORT" 30)
wait "$LOAD_PID" || true
LOAD_PID=""
echo "| ingest at full speed | $(echo "$busy" | node -pe 'const d=JSON.parse(require("fs").readFileSync(0));`${d.count} | ${d.p50_ms} | ${d.p99_ms} | ${d.max_ms}`') | $(field records_per_s <"$WORK/load.txt") |"
stop
