#!/usr/bin/env bash
# Every C++ test under ThreadSanitizer: the server, its libraries and the unit,
# integration and crash tests, built with -fsanitize=thread (build-tsan/), the
# integration tests starting the TSan-built server. Too long for the test
# command's time budget (scripts/test.sh runs the streaming and SDK threads
# only), so it is run before each release and after any change to how threads
# share state (docs/architecture.md, "Threads, ownership, back-pressure").
#
# Every process writes its reports to build-tsan/tsan-reports/ (the server's
# too, which the tests would otherwise only see as an exit code); the run fails
# if any test fails or any report was written.
# Usage: scripts/test_tsan.sh [ctest arguments, e.g. -R Integration]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh tsan
source scripts/node_path.sh
reports="$PWD/build-tsan/tsan-reports"
rm -rf "$reports" && mkdir -p "$reports"
# The SDKs' end-to-end tests (label sdk_e2e) drive other languages' runtimes
# against the server; they run against the release build in scripts/test.sh.
status=0
TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$reports/tsan suppressions=$PWD/tests/thread_safety/tsan_suppressions.txt" \
  ctest --test-dir build-tsan --output-on-failure --timeout 1800 -j 1 -LE sdk_e2e "$@" || status=$?
if compgen -G "$reports/tsan.*" >/dev/null; then
  echo "test_tsan: ThreadSanitizer reported (build-tsan/tsan-reports/):" >&2
  for f in "$reports"/tsan.*; do
    echo "=== $f" >&2
    head -60 "$f" >&2
  done
  exit 1
fi
[ "$status" = 0 ] || { echo "test_tsan: a test failed under ThreadSanitizer" >&2; exit "$status"; }
echo "test_tsan: every test passed, no ThreadSanitizer report"
