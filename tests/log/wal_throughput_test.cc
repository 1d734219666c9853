// Append throughput with fsync (not run by default: it measures, asserts no
// timing). Run with --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "log/wal.h"
#include "wal_test_util.h"

namespace gamelake {
namespace {

TEST(WalThroughputTest, DISABLED_AppendAsyncBatchesOf500) {
  ScratchDir dir;
  WalOptions options;
  options.dir = dir.path();
  if (std::getenv("WAL_BENCH_NO_FSYNC") != nullptr) options.durability = Durability::kNone;
  auto wal = OpenOrDie(options);
  constexpr int kBatch = 500;
  constexpr int kBatches = 6000;  // 3M records.
  std::vector<std::string> payloads;
  for (int i = 0; i < kBatch; ++i) {
    payloads.push_back(fmt::format(R"({{"event":"level_up","player":"p{:06d}","level":{},)"
                                   R"("ts":"2024-05-01T12:00:00Z","pad":"{}"}})",
                                   i, i % 50, std::string(60 + i % 40, 'x')));
  }
  std::vector<std::string_view> views(payloads.begin(), payloads.end());
  std::atomic<int> done{0};
  const auto start = std::chrono::steady_clock::now();
  for (int b = 0; b < kBatches; ++b) {
    wal->AppendAsync("game_events", views, [&](Status s, uint64_t) {
      EXPECT_TRUE(s.ok());
      done.fetch_add(1);
    });
  }
  const double enqueue_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("enqueued in %.3f s\n", enqueue_secs);
  while (done.load() < kBatches) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d records in %.3f s: %.0f records/s, %llu fsyncs, %.1f MB/s\n", kBatch * kBatches,
              secs, kBatch * kBatches / secs, static_cast<unsigned long long>(wal->fsyncs()),
              static_cast<double>(wal->pending_bytes()) / secs / 1e6);
  const auto read_start = std::chrono::steady_clock::now();
  auto cursor = wal->NewCursor(0);
  LogRecord rec;
  uint64_t n = 0;
  while (cursor->Next(&rec).value()) ++n;
  const double read_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count();
  std::printf("cursor: %llu records in %.3f s: %.0f records/s\n",
              static_cast<unsigned long long>(n), read_secs, n / read_secs);
  EXPECT_EQ(n, uint64_t{kBatch} * kBatches);
}

}  // namespace
}  // namespace gamelake
