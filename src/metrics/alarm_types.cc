#include "metrics/alarm_types.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "metrics/http_client.h"
#include "metrics/metric_math.h"

namespace gamelake {
namespace {

Status Error(std::string_view code, std::string_view message) {
  return Status::InvalidArgument(fmt::format("{}: {}", code, message));
}

constexpr std::string_view kStates[] = {"OK", "ALARM", "INSUFFICIENT_DATA"};
constexpr std::string_view kOperators[] = {"GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
                                           "LessThanThreshold", "LessThanOrEqualToThreshold"};
constexpr std::string_view kTreatments[] = {"missing", "breaching", "notBreaching", "ignore"};
constexpr std::string_view kHistoryTypes[] = {"ConfigurationUpdate", "StateUpdate", "Action"};
constexpr std::string_view kStatistics[] = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};

template <typename E, size_t N>
Result<E> ParseName(std::string_view text, const std::string_view (&names)[N],
                    std::string_view member) {
  std::string all;
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
    all += fmt::format("{}{}", i == 0 ? "" : ", ", names[i]);
  }
  return Error("InvalidParameterValue",
               fmt::format("{} '{}' must be one of {}", member, text.substr(0, 100), all));
}

// Periods an alarm may use: 10, 20, 30 or a multiple of 60 seconds.
Status CheckAlarmPeriod(int64_t period_s, std::string_view member) {
  if (period_s == 10 || period_s == 20 || period_s == 30 || (period_s > 0 && period_s % 60 == 0)) {
    return Status::OK();
  }
  if (period_s == 0) {
    return Error("MissingParameter", fmt::format("The parameter {} is required.", member));
  }
  return Error(
      "InvalidParameterValue",
      fmt::format("{} {} must be 10, 20, 30 or a multiple of 60 seconds", member, period_s));
}

Status CheckActions(std::vector<std::string>* actions, std::string_view member) {
  if (actions->size() > kMaxActionsPerState) {
    return Error("LimitExceeded", fmt::format("{}: at most {} actions (got {})", member,
                                              kMaxActionsPerState, actions->size()));
  }
  for (size_t i = 0; i < actions->size(); ++i) {
    Status s = ValidateAlarmAction((*actions)[i]);
    if (!s.ok()) {
      return Error("InvalidParameterValue",
                   fmt::format("{}.member.{}: {}", member, i + 1,
                               s.message().substr(s.message().find(": ") + 2)));
    }
  }
  std::sort(actions->begin(), actions->end());
  actions->erase(std::unique(actions->begin(), actions->end()), actions->end());
  return Status::OK();
}

Status CheckSingleMetric(MetricAlarmDefinition* d) {
  GL_RETURN_IF_ERROR(NormalizeMetricId(&*d->metric, ""));
  if (!d->statistic.empty() && !d->extended_statistic.empty()) {
    return Error("InvalidParameterCombination", "give Statistic or ExtendedStatistic, not both");
  }
  if (d->statistic.empty() && d->extended_statistic.empty()) {
    return Error("MissingParameter", "The parameter Statistic or ExtendedStatistic is required.");
  }
  if (!d->statistic.empty()) {
    GL_RETURN_IF_ERROR(ParseName<int>(d->statistic, kStatistics, "Statistic").status());
  } else {
    auto st = ParseStatistic(d->extended_statistic);
    if (!st.ok() ||
        (st->kind != Statistic::Kind::kPercentile && st->kind != Statistic::Kind::kTrimmedMean)) {
      return Error("InvalidParameterValue",
                   fmt::format("ExtendedStatistic '{}' must be a percentile (p0.0 to p100) or "
                               "a trimmed mean (tmNN)",
                               d->extended_statistic));
    }
  }
  if (d->unit && !IsKnownUnit(*d->unit)) {
    return Error("InvalidParameterValue",
                 fmt::format("Unit '{}' is not a CloudWatch unit", *d->unit));
  }
  return CheckAlarmPeriod(d->period_s, "Period");
}

Status CheckQuery(MetricDataQuery* q, const std::set<std::string>& ids, std::string_view where) {
  if (q->metric_stat.has_value() == q->expression.has_value()) {
    return Error("InvalidParameterCombination",
                 fmt::format("{}: give exactly one of MetricStat and Expression", where));
  }
  if (q->metric_stat) {
    GL_RETURN_IF_ERROR(NormalizeMetricId(&q->metric_stat->metric, where));
    if (!ParseStatistic(q->metric_stat->stat).ok()) {
      return Error("InvalidParameterValue",
                   fmt::format("{}: Stat '{}' is not a statistic", where, q->metric_stat->stat));
    }
    return CheckAlarmPeriod(q->metric_stat->period_s, fmt::format("{}.MetricStat.Period", where));
  }
  if (q->period_s)
    GL_RETURN_IF_ERROR(CheckAlarmPeriod(*q->period_s, fmt::format("{}.Period", where)));
  bool uses_metrics = false;
  auto refs = ExpressionReferences(*q->expression, &uses_metrics);
  if (!refs.ok()) {
    return Error("InvalidParameterValue", fmt::format("{}: {}", where, refs.status().message()));
  }
  for (const std::string& r : *refs) {
    if (!ids.contains(r)) {
      return Error("InvalidParameterValue", fmt::format("{}: unknown id '{}'", where, r));
    }
  }
  return Status::OK();
}

Status CheckMetrics(MetricAlarmDefinition* d) {
  if (d->metric || !d->statistic.empty() || !d->extended_statistic.empty() || d->period_s != 0 ||
      d->unit) {
    return Error("InvalidParameterCombination",
                 "give either MetricName, Namespace, Statistic, Period... or Metrics, not both");
  }
  if (d->metrics.size() > kMaxAlarmMetrics) {
    return Error("InvalidParameterValue", fmt::format("Metrics: at most {} queries (got {})",
                                                      kMaxAlarmMetrics, d->metrics.size()));
  }
  std::set<std::string> ids;
  int returned = 0;
  for (const MetricDataQuery& q : d->metrics) {
    if (!ids.insert(q.id).second) {
      return Error("InvalidParameterValue", fmt::format("Metrics: Id '{}' is used twice", q.id));
    }
    returned += q.return_data ? 1 : 0;
  }
  if (returned != 1) {
    return Error(
        "InvalidParameterValue",
        fmt::format("Metrics: exactly one query must have ReturnData true (got {})", returned));
  }
  for (size_t i = 0; i < d->metrics.size(); ++i) {
    MetricDataQuery& q = d->metrics[i];
    std::string where = fmt::format("Metrics.member.{}", i + 1);
    if (q.id.empty() || q.id[0] < 'a' || q.id[0] > 'z') {
      return Error("InvalidParameterValue",
                   fmt::format("{}: Id '{}' must start with a lowercase letter", where, q.id));
    }
    GL_RETURN_IF_ERROR(CheckQuery(&q, ids, where));
  }
  if (AlarmPeriodSeconds(*d) == 0) {
    return Error("MissingParameter",
                 "Metrics: the returned expression needs a Period when no MetricStat gives one");
  }
  return Status::OK();
}

}  // namespace

std::string_view AlarmStateName(AlarmState s) { return kStates[static_cast<int>(s)]; }
std::string_view ComparisonOperatorName(ComparisonOperator op) {
  return kOperators[static_cast<int>(op)];
}
std::string_view TreatMissingDataName(TreatMissingData t) {
  return kTreatments[static_cast<int>(t)];
}
std::string_view AlarmHistoryTypeName(AlarmHistoryType t) {
  return kHistoryTypes[static_cast<int>(t)];
}

Result<AlarmState> ParseAlarmState(std::string_view text, std::string_view member) {
  return ParseName<AlarmState>(text, kStates, member);
}

Result<ComparisonOperator> ParseComparisonOperator(std::string_view text) {
  if (text.find("LowerThreshold") != std::string_view::npos ||
      text.find("UpperThreshold") != std::string_view::npos) {
    return Error(
        "InvalidParameterValue",
        fmt::format("ComparisonOperator {} is for anomaly detection alarms, which gamelake "
                    "does not support; use GreaterThanOrEqualToThreshold, "
                    "GreaterThanThreshold, LessThanThreshold or LessThanOrEqualToThreshold",
                    text.substr(0, 100)));
  }
  return ParseName<ComparisonOperator>(text, kOperators, "ComparisonOperator");
}

Result<TreatMissingData> ParseTreatMissingData(std::string_view text) {
  return ParseName<TreatMissingData>(text, kTreatments, "TreatMissingData");
}

Result<AlarmHistoryType> ParseAlarmHistoryType(std::string_view text) {
  return ParseName<AlarmHistoryType>(text, kHistoryTypes, "HistoryItemType");
}

bool Breaches(ComparisonOperator op, double value, double threshold) {
  switch (op) {
    case ComparisonOperator::kGreaterThanOrEqualToThreshold:
      return value >= threshold;
    case ComparisonOperator::kGreaterThanThreshold:
      return value > threshold;
    case ComparisonOperator::kLessThanThreshold:
      return value < threshold;
    case ComparisonOperator::kLessThanOrEqualToThreshold:
      return value <= threshold;
  }
  return false;
}

int64_t AlarmPeriodSeconds(const MetricAlarmDefinition& d) {
  if (d.metrics.empty()) return d.period_s;
  for (const MetricDataQuery& q : d.metrics) {
    if (!q.return_data) continue;
    if (q.metric_stat) return q.metric_stat->period_s;
    if (q.period_s) return *q.period_s;
  }
  for (const MetricDataQuery& q : d.metrics) {
    if (q.metric_stat) return q.metric_stat->period_s;  // What GetMetricData's math uses.
  }
  return 0;
}

int AlarmDatapointsToAlarm(const MetricAlarmDefinition& d) {
  return d.datapoints_to_alarm > 0 ? d.datapoints_to_alarm : d.evaluation_periods;
}

Status ValidateAlarmAction(std::string_view url) {
  if (url.starts_with("arn:")) {
    return Error("InvalidParameterValue",
                 fmt::format("action '{}': gamelake does not run SNS, Auto Scaling, EC2 or other "
                             "AWS actions; give a webhook URL http://host:port/path",
                             url.substr(0, 300)));
  }
  auto parsed = ParseHttpUrl(url);
  if (!parsed.ok()) {
    return Error("InvalidParameterValue",
                 fmt::format("action {}; actions are webhook URLs http://host:port/path",
                             parsed.status().message()));
  }
  return Status::OK();
}

Status ValidateAlarmDefinition(MetricAlarmDefinition* d) {
  if (d->name.empty()) return Error("MissingParameter", "The parameter AlarmName is required.");
  bool printable = std::all_of(d->name.begin(), d->name.end(),
                               [](char c) { return static_cast<unsigned char>(c) >= 0x20; });
  if (d->name.size() > kMaxAlarmNameBytes || !printable) {
    return Error(
        "InvalidParameterValue",
        fmt::format("AlarmName must be 1 to {} bytes of printable text", kMaxAlarmNameBytes));
  }
  if (d->description.size() > kMaxAlarmDescriptionBytes) {
    return Error("InvalidParameterValue",
                 fmt::format("AlarmDescription is over {} bytes", kMaxAlarmDescriptionBytes));
  }
  GL_RETURN_IF_ERROR(CheckActions(&d->ok_actions, "OKActions"));
  GL_RETURN_IF_ERROR(CheckActions(&d->alarm_actions, "AlarmActions"));
  GL_RETURN_IF_ERROR(CheckActions(&d->insufficient_data_actions, "InsufficientDataActions"));
  if (d->metrics.empty() && !d->metric) {
    return Error("MissingParameter", "give MetricName and Namespace, or Metrics");
  }
  GL_RETURN_IF_ERROR(d->metrics.empty() ? CheckSingleMetric(d) : CheckMetrics(d));
  if (d->evaluation_periods < 1) {
    return Error("InvalidParameterValue", "EvaluationPeriods must be at least 1");
  }
  if (d->datapoints_to_alarm < 0 || d->datapoints_to_alarm > d->evaluation_periods) {
    return Error("InvalidParameterValue",
                 fmt::format("DatapointsToAlarm ({}) must be 1 to EvaluationPeriods ({})",
                             d->datapoints_to_alarm, d->evaluation_periods));
  }
  int64_t window = AlarmPeriodSeconds(*d) * d->evaluation_periods;
  if (window > kMaxAlarmWindowS) {
    return Error("InvalidParameterCombination",
                 fmt::format("Period * EvaluationPeriods is {} seconds; at most one day ({})",
                             window, kMaxAlarmWindowS));
  }
  if (!std::isfinite(d->threshold)) {
    return Error("InvalidParameterValue", "Threshold must be a finite number");
  }
  return Status::OK();
}

}  // namespace gamelake
