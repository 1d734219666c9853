// The metrics store measured in-process (docs/benchmarks.md, "Metrics store").
// Not a test.
//
//   build/bench/metrics_bench [--series 10000] [--hours 3] [--put-seconds 5] [--dir /tmp/x]
//                             [--query-calls 21] [--load bulk|replay]
//
// 1. put:    durable puts (fsync), batches of 1,000 datapoints on 2 threads for
//            --put-seconds; datapoints/s. The same batches as NDJSON bytes
//            appended to a Wal alone (the write path's floor) for comparison.
// 2. memory: --series series × --hours of 1-second datapoints (one value a
//            second each), loaded in bulk (nothing sealed until the end: the
//            worst case) or replayed in time order on a clock the store sees
//            advance (what a live server holds); then a maintenance pass; the
//            store's own count of bytes and the process RSS, per datapoint.
// 3. query:  one series over the whole window at a 1 s period with Sum and
//            p90 (10,800 buckets for 3 h): median of 21 calls.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "common/env.h"
#include "log/wal.h"
#include "metrics/metric_store.h"

namespace gamelake {
namespace {

// The wall clock the replay sets: the store sees time pass as it would live.
class ReplayEnv final : public EnvWrapper {
 public:
  ReplayEnv() : EnvWrapper(Env::Default()) {}
  void SetSeconds(int64_t s) { now_us_ = s * 1'000'000; }
  int64_t NowMicros() override { return now_us_.load(); }

 private:
  std::atomic<int64_t> now_us_{0};
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

uint64_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

MetricDatum Datum(int series, int64_t ts_s, double v) {
  MetricDatum d;
  d.id.ns = "bench";
  d.id.name = "m";
  d.id.dimensions = {{"Player", std::to_string(series)}};
  d.timestamp_ms = ts_s * 1000;
  d.storage_resolution_s = 1;
  d.value = v;
  return d;
}

std::unique_ptr<MetricStore> Open(const std::string& dir, Durability durability,
                                  Env* env = Env::Default()) {
  MetricStoreOptions o;
  o.dir = dir;
  o.env = env;
  o.durability = durability;
  o.maintain_interval_s = 0;
  o.checkpoint_interval_s = 1'000'000;
  o.checkpoint_log_bytes = 1ull << 40;
  // 1-second data kept 4 h instead of 3, so the 3 h just put is still whole
  // when the query runs (CloudWatch answers nothing at 1 s for older starts).
  o.tiers = DefaultTiers();
  o.tiers[0].retention_s = 4 * 3600;
  auto store = MetricStore::Open(o);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(store).value();
}

void Put(const std::string& dir, double seconds) {
  auto store = Open(dir + "/put", Durability::kFsync);
  std::atomic<uint64_t> done{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      int64_t now = std::time(nullptr);
      for (int round = 0; Seconds(start) < seconds; ++round) {
        std::vector<MetricDatum> batch;
        for (int i = 0; i < 1000; ++i) batch.push_back(Datum(t * 1000 + i, now, round % 21));
        if (!store->Put(std::move(batch)).ok()) std::exit(1);
        done += 1000;
      }
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = Seconds(start);
  std::printf(
      "put: %llu datapoints in %.2f s = %.0f datapoints/s (durable, 2 threads, 1,000 a put)\n",
      static_cast<unsigned long long>(done.load()), elapsed, done.load() / elapsed);
  // The floor: the same number of records as NDJSON bytes through a Wal alone.
  WalOptions w;
  w.dir = dir + "/wal";
  RecoveryReport report;
  auto wal = Wal::Open(w, &report);
  if (!wal.ok()) std::exit(1);
  std::string line =
      R"({"MetricName":"m","Dimensions":[{"Name":"Player","Value":"123"}],"Value":7})";
  std::vector<std::string_view> records(1000, line);
  std::atomic<uint64_t> logged{0};
  start = std::chrono::steady_clock::now();
  threads.clear();
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      while (Seconds(start) < seconds) {
        if (!(*wal)->Append("events", records).ok()) std::exit(1);
        logged += 1000;
      }
    });
  }
  for (auto& t : threads) t.join();
  elapsed = Seconds(start);
  std::printf(
      "baseline, the ingest log alone: %llu records of %zu bytes in %.2f s = %.0f records/s\n",
      static_cast<unsigned long long>(logged.load()), line.size(), elapsed,
      logged.load() / elapsed);
}

// Puts series x hours of 1-second data. Bulk: everything at once, then one
// maintenance pass (the worst case: nothing is sealed while it loads).
// Replay: second by second on a clock the store sees advance, with the
// maintenance pass a server runs each second done every 10 seconds (what it
// seals and drops is the same), so memory is what a live server holds.
void Load(MetricStore* store, ReplayEnv* env, int series, int64_t start, int64_t seconds) {
  std::vector<MetricDatum> batch;
  for (int64_t s = 0; s < seconds; ++s) {
    if (env != nullptr) {
      env->SetSeconds(start + s + 1);
      if (s % 10 == 0 && !store->Maintain(false).ok()) std::exit(1);
    }
    for (int k = 0; k < series; ++k) {
      batch.push_back(Datum(k, start + s, static_cast<double>((s + k) % 21)));
      if (batch.size() == 1000) {
        if (!store->Put(std::move(batch)).ok()) std::exit(1);
        batch.clear();
      }
    }
  }
  if (!batch.empty() && !store->Put(std::move(batch)).ok()) std::exit(1);
}

void MemoryAndQuery(const std::string& dir, int series, int hours, int query_calls, bool replay) {
  uint64_t rss_before = RssBytes();
  ReplayEnv replay_env;
  int64_t end = std::time(nullptr) - 1;
  int64_t seconds = static_cast<int64_t>(hours) * 3600;
  replay_env.SetSeconds(end - seconds);
  auto store = Open(dir + "/mem", Durability::kNone,
                    replay ? static_cast<Env*>(&replay_env) : Env::Default());
  auto start = std::chrono::steady_clock::now();
  Load(store.get(), replay ? &replay_env : nullptr, series, end - seconds, seconds);
  double put_s = Seconds(start);
  uint64_t points = static_cast<uint64_t>(series) * static_cast<uint64_t>(seconds);
  MetricStoreStats before = store->stats();
  if (!store->Maintain(false).ok()) std::exit(1);
  MetricStoreStats after = store->stats();
  uint64_t rss = RssBytes() - rss_before;
  std::printf(
      "memory (%s): %d series x %d h at 1 s = %llu datapoints put in %.1f s (%.0f/s, no fsync)\n",
      replay ? "replayed in time order" : "bulk", series, hours,
      static_cast<unsigned long long>(points), put_s, points / put_s);
  std::printf("  store bytes at the end of the load %.1f MB (%.1f B/datapoint over all 4 tiers)\n",
              before.memory_bytes / 1e6, static_cast<double>(before.memory_bytes) / points);
  std::printf("  store bytes after sealing  %.1f MB (%.1f B/datapoint); %llu chunks, %llu sealed\n",
              after.memory_bytes / 1e6, static_cast<double>(after.memory_bytes) / points,
              static_cast<unsigned long long>(after.chunks),
              static_cast<unsigned long long>(after.sealed_chunks));
  std::printf("  process RSS growth %.1f MB (%.1f B/datapoint)\n", rss / 1e6,
              static_cast<double>(rss) / points);
  const std::vector<TierSpec> tiers = DefaultTiers();
  for (size_t i = 0; i < after.tier_memory_bytes.size() && i < tiers.size(); ++i) {
    const double periods =
        static_cast<double>(series) * static_cast<double>(seconds) / tiers[i].resolution_s;
    std::printf("  tier %llds: %.1f MB = %.1f B per 1-second datapoint, %.1f B per stored period\n",
                static_cast<long long>(tiers[i].resolution_s), after.tier_memory_bytes[i] / 1e6,
                static_cast<double>(after.tier_memory_bytes[i]) / points,
                static_cast<double>(after.tier_memory_bytes[i]) / std::max(1.0, periods));
  }
  StatisticsRequest r;
  r.id = Datum(7, 0, 0).id;
  r.start_ms = (end - seconds) * 1000;
  r.end_ms = (end + 1) * 1000;
  r.period_s = 1;
  r.statistics = {ParseStatistic("Sum").value(), ParseStatistic("p90").value()};
  r.max_buckets = 100'800;
  std::vector<double> ms;
  size_t buckets = 0;
  for (int i = 0; i < query_calls; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto points_out = store->GetStatistics(r);
    ms.push_back(Seconds(t0) * 1000);
    if (!points_out.ok()) std::exit(1);
    buckets = points_out->size();
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "query: one series, %lld s at 1 s with Sum and p90: %zu datapoints, median %.2f ms "
      "(min %.2f, max %.2f)\n",
      static_cast<long long>(seconds), buckets, ms[ms.size() / 2], ms.front(), ms.back());
}

}  // namespace
}  // namespace gamelake

int main(int argc, char** argv) {
  int series = 10000, hours = 3, query_calls = 21;
  bool replay = false;
  double put_seconds = 5;
  std::string dir = "/tmp/gl-metrics-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--series") series = std::stoi(argv[i + 1]);
    if (flag == "--hours") hours = std::stoi(argv[i + 1]);
    if (flag == "--put-seconds") put_seconds = std::stod(argv[i + 1]);
    if (flag == "--dir") dir = argv[i + 1];
    if (flag == "--query-calls") query_calls = std::stoi(argv[i + 1]);
    if (flag == "--load") replay = std::string(argv[i + 1]) == "replay";
  }
  std::filesystem::remove_all(dir);
  gamelake::Put(dir, put_seconds);
  gamelake::MemoryAndQuery(dir, series, hours, query_calls, replay);
  std::filesystem::remove_all(dir);
  return 0;
}
