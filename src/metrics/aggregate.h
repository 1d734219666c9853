// Aggregate: everything the store keeps of the values in one period of one
// series — SampleCount, Sum, Minimum, Maximum exactly, and the distribution as
// a QuantileSketch for percentiles and trimmed means. Aggregates merge
// exactly (the sketch's bins add), so a roll-up from 1-second to 1-hour
// periods answers p90 as well as the finest tier does.
//
// While every value added is the same (minimum == maximum) no sketch is kept:
// the distribution is `count` times that value. Data put as a statistic set
// with SampleCount > 1 and Minimum != Maximum has no distribution; as in
// CloudWatch, percentiles of a period holding such data are unavailable.
//
// Thread-safety: a value; callers lock.
#ifndef GAMELAKE_METRICS_AGGREGATE_H_
#define GAMELAKE_METRICS_AGGREGATE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "metrics/encoding.h"
#include "metrics/metric_types.h"
#include "metrics/quantile_sketch.h"

namespace gamelake {

class Aggregate {
 public:
  Aggregate() = default;
  Aggregate(const Aggregate& other);
  Aggregate& operator=(const Aggregate& other);
  Aggregate(Aggregate&&) noexcept = default;
  Aggregate& operator=(Aggregate&&) noexcept = default;

  // Adds `value` `count` times (count > 0, both finite: ValidateDatum's job).
  void Add(double value, double count = 1.0);
  void AddStatisticSet(const StatisticSet& set);
  // Adds everything a datum carries.
  void AddDatum(const MetricDatum& datum);
  void Merge(const Aggregate& other);

  bool empty() const { return count_ == 0; }
  double count() const { return count_; }
  double sum() const { return sum_; }
  double minimum() const { return min_; }
  double maximum() const { return max_; }
  double average() const { return count_ > 0 ? sum_ / count_ : 0; }
  // Nullopt when the period has no distribution (see above) or no data.
  std::optional<double> Percentile(double percent) const;
  // Mean of the values between the lo% and hi% percentiles.
  std::optional<double> TrimmedMean(double lo_percent, double hi_percent) const;
  // Computes one statistic; nullopt when it is unavailable.
  std::optional<double> Compute(const Statistic& statistic) const;

  // A compact, self-delimiting encoding (see metric_store_format.md): 2 to 4
  // bytes for a single small integer, more for a distribution. `tag` is a
  // caller's number (< 2^60) kept in the same leading varint (a chunk keeps
  // each cell's slot delta there); DecodeFrom gives it back.
  void EncodeTo(std::string* out, uint64_t tag = 0) const;
  static Result<Aggregate> DecodeFrom(std::string_view* in, uint64_t* tag = nullptr);

  // Heap and inline bytes (for the documented bytes per datapoint).
  size_t MemoryBytes() const;

  bool operator==(const Aggregate& other) const;

 private:
  void EnsureSketch();

  double count_ = 0;
  double sum_ = 0;
  double min_ = 0;
  double max_ = 0;
  bool no_distribution_ = false;
  std::unique_ptr<QuantileSketch> sketch_;  // Null while min_ == max_ or no_distribution_.
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_AGGREGATE_H_
