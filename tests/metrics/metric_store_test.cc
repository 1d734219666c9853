#include "metrics/metric_store.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/manual_clock_env.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "metrics/aggregate.h"
#include "metrics/metric_codec.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2026-11-20T12:00:00Z: a minute, hour and day boundary.
constexpr int64_t kNowS = 1'795'176'000;

MetricDatum Value(std::string name, double v, int64_t ts_s, int resolution = 1,
                  std::vector<Dimension> dims = {}) {
  MetricDatum d;
  d.id = MetricId{"serverless-analytics-demo", std::move(name), std::move(dims)};
  d.timestamp_ms = ts_s * 1000;
  d.storage_resolution_s = resolution;
  d.value = v;
  return d;
}

std::vector<Statistic> Stats(std::initializer_list<std::string_view> names) {
  std::vector<Statistic> out;
  for (std::string_view n : names) out.push_back(ParseStatistic(n).value());
  return out;
}

class MetricStoreTest : public ::testing::Test {
 protected:
  MetricStoreTest() : env_(kNowS * 1'000'000) {}

  MetricStoreOptions Options(const std::string& dir) {
    MetricStoreOptions o;
    o.dir = dir;
    o.env = &env_;
    o.maintain_interval_s = 0;  // The tests call Maintain().
    return o;
  }

  std::unique_ptr<MetricStore> OpenStore(const std::string& dir) {
    auto store = MetricStore::Open(Options(dir));
    EXPECT_THAT(store.status(), IsOk());
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::vector<StatisticsPoint> Get(MetricStore& store, std::string name, int64_t start_s,
                                   int64_t end_s, int64_t period,
                                   std::initializer_list<std::string_view> stats) {
    StatisticsRequest r;
    r.id = MetricId{"serverless-analytics-demo", std::move(name), {}};
    r.start_ms = start_s * 1000;
    r.end_ms = end_s * 1000;
    r.period_s = period;
    r.statistics = Stats(stats);
    r.max_buckets = 100800;
    auto points = store.GetStatistics(r);
    EXPECT_THAT(points.status(), IsOk());
    return points.ok() ? *points : std::vector<StatisticsPoint>{};
  }

  ManualClockEnv env_;
  ScratchDir dir_;
};

TEST_F(MetricStoreTest, OneSecondDataReadsBackExactlyPerSecondAndPerMinute) {
  auto store = OpenStore(dir_.path());
  std::vector<MetricDatum> batch;
  // 120 seconds, 10 values a second: i % 21 (like the lab's wins).
  std::vector<double> all;
  for (int s = 0; s < 120; ++s) {
    for (int k = 0; k < 10; ++k) {
      double v = (s * 10 + k) % 21;
      batch.push_back(Value("wins", v, kNowS - 120 + s));
      all.push_back(v);
    }
  }
  GL_ASSERT_OK(store->Put(batch));
  auto per_second = Get(*store, "wins", kNowS - 120, kNowS, 1,
                        {"SampleCount", "Sum", "Minimum", "Maximum", "Average"});
  ASSERT_EQ(per_second.size(), 120u);
  double sum0 = 0;
  for (int k = 0; k < 10; ++k) sum0 += k % 21;
  EXPECT_EQ(per_second[0].timestamp_ms, (kNowS - 120) * 1000);
  EXPECT_EQ(per_second[0].values[0], 10);
  EXPECT_EQ(per_second[0].values[1], sum0);
  EXPECT_EQ(per_second[0].values[2], 0);
  EXPECT_EQ(per_second[0].values[3], 9);
  EXPECT_EQ(per_second[0].unit, "None");

  auto per_minute = Get(*store, "wins", kNowS - 120, kNowS, 60, {"SampleCount", "Sum", "p90"});
  ASSERT_EQ(per_minute.size(), 2u);
  std::vector<double> first(all.begin(), all.begin() + 600);
  std::sort(first.begin(), first.end());
  double exact_p90 = first[static_cast<size_t>(0.9 * 600) - 1];
  EXPECT_EQ(per_minute[0].values[0], 600);
  double sum = 0;
  for (double v : first) sum += v;
  EXPECT_EQ(per_minute[0].values[1], sum);
  ASSERT_TRUE(per_minute[0].values[2].has_value());
  EXPECT_NEAR(*per_minute[0].values[2], exact_p90, exact_p90 * 0.01);
}

TEST_F(MetricStoreTest, StartIsRoundedAndEndIsExclusive) {
  auto store = OpenStore(dir_.path());
  GL_ASSERT_OK(store->Put(
      {Value("wins", 1, kNowS - 600), Value("wins", 2, kNowS - 540), Value("wins", 4, kNowS - 1)}));
  // 12:50:30 rounds down to 12:50:00 at a 60 s period: the first minute is in.
  auto points = Get(*store, "wins", kNowS - 570, kNowS - 540, 60, {"Sum"});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].timestamp_ms, (kNowS - 600) * 1000);
  EXPECT_EQ(points[0].values[0], 1);  // 12:51:00 is the end: excluded.
  // Periods below a minute round to the period: 5 s buckets from 12:59:55.
  points = Get(*store, "wins", kNowS - 3, kNowS, 5, {"Sum"});
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].timestamp_ms, (kNowS - 5) * 1000);
  EXPECT_EQ(points[0].values[0], 4);
}

TEST_F(MetricStoreTest, OldDataIsReadFromTheRollUpsOnly) {
  auto store = OpenStore(dir_.path());
  int64_t five_days_ago = kNowS - 5 * 86400;
  std::vector<MetricDatum> batch;
  for (int i = 0; i < 3600; ++i) batch.push_back(Value("losses", i % 7, five_days_ago + i, 1));
  GL_ASSERT_OK(store->Put(batch));
  // Five days ago is past the 1-second tier's 3 hours: nothing at 1 s...
  EXPECT_TRUE(Get(*store, "losses", five_days_ago, five_days_ago + 60, 1, {"Sum"}).empty());
  // ...but the minutes and the hour hold it all, with the distribution.
  auto minutes = Get(*store, "losses", five_days_ago, five_days_ago + 3600, 60, {"SampleCount"});
  ASSERT_EQ(minutes.size(), 60u);
  EXPECT_EQ(minutes[0].values[0], 60);
  auto hour = Get(*store, "losses", five_days_ago, five_days_ago + 3600, 3600,
                  {"SampleCount", "Sum", "Maximum", "p50", "p99"});
  ASSERT_EQ(hour.size(), 1u);
  double sum = 0;
  for (int i = 0; i < 3600; ++i) sum += i % 7;
  ASSERT_EQ(hour[0].values.size(), 5u);
  EXPECT_EQ(hour[0].values[0], 3600);
  EXPECT_EQ(hour[0].values[1], sum);
  EXPECT_EQ(hour[0].values[2], 6);
  EXPECT_NEAR(*hour[0].values[3], 3, 3 * 0.01);  // Percentiles: within the sketch's bound.
  EXPECT_NEAR(*hour[0].values[4], 6, 6 * 0.01);
}

TEST_F(MetricStoreTest, RetentionDropsEachTierAtItsAge) {
  auto store = OpenStore(dir_.path());
  GL_ASSERT_OK(store->Put({Value("wins", 5, kNowS - 10, 1)}));
  EXPECT_EQ(Get(*store, "wins", kNowS - 60, kNowS, 1, {"Sum"}).size(), 1u);
  env_.AdvanceSeconds(3 * 3600 + 600);  // The 1 s tier's 3 hours and its chunk have passed.
  GL_ASSERT_OK(store->Maintain(true));
  int64_t t = kNowS - 10;
  EXPECT_TRUE(Get(*store, "wins", t - 1, t + 1, 1, {"Sum"}).empty());
  auto minute = Get(*store, "wins", t - 50, t + 60, 60, {"Sum"});
  ASSERT_EQ(minute.size(), 1u);
  EXPECT_EQ(minute[0].values[0], 5);
  env_.AdvanceSeconds(16 * 86400);  // Past the minutes' 15 days; the 5-minute tier has it.
  GL_ASSERT_OK(store->Maintain(true));
  EXPECT_TRUE(Get(*store, "wins", t - 50, t + 60, 60, {"Sum"}).empty());
  auto five = Get(*store, "wins", kNowS - 300, kNowS, 300, {"Sum"});
  ASSERT_EQ(five.size(), 1u);
  env_.AdvanceSeconds(456 * 86400);  // Past every tier: the series goes too.
  GL_ASSERT_OK(store->Maintain(true));
  EXPECT_TRUE(store->ListMetrics({}).empty());
  EXPECT_EQ(store->stats().series, 0u);
}

TEST_F(MetricStoreTest, StatisticSetsHavePercentilesOnlyWhenTheyAreADistribution) {
  auto store = OpenStore(dir_.path());
  MetricDatum spread = Value("timePlayed", 0, kNowS - 30);
  spread.value.reset();
  spread.statistics = StatisticSet{4, 100, 10, 40};
  MetricDatum same = Value("caughtAt", 0, kNowS - 30);
  same.value.reset();
  same.statistics = StatisticSet{3, 21, 7, 7};
  GL_ASSERT_OK(store->Put({spread, same}));
  auto p = Get(*store, "timePlayed", kNowS - 60, kNowS, 60, {"Sum", "Average", "p90"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].values[0], 100);
  EXPECT_EQ(p[0].values[1], 25);
  EXPECT_FALSE(p[0].values[2].has_value());
  p = Get(*store, "caughtAt", kNowS - 60, kNowS, 60, {"SampleCount", "p90"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].values, ElementsAre(3, 7));
}

TEST_F(MetricStoreTest, ValuesWithCountsAreWeighted) {
  auto store = OpenStore(dir_.path());
  MetricDatum d = Value("wins", 0, kNowS - 30);
  d.value.reset();
  d.values = {1, 2, 3};
  d.counts = {5, 1, 4};
  GL_ASSERT_OK(store->Put({d}));
  auto p = Get(*store, "wins", kNowS - 60, kNowS, 60,
               {"SampleCount", "Sum", "Minimum", "Maximum", "p50"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].values[0], 10);
  EXPECT_EQ(p[0].values[1], 5 + 2 + 12);
  EXPECT_EQ(p[0].values[2], 1);
  EXPECT_EQ(p[0].values[3], 3);
  EXPECT_NEAR(*p[0].values[4], 1, 0.01);
}

TEST_F(MetricStoreTest, AMetricIsItsExactDimensionsAndUnitsStayApart) {
  auto store = OpenStore(dir_.path());
  MetricDatum a = Value("wins", 1, kNowS - 5, 1, {{"Stage", "1"}, {"Mode", "pvp"}});
  MetricDatum b = Value("wins", 10, kNowS - 5, 1, {{"Mode", "pvp"}});
  MetricDatum c = Value("wins", 100, kNowS - 5, 1, {{"Mode", "pvp"}});
  c.unit = "Count";
  GL_ASSERT_OK(store->Put({a, b, c}));
  StatisticsRequest r;
  r.id = MetricId{"serverless-analytics-demo", "wins", {{"Mode", "pvp"}}};
  r.start_ms = (kNowS - 60) * 1000;
  r.end_ms = kNowS * 1000;
  r.statistics = Stats({"Sum"});
  auto all_units = store->GetStatistics(r);
  GL_ASSERT_OK(all_units.status());
  ASSERT_EQ(all_units->size(), 1u);
  EXPECT_EQ((*all_units)[0].values[0], 110);  // Not the Stage=1 metric.
  EXPECT_EQ((*all_units)[0].unit, "None");    // Two units: reported as None.
  r.unit = "Count";
  auto count_only = store->GetStatistics(r);
  GL_ASSERT_OK(count_only.status());
  ASSERT_EQ(count_only->size(), 1u);
  EXPECT_EQ((*count_only)[0].values[0], 100);
  EXPECT_EQ((*count_only)[0].unit, "Count");
  // Dimension order in the request does not matter.
  r.unit.reset();
  r.id.dimensions = {{"Stage", "1"}, {"Mode", "pvp"}};
  auto reordered = store->GetStatistics(r);
  GL_ASSERT_OK(reordered.status());
  ASSERT_EQ(reordered->size(), 1u);
  EXPECT_EQ((*reordered)[0].values[0], 1);

  ListMetricsFilter f;
  EXPECT_EQ(store->ListMetrics(f).size(), 2u);  // Units folded.
  f.dimensions = {{"Stage", std::nullopt}};
  EXPECT_EQ(store->ListMetrics(f).size(), 1u);
  f.dimensions = {{"Mode", "pve"}};
  EXPECT_TRUE(store->ListMetrics(f).empty());
}

TEST_F(MetricStoreTest, BadPutsAreRefusedWholeWithCloudWatchCodes) {
  auto store = OpenStore(dir_.path());
  struct Case {
    std::string what;
    std::function<void(MetricDatum&)> spoil;
    std::string message;
  };
  std::vector<Case> cases = {
      {"NaN", [](MetricDatum& d) { d.value = std::nan(""); }, "InvalidParameterValue"},
      {"Inf", [](MetricDatum& d) { d.value = HUGE_VAL; }, "not a finite number"},
      {"huge", [](MetricDatum& d) { d.value = 0x1p361; }, "outside -2^360..2^360"},
      {"old", [](MetricDatum& d) { d.timestamp_ms = (kNowS - 15 * 86400) * 1000; }, "two weeks"},
      {"ahead", [](MetricDatum& d) { d.timestamp_ms = (kNowS + 3 * 3600) * 1000; }, "ahead"},
      {"no value", [](MetricDatum& d) { d.value.reset(); }, "MissingParameter"},
      {"two kinds", [](MetricDatum& d) { d.values = {1}; }, "InvalidParameterCombination"},
      {"unit", [](MetricDatum& d) { d.unit = "Furlongs"; }, "Unit 'Furlongs'"},
      {"resolution", [](MetricDatum& d) { d.storage_resolution_s = 5; }, "StorageResolution"},
      {"namespace", [](MetricDatum& d) { d.id.ns = "AWS/EC2"; }, "reserved"},
      {"empty name", [](MetricDatum& d) { d.id.name.clear(); }, "MissingParameter"},
      {"dup dim",
       [](MetricDatum& d) {
         d.id.dimensions = {{"a", "1"}, {"a", "2"}};
       },
       "twice"},
      {"31 dims",
       [](MetricDatum& d) {
         for (int i = 0; i < 31; ++i) d.id.dimensions.push_back({"d" + std::to_string(i), "v"});
       },
       "31 dimensions"},
      {"counts",
       [](MetricDatum& d) {
         d.value.reset();
         d.values = {1, 2};
         d.counts = {1};
       },
       "Counts has 1 entries"},
      {"151 values",
       [](MetricDatum& d) {
         d.value.reset();
         d.values.assign(151, 1.0);
       },
       "at most 150"},
      {"zero count",
       [](MetricDatum& d) {
         d.value.reset();
         d.values = {1};
         d.counts = {0};
       },
       "positive"},
      {"set min>max",
       [](MetricDatum& d) {
         d.value.reset();
         d.statistics = StatisticSet{2, 3, 5, 1};
       },
       "Minimum is greater"},
  };
  for (const Case& c : cases) {
    MetricDatum good = Value("wins", 1, kNowS - 5);
    MetricDatum bad = Value("wins", 1, kNowS - 5);
    c.spoil(bad);
    EXPECT_THAT(store->Put({good, bad}),
                StatusIs(Status::Code::kInvalidArgument, "MetricData.member.2"))
        << c.what;
    Status s = store->Put({good, bad});
    EXPECT_THAT(s.message(), HasSubstr(c.message)) << c.what;
  }
  EXPECT_TRUE(store->ListMetrics({}).empty());  // Nothing of any batch was stored.
}

TEST_F(MetricStoreTest, BadQueriesAreRefused) {
  auto store = OpenStore(dir_.path());
  StatisticsRequest r;
  r.id = MetricId{"ns", "m", {}};
  r.start_ms = (kNowS - 60) * 1000;
  r.end_ms = kNowS * 1000;
  r.statistics = Stats({"Sum"});
  r.period_s = 45;
  EXPECT_THAT(
      store->GetStatistics(r).status(),
      StatusIs(Status::Code::kInvalidArgument, "InvalidParameterValue: The parameter Period"));
  r.period_s = 60;
  r.end_ms = r.start_ms;
  EXPECT_THAT(store->GetStatistics(r).status(),
              StatusIs(Status::Code::kInvalidArgument, "StartTime must be less"));
  r.end_ms = kNowS * 1000;
  r.start_ms = (kNowS - 86400) * 1000;
  r.period_s = 1;
  r.max_buckets = 1440;
  EXPECT_THAT(store->GetStatistics(r).status(),
              StatusIs(Status::Code::kInvalidArgument, "exceeds the limit of 1440"));
  EXPECT_THAT(ParseStatistic("p101").status(), StatusIs(Status::Code::kInvalidArgument, "p0"));
  EXPECT_THAT(ParseStatistic("Median").status(),
              StatusIs(Status::Code::kInvalidArgument, "unknown statistic 'Median'"));
  EXPECT_THAT(ParseStatistic("tm(90%:10%)").status(),
              StatusIs(Status::Code::kInvalidArgument, "0 <= A < B <= 100"));
  EXPECT_EQ(ParseStatistic("p99.9")->lo, 99.9);
  EXPECT_EQ(ParseStatistic("tm(10%:90%)")->hi, 90);
}

// Copies a store's directory while it runs: what a kill -9 would leave (every
// acknowledged put is fsync'd in the log before Put returns).
void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

TEST_F(MetricStoreTest, AfterACrashEveryAcknowledgedPutIsThereOnce) {
  std::string live = dir_.path() + "/live";
  auto store = OpenStore(live);
  GL_ASSERT_OK(store->Put({Value("wins", 1, kNowS - 50), Value("wins", 2, kNowS - 40)}));
  GL_ASSERT_OK(store->Maintain(true));                       // A checkpoint holds these two.
  GL_ASSERT_OK(store->Put({Value("wins", 4, kNowS - 30)}));  // Only in the log.
  CopyDir(live, dir_.path() + "/crashed");
  GL_ASSERT_OK(store->Put({Value("wins", 8, kNowS - 20)}));  // After the "crash".

  auto recovered = OpenStore(dir_.path() + "/crashed");
  auto p = Get(*recovered, "wins", kNowS - 60, kNowS, 60, {"Sum", "SampleCount"});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_THAT(p[0].values, ElementsAre(7, 3));
  // A clean close checkpoints; reopening twice counts nothing twice.
  GL_ASSERT_OK(recovered->Close());
  recovered.reset();
  for (int i = 0; i < 2; ++i) {
    auto again = OpenStore(dir_.path() + "/crashed");
    p = Get(*again, "wins", kNowS - 60, kNowS, 60, {"Sum"});
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].values[0], 7);
  }
}

TEST_F(MetricStoreTest, ConcurrentPutsSurviveACrashCopyExactly) {
  std::string live = dir_.path() + "/live";
  auto store = OpenStore(live);
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) {
        std::vector<MetricDatum> batch;
        for (int k = 0; k < 20; ++k) batch.push_back(Value("wins", 1, kNowS - 100 + (i % 90)));
        ASSERT_THAT(store->Put(batch), IsOk());
        if (w == 0 && i == 25) {
          ASSERT_THAT(store->Maintain(true), IsOk());
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  CopyDir(live, dir_.path() + "/copy");
  auto recovered = OpenStore(dir_.path() + "/copy");
  auto p = Get(*recovered, "wins", kNowS - 120, kNowS, 60, {"Sum"});
  double total = 0;
  for (const auto& point : p) total += *point.values[0];
  EXPECT_EQ(total, 4 * 50 * 20);
}

TEST_F(MetricStoreTest, SealedChunksReadTheSameAndTakeLateData) {
  auto store = OpenStore(dir_.path());
  std::vector<MetricDatum> batch;
  for (int i = 0; i < 600; ++i) batch.push_back(Value("wins", i % 13, kNowS - 3000 + i));
  GL_ASSERT_OK(store->Put(batch));
  auto before = Get(*store, "wins", kNowS - 3000, kNowS - 2400, 10, {"Sum", "p90", "Maximum"});
  GL_ASSERT_OK(store->Maintain(false));
  EXPECT_GT(store->stats().sealed_chunks, 0u);
  auto after = Get(*store, "wins", kNowS - 3000, kNowS - 2400, 10, {"Sum", "p90", "Maximum"});
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i].values, after[i].values);
  GL_ASSERT_OK(store->Put({Value("wins", 1000, kNowS - 3000)}));  // Late, into a sealed chunk.
  auto late = Get(*store, "wins", kNowS - 3000, kNowS - 2990, 10, {"Maximum"});
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].values[0], 1000);
}

TEST_F(MetricStoreTest, ACheckpointWithOtherTiersIsReslotted) {
  {
    auto store = OpenStore(dir_.path());
    GL_ASSERT_OK(store->Put({Value("wins", 3, kNowS - 30), Value("wins", 4, kNowS - 90)}));
    GL_ASSERT_OK(store->Close());
  }
  MetricStoreOptions o = Options(dir_.path());
  o.tiers = {{1, 3 * 3600, 60}, {60, 15 * 86400, 1440}};  // Other chunk sizes, fewer tiers.
  auto store = MetricStore::Open(o);
  GL_ASSERT_OK(store.status());
  auto p = Get(**store, "wins", kNowS - 120, kNowS, 60, {"Sum"});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].values[0], 4);
  EXPECT_EQ(p[1].values[0], 3);
}

TEST_F(MetricStoreTest, ADamagedCheckpointStopsOpenWithWhere) {
  {
    auto store = OpenStore(dir_.path());
    GL_ASSERT_OK(store->Put({Value("wins", 3, kNowS - 30)}));
    GL_ASSERT_OK(store->Close());
  }
  std::string path = dir_.path() + "/CHECKPOINT";
  std::string bytes = Env::Default()->ReadFile(path).value();
  bytes[bytes.size() / 2] ^= 0x40;
  GL_ASSERT_OK(Env::Default()->WriteFileAtomic(path, bytes));
  EXPECT_THAT(MetricStore::Open(Options(dir_.path())).status(),
              StatusIs(Status::Code::kCorruption, "CHECKPOINT"));
}

TEST(MetricCodecTest, PutBatchesRoundTripAndTruncationsFail) {
  MetricDatum a = Value("wins", 2.5, kNowS, 1, {{"Mode", "pvp"}});
  MetricDatum b = Value("losses", 0, kNowS - 7, 60);
  b.value.reset();
  b.values = {1, 2};
  b.counts = {3, 4};
  MetricDatum c = Value("time", 0, kNowS);
  c.value.reset();
  c.statistics = StatisticSet{2, 3, 1, 2};
  c.unit = "Seconds";
  std::string bytes = EncodePutBatch({a, b, c});
  auto back = DecodePutBatch(bytes);
  GL_ASSERT_OK(back.status());
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ(EncodePutBatch(*back), bytes);
  EXPECT_EQ((*back)[1].counts, b.counts);
  EXPECT_EQ((*back)[2].unit, "Seconds");
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THAT(DecodePutBatch(std::string_view(bytes).substr(0, n)).status(),
                StatusIs(Status::Code::kCorruption, "at byte"))
        << n;
  }
}

TEST(MetricCodecTest, CheckpointsRoundTripAndTruncationsFail) {
  Checkpoint c;
  c.applied_seq = 42;
  c.tiers = DefaultTiers();
  CheckpointSeries s{MetricId{"ns", "m", {{"a", "b"}}}, "Count", {}};
  s.tiers.resize(c.tiers.size());
  s.tiers[1].push_back({kNowS - 3600, std::string("\x01\x00\x0a", 3)});
  c.series.push_back(s);
  std::string file;
  EncodeCheckpoint(c, &file);
  auto back = DecodeCheckpoint(file);
  GL_ASSERT_OK(back.status());
  EXPECT_EQ(back->applied_seq, 42u);
  ASSERT_EQ(back->series.size(), 1u);
  EXPECT_EQ(back->series[0].id, s.id);
  EXPECT_EQ(back->series[0].tiers[1][0].encoded, s.tiers[1][0].encoded);
  std::string again;
  EncodeCheckpoint(*back, &again);
  EXPECT_EQ(again, file);
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_FALSE(DecodeCheckpoint(std::string_view(file).substr(0, n)).ok()) << n;
  }
}

TEST(AggregateTest, EncodingIsSmallAndExact) {
  Aggregate single;
  single.Add(7);
  std::string out;
  single.EncodeTo(&out, 0);
  EXPECT_EQ(out.size(), 2u);  // Tag and a one-byte number.
  Aggregate mixed;
  for (int i = 0; i < 100; ++i) mixed.Add(i % 21 + 0.5);
  std::string bytes;
  mixed.EncodeTo(&bytes, 5);
  std::string_view in = bytes;
  uint64_t tag = 0;
  auto back = Aggregate::DecodeFrom(&in, &tag);
  GL_ASSERT_OK(back.status());
  EXPECT_EQ(tag, 5u);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(*back, mixed);
  EXPECT_EQ(back->sum(), mixed.sum());
  EXPECT_EQ(back->Percentile(90), mixed.Percentile(90));
  for (double v : {0.0, -1.0, 1e15, -0x1p52, 0.1, 1e300}) {
    std::string b;
    PutNumber(&b, v);
    std::string_view i = b;
    EXPECT_EQ(GetNumber(&i).value(), v);
  }
}

}  // namespace
}  // namespace gamelake
