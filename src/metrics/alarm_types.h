// The vocabulary of CloudWatch metric alarms (PutMetricAlarm's shape): a
// definition, its state, and history items — with CloudWatch's validation
// rules checked once here for every API (the CloudWatch protocols and the
// native /v1/alarms routes). See docs/metrics.md, "Alarms".
//
// An alarm watches either one metric (MetricName + Namespace + Dimensions +
// Statistic or ExtendedStatistic + Period) or a list of MetricDataQuery with
// metric math of which exactly one has ReturnData true. Actions are webhook
// URLs (http://host:port/path); https URLs and ARNs are refused.
//
// Thread-safety: plain values and pure functions.
#ifndef GAMELAKE_METRICS_ALARM_TYPES_H_
#define GAMELAKE_METRICS_ALARM_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "metrics/cloudwatch_service.h"
#include "metrics/metric_types.h"

namespace gamelake {

inline constexpr size_t kMaxAlarmNameBytes = 255;
inline constexpr size_t kMaxAlarmDescriptionBytes = 1024;
inline constexpr size_t kMaxActionsPerState = 5;
inline constexpr size_t kMaxAlarmMetrics = 10;       // Metrics (MetricDataQuery) per alarm.
inline constexpr int64_t kMaxAlarmWindowS = 86'400;  // Period * EvaluationPeriods.
inline constexpr size_t kDefaultMaxAlarms = 1'000;   // metrics.max_alarms.

enum class AlarmState { kOk, kAlarm, kInsufficientData };
enum class ComparisonOperator {
  kGreaterThanOrEqualToThreshold,
  kGreaterThanThreshold,
  kLessThanThreshold,
  kLessThanOrEqualToThreshold,
};
enum class TreatMissingData { kMissing, kBreaching, kNotBreaching, kIgnore };
enum class AlarmHistoryType { kConfigurationUpdate, kStateUpdate, kAction };

// CloudWatch's spellings: "OK", "ALARM", "INSUFFICIENT_DATA"; ...
std::string_view AlarmStateName(AlarmState state);
std::string_view ComparisonOperatorName(ComparisonOperator op);
std::string_view TreatMissingDataName(TreatMissingData t);
std::string_view AlarmHistoryTypeName(AlarmHistoryType t);
// InvalidArgument "InvalidParameterValue: ..." naming `member` for anything else.
Result<AlarmState> ParseAlarmState(std::string_view text, std::string_view member);
Result<ComparisonOperator> ParseComparisonOperator(std::string_view text);
Result<TreatMissingData> ParseTreatMissingData(std::string_view text);
Result<AlarmHistoryType> ParseAlarmHistoryType(std::string_view text);

// True when `value` breaches `threshold` under `op`.
bool Breaches(ComparisonOperator op, double value, double threshold);

struct MetricAlarmDefinition {
  std::string name;
  std::string description;
  bool actions_enabled = true;
  std::vector<std::string> ok_actions;
  std::vector<std::string> alarm_actions;
  std::vector<std::string> insufficient_data_actions;
  // One metric...
  std::optional<MetricId> metric;
  std::string statistic;           // "Average"...; or empty with extended_statistic.
  std::string extended_statistic;  // "p99"...
  int64_t period_s = 0;
  std::optional<std::string> unit;
  // ...or metric math (exactly one ReturnData true).
  std::vector<MetricDataQuery> metrics;
  int evaluation_periods = 0;   // N.
  int datapoints_to_alarm = 0;  // M; 0 when not given (then N).
  double threshold = 0;
  ComparisonOperator comparison = ComparisonOperator::kGreaterThanThreshold;
  TreatMissingData treat_missing_data = TreatMissingData::kMissing;
};

// The period alarms are evaluated at: Period, or the returned query's period.
int64_t AlarmPeriodSeconds(const MetricAlarmDefinition& d);
// M: DatapointsToAlarm, or N when it was not given.
int AlarmDatapointsToAlarm(const MetricAlarmDefinition& d);

// Checks a definition against CloudWatch's rules and normalizes it (metric id,
// default statistic fields). Errors are InvalidArgument "<code>: ..." with
// InvalidParameterValue, MissingParameter or InvalidParameterCombination.
[[nodiscard]] Status ValidateAlarmDefinition(MetricAlarmDefinition* d);
// An action URL: http://host[:port]/path; InvalidParameterValue otherwise.
[[nodiscard]] Status ValidateAlarmAction(std::string_view url);

// One DescribeAlarmHistory item. `data` is HistoryData (JSON text).
struct AlarmHistoryItem {
  std::string alarm_name;
  int64_t timestamp_ms = 0;
  AlarmHistoryType type = AlarmHistoryType::kStateUpdate;
  std::string summary;
  std::string data;
};

// An alarm: its definition and where it stands.
struct MetricAlarm {
  MetricAlarmDefinition definition;
  AlarmState state = AlarmState::kInsufficientData;
  std::string state_reason = "Unchecked: Initial alarm creation";
  std::string state_reason_data;  // JSON text, or empty.
  int64_t state_updated_ms = 0;
  int64_t state_transitioned_ms = 0;
  int64_t configuration_updated_ms = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_ALARM_TYPES_H_
