#!/usr/bin/env bash
# Latency-bound POSTs (docs/benchmarks.md, "Latency-bound POSTs (issue 15)"): where a
# durable single-record POST's time goes. In one run on this machine:
#   1. the disk: append + fdatasync latency of a small write (build/bench/fsync_latency,
#      in the data dir's file system), the floor of every group commit;
#   2. single-record POSTs (bench/post_single.lua, keep-alive, wrk --latency) at each
#      connection count in CONNS, against nginx `return 204` (the baseline), gamelake
#      durable (the default), durable with log.commit_window_us=WINDOW, and
#      log.durability=none; with requests/s, p50/p99 latency and the records each
#      group commit carried (records accepted / gamelake_log_fsyncs).
# Not part of the tests; 127.0.0.1 only; temp dirs removed at exit.
#
#   bench/post_latency.sh                 (CONNS="32 256" SECONDS_EACH=10 WINDOW=1000)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/gamelake
conns="${CONNS:-32 256}" secs="${SECONDS_EACH:-10}" window="${WINDOW:-1000}"
[ -x "$BIN" ] && [ -x build/bench/fsync_latency ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
WORK=$(mktemp -d /tmp/gamelake-postlat-XXXXXX)
PORT=18082 GL_PID=""
cleanup() {
  [ -n "$GL_PID" ] && kill -9 "$GL_PID" 2>/dev/null || true
  [ -f /tmp/gamelake-bench-nginx.pid ] && kill "$(cat /tmp/gamelake-bench-nginx.pid)" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" '$1==n {print $2}'; }
wrk_line() {  # wrk_line LABEL CONNS URL [script]: "label c rps p50 p99"
  local label="$1" c="$2" url="$3" script="${4:-}"
  local out
  out=$(timeout $((secs + 30)) wrk -t2 -c"$c" -d"${secs}s" --latency ${script:+-s "$script"} "$url")
  echo "$label c=$c rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "p50=$(awk '$1=="50%" {print $2}' <<<"$out") p99=$(awk '$1=="99%" {print $2}' <<<"$out")"
}
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
build/bench/fsync_latency "$WORK" 2000 200
nginx -c "$PWD/bench/nginx.conf" -p "$WORK"
sleep 0.5
for c in $conns; do wrk_line nginx "$c" "http://127.0.0.1:18080/"; done
kill "$(cat /tmp/gamelake-bench-nginx.pid)"
sleep 0.5
run() {  # run LABEL [serve args]
  local label="$1"
  shift
  for c in $conns; do
    rm -rf "$WORK/data"
    "$BIN" serve --data-dir "$WORK/data" --listen "127.0.0.1:$PORT" --set auth.enabled=false "$@" \
      >"$WORK/server.log" 2>&1 &
    GL_PID=$!
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/v1/health" >/dev/null && break; sleep 0.05; done
    local line
    line=$(wrk_line "$label" "$c" "http://127.0.0.1:$PORT" bench/post_single.lua)
    local accepted fsyncs
    accepted=$(metric gamelake_records_accepted_total) fsyncs=$(metric gamelake_log_fsyncs)
    echo "$line records/commit=$(awk -v a="${accepted:-0}" -v f="${fsyncs:-0}" 'BEGIN {printf "%.1f", (f > 0 ? a / f : 0)}')"
    kill -TERM "$GL_PID"
    wait "$GL_PID" || true
    GL_PID=""
  done
}
run gamelake-fsync
run "gamelake-fsync-window${window}us" --set "log.commit_window_us=$window"
run gamelake-none --durability none
