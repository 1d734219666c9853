// The metrics store's vocabulary: what a metric is, what a put carries, what
// a statistic asks for — with CloudWatch's rules and limits, checked here once
// for every API (native JSON, the CloudWatch protocols, the CLI, the server's
// own pipeline metrics).
//
// A metric is namespace + name + the exact set of its dimensions (order does
// not matter; names are unique). A series is a metric + a unit: data put with
// different units is kept apart and never converted.
//
// Thread-safety: plain values.
#ifndef GAMELAKE_METRICS_METRIC_TYPES_H_
#define GAMELAKE_METRICS_METRIC_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

// CloudWatch's limits, enforced on every put.
inline constexpr size_t kMaxDimensions = 30;
inline constexpr size_t kMaxNameBytes = 255;             // Namespace, metric, dimension name.
inline constexpr size_t kMaxDimensionValueBytes = 1024;  // Dimension value.
inline constexpr size_t kMaxDatumsPerPut = 1000;
inline constexpr size_t kMaxValuesPerDatum = 150;              // A Values/Counts array.
inline constexpr int64_t kMaxAgeMs = 14LL * 24 * 3600 * 1000;  // Timestamps 2 weeks old...
inline constexpr int64_t kMaxAheadMs = 2LL * 3600 * 1000;      // ...to 2 hours ahead.
// |value| must stay within 2^360, as CloudWatch says.
inline constexpr double kMaxAbsValue = 0x1p360;

struct Dimension {
  std::string name;
  std::string value;
  bool operator==(const Dimension&) const = default;
  auto operator<=>(const Dimension&) const = default;
};

struct MetricId {
  std::string ns;  // "Namespace".
  std::string name;
  std::vector<Dimension> dimensions;  // Sorted by name once Normalize()d.
  bool operator==(const MetricId&) const = default;
  auto operator<=>(const MetricId&) const = default;
};

// Sorts dimensions by name; refuses duplicates, empty or over-long parts, more
// than kMaxDimensions, and names that are not printable text. `where` prefixes
// the message (e.g. "MetricData.member.3").
[[nodiscard]] Status NormalizeMetricId(MetricId* id, std::string_view where);

// A statistics period: 1, 5, 10, 20, 30 or a multiple of 60 seconds;
// InvalidArgument "InvalidParameterValue: ..." otherwise.
[[nodiscard]] Status ValidatePeriod(int64_t period_s);

// CloudWatch's StandardUnit names ("Seconds", "Count/Second", "None", ...).
bool IsKnownUnit(std::string_view unit);

// Pre-aggregated values (CloudWatch's StatisticValues).
struct StatisticSet {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
};

// One datapoint of a put: exactly one of value, values(+counts), statistics.
struct MetricDatum {
  MetricId id;
  std::string unit = "None";
  int64_t timestamp_ms = 0;
  int storage_resolution_s = 60;  // 1 (high resolution) or 60.
  std::optional<double> value;
  std::vector<double> values;
  std::vector<double> counts;  // Empty: each value once.
  std::optional<StatisticSet> statistics;
};

// Checks a datum against CloudWatch's rules (NormalizeMetricId, unit, exactly
// one kind of value, finite values within range, counts > 0 and as many as the
// values, statistics consistent, resolution 1 or 60, timestamp within
// [now - kMaxAgeMs, now + kMaxAheadMs]); normalizes the id. Errors are
// InvalidArgument whose message starts with the CloudWatch error code and a
// colon ("InvalidParameterValue: ...", "MissingParameter: ...",
// "InvalidParameterCombination: ...").
[[nodiscard]] Status ValidateDatum(MetricDatum* datum, int64_t now_ms, std::string_view where);

// A statistic to compute per period.
struct Statistic {
  enum class Kind { kSampleCount, kSum, kAverage, kMinimum, kMaximum, kPercentile, kTrimmedMean };
  Kind kind = Kind::kSum;
  double lo = 0;     // kPercentile: the percentile (0..100); kTrimmedMean: lower bound.
  double hi = 0;     // kTrimmedMean: upper bound (percent).
  std::string name;  // As the caller spelled it ("p99.9", "Sum").
};

// "SampleCount", "Sum", "Average", "Minimum", "Maximum" (CloudWatch's
// statistics), "pNN" / "pNN.NN" (percentile), "tmNN" (trimmed mean of the
// lowest NN%) and "tm(A%:B%)". InvalidArgument otherwise.
Result<Statistic> ParseStatistic(std::string_view text);

// Canonical text of a metric, for logs and errors: ns/name{d1=v1,d2=v2}.
std::string MetricIdText(const MetricId& id);

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_METRIC_TYPES_H_
