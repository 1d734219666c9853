#!/usr/bin/env bash
# The game SDKs' numbers in one run (docs/benchmarks.md, "Game SDKs"): each SDK's own
# benchmark (Track's latency and allocations on the calling thread over 1M calls, and
# one client's throughput to a local server with the default, fsync'd durability),
# then bench/sdk_lab_bench.mjs (the three SDKs and the lab's one-POST-per-event way,
# bytes on the wire and events/s, through a counting proxy). Build first:
# scripts/build.sh release (and the bench target: cmake --build build --target sdk_cpp_bench).
#
#   bench/sdk_bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node_path.sh
bin=build/gamelake runs="${1:-3}"
source bench/bench_lib.sh
bench_init sdkbench

# A server as a game meets it: auth on, fsync'd acknowledgements.
key=$("$bin" keys create --name bench --scope ingest --data-dir "$work/data" | tail -n 1)
port=$((20000 + RANDOM % 20000))
"$bin" serve --data-dir "$work/data" --listen "127.0.0.1:$port" >>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null && break; sleep 0.05; done

for r in $(seq "$runs"); do
  log "C++ SDK, run $r"
  build/sdk/cpp/sdk_cpp_bench --calls 1000000 --url "http://127.0.0.1:$port" --key "$key" --events 500000
done
stop_server
for r in $(seq "$runs"); do
  log "C# SDK, run $r"
  mono build/sdk/unity/sdk_csharp_bench.exe "$bin" 1000000
done
log "TypeScript SDK"
node --expose-gc bench/sdk_js_bench.mjs --gamelake "$bin" --runs "$runs"
log "the SDKs against the lab's PutData.cs way"
node bench/sdk_lab_bench.mjs --gamelake "$bin" --count 100000 --runs "$runs" \
  --sdk "cpp=build/sdk/cpp/gamelake_sdk_driver" --sdk "csharp=mono build/sdk/unity/Driver.exe" \
  --sdk "js=node sdk/js/dist/test/driver.js"
