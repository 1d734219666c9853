#include "streaming/session_window.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "../common/status_matchers.h"
#include "operator_test_util.h"

namespace gamelake {
namespace {

using namespace testing_util;  // NOLINT: test helpers.

// Sessions of a player: rows [player, score], a 30 s gap.
std::unique_ptr<SessionWindow> PlayerSessions() {
  return std::make_unique<SessionWindow>(
      Exprs(Col(0, ValueType::kString)), 30'000,
      Aggs(Agg("COUNT", nullptr), Agg("SUM", Col(1, ValueType::kInteger))), 1 << 30);
}

TEST(SessionWindowTest, ASessionEndsAfterTheGapStampedWithLastRowPlusGap) {
  auto op = PlayerSessions();
  CollectingEmitter out;
  GL_ASSERT_OK(op->Push(0, Row(0, {S("p1"), I(1)}), &out));
  GL_ASSERT_OK(op->Push(0, Row(5'000, {S("p2"), I(10)}), &out));
  GL_ASSERT_OK(op->Push(0, Row(10'000, {S("p1"), I(2)}), &out));
  GL_ASSERT_OK(op->AdvanceTime(34'999, &out));
  EXPECT_TRUE(out.rows.empty());
  GL_ASSERT_OK(op->AdvanceTime(35'000, &out));  // p2: 5 s + 30 s.
  EXPECT_EQ(out.rows,
            std::vector<StreamRow>{Row(35'000, {S("p2"), I(1), I(10), T(5'000), T(5'000)})});
  GL_ASSERT_OK(op->Push(0, Row(39'999, {S("p1"), I(4)}), &out));  // 29.999 s later: same session.
  EXPECT_EQ(out.rows.size(), 1u);
  // Exactly the gap after p1's last row: a new session.
  GL_ASSERT_OK(op->Push(0, Row(69'999, {S("p1"), I(8)}), &out));
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1], Row(69'999, {S("p1"), I(3), I(7), T(0), T(39'999)}));
  GL_ASSERT_OK(op->AdvanceTime(100'000, &out));
  ASSERT_EQ(out.rows.size(), 3u);
  EXPECT_EQ(out.rows[2], Row(99'999, {S("p1"), I(1), I(8), T(69'999), T(69'999)}));
  EXPECT_EQ(op->StateBytes(), 0u);
}

TEST(SessionWindowTest, SaveLoadMidSessionContinuesAsIfUninterrupted) {
  std::vector<Event> steps;
  int64_t t = 0;
  for (int i = 0; i < 40; ++i) {
    t += (i * 104729) % 25'000;
    steps.push_back(In(Row(t, {S(i % 4 == 0 ? "p1" : (i % 4 == 1 ? "p2" : "p3")), I(i)})));
    if (i % 6 == 0) steps.push_back(Advance(t + 10'000));
  }
  steps.push_back(Advance(t + 60'000));
  ExpectSaveLoadEquivalence(PlayerSessions, steps);
}

}  // namespace
}  // namespace gamelake
