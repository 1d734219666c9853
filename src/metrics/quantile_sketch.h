// QuantileSketch: a mergeable, relative-error quantile sketch (DDSketch-style
// logarithmic buckets) behind the metrics store's CloudWatch-style percentile
// statistics (p50, p90, p99, p99.9, tm10:90, ...).
//
// Error bound: a value x with |x| >= kMinIndexable lands in bucket
// i = ceil(log|x| / log(gamma)), gamma = (1 + a) / (1 - a), a = kRelativeAccuracy
// = 0.005, which covers (gamma^(i-1), gamma^i]; the bucket answers with
// 2 * gamma^i / (gamma + 1), within a relative error a of every value in it.
// Since bucketing is monotone, Quantile(q) is within 0.5% (relative) of the
// true sample at the same rank; the store promises 1%. Exceptions, all
// documented below: values with |x| < kMinIndexable (1e-9) count as 0 (absolute
// error < 1e-9), and quantiles that fall in bins collapsed by the kMaxBins
// memory bound lose the bound (only the lowest-magnitude ones; see Bounds).
//
// Weights: every Add carries a double weight (CloudWatch's Counts arrays carry
// double counts). With integer weights below 2^53 every answer depends only on
// the multiset of values: the order of Adds, merging, collapsing and
// Encode/Decode do not change it. With fractional weights the same holds up to
// floating-point rounding of the summed weights.
//
// Bounds: storage is sparse: each sign keeps its non-empty buckets as two
// parallel sorted vectors (int32 index, double weight), 12 bytes per bucket,
// at most kMaxBins = 4096 buckets per sign (a sign spanning 1e-6..1e9 needs
// about 3,450). When a sign holds more, its LOWEST-magnitude buckets are
// collapsed into one (DDSketch "collapsing lowest"), which is answered as the
// highest of them: the top 4095 buckets of each sign stay exact, so upper
// quantiles of positive values (and lower quantiles of negative ones) keep the
// bound, while the collapsed small magnitudes are overestimated. The result of
// collapsing does not depend on the order of Adds or Merges.
//
// Encoding (EncodeTo/DecodeFrom, for checkpoint files), self-delimiting:
//   sketch := format:byte(=1) zero:weight negative:store positive:store
//   store  := n:varint (0..kMaxBins), then n times: delta:zvarint weight
//             the bucket indices (of |x|) ascending; delta is the first index,
//             then index minus the previous index (> 0); every index lies in
//             [IndexOf(kMinIndexable), IndexOf(DBL_MAX)]
//   weight := varint v; v even: the weight is the integer v/2 (< 2^53);
//             v == 1: an 8-byte little-endian IEEE-754 double follows; other
//             odd v are invalid. Bucket weights are > 0, the zero bucket's >= 0,
//             all finite, and their total finite.
//   varint is unsigned LEB128 of at most 10 bytes; zvarint is a zigzag-encoded
//   varint. An empty sketch takes 4 bytes; an integer weight below 64 one byte.
//
// Thread-safety: not thread-safe; a value type that callers lock. Distinct
// objects may be used concurrently; const methods may run concurrently.
#ifndef GAMELAKE_METRICS_QUANTILE_SKETCH_H_
#define GAMELAKE_METRICS_QUANTILE_SKETCH_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gamelake {

class QuantileSketch {
 public:
  static constexpr double kRelativeAccuracy = 0.005;
  static constexpr double kGamma = (1 + kRelativeAccuracy) / (1 - kRelativeAccuracy);
  // Values with a smaller magnitude count in the zero bucket, answered as 0.
  static constexpr double kMinIndexable = 1e-9;
  // The most buckets kept per sign; beyond it the lowest magnitudes collapse.
  static constexpr size_t kMaxBins = 4096;
  static constexpr uint8_t kFormat = 1;  // The first byte of the encoding.

  QuantileSketch() = default;

  // Adds `count` (weight) occurrences of `value`. The caller validates: a call
  // with a non-finite value, or a count that is not finite and > 0, is ignored.
  void Add(double value, double count = 1.0);
  // Adds every value of `other`, as if they had been added to this sketch.
  void Merge(const QuantileSketch& other);

  double count() const { return count_; }  // The total weight added.
  bool empty() const { return count_ == 0; }

  // The smallest bucket value v such that the weight of values <= v is at least
  // q * count() (CloudWatch's pNN: NN% of the values are <= it). Quantile(0) is
  // the lowest bucket's value, Quantile(1) the highest's. q outside [0, 1] is
  // clamped. NaN when the sketch is empty or q is NaN.
  double Quantile(double q) const;
  // CloudWatch's TM(lo:hi): the mean of the values whose rank lies between
  // lo_q * count() and hi_q * count(), a value straddling a boundary counting
  // with the part of its weight inside. Using bucket values, it is within
  // kRelativeAccuracy * (the same trimmed mean of |x|) of the true trimmed mean:
  // 0.5% relative when all values have one sign. Quantiles are clamped to
  // [0, 1]; NaN when the sketch is empty or lo_q >= hi_q (or either is NaN).
  double TrimmedMean(double lo_q, double hi_q) const;

  // Non-empty buckets: both signs, plus the zero bucket when it holds weight.
  size_t bin_count() const;
  // Heap bytes held (vector capacities), not counting sizeof(QuantileSketch).
  size_t MemoryBytes() const;
  // Drops spare vector capacity: MemoryBytes() becomes 12 bytes per bucket.
  void ShrinkToFit();

  // Appends the encoding described above to *out.
  void EncodeTo(std::string* out) const;
  // Decodes one sketch from the front of *in and removes its bytes from *in.
  // Truncated or invalid input gives a Corruption status naming the fault and
  // its byte offset from the start of *in, and leaves *in unchanged. Never
  // allocates more than kMaxBins buckets per sign.
  static Result<QuantileSketch> DecodeFrom(std::string_view* in);

  // The bucket index of a magnitude >= kMinIndexable, and a bucket's value.
  static int32_t IndexOf(double magnitude);
  static double ValueOf(int32_t index);

 private:
  // The non-empty buckets of one sign, by magnitude.
  struct Bins {
    std::vector<int32_t> index;  // Strictly ascending.
    std::vector<double> count;   // count[k] > 0 is the weight of bucket index[k].

    void Add(int32_t i, double c);
    void Merge(const Bins& other);
    void CollapseLowest();  // Enforces kMaxBins.
    size_t MemoryBytes() const;
    void ShrinkToFit();
  };

  // Calls fn(value, weight) for every non-empty bucket, lowest value first,
  // while fn returns true.
  template <typename Fn>
  void ForEachBucket(Fn&& fn) const;
  double TotalOfBuckets() const;

  Bins negative_;  // Buckets of |x| for x <= -kMinIndexable.
  Bins positive_;  // Buckets of x >= kMinIndexable.
  double zero_count_ = 0;
  double count_ = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_QUANTILE_SKETCH_H_
