// The alarm file (alarm_format.md): a round trip of every field, and damaged
// files refused with a Corruption that says what and where.
#include "metrics/alarm_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

MetricAlarm MathAlarm() {
  MetricAlarm a;
  MetricAlarmDefinition& d = a.definition;
  d.name = "error-rate";
  d.description = "errors over requests";
  d.actions_enabled = false;
  d.ok_actions = {"http://127.0.0.1:9/ok"};
  d.alarm_actions = {"http://127.0.0.1:9/a", "http://127.0.0.1:9/b"};
  MetricDataQuery errors;
  errors.id = "e";
  errors.return_data = false;
  errors.metric_stat = MetricStatQuery{MetricId{"game", "errors", {{"map", "forest"}}}, 60, "Sum",
                                       std::string("Count")};
  MetricDataQuery rate;
  rate.id = "rate";
  rate.label = "error rate";
  rate.expression = "e / 60";
  rate.period_s = 60;
  d.metrics = {errors, rate};
  d.evaluation_periods = 5;
  d.datapoints_to_alarm = 3;
  d.threshold = 0.25;
  d.comparison = ComparisonOperator::kGreaterThanOrEqualToThreshold;
  d.treat_missing_data = TreatMissingData::kNotBreaching;
  a.state = AlarmState::kAlarm;
  a.state_reason = "Threshold Crossed";
  a.state_reason_data = R"({"version":"1.0"})";
  a.state_updated_ms = 1'795'176'000'123;
  a.state_transitioned_ms = 1'795'176'000'000;
  a.configuration_updated_ms = 1'795'175'000'000;
  return a;
}

std::vector<AlarmHistoryItem> History() {
  return {{"error-rate", 1'795'176'000'123, AlarmHistoryType::kStateUpdate, "OK to ALARM", "{}"},
          {"error-rate", 1'795'175'000'000, AlarmHistoryType::kConfigurationUpdate, "created", ""}};
}

TEST(AlarmCodecTest, EveryFieldRoundTrips) {
  MetricAlarm single;
  single.definition.name = "latency";
  single.definition.metric = MetricId{"game", "latency", {}};
  single.definition.extended_statistic = "p99";
  single.definition.period_s = 10;
  single.definition.unit = "Milliseconds";
  single.definition.evaluation_periods = 3;
  single.definition.threshold = -1.5e300;
  for (const MetricAlarm& a : {MathAlarm(), single}) {
    std::string file = EncodeAlarmFile(a, History());
    MetricAlarm back;
    std::vector<AlarmHistoryItem> history;
    ASSERT_THAT(DecodeAlarmFile(file, &back, &history), IsOk());
    EXPECT_EQ(EncodeAlarmFile(back, history), file);  // Every field came back.
    EXPECT_EQ(back.definition.name, a.definition.name);
    EXPECT_EQ(back.definition.metrics.size(), a.definition.metrics.size());
    EXPECT_EQ(back.definition.threshold, a.definition.threshold);
    EXPECT_EQ(back.state_reason_data, a.state_reason_data);
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].alarm_name, a.definition.name);
    EXPECT_EQ(history[1].summary, "created");
  }
  MetricAlarm back;
  std::vector<AlarmHistoryItem> history;
  ASSERT_THAT(DecodeAlarmFile(EncodeAlarmFile(MathAlarm(), {}), &back, &history), IsOk());
  EXPECT_EQ(back.definition.metrics[0].metric_stat->metric.dimensions[0].value, "forest");
  EXPECT_EQ(back.definition.metrics[1].expression, "e / 60");
  EXPECT_EQ(back.definition.metrics[1].label, "error rate");
  EXPECT_FALSE(back.definition.metrics[0].return_data);
  EXPECT_FALSE(back.definition.actions_enabled);
}

TEST(AlarmCodecTest, DamagedFilesAreRefused) {
  const std::string file = EncodeAlarmFile(MathAlarm(), History());
  MetricAlarm a;
  std::vector<AlarmHistoryItem> h;
  for (size_t n = 0; n < file.size(); ++n) {
    EXPECT_EQ(DecodeAlarmFile(file.substr(0, n), &a, &h).code(), Status::Code::kCorruption) << n;
  }
  std::string flipped = file;
  flipped[20] ^= 0x40;
  EXPECT_THAT(DecodeAlarmFile(flipped, &a, &h), StatusIs(Status::Code::kCorruption, "CRC"));
}

}  // namespace
}  // namespace gamelake
