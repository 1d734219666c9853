// What generating a record costs: the lab's template (builtin:lab), the
// sessions simulation, and a template using the heavier helpers, rendered
// into a reused buffer as `gamelake generate` does; the baseline appends a
// fixed record of the lab's size (the floor for "make a line of bytes").
#include <benchmark/benchmark.h>

#include <string>

#include "generator/record_source.h"
#include "generator/template.h"

namespace gamelake {
namespace {

constexpr int64_t kNow = 1735689600'000'000;

void Run(benchmark::State& state, RecordSource* source, bool checked) {
  std::string buf;
  buf.reserve(1 << 20);
  int64_t records = 0;
  for (auto _ : state) {
    if (buf.size() > (1 << 20) - 4096) buf.clear();
    if (checked) {
      benchmark::DoNotOptimize(source->NextChecked(kNow + records, &buf));
    } else {
      source->Next(kNow + records, &buf);
    }
    buf.push_back('\n');
    ++records;
  }
  state.SetItemsProcessed(records);
}

void BM_Lab(benchmark::State& state) {
  auto source = NewBuiltinSource("builtin:lab", 1).value();
  Run(state, source.get(), false);
}
BENCHMARK(BM_Lab);

void BM_LabChecked(benchmark::State& state) {
  auto source = NewBuiltinSource("builtin:lab", 1).value();
  Run(state, source.get(), true);
}
BENCHMARK(BM_LabChecked);

void BM_Sessions(benchmark::State& state) {
  auto source = NewBuiltinSource("builtin:sessions", 1).value();
  Run(state, source.get(), false);
}
BENCHMARK(BM_Sessions);

void BM_RichTemplate(benchmark::State& state) {
  auto source =
      NewTemplateSource(R"({"id":"{{random.uuid}}","at":"{{date.now("YYYY-MM-DD HH:mm:ss")}}",
      "name":"{{name.firstName}} {{name.lastName}}","email":"{{internet.email}}","ip":"{{internet.ip}}",
      "country":"{{address.country}}","price":{{commerce.price}},"ok":{{random.boolean}}})",
                        1)
          .value();
  Run(state, source.get(), false);
}
BENCHMARK(BM_RichTemplate);

void BM_BaselineFixedRecord(benchmark::State& state) {
  const std::string record =
      R"({"PlayerID":4242,"Time Played":53217,"Wins":2,"Losses":17,"CaughtAt":2,"CaughtBy":2})";
  std::string buf;
  buf.reserve(1 << 20);
  int64_t records = 0;
  for (auto _ : state) {
    if (buf.size() > (1 << 20) - 4096) buf.clear();
    buf.append(record);
    buf.push_back('\n');
    benchmark::DoNotOptimize(buf.data());
    ++records;
  }
  state.SetItemsProcessed(records);
}
BENCHMARK(BM_BaselineFixedRecord);

}  // namespace
}  // namespace gamelake

BENCHMARK_MAIN();
