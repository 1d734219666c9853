#!/usr/bin/env bash
# What API-key auth costs per request: single-record POSTs (keep-alive,
# durable) with auth off vs a Bearer key, interleaved A/B/A/B in one run.
# Usage: bench/auth_cost.sh [seconds=8]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-8}"
BIN=build/gamelake
WORK=$(mktemp -d /tmp/gamelake-authbench-XXXXXX)
trap 'pkill -f "data-dir $WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
run() {  # run NAME AUTH(true|false)
  local dir="$WORK/$1"
  "$BIN" serve --data-dir "$dir" --listen 127.0.0.1:18091 --set auth.enabled="$2" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18091/v1/health >/dev/null && break; sleep 0.05; done
  local script=bench/post_single.lua
  if [ "$2" = true ]; then
    KEY=$(awk '$1=="dev-ingest" {print $3}' "$dir/dev-keys.txt")
    sed "s|^wrk.body|wrk.headers[\"Authorization\"] = \"Bearer $KEY\"\nwrk.body|" bench/post_single.lua > "$WORK/auth.lua"
    script="$WORK/auth.lua"
  fi
  wrk -t2 -c256 -d"${SECS}s" -s "$script" http://127.0.0.1:18091 | awk '/Requests\/sec/ {print $2}'
  kill -TERM $pid; wait $pid || true
}
echo "| run | auth off (req/s) | Bearer key (req/s) |"
echo "| --- | --- | --- |"
for i in 1 2; do
  off=$(run off$i false); on=$(run on$i true)
  echo "| $i | $off | $on |"
done
