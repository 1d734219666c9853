#!/usr/bin/env bash
# Server benchmarks (not part of the tests). Measures, in one run on this machine:
#   1. nginx `return 204` vs gamelake single-record POSTs (durable), keep-alive, wrk;
#   2. gamelake batched NDJSON (500 records a request, durable), 10 s, records/s accepted;
#   3. the same for 60 s end to end: accepted and delivered into the lake, with peak RSS;
#   4. lake file size vs the same records as raw JSON (varied, random records).
# Usage: bench/server_bench.sh [seconds_for_sustained=60]
# Prints a Markdown table; docs/benchmarks.md quotes it.
set -euo pipefail
cd "$(dirname "$0")/.."
SUSTAIN="${1:-60}"
BIN=build/gamelake
[ -x "$BIN" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: scripts/setup.sh" >&2; exit 1; }
WORK=$(mktemp -d /tmp/gamelake-bench-XXXXXX)
PORT=18081
cleanup() {
  [ -n "${GL_PID:-}" ] && kill -9 "$GL_PID" 2>/dev/null || true
  [ -f /tmp/gamelake-bench-nginx.pid ] && kill "$(cat /tmp/gamelake-bench-nginx.pid)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

metric() {  # metric NAME -> value from /metrics
  curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" '$1==n {print $2}'
}
start_gamelake() {  # start_gamelake DATA_DIR [extra args]
  local dir="$1"; shift
  # Auth off: this measures the pipeline (docs/benchmarks.md "What auth costs" measures keys).
  "$BIN" serve --data-dir "$dir" --listen "127.0.0.1:$PORT" --set auth.enabled=false "$@" \
    2>"$WORK/server.log" >/dev/null &
  GL_PID=$!
  for _ in $(seq 1 200); do
    curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null && return 0
    sleep 0.05
  done
  echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}
stop_gamelake() { kill -TERM "$GL_PID"; wait "$GL_PID" || true; GL_PID=""; }
wrk_rps() { awk '/Requests\/sec/ {print $2}'; }

echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"

# 1. Single-record POSTs vs nginx.
nginx -c "$PWD/bench/nginx.conf" -p "$WORK"
sleep 0.5
NGINX_RPS=$(wrk -t2 -c256 -d10s "http://127.0.0.1:18080/" | wrk_rps)
kill "$(cat /tmp/gamelake-bench-nginx.pid)"; sleep 0.5
start_gamelake "$WORK/single"
GL_RPS=$(wrk -t2 -c256 -d10s -s bench/post_single.lua "http://127.0.0.1:$PORT" | wrk_rps)
stop_gamelake

# 2. Batched NDJSON, 10 s.
start_gamelake "$WORK/batch"
BATCH_OUT=$(wrk -t2 -c16 -d10s -s bench/post_ndjson.lua "http://127.0.0.1:$PORT")
BATCH_RPS=$(echo "$BATCH_OUT" | awk '/records_per_s/ {print $2}')
stop_gamelake

# 3. Sustained end to end with RSS sampling.
start_gamelake "$WORK/sustain" --set delivery.buffer_interval_s=5
PEAK_RSS=0
( while kill -0 "$GL_PID" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$GL_PID/status" 2>/dev/null; sleep 1; done ) > "$WORK/rss" &
RSS_SAMPLER=$!
T0=$(date +%s.%N)
SUS_OUT=$(wrk -t2 -c16 -d"${SUSTAIN}s" -s bench/post_ndjson.lua "http://127.0.0.1:$PORT")
ACCEPTED=$(metric gamelake_records_accepted_total)
# Wait for delivery to catch up with everything accepted.
while :; do
  ROWS=$(metric gamelake_delivery_rows_total); ROWS=${ROWS:-0}
  [ "$ROWS" -ge "$ACCEPTED" ] && break
  sleep 0.2
done
T1=$(date +%s.%N)
kill "$RSS_SAMPLER" 2>/dev/null || true
PEAK_RSS=$(sort -n "$WORK/rss" | tail -1)
E2E=$(echo "$ACCEPTED $T0 $T1" | awk '{printf "%.0f", $1/($3-$2)}')
SUS_ACCEPT=$(echo "$SUS_OUT" | awk '/records_per_s/ {print $2}')
stop_gamelake

# 4. Lake size vs raw JSON, on varied records.
start_gamelake "$WORK/size"
python3 - "$PORT" <<'PY'
import json, random, sys, urllib.request
port = sys.argv[1]
rng = random.Random(7)
raw = 0
for batch in range(400):
    lines = []
    for i in range(500):
        rec = {"PlayerID": rng.randrange(10000), "Time Played": rng.randrange(100000),
               "Wins": rng.randrange(6), "Losses": rng.randrange(51),
               "CaughtAt": rng.choices([1,2,3,4,5,6],[0.2,0.5,0.1,0.05,0.1,0.05])[0],
               "CaughtBy": rng.choices([1,2,3,4,5,6],[0.2,0.45,0.15,0.05,0.1,0.05])[0]}
        lines.append(json.dumps(rec))
    body = ("\n".join(lines) + "\n").encode()
    raw += len(body)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/streams/size/records", data=body,
                                 headers={"Content-Type": "application/x-ndjson"})
    urllib.request.urlopen(req).read()
open("/tmp/gamelake-bench-raw-bytes", "w").write(str(raw))
PY
stop_gamelake
RAW=$(cat /tmp/gamelake-bench-raw-bytes)
PARQUET=$(find "$WORK/size/lake/size" -name '*.parquet' -printf '%s\n' | awk '{s+=$1} END {print s}')

cat <<TABLE
| measurement | gamelake | baseline | ratio |
| --- | --- | --- | --- |
| single-record POST, keep-alive, durable (req/s, wrk -t2 -c256 10 s) | $GL_RPS | nginx return 204: $NGINX_RPS | $(echo "$GL_RPS $NGINX_RPS" | awk '{printf "%.2f", $1/$2}') |
| NDJSON 500/request, durable, 10 s (records/s accepted) | $BATCH_RPS | goal 1,000,000 | $(echo "$BATCH_RPS" | awk '{printf "%.2f", $1/1000000}') |
| NDJSON 500/request, durable, ${SUSTAIN} s (records/s accepted) | $SUS_ACCEPT | | |
| same, end to end: accepted and delivered to the lake (records/s) | $E2E | goal 250,000 | $(echo "$E2E" | awk '{printf "%.2f", $1/250000}') |
| peak RSS during the sustained run (MiB) | $((PEAK_RSS / 1024)) | | |
| lake size of 200,000 varied lab records (bytes) | $PARQUET | raw JSON: $RAW | $(echo "$RAW $PARQUET" | awk '{printf "%.1fx smaller", $1/$2}') |
TABLE
