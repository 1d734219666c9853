#include "streaming/stagger_window.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "../common/status_matchers.h"
#include "operator_test_util.h"

namespace gamelake {
namespace {

using namespace testing_util;  // NOLINT: test helpers.

constexpr int64_t kMinute = 60'000;

// WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL
// RANGE INTERVAL '1' MINUTE) with COUNT(TICKER_SYMBOL); rows are [EVENT_TIME,
// TICKER_SYMBOL].
std::unique_ptr<StaggerWindow> TickerStagger() {
  return std::make_unique<StaggerWindow>(
      Exprs(Step(Col(0, ValueType::kTimestamp), kMinute), Col(1, ValueType::kString)), kMinute,
      Aggs(Agg("COUNT", Col(1, ValueType::kString))), 1 << 30);
}

// KDA developer guide, Stagger Windows: the window opens with the first AMZN
// row (11:00:20) and emits at 11:01:20 with the three rows whose EVENT_TIME
// floors to 11:00; the fourth row (event 11:01:05) opens its own window,
// emitted at 11:02:15.
TEST(StaggerWindowTest, KdaStaggerExample) {
  auto op = TickerStagger();
  CollectingEmitter out;
  const char* rows[][2] = {{"11:00:20", "11:00:10"},
                           {"11:00:30", "11:00:20"},
                           {"11:01:05", "11:00:55"},
                           {"11:01:15", "11:01:05"}};
  for (const auto& r : rows) {
    GL_ASSERT_OK(op->Push(0, Row(Tod(r[0]), {T(Tod(r[1])), S("AMZN")}), &out));
  }
  EXPECT_TRUE(out.rows.empty());
  GL_ASSERT_OK(op->AdvanceTime(Tod("11:01:19.999"), &out));
  EXPECT_TRUE(out.rows.empty());
  GL_ASSERT_OK(op->AdvanceTime(Tod("11:01:20"), &out));
  GL_ASSERT_OK(op->AdvanceTime(Tod("11:02:15"), &out));
  std::vector<StreamRow> want = {
      Row(Tod("11:01:20"), {T(Tod("11:00:00")), S("AMZN"), I(3)}),
      Row(Tod("11:02:15"), {T(Tod("11:01:00")), S("AMZN"), I(1)}),
  };
  EXPECT_EQ(out.rows, want);
  EXPECT_EQ(op->StateBytes(), 0u);
}

TEST(StaggerWindowTest, EachKeyHasItsOwnWindowAndARowAtTheEndOpensTheNext) {
  StaggerWindow op(
      Exprs(Col(0, ValueType::kString)), 10'000,
      Aggs(Agg("SUM", Col(1, ValueType::kInteger)), Agg("MAX", Col(1, ValueType::kInteger))),
      1 << 30);
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(1'000, {S("a"), I(1)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(4'000, {S("b"), I(10)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(9'000, {S("a"), I(2)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(11'000, {S("a"), I(4)}), &out));  // a's window ended at 11s.
  EXPECT_EQ(out.rows, std::vector<StreamRow>{Row(11'000, {S("a"), I(3), I(2)})});
  GL_ASSERT_OK(op.Push(0, Row(14'000, {S("b"), I(20)}), &out));  // b's ends at 14s: a new one.
  GL_ASSERT_OK(op.AdvanceTime(30'000, &out));
  std::vector<StreamRow> want = {
      Row(11'000, {S("a"), I(3), I(2)}),
      Row(14'000, {S("b"), I(10), I(10)}),
      Row(21'000, {S("a"), I(4), I(4)}),
      Row(24'000, {S("b"), I(20), I(20)}),
  };
  EXPECT_EQ(out.rows, want);
}

TEST(StaggerWindowTest, SaveLoadMidWindowContinuesAsIfUninterrupted) {
  std::vector<Event> steps;
  int64_t t = Tod("11:00:00");
  for (int i = 0; i < 30; ++i) {
    t += (i * 7919) % 20'000;
    const char* ticker = i % 3 == 0 ? "AMZN" : (i % 3 == 1 ? "INTC" : "TBV");
    steps.push_back(In(Row(t, {T(t - 5'000), S(ticker)})));
    if (i % 7 == 0) steps.push_back(Advance(t + 30'000));
  }
  ExpectSaveLoadEquivalence(TickerStagger, steps);
}

TEST(StaggerWindowTest, StateOverItsBoundIsResourceExhausted) {
  StaggerWindow op(Exprs(Col(0, ValueType::kInteger)), kMinute, Aggs(Agg("COUNT", nullptr)),
                   32 * 1024);
  CollectingEmitter out;
  Status s;
  int i = 0;
  while (s.ok() && i < 100'000) s = op.Push(0, Row(0, {I(i++)}), &out);
  EXPECT_THAT(s, StatusIs(Status::Code::kResourceExhausted, "a stagger window holds"));
}

}  // namespace
}  // namespace gamelake
