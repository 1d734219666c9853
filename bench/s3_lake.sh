#!/usr/bin/env bash
# The S3 lake's cost (docs/benchmarks.md, "The lake on S3"): end-to-end
# throughput — records accepted over HTTP until every one of them is in a
# delivered Parquet file (and, for the S3 lake, uploaded and confirmed by the
# store) — of a local-disk lake against an S3 lake on s3rver (the S3-compatible
# server the tests use, tests/s3), same machine, same run, runs interleaved.
# Not part of the tests.
#
#   bench/s3_lake.sh [BUILD_DIR]          (default: build)
#   RECORDS=1000000 RUNS=5 bench/s3_lake.sh
#
# Each run: a fresh data dir (and, for S3, a fresh bucket dir), `gamelake
# generate -t builtin:lab` sends RECORDS records as fast as it can, and the clock
# stops when gamelake_delivery_rows_total reaches RECORDS. Both lakes deliver
# every 2 s (delivery.buffer_interval_s=2), so both pay the same buffering.
# Needs BUILD_DIR/gamelake, node and tests/s3's npm packages (scripts/setup.sh).
# Uses only 127.0.0.1; everything lives in one temp dir under /tmp, removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
runs="${RUNS:-5}"
records="${RECORDS:-1000000}"
bin="$build/gamelake"

source bench/bench_lib.sh
bench_init s3bench
trap 's3_stop; bench_cleanup' EXIT

# one_run KIND: prints the records/s of one run of a "local" or "s3" lake.
one_run() {
  local kind="$1" data="$work/data-$1-$RANDOM" t0 t1 rows
  local args=(--set delivery.buffer_interval_s=2)
  if [[ "$kind" == s3 ]]; then
    s3_start "$work/bucket-$RANDOM"
    args+=(--set "lake.location=s3://gl-test/lake/"
      --set "lake.s3.endpoint=http://127.0.0.1:$s3_port" --set lake.s3.path_style=true
      --set lake.s3.access_key_id=S3RVER --set lake.s3.secret_access_key=S3RVER)
  fi
  start_server "$data" "${args[@]}"
  t0=$(now_ms)
  "$bin" generate -t builtin:lab --seed 3 --url "http://127.0.0.1:$port" --count "$records" \
    >>"$work/generate.log" 2>&1
  for _ in $(seq 6000); do
    rows="$(metric gamelake_delivery_rows_total)"
    [[ "${rows:-0}" -ge "$records" ]] && break
    sleep 0.05
  done
  t1=$(now_ms)
  stop_server
  s3_stop
  rm -rf "$data"
  if [[ "${rows:-0}" -lt "$records" ]]; then
    echo "$kind: only ${rows:-0} of $records records delivered" >&2
    exit 1
  fi
  echo $((records * 1000 / (t1 - t0)))
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -a local_rates s3_rates
for i in $(seq "$runs"); do
  log "run $i of $runs: local lake"
  local_rates+=("$(one_run local)")
  log "run $i of $runs: S3 lake (s3rver)"
  s3_rates+=("$(one_run s3)")
done
local_median="$(printf '%s\n' "${local_rates[@]}" | median)"
s3_median="$(printf '%s\n' "${s3_rates[@]}" | median)"
echo "records per run: $records; runs: $runs (interleaved)"
echo "local lake records/s: ${local_rates[*]} (median $local_median)"
echo "S3 lake records/s:    ${s3_rates[*]} (median $s3_median)"
awk -v s="$s3_median" -v l="$local_median" 'BEGIN {printf "S3 / local: %.2f\n", s / l}'
