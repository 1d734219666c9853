#include "log/wal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "fault_injection_env.h"
#include "wal_test_util.h"

namespace gamelake {
namespace {

WalOptions Options(const std::string& dir) {
  WalOptions options;
  options.dir = dir;
  return options;
}

std::vector<std::string> SegmentFiles(const std::string& dir) {
  auto names = Env::Default()->ListDir(dir);
  EXPECT_TRUE(names.ok());
  std::vector<std::string> out;
  for (const auto& n : names.value()) {
    if (n.ends_with(".log")) out.push_back(n);
  }
  return out;
}

TEST(WalTest, RoundTrip) {
  ScratchDir dir;
  auto wal = OpenOrDie(Options(dir.path()));
  ASSERT_NE(wal, nullptr);
  auto a = AppendStrings(wal.get(), "clicks", {R"({"a":1})", R"({"a":2})", R"({"a":3})"});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = AppendStrings(wal.get(), "purchases", {R"({"b":1})", R"({"b":2})"});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a.value(), 1u);
  EXPECT_EQ(b.value(), 4u);
  EXPECT_EQ(wal->next_seq(), 6u);
  EXPECT_EQ(wal->durable_seq(), 6u);
  EXPECT_EQ(wal->first_seq(), 1u);

  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), 5u);
  const char* streams[] = {"clicks", "clicks", "clicks", "purchases", "purchases"};
  const char* payloads[] = {R"({"a":1})", R"({"a":2})", R"({"a":3})", R"({"b":1})", R"({"b":2})"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(records[i].seq, i + 1);
    EXPECT_EQ(records[i].stream, streams[i]);
    EXPECT_EQ(records[i].payload, payloads[i]);
  }
  // from_seq in the middle.
  auto tail = ReadAll(wal.get(), 4);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].seq, 4u);
  EXPECT_TRUE(wal->Close().ok());
}

TEST(WalTest, SeqsConsecutiveAndTimeNeverDecreases) {
  ScratchDir dir;
  FaultInjectionEnv env;
  WalOptions options = Options(dir.path());
  options.env = &env;
  auto wal = OpenOrDie(options);
  env.SetNowMicros(5'000'000);
  ASSERT_EQ(AppendStrings(wal.get(), "s", {"1", "2"}).value(), 1u);
  env.SetNowMicros(1'000'000);  // The clock jumps back.
  ASSERT_EQ(AppendStrings(wal.get(), "s", {"3"}).value(), 3u);
  env.SetNowMicros(7'000'000);
  ASSERT_EQ(AppendStrings(wal.get(), "s", {"4"}).value(), 4u);
  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].ingest_time_us, 5'000'000);
  EXPECT_EQ(records[1].ingest_time_us, 5'000'000);
  EXPECT_EQ(records[2].ingest_time_us, 5'000'000);
  EXPECT_EQ(records[3].ingest_time_us, 7'000'000);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].seq, i + 1);
}

TEST(WalTest, GroupCommitSharesFsyncs) {
  ScratchDir dir;
  auto wal = OpenOrDie(Options(dir.path()));
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 2000;
  constexpr int kRecordsPerCall = 5;
  std::mutex mu;
  std::condition_variable cv;
  int done_calls = 0;
  int failed = 0;
  std::map<uint64_t, std::string> expected;  // seq -> payload
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        std::vector<std::string> payloads;
        for (int r = 0; r < kRecordsPerCall; ++r) {
          payloads.push_back(fmt::format(R"({{"t":{},"i":{},"r":{}}})", t, i, r));
        }
        std::vector<std::string_view> views(payloads.begin(), payloads.end());
        wal->AppendAsync("s" + std::to_string(t), views, [&, payloads](Status s, uint64_t first) {
          std::lock_guard<std::mutex> lock(mu);
          if (!s.ok()) ++failed;
          for (size_t r = 0; r < payloads.size(); ++r) {
            expected[first + r] = payloads[r];
          }
          ++done_calls;
          cv.notify_all();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done_calls == kThreads * kCallsPerThread; });
  }
  EXPECT_EQ(failed, 0);
  const uint64_t total = uint64_t{kThreads} * kCallsPerThread * kRecordsPerCall;
  EXPECT_EQ(wal->durable_seq(), total + 1);
  EXPECT_EQ(expected.size(), total);
  // Group commit: far fewer fsyncs than append calls.
  EXPECT_GT(wal->fsyncs(), 0u);
  EXPECT_LT(wal->fsyncs(), uint64_t{kThreads} * kCallsPerThread / 4);
  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), total);
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(records[i].seq, i + 1);
    ASSERT_EQ(records[i].payload, expected[i + 1]);
  }
}

TEST(WalTest, ACommitWindowGathersMoreRecordsPerSyncAndStillAnswersAfterIt) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.commit_window_us = 20'000;
  auto wal = OpenOrDie(options);
  // 8 clients, each appending its next record only once the last is durable
  // (like keep-alive connections sending single-record POSTs).
  constexpr int kClients = 8, kPerClient = 12;
  std::atomic<int> not_durable_at_answer{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kPerClient; ++i) {
        std::promise<void> answered;
        std::string payload = fmt::format(R"({{"c":{},"i":{}}})", c, i);
        std::string_view view = payload;
        wal->AppendAsync("s", std::span<const std::string_view>(&view, 1),
                         [&](Status s, uint64_t first) {
                           if (!s.ok()) ++failed;
                           if (wal->durable_seq() <= first) ++not_durable_at_answer;
                           answered.set_value();
                         });
        answered.get_future().wait();
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(not_durable_at_answer.load(), 0);
  EXPECT_EQ(ReadAll(wal.get()).size(), size_t{kClients * kPerClient});
  // Each sync carried several clients' records: at most half as many syncs as records.
  EXPECT_GT(wal->fsyncs(), 0u);
  EXPECT_LE(wal->fsyncs(), uint64_t{kClients * kPerClient / 2});
}

TEST(WalTest, ReopenRecoversEverything) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.segment_bytes = 4096;
  std::vector<std::string> all;
  {
    auto wal = OpenOrDie(options);
    for (int i = 0; i < 100; ++i) {
      std::vector<std::string> batch;
      for (int r = 0; r < 7; ++r) batch.push_back(fmt::format(R"({{"i":{},"r":{}}})", i, r));
      ASSERT_TRUE(AppendStrings(wal.get(), i % 2 ? "odd" : "even", batch).ok());
      all.insert(all.end(), batch.begin(), batch.end());
    }
    EXPECT_GT(wal->segment_count(), 5u);
    ASSERT_TRUE(wal->Close().ok());
    ASSERT_TRUE(wal->Close().ok());  // Idempotent.
  }
  RecoveryReport report;
  auto wal = OpenOrDie(options, &report);
  EXPECT_EQ(report.records, all.size());
  EXPECT_EQ(report.corrupt_entries, 0u);
  EXPECT_EQ(report.torn_tail_bytes, 0u);
  EXPECT_TRUE(report.problems.empty());
  EXPECT_GT(report.segments, 5u);
  EXPECT_EQ(wal->next_seq(), all.size() + 1);
  EXPECT_EQ(wal->durable_seq(), all.size() + 1);
  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(records[i].seq, i + 1);
    EXPECT_EQ(records[i].payload, all[i]);
    EXPECT_EQ(records[i].stream, (i / 7) % 2 ? "odd" : "even");
  }
  // New appends continue the seqs, in a new segment.
  const size_t files_before = SegmentFiles(dir.path()).size();
  auto next = AppendStrings(wal.get(), "odd", {"{}"});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value(), all.size() + 1);
  EXPECT_EQ(SegmentFiles(dir.path()).size(), files_before);  // Created at Open already.
  EXPECT_EQ(SegmentFiles(dir.path()).back(), fmt::format("{:020d}.log", all.size() + 1));
}

TEST(WalTest, ReopenEmptyLogTwiceKeepsSeqs) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  { auto wal = OpenOrDie(options); }
  { auto wal = OpenOrDie(options); }
  auto wal = OpenOrDie(options);
  EXPECT_EQ(wal->next_seq(), 1u);
  EXPECT_EQ(AppendStrings(wal.get(), "s", {"x"}).value(), 1u);
  EXPECT_EQ(wal->segment_count(), 1u);
}

TEST(WalTest, EmptyAndHugeRecords) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  std::string huge(5 << 20, 'x');
  for (size_t i = 0; i < huge.size(); i += 4093) huge[i] = static_cast<char>('a' + i % 26);
  {
    auto wal = OpenOrDie(options);
    ASSERT_TRUE(AppendStrings(wal.get(), "s", {"", "small", ""}).ok());
    ASSERT_TRUE(AppendStrings(wal.get(), "", {"no stream"}).ok());
    ASSERT_TRUE(AppendStrings(wal.get(), "big", {huge, "after"}).ok());
    std::vector<std::string_view> none;
    auto empty = wal->Append("s", none);  // No records: OK, nothing written.
    ASSERT_TRUE(empty.ok());
    auto records = ReadAll(wal.get());
    ASSERT_EQ(records.size(), 6u);
    EXPECT_EQ(records[0].payload, "");
    EXPECT_EQ(records[1].payload, "small");
    EXPECT_EQ(records[2].payload, "");
    EXPECT_EQ(records[3].stream, "");
    EXPECT_EQ(records[4].payload, huge);
    EXPECT_EQ(records[5].payload, "after");
  }
  RecoveryReport report;
  auto wal = OpenOrDie(options, &report);
  EXPECT_EQ(report.records, 6u);
  EXPECT_TRUE(report.problems.empty());
  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[4].payload, huge);
}

TEST(WalTest, RejectsOversizedStreamName) {
  ScratchDir dir;
  auto wal = OpenOrDie(Options(dir.path()));
  std::string stream(70000, 's');
  auto r = AppendStrings(wal.get(), stream, {"x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(wal->next_seq(), 1u);
}

TEST(WalTest, SegmentRollingAndRelease) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.segment_bytes = 1;  // Every batch goes to a new segment.
  auto wal = OpenOrDie(options);
  // Sequential Appends: one batch each, so one segment each.
  ASSERT_EQ(AppendStrings(wal.get(), "a", {"1", "2", "3"}).value(), 1u);  // S1
  ASSERT_EQ(AppendStrings(wal.get(), "b", {"4", "5", "6"}).value(), 4u);  // S4
  ASSERT_EQ(AppendStrings(wal.get(), "a", {"7", "8", "9"}).value(), 7u);  // S7
  ASSERT_EQ(AppendStrings(wal.get(), "c", {"10"}).value(), 10u);          // S10
  ASSERT_EQ(AppendStrings(wal.get(), "a", {"11", "12"}).value(), 11u);    // S11, active
  EXPECT_EQ(wal->segment_count(), 5u);
  EXPECT_EQ(SegmentFiles(dir.path()).size(), 5u);
  const uint64_t bytes_before = wal->pending_bytes();

  ASSERT_TRUE(wal->Release("a", 8).ok());  // S1 fully released, S7 not (9 > 8).
  EXPECT_EQ(wal->segment_count(), 4u);
  EXPECT_FALSE(Env::Default()->FileExists(dir.path() + "/00000000000000000001.log"));
  EXPECT_LT(wal->pending_bytes(), bytes_before);
  EXPECT_EQ(wal->first_seq(), 4u);

  ASSERT_TRUE(wal->Release("a", 100).ok());  // S7 goes; S11 is active and stays.
  EXPECT_EQ(wal->segment_count(), 3u);
  EXPECT_TRUE(Env::Default()->FileExists(dir.path() + "/00000000000000000011.log"));
  EXPECT_FALSE(Env::Default()->FileExists(dir.path() + "/00000000000000000007.log"));

  ASSERT_TRUE(wal->Release("b", 5).ok());  // Not all of b.
  EXPECT_EQ(wal->segment_count(), 3u);
  ASSERT_TRUE(wal->Release("b", 6).ok());
  EXPECT_EQ(wal->segment_count(), 2u);  // S10 (c never released) and S11.
  EXPECT_EQ(SegmentFiles(dir.path()),
            (std::vector<std::string>{"00000000000000000010.log", "00000000000000000011.log"}));

  ASSERT_TRUE(wal->Release("c", 10).ok());
  EXPECT_EQ(wal->segment_count(), 1u);
  // A new batch rolls; the old active segment can go now.
  ASSERT_EQ(AppendStrings(wal.get(), "b", {"13"}).value(), 13u);
  ASSERT_TRUE(wal->Release("a", 100).ok());
  EXPECT_EQ(SegmentFiles(dir.path()), (std::vector<std::string>{"00000000000000000013.log"}));
  auto records = ReadAll(wal.get());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].seq, 13u);

  // After reopen nothing released comes back, and seqs continue.
  ASSERT_TRUE(wal->Close().ok());
  wal.reset();
  RecoveryReport report;
  wal = OpenOrDie(options, &report);
  EXPECT_EQ(report.records, 1u);
  EXPECT_EQ(wal->next_seq(), 14u);
}

TEST(WalTest, ReleaseKeepsSegmentsWithUnreleasedStreams) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.segment_bytes = 150;
  auto wal = OpenOrDie(options);
  // Entries are 30 + 1 + 20 bytes: 3 of them fill the first segment.
  const std::string p(20, 'p');
  ASSERT_TRUE(AppendStrings(wal.get(), "a", {p, p}).ok());
  ASSERT_TRUE(AppendStrings(wal.get(), "b", {p}).ok());
  ASSERT_TRUE(AppendStrings(wal.get(), "a", {p}).ok());  // Rolls: second segment.
  ASSERT_TRUE(AppendStrings(wal.get(), "a", {p, p, p}).ok());
  ASSERT_TRUE(AppendStrings(wal.get(), "a", {p}).ok());  // Third segment, active.
  ASSERT_EQ(wal->segment_count(), 3u);
  ASSERT_TRUE(wal->Release("a", 100).ok());
  EXPECT_EQ(wal->segment_count(), 2u);  // The mixed first one stays, the a-only one goes.
  EXPECT_TRUE(Env::Default()->FileExists(dir.path() + "/00000000000000000001.log"));
  EXPECT_FALSE(Env::Default()->FileExists(dir.path() + "/00000000000000000004.log"));
  ASSERT_TRUE(wal->Release("b", 3).ok());
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_FALSE(Env::Default()->FileExists(dir.path() + "/00000000000000000001.log"));
}

TEST(WalTest, CursorAcrossSegmentsResumes) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.segment_bytes = 512;
  auto wal = OpenOrDie(options);
  auto cursor = wal->NewCursor(0);
  EXPECT_TRUE(Drain(cursor.get()).empty());  // Nothing yet.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        AppendStrings(wal.get(), "s",
                      {fmt::format("r{}a", i), fmt::format("r{}b", i), fmt::format("r{}c", i),
                       fmt::format("r{}d", i), fmt::format("r{}e", i)})
            .ok());
  }
  EXPECT_GT(wal->segment_count(), 3u);
  auto first = Drain(cursor.get());
  ASSERT_EQ(first.size(), 100u);
  for (size_t i = 0; i < 100; ++i) EXPECT_EQ(first[i].seq, i + 1);
  EXPECT_TRUE(Drain(cursor.get()).empty());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(AppendStrings(wal.get(), "s", {"x1", "x2", "x3", "x4", "x5"}).ok());
    auto more = Drain(cursor.get());
    ASSERT_EQ(more.size(), 5u);
    EXPECT_EQ(more[0].seq, 101u + 5 * i);
  }
  // A cursor starting in the middle of a later segment.
  auto mid = ReadAll(wal.get(), 77);
  ASSERT_EQ(mid.size(), 150u - 76);
  EXPECT_EQ(mid.front().seq, 77u);
  EXPECT_EQ(mid.back().seq, 150u);
}

TEST(WalTest, CursorSkipsSegmentsDeletedUnderIt) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.segment_bytes = 1;
  auto wal = OpenOrDie(options);
  auto cursor = wal->NewCursor(0);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(AppendStrings(wal.get(), "s", {"a", "b"}).ok());
  ASSERT_TRUE(wal->Release("s", 4).ok());  // Segments 1 and 3 go before the cursor reads.
  auto records = Drain(cursor.get());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].seq, 5u);
  EXPECT_EQ(records[3].seq, 8u);
}

TEST(WalTest, DurabilityNone) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.durability = Durability::kNone;
  options.segment_bytes = 1000;
  {
    auto wal = OpenOrDie(options);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(AppendStrings(wal.get(), "s", {"abc", "def"}).ok());
    EXPECT_EQ(wal->fsyncs(), 0u);
    EXPECT_EQ(ReadAll(wal.get()).size(), 100u);
  }
  RecoveryReport report;
  auto wal = OpenOrDie(options, &report);
  EXPECT_EQ(report.records, 100u);
  EXPECT_EQ(wal->next_seq(), 101u);
}

TEST(WalTest, MaxPendingBytesGivesResourceExhausted) {
  ScratchDir dir;
  WalOptions options = Options(dir.path());
  options.segment_bytes = 200;
  options.max_pending_bytes = 1000;
  auto wal = OpenOrDie(options);
  const std::string p(50, 'p');
  int ok = 0;
  Status last;
  for (int i = 0; i < 100; ++i) {
    auto r = AppendStrings(wal.get(), "s", {p});
    if (!r.ok()) {
      last = r.status();
      break;
    }
    ++ok;
  }
  EXPECT_EQ(last.code(), Status::Code::kResourceExhausted) << last.ToString();
  EXPECT_GT(ok, 5);
  EXPECT_LT(ok, 20);
  EXPECT_GT(wal->pending_bytes(), 1000u);
  const uint64_t next = wal->next_seq();
  // Releasing makes room again (all but the active segment go).
  ASSERT_TRUE(wal->Release("s", next - 1).ok());
  EXPECT_LT(wal->pending_bytes(), 1000u);
  auto r = AppendStrings(wal.get(), "s", {p});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.value(), next);  // The refused call took no seqs.
}

TEST(WalTest, AppendAfterCloseIsUnavailable) {
  ScratchDir dir;
  auto wal = OpenOrDie(Options(dir.path()));
  ASSERT_TRUE(AppendStrings(wal.get(), "s", {"a"}).ok());
  ASSERT_TRUE(wal->Close().ok());
  auto r = AppendStrings(wal.get(), "s", {"b"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  EXPECT_FALSE(wal->WaitForDurable(5, 10'000'000));  // Returns at once: closed.
  EXPECT_TRUE(wal->WaitForDurable(1, 0));
}

TEST(WalTest, WaitForDurableWakesOnAppend) {
  ScratchDir dir;
  auto wal = OpenOrDie(Options(dir.path()));
  std::atomic<bool> woke{false};
  std::thread waiter([&] { woke = wal->WaitForDurable(1, 60'000'000); });
  ASSERT_TRUE(AppendStrings(wal.get(), "s", {"a"}).ok());
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_FALSE(wal->WaitForDurable(2, 1000));
}

TEST(WalTest, CloseFlushesQueuedAppends) {
  ScratchDir dir;
  std::atomic<int> acked{0};
  {
    auto wal = OpenOrDie(Options(dir.path()));
    for (int i = 0; i < 1000; ++i) {
      std::string_view rec = "queued";
      wal->AppendAsync("s", std::span<const std::string_view>(&rec, 1), [&](Status s, uint64_t) {
        if (s.ok()) ++acked;
      });
    }
    ASSERT_TRUE(wal->Close().ok());
    EXPECT_EQ(acked.load(), 1000);
  }
  RecoveryReport report;
  auto wal = OpenOrDie(Options(dir.path()), &report);
  EXPECT_EQ(report.records, 1000u);
}

}  // namespace
}  // namespace gamelake
