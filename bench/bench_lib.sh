# Shared by the benchmark scripts (sourced, not run): a temp work dir removed
# at exit with the processes it started, logging, and one gamelake server on
# 127.0.0.1 at a time. Expects $bin (the gamelake binary) to be set.
#
#   source bench/bench_lib.sh; bench_init sqlbench
#   start_server "$work/data" --set delivery.buffer_interval_s=1
#   metric gamelake_ingest_records_total; stop_server

# bench_init NAME: creates $work (/tmp/gl-NAME.XXXXXX) and the exit trap.
bench_init() {
  work="$(mktemp -d "/tmp/gl-$1.XXXXXX")"
  server_pid="" loader_pid=""
  trap bench_cleanup EXIT
}
bench_cleanup() {
  [[ -n "$loader_pid" ]] && kill "$loader_pid" 2>/dev/null || true
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
now_ms() { date +%s%3N; }

# start_server DATA_DIR [ARGS...]: a server with auth off and no fsync on a
# random port; sets $port, $server_pid and $started_ms (ms until healthy).
# Its log goes to $work/server.log.
start_server() {
  local data="$1" t0
  shift
  port=$((20000 + RANDOM % 20000))
  t0=$(now_ms)
  "$bin" serve --data-dir "$data" --listen "127.0.0.1:$port" --set auth.enabled=false \
    --durability none "$@" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1200); do
    if curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1; then
      started_ms=$(($(now_ms) - t0))
      return 0
    fi
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
# metric NAME: the value of one series on /metrics.
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v n="$1" '$1 == n {print $2}'; }

# wait_delivered N: waits (up to 10 minutes) until the server's delivery has N rows in
# the lake; sets $rows to what it last saw and fails if that is fewer than N.
wait_delivered() {
  for _ in $(seq 3000); do
    rows="$(metric gamelake_delivery_rows_total)"
    [[ "${rows:-0}" -ge "$1" ]] && return 0
    sleep 0.2
  done
  [[ "${rows:-0}" -ge "$1" ]]
}

# s3rver (the S3-compatible server the tests use, tests/s3), for the S3 lake benchmarks.
s3_pid=""
s3_stop() {
  if [[ -n "$s3_pid" ]]; then
    exec 7>&- || true
    wait "$s3_pid" 2>/dev/null || true
    s3_pid=""
  fi
}
# s3_start DIR: s3rver on 127.0.0.1 storing into DIR; sets $s3_port. It stops
# when its standard input (fd 7, a fifo) closes.
s3_start() {
  mkdir -p "$1"
  rm -f "$work/s3.in" && mkfifo "$work/s3.in"
  (cd tests/s3 && exec node --openssl-legacy-provider s3_check.js serve "$1" 0 \
    <"$work/s3.in" >"$work/s3.out" 2>>"$work/s3.log") &
  s3_pid=$!
  exec 7>"$work/s3.in"
  for _ in $(seq 200); do
    if [[ -s "$work/s3.out" ]]; then
      s3_port="$(sed -E 's/.*"port": *([0-9]+).*/\1/' "$work/s3.out")"
      return 0
    fi
    sleep 0.05
  done
  echo "s3rver did not start" >&2
  exit 1
}
