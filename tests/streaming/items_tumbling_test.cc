#include "streaming/items_tumbling.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "operator_test_util.h"

namespace gamelake {
namespace {

using namespace testing_util;  // NOLINT: test helpers.

constexpr int64_t kMinute = 60'000;

std::unique_ptr<ItemsTumbling> TopThree() {
  return std::make_unique<ItemsTumbling>(ItemsTumbling::Kind::kTopK, Col(0, ValueType::kString), 3,
                                         kMinute, 1 << 30);
}

std::vector<Event> Trades() {
  std::vector<Event> steps;
  const char* tickers[] = {"AMZN", "INTC", "AMZN", "TBV",  "MSFT", "AMZN", "INTC",
                           "TBV",  "AAPL", "INTC", "MSFT", "AMZN", "TBV"};
  int64_t t = 0;
  for (const char* ticker : tickers) {
    steps.push_back(In(Row(t, {S(ticker)})));
    t += 4'000;  // 13 rows over 52 s: one window.
  }
  steps.push_back(In(Row(kMinute + 1, {S("AAPL")})));
  steps.push_back(In(Row(kMinute + 2, {NullOf(ValueType::kString)})));
  steps.push_back(Advance(2 * kMinute));
  return steps;
}

// TOP_K_ITEMS_TUMBLING('TICKER_SYMBOL', 3, 60): per one-minute window, the
// three most frequent tickers with their counts, at the window end.
TEST(ItemsTumblingTest, TopKItemsPerWindow) {
  auto op = TopThree();
  CollectingEmitter out;
  std::vector<Event> steps = Trades();
  RunSteps(op.get(), steps, 0, steps.size(), &out);
  std::vector<StreamRow> want = {
      Row(kMinute, {S("AMZN"), I(4)}),
      Row(kMinute, {S("INTC"), I(3)}),
      Row(kMinute, {S("TBV"), I(3)}),  // Ties: the smaller item first (INTC < TBV).
      Row(2 * kMinute, {S("AAPL"), I(1)}),
  };
  EXPECT_EQ(out.rows, want);
}

TEST(ItemsTumblingTest, CountDistinctItemsPerWindow) {
  ItemsTumbling op(ItemsTumbling::Kind::kCountDistinct, Col(0, ValueType::kString), 0, kMinute,
                   1 << 30);
  CollectingEmitter out;
  std::vector<Event> steps = Trades();
  RunSteps(&op, steps, 0, steps.size(), &out);
  std::vector<StreamRow> want = {Row(kMinute, {I(5)}), Row(2 * kMinute, {I(1)})};
  EXPECT_EQ(out.rows, want);
  GL_ASSERT_OK(op.Push(0, Row(kMinute + 5, {S("late")}), &out));
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].message.find("late row"), std::string::npos);
}

TEST(ItemsTumblingTest, SaveLoadMidWindowContinuesAsIfUninterrupted) {
  ExpectSaveLoadEquivalence(TopThree, Trades());
}

TEST(ItemsTumblingTest, StateOverItsBoundIsResourceExhausted) {
  ItemsTumbling op(ItemsTumbling::Kind::kCountDistinct, Col(0, ValueType::kInteger), 0, kMinute,
                   8 * 1024);
  CollectingEmitter out;
  Status s;
  int i = 0;
  while (s.ok() && i < 100'000) s = op.Push(0, Row(0, {I(i++)}), &out);
  EXPECT_THAT(s, StatusIs(Status::Code::kResourceExhausted, "COUNT_DISTINCT_ITEMS_TUMBLING holds"));
}

}  // namespace
}  // namespace gamelake
