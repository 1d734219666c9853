#!/usr/bin/env bash
# Wide records (docs/benchmarks.md): 200 NDJSON records with 50 keys of their own
# each (10,000 distinct keys) posted at once to a fresh server per binary given
# (127.0.0.1, delivery.buffer_interval_s=1); prints how long until delivery has
# all 200 rows in the lake, and how many columns the file got. Not part of the tests.
#
#   bench/wide_records.sh OLD/gamelake NEW/gamelake
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d /tmp/gl-wide.XXXXXX)"
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
python3 -c "import json; [print(json.dumps({f'k{i}_{j}': j for j in range(50)})) for i in range(200)]" \
  >"$work/wide.ndjson"
for bin in "$@"; do
  data="$work/data" port=$((20000 + RANDOM % 20000))
  rm -rf "$data" && mkdir -p "$data"
  "$bin" serve --data-dir "$data" --listen "127.0.0.1:$port" --set auth.enabled=false \
    --set delivery.buffer_interval_s=1 >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.1; done
  t0=$(date +%s.%N)
  curl -sf -o /dev/null "http://127.0.0.1:$port/v1/streams/wide/records" \
    -H 'Content-Type: application/x-ndjson' --data-binary @"$work/wide.ndjson"
  rows=0
  for _ in $(seq 1200); do  # at most 120 s
    rows=$(curl -s "http://127.0.0.1:$port/metrics" | awk '$1=="gamelake_delivery_rows_total"{print $2}')
    [[ "${rows:-0}" -ge 200 ]] && break
    sleep 0.1
  done
  t1=$(date +%s.%N)
  file=$(find "$data/lake/wide" -name '*.parquet' | head -n 1)
  columns=$(curl -s "http://127.0.0.1:$port/v1/catalog/tables/wide" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["columns"]))')
  echo "$bin: $rows rows delivered after $(python3 -c "print(round($t1 - $t0, 1))") s; table columns: $columns (${file##*/})"
  kill "$pid" && wait "$pid" 2>/dev/null || true
  pid=""
done
