#!/usr/bin/env bash
# Configures and builds gamelake. Usage: scripts/build.sh [release|sanitize]
#   release  -> build/        (RelWithDebInfo; the binary users run)
#   sanitize -> build-asan/   (AddressSanitizer + UndefinedBehaviorSanitizer, for tests)
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-release}"
jobs="$(nproc)"
case "$kind" in
  release)
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build -j "$jobs"
    ;;
  sanitize)
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGAMELAKE_SANITIZE=ON \
      -DGAMELAKE_BENCH=OFF >/dev/null
    cmake --build build-asan -j "$jobs"
    ;;
  *)
    echo "usage: scripts/build.sh [release|sanitize]" >&2
    exit 2
    ;;
esac
