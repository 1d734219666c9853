#!/usr/bin/env bash
# Batched ingest with the live tail on and off, and where the server spends its time
# (docs/benchmarks.md, "Speed at the limit (issue 15)"). Not part of the tests.
#
#   bench/ingest_profile.sh [LABEL] [serve args...]       e.g.
#   PERF=1 bench/ingest_profile.sh tail_on
#   bench/ingest_profile.sh tail_off --set sql.tail_max_bytes=0
#
# A fresh server on 127.0.0.1 (fsync'd, delivery and the tail on unless the args say
# otherwise), wrk with 500 lab records a request (bench/post_ndjson.lua) on 8
# connections for 10 s; prints records/s accepted. PERF=1 also records 7 s of the
# server with `perf record -g` into /tmp/perf-LABEL.data; then e.g.
#   perf report -i /tmp/perf-LABEL.data --no-children --sort pid --stdio -g none
#   perf report -i /tmp/perf-LABEL.data --no-children --tid TID --sort sym --stdio -g none
set -euo pipefail
cd "$(dirname "$0")/.."
label="${1:-run}"
shift || true
work=$(mktemp -d /tmp/gl-ingestprof.XXXXXX)
port=18090 pid=""
trap '[[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null; rm -rf "$work"' EXIT
${GL_BIN:-build/gamelake} serve --data-dir "$work/data" --listen "127.0.0.1:$port" --set auth.enabled=false \
  "$@" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.05; done
if [[ "${PERF:-0}" == 1 ]]; then
  (sleep 2; timeout 7 perf record -F 499 -g -p "$pid" -o "/tmp/perf-$label.data" >/dev/null 2>&1 || true) &
fi
out=$(timeout 60 wrk -t2 -c"${CONNS:-8}" -d10s -s bench/post_ndjson.lua "http://127.0.0.1:$port")
echo "$label: $(awk '/records_per_s/ {print $2}' <<<"$out") records/s, non_2xx $(awk '/non_2xx/ {print $2}' <<<"$out")"
sleep 1
kill -TERM "$pid"
wait "$pid" || true
pid=""
