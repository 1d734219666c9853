#include "metrics/pipeline_recorder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/manual_clock_env.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"

namespace gamelake {
namespace {

// 2026-11-20T12:00:00Z.
constexpr int64_t kNowS = 1'795'176'000;

class PipelineRecorderTest : public ::testing::Test {
 protected:
  PipelineRecorderTest() : env_(kNowS * 1'000'000) {
    MetricStoreOptions o;
    o.dir = dir_.path();
    o.env = &env_;
    o.maintain_interval_s = 0;
    store_ = MetricStore::Open(o).value();
    PipelineRecorderOptions p;
    p.stats = &stats_;
    p.store = store_.get();
    p.env = &env_;
    p.oldest_undelivered_us = [this] { return oldest_; };
    p.apps = [this] { return apps_; };
    recorder_ = std::make_unique<PipelineRecorder>(std::move(p));
  }

  // The Sum of a metric in the second starting at t_s (nullopt: no datapoint).
  std::optional<double> Stat(std::string_view ns, std::string name, std::string stream, int64_t t_s,
                             std::string_view stat = "Sum") {
    StatisticsRequest r;
    r.id.ns = std::string(ns);
    r.id.name = std::move(name);
    if (!stream.empty()) {
      r.id.dimensions.push_back(
          {ns == PipelineRecorder::kAppsNamespace ? "Application" : "StreamName",
           std::move(stream)});
    }
    r.start_ms = t_s * 1000;
    r.end_ms = (t_s + 1) * 1000;
    r.period_s = 1;
    r.statistics = {ParseStatistic(stat).value()};
    auto points = store_->GetStatistics(r);
    EXPECT_THAT(points.status(), IsOk());
    if (!points.ok() || points->empty()) return std::nullopt;
    return points->front().values[0];
  }

  std::optional<double> Streams(std::string name, std::string stream, int64_t t_s) {
    return Stat(PipelineRecorder::kStreamsNamespace, std::move(name), std::move(stream), t_s);
  }

  ManualClockEnv env_;
  ScratchDir dir_;
  StreamStats stats_;
  std::map<std::string, int64_t> oldest_;
  std::vector<AppSample> apps_;
  std::unique_ptr<MetricStore> store_;
  std::unique_ptr<PipelineRecorder> recorder_;
};

TEST_F(PipelineRecorderTest, EachSecondHoldsWhatTheCountersGainedInIt) {
  StreamCounters* events = stats_.For("events");
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(stats_.For("events"), events);  // Stable.
  events->incoming_records.Add(100);
  events->incoming_bytes.Add(5000);
  events->failed_records.Add(3);
  events->throttled_records.Add(7);
  events->duplicate_records.Add(2);
  oldest_["events"] = (kNowS - 4) * 1'000'000;
  env_.SetNowMicros((kNowS + 1) * 1'000'000);
  ASSERT_THAT(recorder_->RecordSecond(kNowS * 1000), IsOk());
  EXPECT_EQ(Streams("IncomingRecords", "events", kNowS), 100);
  EXPECT_EQ(Streams("IncomingBytes", "events", kNowS), 5000);
  EXPECT_EQ(Streams("FailedRecords", "events", kNowS), 3);
  EXPECT_EQ(Streams("ThrottledRecords", "events", kNowS), 7);
  EXPECT_EQ(Streams("DuplicateRecords", "events", kNowS), 2);
  EXPECT_EQ(Streams("DeliveryToLake.Records", "events", kNowS), 0);
  EXPECT_EQ(Streams("DeliveryToLake.DataFreshness", "events", kNowS), 5);
  EXPECT_EQ(Streams("DeliveryToLake.Success", "events", kNowS), std::nullopt);  // No attempt.

  // The next second: a file delivered, one failed attempt; the backlog drained.
  events->incoming_records.Add(10);
  events->delivered_records.Add(110);
  events->delivered_bytes.Add(2048);
  events->delivery_attempts.Add(2);
  events->delivery_successes.Add(1);
  oldest_.clear();
  env_.AdvanceSeconds(1);
  ASSERT_THAT(recorder_->RecordSecond((kNowS + 1) * 1000), IsOk());
  EXPECT_EQ(Streams("IncomingRecords", "events", kNowS + 1), 10);  // Only the gain.
  EXPECT_EQ(Streams("FailedRecords", "events", kNowS + 1), 0);
  EXPECT_EQ(Streams("DeliveryToLake.Records", "events", kNowS + 1), 110);
  EXPECT_EQ(Streams("DeliveryToLake.Bytes", "events", kNowS + 1), 2048);
  EXPECT_EQ(Streams("DeliveryToLake.Success", "events", kNowS + 1), 0.5);
  EXPECT_EQ(Streams("DeliveryToLake.DataFreshness", "events", kNowS + 1), 0);

  // Idle: nothing moved and nothing waits, so nothing is written.
  env_.AdvanceSeconds(1);
  ASSERT_THAT(recorder_->RecordSecond((kNowS + 2) * 1000), IsOk());
  EXPECT_EQ(Streams("IncomingRecords", "events", kNowS + 2), std::nullopt);
  EXPECT_EQ(Streams("DeliveryToLake.DataFreshness", "events", kNowS + 2), std::nullopt);
}

TEST_F(PipelineRecorderTest, StreamsAreSeparateSeriesAndAWaitingStreamReportsItsAge) {
  stats_.For("a")->incoming_records.Add(1);
  stats_.For("b");  // Seen, never moved, nothing waits: not written.
  oldest_["c"] = (kNowS - 30) * 1'000'000;
  stats_.For("c");
  ASSERT_THAT(recorder_->RecordSecond(kNowS * 1000), IsOk());
  EXPECT_EQ(Streams("IncomingRecords", "a", kNowS), 1);
  EXPECT_EQ(Streams("IncomingRecords", "b", kNowS), std::nullopt);
  EXPECT_EQ(Streams("IncomingRecords", "c", kNowS), 0);
  EXPECT_EQ(Streams("DeliveryToLake.DataFreshness", "c", kNowS), 30);
  ListMetricsFilter f;
  f.ns = std::string(PipelineRecorder::kStreamsNamespace);
  f.name = "IncomingRecords";
  EXPECT_EQ(store_->ListMetrics(f).size(), 2u);  // a and c.
}

TEST_F(PipelineRecorderTest, QueriesCountsAndLatencyPercentiles) {
  QueryCounts* q = stats_.queries();
  for (int i = 1; i <= 400; ++i) q->Record(i, /*ok=*/i % 100 != 0);
  ASSERT_THAT(recorder_->RecordSecond(kNowS * 1000), IsOk());
  auto ns = PipelineRecorder::kQueriesNamespace;
  EXPECT_EQ(Stat(ns, "Queries", "", kNowS), 400);
  EXPECT_EQ(Stat(ns, "QueryErrors", "", kNowS), 4);
  // 400 latencies in Values arrays of at most 150: all counted, p50 within 1%.
  EXPECT_EQ(Stat(ns, "QueryLatency", "", kNowS, "SampleCount"), 400);
  EXPECT_EQ(Stat(ns, "QueryLatency", "", kNowS, "Maximum"), 400);
  EXPECT_NEAR(*Stat(ns, "QueryLatency", "", kNowS, "p50"), 200, 2);
  // Drained: the next second has none.
  ASSERT_THAT(recorder_->RecordSecond((kNowS + 1) * 1000), IsOk());
  EXPECT_EQ(Stat(ns, "Queries", "", kNowS + 1), std::nullopt);
}

TEST_F(PipelineRecorderTest, TheThreadRecordsOnItsOwnAndStopsPromptly) {
  // Real clock: the thread wakes after each second ends.
  MetricStoreOptions o;
  ScratchDir dir;
  o.dir = dir.path();
  o.maintain_interval_s = 0;
  auto store = MetricStore::Open(o).value();
  StreamStats stats;
  PipelineRecorderOptions p;
  p.stats = &stats;
  p.store = store.get();
  PipelineRecorder recorder(std::move(p));
  stats.For("live")->incoming_records.Add(42);
  recorder.Start();
  ListMetricsFilter f;
  f.ns = std::string(PipelineRecorder::kStreamsNamespace);
  for (int i = 0; i < 300 && store->ListMetrics(f).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  recorder.Stop();
  EXPECT_FALSE(store->ListMetrics(f).empty());
  EXPECT_THAT(store->Close(), IsOk());
}

TEST_F(PipelineRecorderTest, RunningAppsReportTheirGainsAndTheirLagEachSecond) {
  // The app's counters are of its life (they survive restarts): its first
  // second here counts nothing, then each second what it gained.
  apps_ = {{"lab", 500, 40, 1, 12.5, 3, 4096}};
  ASSERT_THAT(recorder_->RecordSecond(kNowS * 1000), IsOk());
  auto app = [&](std::string name, int64_t t_s) {
    return Stat(PipelineRecorder::kAppsNamespace, std::move(name), "lab", t_s);
  };
  EXPECT_EQ(app("InputRecords", kNowS), 0);
  EXPECT_EQ(app("MillisBehindLatest", kNowS), 12.5);
  EXPECT_EQ(app("LagRecords", kNowS), 3);
  EXPECT_EQ(app("StateBytes", kNowS), 4096);
  apps_ = {{"lab", 650, 52, 1, 0, 0, 4096}};
  env_.AdvanceSeconds(1);
  ASSERT_THAT(recorder_->RecordSecond((kNowS + 1) * 1000), IsOk());
  EXPECT_EQ(app("InputRecords", kNowS + 1), 150);
  EXPECT_EQ(app("OutputRows", kNowS + 1), 12);
  EXPECT_EQ(app("ErrorRows", kNowS + 1), 0);
  EXPECT_EQ(app("MillisBehindLatest", kNowS + 1), 0);
  // Recreated under the same name: counters start again, never a negative gain.
  apps_ = {{"lab", 10, 1, 0, 0, 0, 0}};
  env_.AdvanceSeconds(1);
  ASSERT_THAT(recorder_->RecordSecond((kNowS + 2) * 1000), IsOk());
  EXPECT_EQ(app("InputRecords", kNowS + 2), 0);
  // Stopped apps are not sampled: nothing written.
  apps_.clear();
  env_.AdvanceSeconds(1);
  ASSERT_THAT(recorder_->RecordSecond((kNowS + 3) * 1000), IsOk());
  EXPECT_EQ(app("LagRecords", kNowS + 3), std::nullopt);
}

}  // namespace
}  // namespace gamelake
