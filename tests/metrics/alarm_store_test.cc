// Alarms: CloudWatch's validation rules, the evaluation rules (M of N, each
// TreatMissingData mode, percentiles, metric math) on a manual clock, history
// and persistence across reopen.
#include "metrics/alarm_store.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/eventually.h"
#include "../common/manual_clock_env.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "metrics/alarm_evaluation.h"
#include "metrics/webhook_sender.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2026-11-20T12:00:00Z: a minute boundary.
constexpr int64_t kNowS = 1'795'176'000;

MetricAlarmDefinition HighLatency() {
  MetricAlarmDefinition d;
  d.name = "high latency";
  d.metric = MetricId{"game", "latency", {}};
  d.statistic = "Maximum";
  d.period_s = 10;
  d.evaluation_periods = 3;
  d.datapoints_to_alarm = 2;
  d.threshold = 4;
  d.comparison = ComparisonOperator::kGreaterThanThreshold;
  d.alarm_actions = {"http://127.0.0.1:9/alarm"};
  d.ok_actions = {"http://127.0.0.1:9/ok"};
  return d;
}

struct BadCase {
  std::string what;
  std::function<void(MetricAlarmDefinition*)> change;
  std::string error;
};

TEST(AlarmValidationTest, RefusesWhatCloudWatchRefusesWithItsCodes) {
  const std::vector<BadCase> cases = {
      {"no name", [](auto* d) { d->name.clear(); }, "MissingParameter: The parameter AlarmName"},
      {"https action", [](auto* d) { d->alarm_actions = {"https://example.com/x"}; },
       "InvalidParameterValue: AlarmActions.member.1"},
      {"sns action", [](auto* d) { d->ok_actions = {"arn:aws:sns:us-east-1:1:t"}; },
       "InvalidParameterValue: OKActions.member.1"},
      {"six actions", [](auto* d) { d->alarm_actions.assign(6, "http://a/"); }, "LimitExceeded"},
      {"both statistics", [](auto* d) { d->extended_statistic = "p99"; },
       "InvalidParameterCombination"},
      {"no statistic", [](auto* d) { d->statistic.clear(); },
       "MissingParameter: The parameter Statistic"},
      {"bad statistic", [](auto* d) { d->statistic = "Median"; },
       "InvalidParameterValue: Statistic"},
      {"bad percentile",
       [](auto* d) {
         d->statistic.clear();
         d->extended_statistic = "p200";
       },
       "InvalidParameterValue: ExtendedStatistic"},
      {"period 45", [](auto* d) { d->period_s = 45; }, "InvalidParameterValue: Period 45"},
      {"no period", [](auto* d) { d->period_s = 0; }, "MissingParameter"},
      {"over a day",
       [](auto* d) {
         d->period_s = 60;
         d->evaluation_periods = 1441;
       },
       "InvalidParameterCombination: Period * EvaluationPeriods"},
      {"M over N", [](auto* d) { d->datapoints_to_alarm = 4; },
       "InvalidParameterValue: DatapointsToAlarm"},
      {"N zero", [](auto* d) { d->evaluation_periods = 0; },
       "InvalidParameterValue: EvaluationPeriods"},
      {"metric and metrics",
       [](auto* d) {
         MetricDataQuery q;
         q.id = "e1";
         q.expression = "1";
         q.period_s = 60;
         d->metrics = {q};
       },
       "InvalidParameterCombination"},
      {"two returned",
       [](auto* d) {
         *d = HighLatency();
         d->metric.reset();
         d->statistic.clear();
         d->period_s = 0;
         MetricDataQuery q;
         q.id = "a";
         q.expression = "1";
         q.period_s = 60;
         MetricDataQuery r = q;
         r.id = "b";
         d->metrics = {q, r};
       },
       "exactly one query must have ReturnData true"},
      {"no metric", [](auto* d) { d->metric.reset(); }, "MissingParameter"},
      {"nan threshold", [](auto* d) { d->threshold = NAN; }, "InvalidParameterValue: Threshold"},
  };
  for (const BadCase& c : cases) {
    MetricAlarmDefinition d = HighLatency();
    c.change(&d);
    EXPECT_THAT(ValidateAlarmDefinition(&d), StatusIs(Status::Code::kInvalidArgument, c.error))
        << c.what;
  }
  MetricAlarmDefinition good = HighLatency();
  GL_EXPECT_OK(ValidateAlarmDefinition(&good));
  EXPECT_THAT(ParseComparisonOperator("LessThanLowerOrGreaterThanUpperThreshold").status(),
              StatusIs(Status::Code::kInvalidArgument, "anomaly detection"));
  EXPECT_THAT(ParseTreatMissingData("sometimes").status(),
              StatusIs(Status::Code::kInvalidArgument, "TreatMissingData"));
}

// EvaluateAlarm's table: N = 3, M = 2, threshold 4, data in the last periods.
std::optional<AlarmState> Evaluate(TreatMissingData treat, std::vector<double> values) {
  MetricAlarmDefinition d = HighLatency();
  d.treat_missing_data = treat;
  int64_t end_ms = kNowS * 1000;
  std::vector<AlarmDatapoint> points;
  for (size_t i = 0; i < values.size(); ++i) {
    points.push_back({end_ms - static_cast<int64_t>(i + 1) * 10'000, values[i]});
  }
  return EvaluateAlarm(d, AlarmState::kOk, points, end_ms, end_ms).state;
}

TEST(AlarmEvaluationTest, EachTreatMissingDataModeFollowsCloudWatch) {
  using T = TreatMissingData;
  constexpr auto kAlarm = AlarmState::kAlarm;
  constexpr auto kOk = AlarmState::kOk;
  // All missing.
  EXPECT_EQ(Evaluate(T::kMissing, {}), AlarmState::kInsufficientData);
  EXPECT_EQ(Evaluate(T::kIgnore, {}), std::nullopt);  // The state is kept.
  EXPECT_EQ(Evaluate(T::kBreaching, {}), kAlarm);
  EXPECT_EQ(Evaluate(T::kNotBreaching, {}), kOk);
  // One breaching datapoint of three periods.
  EXPECT_EQ(Evaluate(T::kMissing, {9}), kOk);
  EXPECT_EQ(Evaluate(T::kIgnore, {9}), kOk);
  EXPECT_EQ(Evaluate(T::kBreaching, {9}), kAlarm);  // Two missing count as breaching.
  EXPECT_EQ(Evaluate(T::kNotBreaching, {9}), kOk);
  // One good datapoint: breaching fills two, which is M.
  EXPECT_EQ(Evaluate(T::kBreaching, {1}), kAlarm);
  EXPECT_EQ(Evaluate(T::kMissing, {1}), kOk);
  // Two breaching: ALARM whatever the mode.
  for (T t : {T::kMissing, T::kIgnore, T::kBreaching, T::kNotBreaching}) {
    EXPECT_EQ(Evaluate(t, {9, 9}), kAlarm);
  }
  // N real datapoints: the mode plays no part; the newest N decide.
  EXPECT_EQ(Evaluate(T::kBreaching, {1, 9, 1, 9, 9}), kOk);
  EXPECT_EQ(Evaluate(T::kNotBreaching, {9, 1, 9, 1, 1}), kAlarm);
}

// Datapoints with gaps: {periods before the end (1 = the newest period), value}.
std::optional<AlarmState> EvaluateAt(TreatMissingData treat,
                                     std::vector<std::pair<int, double>> at) {
  MetricAlarmDefinition d = HighLatency();
  d.treat_missing_data = treat;
  int64_t end_ms = kNowS * 1000;
  std::vector<AlarmDatapoint> points;
  for (auto [ago, v] : at) points.push_back({end_ms - ago * 10'000, v});
  return EvaluateAlarm(d, AlarmState::kOk, points, end_ms, end_ms).state;
}

TEST(AlarmEvaluationTest, FillingModesLookAtExactlyTheLastNPeriods) {
  using T = TreatMissingData;
  // Breaching data 4 and 5 periods ago, a good one in the newest period: the
  // last 3 periods are {1, missing, missing}.
  std::vector<std::pair<int, double>> at = {{1, 1}, {4, 9}, {5, 9}};
  EXPECT_EQ(EvaluateAt(T::kNotBreaching, at), AlarmState::kOk);  // Old breaches don't count.
  EXPECT_EQ(EvaluateAt(T::kBreaching, at), AlarmState::kAlarm);  // Two missing breach.
  // missing / ignore look back for the 3 newest real ones: 1, 9, 9.
  EXPECT_EQ(EvaluateAt(T::kMissing, at), AlarmState::kAlarm);
  EXPECT_EQ(EvaluateAt(T::kIgnore, at), AlarmState::kAlarm);
  // Beyond the 2 x N evaluation range nothing counts.
  EXPECT_EQ(EvaluateAt(T::kMissing, {{7, 9}, {8, 9}}), AlarmState::kInsufficientData);
}

class AlarmStoreTest : public ::testing::Test {
 protected:
  AlarmStoreTest() : env_(kNowS * 1'000'000) {
    MetricStoreOptions m;
    m.dir = dir_.path() + "/metrics";
    m.env = &env_;
    m.maintain_interval_s = 0;
    metrics_ = MetricStore::Open(m).value();
  }

  std::unique_ptr<AlarmStore> OpenAlarms(size_t max_alarms = 10) {
    AlarmStoreOptions o;
    o.dir = dir_.path() + "/metrics/alarms";
    o.env = &env_;
    o.metrics = metrics_.get();
    o.max_alarms = max_alarms;
    o.evaluation_delay_s = 0;
    o.run_evaluator = false;
    o.notify = [this](WebhookNotification n) {
      sent_.push_back(std::move(n));
      return true;
    };
    auto a = AlarmStore::Open(std::move(o));
    EXPECT_THAT(a.status(), IsOk());
    return a.ok() ? std::move(a).value() : nullptr;
  }

  void Put(std::string name, int64_t ts_s, std::vector<double> values) {
    std::vector<MetricDatum> data;
    for (double v : values) {
      MetricDatum d;
      d.id = MetricId{"game", name, {}};
      d.timestamp_ms = ts_s * 1000;
      d.storage_resolution_s = 1;
      d.value = v;
      data.push_back(std::move(d));
    }
    GL_ASSERT_OK(metrics_->Put(std::move(data)));
  }

  void At(int64_t s) { env_.SetNowMicros((kNowS + s) * 1'000'000); }

  std::vector<std::string> SentStates() const {
    std::vector<std::string> out;
    for (const WebhookNotification& n : sent_) out.push_back(n.new_state + " " + n.url);
    return out;
  }

  ScratchDir dir_;
  ManualClockEnv env_;
  std::unique_ptr<MetricStore> metrics_;
  std::vector<WebhookNotification> sent_;
};

TEST_F(AlarmStoreTest, MOfNCrossingAlarmsOnceThenBackToOk) {
  auto alarms = OpenAlarms();
  GL_ASSERT_OK(alarms->Put(HighLatency()));
  EXPECT_EQ(alarms->Get("high latency")->state, AlarmState::kInsufficientData);
  At(0);
  Put("latency", kNowS + 1, {5});
  At(11);
  Put("latency", kNowS + 11, {6});
  At(20);
  alarms->EvaluateDue();
  MetricAlarm a = alarms->Get("high latency").value();
  EXPECT_EQ(a.state, AlarmState::kAlarm);
  EXPECT_THAT(
      a.state_reason,
      HasSubstr("Threshold Crossed: 2 out of the last 2 datapoints [6.0 (20/11/26 "
                "12:00:10), 5.0 (20/11/26 12:00:00)] were greater than the threshold (4.0)"));
  EXPECT_THAT(a.state_reason_data, HasSubstr("\"recentDatapoints\":[6,5]"));
  EXPECT_EQ(a.state_transitioned_ms, (kNowS + 20) * 1000);
  // Again at once, and a period later with no new data: no second notification.
  alarms->EvaluateDue();
  At(30);
  alarms->EvaluateDue();
  EXPECT_THAT(SentStates(), ElementsAre("ALARM http://127.0.0.1:9/alarm"));
  EXPECT_THAT(sent_[0].body, HasSubstr("\"OldStateValue\":\"INSUFFICIENT_DATA\""));
  EXPECT_THAT(sent_[0].body, HasSubstr("\"Trigger\":{\"MetricName\":\"latency\""));
  EXPECT_THAT(sent_[0].body, HasSubstr("\"DatapointsToAlarm\":2"));
  // Two good periods: 1 of the newest 3 breaches.
  Put("latency", kNowS + 31, {1});
  At(41);
  Put("latency", kNowS + 41, {2});
  At(50);
  alarms->EvaluateDue();
  EXPECT_EQ(alarms->Get("high latency")->state, AlarmState::kOk);
  EXPECT_THAT(SentStates(),
              ElementsAre("ALARM http://127.0.0.1:9/alarm", "OK http://127.0.0.1:9/ok"));
  EXPECT_THAT(alarms->Get("high latency")->state_reason,
              HasSubstr("2 out of the last 3 datapoints [2.0 (20/11/26 12:00:40), 1.0 (20/11/26 "
                        "12:00:30)] were not greater than the threshold (4.0)"));
  // History: newest first.
  std::vector<AlarmHistoryItem> h = alarms->History({});
  std::vector<std::string> summaries;
  for (const auto& item : h) summaries.push_back(item.summary);
  EXPECT_THAT(summaries, ElementsAre("Alarm updated from ALARM to OK",
                                     "Alarm updated from INSUFFICIENT_DATA to ALARM",
                                     "Alarm \"high latency\" created"));
  EXPECT_EQ(h[0].type, AlarmHistoryType::kStateUpdate);
  EXPECT_THAT(h[0].data, HasSubstr("\"oldState\":{\"stateValue\":\"ALARM\""));
  AlarmHistoryQuery only_config;
  only_config.type = AlarmHistoryType::kConfigurationUpdate;
  EXPECT_EQ(alarms->History(only_config).size(), 1u);
  AlarmHistoryQuery window;
  window.start_ms = (kNowS + 20) * 1000;
  window.end_ms = (kNowS + 21) * 1000;
  ASSERT_EQ(alarms->History(window).size(), 1u);
  EXPECT_EQ(alarms->History(window)[0].summary, "Alarm updated from INSUFFICIENT_DATA to ALARM");
}

TEST_F(AlarmStoreTest, NoDataStaysInsufficientAndDataThatStopsReturnsThere) {
  auto alarms = OpenAlarms();
  GL_ASSERT_OK(alarms->Put(HighLatency()));
  At(100);
  alarms->EvaluateDue();
  EXPECT_EQ(alarms->Get("high latency")->state, AlarmState::kInsufficientData);
  EXPECT_TRUE(sent_.empty());
  Put("latency", kNowS + 101, {1});
  At(110);
  alarms->EvaluateDue();
  EXPECT_EQ(alarms->Get("high latency")->state, AlarmState::kOk);
  // The evaluation range is 2N periods: past it, nothing is left.
  At(160);
  alarms->EvaluateDue();
  EXPECT_EQ(alarms->Get("high latency")->state, AlarmState::kOk);
  At(170);
  alarms->EvaluateDue();
  MetricAlarm a = alarms->Get("high latency").value();
  EXPECT_EQ(a.state, AlarmState::kInsufficientData);
  EXPECT_EQ(a.state_reason, "Insufficient Data: 3 datapoints were unknown.");
}

TEST_F(AlarmStoreTest, BreachingMissingDataAlarmsWithoutData) {
  auto alarms = OpenAlarms();
  MetricAlarmDefinition d = HighLatency();
  d.treat_missing_data = TreatMissingData::kBreaching;
  GL_ASSERT_OK(alarms->Put(d));
  At(30);
  alarms->EvaluateDue();
  MetricAlarm a = alarms->Get("high latency").value();
  EXPECT_EQ(a.state, AlarmState::kAlarm);
  EXPECT_THAT(a.state_reason, HasSubstr("no datapoints were received for 3 periods"));
}

TEST_F(AlarmStoreTest, PercentileAlarm) {
  auto alarms = OpenAlarms();
  MetricAlarmDefinition d = HighLatency();
  d.statistic.clear();
  d.extended_statistic = "p90";
  d.evaluation_periods = 1;
  d.datapoints_to_alarm = 0;
  d.threshold = 8.5;
  GL_ASSERT_OK(alarms->Put(d));
  At(1);
  Put("latency", kNowS + 1, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  At(10);
  alarms->EvaluateDue();
  EXPECT_EQ(alarms->Get("high latency")->state, AlarmState::kAlarm);
  EXPECT_THAT(sent_.at(0).body, HasSubstr("\"ExtendedStatistic\":\"p90\""));
}

TEST_F(AlarmStoreTest, MetricMathAlarm) {
  auto alarms = OpenAlarms();
  MetricAlarmDefinition d = HighLatency();
  d.name = "error rate";
  d.metric.reset();
  d.statistic.clear();
  d.period_s = 0;
  d.evaluation_periods = 1;
  d.datapoints_to_alarm = 0;
  d.threshold = 50;
  auto stat = [](std::string id, std::string name) {
    MetricDataQuery q;
    q.id = std::move(id);
    q.metric_stat = MetricStatQuery{MetricId{"game", std::move(name), {}}, 10, "Sum", {}};
    q.return_data = false;
    return q;
  };
  MetricDataQuery rate;
  rate.id = "rate";
  rate.expression = "100 * errors / requests";
  d.metrics = {stat("errors", "errors"), stat("requests", "requests"), rate};
  GL_ASSERT_OK(alarms->Put(d));
  At(1);
  Put("errors", kNowS + 1, {6});
  Put("requests", kNowS + 1, {10});
  At(10);
  alarms->EvaluateDue();
  MetricAlarm a = alarms->Get("error rate").value();
  EXPECT_EQ(a.state, AlarmState::kAlarm) << a.state_reason;
  EXPECT_THAT(a.state_reason, HasSubstr("[60.0 (20/11/26 12:00:00)]"));
  EXPECT_THAT(sent_.at(0).body, HasSubstr("\"Expression\":\"100 * errors / requests\""));
}

TEST_F(AlarmStoreTest, SetStateActionsEnabledLimitAndDelete) {
  auto alarms = OpenAlarms(/*max_alarms=*/2);
  GL_ASSERT_OK(alarms->Put(HighLatency()));
  MetricAlarmDefinition second = HighLatency();
  second.name = "second";
  GL_ASSERT_OK(alarms->Put(second));
  MetricAlarmDefinition third = HighLatency();
  third.name = "third";
  EXPECT_THAT(alarms->Put(third), StatusIs(Status::Code::kInvalidArgument, "LimitExceeded"));
  GL_ASSERT_OK(alarms->Put(second));  // Replacing one is not a new alarm.
  GL_ASSERT_OK(alarms->SetState("second", AlarmState::kAlarm, "testing", ""));
  GL_ASSERT_OK(alarms->SetActionsEnabled({"second", "nope"}, false));
  GL_ASSERT_OK(alarms->SetState("second", AlarmState::kOk, "testing again", ""));
  EXPECT_THAT(SentStates(), ElementsAre("ALARM http://127.0.0.1:9/alarm"));
  EXPECT_THAT(alarms->SetState("nope", AlarmState::kOk, "x", ""),
              StatusIs(Status::Code::kNotFound, "ResourceNotFound"));
  EXPECT_THAT(alarms->Delete({"second", "nope"}),
              StatusIs(Status::Code::kNotFound, "ResourceNotFound: Alarm nope"));
  EXPECT_EQ(alarms->List().size(), 2u);  // All or nothing.
  GL_ASSERT_OK(alarms->Delete({"second"}));
  ASSERT_EQ(alarms->List().size(), 1u);
  EXPECT_EQ(alarms->List()[0].definition.name, "high latency");
}

TEST_F(AlarmStoreTest, DefinitionStateAndHistorySurviveReopen) {
  {
    auto alarms = OpenAlarms();
    GL_ASSERT_OK(alarms->Put(HighLatency()));
    GL_ASSERT_OK(alarms->SetState("high latency", AlarmState::kAlarm, "by hand", "{\"a\":1}"));
    ASSERT_EQ(sent_.size(), 1u);
    alarms->RecordAction(sent_[0], WebhookOutcome{false, 5, 503, "HTTP 503"});
  }
  auto alarms = OpenAlarms();
  MetricAlarm a = alarms->Get("high latency").value();
  EXPECT_EQ(a.state, AlarmState::kAlarm);
  EXPECT_EQ(a.state_reason, "by hand");
  EXPECT_EQ(a.state_reason_data, "{\"a\":1}");
  EXPECT_EQ(a.definition.alarm_actions, HighLatency().alarm_actions);
  EXPECT_EQ(a.definition.datapoints_to_alarm, 2);
  std::vector<AlarmHistoryItem> h = alarms->History({});
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].type, AlarmHistoryType::kAction);
  EXPECT_THAT(h[0].summary, HasSubstr("Failed to execute action http://127.0.0.1:9/alarm"));
  EXPECT_THAT(h[0].data, HasSubstr("\"attempts\":5"));
  EXPECT_EQ(h[1].type, AlarmHistoryType::kStateUpdate);
  EXPECT_EQ(h[2].type, AlarmHistoryType::kConfigurationUpdate);
  // A new alarm after reopening gets its own file.
  MetricAlarmDefinition other = HighLatency();
  other.name = "other";
  GL_ASSERT_OK(alarms->Put(other));
  alarms.reset();
  EXPECT_EQ(OpenAlarms()->List().size(), 2u);
}

// Runs `call` on a thread of its own; true if it returned within `bound`.
// When it did not (a deadlock), the thread is left blocked for good: the
// caller must keep alive (leak) whatever the call uses.
bool ReturnsWithin(std::function<void()> call, std::chrono::milliseconds bound) {
  auto returned = std::make_shared<std::atomic<bool>>(false);
  std::thread t([call = std::move(call), returned] {
    call();
    returned->store(true);
  });
  if (!testing::Eventually([&] { return returned->load(); }, bound,
                           std::chrono::milliseconds(10))) {
    t.detach();
    return false;
  }
  t.join();
  return true;
}

// A notification the webhook sender refuses (its queue is full) is recorded
// at once as a failed action — from an evaluation and from SetState. Send
// used to run with write_mu_ held, and RecordAction takes write_mu_ again: the
// call never returned.
TEST_F(AlarmStoreTest, RefusedNotificationIsRecordedAsFailedAction) {
  WebhookSenderOptions wo;
  wo.env = &env_;
  wo.max_queue = 0;  // Always full: every Enqueue is refused.
  WebhookSender sender(wo, [](const WebhookNotification&, const WebhookOutcome&) {});
  AlarmStoreOptions o;
  o.dir = dir_.path() + "/metrics/alarms";
  o.env = &env_;
  o.metrics = metrics_.get();
  o.evaluation_delay_s = 0;
  o.run_evaluator = false;
  o.notify = [&sender](WebhookNotification n) { return sender.Enqueue(std::move(n)); };
  auto opened = AlarmStore::Open(std::move(o));
  GL_ASSERT_OK(opened.status());
  std::unique_ptr<AlarmStore> alarms = std::move(opened).value();
  GL_ASSERT_OK(alarms->Put(HighLatency()));
  At(0);
  Put("latency", kNowS + 1, {5});
  At(11);
  Put("latency", kNowS + 11, {6});
  At(20);
  constexpr auto kBound = std::chrono::seconds(20);
  if (!ReturnsWithin([&] { alarms->EvaluateDue(); }, kBound)) {
    (void)alarms.release();  // Its blocked evaluation still uses it.
    FAIL() << "EvaluateDue did not return: a refused notification deadlocked it";
  }
  ASSERT_EQ(alarms->Get("high latency")->state, AlarmState::kAlarm);
  At(21);
  Status set_state;
  if (!ReturnsWithin(
          [&] { set_state = alarms->SetState("high latency", AlarmState::kOk, "by hand", ""); },
          kBound)) {
    (void)alarms.release();
    FAIL() << "SetState did not return: a refused notification deadlocked it";
  }
  GL_EXPECT_OK(set_state);

  std::vector<AlarmHistoryItem> h = alarms->History({});
  std::vector<AlarmHistoryType> types;
  for (const AlarmHistoryItem& item : h) types.push_back(item.type);
  EXPECT_THAT(types, ElementsAre(AlarmHistoryType::kAction, AlarmHistoryType::kStateUpdate,
                                 AlarmHistoryType::kAction, AlarmHistoryType::kStateUpdate,
                                 AlarmHistoryType::kConfigurationUpdate));
  ASSERT_EQ(h.size(), 5u);
  EXPECT_THAT(h[0].summary, HasSubstr("Failed to execute action http://127.0.0.1:9/ok. Received "
                                      "error: \"the webhook queue is full\""));
  EXPECT_THAT(h[0].data, HasSubstr("\"actionState\":\"Failed\""));
  EXPECT_THAT(h[0].data, HasSubstr("\"newState\":\"OK\""));
  EXPECT_THAT(h[2].summary, HasSubstr("Failed to execute action http://127.0.0.1:9/alarm"));
  EXPECT_THAT(h[2].data, HasSubstr("\"newState\":\"ALARM\""));
  EXPECT_EQ(sender.pending(), 0u);
}

}  // namespace
}  // namespace gamelake
