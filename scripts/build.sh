#!/usr/bin/env bash
# Configures and builds gamelake.
# Usage: scripts/build.sh [release [TARGET...]|sanitize|tsan|tsan-threads|console|sdks [DIR]|fuzz]
#   release  -> build/        (RelWithDebInfo; the binary users run, the C++ SDK, the
#                              tests and benchmarks, or only the TARGETs given), the
#                              console, and the C# and TypeScript SDKs (build/sdk/unity,
#                              sdk/js/dist)
#   console  -> web/dist/     (the web console: type-checked, bundled by Vite;
#                              `gamelake serve` finds it beside build/)
#   sdks [DIR] -> DIR/sdk/unity, sdk/js/dist (the C# and TypeScript SDKs, their tests
#                              and drivers; DIR is the CMake build that tests them,
#                              build/ unless given)
#   sanitize -> build-asan/   (AddressSanitizer + UndefinedBehaviorSanitizer, for tests)
#   tsan     -> build-tsan/   (ThreadSanitizer: the server and every test, unit and
#                              integration; scripts/test_tsan.sh runs them, before a release)
#   tsan-threads -> build-tsan/ (ThreadSanitizer, only the tests where threads meet that
#                              the test command runs: the streaming tests and the C++ SDK)
#   fuzz     -> build-fuzz/   (clang: the libFuzzer targets of fuzz/ under ASan+UBSan,
#                              and only them; fuzz/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node_path.sh
build_console() { (cd web && npm run --silent build); }
# The game SDKs that are not C++: C# under Mono, TypeScript (tests and driver too).
build_sdks() {
  sdk/unity/build.sh "$1/sdk/unity"
  (cd sdk/js && npm run --silent build)
}
kind="${1:-release}"
shift || true
jobs="$(nproc)"
case "$kind" in
  release)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    if [ "$#" -gt 0 ]; then
      cmake --build build -j "$jobs" --target "$@"
    else
      cmake --build build -j "$jobs"
    fi
    build_console
    build_sdks build
    ;;
  console)
    build_console
    ;;
  sdks)
    build_sdks "${1:-build}"
    ;;
  sanitize)
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGAMELAKE_SANITIZE=ON \
      -DGAMELAKE_BENCH=OFF >/dev/null
    cmake --build build-asan -j "$jobs"
    ;;
  tsan | tsan-threads)
    cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAMELAKE_TSAN=ON \
      -DGAMELAKE_BENCH=OFF >/dev/null
    if [ "$kind" = tsan ]; then
      cmake --build build-tsan -j "$jobs"
    else
      cmake --build build-tsan -j "$jobs" --target gl_streaming_tests gamelake_sdk_tests
    fi
    ;;
  fuzz)
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DGAMELAKE_FUZZ=ON -DGAMELAKE_BENCH=OFF -DGAMELAKE_SDK_CPP=OFF >/dev/null
    cmake --build build-fuzz -j "$jobs" --target gamelake_fuzzers
    ;;
  *)
    echo "usage: scripts/build.sh [release [TARGET...]|sanitize|tsan|tsan-threads|console|sdks [DIR]|fuzz]" >&2
    exit 2
    ;;
esac
