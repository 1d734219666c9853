#!/usr/bin/env bash
# Sets everything up, builds, and runs every test: first the release build
# (unit, integration and crash tests against the real server on 127.0.0.1),
# then the web console's checks (ESLint, TypeScript, its unit tests, and its
# browser tests in Debian's chromium against build/gamelake --demo), then the
# same C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer, then the
# threaded streaming tests under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release
(cd build && ctest --output-on-failure --timeout 600)
# The console, once (screenshots land in build/console-screenshots).
source scripts/node_path.sh
(cd web && npm run --silent lint && npm run --silent typecheck && npx playwright test)
scripts/build.sh sanitize
# Leaks are checked too: strings the DuckDB C API hands over must be freed
# with duckdb_free (sql/duck_handles.h, TakeDuckString).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build-asan && ctest --output-on-failure --timeout 900)
# ThreadSanitizer where threads meet: the streaming applications' runners,
# service, live hub, source reader and destinations (one build of the
# streaming tests only, to keep the suite's time).
scripts/build.sh tsan
TSAN_OPTIONS="halt_on_error=1" build-tsan/tests/gl_streaming_tests \
  --gtest_filter='AppService*:LiveHub*:SourceReader*:*Destination*:AppCheckpoint*' --gtest_brief=1
