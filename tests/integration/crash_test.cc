// Crash test: numbered records are posted while the server is killed with
// SIGKILL at random moments and restarted. Afterwards every acknowledged
// record is in the lake exactly once, and no record is there twice.
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "server_process.h"

namespace gamelake::testing {
namespace {

TEST(CrashTest, KillNineDuringIngestAndDeliveryLosesAndDuplicatesNothing) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  // Small buffers so that deliveries (Parquet writes, renames, log releases)
  // are under way when the kills land; small segments so segments roll and get deleted.
  std::vector<std::string> args = {"--set", "delivery.buffer_interval_s=0.05",
                                   "--set", "delivery.buffer_size_bytes=20000",
                                   "--set", "log.segment_bytes=65536"};
  std::mt19937 rng(12345);
  std::set<int64_t> acked;
  int64_t next = 0;
  constexpr int kCycles = 6;
  constexpr int kBatch = 50;

  for (int cycle = 0; cycle < kCycles; ++cycle) {
    ServerProcess server(data, args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    std::atomic<int64_t> counter{next};
    NumberedPosters posters(server.port(), "/v1/streams/crash/records", &counter, kBatch);
    std::uniform_int_distribution<int> wait_ms(150, 700);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms(rng)));
    if (cycle < kCycles - 1) {
      server.Kill();
    }
    std::set<int64_t> acked_now = posters.Stop();
    acked.insert(acked_now.begin(), acked_now.end());
    if (cycle == kCycles - 1) {
      ASSERT_EQ(server.Stop(), 0) << server.Logs();
    }
    next = counter.load();
  }
  ASSERT_GT(acked.size(), 1000u) << "the clients got too few acknowledgements to prove anything";

  // One more clean start and stop: recovery must deliver whatever was left in the log.
  {
    ServerProcess server(data, args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }

  auto rows = DuckQuery("SELECT n, count(*) FROM read_parquet('" + LakeGlob(data, "crash") +
                        "') GROUP BY n");
  std::map<int64_t, int64_t> copies;
  for (auto& r : rows) copies[std::stoll(r[0])] = std::stoll(r[1]);
  int64_t missing = 0, duplicated = 0;
  for (int64_t n : acked) {
    if (copies.count(n) == 0) ++missing;
  }
  for (auto& [n, c] : copies) {
    if (c != 1) ++duplicated;
  }
  EXPECT_EQ(missing, 0) << "acknowledged records missing from the lake";
  EXPECT_EQ(duplicated, 0) << "records in the lake more than once";
  auto ids = DuckQuery("SELECT count(*) - count(DISTINCT _record_id) FROM read_parquet('" +
                       LakeGlob(data, "crash") + "')");
  EXPECT_EQ(ids[0][0], "0");
}

}  // namespace
}  // namespace gamelake::testing
