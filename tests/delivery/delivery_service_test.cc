#include "delivery/delivery_service.h"
#include "lake/lake_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "../common/eventually.h"
#include "common/env.h"
#include "common/metrics.h"
#include "log/wal.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

// Forwards to the POSIX Env, with a settable clock and injectable failures of
// the last steps of publishing a lake file.
class TestEnv : public EnvWrapper {
 public:
  TestEnv() : EnvWrapper(Env::Default()) {}
  Status RenameFile(const std::string& from, const std::string& to) override {
    if (to.find(".parquet") != std::string::npos && fail_renames.load() > 0) {
      fail_renames--;
      return Status::IOError("injected rename failure " + to);
    }
    return target()->RenameFile(from, to);
  }
  Status SyncFile(const std::string& p) override {
    if (p.find(".parquet") != std::string::npos && fail_syncs.load() > 0) {
      fail_syncs--;
      return Status::IOError("injected fsync failure " + p);
    }
    return target()->SyncFile(p);
  }
  int64_t NowMicros() override {
    int64_t now = now_us.load();
    return now != 0 ? now : target()->NowMicros();
  }

  std::atomic<int64_t> now_us{0};  // 0: the real clock.
  std::atomic<int> fail_renames{0};
  std::atomic<int> fail_syncs{0};
};

// 2024-03-10 10:00:00 UTC.
constexpr int64_t kTenOClock = 1'710'064'800'000'000;

class DeliveryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gl_delivery_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    env_.now_us = kTenOClock + 5 * 60'000'000LL;
    OpenWal();
    auto db = DuckDb::Open({});
    ASSERT_TRUE(db.ok());
    db_ = std::move(db.value());
  }
  void TearDown() override {
    if (service_) {
      EXPECT_TRUE(service_->Stop().ok());
    }
    service_.reset();
    if (wal_) {
      EXPECT_TRUE(wal_->Close().ok());
    }
    wal_.reset();
    fs::remove_all(dir_);
  }

  void OpenWal() {
    WalOptions options;
    options.dir = dir_ + "/log";
    options.env = &env_;
    options.durability = Durability::kNone;
    options.segment_bytes = 4096;
    RecoveryReport report;
    auto wal = Wal::Open(options, &report);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    wal_ = std::move(wal.value());
  }

  DeliveryOptions Options() {
    DeliveryOptions options;
    options.lake_dir = dir_ + "/lake";
    options.staging_dir = dir_ + "/staging";
    options.env = &env_;
    return options;
  }

  void StartService(const DeliveryOptions& options) {
    auto service = DeliveryService::Start(wal_.get(), options);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service.value());
  }

  void RestartAll(const DeliveryOptions& options) {
    ASSERT_TRUE(service_->Stop().ok());
    service_.reset();
    ASSERT_TRUE(wal_->Close().ok());
    wal_.reset();
    OpenWal();
    StartService(options);
  }

  // Appends n records to stream; returns the seq of the last.
  uint64_t Append(const std::string& stream, int n, int tag = 0) {
    uint64_t last = 0;
    for (int i = 0; i < n; ++i) {
      std::string rec = "{\"PlayerID\":\"p" + std::to_string(i) +
                        "\",\"Time Played\":" + std::to_string(1000 + i) +
                        ",\"tag\":" + std::to_string(tag) + "}";
      std::string_view view = rec;
      auto seq = wal_->Append(stream, std::span<const std::string_view>(&view, 1));
      EXPECT_TRUE(seq.ok()) << seq.status().ToString();
      if (seq.ok()) last = seq.value();
    }
    return last;
  }

  std::vector<std::string> LakeFiles(const std::string& stream) {
    std::vector<std::string> out;
    std::string root = dir_ + "/lake/" + stream;
    if (!fs::exists(root)) return out;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // {rows, distinct record ids} in the lake for stream.
  std::pair<int64_t, int64_t> CountRows(const std::string& stream) {
    auto r = db_->Query("SELECT count(*), count(DISTINCT _record_id) FROM read_parquet(" +
                        QuoteLiteral(dir_ + "/lake/" + stream + "/**/*.parquet") + ")");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return {-1, -1};
    return {std::stoll(*r->rows[0][0]), std::stoll(*r->rows[0][1])};
  }

  std::string dir_;
  TestEnv env_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<DeliveryService> service_;
  std::unique_ptr<DuckDb> db_;
};

TEST_F(DeliveryServiceTest, DeliversTwoStreamsExactlyOnce) {
  Metrics metrics;
  DeliveryOptions options = Options();
  options.metrics = &metrics;
  StartService(options);
  uint64_t last_a = 0, last_b = 0;
  for (int round = 0; round < 5; ++round) {
    last_a = Append("game_a", 20, round);
    last_b = Append("game-b", 10, round);
  }
  uint64_t segments_before = wal_->segment_count();
  ASSERT_TRUE(service_->Flush().ok());

  const std::regex name_a(R"(dt=2024-03-10/hr=10/game_a-\d{20}-\d{20}\.parquet)");
  const std::regex name_b(R"(dt=2024-03-10/hr=10/game-b-\d{20}-\d{20}\.parquet)");
  std::vector<std::string> files_a = LakeFiles("game_a"), files_b = LakeFiles("game-b");
  ASSERT_EQ(files_a.size(), 1u);
  ASSERT_EQ(files_b.size(), 1u);
  EXPECT_TRUE(std::regex_match(files_a[0], name_a)) << files_a[0];
  EXPECT_TRUE(std::regex_match(files_b[0], name_b)) << files_b[0];
  EXPECT_NE(files_a[0].find("-" + std::string(20 - std::to_string(last_a).size(), '0') +
                            std::to_string(last_a) + ".parquet"),
            std::string::npos);
  EXPECT_EQ(CountRows("game_a"), std::make_pair(int64_t{100}, int64_t{100}));
  EXPECT_EQ(CountRows("game-b"), std::make_pair(int64_t{50}, int64_t{50}));

  auto r = db_->Query("SELECT \"Time Played\", tag, _ingest_time FROM read_parquet(" +
                      QuoteLiteral(dir_ + "/lake/game-b/**/*.parquet") +
                      ") ORDER BY _record_id LIMIT 1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "1000");
  EXPECT_EQ(r->rows[0][1], "0");
  EXPECT_EQ(r->rows[0][2], "2024-03-10 10:05:00");

  auto wm = service_->watermarks();
  EXPECT_EQ(wm["game_a"], last_a);
  EXPECT_EQ(wm["game-b"], last_b);
  DeliveryStats stats = service_->stats();
  EXPECT_EQ(stats.files_delivered, 2u);
  EXPECT_EQ(stats.rows_delivered, 150u);
  EXPECT_GT(stats.bytes_delivered, 0u);
  EXPECT_EQ(stats.buffered_records, 0u);
  EXPECT_EQ(stats.lag_us, 0);
  EXPECT_EQ(stats.delivery_errors, 0u);
  // Everything is released: the log may drop its full segments.
  EXPECT_GT(segments_before, 2u);
  EXPECT_LT(wal_->segment_count(), segments_before);
  std::string rendered = metrics.Render();
  EXPECT_NE(rendered.find("gamelake_delivery_rows_total 150"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("gamelake_delivery_lag_seconds"), std::string::npos);
  // Staging files are gone once delivered.
  for (const auto& e : fs::recursive_directory_iterator(dir_ + "/staging")) {
    EXPECT_FALSE(e.is_regular_file()) << e.path();
  }
}

TEST_F(DeliveryServiceTest, RestartDoesNotDeliverTwice) {
  DeliveryOptions options = Options();
  StartService(options);
  Append("s", 30);
  ASSERT_TRUE(service_->Flush().ok());
  Append("s", 7, 1);  // Durable in the log, maybe not delivered before the restart.
  RestartAll(options);
  ASSERT_TRUE(service_->Flush().ok());
  Append("s", 5, 2);
  RestartAll(options);
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{42}, int64_t{42}));
  EXPECT_EQ(service_->watermarks()["s"], wal_->next_seq() - 1);
  // Restarting with nothing new delivers nothing.
  size_t files = LakeFiles("s").size();
  RestartAll(options);
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(LakeFiles("s").size(), files);
  EXPECT_EQ(service_->stats().files_delivered, 0u);
}

TEST_F(DeliveryServiceTest, HourBoundarySplitsPartitions) {
  StartService(Options());
  env_.now_us = kTenOClock + 3600'000'000LL - 500'000;  // 10:59:59.5
  Append("s", 3);
  env_.now_us = kTenOClock + 3600'000'000LL + 500'000;  // 11:00:00.5
  Append("s", 4);
  ASSERT_TRUE(service_->Flush().ok());
  std::vector<std::string> files = LakeFiles("s");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].substr(0, 20), "dt=2024-03-10/hr=10/");
  EXPECT_EQ(files[1].substr(0, 20), "dt=2024-03-10/hr=11/");
  auto r = db_->Query("SELECT count(*) FROM read_parquet(" +
                      QuoteLiteral(dir_ + "/lake/s/" + files[1]) + ")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0][0], "4");
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{7}, int64_t{7}));
}

TEST_F(DeliveryServiceTest, SizeHintCutsContiguousFiles) {
  DeliveryOptions options = Options();
  options.stream_hints["small"].size_bytes = 1000;  // About 8 records per file.
  StartService(options);
  Append("small", 50);
  Append("big", 50);
  ASSERT_TRUE(service_->Flush().ok());
  std::vector<std::string> files = LakeFiles("small");
  EXPECT_GT(files.size(), 4u);
  EXPECT_EQ(LakeFiles("big").size(), 1u);
  // Consecutive files cover consecutive seq ranges (the streams were appended
  // one after the other, so "small" has seqs without gaps).
  uint64_t expect_first = 0;
  for (const std::string& f : files) {
    std::string name = f.substr(f.rfind('/') + 1);
    uint64_t first = std::stoull(name.substr(6, 20)), last = std::stoull(name.substr(27, 20));
    if (expect_first != 0) {
      EXPECT_EQ(first, expect_first) << name;
    }
    EXPECT_LE(first, last);
    expect_first = last + 1;
  }
  EXPECT_EQ(CountRows("small"), std::make_pair(int64_t{50}, int64_t{50}));
  EXPECT_EQ(CountRows("big"), std::make_pair(int64_t{50}, int64_t{50}));
}

TEST_F(DeliveryServiceTest, IntervalHintCutsWithoutFlush) {
  DeliveryOptions options = Options();
  options.default_hints.interval_us = 60'000'000;
  StartService(options);
  Append("s", 3);
  env_.now_us = env_.now_us.load() + 61'000'000;
  // No Flush: the age of the buffer alone must cut it. Wait for it (bounded).
  for (int i = 0; i < 600 && service_->stats().files_delivered == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(service_->stats().files_delivered, 1u);
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{3}, int64_t{3}));
}

TEST_F(DeliveryServiceTest, ConversionFailureRetriesAndDeliversOnce) {
  StartService(Options());
  env_.fail_renames = 2;
  env_.fail_syncs = 1;
  uint64_t last = Append("s", 20);
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(env_.fail_renames.load(), 0);
  EXPECT_EQ(env_.fail_syncs.load(), 0);
  DeliveryStats stats = service_->stats();
  EXPECT_EQ(stats.delivery_errors, 3u);
  EXPECT_EQ(stats.files_delivered, 1u);
  EXPECT_EQ(service_->watermarks()["s"], last);
  std::vector<std::string> files = LakeFiles("s");
  ASSERT_EQ(files.size(), 1u);  // No temporary files left behind.
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{20}, int64_t{20}));
}

TEST_F(DeliveryServiceTest, PersistentFailureFailsFlushButLosesNothing) {
  DeliveryOptions options = Options();
  StartService(options);
  env_.fail_renames = 1000;
  Append("s", 5);
  EXPECT_FALSE(service_->Flush().ok());
  EXPECT_TRUE(LakeFiles("s").empty());
  EXPECT_GE(service_->stats().delivery_errors, 5u);
  (void)service_->Stop();
  env_.fail_renames = 0;
  RestartAll(options);
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{5}, int64_t{5}));
}

TEST_F(DeliveryServiceTest, StartCleansLeftoversAndScansWatermarks) {
  std::string part = dir_ + "/lake/s/dt=2024-03-10/hr=10";
  fs::create_directories(part);
  fs::create_directories(dir_ + "/staging/s");
  auto touch = [](const std::string& p) {
    ASSERT_TRUE(Env::Default()->WriteFileAtomic(p, "x").ok());
  };
  touch(part + "/s-00000000000000000001-00000000000000000004.parquet");
  touch(part + "/s-00000000000000000005-00000000000000000009.parquet");
  touch(part + "/.s-00000000000000000010-00000000000000000011.parquet.tmp");
  touch(part + "/other-00000000000000000001-00000000000000000099.parquet");
  touch(part + "/s-1-99.parquet");
  touch(dir_ + "/staging/s/10.ndjson");
  auto wm = ScanWatermarks(&env_, dir_ + "/lake");
  ASSERT_TRUE(wm.ok());
  EXPECT_EQ(wm.value(), (std::map<std::string, uint64_t>{{"s", 9}}));

  ASSERT_TRUE(RemoveLeftovers(&env_, dir_ + "/lake").ok());
  StartService(Options());
  EXPECT_FALSE(fs::exists(part + "/.s-00000000000000000010-00000000000000000011.parquet.tmp"));
  EXPECT_TRUE(fs::exists(part + "/s-00000000000000000005-00000000000000000009.parquet"));
  EXPECT_FALSE(fs::exists(dir_ + "/staging/s/10.ndjson"));
  EXPECT_EQ(service_->watermarks()["s"], 9u);
  // Records at or below the watermark are not delivered again.
  uint64_t last = Append("s", 12);
  ASSERT_GE(last, 12u);
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(service_->stats().rows_delivered, last - 9);
}

TEST_F(DeliveryServiceTest, MultiLinePayloadStaysOneRow) {
  StartService(Options());
  std::string rec = "{\n  \"a\": 1,\r\n  \"b\": [1,\n 2]\n}";
  std::string_view view = rec;
  ASSERT_TRUE(wal_->Append("s", std::span<const std::string_view>(&view, 1)).ok());
  ASSERT_TRUE(service_->Flush().ok());
  auto r = db_->Query("SELECT a, b FROM read_parquet(" +
                      QuoteLiteral(dir_ + "/lake/s/**/*.parquet") + ")");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0][0], "1");
  EXPECT_EQ(r->rows[0][1], "[1, 2]");
}

TEST_F(DeliveryServiceTest, StopIsIdempotentAndFlushAfterStopFails) {
  StartService(Options());
  Append("s", 2);
  EXPECT_TRUE(service_->Stop().ok());
  EXPECT_TRUE(service_->Stop().ok());
  EXPECT_FALSE(service_->Flush().ok());
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{2}, int64_t{2}));
}

}  // namespace
}  // namespace gamelake

namespace gamelake {
namespace {

// A sink that records what it is asked, fails while told to, and checks
// that every file it is given is complete in the local lake.
class FakeSink : public LakeSink {
 public:
  explicit FakeSink(std::string lake_dir) : lake_dir_(std::move(lake_dir)) {}
  std::string Describe() const override { return "fake"; }
  Result<LakeSinkRecovery> Recover() override {
    recoveries++;
    if (fail_recover.load() > 0) {
      fail_recover--;
      return Status::Unavailable("injected recovery failure");
    }
    return recovery;
  }
  Status Publish(const std::string& lake_path) override {
    EXPECT_TRUE(fs::exists(lake_dir_ + "/" + lake_path)) << lake_path;
    std::lock_guard<std::mutex> l(mu);
    attempts.push_back(lake_path);
    if (failing.load()) return Status::Unavailable("injected store outage");
    published.push_back(lake_path);
    return Status::OK();
  }
  std::vector<std::string> Published() {
    std::lock_guard<std::mutex> l(mu);
    return published;
  }

  std::atomic<bool> failing{false};
  std::atomic<int> fail_recover{0};
  std::atomic<int> recoveries{0};
  LakeSinkRecovery recovery;
  std::mutex mu;
  std::vector<std::string> attempts;
  std::vector<std::string> published;

 private:
  std::string lake_dir_;
};

TEST_F(DeliveryServiceTest, SinkFailureHoldsTheLogUntilTheSinkConfirms) {
  DeliveryOptions options = Options();
  auto sink = std::make_shared<FakeSink>(options.lake_dir);
  options.sink = sink;
  options.node_id = "n-1";
  StartService(options);
  sink->failing = true;
  uint64_t last = Append("s", 200);
  uint64_t segments = wal_->segment_count();
  ASSERT_GT(segments, 2u);
  EXPECT_FALSE(service_->Flush().ok());  // Gives up after a few failures, loses nothing.
  DeliveryStats stats = service_->stats();
  EXPECT_GE(stats.consecutive_failures, 5);
  EXPECT_NE(stats.last_error.find("injected store outage"), std::string::npos) << stats.last_error;
  EXPECT_EQ(stats.files_delivered, 0u);
  EXPECT_EQ(wal_->segment_count(), segments);  // Nothing released.
  EXPECT_EQ(service_->watermarks().count("s"), 0u);
  // The file is durable locally (one, not rewritten per attempt).
  std::vector<std::string> files = LakeFiles("s");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].ends_with(".n-1.parquet")) << files[0];

  sink->failing = false;  // The store comes back: delivery resumes.
  ASSERT_TRUE(testing::Eventually([&] { return service_->stats().consecutive_failures == 0; },
                                  std::chrono::seconds(20)));
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(sink->Published(), std::vector<std::string>{"s/" + files[0]});
  EXPECT_EQ(service_->stats().consecutive_failures, 0);
  EXPECT_EQ(service_->watermarks()["s"], last);
  EXPECT_LT(wal_->segment_count(), segments);
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{200}, int64_t{200}));
}

TEST_F(DeliveryServiceTest, StopDuringOutageRepublishesAtStartBeforeReleasing) {
  DeliveryOptions options = Options();
  auto sink = std::make_shared<FakeSink>(options.lake_dir);
  options.sink = sink;
  StartService(options);
  sink->failing = true;
  uint64_t last = Append("s", 50);
  EXPECT_FALSE(service_->Flush().ok());
  std::vector<std::string> files = LakeFiles("s");
  ASSERT_EQ(files.size(), 1u);
  uint64_t segments = wal_->segment_count();
  (void)service_->Stop();

  // The restarted sink lacks the file: recovery fails once, then publishes
  // it before anything is released; its records are not delivered again.
  auto sink2 = std::make_shared<FakeSink>(options.lake_dir);
  sink2->recovery.missing = {"s/" + files[0]};
  sink2->fail_recover = 1;
  options.sink = sink2;
  RestartAll(options);
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(sink2->recoveries.load(), 2);
  EXPECT_EQ(sink2->Published(), std::vector<std::string>{"s/" + files[0]});
  EXPECT_EQ(service_->watermarks()["s"], last);
  EXPECT_EQ(service_->stats().files_delivered, 0u);
  EXPECT_LE(wal_->segment_count(), segments);
  EXPECT_EQ(CountRows("s"), std::make_pair(int64_t{50}, int64_t{50}));
}

TEST_F(DeliveryServiceTest, SinkWatermarksSkipWhatTheStoreHoldsAfterALostDisk) {
  DeliveryOptions options = Options();
  auto sink = std::make_shared<FakeSink>(options.lake_dir);
  sink->recovery.watermarks = {{"s", 30}};  // The store holds records up to 30.
  options.sink = sink;
  StartService(options);
  uint64_t last = Append("s", 40);
  ASSERT_EQ(last, 40u);
  ASSERT_TRUE(service_->Flush().ok());
  EXPECT_EQ(service_->stats().rows_delivered, 10u);
  EXPECT_EQ(service_->watermarks()["s"], 40u);
  auto r = db_->Query("SELECT min(_record_id) FROM read_parquet(" +
                      QuoteLiteral(dir_ + "/lake/s/**/*.parquet") + ")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0][0], "31");
}

}  // namespace
}  // namespace gamelake
