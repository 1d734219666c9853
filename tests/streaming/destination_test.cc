#include "streaming/destination.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../common/manual_clock_env.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "../common/webhook_receiver.h"
#include "common/metrics.h"
#include "ingest/dead_letter.h"
#include "ingest/event_deduper.h"
#include "ingest/ingest_handler.h"
#include "log/wal.h"
#include "metrics/metric_store.h"
#include "streaming/metrics_destination.h"
#include "streaming/stream_destination.h"
#include "streaming/webhook_destination.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---- Specs.

TEST(DestinationSpecTest, ParsesAndFormatsTheForms) {
  struct Case {
    std::string text;
    DestinationSpec want;
  } cases[] = {
      {"data_stream=metrics:serverless-analytics-demo,PlayerID=playerID,Wins=wins",
       {"data_stream",
        "metrics",
        "serverless-analytics-demo",
        {{"PlayerID", "playerID"}, {"Wins", "wins"}}}},
      {"data_stream=metrics:ns", {"data_stream", "metrics", "ns", {}}},
      {"OUT=stream:kda_out", {"OUT", "stream", "kda_out", {}}},
      {"OUT=webhook:http://127.0.0.1:9000/x", {"OUT", "webhook", "http://127.0.0.1:9000/x", {}}},
      {"OUT=webhook:http://h/x?a=1,b=2", {"OUT", "webhook", "http://h/x?a=1,b=2", {}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto spec = ParseDestinationSpec(c.text);
    GL_ASSERT_OK(spec);
    EXPECT_EQ(spec->stream, c.want.stream);
    EXPECT_EQ(spec->kind, c.want.kind);
    EXPECT_EQ(spec->target, c.want.target);
    EXPECT_EQ(spec->metric_map, c.want.metric_map);
    EXPECT_EQ(FormatDestinationSpec(*spec), c.text);
    auto again = ParseDestinationSpec(FormatDestinationSpec(c.want));
    GL_ASSERT_OK(again);
    EXPECT_EQ(again->metric_map, c.want.metric_map);
  }
}

TEST(DestinationSpecTest, BadInputSaysWhatIsWrong) {
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"data_stream", "no '='"},
      {"=stream:x", "empty in-application stream name"},
      {"OUT=stream", "no ':'"},
      {"OUT=kinesis:x", "unknown kind \"kinesis\""},
      {"OUT=stream:", "empty stream target"},
      {"OUT=webhook:", "empty webhook target"},
      {"OUT=metrics:", "empty metrics namespace"},
      {"OUT=metrics:,a=b", "empty metrics namespace"},
      {"OUT=stream:bad name", "target stream: stream name may contain only"},
      {"OUT=stream:_errors", "reserved"},
      {"OUT=stream:" + std::string(65, 'a'), "1 to 64"},
      {"OUT=webhook:https://example.com/x", "webhook URL"},
      {"OUT=webhook:ftp://example.com/x", "webhook URL"},
      {"OUT=metrics:ns,Wins=wins,Wins=w2", "column \"Wins\" is mapped twice"},
      {"OUT=metrics:ns,Wins", "not column=metric"},
      {"OUT=metrics:ns,Wins=a=b", "not column=metric"},
      {"OUT=metrics:ns,=wins", "empty side"},
      {"OUT=metrics:ns,Wins=", "empty side"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_THAT(ParseDestinationSpec(c.text), StatusIs(Status::Code::kInvalidArgument, c.error));
  }
}

TEST(RetryPolicyTest, DoublesUpToTheCap) {
  RetryPolicy p{5, 100, 1000};
  EXPECT_EQ(p.BackoffMs(1), 100);
  EXPECT_EQ(p.BackoffMs(2), 200);
  EXPECT_EQ(p.BackoffMs(4), 800);
  EXPECT_EQ(p.BackoffMs(5), 1000);
  EXPECT_EQ(p.BackoffMs(60), 1000);
}

// ---- Rows.

SqlType Type(SqlType::Kind kind) {
  SqlType t;
  t.kind = kind;
  return t;
}

StreamSchema LabOutput() {
  StreamSchema s;
  for (const char* name :
       {"PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"}) {
    s.columns.push_back(StreamColumn{name, Type(SqlType::Kind::kInteger)});
  }
  return s;
}

OutputRow LabRow(uint64_t ordinal, int64_t rowtime_ms, int64_t player, int64_t losses) {
  OutputRow r;
  r.ordinal = ordinal;
  r.row.rowtime_ms = rowtime_ms;
  r.row.values = {SqlValue::Integer(player), SqlValue::Integer(2), SqlValue::Integer(losses),
                  SqlValue::Integer(300),    SqlValue::Integer(4), SqlValue::Integer(5)};
  return r;
}

std::vector<std::pair<std::string, std::string>> LabMetricMap() {
  return {{"PlayerID", "playerID"},         {"Wins", "wins"},         {"Losses", "losses"},
          {"COL_TimePlayed", "timePlayed"}, {"CaughtAt", "caughtAt"}, {"CaughtBy", "CaughtBy"}};
}

// ---- Metrics.

constexpr int64_t kNowUs = 1'760'000'000'000'000;  // 2025-10-09 08:53:20 UTC.
constexpr int64_t kNowMs = kNowUs / 1000;

class MetricsDestinationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MetricStoreOptions o;
    o.dir = dir_.path() + "/metrics";
    o.env = &env_;
    o.maintain_interval_s = 0;
    auto store = MetricStore::Open(o);
    GL_ASSERT_OK(store);
    store_ = std::move(store).value();
  }
  void TearDown() override { GL_EXPECT_OK(store_->Close()); }

  MetricsDestinationOptions Options() {
    MetricsDestinationOptions o;
    o.store = store_.get();
    o.ns = "serverless-analytics-demo";
    o.env = &env_;
    o.retry = RetryPolicy{2, 1, 1};
    return o;
  }

  // Sum and sample count of a metric over the minute around kNow.
  std::pair<double, double> SumCount(const std::string& name) {
    StatisticsRequest r;
    r.id = MetricId{"serverless-analytics-demo", name, {}};
    r.start_ms = (kNowMs / 60'000 - 1) * 60'000;
    r.end_ms = r.start_ms + 180'000;
    r.period_s = 180;
    r.statistics = {ParseStatistic("Sum").value(), ParseStatistic("SampleCount").value()};
    auto points = store_->GetStatistics(r);
    EXPECT_THAT(points, IsOk());
    if (!points.ok() || points->empty()) return {0, 0};
    return {*points->front().values[0], *points->front().values[1]};
  }

  std::vector<std::string> MetricNames() {
    std::vector<std::string> names;
    for (const MetricId& id : store_->ListMetrics({})) {
      EXPECT_EQ(id.ns, "serverless-analytics-demo");
      EXPECT_TRUE(id.dimensions.empty());
      names.push_back(id.name);
    }
    return names;
  }

  ManualClockEnv env_{kNowUs};
  ScratchDir dir_;
  std::unique_ptr<MetricStore> store_;
};

TEST_F(MetricsDestinationTest, PublishesTheLabsSixMetrics) {
  MetricsDestinationOptions o = Options();
  o.metric_map = LabMetricMap();
  MetricsDestination d(o);
  std::vector<FailedRow> failed;
  GL_ASSERT_OK(
      d.Deliver(LabOutput(), {LabRow(1, kNowMs, 17, 11), LabRow(2, kNowMs + 10, 18, 40)}, &failed));
  EXPECT_TRUE(failed.empty());
  EXPECT_THAT(MetricNames(), ::testing::UnorderedElementsAre("playerID", "wins", "losses",
                                                             "timePlayed", "caughtAt", "CaughtBy"));
  EXPECT_EQ(SumCount("playerID"), std::make_pair(35.0, 2.0));
  EXPECT_EQ(SumCount("losses"), std::make_pair(51.0, 2.0));
  EXPECT_EQ(SumCount("timePlayed"), std::make_pair(600.0, 2.0));
}

TEST_F(MetricsDestinationTest, WithoutAMapEveryNumericColumnUnderItsNameAndNullsSkipped) {
  MetricsDestination d(Options());
  StreamSchema schema;
  schema.columns = {{"n", Type(SqlType::Kind::kInteger)},
                    {"label", Type(SqlType::Kind::kVarchar)},
                    {"avg", Type(SqlType::Kind::kDouble)}};
  OutputRow a{1, StreamRow{kNowMs,
                           {SqlValue::Integer(3), SqlValue::String("x"),
                            SqlValue::Null(ValueType::kDouble)}}};
  OutputRow b{
      2, StreamRow{kNowMs, {SqlValue::Integer(4), SqlValue::String("y"), SqlValue::Double(2.5)}}};
  std::vector<FailedRow> failed;
  GL_ASSERT_OK(d.Deliver(schema, {a, b}, &failed));
  EXPECT_TRUE(failed.empty());
  EXPECT_THAT(MetricNames(), ::testing::UnorderedElementsAre("n", "avg"));
  EXPECT_EQ(SumCount("n"), std::make_pair(7.0, 2.0));
  EXPECT_EQ(SumCount("avg"), std::make_pair(2.5, 1.0));  // The NULL gave no datapoint.
}

TEST_F(MetricsDestinationTest, ARowTheStoreWouldRefuseFailsAlone) {
  MetricsDestinationOptions o = Options();
  o.metric_map = LabMetricMap();
  MetricsDestination d(o);
  const int64_t three_weeks_ago = kNowMs - 21LL * 86'400'000;
  std::vector<FailedRow> failed;
  GL_ASSERT_OK(d.Deliver(
      LabOutput(),
      {LabRow(1, kNowMs, 1, 11), LabRow(2, three_weeks_ago, 2, 12), LabRow(3, kNowMs, 4, 13)},
      &failed));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].ordinal, 2u);
  EXPECT_THAT(failed[0].reason, HasSubstr("metrics"));
  EXPECT_EQ(SumCount("playerID"), std::make_pair(5.0, 2.0));
}

TEST_F(MetricsDestinationTest, AMappedColumnTheStreamLacksIsAConfigurationError) {
  MetricsDestinationOptions o = Options();
  o.metric_map = {{"Nope", "nope"}};
  MetricsDestination d(o);
  std::vector<FailedRow> failed;
  EXPECT_THAT(d.Deliver(LabOutput(), {LabRow(1, kNowMs, 1, 11)}, &failed),
              StatusIs(Status::Code::kInvalidArgument, "no column \"Nope\""));
  StreamSchema text;
  text.columns = {{"label", Type(SqlType::Kind::kVarchar)}};
  o.metric_map = {{"label", "l"}};
  MetricsDestination d2(o);
  EXPECT_THAT(d2.Deliver(text, {}, &failed),
              StatusIs(Status::Code::kInvalidArgument, "not numeric"));
}

TEST_F(MetricsDestinationTest, AFailingPutIsRetriedThenItsRowsFail) {
  MetricsDestinationOptions o = Options();
  o.metric_map = LabMetricMap();
  o.retry = RetryPolicy{3, 1, 2};
  MetricsDestination d(o);
  GL_ASSERT_OK(store_->Close());  // Every Put now fails with Unavailable.
  std::vector<FailedRow> failed;
  GL_ASSERT_OK(
      d.Deliver(LabOutput(), {LabRow(7, kNowMs, 1, 11), LabRow(8, kNowMs, 2, 12)}, &failed));
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].ordinal, 7u);
  EXPECT_EQ(failed[1].ordinal, 8u);
  EXPECT_THAT(failed[0].reason, HasSubstr("Unavailable"));
}

TEST_F(MetricsDestinationTest, StopEndsTheRetries) {
  MetricsDestinationOptions o = Options();
  o.retry = RetryPolicy{0, 20, 20};  // Forever, until stopped.
  MetricsDestination d(o);
  GL_ASSERT_OK(store_->Close());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    d.Stop();
  });
  std::vector<FailedRow> failed;
  EXPECT_THAT(d.Deliver(LabOutput(), {LabRow(1, kNowMs, 1, 11)}, &failed),
              StatusIs(Status::Code::kCancelled, "stopped"));
  stopper.join();
  EXPECT_TRUE(failed.empty());
}

// ---- Stream.

class StreamDestinationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WalOptions wo;
    wo.dir = dir_.path() + "/log";
    wo.durability = Durability::kNone;
    RecoveryReport report;
    auto wal = Wal::Open(wo, &report);
    GL_ASSERT_OK(wal);
    wal_ = std::move(wal).value();
    deduper_ = std::make_unique<EventDeduper>(EventDeduperOptions{});
    IngestOptions io;
    io.deduper = deduper_.get();
    ingest_ = std::make_unique<IngestHandler>(wal_.get(), &metrics_, io);
  }
  void TearDown() override {
    if (wal_) {
      GL_EXPECT_OK(wal_->Close());
    }
  }

  StreamDestinationOptions Options() {
    StreamDestinationOptions o;
    o.ingest = ingest_.get();
    o.app = "lab";
    o.in_app_stream = "data_stream";
    o.target = "kda_out";
    o.retry = RetryPolicy{0, 1, 5};
    return o;
  }

  // The records of `stream` in the log.
  std::vector<std::string> Records(const std::string& stream) {
    std::vector<std::string> out;
    auto cursor = wal_->NewCursor(0);
    LogRecord r;
    for (;;) {
      auto more = cursor->Next(&r);
      EXPECT_THAT(more, IsOk());
      if (!more.ok() || !*more) break;
      if (r.stream == stream) out.emplace_back(r.payload);
    }
    return out;
  }

  ScratchDir dir_;
  Metrics metrics_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<EventDeduper> deduper_;
  std::unique_ptr<IngestHandler> ingest_;
};

TEST_F(StreamDestinationTest, RowsBecomeRecordsWithEventIdsAndReplaysAreStoredOnce) {
  StreamDestination d(Options());
  std::vector<FailedRow> failed;
  GL_ASSERT_OK(d.Deliver(LabOutput(), {LabRow(1, 0, 17, 11), LabRow(2, 0, 18, 12)}, &failed));
  EXPECT_THAT(Records("kda_out"),
              ElementsAre(R"({"PlayerID":17,"Wins":2,"Losses":11,"COL_TimePlayed":300,)"
                          R"("CaughtAt":4,"CaughtBy":5,"event_id":"lab/data_stream/1"})",
                          R"({"PlayerID":18,"Wins":2,"Losses":12,"COL_TimePlayed":300,)"
                          R"("CaughtAt":4,"CaughtBy":5,"event_id":"lab/data_stream/2"})"));
  // A replay after a crash: the runner sends 2 again, with 3 new.
  StreamDestination again(Options());
  GL_ASSERT_OK(again.Deliver(LabOutput(), {LabRow(2, 0, 18, 12), LabRow(3, 0, 19, 13)}, &failed));
  EXPECT_TRUE(failed.empty());
  std::vector<std::string> records = Records("kda_out");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[2], HasSubstr("\"event_id\":\"lab/data_stream/3\""));
}

TEST_F(StreamDestinationTest, BatchesAreSplitAndEveryRowStoredInOrder) {
  StreamDestinationOptions o = Options();
  o.max_batch_records = 3;
  StreamDestination d(o);
  std::vector<OutputRow> rows;
  for (uint64_t i = 1; i <= 10; ++i) rows.push_back(LabRow(i, 0, static_cast<int64_t>(i), 20));
  std::vector<FailedRow> failed;
  GL_ASSERT_OK(d.Deliver(LabOutput(), rows, &failed));
  std::vector<std::string> records = Records("kda_out");
  ASSERT_EQ(records.size(), 10u);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_THAT(records[i], HasSubstr("\"lab/data_stream/" + std::to_string(i + 1) + "\""));
  }
}

TEST_F(StreamDestinationTest, AColumnNamedLikeTheEventIdFieldIsRefused) {
  StreamDestination d(Options());
  StreamSchema schema;
  schema.columns = {{"event_id", Type(SqlType::Kind::kInteger)}};
  std::vector<FailedRow> failed;
  EXPECT_THAT(d.Deliver(schema, {}, &failed),
              StatusIs(Status::Code::kInvalidArgument, "event id field"));
}

TEST_F(StreamDestinationTest, AClosedLogIsRetriedUntilOutOfTriesOrStopped) {
  GL_ASSERT_OK(wal_->Close());  // Appends now fail with Unavailable.
  StreamDestinationOptions o = Options();
  o.retry = RetryPolicy{3, 1, 2};
  StreamDestination bounded(o);
  std::vector<FailedRow> failed;
  GL_ASSERT_OK(bounded.Deliver(LabOutput(), {LabRow(5, 0, 1, 11)}, &failed));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].ordinal, 5u);
  EXPECT_THAT(failed[0].reason, HasSubstr("kda_out"));

  o.retry = RetryPolicy{0, 10, 10};
  StreamDestination forever(o);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    forever.Stop();
  });
  failed.clear();
  EXPECT_THAT(forever.Deliver(LabOutput(), {LabRow(6, 0, 1, 11)}, &failed),
              StatusIs(Status::Code::kCancelled, "stopped"));
  stopper.join();
  EXPECT_TRUE(failed.empty());
  wal_.reset();
}

// ---- Webhook.

// The records of a Lambda-output request: recordId -> (retryHint, data).
struct Request {
  std::string invocation_id;
  std::string arn;
  std::vector<std::string> ids;
  std::vector<int64_t> hints;
  std::vector<std::string> data;
};

Request ParseRequest(const std::string& body) {
  Request r;
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body).value();
  r.invocation_id = std::string(root["invocationId"].get_string().value());
  r.arn = std::string(root["applicationArn"].get_string().value());
  simdjson::dom::array records = root["records"].get_array().value();
  for (simdjson::dom::element rec : records) {
    r.ids.emplace_back(rec["recordId"].get_string().value());
    r.hints.push_back(rec["lambdaDeliveryRecordMetadata"]["retryHint"].get_int64().value());
    r.data.emplace_back(rec["data"].get_string().value());
  }
  return r;
}

std::string Answer(const std::vector<std::pair<std::string, std::string>>& results) {
  std::string out = "{\"records\":[";
  for (size_t i = 0; i < results.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"recordId\":\"" + results[i].first + "\",\"result\":\"" + results[i].second + "\"}";
  }
  return out + "]}";
}

WebhookDestinationOptions HookOptions(const WebhookReceiver& r) {
  WebhookDestinationOptions o;
  o.url = r.url("/kda");
  o.app = "lab";
  o.retry = RetryPolicy{5, 1, 4};
  return o;
}

std::string RowJson(const OutputRow& row) {
  std::string json;
  AppendRowJson(LabOutput(), row.row, &json);
  return json;
}

TEST(WebhookDestinationTest, SendsKdasLambdaOutputModel) {
  WebhookReceiver receiver([](const std::string& body, int) {
    Request r = ParseRequest(body);
    std::vector<std::pair<std::string, std::string>> results;
    for (const std::string& id : r.ids) results.emplace_back(id, "Ok");
    return WebhookReceiver::Answer{200, Answer(results)};
  });
  auto d = WebhookDestination::Create(HookOptions(receiver));
  GL_ASSERT_OK(d);
  std::vector<OutputRow> rows = {LabRow(1, 0, 17, 11), LabRow(2, 0, 18, 12)};
  std::vector<FailedRow> failed;
  GL_ASSERT_OK((*d)->Deliver(LabOutput(), rows, &failed));
  EXPECT_TRUE(failed.empty());
  ASSERT_EQ(receiver.bodies().size(), 1u);
  Request r = ParseRequest(receiver.bodies()[0]);
  EXPECT_EQ(r.arn, "arn:aws:kinesisanalytics:local:000000000000:application/lab");
  EXPECT_THAT(r.invocation_id,
              ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                      "[0-9a-f]{12}"));
  ASSERT_EQ(r.ids.size(), 2u);
  EXPECT_NE(r.ids[0], r.ids[1]);
  EXPECT_THAT(r.hints, ElementsAre(0, 0));
  EXPECT_EQ(r.data[0], Base64Encode(RowJson(rows[0])));
  EXPECT_EQ(r.data[1], Base64Encode(RowJson(rows[1])));
}

TEST(WebhookDestinationTest, FailedAndMissingRecordsAreRetriedWithAHigherRetryHint) {
  // First answer: record 0 Ok, record 1 DeliveryFailed, record 2 missing.
  // Then everything Ok.
  WebhookReceiver receiver([](const std::string& body, int index) {
    Request r = ParseRequest(body);
    std::vector<std::pair<std::string, std::string>> results;
    if (index == 0) {
      results = {{r.ids[0], "Ok"}, {r.ids[1], "DeliveryFailed"}, {"someone-else", "Ok"}};
    } else {
      for (const std::string& id : r.ids) results.emplace_back(id, "Ok");
    }
    return WebhookReceiver::Answer{200, Answer(results)};
  });
  auto d = WebhookDestination::Create(HookOptions(receiver));
  GL_ASSERT_OK(d);
  std::vector<OutputRow> rows = {LabRow(1, 0, 1, 11), LabRow(2, 0, 2, 12), LabRow(3, 0, 3, 13)};
  std::vector<FailedRow> failed;
  GL_ASSERT_OK((*d)->Deliver(LabOutput(), rows, &failed));
  EXPECT_TRUE(failed.empty());
  std::vector<std::string> bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  Request first = ParseRequest(bodies[0]), second = ParseRequest(bodies[1]);
  EXPECT_NE(first.invocation_id, second.invocation_id);
  EXPECT_THAT(second.ids, ElementsAre(first.ids[1], first.ids[2]));  // Same record ids.
  EXPECT_THAT(second.hints, ElementsAre(1, 1));
  EXPECT_EQ(second.data[0], Base64Encode(RowJson(rows[1])));
}

TEST(WebhookDestinationTest, GivesUpAfterMaxAttemptsAndReturnsTheRows) {
  WebhookReceiver receiver(std::vector<int>{500});
  WebhookDestinationOptions o = HookOptions(receiver);
  o.retry.max_attempts = 3;
  auto d = WebhookDestination::Create(o);
  GL_ASSERT_OK(d);
  std::vector<FailedRow> failed;
  GL_ASSERT_OK((*d)->Deliver(LabOutput(), {LabRow(4, 0, 1, 11), LabRow(5, 0, 2, 12)}, &failed));
  EXPECT_EQ(receiver.bodies().size(), 3u);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].ordinal, 4u);
  EXPECT_THAT(failed[0].reason, HasSubstr("HTTP 500"));
  EXPECT_THAT(failed[1].reason, HasSubstr("3 attempts"));
  EXPECT_THAT(ParseRequest(receiver.bodies()[2]).hints, ElementsAre(2, 2));
}

TEST(WebhookDestinationTest, AnUnparseableAnswerFailsTheWholeRequest) {
  WebhookReceiver receiver([](const std::string& body, int index) {
    if (index == 0) return WebhookReceiver::Answer{200, "thanks!"};
    Request r = ParseRequest(body);
    std::vector<std::pair<std::string, std::string>> results;
    for (const std::string& id : r.ids) results.emplace_back(id, "Ok");
    return WebhookReceiver::Answer{200, Answer(results)};
  });
  auto d = WebhookDestination::Create(HookOptions(receiver));
  GL_ASSERT_OK(d);
  std::vector<FailedRow> failed;
  GL_ASSERT_OK((*d)->Deliver(LabOutput(), {LabRow(1, 0, 1, 11), LabRow(2, 0, 2, 12)}, &failed));
  EXPECT_TRUE(failed.empty());
  ASSERT_EQ(receiver.bodies().size(), 2u);
  EXPECT_EQ(ParseRequest(receiver.bodies()[1]).ids.size(), 2u);
}

TEST(WebhookDestinationTest, LargeBatchesAreSplitIntoRequests) {
  WebhookReceiver receiver([](const std::string& body, int) {
    Request r = ParseRequest(body);
    std::vector<std::pair<std::string, std::string>> results;
    for (const std::string& id : r.ids) results.emplace_back(id, "Ok");
    return WebhookReceiver::Answer{200, Answer(results)};
  });
  WebhookDestinationOptions o = HookOptions(receiver);
  o.max_records = 4;
  auto d = WebhookDestination::Create(o);
  GL_ASSERT_OK(d);
  std::vector<OutputRow> rows;
  for (uint64_t i = 1; i <= 10; ++i) rows.push_back(LabRow(i, 0, static_cast<int64_t>(i), 11));
  std::vector<FailedRow> failed;
  GL_ASSERT_OK((*d)->Deliver(LabOutput(), rows, &failed));
  std::vector<std::string> bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(ParseRequest(bodies[2]).data[1], Base64Encode(RowJson(rows[9])));
}

TEST(WebhookDestinationTest, StopEndsTheBackOff) {
  WebhookReceiver receiver(std::vector<int>{503});
  WebhookDestinationOptions o = HookOptions(receiver);
  o.retry = RetryPolicy{0, 10'000, 10'000};
  auto d = WebhookDestination::Create(o);
  GL_ASSERT_OK(d);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (*d)->Stop();
  });
  std::vector<FailedRow> failed;
  EXPECT_THAT((*d)->Deliver(LabOutput(), {LabRow(1, 0, 1, 11)}, &failed),
              StatusIs(Status::Code::kCancelled, "stopped"));
  stopper.join();
  EXPECT_TRUE(failed.empty());
}

TEST(WebhookDestinationTest, CreateRefusesBadUrls) {
  WebhookDestinationOptions o;
  o.url = "https://example.com/x";
  EXPECT_THAT(WebhookDestination::Create(o), StatusIs(Status::Code::kInvalidArgument, "webhook"));
}

TEST(MakeDestinationTest, BuildsEachKindOrSaysWhatIsMissing) {
  DestinationContext context;
  context.app = "lab";
  auto spec = ParseDestinationSpec("OUT=metrics:ns");
  GL_ASSERT_OK(spec);
  EXPECT_THAT(MakeDestination(*spec, context),
              StatusIs(Status::Code::kInvalidArgument, "no metrics store"));
  spec = ParseDestinationSpec("OUT=stream:x");
  GL_ASSERT_OK(spec);
  EXPECT_THAT(MakeDestination(*spec, context), StatusIs(Status::Code::kInvalidArgument, "ingest"));
  spec = ParseDestinationSpec("OUT=webhook:http://127.0.0.1:1/x");
  GL_ASSERT_OK(spec);
  GL_EXPECT_OK(MakeDestination(*spec, context));
}

}  // namespace
}  // namespace gamelake
