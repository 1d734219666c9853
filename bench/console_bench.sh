#!/usr/bin/env bash
# The web console's benchmarks (docs/benchmarks.md, "The web console"). Not part of the tests.
#
#   bench/console_bench.sh [BIN] [BIG_DATA_DIR]     (defaults: build/gamelake /tmp/bench10m)
#   PARTS="load live dashboard" RUNS=10 POINTS=150 DASH_RUNS=5 bench/console_bench.sh
#
# load:      bench/console_first_load.mjs — bytes and time of the first page, RUNS cold
#            loads, against a static page served by the same server (bench-blank.html,
#            added to a copy of web/dist).
# live:      bench/console_live.mjs — POINTS live datapoints on the metrics dashboard,
#            against the same datapoints on a raw SSE connection from Node.
# dashboard: bench/console_dashboard.mjs — the lab's analysis over BIG_DATA_DIR (fill it
#            first: bench/console_fill.sh BIG_DATA_DIR 10000000) against its SQL alone.
# Needs web/dist (cd web && npm run build), web/node_modules (playwright-core) and
# /usr/bin/chromium. Servers run `serve --demo` on 127.0.0.1 (ports 18700-18999) and
# are stopped at exit; load and live use a fresh temp data dir.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/gamelake}"
big="${2:-/tmp/bench10m}"
parts="${PARTS:-load live dashboard}"
work="$(mktemp -d /tmp/gl-consolebench.XXXXXX)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

[[ -f web/dist/index.html ]] || { echo "web/dist is not built: cd web && npm run build" >&2; exit 1; }
cp -r web/dist "$work/console"
cat >"$work/console/bench-blank.html" <<'EOF'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>blank</title></head><body><p id="bench-ready">ready</p></body></html>
EOF

# start_demo DATA_DIR: serve --demo with the console copy; sets $url and $server_pid.
start_demo() {
  local port=$((18710 + RANDOM % 280))
  "$bin" serve --demo --data-dir "$1" --listen "127.0.0.1:$port" --set "console.dir=$work/console" \
    >>"$work/server.log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 600); do
    curl -sf "$url/v1/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "server did not start:" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}
stop_server() {
  kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

echo "# console_bench $(date -u +%FT%TZ) $(nproc) cores, git $(git rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)"
for part in $parts; do
  case "$part" in
    load)
      mkdir -p "$work/demo-load"
      start_demo "$work/demo-load"
      sleep 5 # the demo's view binds once events has a table
      log "first load: ${RUNS:-10} cold loads of / and of /bench-blank.html"
      echo "## first load"
      timeout 900 node bench/console_first_load.mjs --url "$url" --runs "${RUNS:-10}"
      stop_server
      ;;
    live)
      mkdir -p "$work/demo-live"
      start_demo "$work/demo-live"
      sleep 5
      log "live: ${POINTS:-150} datapoints"
      echo "## live chart latency"
      timeout 900 node bench/console_live.mjs --url "$url" --points "${POINTS:-150}"
      stop_server
      ;;
    dashboard)
      [[ -d "$big/lake" ]] || { echo "no lake in $big: bench/console_fill.sh $big 10000000" >&2; exit 1; }
      start_demo "$big"
      sleep 5
      log "dashboard: ${DASH_RUNS:-5} runs over $big"
      echo "## lab analysis over $big"
      timeout 1200 node bench/console_dashboard.mjs --url "$url" --runs "${DASH_RUNS:-5}"
      stop_server
      ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
