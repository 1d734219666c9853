#!/usr/bin/env bash
# Long fuzzing runs: every fuzz target (or the ones named) for MINUTES each,
# one after the other, keeping what libFuzzer finds in build-fuzz/corpus-long/
# so the next run starts from there. Builds build-fuzz/ first. See fuzz/README.md.
# Usage: bench/fuzz_long.sh MINUTES [TARGET...]      e.g. bench/fuzz_long.sh 30 sigv4 cbor
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:?usage: bench/fuzz_long.sh MINUTES [TARGET...]}"
shift
scripts/build.sh fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzzer.cc; do targets+=("$(basename "$f" _fuzzer.cc)"); done
fi
mkdir -p build-fuzz/fuzz-artifacts
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for name in "${targets[@]}"; do
  corpus="build-fuzz/corpus-long/$name"
  mkdir -p "$corpus"
  echo "fuzz_long: $name for $minutes min (corpus $corpus)"
  if ! "build-fuzz/fuzz/${name}_fuzzer" "$corpus" "fuzz/corpus/$name" \
      -max_total_time=$((minutes * 60)) -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="build-fuzz/fuzz-artifacts/${name}-" \
      2>&1 | tail -25; then
    status=1  # pipefail: the fuzzer's own exit status counts, not tail's.
  fi
done
exit $status
