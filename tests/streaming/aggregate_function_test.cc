#include "streaming/aggregate_function.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "operator_test_util.h"
#include "streaming/window_accumulator.h"

namespace gamelake {
namespace {

using testing_util::D;
using testing_util::I;
using testing_util::S;

AggregateSpec Spec(std::string_view name, ValueType arg, bool distinct = false) {
  Result<AggregateSpec> r = ResolveAggregate(name, distinct, false, {arg}, {1, 8});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : AggregateSpec();
}

SqlValue Aggregate(const AggregateSpec& spec, const std::vector<SqlValue>& values) {
  auto acc = NewAccumulator(spec);
  for (size_t i = 0; i < values.size(); ++i) acc->Add(values[i], static_cast<int64_t>(i) * 1000);
  SqlValue out;
  EXPECT_THAT(acc->Result(&out), IsOk());
  return out;
}

TEST(ResolveAggregateTest, ResultTypesFollowSql) {
  EXPECT_EQ(Spec("SUM", ValueType::kInteger).result_type, ValueType::kInteger);
  EXPECT_EQ(Spec("AVG", ValueType::kInteger).result_type, ValueType::kInteger);
  EXPECT_EQ(Spec("AVG", ValueType::kDecimal).result_type, ValueType::kDecimal);
  EXPECT_EQ(Spec("SUM", ValueType::kDouble).result_type, ValueType::kDouble);
  EXPECT_EQ(Spec("COUNT", ValueType::kString).result_type, ValueType::kInteger);
  EXPECT_EQ(Spec("MAX", ValueType::kString).result_type, ValueType::kString);
  EXPECT_EQ(Spec("FIRST_VALUE", ValueType::kTimestamp).result_type, ValueType::kTimestamp);
  EXPECT_EQ(Spec("STDDEV_SAMP", ValueType::kInteger).result_type, ValueType::kDouble);
  EXPECT_EQ(Spec("SUM", ValueType::kIntervalDayTime).result_type, ValueType::kIntervalDayTime);
  Result<AggregateSpec> star = ResolveAggregate("COUNT", false, true, {}, {2, 3});
  GL_ASSERT_OK(star);
  EXPECT_EQ(star->kind, AggregateKind::kCountStar);
  Result<AggregateSpec> exp_avg = ResolveAggregate(
      "EXP_AVG", false, false, {ValueType::kDouble, ValueType::kIntervalDayTime}, {2, 3});
  GL_ASSERT_OK(exp_avg);
  EXPECT_EQ(exp_avg->result_type, ValueType::kDouble);
}

TEST(ResolveAggregateTest, BadCallsSayWhatAndWhere) {
  struct Case {
    std::string_view name;
    bool distinct;
    bool star;
    std::vector<ValueType> args;
    std::string_view message;
  };
  const Case cases[] = {
      {"SUM", false, false, {ValueType::kString}, "4:2: SUM needs a numeric argument, not VARCHAR"},
      {"AVG", false, false, {ValueType::kBoolean}, "4:2: AVG needs a numeric argument"},
      {"STDDEV_POP", false, false, {ValueType::kTimestamp}, "needs a numeric argument"},
      {"SUM", false, true, {}, "4:2: SUM does not take *"},
      {"COUNT", true, true, {}, "does not take DISTINCT *"},
      {"FIRST_VALUE", true, false, {ValueType::kInteger}, "FIRST_VALUE does not take DISTINCT"},
      {"MIN",
       false,
       false,
       {ValueType::kInteger, ValueType::kInteger},
       "MIN takes 1 argument, not 2"},
      {"EXP_AVG", false, false, {ValueType::kDouble}, "EXP_AVG takes 2 arguments"},
      {"EXP_AVG", false, false, {ValueType::kDouble, ValueType::kInteger}, "half-life"},
      {"MEDIAN", false, false, {ValueType::kInteger}, "4:2: MEDIAN is not an aggregate function"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ResolveAggregate(c.name, c.distinct, c.star, c.args, {4, 2}),
                StatusIs(Status::Code::kInvalidArgument, std::string(c.message)))
        << c.name;
  }
}

TEST(AccumulatorTest, IntegerAverageTruncatesTowardZero) {
  AggregateSpec avg = Spec("AVG", ValueType::kInteger);
  EXPECT_EQ(Aggregate(avg, {I(1), I(2)}), I(1));
  EXPECT_EQ(Aggregate(avg, {I(-1), I(-2)}), I(-1));
  // KDA's weather example: Denver 29, 32, 50, 43 averages 38.
  EXPECT_EQ(Aggregate(avg, {I(29), I(32), I(50), I(43)}), I(38));
  EXPECT_EQ(Aggregate(Spec("AVG", ValueType::kDouble), {D(1), D(2)}), D(1.5));
}

TEST(AccumulatorTest, NullsAreIgnoredAndEmptySetsFollowSql) {
  SqlValue null_int = SqlValue::Null(ValueType::kInteger);
  EXPECT_EQ(Aggregate(Spec("COUNT", ValueType::kInteger), {I(1), null_int, I(3)}), I(2));
  EXPECT_EQ(Aggregate(Spec("SUM", ValueType::kInteger), {I(1), null_int, I(3)}), I(4));
  EXPECT_EQ(Aggregate(Spec("AVG", ValueType::kInteger), {I(1), null_int, I(4)}), I(2));
  EXPECT_EQ(Aggregate(Spec("MIN", ValueType::kInteger), {null_int, I(3), I(2)}), I(2));
  for (std::string_view name : {"SUM", "AVG", "MIN", "MAX", "VAR_POP"}) {
    SqlValue v = Aggregate(Spec(name, ValueType::kInteger), {null_int});
    EXPECT_TRUE(v.is_null) << name;
  }
  EXPECT_EQ(Aggregate(Spec("COUNT", ValueType::kInteger), {}), I(0));
  AggregateSpec star_spec = ResolveAggregate("COUNT", false, true, {}, {1, 1}).value();
  auto star = NewAccumulator(star_spec);
  star->Add(SqlValue::Boolean(true), 0);
  star->Add(SqlValue::Boolean(true), 0);
  SqlValue n;
  GL_ASSERT_OK(star->Result(&n));
  EXPECT_EQ(n, I(2));
}

TEST(AccumulatorTest, IntegerSumIsExactAndOverflowIsAnError) {
  AggregateSpec sum = Spec("SUM", ValueType::kInteger);
  int64_t max = std::numeric_limits<int64_t>::max();
  // The running total leaves BIGINT and comes back: exact.
  EXPECT_EQ(Aggregate(sum, {I(max), I(10), I(-20)}), I(max - 10));
  auto acc = NewAccumulator(sum);
  acc->Add(I(max), 0);
  acc->Add(I(1), 0);
  SqlValue out;
  EXPECT_THAT(acc->Result(&out),
              StatusIs(Status::Code::kInvalidArgument, "1:8: SUM overflows BIGINT"));
}

TEST(AccumulatorTest, DistinctFirstLastAndStatistics) {
  EXPECT_EQ(Aggregate(Spec("COUNT", ValueType::kInteger, true), {I(1), I(1), D(1.0), I(2)}), I(2));
  EXPECT_EQ(Aggregate(Spec("SUM", ValueType::kInteger, true), {I(5), I(5), I(7)}), I(12));
  EXPECT_EQ(Aggregate(Spec("AVG", ValueType::kInteger, true), {I(5), I(5), I(8)}), I(6));
  SqlValue null_str = SqlValue::Null(ValueType::kString);
  AggregateSpec first = Spec("FIRST_VALUE", ValueType::kString);
  EXPECT_TRUE(Aggregate(first, {null_str, S("a")}).is_null);  // RESPECT NULLS by default.
  first.ignore_nulls = true;
  EXPECT_EQ(Aggregate(first, {null_str, S("a"), S("b")}), S("a"));
  AggregateSpec last = Spec("LAST_VALUE", ValueType::kString);
  EXPECT_TRUE(Aggregate(last, {S("a"), null_str}).is_null);
  last.ignore_nulls = true;
  EXPECT_EQ(Aggregate(last, {S("a"), S("b"), null_str}), S("b"));
  EXPECT_EQ(Aggregate(Spec("MAX", ValueType::kString), {S("Denver"), S("Miami"), S("Anchorage")}),
            S("Miami"));
  // 2, 4, 4, 4, 5, 5, 7, 9: population variance 4, sample variance 32/7.
  std::vector<SqlValue> xs = {I(2), I(4), I(4), I(4), I(5), I(5), I(7), I(9)};
  EXPECT_DOUBLE_EQ(Aggregate(Spec("VAR_POP", ValueType::kInteger), xs).d, 4.0);
  EXPECT_DOUBLE_EQ(Aggregate(Spec("STDDEV_POP", ValueType::kInteger), xs).d, 2.0);
  EXPECT_DOUBLE_EQ(Aggregate(Spec("VAR_SAMP", ValueType::kInteger), xs).d, 32.0 / 7);
  EXPECT_TRUE(Aggregate(Spec("VAR_SAMP", ValueType::kInteger), {I(3)}).is_null);
}

TEST(AccumulatorTest, ExpAvgHalvesTheWeightPerHalfLife) {
  AggregateSpec spec = ResolveAggregate("EXP_AVG", false, false,
                                        {ValueType::kDouble, ValueType::kIntervalDayTime}, {1, 1})
                           .value();
  spec.half_life_ms = 10'000;
  auto acc = NewAccumulator(spec);
  // 10 at t=0 weighs half of 40 at t=10s: (10*1 + 40*2) / 3 = 30.
  acc->Add(D(10), 0);
  acc->Add(D(40), 10'000);
  SqlValue out;
  GL_ASSERT_OK(acc->Result(&out));
  EXPECT_DOUBLE_EQ(out.d, 30.0);
  // Far apart in time (past the rebasing point) the newest value dominates.
  acc->Add(D(100), 10'000 + 10'000 * 1000);
  GL_ASSERT_OK(acc->Result(&out));
  EXPECT_NEAR(out.d, 100.0, 1e-9);
}

// A sliding window accumulator against the add-only one recomputed over the
// rows still in the window, on random rows: RANGE entries (several rows per
// millisecond), NULLs, and a save/load part way.
struct WindowCase {
  std::string name;
  ValueType type;
  bool distinct = false;
  bool ignore_nulls = false;
};

SqlValue RandomValue(ValueType type, std::mt19937* rng) {
  std::uniform_int_distribution<int> v(-20, 20);
  if (v(*rng) < -14) return SqlValue::Null(type);
  switch (type) {
    case ValueType::kDouble:
      return D(v(*rng) * 0.25);
    case ValueType::kString:
      return S(std::string(1, static_cast<char>('a' + (v(*rng) + 20) % 6)));
    default:
      return I(v(*rng));
  }
}

bool SameResult(const SqlValue& a, const SqlValue& b) {
  if (a.is_null || b.is_null) return a.is_null == b.is_null;
  if (a.type == ValueType::kDouble) return std::fabs(a.d - b.d) <= 1e-9 * (1 + std::fabs(b.d));
  return a == b;
}

TEST(WindowAccumulatorTest, MatchesRecomputingOverTheWindow) {
  const WindowCase cases[] = {
      {"COUNT", ValueType::kInteger},       {"SUM", ValueType::kInteger},
      {"SUM", ValueType::kDouble},          {"AVG", ValueType::kInteger},
      {"AVG", ValueType::kDouble},          {"MIN", ValueType::kInteger},
      {"MAX", ValueType::kString},          {"MIN", ValueType::kDouble},
      {"FIRST_VALUE", ValueType::kInteger}, {"FIRST_VALUE", ValueType::kInteger, false, true},
      {"LAST_VALUE", ValueType::kString},   {"LAST_VALUE", ValueType::kString, false, true},
      {"COUNT", ValueType::kString, true},  {"SUM", ValueType::kInteger, true},
      {"AVG", ValueType::kDouble, true},    {"VAR_POP", ValueType::kInteger},
      {"STDDEV_SAMP", ValueType::kDouble},  {"EXP_AVG", ValueType::kDouble},
  };
  for (const WindowCase& c : cases) {
    AggregateSpec spec;
    if (c.name == "EXP_AVG") {
      spec =
          ResolveAggregate("EXP_AVG", false, false, {c.type, ValueType::kIntervalDayTime}, {1, 1})
              .value();
      spec.half_life_ms = 7;
    } else {
      spec = Spec(c.name, c.type, c.distinct);
    }
    spec.ignore_nulls = c.ignore_nulls;
    SCOPED_TRACE(c.name + (c.distinct ? " DISTINCT" : "") +
                 (c.ignore_nulls ? " IGNORE NULLS" : ""));
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> step(0, 3);
    const int64_t range = 10;
    auto window = NewWindowAccumulator(spec);
    struct Held {
      uint64_t entry;
      int64_t rowtime;
      SqlValue v;
    };
    std::vector<Held> held;  // The rows in the window, oldest first.
    std::vector<int64_t> entry_times;
    uint64_t first_entry = 0;
    int64_t t = 0;
    for (int i = 0; i < 2000; ++i) {
      t += step(rng) == 0 ? 0 : step(rng) * 2;
      while (!entry_times.empty() && entry_times.front() < t - range) {
        window->PopFront(first_entry);
        while (!held.empty() && held.front().entry == first_entry) held.erase(held.begin());
        entry_times.erase(entry_times.begin());
        ++first_entry;
      }
      if (entry_times.empty() || entry_times.back() != t) entry_times.push_back(t);
      uint64_t entry = first_entry + entry_times.size() - 1;
      SqlValue v = RandomValue(c.type, &rng);
      window->Add(entry, t, v);
      held.push_back({entry, t, v});
      if (i == 1000) {  // Save and load part way.
        StateWriter w;
        window->Save(&w);
        std::string data = w.Release();
        StateReader r(data);
        window = NewWindowAccumulator(spec);
        GL_ASSERT_OK(window->Load(&r));
        ASSERT_TRUE(r.done());
      }
      auto fresh = NewAccumulator(spec);
      for (const Held& h : held) fresh->Add(h.v, h.rowtime);
      SqlValue want, got;
      GL_ASSERT_OK(fresh->Result(&want));
      GL_ASSERT_OK(window->Result(&got));
      ASSERT_TRUE(SameResult(got, want))
          << "row " << i << ": got " << got.i << "/" << got.d << "/" << got.s << " want " << want.i
          << "/" << want.d << "/" << want.s;
    }
  }
}

TEST(WindowAccumulatorTest, DoubleSumIsExactlyZeroOnceValuesLeaveAndSurvivesInfinity) {
  AggregateSpec spec = Spec("SUM", ValueType::kDouble);
  auto w = NewWindowAccumulator(spec);
  w->Add(0, 0, D(0.1));
  w->Add(1, 1, D(INFINITY));
  w->Add(2, 2, D(0.2));
  SqlValue out;
  GL_ASSERT_OK(w->Result(&out));
  EXPECT_TRUE(std::isinf(out.d));
  w->PopFront(0);
  w->PopFront(1);
  GL_ASSERT_OK(w->Result(&out));
  EXPECT_EQ(out.d, 0.2);
  w->Add(3, 3, SqlValue::Null(ValueType::kDouble));
  w->PopFront(2);
  GL_ASSERT_OK(w->Result(&out));
  EXPECT_TRUE(out.is_null);  // Only a NULL left: SUM of no values.
}

TEST(WindowAccumulatorTest, IntegerSumOverflowIsAnErrorUntilTheValueLeaves) {
  AggregateSpec spec = Spec("SUM", ValueType::kInteger);
  auto w = NewWindowAccumulator(spec);
  w->Add(0, 0, I(std::numeric_limits<int64_t>::max()));
  w->Add(1, 1, I(5));
  SqlValue out;
  EXPECT_THAT(w->Result(&out), StatusIs(Status::Code::kInvalidArgument, "SUM overflows BIGINT"));
  w->PopFront(0);
  GL_ASSERT_OK(w->Result(&out));
  EXPECT_EQ(out, I(5));
}

}  // namespace
}  // namespace gamelake
