#include "metrics/alarm_evaluation.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/civil_time.h"
#include "common/json_writer.h"

namespace gamelake {
namespace {

std::string_view Phrase(ComparisonOperator op) {
  switch (op) {
    case ComparisonOperator::kGreaterThanOrEqualToThreshold:
      return "greater than or equal to";
    case ComparisonOperator::kGreaterThanThreshold:
      return "greater than";
    case ComparisonOperator::kLessThanThreshold:
      return "less than";
    case ComparisonOperator::kLessThanOrEqualToThreshold:
      return "less than or equal to";
  }
  return "";
}

// "30/11/26 02:55:00": day/month/year, as CloudWatch's reasons show times.
std::string ShortTime(int64_t ms) {
  CivilTime c = ToCivil(ms * 1000);
  return fmt::format("{:02}/{:02}/{:02} {:02}:{:02}:{:02}", c.day, c.month, c.year % 100, c.hour,
                     c.minute, c.second);
}

std::string List(const std::vector<AlarmDatapoint>& points) {
  std::string out;
  for (const AlarmDatapoint& p : points) {
    out += fmt::format("{}{} ({})", out.empty() ? "" : ", ", AlarmNumberText(p.value),
                       ShortTime(p.timestamp_ms));
  }
  return "[" + out + "]";
}

std::string Plural(size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string ReasonData(const MetricAlarmDefinition& d, const std::vector<AlarmDatapoint>& used,
                       int64_t start_ms, int64_t now_ms) {
  JsonWriter w;
  w.BeginObject().Key("version").String("1.0");
  w.Key("queryDate").String(FormatUtcMicros(now_ms * 1000));
  w.Key("startDate").String(FormatUtcMicros(start_ms * 1000));
  if (d.metrics.empty()) {
    w.Key("statistic").String(d.statistic.empty() ? d.extended_statistic : d.statistic);
  }
  w.Key("period").Int(AlarmPeriodSeconds(d));
  w.Key("recentDatapoints").BeginArray();
  for (const AlarmDatapoint& p : used) w.Double(p.value);
  w.EndArray().Key("threshold").Double(d.threshold);
  w.Key("evaluatedDatapoints").BeginArray();
  for (const AlarmDatapoint& p : used) {
    w.BeginObject().Key("timestamp").String(FormatUtcMicros(p.timestamp_ms * 1000));
    w.Key("value").Double(p.value).EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

// The reason for a state decided by `counted` datapoints of which `breaching`
// breach (`filled` of those counted were missing and filled in).
std::string ThresholdReason(const MetricAlarmDefinition& d, AlarmState from, AlarmState to,
                            const std::vector<AlarmDatapoint>& real, size_t counted,
                            size_t breaching, size_t filled) {
  bool alarm = to == AlarmState::kAlarm;
  std::vector<AlarmDatapoint> shown;
  for (const AlarmDatapoint& p : real) {
    if (Breaches(d.comparison, p.value, d.threshold) == alarm) shown.push_back(p);
  }
  size_t n = alarm ? breaching : counted - breaching;
  int m = AlarmDatapointsToAlarm(d);
  int minimum = alarm ? m : d.evaluation_periods - m + 1;
  std::string fill =
      filled == 0
          ? ""
          : fmt::format(" ({} missing treated as [{}])", Plural(filled, "datapoint"),
                        d.treat_missing_data == TreatMissingData::kBreaching ? "Breaching"
                                                                             : "NonBreaching");
  return fmt::format(
      "Threshold Crossed: {} out of the last {} {} {}{} {} {} the threshold ({}) (minimum {} for "
      "{} -> {} transition).",
      n, counted, counted == 1 ? "datapoint" : "datapoints", List(shown), fill,
      n == 1 ? "was" : "were",
      alarm ? std::string(Phrase(d.comparison)) : "not " + std::string(Phrase(d.comparison)),
      AlarmNumberText(d.threshold), Plural(static_cast<size_t>(minimum), "datapoint"),
      AlarmStateName(from), AlarmStateName(to));
}

}  // namespace

std::string AlarmNumberText(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return fmt::format("{:.1f}", v);
  }
  return fmt::format("{}", v);
}

int AlarmEvaluationRangePeriods(const MetricAlarmDefinition& d) { return 2 * d.evaluation_periods; }

AlarmEvaluation EvaluateAlarm(const MetricAlarmDefinition& d, AlarmState current,
                              std::vector<AlarmDatapoint> points, int64_t end_ms, int64_t now_ms) {
  const size_t n = static_cast<size_t>(d.evaluation_periods);
  const size_t m = static_cast<size_t>(AlarmDatapointsToAlarm(d));
  const int64_t period_ms = AlarmPeriodSeconds(d) * 1000;
  const int64_t start_ms = end_ms - AlarmEvaluationRangePeriods(d) * period_ms;
  const TreatMissingData treat = d.treat_missing_data;
  // breaching / notBreaching fill the missing periods of exactly the last N;
  // missing / ignore look back further for the N most recent datapoints.
  const bool fills =
      treat == TreatMissingData::kBreaching || treat == TreatMissingData::kNotBreaching;
  const int64_t from_ms = fills ? end_ms - static_cast<int64_t>(n) * period_ms : start_ms;
  std::erase_if(points, [&](const AlarmDatapoint& p) {
    return p.timestamp_ms < from_ms || p.timestamp_ms >= end_ms || !std::isfinite(p.value);
  });
  std::sort(points.begin(), points.end(), [](const AlarmDatapoint& a, const AlarmDatapoint& b) {
    return a.timestamp_ms > b.timestamp_ms;  // Newest first.
  });
  if (points.size() > n) points.resize(n);
  AlarmEvaluation out;
  if (points.empty()) {
    if (treat == TreatMissingData::kIgnore) return out;
    if (treat == TreatMissingData::kMissing) {
      out.state = AlarmState::kInsufficientData;
      out.reason = fmt::format("Insufficient Data: {} {} unknown.", Plural(n, "datapoint"),
                               n == 1 ? "was" : "were");
      out.reason_data = ReasonData(d, points, start_ms, now_ms);
      return out;
    }
    bool breaching = treat == TreatMissingData::kBreaching;
    out.state = breaching ? AlarmState::kAlarm : AlarmState::kOk;
    out.reason = fmt::format(
        "Threshold Crossed: no datapoints were received for {} and {} missing {} treated as [{}].",
        Plural(n, "period"), n, n == 1 ? "datapoint was" : "datapoints were",
        breaching ? "Breaching" : "NonBreaching");
    out.reason_data = ReasonData(d, points, start_ms, now_ms);
    return out;
  }
  size_t breaching = 0;
  for (const AlarmDatapoint& p : points) breaching += Breaches(d.comparison, p.value, d.threshold);
  size_t counted = points.size();
  size_t filled = 0;
  if (counted < n && fills) {
    filled = n - counted;
    counted = n;
    if (treat == TreatMissingData::kBreaching) breaching += filled;
  }
  AlarmState to = breaching >= m ? AlarmState::kAlarm : AlarmState::kOk;
  out.state = to;
  out.reason = ThresholdReason(d, current, to, points, counted, breaching, filled);
  out.reason_data = ReasonData(d, points, start_ms, now_ms);
  return out;
}

}  // namespace gamelake
