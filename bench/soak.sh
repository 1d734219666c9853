#!/usr/bin/env bash
# Soak benchmark (issue 16; docs/benchmarks.md, "Soak (1 hour)"). Not part of the tests.
#
#   bench/soak.sh DURATION            e.g. bench/soak.sh 65m, bench/soak.sh 3600s, 1h
#   nice -n 10 bench/soak.sh 65m      (what the documented run did)
#
# One server on 127.0.0.1 (a free port, a temp data dir, auth on with the dev keys it
# makes, fsync'd log, deliveries every SOAK_BUFFER_S seconds, compaction and the
# metrics store on as by default), then for DURATION, at a steady rate and with no
# kills:
#   - native ingest: `gamelake generate -t builtin:sessions --rate` into soak_native
#     (POST /v1/streams/soak_native/records, batches of SOAK_BATCH);
#   - Firehose ingest: the same generator with --api firehose (PutRecordBatch signed
#     with SigV4) into soak_firehose;
#   - queries: every second a count (both streams) and a group-by, POST /v1/query;
#   - every SOAK_SAMPLE_S seconds a sample of the server: RSS, open fds, threads, CPU,
#     log and lake size, records acknowledged and delivered, and the memory holders
#     the server counts (dedupe ids, live tail records, metric store bytes).
# Then it stops ingest, waits (up to SOAK_DRAIN_TIMEOUT_S) until every acknowledged
# record is delivered, counts each stream through the server's SQL, stops the server
# (SIGTERM) and counts again from the Parquet files alone (`gamelake query --data-dir`,
# the catalog's tables and a read_parquet glob): PASS when every count equals what the
# generators were acknowledged, no event_id and no _record_id is there twice, nothing
# was rejected or left unsent and the drain finished. It prints a summary: first, last
# and max of RSS, fds and threads, their slope over the second half of the run (least
# squares) and a verdict, "flat" or "growing" (RSS slope above SOAK_FLAT_MIB_PER_H, or
# fds/threads ending above what the first half ever reached); then a 5-minute table in
# Markdown.
#
# Settings (environment):
#   GL_BIN               the gamelake binary (default build/gamelake)
#   SOAK_NATIVE_RATE     native records a second (default 2000)
#   SOAK_FIREHOSE_RATE   Firehose records a second (default 500)
#   SOAK_BATCH           records a request (default 100)
#   SOAK_BUFFER_S        delivery.buffer_interval_s (default 5)
#   SOAK_SAMPLE_S        seconds between samples (default 10)
#   SOAK_DRAIN_TIMEOUT_S how long to wait for delivery at the end (default 300)
#   SOAK_FLAT_MIB_PER_H  RSS slope under which the verdict is "flat" (default 16)
#   SOAK_OUT             results folder (default /tmp/gamelake-soak-<UTC time>): samples.csv,
#                        queries.csv, the generators' summaries, server.log, summary.txt
#   SOAK_KEEP=1          keep the data dir (in SOAK_OUT/data) instead of removing it
#   SOAK_SERVE_ARGS      more `serve` arguments, e.g. "--set ingest.dedupe_max_entries=2000000"
#   SOAK_QUERIES=0       no queries (to tell what grows with them from what grows without)
# The script ends by itself (DURATION + drain timeout + the checks); every process it
# started is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,45p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -eq 1 ]] || usage
case "$1" in
  *h) dur_s=$((${1%h} * 3600)) ;;
  *m) dur_s=$((${1%m} * 60)) ;;
  *s) dur_s=${1%s} ;;
  *) dur_s=$1 ;;
esac
[[ "$dur_s" =~ ^[0-9]+$ && "$dur_s" -ge 30 ]] || { echo "DURATION: e.g. 60m, 3600s, 1h (at least 30 s)" >&2; exit 2; }

bin="${GL_BIN:-build/gamelake}"
native_rate="${SOAK_NATIVE_RATE:-2000}" firehose_rate="${SOAK_FIREHOSE_RATE:-500}"
batch="${SOAK_BATCH:-100}" buffer_s="${SOAK_BUFFER_S:-5}" sample_s="${SOAK_SAMPLE_S:-10}"
drain_timeout_s="${SOAK_DRAIN_TIMEOUT_S:-300}" flat_mib_h="${SOAK_FLAT_MIB_PER_H:-16}"
out="${SOAK_OUT:-/tmp/gamelake-soak-$(date -u +%Y%m%dT%H%M%SZ)}"
[[ -x "$bin" ]] || { echo "no gamelake binary at $bin (build it, or set GL_BIN)" >&2; exit 1; }
mkdir -p "$out"
if [[ "${SOAK_KEEP:-0}" == 1 ]]; then data="$out/data"; else data="$(mktemp -d /tmp/gl-soak.XXXXXX)/data"; fi
S1=soak_native S2=soak_firehose

server_pid="" gen1_pid="" gen2_pid="" query_pid=""
cleanup() {
  local p
  for p in "$gen1_pid" "$gen2_pid" "$query_pid" "$server_pid"; do
    [[ -n "$p" ]] && kill "$p" 2>/dev/null || true
  done
  for p in "$gen1_pid" "$gen2_pid" "$query_pid" "$server_pid"; do
    [[ -n "$p" ]] && wait "$p" 2>/dev/null || true
  done
  [[ "${SOAK_KEEP:-0}" == 1 ]] || rm -rf "$(dirname "$data")"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# --- the server ----------------------------------------------------------------
log "soak: ${dur_s} s, native ${native_rate}/s + Firehose ${firehose_rate}/s, batches of ${batch}," \
  "delivery every ${buffer_s} s; binary $bin; results in $out"
# shellcheck disable=SC2086
"$bin" serve --data-dir "$data" --listen 127.0.0.1:0 --set "delivery.buffer_interval_s=$buffer_s" \
  ${SOAK_SERVE_ARGS:-} >"$out/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 600); do
  if [[ -s "$data/server.url" ]]; then
    url="$(cat "$data/server.url")"
    curl -sf "$url/v1/health" >/dev/null 2>&1 && break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n "$url" ]] && curl -sf "$url/v1/health" >/dev/null 2>&1 || { echo "server did not start:" >&2; tail -20 "$out/server.log" >&2; exit 1; }
[[ "$url" == http://127.0.0.1:* ]] || { echo "server is not on 127.0.0.1: $url" >&2; exit 1; }
admin_key="$(awk '$1=="dev-admin" {print $3}' "$data/dev-keys.txt")"
ingest_key="$(awk '$1=="dev-ingest" {print $3}' "$data/dev-keys.txt")"
log "server pid $server_pid on $url"

metrics_now() { curl -s --max-time 10 -H "Authorization: Bearer $admin_key" "$url/metrics" || true; }
mval() { awk -v n="$1" '$1 == n {print $2; f=1} END {if (!f) print 0}' <<<"$2"; }
sql() {  # sql QUERY: the server's JSON answer
  curl -s --max-time 60 -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    "$url/v1/query" -d "{\"sql\": \"$1\"}"
}

# --- ingest ----------------------------------------------------------------------
t_start=$(date +%s)
GAMELAKE_KEY="$ingest_key" "$bin" generate -t builtin:sessions --url "$url" --stream "$S1" \
  --rate "$native_rate" --duration "$dur_s" --batch "$batch" --connections 2 2>"$out/gen-native.txt" &
gen1_pid=$!
GAMELAKE_KEY="$ingest_key" "$bin" generate -t builtin:sessions --url "$url" --stream "$S2" --api firehose \
  --rate "$firehose_rate" --duration "$dur_s" --batch "$batch" --connections 2 2>"$out/gen-firehose.txt" &
gen2_pid=$!

# --- queries every second ----------------------------------------------------------
# Waits until both tables exist (the first records are acknowledged), then each second
# a count of both streams and a group-by; each answer's code and time go to queries.csv.
query_loop() {
  local q1="SELECT (SELECT count(*) FROM $S1) + (SELECT count(*) FROM $S2) AS n"
  local q2="SELECT event_type, count(*) AS n, avg(level) AS avg_level FROM $S1 GROUP BY ALL ORDER BY n DESC"
  for _ in $(seq 100); do
    [[ "$(sql "$q1")" == *'"rows"'* ]] && break
    sleep 0.2
  done
  echo "unix_s,query,http_code,seconds" >"$out/queries.csv"
  local next q name res
  next=$(date +%s)
  while :; do
    for name in count group_by; do
      [[ $name == count ]] && q="$q1" || q="$q2"
      res=$(curl -s -o /dev/null -w '%{http_code},%{time_total}' --max-time 30 -H "Authorization: Bearer $admin_key" \
        -H 'Content-Type: application/json' "$url/v1/query" -d "{\"sql\": \"$q\"}" || echo "000,30")
      echo "$(date +%s),$name,$res" >>"$out/queries.csv"
    done
    next=$((next + 1))
    local now
    now=$(date +%s%N)
    local wait_ns=$((next * 1000000000 - now))
    ((wait_ns > 0)) && sleep "$(awk -v n="$wait_ns" 'BEGIN {printf "%.3f", n / 1e9}')"
  done
}
if [[ "${SOAK_QUERIES:-1}" == 1 ]]; then
  query_loop &
  query_pid=$!
else
  echo "unix_s,query,http_code,seconds" >"$out/queries.csv"
fi

# --- samples -------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
echo "t_s,utc,phase,rss_kb,fds,threads,cpu_pct,log_bytes,lake_bytes,lake_files,acked,delivered,dedupe_entries,tail_records,metric_store_bytes,sql_engine_bytes,file_cache_bytes,queries_ok,queries_failed" >"$out/samples.csv"
prev_ticks=$(cpu_ticks) prev_t=$(date +%s%N)
sample() {  # sample PHASE
  local m t ticks now rss fds thr cpu qok qfail duck
  m="$(metrics_now)"
  # The SQL engine's DuckDB memory by tag: all of it, and its cache of Parquet bytes read.
  duck=$(sql "SELECT coalesce(sum(memory_usage_bytes), 0), coalesce(sum(memory_usage_bytes) FILTER (WHERE tag = 'EXTERNAL_FILE_CACHE'), 0) FROM duckdb_memory()" |
    sed -n 's/.*"rows":\[\[\([0-9]*\),\([0-9]*\)\]\].*/\1,\2/p')
  now=$(date +%s%N) ticks=$(cpu_ticks)
  cpu=$(awk -v d=$((ticks - prev_ticks)) -v hz="$hz" -v ns=$((now - prev_t)) 'BEGIN {printf "%.1f", (ns > 0 ? 100 * d / hz / (ns / 1e9) : 0)}')
  prev_ticks=$ticks prev_t=$now
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status")
  thr=$(awk '/^Threads:/ {print $2}' "/proc/$server_pid/status")
  fds=$(find "/proc/$server_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  qok=0 qfail=0
  if [[ -f "$out/queries.csv" ]]; then
    read -r qok qfail < <(awk -F, 'NR > 1 {if ($3 == 200) ok++; else bad++} END {print ok + 0, bad + 0}' "$out/queries.csv")
  fi
  t=$(($(date +%s) - t_start))
  echo "$t,$(date -u +%H:%M:%S),$1,$rss,$fds,$thr,$cpu,$(du -sb "$data/log" | cut -f1),$(du -sb "$data/lake" | cut -f1)," \
    "$(mval gamelake_lake_files "$m"),$(mval gamelake_records_accepted_total "$m"),$(mval gamelake_delivery_rows_total "$m")," \
    "$(mval gamelake_dedupe_entries "$m"),$(mval gamelake_sql_tail_records "$m"),$(mval gamelake_metric_store_memory_bytes "$m"),${duck:-,},$qok,$qfail" |
    tr -d ' ' >>"$out/samples.csv"
}
gens_running() { kill -0 "$gen1_pid" 2>/dev/null || kill -0 "$gen2_pid" 2>/dev/null; }
k=0
while gens_running; do
  sample ingest
  if ((k % 30 == 0)); then log "$(tail -1 "$out/samples.csv")"; fi
  k=$((k + 1))
  while gens_running && (($(date +%s) < t_start + k * sample_s)); do sleep 0.5; done
  (($(date +%s) > t_start + dur_s + 120)) && { log "generators still running 120 s past DURATION; stopping them"; kill "$gen1_pid" "$gen2_pid" 2>/dev/null || true; }
done
rc1=0 rc2=0
wait "$gen1_pid" || rc1=$?
wait "$gen2_pid" || rc2=$?
gen1_pid="" gen2_pid=""
t_ingest_end=$(date +%s)
log "ingest done: native: $(cat "$out/gen-native.txt")"
log "ingest done: firehose: $(cat "$out/gen-firehose.txt")"
acc_of() { sed -n 's/.*: \([0-9,]*\) accepted, \([0-9,]*\) rejected, \([0-9,]*\) not sent.*/\1 \2 \3/p' "$1" | tr -d ','; }
read -r ack1 rej1 uns1 < <(acc_of "$out/gen-native.txt"; echo)
read -r ack2 rej2 uns2 < <(acc_of "$out/gen-firehose.txt"; echo)
ack1=${ack1:-0} ack2=${ack2:-0} rej1=${rej1:--1} rej2=${rej2:--1} uns1=${uns1:--1} uns2=${uns2:--1}

# --- drain: every acknowledged record delivered -------------------------------------
drained=0
while (($(date +%s) < t_ingest_end + drain_timeout_s)); do
  m="$(metrics_now)"
  acc=$(mval gamelake_records_accepted_total "$m") dup=$(mval gamelake_dedupe_duplicates_total "$m")
  del=$(mval gamelake_delivery_rows_total "$m")
  if ((del >= acc - dup)); then drained=1; break; fi
  sleep 1
done
drain_s=$(($(date +%s) - t_ingest_end))
sample drain
if [[ -n "$query_pid" ]]; then
  kill "$query_pid" 2>/dev/null || true
  wait "$query_pid" 2>/dev/null || true
  query_pid=""
fi
log "drain: $([[ $drained == 1 ]] && echo "all delivered in ${drain_s} s" || echo "NOT all delivered after ${drain_s} s")"

# --- the checks ----------------------------------------------------------------------
count_q() { echo "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, count(DISTINCT _record_id) AS rids FROM $1"; }
rows_of() { sed -n 's/.*"rows":\[\[\([0-9]*\),\([0-9]*\),\([0-9]*\)\]\].*/\1 \2 \3/p' <<<"$1"; }
read -r on1 on1i on1r < <(rows_of "$(sql "$(count_q "$S1")")"; echo)
read -r on2 on2i on2r < <(rows_of "$(sql "$(count_q "$S2")")"; echo)
t0=$(date +%s%N)
kill -TERM "$server_pid"
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=""
stop_ms=$((($(date +%s%N) - t0) / 1000000))
offline() {  # offline FROM: "n,ids,rids" from the delivered files, no server
  "$bin" query --data-dir "$data" --format csv --timeout 600 \
    "SELECT count(*), count(DISTINCT event_id), count(DISTINCT _record_id) FROM $1" 2>>"$out/offline.err" | tail -1 | tr -d '\r' | tr ',' ' '
}
read -r off1 off1i off1r < <(offline "$S1"; echo)
read -r off2 off2i off2r < <(offline "$S2"; echo)
read -r glob1 _ _ < <(offline "read_parquet('$data/lake/$S1/**/*.parquet', union_by_name=true)"; echo)
read -r glob2 _ _ < <(offline "read_parquet('$data/lake/$S2/**/*.parquet', union_by_name=true)"; echo)

pass=1
fail() { pass=0; echo "  FAIL: $*"; }
{
  echo "== soak $(date -u +%Y-%m-%dT%H:%MZ): ${dur_s} s, native ${native_rate}/s + Firehose ${firehose_rate}/s (batches of ${batch}), deliveries every ${buffer_s} s; $(nproc) cores"
  echo "generators: native exit $rc1: $(cat "$out/gen-native.txt")"
  echo "            firehose exit $rc2: $(cat "$out/gen-firehose.txt")"
  echo "drain: $drain_s s; server stopped (SIGTERM) in $stop_ms ms, exit $server_rc"
  for s in 1 2; do
    name=S$s ack=ack$s on=on$s oni=on${s}i onr=on${s}r off=off$s offi=off${s}i offr=off${s}r glob=glob$s rej=rej$s uns=uns$s
    echo "${!name}: acknowledged ${!ack}; server SQL ${!on:-?} rows, ${!oni:-?} event ids, ${!onr:-?} record ids;" \
      "lake files ${!off:-?} rows (${!offi:-?} ids, ${!offr:-?} record ids), glob ${!glob:-?}"
    [[ "${!rej}" == 0 && "${!uns}" == 0 ]] || fail "${!name}: rejected ${!rej}, not sent ${!uns}"
    [[ "${!on:-x}" == "${!ack}" ]] || fail "${!name}: server SQL count ${!on:-?} != acknowledged ${!ack}"
    [[ "${!off:-x}" == "${!ack}" ]] || fail "${!name}: lake count ${!off:-?} != acknowledged ${!ack}"
    [[ "${!glob:-x}" == "${!ack}" ]] || fail "${!name}: Parquet glob count ${!glob:-?} != acknowledged ${!ack}"
    [[ "${!offi:-x}" == "${!off:-y}" && "${!offr:-x}" == "${!off:-y}" ]] || fail "${!name}: duplicate event_id or _record_id in the lake"
    [[ "${!oni:-x}" == "${!on:-y}" && "${!onr:-x}" == "${!on:-y}" ]] || fail "${!name}: duplicate event_id or _record_id in server SQL"
  done
  [[ $drained == 1 ]] || fail "not everything was delivered within ${drain_timeout_s} s"
  [[ $rc1 == 0 && $rc2 == 0 ]] || fail "a generator exited with $rc1/$rc2"
  awk -F, 'NR > 1 {n++; if ($3 == 200) ok++; else {bad++; codes[$3]++}}
    END {printf "queries: %d, %d answered 200, %d not", n, ok, bad; for (c in codes) printf " (HTTP %s: %d)", c, codes[c]}' "$out/queries.csv"
  tail -n +2 "$out/queries.csv" | cut -d, -f4 | sort -g |
    awk '{t[++n] = $1} END {p = int(n * 0.99); if (p < 1) p = 1
      if (n) printf "; time p50 %.3f s, p99 %.3f s, max %.3f s\n", t[int((n + 1) / 2)], t[p], t[n]; else print ""}'
  echo "server log: $(grep -c 'level=error' "$out/server.log" || true) error lines, $(grep -c 'level=warning' "$out/server.log" || true) warning lines"
  grep -E 'level=(error|warning)' "$out/server.log" | sed -E 's/^ts=[^ ]* //' | sort | uniq -c | sort -rn | head -5 | sed 's/^/    /'
  # first / last / max and the least-squares slope over the second half (ingest samples only)
  awk -F, -v flat="$flat_mib_h" '
    NR == 1 {for (i = 1; i <= NF; i++) col[$i] = i; next}
    $3 == "ingest" {n++; for (c in col) v[n, c] = $(col[c])}
    function slope(c, lo, hi,   i, sx, sy, sxx, sxy, m, x, y) {
      m = 0; for (i = lo; i <= hi; i++) {x = v[i, "t_s"] / 3600; y = v[i, c]; sx += x; sy += y; sxx += x * x; sxy += x * y; m++}
      return (m * sxx - sx * sx) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : 0 }
    function mx(c, lo, hi,   i, r) {r = v[lo, c]; for (i = lo; i <= hi; i++) if (v[i, c] + 0 > r + 0) r = v[i, c]; return r}
    END {
      h = int(n / 2) + 1
      printf "RSS MiB: first %.1f, last %.1f, max %.1f; slope over the second half %+.1f MiB/h\n",
        v[1, "rss_kb"] / 1024, v[n, "rss_kb"] / 1024, mx("rss_kb", 1, n) / 1024, slope("rss_kb", h, n) / 1024
      printf "fds: first %d, last %d, max %d, slope %+.1f/h; threads: first %d, last %d, max %d, slope %+.1f/h\n",
        v[1, "fds"], v[n, "fds"], mx("fds", 1, n), slope("fds", h, n), v[1, "threads"], v[n, "threads"], mx("threads", 1, n), slope("threads", h, n)
      printf "second-half slopes of what the server counts: dedupe ids %+.0f/h, tail records %+.0f/h, metric store %+.2f MiB/h, SQL engine %+.1f MiB/h, log %+.1f MiB/h, lake %+.1f MiB/h\n",
        slope("dedupe_entries", h, n), slope("tail_records", h, n), slope("metric_store_bytes", h, n) / 1048576,
        slope("sql_engine_bytes", h, n) / 1048576,
        slope("log_bytes", h, n) / 1048576, slope("lake_bytes", h, n) / 1048576
      cpu = 0; for (i = 1; i <= n; i++) cpu += v[i, "cpu_pct"]
      printf "server CPU: mean %.1f%% of one core, max %.1f%%\n", cpu / n, mx("cpu_pct", 1, n)
      grow = (slope("rss_kb", h, n) / 1024 > flat) || (v[n, "fds"] > mx("fds", 1, h - 1) + 8) || (v[n, "threads"] > mx("threads", 1, h - 1))
      printf "verdict: %s (RSS slope limit %s MiB/h; fds and threads must end within what the first half reached)\n", grow ? "growing" : "flat", flat
    }' "$out/samples.csv"
  echo
  echo "| min | RSS MiB | fds | threads | CPU % | log MiB | lake MiB | lake files | acknowledged | dedupe ids | tail records | metric store MiB | SQL engine MiB |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  awk -F, 'NR > 1 && ($1 % 300 < 10 || $3 == "drain") {
    printf "| %s | %.0f | %d | %d | %.0f | %.0f | %.0f | %d | %d | %d | %d | %.1f | %.0f |\n", ($3 == "drain" ? "end" : int($1 / 60)), $4 / 1024, $5, $6, $7,
      $8 / 1048576, $9 / 1048576, $10, $11, $13, $14, $15 / 1048576, $16 / 1048576}' "$out/samples.csv"
  echo
  [[ $pass == 1 ]] && echo "PASS: the lake holds exactly what was acknowledged, no duplicates" || echo "FAIL"
} >"$out/summary.txt"
cat "$out/summary.txt"
echo "results: $out (samples.csv, queries.csv, summary.txt, server.log)" >&2
[[ $pass == 1 ]]
