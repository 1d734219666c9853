// Arithmetic the accumulators share (aggregate_function.cc and
// window_accumulator.cc): exact integer sums, double sums that survive
// removals, running moments for the variances, and EXP_AVG's weights.
//
// Thread-safety: plain values.
#ifndef GAMELAKE_STREAMING_AGGREGATE_MATH_H_
#define GAMELAKE_STREAMING_AGGREGATE_MATH_H_

#include <cmath>
#include <cstdint>

#include "common/status.h"
#include "streaming/aggregate_function.h"
#include "streaming/operator.h"
#include "streaming/sql_value.h"

namespace gamelake {

// Integer-valued types sum in an int128 (exact; only the result must fit).
inline bool IsIntegralSum(ValueType t) {
  return t == ValueType::kInteger || t == ValueType::kIntervalDayTime ||
         t == ValueType::kIntervalYearMonth;
}

inline double NumberAsDouble(const SqlValue& v) {
  return v.type == ValueType::kDouble || v.type == ValueType::kDecimal ? v.d
                                                                       : static_cast<double>(v.i);
}

inline int64_t NumberAsInt(const SqlValue& v) {
  return v.type == ValueType::kDouble || v.type == ValueType::kDecimal ? static_cast<int64_t>(v.d)
                                                                       : v.i;
}

inline void PutI128(__int128 v, StateWriter* w) {
  w->PutU64(static_cast<uint64_t>(static_cast<unsigned __int128>(v) >> 64));
  w->PutU64(static_cast<uint64_t>(v));
}

inline Status GetI128(StateReader* r, __int128* v) {
  uint64_t hi = 0, lo = 0;
  GL_RETURN_IF_ERROR(r->GetU64(&hi));
  GL_RETURN_IF_ERROR(r->GetU64(&lo));
  *v = static_cast<__int128>((static_cast<unsigned __int128>(hi) << 64) | lo);
  return Status::OK();
}

inline bool FitsInt64(__int128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

// A sum of doubles that values can also leave: finite values in a
// compensated (Neumaier) sum, infinities and NaNs counted apart, so a window
// that held an infinity is finite again once it has left.
struct DoubleSum {
  double sum = 0;
  double compensation = 0;
  int64_t nans = 0;
  int64_t positive_infinities = 0;
  int64_t negative_infinities = 0;

  void Add(double x, int sign = 1) {
    if (std::isnan(x)) {
      nans += sign;
    } else if (std::isinf(x)) {
      (x > 0 ? positive_infinities : negative_infinities) += sign;
    } else {
      Accumulate(sign > 0 ? x : -x);
    }
  }
  double Value() const {
    if (nans > 0 || (positive_infinities > 0 && negative_infinities > 0)) return std::nan("");
    if (positive_infinities > 0) return INFINITY;
    if (negative_infinities > 0) return -INFINITY;
    return sum + compensation;
  }
  void Reset() { *this = DoubleSum(); }
  void Save(StateWriter* w) const {
    w->PutDouble(sum);
    w->PutDouble(compensation);
    w->PutI64(nans);
    w->PutI64(positive_infinities);
    w->PutI64(negative_infinities);
  }
  Status Load(StateReader* r) {
    GL_RETURN_IF_ERROR(r->GetDouble(&sum));
    GL_RETURN_IF_ERROR(r->GetDouble(&compensation));
    GL_RETURN_IF_ERROR(r->GetI64(&nans));
    GL_RETURN_IF_ERROR(r->GetI64(&positive_infinities));
    return r->GetI64(&negative_infinities);
  }

 private:
  void Accumulate(double x) {
    double t = sum + x;
    if (std::fabs(sum) >= std::fabs(x)) {
      compensation += (sum - t) + x;
    } else {
      compensation += (x - t) + sum;
    }
    sum = t;
  }
};

// Count, mean and sum of squared deviations (Welford), mergeable (Chan et
// al.), for VAR_POP/VAR_SAMP/STDDEV_POP/STDDEV_SAMP.
struct Moments {
  int64_t n = 0;
  double mean = 0;
  double m2 = 0;

  void Add(double x) {
    ++n;
    double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  void Merge(const Moments& o) {
    if (o.n == 0) return;
    if (n == 0) {
      *this = o;
      return;
    }
    double total = static_cast<double>(n + o.n);
    double delta = o.mean - mean;
    mean += delta * static_cast<double>(o.n) / total;
    m2 += o.m2 + delta * delta * static_cast<double>(n) * static_cast<double>(o.n) / total;
    n += o.n;
  }
  void Save(StateWriter* w) const {
    w->PutI64(n);
    w->PutDouble(mean);
    w->PutDouble(m2);
  }
  Status Load(StateReader* r) {
    GL_RETURN_IF_ERROR(r->GetI64(&n));
    GL_RETURN_IF_ERROR(r->GetDouble(&mean));
    return r->GetDouble(&m2);
  }
};

// VAR_POP, VAR_SAMP, STDDEV_POP or STDDEV_SAMP of `m`: DOUBLE, NULL without
// values (and VAR_SAMP/STDDEV_SAMP with fewer than two).
inline SqlValue MomentsResult(AggregateKind kind, const Moments& m) {
  bool sample = kind == AggregateKind::kVarSamp || kind == AggregateKind::kStddevSamp;
  if (m.n == 0 || (sample && m.n < 2)) return SqlValue::Null(ValueType::kDouble);
  double var = m.m2 / static_cast<double>(sample ? m.n - 1 : m.n);
  bool stddev = kind == AggregateKind::kStddevPop || kind == AggregateKind::kStddevSamp;
  return SqlValue::Double(stddev ? std::sqrt(var) : var);
}

// EXP_AVG's weight, relative to a reference time, of a row `delta_ms` after it.
inline double HalfLifeWeight(int64_t delta_ms, int64_t half_life_ms) {
  return std::exp2(static_cast<double>(delta_ms) / static_cast<double>(half_life_ms));
}

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_AGGREGATE_MATH_H_
