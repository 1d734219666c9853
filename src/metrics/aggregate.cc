#include "metrics/aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace gamelake {
namespace {

enum Kind : uint64_t { kSingle = 0, kUniform = 1, kDistribution = 2, kNoDistribution = 3 };

}  // namespace

Aggregate::Aggregate(const Aggregate& other)
    : count_(other.count_),
      sum_(other.sum_),
      min_(other.min_),
      max_(other.max_),
      no_distribution_(other.no_distribution_),
      sketch_(other.sketch_ ? std::make_unique<QuantileSketch>(*other.sketch_) : nullptr) {}

Aggregate& Aggregate::operator=(const Aggregate& other) {
  if (this != &other) *this = Aggregate(other);
  return *this;
}

// Called before a value different from min_ == max_ arrives: the implicit
// distribution (count_ times min_) becomes explicit.
void Aggregate::EnsureSketch() {
  if (sketch_ || no_distribution_ || count_ == 0) return;
  sketch_ = std::make_unique<QuantileSketch>();
  sketch_->Add(min_, count_);
}

void Aggregate::Add(double value, double count) {
  if (count_ == 0) {
    min_ = max_ = value;
  } else if (value != min_ || value != max_) {
    EnsureSketch();
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  if (sketch_) sketch_->Add(value, count);
  count_ += count;
  sum_ += value * count;
}

void Aggregate::AddStatisticSet(const StatisticSet& set) {
  if (set.minimum == set.maximum) {
    // A set of equal values is a distribution (CloudWatch's rule too); its
    // Sum is taken as given.
    double sum_before = sum_;
    Add(set.minimum, set.sample_count);
    sum_ = sum_before + set.sum;
    return;
  }
  if (set.sample_count == 1) {  // One value; Sum is it.
    Add(set.sum, 1);
    return;
  }
  if (count_ == 0) {
    min_ = set.minimum;
    max_ = set.maximum;
  } else {
    min_ = std::min(min_, set.minimum);
    max_ = std::max(max_, set.maximum);
  }
  no_distribution_ = true;
  sketch_.reset();
  count_ += set.sample_count;
  sum_ += set.sum;
}

void Aggregate::AddDatum(const MetricDatum& d) {
  if (d.value) return Add(*d.value, 1);
  if (d.statistics) return AddStatisticSet(*d.statistics);
  for (size_t i = 0; i < d.values.size(); ++i) {
    Add(d.values[i], d.counts.empty() ? 1.0 : d.counts[i]);
  }
}

void Aggregate::Merge(const Aggregate& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  bool uniform = min_ == max_ && other.min_ == other.max_ && min_ == other.min_;
  if (!uniform) {
    EnsureSketch();
    if (other.sketch_) {
      if (sketch_) sketch_->Merge(*other.sketch_);
    } else if (!other.no_distribution_ && sketch_) {
      sketch_->Add(other.min_, other.count_);
    }
  }
  if (other.no_distribution_) {
    no_distribution_ = true;
    sketch_.reset();
  }
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::optional<double> Aggregate::Percentile(double percent) const {
  if (count_ == 0 || no_distribution_) return std::nullopt;
  if (!sketch_) return min_;
  // The sketch answers within its relative bound; the exact extremes are known.
  double v = sketch_->Quantile(percent / 100.0);
  return std::clamp(v, min_, max_);
}

std::optional<double> Aggregate::TrimmedMean(double lo_percent, double hi_percent) const {
  if (count_ == 0 || no_distribution_) return std::nullopt;
  if (!sketch_) return min_;
  return sketch_->TrimmedMean(lo_percent / 100.0, hi_percent / 100.0);
}

std::optional<double> Aggregate::Compute(const Statistic& s) const {
  if (count_ == 0) return std::nullopt;
  switch (s.kind) {
    case Statistic::Kind::kSampleCount:
      return count_;
    case Statistic::Kind::kSum:
      return sum_;
    case Statistic::Kind::kAverage:
      return average();
    case Statistic::Kind::kMinimum:
      return min_;
    case Statistic::Kind::kMaximum:
      return max_;
    case Statistic::Kind::kPercentile:
      return Percentile(s.lo);
    case Statistic::Kind::kTrimmedMean:
      return TrimmedMean(s.lo, s.hi);
  }
  return std::nullopt;
}

void Aggregate::EncodeTo(std::string* out, uint64_t tag) const {
  Kind kind = no_distribution_ ? kNoDistribution
              : sketch_        ? kDistribution
              : count_ == 1    ? kSingle
                               : kUniform;
  PutVarint(out, tag << 2 | kind);
  switch (kind) {
    case kSingle:
      PutNumber(out, min_);
      return;
    case kUniform:
      PutNumber(out, count_);
      PutNumber(out, min_);
      PutNumber(out, sum_);
      return;
    case kDistribution:
    case kNoDistribution:
      PutNumber(out, count_);
      PutNumber(out, sum_);
      PutNumber(out, min_);
      PutNumber(out, max_);
      if (kind == kDistribution) sketch_->EncodeTo(out);
      return;
  }
}

Result<Aggregate> Aggregate::DecodeFrom(std::string_view* in, uint64_t* tag) {
  GL_ASSIGN_OR_RETURN(uint64_t head, GetVarint(in));
  if (tag != nullptr) *tag = head >> 2;
  Aggregate a;
  auto kind = static_cast<Kind>(head & 3);
  if (kind == kSingle) {
    GL_ASSIGN_OR_RETURN(a.min_, GetNumber(in));
    a.max_ = a.sum_ = a.min_;
    a.count_ = 1;
  } else if (kind == kUniform) {
    GL_ASSIGN_OR_RETURN(a.count_, GetNumber(in));
    GL_ASSIGN_OR_RETURN(a.min_, GetNumber(in));
    GL_ASSIGN_OR_RETURN(a.sum_, GetNumber(in));
    a.max_ = a.min_;
  } else {
    GL_ASSIGN_OR_RETURN(a.count_, GetNumber(in));
    GL_ASSIGN_OR_RETURN(a.sum_, GetNumber(in));
    GL_ASSIGN_OR_RETURN(a.min_, GetNumber(in));
    GL_ASSIGN_OR_RETURN(a.max_, GetNumber(in));
    a.no_distribution_ = kind == kNoDistribution;
    if (kind == kDistribution) {
      GL_ASSIGN_OR_RETURN(QuantileSketch sketch, QuantileSketch::DecodeFrom(in));
      a.sketch_ = std::make_unique<QuantileSketch>(std::move(sketch));
    }
  }
  if (!(a.count_ > 0) || a.min_ > a.max_) {
    return Status::Corruption("aggregate with no values or minimum above maximum");
  }
  return a;
}

size_t Aggregate::MemoryBytes() const {
  return sizeof(*this) + (sketch_ ? sizeof(QuantileSketch) + sketch_->MemoryBytes() : 0);
}

bool Aggregate::operator==(const Aggregate& other) const {
  std::string a, b;
  EncodeTo(&a);
  other.EncodeTo(&b);
  return a == b;
}

}  // namespace gamelake
