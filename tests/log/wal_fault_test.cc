// The log under injected faults: failing writes and syncs, and machine crashes.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "fault_injection_env.h"
#include "log/wal.h"
#include "wal_test_util.h"

namespace gamelake {
namespace {

class WalFaultTest : public testing::TestWithParam<bool> {
 protected:
  WalOptions Options() {
    WalOptions options;
    options.dir = dir_.path();
    options.env = &env_;
    return options;
  }
  void SetFault(bool fail) {
    if (GetParam()) {
      env_.SetSyncError(fail);
    } else {
      env_.SetAppendError(fail);
    }
  }

  ScratchDir dir_;
  FaultInjectionEnv env_;
};

TEST_P(WalFaultTest, FailedBatchIsNotAcknowledgedAndLogContinues) {
  {
    auto wal = OpenOrDie(Options());
    ASSERT_EQ(AppendStrings(wal.get(), "s", {"a1", "a2"}).value(), 1u);
    auto cursor = wal->NewCursor(0);
    EXPECT_EQ(Drain(cursor.get()).size(), 2u);

    SetFault(true);
    for (int i = 0; i < 3; ++i) {
      auto r = AppendStrings(wal.get(), "s", {"lost"});
      ASSERT_FALSE(r.ok());
      // ENOSPC is a full disk (ResourceExhausted), EIO an IOError.
      EXPECT_EQ(r.status().code(),
                GetParam() ? Status::Code::kIOError : Status::Code::kResourceExhausted);
      EXPECT_NE(r.status().message().find("fault injection"), std::string::npos);
    }
    EXPECT_EQ(wal->durable_seq(), 3u);
    EXPECT_FALSE(wal->WaitForDurable(3, 0));
    EXPECT_TRUE(Drain(cursor.get()).empty());
    EXPECT_EQ(wal->next_seq(), 6u);  // Failed seqs are not reused.

    SetFault(false);
    auto ok = AppendStrings(wal.get(), "s", {"b1"});
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    EXPECT_EQ(ok.value(), 6u);
    EXPECT_EQ(wal->durable_seq(), 7u);
    auto after = Drain(cursor.get());
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].seq, 6u);
    EXPECT_EQ(after[0].payload, "b1");
    ASSERT_TRUE(wal->Close().ok());
  }
  EXPECT_GT(GetParam() ? env_.failed_syncs() : env_.failed_appends(), 0u);

  // Nothing of the failed batches comes back, and nothing is damaged.
  RecoveryReport report;
  auto wal = OpenOrDie(Options(), &report);
  EXPECT_EQ(report.records, 3u);
  EXPECT_EQ(report.corrupt_entries, 0u);
  EXPECT_EQ(report.torn_tail_bytes, 0u);
  EXPECT_TRUE(report.problems.empty());
  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].payload, "a1");
  EXPECT_EQ(records[1].payload, "a2");
  EXPECT_EQ(records[2].payload, "b1");
  EXPECT_EQ(wal->next_seq(), 7u);
}

INSTANTIATE_TEST_SUITE_P(AppendOrSync, WalFaultTest, testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Sync" : "Append"; });

// Writers keep appending; at some moment the machine "crashes": every record
// acknowledged before that moment must be there after recovery.
TEST(WalCrashTest, AcknowledgedRecordsSurviveCrash) {
  for (double keep : {0.0, 0.37, 0.5, 0.99}) {
    SCOPED_TRACE(fmt::format("keep {}", keep));
    ScratchDir dir;
    FaultInjectionEnv env;
    WalOptions options;
    options.dir = dir.path();
    options.env = &env;
    options.segment_bytes = 16 << 10;

    std::mutex mu;
    bool crashed = false;
    std::map<uint64_t, std::string> acked;  // Acknowledged before the crash.
    std::atomic<uint64_t> acked_count{0};
    std::atomic<bool> stop{false};
    {
      auto wal = OpenOrDie(options);
      std::vector<std::thread> writers;
      for (int t = 0; t < 3; ++t) {
        writers.emplace_back([&, t] {
          for (int i = 0; !stop; ++i) {
            std::vector<std::string> payloads;
            for (int r = 0; r < 7; ++r) payloads.push_back(fmt::format("t{}-{}-{}", t, i, r));
            std::vector<std::string_view> views(payloads.begin(), payloads.end());
            wal->AppendAsync("s", views, [&, payloads](Status s, uint64_t first) {
              std::lock_guard<std::mutex> lock(mu);
              if (!s.ok() || crashed) return;
              for (size_t r = 0; r < payloads.size(); ++r) acked[first + r] = payloads[r];
              acked_count += payloads.size();
            });
            if (i % 50 == 49) std::this_thread::yield();
          }
        });
      }
      while (acked_count < 5000) std::this_thread::yield();
      {
        std::lock_guard<std::mutex> lock(mu);
        env.SetFilesystemActive(false);
        crashed = true;
      }
      // The dead machine's process keeps going for a while.
      const uint64_t target = wal->next_seq() + 3000;
      while (wal->next_seq() < target) std::this_thread::yield();
      stop = true;
      for (auto& w : writers) w.join();
    }
    ASSERT_TRUE(env.DropUnsyncedData(keep).ok());
    env.SetFilesystemActive(true);

    RecoveryReport report;
    auto wal = OpenOrDie(options, &report);
    ASSERT_NE(wal, nullptr);
    EXPECT_EQ(report.corrupt_entries, 0u);
    EXPECT_GE(report.records, acked.size());
    auto records = ReadAll(wal.get());
    std::map<uint64_t, std::string> found;
    for (const auto& r : records) found[r.seq] = r.payload;
    for (const auto& [seq, payload] : acked) {
      auto it = found.find(seq);
      ASSERT_NE(it, found.end()) << "acknowledged seq " << seq << " lost";
      ASSERT_EQ(it->second, payload);
    }
    EXPECT_GT(wal->next_seq(), acked.rbegin()->first);
  }
}

}  // namespace
}  // namespace gamelake
