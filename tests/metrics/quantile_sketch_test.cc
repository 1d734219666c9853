#include "metrics/quantile_sketch.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using Code = Status::Code;

constexpr double kAlpha = QuantileSketch::kRelativeAccuracy;
// The guaranteed bound, with room for the rounding of log() and exp() only.
constexpr double kBound = kAlpha * (1 + 1e-9);
constexpr double kStorePromise = 0.01;
const std::vector<double> kQuantiles = {0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1};

// The sample at rank max(1, ceil(q * n)): the smallest value v such that at
// least q * n of the values are <= v, computed as the sketch computes q * n.
double ExactQuantile(const std::vector<double>& sorted, double q) {
  const double target = q * static_cast<double>(sorted.size());
  const size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(target)));
  return sorted[rank - 1];
}

// The mean of the values of rank in [lo_q * n, hi_q * n], value i of the
// sorted values spanning ranks [i, i + 1); the mean of |x| when `magnitude`.
double ExactTrimmedMean(const std::vector<double>& sorted, double lo_q, double hi_q,
                        bool magnitude = false) {
  const double n = static_cast<double>(sorted.size());
  const double lo = lo_q * n, hi = hi_q * n;
  double sum = 0, weight = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const double inside = std::min(i + 1.0, hi) - std::max(static_cast<double>(i), lo);
    if (inside <= 0) continue;
    sum += inside * (magnitude ? std::abs(sorted[i]) : sorted[i]);
    weight += inside;
  }
  return sum / weight;
}

double RelativeError(double estimate, double exact) {
  if (exact == 0) return estimate == 0 ? 0 : std::numeric_limits<double>::infinity();
  return std::abs(estimate - exact) / std::abs(exact);
}

std::string Encode(const QuantileSketch& s) {
  std::string out;
  s.EncodeTo(&out);
  return out;
}

// Compares encodings without printing kilobytes of bytes on a failure.
::testing::AssertionResult SameBytes(const std::string& a, const std::string& b) {
  if (a == b) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return ::testing::AssertionFailure() << "encodings of " << a.size() << " and " << b.size()
                                       << " bytes differ first at byte " << i;
}

QuantileSketch Decode(const std::string& bytes) {
  std::string_view in = bytes;
  Result<QuantileSketch> r = QuantileSketch::DecodeFrom(&in);
  EXPECT_THAT(r, IsOk());
  EXPECT_TRUE(in.empty());
  return r.ok() ? r.value() : QuantileSketch();
}

QuantileSketch SketchOf(const std::vector<double>& values) {
  QuantileSketch s;
  for (double v : values) s.Add(v);
  return s;
}

// Quantile answers on a fine grid must be identical (not merely close).
void ExpectSameAnswers(const QuantileSketch& a, const QuantileSketch& b) {
  ASSERT_EQ(a.count(), b.count());
  for (int i = 0; i <= 1000; ++i) {
    const double q = i / 1000.0;
    ASSERT_EQ(a.Quantile(q), b.Quantile(q)) << "q=" << q;
  }
  EXPECT_EQ(a.TrimmedMean(0.1, 0.9), b.TrimmedMean(0.1, 0.9));
}

// ---- Distributions ----

struct Distribution {
  std::string name;
  std::function<double(std::mt19937_64&)> draw;
};

std::vector<double> Draw(const Distribution& d, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> values(n);
  for (double& v : values) v = d.draw(rng);
  return values;
}

double LogUniform(std::mt19937_64& rng, double lo, double hi) {
  return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
}

std::vector<Distribution> Distributions() {
  return {
      {"Uniform", [](auto& rng) { return std::uniform_real_distribution<double>(0, 1000)(rng); }},
      {"Exponential", [](auto& rng) { return std::exponential_distribution<double>(0.02)(rng); }},
      {"WideLognormal", [](auto& rng) { return std::lognormal_distribution<double>(0, 2)(rng); }},
      {"LatencyLognormal",
       [](auto& rng) { return std::lognormal_distribution<double>(4, 0.5)(rng); }},
      {"GameStatIntegers0To20",
       [](auto& rng) {
         return static_cast<double>(std::uniform_int_distribution<int>(0, 20)(rng));
       }},
      {"NegativesAndZeros",
       [](auto& rng) {
         if (std::uniform_int_distribution<int>(0, 9)(rng) == 0) return 0.0;
         return std::normal_distribution<double>(0, 100)(rng);
       }},
      {"Constant", [](auto&) { return 37.5; }},
      {"LogUniform1e-6To1e9", [](auto& rng) { return LogUniform(rng, 1e-6, 1e9); }},
  };
}

class DistributionTest : public ::testing::TestWithParam<Distribution> {
 protected:
  static constexpr size_t kN = 50'000;
  std::vector<double> values_ = Draw(GetParam(), kN, 20261129);
};

TEST_P(DistributionTest, QuantilesWithinHalfAPercentOfExactRanks) {
  QuantileSketch s = SketchOf(values_);
  std::vector<double> sorted = values_;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(s.count(), static_cast<double>(kN));
  for (double q : kQuantiles) {
    const double exact = ExactQuantile(sorted, q);
    const double error = RelativeError(s.Quantile(q), exact);
    EXPECT_LE(error, kBound) << "q=" << q << " exact=" << exact << " got=" << s.Quantile(q);
    EXPECT_LE(error, kStorePromise);
  }
}

TEST_P(DistributionTest, TrimmedMeansWithinBound) {
  QuantileSketch s = SketchOf(values_);
  std::vector<double> sorted = values_;
  std::sort(sorted.begin(), sorted.end());
  const std::pair<double, double> ranges[] = {{0.1, 0.9}, {0, 0.99}, {0, 1}, {0.5, 0.51}};
  for (auto [lo, hi] : ranges) {
    const double exact = ExactTrimmedMean(sorted, lo, hi);
    const double of_magnitudes = ExactTrimmedMean(sorted, lo, hi, /*magnitude=*/true);
    // Absolute bound alpha * mean|x|, plus rounding of the sums.
    EXPECT_LE(std::abs(s.TrimmedMean(lo, hi) - exact),
              kBound * of_magnitudes + 1e-9 * of_magnitudes)
        << "tm" << lo << ":" << hi << " exact=" << exact;
  }
}

TEST_P(DistributionTest, MergeOfHalvesEqualsSketchOfWhole) {
  QuantileSketch whole = SketchOf(values_);
  QuantileSketch a, b;
  for (size_t i = 0; i < values_.size(); ++i) (i % 3 == 0 ? a : b).Add(values_[i]);
  a.Merge(b);
  EXPECT_TRUE(SameBytes(Encode(a), Encode(whole)));
  ExpectSameAnswers(a, whole);
}

TEST_P(DistributionTest, EncodeDecodeRoundTrips) {
  QuantileSketch s = SketchOf(values_);
  const std::string bytes = Encode(s);
  QuantileSketch back = Decode(bytes);
  EXPECT_TRUE(SameBytes(Encode(back), bytes));
  EXPECT_EQ(back.bin_count(), s.bin_count());
  ExpectSameAnswers(back, s);
}

TEST_P(DistributionTest, EveryTruncatedPrefixFailsCleanly) {
  const std::string bytes = Encode(SketchOf(values_));
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::string prefix = bytes.substr(0, n);
    std::string_view in = prefix;
    Result<QuantileSketch> r = QuantileSketch::DecodeFrom(&in);
    ASSERT_THAT(r, StatusIs(Code::kCorruption, "truncated")) << "prefix of " << n;
    ASSERT_THAT(r, StatusIs(Code::kCorruption, "byte offset"));
    ASSERT_EQ(in.size(), n) << "input consumed on error";
  }
}

TEST_P(DistributionTest, CorruptedBytesNeverCrash) {
  const std::string bytes = Encode(SketchOf(values_));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string bad = bytes;
    const int flips = 1 + i % 3;
    for (int f = 0; f < flips; ++f) {
      bad[rng() % bad.size()] = static_cast<char>(rng());
    }
    std::string_view in = bad;
    Result<QuantileSketch> r = QuantileSketch::DecodeFrom(&in);
    if (!r.ok()) {
      ASSERT_EQ(r.status().code(), Code::kCorruption);
      continue;
    }
    // What decodes is a valid sketch: it re-encodes canonically.
    const std::string again = Encode(r.value());
    EXPECT_TRUE(SameBytes(Encode(Decode(again)), again));
    EXPECT_TRUE(std::isfinite(r->count()));
  }
}

INSTANTIATE_TEST_SUITE_P(Distributions, DistributionTest, ::testing::ValuesIn(Distributions()),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// ---- Semantics ----

TEST(QuantileSketchTest, EmptySketch) {
  QuantileSketch s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.count(), 0);
  EXPECT_EQ(s.bin_count(), 0u);
  EXPECT_EQ(s.MemoryBytes(), 0u);
  for (double q : {0.0, 0.5, 1.0}) EXPECT_TRUE(std::isnan(s.Quantile(q)));
  EXPECT_TRUE(std::isnan(s.TrimmedMean(0, 1)));
  const std::string bytes = Encode(s);
  EXPECT_EQ(bytes, std::string("\x01\x00\x00\x00", 4));
  EXPECT_TRUE(Decode(bytes).empty());
  QuantileSketch other = SketchOf({1, 2, 3});
  const std::string before = Encode(other);
  other.Merge(s);
  EXPECT_TRUE(SameBytes(Encode(other), before));
  s.Merge(other);
  EXPECT_TRUE(SameBytes(Encode(s), before));
}

TEST(QuantileSketchTest, RankSemanticsAreCloudWatchs) {
  QuantileSketch s = SketchOf({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  auto near = [&](double q, double want) {
    EXPECT_LE(RelativeError(s.Quantile(q), want), kBound) << "q=" << q << " got " << s.Quantile(q);
  };
  near(0, 1);
  near(0.1, 1);  // 10% of the values are <= 1.
  near(0.11, 2);
  near(0.5, 5);  // Not 6, and not an interpolated 5.5.
  near(0.51, 6);
  near(0.9, 9);
  near(0.91, 10);
  near(1, 10);
  near(-3, 1);  // Clamped.
  near(7, 10);
  EXPECT_TRUE(std::isnan(s.Quantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST(QuantileSketchTest, NegativesThenZeroThenPositives) {
  // 1e-10 is below kMinIndexable: it counts, as 0.
  QuantileSketch s = SketchOf({1000, 1, 1e-10, 0, -1, -1000});
  EXPECT_EQ(s.bin_count(), 5u);
  EXPECT_LE(RelativeError(s.Quantile(0), -1000), kBound);
  EXPECT_LE(RelativeError(s.Quantile(1.0 / 6), -1000), kBound);
  EXPECT_LE(RelativeError(s.Quantile(2.0 / 6), -1), kBound);
  EXPECT_EQ(s.Quantile(0.5), 0);
  EXPECT_EQ(s.Quantile(4.0 / 6), 0);
  EXPECT_LE(RelativeError(s.Quantile(5.0 / 6), 1), kBound);
  EXPECT_LE(RelativeError(s.Quantile(1), 1000), kBound);
  EXPECT_GT(s.Quantile(0.9), s.Quantile(0.8));
}

TEST(QuantileSketchTest, ZeroBucketBoundary) {
  QuantileSketch s;
  s.Add(QuantileSketch::kMinIndexable);
  s.Add(-QuantileSketch::kMinIndexable);
  s.Add(0.999e-9);
  s.Add(-0.0);
  EXPECT_EQ(s.bin_count(), 3u);  // -1e-9, zero (two values), 1e-9.
  EXPECT_LE(RelativeError(s.Quantile(1), 1e-9), kBound);
  EXPECT_LE(RelativeError(s.Quantile(0), -1e-9), kBound);
  EXPECT_EQ(s.Quantile(0.5), 0);
}

TEST(QuantileSketchTest, InvalidAddsAreIgnored) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  QuantileSketch s;
  s.Add(nan);
  s.Add(inf);
  s.Add(-inf);
  s.Add(1, 0);
  s.Add(1, -1);
  s.Add(1, nan);
  s.Add(1, inf);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.bin_count(), 0u);
  s.Add(1, 1e-300);  // Tiny but positive: kept.
  EXPECT_FALSE(s.empty());
}

TEST(QuantileSketchTest, ExtremeMagnitudes) {
  QuantileSketch s = SketchOf({DBL_MAX, -DBL_MAX, 1e-9, 1e300, 1e-300, 0});
  EXPECT_TRUE(std::isfinite(s.Quantile(1)));
  EXPECT_LE(RelativeError(s.Quantile(1), DBL_MAX), kBound);
  EXPECT_LE(RelativeError(s.Quantile(0), -DBL_MAX), kBound);
  EXPECT_EQ(s.Quantile(2.0 / 6), 0);  // 1e-300 and 0 share the zero bucket.
  const std::string bytes = Encode(s);
  EXPECT_TRUE(SameBytes(Encode(Decode(bytes)), bytes));
  ExpectSameAnswers(Decode(bytes), s);
}

TEST(QuantileSketchTest, EveryMagnitudeMapsWithinBound) {
  std::mt19937_64 rng(3);
  int32_t previous_index = std::numeric_limits<int32_t>::min();
  double previous_value = 0;
  for (double e = -9; e < 308; e += 0.0007) {
    const double x = std::pow(10, e);
    const int32_t i = QuantileSketch::IndexOf(x);
    ASSERT_GE(i, previous_index);
    ASSERT_LE(RelativeError(QuantileSketch::ValueOf(i), x), kBound) << x;
    ASSERT_GE(QuantileSketch::ValueOf(i), previous_value);
    previous_index = i;
    previous_value = QuantileSketch::ValueOf(i);
  }
  // Bucket boundaries gamma^i, where rounding decides the side.
  for (int32_t i = -2000; i < 70000; i += 37) {
    const double x = std::pow(QuantileSketch::kGamma, i);
    ASSERT_LE(RelativeError(QuantileSketch::ValueOf(QuantileSketch::IndexOf(x)), x), kBound) << x;
  }
  EXPECT_LE(RelativeError(QuantileSketch::ValueOf(QuantileSketch::IndexOf(DBL_MAX)), DBL_MAX),
            kBound);
}

// ---- Weights ----

TEST(QuantileSketchTest, WeightedAddEqualsRepeatedAdd) {
  std::mt19937_64 rng(11);
  QuantileSketch weighted, repeated;
  for (int i = 0; i < 2000; ++i) {
    const double v = i % 2 ? std::uniform_int_distribution<int>(0, 20)(rng)
                           : std::lognormal_distribution<double>(1, 1.5)(rng) - 2;
    const int count = std::uniform_int_distribution<int>(1, 50)(rng);
    weighted.Add(v, count);
    for (int c = 0; c < count; ++c) repeated.Add(v);
  }
  EXPECT_TRUE(SameBytes(Encode(weighted), Encode(repeated)));
  ExpectSameAnswers(weighted, repeated);
}

TEST(QuantileSketchTest, FractionalWeights) {
  QuantileSketch quarters, whole;
  for (int c = 0; c < 4; ++c) quarters.Add(3, 0.25);
  whole.Add(3);
  EXPECT_TRUE(SameBytes(Encode(quarters), Encode(whole)));

  QuantileSketch s;
  s.Add(-2, 0.1);
  s.Add(0, 0.3);
  s.Add(5, 2.5);
  const std::string bytes = Encode(s);
  EXPECT_EQ(bytes.size(), 1 + 9 + (1 + 2 + 9) + (1 + 2 + 9));  // Three raw doubles.
  QuantileSketch back = Decode(bytes);
  EXPECT_TRUE(SameBytes(Encode(back), bytes));
  ExpectSameAnswers(back, s);
  EXPECT_DOUBLE_EQ(back.count(), 2.9);
}

TEST(QuantileSketchTest, WeightsDecideRanks) {
  QuantileSketch s;
  s.Add(1, 99);
  s.Add(1000, 1);
  EXPECT_LE(RelativeError(s.Quantile(0.99), 1), kBound);
  EXPECT_LE(RelativeError(s.Quantile(0.991), 1000), kBound);
  EXPECT_LE(RelativeError(s.TrimmedMean(0, 1), (99 + 1000) / 100.0), kBound);
  EXPECT_LE(RelativeError(s.TrimmedMean(0, 0.99), 1), kBound);
  EXPECT_LE(RelativeError(s.TrimmedMean(0.98, 1), (1 + 1000) / 2.0), kBound);
}

TEST(QuantileSketchTest, TrimmedMeanArguments) {
  QuantileSketch s = SketchOf({1, 2, 3, 4});
  EXPECT_TRUE(std::isnan(s.TrimmedMean(0.5, 0.5)));
  EXPECT_TRUE(std::isnan(s.TrimmedMean(0.9, 0.1)));
  EXPECT_TRUE(std::isnan(s.TrimmedMean(std::numeric_limits<double>::quiet_NaN(), 1)));
  EXPECT_TRUE(std::isnan(s.TrimmedMean(-2, -1)));  // Both clamp to 0: nothing inside.
  EXPECT_LE(RelativeError(s.TrimmedMean(-5, 5), 2.5), kBound);
  EXPECT_LE(RelativeError(s.TrimmedMean(0.25, 0.75), 2.5), kBound);
  EXPECT_LE(RelativeError(s.TrimmedMean(0, 0.25), 1), kBound);
}

TEST(QuantileSketchTest, MergeIsOrderIndependent) {
  const std::vector<double> values = Draw(Distributions()[5], 10'000, 5);
  std::vector<QuantileSketch> parts(7);
  for (size_t i = 0; i < values.size(); ++i) parts[i % 7].Add(values[i], 1 + i % 4);
  QuantileSketch forward, backward;
  for (const auto& p : parts) forward.Merge(p);
  for (size_t k = parts.size(); k-- > 0;) backward.Merge(parts[k]);
  EXPECT_TRUE(SameBytes(Encode(forward), Encode(backward)));
  QuantileSketch self = parts[0];
  self.Merge(self);  // Doubles every weight.
  QuantileSketch twice = parts[0];
  twice.Merge(parts[0]);
  EXPECT_TRUE(SameBytes(Encode(self), Encode(twice)));
}

// ---- The kMaxBins bound ----

TEST(QuantileSketchCollapseTest, Span1e6To1e9FitsWithoutCollapsing) {
  std::mt19937_64 rng(17);
  std::vector<double> values(300'000);
  for (double& v : values) v = LogUniform(rng, 1e-6, 1e9);
  QuantileSketch s = SketchOf(values);
  std::sort(values.begin(), values.end());
  EXPECT_GT(s.bin_count(), 3400u);
  EXPECT_LT(s.bin_count(), QuantileSketch::kMaxBins);
  for (double q : kQuantiles) {
    EXPECT_LE(RelativeError(s.Quantile(q), ExactQuantile(values, q)), kBound) << "q=" << q;
  }
}

TEST(QuantileSketchCollapseTest, WiderSpanCollapsesLowestMagnitudesOnly) {
  std::mt19937_64 rng(19);
  std::vector<double> values(300'000);
  for (double& v : values) v = LogUniform(rng, 1e-9, 1e13);
  QuantileSketch s = SketchOf(values);
  std::sort(values.begin(), values.end());
  EXPECT_EQ(s.bin_count(), QuantileSketch::kMaxBins);
  EXPECT_GE(s.MemoryBytes(), QuantileSketch::kMaxBins * 12);
  for (double q : {0.5, 0.9, 0.99, 0.999, 1.0}) {
    EXPECT_LE(RelativeError(s.Quantile(q), ExactQuantile(values, q)), kBound) << "q=" << q;
  }
  // Below the collapsed bucket answers are too high, never too low.
  EXPECT_GT(s.Quantile(0), 1e3 * ExactQuantile(values, 0));
  for (double q : {0.0, 0.01, 0.1}) {
    EXPECT_GE(s.Quantile(q), ExactQuantile(values, q) * (1 - kBound)) << "q=" << q;
  }
}

TEST(QuantileSketchCollapseTest, NegativesKeepTheirLargestMagnitudes) {
  std::mt19937_64 rng(23);
  std::vector<double> values(300'000);
  for (double& v : values) v = -LogUniform(rng, 1e-9, 1e13);
  QuantileSketch s = SketchOf(values);
  std::sort(values.begin(), values.end());
  EXPECT_EQ(s.bin_count(), QuantileSketch::kMaxBins);
  for (double q : {0.0, 0.001, 0.01, 0.1, 0.5}) {
    EXPECT_LE(RelativeError(s.Quantile(q), ExactQuantile(values, q)), kBound) << "q=" << q;
  }
  EXPECT_LT(s.Quantile(1), 1e3 * ExactQuantile(values, 1));  // Collapsed: more negative.
}

TEST(QuantileSketchCollapseTest, CollapsingDependsOnlyOnTheValues) {
  std::mt19937_64 rng(29);
  std::vector<double> values(100'000);
  for (double& v : values) v = LogUniform(rng, 1e-9, 1e13);
  const std::string shuffled = Encode(SketchOf(values));
  std::sort(values.begin(), values.end());
  const std::string ascending = Encode(SketchOf(values));
  std::reverse(values.begin(), values.end());
  const std::string descending = Encode(SketchOf(values));
  EXPECT_TRUE(SameBytes(shuffled, ascending));
  EXPECT_TRUE(SameBytes(shuffled, descending));
  // Halves that each collapsed merge into the sketch of the whole.
  QuantileSketch low, high;
  for (size_t i = 0; i < values.size(); ++i) (i % 2 ? low : high).Add(values[i]);
  low.Merge(high);
  EXPECT_TRUE(SameBytes(Encode(low), shuffled));
  EXPECT_EQ(low.bin_count(), QuantileSketch::kMaxBins);
  EXPECT_TRUE(SameBytes(Encode(Decode(shuffled)), shuffled));
}

// ---- Encoding ----

TEST(QuantileSketchEncodingTest, ConsumesOnlyItsOwnBytes) {
  QuantileSketch a = SketchOf({1, 2, 3}), b = SketchOf({-7, 0, 1e6});
  std::string bytes;
  a.EncodeTo(&bytes);
  b.EncodeTo(&bytes);
  bytes += "tail";
  std::string_view in = bytes;
  Result<QuantileSketch> da = QuantileSketch::DecodeFrom(&in);
  GL_ASSERT_OK(da);
  Result<QuantileSketch> db = QuantileSketch::DecodeFrom(&in);
  GL_ASSERT_OK(db);
  EXPECT_EQ(in, "tail");
  EXPECT_TRUE(SameBytes(Encode(da.value()), Encode(a)));
  EXPECT_TRUE(SameBytes(Encode(db.value()), Encode(b)));
  EXPECT_THAT(QuantileSketch::DecodeFrom(&in), StatusIs(Code::kCorruption, "unknown format 116"));
  EXPECT_EQ(in, "tail");
}

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string ZigZag(int64_t v) {
  return Varint((static_cast<uint64_t>(v) << 1) ^ (v < 0 ? ~0ull : 0ull));
}
std::string RawDouble(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  std::string out = Varint(1);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
  return out;
}
// Format byte, zero weight 0, no negative bins, then the positive store.
std::string WithPositive(const std::string& store) {
  return std::string("\x01\x00\x00", 3) + store;
}

TEST(QuantileSketchEncodingTest, HostileInputsAreNamedWithTheirOffset) {
  const struct {
    std::string bytes;
    std::string message;
  } cases[] = {
      {"", "truncated format byte at byte offset 0"},
      {"\x02", "unknown format 2 at byte offset 0"},
      {std::string("\x01", 1) + Varint(3), "unknown tag 3 of zero bucket weight at byte offset 1"},
      {std::string("\x01", 1) + RawDouble(-1), "zero bucket weight not finite"},
      {std::string("\x01\x00", 2) + Varint(5000),
       "negative bin count 5000 above 4096 at byte offset 2"},
      {std::string("\x01\x00", 2) + Varint(1ull << 62), "negative bin count"},
      {WithPositive(Varint(2) + ZigZag(10) + Varint(2) + ZigZag(0) + Varint(2)),
       "positive bin indices not ascending at byte offset 6"},
      {WithPositive(Varint(2) + ZigZag(10) + Varint(2) + ZigZag(-5) + Varint(2)),
       "positive bin indices not ascending"},
      {WithPositive(Varint(1) + ZigZag(100000) + Varint(2)),
       "positive bin index 100000 out of range"},
      {WithPositive(Varint(1) + ZigZag(-3000) + Varint(2)),
       "positive bin index -3000 out of range"},
      {WithPositive(Varint(2) + ZigZag(10) + Varint(2) + ZigZag(int64_t{1} << 62) + Varint(2)),
       "delta 4611686018427387904 out of range"},
      {WithPositive(Varint(2) + ZigZag(10) + Varint(2) + ZigZag(INT64_MAX) + Varint(2)),
       "out of range"},
      {WithPositive(Varint(1) + ZigZag(10) + Varint(0)),
       "positive bin weight not finite and positive"},
      {WithPositive(Varint(1) + ZigZag(10) + RawDouble(std::nan(""))), "not finite and positive"},
      {WithPositive(Varint(1) + ZigZag(10) + RawDouble(-1)), "not finite and positive"},
      {WithPositive(Varint(1) + ZigZag(10) + RawDouble(INFINITY)), "not finite and positive"},
      {WithPositive(Varint(1) + ZigZag(10) + Varint(uint64_t{1} << 54)), "above 2^53"},
      {WithPositive(Varint(1) + ZigZag(10) + std::string(11, '\xff')), "varint overflows 64 bits"},
      {WithPositive(Varint(1) + ZigZag(10) + std::string(9, '\xff') + '\x02'),
       "varint overflows 64 bits (positive bin weight) at byte offset 5"},
      {WithPositive(Varint(2) + ZigZag(10) + RawDouble(1e308) + ZigZag(1) + RawDouble(1e308)),
       "total weight not finite"},
  };
  for (const auto& c : cases) {
    std::string_view in = c.bytes;
    EXPECT_THAT(QuantileSketch::DecodeFrom(&in), StatusIs(Code::kCorruption, c.message));
    EXPECT_EQ(in.size(), c.bytes.size());
  }
}

TEST(QuantileSketchEncodingTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(31);
  int decoded = 0;
  for (int i = 0; i < 100'000; ++i) {
    std::string bytes(1 + rng() % 40, '\0');
    for (char& b : bytes) b = static_cast<char>(rng() % 4 == 0 ? rng() % 4 : rng());
    bytes[0] = '\x01';
    std::string_view in = bytes;
    Result<QuantileSketch> r = QuantileSketch::DecodeFrom(&in);
    if (!r.ok()) {
      ASSERT_EQ(r.status().code(), Code::kCorruption);
      continue;
    }
    ++decoded;
    const std::string again = Encode(r.value());
    ASSERT_TRUE(SameBytes(Encode(Decode(again)), again));
  }
  EXPECT_GT(decoded, 0);  // The fuzzing reaches valid sketches too.
}

// ---- Sizes ----

TEST(QuantileSketchSizeTest, TypicalSketches) {
  std::mt19937_64 rng(37);
  QuantileSketch twenty;
  for (int v = 1; v <= 20; ++v) twenty.Add(v * 1.7);
  twenty.ShrinkToFit();
  EXPECT_EQ(twenty.MemoryBytes(), 240u);  // 20 buckets x (4 + 8) bytes.

  QuantileSketch ints;
  for (int i = 0; i < 60; ++i) ints.Add(std::uniform_int_distribution<int>(0, 20)(rng));
  QuantileSketch lognormal;
  for (int i = 0; i < 1000; ++i) lognormal.Add(std::lognormal_distribution<double>(4, 1)(rng));
  QuantileSketch latencies;
  for (int i = 0; i < 100'000; ++i) latencies.Add(std::lognormal_distribution<double>(4, 1)(rng));

  const std::pair<const char*, QuantileSketch*> sketches[] = {
      {"60 integers 0..20", &ints},
      {"1,000 lognormal(4,1)", &lognormal},
      {"100,000 lognormal(4,1)", &latencies}};
  for (auto [name, s] : sketches) {
    const size_t heap = s->MemoryBytes();
    s->ShrinkToFit();
    std::printf("[ sizes    ] %s: %zu buckets, heap %zu bytes (%zu shrunk), encoded %zu bytes\n",
                name, s->bin_count(), heap, s->MemoryBytes(), Encode(*s).size());
  }
  EXPECT_LE(ints.bin_count(), 21u);
  EXPECT_LE(Encode(ints).size(), 4 + 3 * ints.bin_count());
  EXPECT_LT(Encode(lognormal).size(), 3 * lognormal.bin_count() + 4);
}

}  // namespace
}  // namespace gamelake
