#!/usr/bin/env bash
# Runs every fuzz target of build-fuzz/ (scripts/build.sh fuzz) for SECONDS each
# over its seed corpus in fuzz/corpus/<name>/, under ASan+UBSan; fails on the
# first crash, leak, UB report, timeout or out-of-memory.
# Usage: fuzz/run_all.sh [SECONDS_PER_TARGET] [TARGET...]   (default 6 s, every target)
#
# New inputs libFuzzer finds go to a temporary directory (first corpus dir),
# the repo's corpus is only read (second dir), so a run leaves the tree as it
# was. A crash's input is kept in build-fuzz/fuzz-artifacts/ (see fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-6}"
shift || true
bin=build-fuzz/fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzzer.cc; do
    name="$(basename "$f" _fuzzer.cc)"
    targets+=("$name")
  done
fi
artifacts=build-fuzz/fuzz-artifacts
mkdir -p "$artifacts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1"
failed=()
for name in "${targets[@]}"; do
  exe="$bin/${name}_fuzzer"
  if [ ! -x "$exe" ]; then
    echo "fuzz: $exe is missing; run scripts/build.sh fuzz" >&2
    exit 1
  fi
  mkdir -p "$work/$name"
  start=$SECONDS
  if "$exe" "$work/$name" "fuzz/corpus/$name" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$artifacts/${name}-" >"$work/$name.log" 2>&1; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")"
    cov="$(grep -o 'cov: [0-9]*' "$work/$name.log" | tail -1)"
    echo "fuzz: $name ok ($((SECONDS - start)) s, ${runs:-?} runs, ${cov:-cov: ?})"
  else
    echo "fuzz: $name FAILED; its log:" >&2
    tail -60 "$work/$name.log" >&2
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failed: ${failed[*]} (inputs in $artifacts/)" >&2
  exit 1
fi
