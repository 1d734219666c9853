// How one alarm evaluation turns datapoints into a state, after CloudWatch's
// documented rules (docs/metrics.md, "Alarms"): a pure function, so every
// rule is tested without a clock or a store.
//
// The evaluation range is the last AlarmEvaluationRangePeriods() periods
// ending at `end_ms` (2 * EvaluationPeriods). With at least N real datapoints
// in it, the newest N decide: ALARM when at least M breach, OK otherwise, and
// TreatMissingData plays no part. With fewer than N real datapoints:
//   breaching / notBreaching: the missing ones (up to N) count as breaching /
//     not breaching, next to every real one;
//   missing / ignore: only the real ones count (ALARM when at least M breach,
//     else OK);
//   none at all: missing -> INSUFFICIENT_DATA, ignore -> the state is kept,
//     breaching -> ALARM, notBreaching -> OK.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_METRICS_ALARM_EVALUATION_H_
#define GAMELAKE_METRICS_ALARM_EVALUATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metrics/alarm_types.h"

namespace gamelake {

struct AlarmDatapoint {
  int64_t timestamp_ms = 0;  // The period's start.
  double value = 0;
};

struct AlarmEvaluation {
  std::optional<AlarmState> state;  // Nullopt: keep the current state (ignore, no data).
  std::string reason;               // StateReason, as CloudWatch words it.
  std::string reason_data;          // StateReasonData (JSON).
};

// Periods of data an evaluation reads (its evaluation range).
int AlarmEvaluationRangePeriods(const MetricAlarmDefinition& d);

// `points` are the real datapoints of [end_ms - range * period, end_ms), any
// order; `current` is the alarm's state (for the reason's wording);
// `now_ms` the query time reported in StateReasonData.
AlarmEvaluation EvaluateAlarm(const MetricAlarmDefinition& d, AlarmState current,
                              std::vector<AlarmDatapoint> points, int64_t end_ms, int64_t now_ms);

// 1.5 -> "1.5", 5 -> "5.0" (how CloudWatch prints numbers in reasons).
std::string AlarmNumberText(double v);

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_ALARM_EVALUATION_H_
