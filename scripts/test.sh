#!/usr/bin/env bash
# Sets everything up, builds, and runs every test, each once:
#   1. every C++ test (unit, integration and crash tests against the real server on
#      127.0.0.1) and the game SDKs' end-to-end tests (label sdk_e2e: C++, C# under
#      Mono, TypeScript in Node and chromium) under AddressSanitizer +
#      UndefinedBehaviorSanitizer, two at a time, beside clang's thread-safety
#      analysis of the locking rules;
#   2. the web console's checks (ESLint, TypeScript, its unit tests, its browser
#      tests in Debian's chromium against that server with --demo);
#   3. a short run of every fuzz target (fuzz/);
#   4. the threaded streaming tests and the C++ SDK under ThreadSanitizer (every
#      test under it: scripts/test_tsan.sh, before a release).
# One build serves the tests: CI gives the suite 90 minutes on two cores, compiling
# is most of it, and a sanitized run catches all a release run would (UBSan covers
# what optimisation could expose) and more. The release build (scripts/build.sh) is
# the same code at -O2; the benchmarks (bench/) run it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's start and the seconds since the run began, so a slow run says where.
phase() { echo "[test.sh +${SECONDS}s] $*" >&2; }
phase setup
scripts/setup.sh
phase sanitize build
scripts/build.sh sanitize
phase console and SDK builds
scripts/build.sh console
scripts/build.sh sdks build-asan
source scripts/node_path.sh
# Leaks are checked too: strings the DuckDB C API hands over must be freed
# with duckdb_free (sql/duck_handles.h, TakeDuckString).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The locking rules (GL_GUARDED_BY, GL_REQUIRES; src/common/mutex.h), checked by
# clang's thread-safety analysis over the files that use them (parse only, with the
# sanitized build's compile commands; about 5 CPU-minutes). It runs beside the
# tests, which mostly wait on servers, and its verdict is collected after.
phase sanitized tests
scripts/check_thread_safety.sh build-asan > build-asan/thread_safety.log 2>&1 &
thread_safety_pid=$!
# Two at a time: most tests wait on a server, a disk or a timer, not on a core.
(cd build-asan && ctest -j2 --output-on-failure --timeout 900)
if ! wait "$thread_safety_pid"; then
  cat build-asan/thread_safety.log >&2
  exit 1
fi
cat build-asan/thread_safety.log
# The console, once, against the sanitized server (screenshots land in
# build/console-screenshots).
phase console checks
(cd web && npm run --silent lint && npm run --silent typecheck &&
  GAMELAKE_BIN="$PWD/../build-asan/gamelake" npx playwright test)
# The parsers that take bytes from outside, fuzzed a few seconds each from their
# seed corpora (clang, libFuzzer, ASan+UBSan; fuzz/README.md). Fails on any crash.
phase fuzz build
scripts/build.sh fuzz
phase fuzz run
fuzz/run_all.sh 5
# ThreadSanitizer where threads meet: the streaming applications' runners,
# service, live hub, source reader and destinations (one build of the
# streaming tests only, to keep the suite's time; scripts/test_tsan.sh runs every
# test under ThreadSanitizer, before a release).
phase tsan build
scripts/build.sh tsan-threads
TSAN_OPTIONS="halt_on_error=1" build-tsan/tests/gl_streaming_tests \
  --gtest_filter='AppService*:LiveHub*:SourceReader*:*Destination*:AppCheckpoint*' --gtest_brief=1
# ...and the C++ game SDK, where the game's threads meet its worker (Track, the queue,
# the sender); its end-to-end test is skipped there (no server in that build).
TSAN_OPTIONS="halt_on_error=1" build-tsan/sdk/cpp/gamelake_sdk_tests --gtest_brief=1
phase done
