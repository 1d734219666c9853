#include "metrics/metric_math.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;

MathSeries S(std::string id, std::vector<int64_t> t_s, std::vector<double> v) {
  MathSeries s;
  s.id = id;
  s.label = id + "-label";
  for (int64_t t : t_s) s.timestamps_ms.push_back(t * 1000);
  s.values = std::move(v);
  return s;
}

class MetricMathTest : public ::testing::Test {
 protected:
  MetricMathTest() {
    ctx_.series["m1"] = S("m1", {0, 60, 120, 180}, {1, 2, 3, 4});
    ctx_.series["m2"] = S("m2", {60, 180, 240}, {10, 20, 30});
    ctx_.series["zero"] = S("zero", {0, 60}, {0, 5});
    ctx_.metric_ids = {"m1", "m2"};
    ctx_.start_ms = 0;
    ctx_.end_ms = 300'000;
    ctx_.period_s = 60;
  }

  MathSeries Eval(std::string_view e) {
    auto r = EvaluateExpression(e, ctx_);
    EXPECT_THAT(r.status(), IsOk()) << e;
    return r.ok() ? *r : MathSeries{};
  }

  MathContext ctx_;
};

TEST_F(MetricMathTest, ArithmeticAlignsOnSharedTimestamps) {
  MathSeries sum = Eval("m1 + m2");
  EXPECT_THAT(sum.timestamps_ms, ElementsAre(60'000, 180'000));
  EXPECT_THAT(sum.values, ElementsAre(12, 24));
  EXPECT_THAT(Eval("m1 * 2 - 1").values, ElementsAre(1, 3, 5, 7));
  EXPECT_THAT(Eval("-m1 + 10").values, ElementsAre(9, 8, 7, 6));
  EXPECT_THAT(Eval("(m1 + 1) ^ 2").values, ElementsAre(4, 9, 16, 25));
  EXPECT_THAT(Eval("2 * 3 + 1").values.size(), 5u);       // A scalar: a point every period.
  EXPECT_THAT(Eval("m2 / zero").values, ElementsAre(2));  // x/0 leaves the point out.
}

TEST_F(MetricMathTest, FunctionsOverSeriesAndArrays) {
  MathSeries across = Eval("SUM(METRICS())");
  EXPECT_THAT(across.timestamps_ms, ElementsAre(0, 60'000, 120'000, 180'000, 240'000));
  EXPECT_THAT(across.values, ElementsAre(1, 12, 3, 24, 30));
  EXPECT_THAT(Eval("MAX([m1, m2])").values, ElementsAre(1, 10, 3, 20, 30));
  EXPECT_THAT(Eval("AVG([m1, m2])").values, ElementsAre(1, 6, 3, 12, 30));
  EXPECT_THAT(Eval("SUM(m1)").values, ElementsAre(10, 10, 10, 10, 10));  // A scalar.
  EXPECT_THAT(Eval("m1 / SUM(m1) * 100").values, ElementsAre(10, 20, 30, 40));
  EXPECT_THAT(Eval("sum(METRICS(\"m2\"))").values, ElementsAre(10, 20, 30));
  EXPECT_THAT(Eval("RATE(m2)").values, ElementsAre(10.0 / 120, 10.0 / 60));
  EXPECT_THAT(Eval("ABS(m1 - 3)").values, ElementsAre(2, 1, 0, 1));
}

TEST_F(MetricMathTest, FillUsesThePeriodGrid) {
  MathSeries zero = Eval("FILL(m2, 0)");
  EXPECT_THAT(zero.timestamps_ms, ElementsAre(0, 60'000, 120'000, 180'000, 240'000));
  EXPECT_THAT(zero.values, ElementsAre(0, 10, 0, 20, 30));
  MathSeries repeat = Eval("FILL(m2, REPEAT)");
  EXPECT_THAT(repeat.values, ElementsAre(10, 10, 20, 30));  // Nothing before the first.
  EXPECT_THAT(Eval("SUM(FILL(METRICS(), 0))").values, ElementsAre(1, 12, 3, 24, 30));
}

TEST_F(MetricMathTest, ErrorsSayWhere) {
  struct Case {
    std::string expression, message;
  };
  std::vector<Case> cases = {
      {"m1 +", "1:5: the expression ends too early"},
      {"m1 + m9", "1:6: unknown id 'm9'"},
      {"m1 ) ", "1:4: unexpected ')'"},
      {"SUM(m1", "1:7: expected ',' or ')'"},
      {"FOO(m1)", "1:1: unknown function FOO()"},
      {"FILL(m1)", "1:1: FILL() takes 2 arguments"},
      {"METRICS()", "gives 2 series"},
      {"METRICS() + METRICS()", "1:11: two arrays"},
      {"[1, m1]", "1:2: an array holds series"},
      {"1 / 0", "1:3: the result is not a finite number"},
      {"\"text\"", "1:1: a string is only an argument of METRICS()"},
      {"m1 # 2", "1:4: unexpected '#'"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(EvaluateExpression(c.expression, ctx_).status(),
                StatusIs(Status::Code::kInvalidArgument, c.message))
        << c.expression;
  }
  bool metrics = false;
  auto refs = ExpressionReferences("FILL(m1, REPEAT) + SUM(METRICS()) * e2", &metrics);
  GL_ASSERT_OK(refs.status());
  EXPECT_THAT(*refs, ElementsAre("e2", "m1"));
  EXPECT_TRUE(metrics);
}

}  // namespace
}  // namespace gamelake
