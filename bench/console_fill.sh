#!/usr/bin/env bash
# Fills a data dir with COUNT lab records in the lake for the console's dashboard
# benchmark (docs/benchmarks.md, "The web console"), plus the lab's view "data-view".
# Not part of the tests.
#
#   bench/console_fill.sh [DATA_DIR] [COUNT] [PORT]   (defaults: /tmp/bench10m 10000000 18700)
#
# Starts `gamelake serve` on 127.0.0.1:PORT (auth off, no fsync), sends COUNT records of
# builtin:lab with `gamelake generate` (500 a request, 16 connections), waits until
# delivery has written them all as Parquet (gamelake_delivery_rows_total), creates the
# view, stops the server. The data dir is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-/tmp/bench10m}"
count="${2:-10000000}"
port="${3:-18700}"
bin="${GAMELAKE_BIN:-build/gamelake}"
url="http://127.0.0.1:$port"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
metric() { curl -s "$url/metrics" | awk -v n="$1" '$1 == n {print $2}'; }

mkdir -p "$data"
"$bin" serve --data-dir "$data" --listen "127.0.0.1:$port" --durability none \
  --set auth.enabled=false >>"$data/fill-server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf "$url/v1/health" >/dev/null && break; sleep 0.05; done

before="$(metric gamelake_delivery_rows_total)"
log "sending $count lab records ($before rows delivered before)"
t0=$SECONDS
timeout 600 "$bin" generate --template builtin:lab --count "$count" --url "$url" \
  --batch 500 --connections 16 --quiet
log "sent in $((SECONDS - t0)) s; waiting for delivery"
t0=$SECONDS
target=$(( ${before:-0} + count ))
while :; do
  rows="$(metric gamelake_delivery_rows_total)"
  [[ "${rows:-0}" -ge "$target" ]] && break
  ((SECONDS - t0 < 400)) || { echo "delivery did not finish: $rows rows" >&2; exit 1; }
  sleep 2
done
log "delivered $rows rows in $(metric gamelake_delivery_files_total) files," \
  "$(du -sb "$data/lake/events" | cut -f1) bytes of Parquet, $((SECONDS - t0)) s after the send"
curl -sf -X POST "$url/v1/query" -H 'Content-Type: application/json' \
  -d '{"sql": "CREATE OR REPLACE VIEW \"data-view\" AS SELECT * FROM events WHERE \"Time Played\" > 3600"}' >/dev/null \
  || curl -sf -X POST "$url/v1/query" -H 'Content-Type: application/json' \
       -d '{"sql": "CREATE VIEW \"data-view\" AS SELECT * FROM events WHERE \"Time Played\" > 3600"}' >/dev/null
log "count(*) of events and data-view: $(curl -s -X POST "$url/v1/query" -H 'Content-Type: application/json' \
  -d '{"sql": "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM \"data-view\") AS view"}')"
