#include "metrics/quantile_sketch.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "metrics/encoding.h"

namespace gamelake {
namespace {

const double kLogGamma = std::log(QuantileSketch::kGamma);
// 2 / (gamma + 1) < 1: multiplying gamma^i by it cannot overflow first.
constexpr double kValueScale = 2 / (QuantileSketch::kGamma + 1);
constexpr double kTwoTo53 = 9007199254740992.0;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int32_t MinIndex() { return QuantileSketch::IndexOf(QuantileSketch::kMinIndexable); }
int32_t MaxIndex() { return QuantileSketch::IndexOf(DBL_MAX); }

// ---- Encoding ----

void PutWeight(double w, std::string* out) {
  if (w >= 0 && w < kTwoTo53 && w == std::floor(w)) {
    PutVarint(out, static_cast<uint64_t>(w) << 1);
    return;
  }
  PutVarint(out, 1);
  uint64_t bits = 0;
  std::memcpy(&bits, &w, sizeof bits);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(bits >> (8 * i)));
}

void PutBins(const std::vector<int32_t>& index, const std::vector<double>& count,
             std::string* out) {
  PutVarint(out, index.size());
  int64_t previous = 0;
  for (size_t k = 0; k < index.size(); ++k) {
    PutVarint(out, ZigZag(index[k] - previous));
    PutWeight(count[k], out);
    previous = index[k];
  }
}

// ---- Decoding ----

// Reads from the front of a string_view, knowing the offset of each fault.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  Status Error(std::string_view what, size_t at) const {
    return Status::Corruption("quantile sketch: " + std::string(what) + " at byte offset " +
                              std::to_string(at));
  }
  Status Byte(std::string_view what, uint8_t* out) {
    if (remaining() < 1) return Error("truncated " + std::string(what), pos_);
    *out = static_cast<uint8_t>(data_[pos_++]);
    return Status::OK();
  }
  Status Varint(std::string_view what, uint64_t* out);
  Status Fixed64(std::string_view what, uint64_t* out);

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

Status Reader::Varint(std::string_view what, uint64_t* out) {
  const size_t start = pos_;
  std::string_view rest = data_.substr(pos_);
  Result<uint64_t> v = GetVarint(&rest);
  if (!v.ok()) {
    std::string why = v.status().message().starts_with("truncated") ? "truncated varint"
                                                                    : "varint overflows 64 bits";
    return Error(why + " (" + std::string(what) + ")", start);
  }
  pos_ = data_.size() - rest.size();
  *out = *v;
  return Status::OK();
}

Status Reader::Fixed64(std::string_view what, uint64_t* out) {
  if (remaining() < 8) return Error("truncated double (" + std::string(what) + ")", pos_);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_++])) << (8 * i);
  *out = v;
  return Status::OK();
}

// Reads a weight; it must be finite and > 0 (>= 0 when allow_zero).
Status ReadWeight(Reader& r, std::string_view what, bool allow_zero, double* out) {
  const size_t start = r.offset();
  uint64_t v = 0;
  GL_RETURN_IF_ERROR(r.Varint(what, &v));
  if (v % 2 == 0) {
    if ((v >> 1) >= static_cast<uint64_t>(kTwoTo53)) {
      return r.Error("integer " + std::string(what) + " above 2^53", start);
    }
    *out = static_cast<double>(v >> 1);
  } else if (v == 1) {
    uint64_t bits = 0;
    GL_RETURN_IF_ERROR(r.Fixed64(what, &bits));
    std::memcpy(out, &bits, sizeof bits);
  } else {
    return r.Error("unknown tag " + std::to_string(v) + " of " + std::string(what), start);
  }
  const bool valid = std::isfinite(*out) && (allow_zero ? *out >= 0 : *out > 0);
  if (!valid) return r.Error(std::string(what) + " not finite and positive", start);
  return Status::OK();
}

Status ReadBinCount(Reader& r, std::string_view sign, size_t* n) {
  const size_t start = r.offset();
  uint64_t v = 0;
  GL_RETURN_IF_ERROR(r.Varint(std::string(sign) + " bin count", &v));
  if (v > QuantileSketch::kMaxBins) {
    return r.Error(std::string(sign) + " bin count " + std::to_string(v) + " above " +
                       std::to_string(QuantileSketch::kMaxBins),
                   start);
  }
  *n = static_cast<size_t>(v);
  return Status::OK();
}

// Reads the next bucket index, which must exceed `previous` (if any) and lie
// in [MinIndex(), MaxIndex()].
Status ReadIndex(Reader& r, std::string_view sign, bool first, int64_t previous, int32_t* out) {
  const size_t start = r.offset();
  uint64_t v = 0;
  GL_RETURN_IF_ERROR(r.Varint(std::string(sign) + " bin index", &v));
  const int64_t delta = UnZigZag(v);
  if (!first && delta <= 0) return r.Error(std::string(sign) + " bin indices not ascending", start);
  // Checked first, as previous + delta could overflow.
  if (!first && delta > int64_t{MaxIndex()} - MinIndex()) {
    return r.Error(
        std::string(sign) + " bin index delta " + std::to_string(delta) + " out of range", start);
  }
  const int64_t index = first ? delta : previous + delta;
  if (index < MinIndex() || index > MaxIndex()) {
    return r.Error(std::string(sign) + " bin index " + std::to_string(index) + " out of range",
                   start);
  }
  *out = static_cast<int32_t>(index);
  return Status::OK();
}

Status ReadBins(Reader& r, std::string_view sign, std::vector<int32_t>* index,
                std::vector<double>* count) {
  size_t n = 0;
  GL_RETURN_IF_ERROR(ReadBinCount(r, sign, &n));
  const size_t plausible = std::min(n, r.remaining() / 2);  // A bin takes >= 2 bytes.
  index->reserve(plausible);
  count->reserve(plausible);
  int64_t previous = 0;
  for (size_t k = 0; k < n; ++k) {
    int32_t i = 0;
    double c = 0;
    GL_RETURN_IF_ERROR(ReadIndex(r, sign, k == 0, previous, &i));
    GL_RETURN_IF_ERROR(ReadWeight(r, std::string(sign) + " bin weight", false, &c));
    index->push_back(i);
    count->push_back(c);
    previous = i;
  }
  return Status::OK();
}

}  // namespace

// ---- Bins ----

void QuantileSketch::Bins::Add(int32_t i, double c) {
  auto it = std::lower_bound(index.begin(), index.end(), i);
  const size_t k = static_cast<size_t>(it - index.begin());
  if (it != index.end() && *it == i) {
    count[k] += c;
    return;
  }
  index.insert(it, i);
  count.insert(count.begin() + static_cast<ptrdiff_t>(k), c);
  CollapseLowest();
}

void QuantileSketch::Bins::Merge(const Bins& other) {
  if (other.index.empty()) return;
  Bins merged;
  merged.index.reserve(index.size() + other.index.size());
  merged.count.reserve(index.size() + other.index.size());
  size_t a = 0, b = 0;
  while (a < index.size() || b < other.index.size()) {
    const bool take_a = b == other.index.size() || (a < index.size() && index[a] <= other.index[b]);
    const bool take_b = a == index.size() || (b < other.index.size() && other.index[b] <= index[a]);
    merged.index.push_back(take_a ? index[a] : other.index[b]);
    merged.count.push_back((take_a ? count[a] : 0) + (take_b ? other.count[b] : 0));
    a += take_a;
    b += take_b;
  }
  *this = std::move(merged);
  CollapseLowest();
}

void QuantileSketch::Bins::CollapseLowest() {
  if (index.size() <= kMaxBins) return;
  // Buckets [0, excess] become one, at index[excess].
  const size_t excess = index.size() - kMaxBins;
  double lowest = 0;
  for (size_t k = 0; k <= excess; ++k) lowest += count[k];
  count[excess] = lowest;
  index.erase(index.begin(), index.begin() + static_cast<ptrdiff_t>(excess));
  count.erase(count.begin(), count.begin() + static_cast<ptrdiff_t>(excess));
}

size_t QuantileSketch::Bins::MemoryBytes() const {
  return index.capacity() * sizeof(int32_t) + count.capacity() * sizeof(double);
}

void QuantileSketch::Bins::ShrinkToFit() {
  index.shrink_to_fit();
  count.shrink_to_fit();
}

// ---- QuantileSketch ----

int32_t QuantileSketch::IndexOf(double magnitude) {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) / kLogGamma));
}

double QuantileSketch::ValueOf(int32_t index) {
  return std::min(std::exp(index * kLogGamma) * kValueScale, DBL_MAX);
}

void QuantileSketch::Add(double value, double count) {
  if (!std::isfinite(value) || !std::isfinite(count) || !(count > 0)) return;
  if (value >= kMinIndexable) {
    positive_.Add(IndexOf(value), count);
  } else if (value <= -kMinIndexable) {
    negative_.Add(IndexOf(-value), count);
  } else {
    zero_count_ += count;
  }
  count_ += count;
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  negative_.Merge(other.negative_);
  positive_.Merge(other.positive_);
  zero_count_ += other.zero_count_;
  count_ += other.count_;
}

template <typename Fn>
void QuantileSketch::ForEachBucket(Fn&& fn) const {
  for (size_t k = negative_.index.size(); k-- > 0;) {
    if (!fn(-ValueOf(negative_.index[k]), negative_.count[k])) return;
  }
  if (zero_count_ > 0 && !fn(0.0, zero_count_)) return;
  for (size_t k = 0; k < positive_.index.size(); ++k) {
    if (!fn(ValueOf(positive_.index[k]), positive_.count[k])) return;
  }
}

// Summed in walk order, so that a walk reaches exactly this total at its end.
double QuantileSketch::TotalOfBuckets() const {
  double total = 0;
  ForEachBucket([&](double, double c) {
    total += c;
    return true;
  });
  return total;
}

double QuantileSketch::Quantile(double q) const {
  const double total = TotalOfBuckets();
  if (total == 0 || std::isnan(q)) return kNaN;
  const double target = std::clamp(q, 0.0, 1.0) * total;
  double cumulative = 0;
  double answer = kNaN;
  ForEachBucket([&](double v, double c) {
    cumulative += c;
    answer = v;
    return cumulative < target;
  });
  return answer;
}

double QuantileSketch::TrimmedMean(double lo_q, double hi_q) const {
  const double total = TotalOfBuckets();
  if (total == 0 || !(lo_q < hi_q)) return kNaN;
  const double lo = std::clamp(lo_q, 0.0, 1.0) * total;
  const double hi = std::clamp(hi_q, 0.0, 1.0) * total;
  double cumulative = 0, sum = 0, weight = 0;
  ForEachBucket([&](double v, double c) {
    const double start = cumulative;
    cumulative += c;
    const double inside = std::min(cumulative, hi) - std::max(start, lo);
    if (inside > 0) {
      sum += inside * v;
      weight += inside;
    }
    return cumulative < hi;
  });
  return weight > 0 ? sum / weight : kNaN;
}

size_t QuantileSketch::bin_count() const {
  return negative_.index.size() + positive_.index.size() + (zero_count_ > 0 ? 1 : 0);
}

size_t QuantileSketch::MemoryBytes() const {
  return negative_.MemoryBytes() + positive_.MemoryBytes();
}

void QuantileSketch::ShrinkToFit() {
  negative_.ShrinkToFit();
  positive_.ShrinkToFit();
}

void QuantileSketch::EncodeTo(std::string* out) const {
  out->push_back(static_cast<char>(kFormat));
  PutWeight(zero_count_, out);
  PutBins(negative_.index, negative_.count, out);
  PutBins(positive_.index, positive_.count, out);
}

Result<QuantileSketch> QuantileSketch::DecodeFrom(std::string_view* in) {
  Reader r(*in);
  uint8_t format = 0;
  GL_RETURN_IF_ERROR(r.Byte("format byte", &format));
  if (format != kFormat) return r.Error("unknown format " + std::to_string(format), 0);
  QuantileSketch s;
  GL_RETURN_IF_ERROR(ReadWeight(r, "zero bucket weight", true, &s.zero_count_));
  GL_RETURN_IF_ERROR(ReadBins(r, "negative", &s.negative_.index, &s.negative_.count));
  GL_RETURN_IF_ERROR(ReadBins(r, "positive", &s.positive_.index, &s.positive_.count));
  s.count_ = s.TotalOfBuckets();
  if (!std::isfinite(s.count_)) return r.Error("total weight not finite", r.offset());
  in->remove_prefix(r.offset());
  return s;
}

}  // namespace gamelake
