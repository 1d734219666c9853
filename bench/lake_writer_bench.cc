// Converts a staging NDJSON file of lab-like records into Parquet with
// LakeWriter: records/s, and the raw JSON / Parquet size ratio.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "common/env.h"
#include "delivery/lake_writer.h"

namespace gamelake {
namespace {

constexpr int kRecords = 100'000;

void BM_LakeWriterConvert(benchmark::State& state) {
  char tmpl[] = "/tmp/gl_lake_bench_XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string dir = tmpl;
  const char* kRooms[] = {"Dining Room", "Kitchen", "Library", "Hall"};
  const char* kGhosts[] = {"Ghost", "Poltergeist", "Banshee"};
  std::string staging;
  uint64_t raw_json_bytes = 0;
  const int64_t base_us = 1'710'064'800'000'000;
  for (int i = 0; i < kRecords; ++i) {
    std::string rec = "{\"PlayerID\":\"player-" + std::to_string(i % 5000) +
                      "\",\"Time Played\":" + std::to_string(600 + (i * 37) % 4000) +
                      ",\"Wins\":" + std::to_string(i % 7) +
                      ",\"Losses\":" + std::to_string(i % 5) + ",\"CaughtBy\":\"" + kGhosts[i % 3] +
                      "\",\"CaughtAt\":\"" + kRooms[i % 4] + "\"}";
    raw_json_bytes += rec.size();
    staging += "{\"_ingest_time\":" + std::to_string(base_us + i * 10) +
               ",\"_record_id\":" + std::to_string(i + 1) + ",\"r\":" + rec + "}\n";
  }
  const std::string staging_path = dir + "/staging.ndjson";
  if (!Env::Default()->WriteFileAtomic(staging_path, staging).ok()) {
    state.SkipWithError("cannot write staging file");
    return;
  }
  // Arg 1: gamelake's simdjson schema inference; arg 0 (the baseline): DuckDB's
  // own read_json inference over the whole file.
  LakeWriterOptions options;
  options.infer_schema = state.range(0) == 1;
  auto writer = LakeWriter::Open(options);
  if (!writer.ok()) {
    state.SkipWithError(writer.status().ToString().c_str());
    return;
  }
  uint64_t parquet_bytes = 0;
  int n = 0;
  for (auto _ : state) {
    auto info =
        (*writer)->Convert(staging_path, dir + "/lake/out-" + std::to_string(n++) + ".parquet");
    if (!info.ok()) {
      state.SkipWithError(info.status().ToString().c_str());
      break;
    }
    parquet_bytes = info->bytes;
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  if (parquet_bytes > 0) {
    state.counters["json_to_parquet_ratio"] =
        static_cast<double>(raw_json_bytes) / static_cast<double>(parquet_bytes);
    state.counters["parquet_bytes"] = static_cast<double>(parquet_bytes);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LakeWriterConvert)
    ->ArgName("simdjson_inference")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace gamelake

BENCHMARK_MAIN();
