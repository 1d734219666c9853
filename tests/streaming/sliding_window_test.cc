#include "streaming/sliding_window.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "operator_test_util.h"

namespace gamelake {
namespace {

using namespace testing_util;  // NOLINT: test helpers.

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kHour = 3'600'000;

SlidingWindow::Window Range(int64_t ms, std::vector<BoundExprPtr> partition_by = {}) {
  SlidingWindow::Window w;
  w.partition_by = std::move(partition_by);
  w.unit = SlidingWindow::Window::Unit::kRange;
  w.range_ms = ms;
  return w;
}

SlidingWindow::Window Rows(int64_t n, std::vector<BoundExprPtr> partition_by = {}) {
  SlidingWindow::Window w;
  w.partition_by = std::move(partition_by);
  w.unit = SlidingWindow::Window::Unit::kRows;
  w.preceding_rows = n;
  return w;
}

SlidingWindow::Aggregate Over(BoundAggregate agg, int window) { return {std::move(agg), window}; }

template <typename... W>
std::vector<SlidingWindow::Window> Windows(W... w) {
  std::vector<SlidingWindow::Window> v;
  (v.push_back(std::move(w)), ...);
  return v;
}

template <typename... A>
std::vector<SlidingWindow::Aggregate> AggList(A... a) {
  std::vector<SlidingWindow::Aggregate> v;
  (v.push_back(std::move(a)), ...);
  return v;
}

// KDA SQL reference, "Windowed Aggregation on Streams": WEATHERSTREAM,
// MIN(TEMP)/MAX(TEMP) OVER (RANGE INTERVAL '1' DAY PRECEDING). The page lists
// the results through 2018-11-02 19:00; the last two rows follow its rule.
TEST(SlidingWindowTest, KdaWeatherOneDayRangeIsInclusive) {
  struct R {
    const char* rowtime;
    const char* city;
    int temp, min, max;
  };
  const R table[] = {
      {"2018-11-01 01:00:00", "Denver", 29, 29, 29},
      {"2018-11-01 01:00:00", "Anchorage", 2, 2, 29},
      {"2018-11-01 06:00:00", "Miami", 65, 2, 65},
      {"2018-11-01 07:00:00", "Denver", 32, 2, 65},
      {"2018-11-01 09:00:00", "Anchorage", 9, 2, 65},
      {"2018-11-01 13:00:00", "Denver", 50, 2, 65},
      {"2018-11-01 17:00:00", "Anchorage", 10, 2, 65},
      {"2018-11-01 18:00:00", "Miami", 71, 2, 71},
      {"2018-11-01 19:00:00", "Denver", 43, 2, 71},
      {"2018-11-02 01:00:00", "Anchorage", 4, 2, 71},
      {"2018-11-02 01:00:00", "Denver", 39, 2, 71},
      {"2018-11-02 07:00:00", "Denver", 46, 4, 71},
      {"2018-11-02 09:00:00", "Anchorage", 3, 3, 71},
      {"2018-11-02 13:00:00", "Denver", 56, 3, 71},
      {"2018-11-02 17:00:00", "Anchorage", 2, 2, 71},
      {"2018-11-02 19:00:00", "Denver", 50, 2, 56},
      {"2018-11-03 01:00:00", "Denver", 36, 2, 56},
      {"2018-11-03 01:00:00", "Anchorage", 1, 1, 56},
  };
  SlidingWindow op(Windows(Range(kDay)),
                   AggList(Over(Agg("MIN", Col(1, ValueType::kInteger)), 0),
                           Over(Agg("MAX", Col(1, ValueType::kInteger)), 0)),
                   1 << 30);
  CollectingEmitter out;
  for (const R& r : table) {
    GL_ASSERT_OK(op.Push(0, Row(Ts(r.rowtime), {S(r.city), I(r.temp)}), &out));
    ASSERT_EQ(out.rows.size(), static_cast<size_t>(&r - table + 1)) << "one row per row, at once";
    EXPECT_EQ(out.rows.back(), Row(Ts(r.rowtime), {S(r.city), I(r.temp), I(r.min), I(r.max)}))
        << r.rowtime << " " << r.city;
  }
}

TEST(SlidingWindowTest, RangeBoundaryHoldsARowExactlyOneRangeOlder) {
  SlidingWindow op(Windows(Range(kDay)), AggList(Over(Agg("COUNT", nullptr), 0)), 1 << 30);
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(0, {}), &out));
  GL_ASSERT_OK(op.Push(0, Row(kDay, {}), &out));      // Exactly one day older: in.
  GL_ASSERT_OK(op.Push(0, Row(kDay + 1, {}), &out));  // The first row is now out.
  ASSERT_EQ(out.rows.size(), 3u);
  EXPECT_EQ(out.rows[0].values, std::vector<SqlValue>{I(1)});
  EXPECT_EQ(out.rows[1].values, std::vector<SqlValue>{I(2)});
  EXPECT_EQ(out.rows[2].values, std::vector<SqlValue>{I(2)});
}

TEST(SlidingWindowTest, RangeCurrentRowHoldsTheRowsOfTheSameRowtimeSoFar) {
  SlidingWindow op(Windows(Range(0)), AggList(Over(Agg("SUM", Col(0, ValueType::kInteger)), 0)),
                   1 << 30);
  CollectingEmitter out;
  for (auto [t, v] : {std::pair{5, 1}, {5, 2}, {5, 4}, {6, 8}}) {
    GL_ASSERT_OK(op.Push(0, Row(t, {I(v)}), &out));
  }
  std::vector<int64_t> sums;
  for (const StreamRow& r : out.rows) sums.push_back(r.values[1].i);
  EXPECT_EQ(sums, (std::vector<int64_t>{1, 3, 7, 8}));
}

// KDA developer guide, Sliding Windows, Example 3: avg(price) over the last
// 2 and the last 10 rows of each ticker — several windows in one SELECT.
TEST(SlidingWindowTest, RowsPrecedingPerPartitionAndSeveralWindows) {
  SlidingWindow op(
      Windows(Rows(2, Exprs(Col(0, ValueType::kString))),
              Rows(10, Exprs(Col(0, ValueType::kString)))),
      AggList(Over(Agg("AVG", Col(1, ValueType::kDouble)), 0),
              Over(Agg("AVG", Col(1, ValueType::kDouble)), 1), Over(Agg("COUNT", nullptr), 0)),
      1 << 30);
  CollectingEmitter out;
  std::vector<double> amzn, intc;
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    bool is_amzn = rng() % 3 != 0;
    double price = static_cast<double>(rng() % 1000) / 4;
    (is_amzn ? amzn : intc).push_back(price);
    GL_ASSERT_OK(op.Push(0, Row(i * 1000, {S(is_amzn ? "AMZN" : "INTC"), D(price)}), &out));
    const std::vector<double>& mine = is_amzn ? amzn : intc;
    auto avg_last = [&](size_t n) {
      size_t from = mine.size() > n ? mine.size() - n : 0;
      double s = 0;
      for (size_t k = from; k < mine.size(); ++k) s += mine[k];
      return s / static_cast<double>(mine.size() - from);
    };
    const StreamRow& r = out.rows.back();
    ASSERT_EQ(r.values.size(), 5u);
    EXPECT_NEAR(r.values[2].d, avg_last(3), 1e-9) << "ROWS 2 PRECEDING: the row and 2 before";
    EXPECT_NEAR(r.values[3].d, avg_last(11), 1e-9);
    EXPECT_EQ(r.values[4], I(static_cast<int64_t>(std::min<size_t>(mine.size(), 3))));
  }
}

// Random rows against a brute-force frame, partitions and RANGE and ROWS.
TEST(SlidingWindowTest, MatchesBruteForceFrames) {
  SlidingWindow op(Windows(Range(50, Exprs(Col(0, ValueType::kInteger))),
                           Rows(4, Exprs(Col(0, ValueType::kInteger)))),
                   AggList(Over(Agg("SUM", Col(1, ValueType::kInteger)), 0),
                           Over(Agg("MAX", Col(1, ValueType::kInteger)), 0),
                           Over(Agg("MIN", Col(1, ValueType::kInteger)), 1)),
                   1 << 30);
  CollectingEmitter out;
  std::vector<StreamRow> seen;
  std::mt19937 rng(3);
  int64_t t = 0;
  for (int i = 0; i < 3000; ++i) {
    t += rng() % 7 == 0 ? 0 : rng() % 9;
    StreamRow row = Row(t, {I(rng() % 5), I(static_cast<int64_t>(rng() % 200) - 100)});
    seen.push_back(row);
    GL_ASSERT_OK(op.Push(0, row, &out));
    if (i % 500 == 0) {
      GL_ASSERT_OK(op.AdvanceTime(t, &out));
    }
    int64_t sum = 0, in_rows = 0;
    int64_t max = std::numeric_limits<int64_t>::min();
    int64_t min = std::numeric_limits<int64_t>::max();
    for (size_t k = seen.size(); k-- > 0;) {
      const StreamRow& s = seen[k];
      if (s.values[0] != row.values[0]) continue;
      if (s.rowtime_ms >= t - 50) {
        sum += s.values[1].i;
        max = std::max(max, s.values[1].i);
      }
      if (in_rows++ < 5) min = std::min(min, s.values[1].i);
    }
    ASSERT_EQ(out.rows.back().values[2], I(sum)) << i;
    ASSERT_EQ(out.rows.back().values[3], I(max)) << i;
    ASSERT_EQ(out.rows.back().values[4], I(min)) << i;
  }
}

std::unique_ptr<SlidingWindow> TickerWindows() {
  return std::make_unique<SlidingWindow>(
      Windows(Range(10'000, Exprs(Col(0, ValueType::kString))), Rows(3)),
      AggList(Over(Agg("SUM", Col(1, ValueType::kInteger)), 0),
              Over(Agg("MIN", Col(1, ValueType::kInteger)), 0),
              Over(Agg("FIRST_VALUE", Col(0, ValueType::kString)), 1),
              Over(Agg("STDDEV_POP", Col(1, ValueType::kInteger)), 1),
              Over(Agg("COUNT", Col(1, ValueType::kInteger), true), 0)),
      1 << 30);
}

TEST(SlidingWindowTest, SaveLoadMidWindowContinuesAsIfUninterrupted) {
  std::vector<Event> steps;
  std::mt19937 rng(11);
  int64_t t = 0;
  for (int i = 0; i < 40; ++i) {
    t += rng() % 3000;
    steps.push_back(In(Row(t, {S(rng() % 2 ? "AMZN" : "INTC"), I(rng() % 10)})));
    if (i % 9 == 0) steps.push_back(Advance(t + 5'000));
  }
  ExpectSaveLoadEquivalence(TickerWindows, steps);
}

TEST(SlidingWindowTest, IdlePartitionsAreDropped) {
  SlidingWindow op(Windows(Range(kHour, Exprs(Col(0, ValueType::kInteger)))),
                   AggList(Over(Agg("SUM", Col(0, ValueType::kInteger)), 0)), 1 << 30);
  CollectingEmitter out;
  for (int p = 0; p < 1000; ++p) GL_ASSERT_OK(op.Push(0, Row(p, {I(p)}), &out));
  size_t full = op.StateBytes();
  EXPECT_GT(full, 1000u * 64);
  GL_ASSERT_OK(op.AdvanceTime(kHour + 500, &out));  // Partitions 0..499 have left.
  EXPECT_EQ(op.StateBytes(), full / 2);
  GL_ASSERT_OK(op.Push(0, Row(2 * kHour, {I(1)}), &out));  // The rest leave too.
  EXPECT_LT(op.StateBytes(), 1000u);
}

// The memory a buffered row costs: SUM(x) OVER (RANGE INTERVAL '1' HOUR
// PRECEDING), one partition.
TEST(SlidingWindowTest, BytesPerBufferedRow) {
  auto bytes_per_row = [](int rows_per_ms) {
    SlidingWindow op(Windows(Range(kHour)),
                     AggList(Over(Agg("SUM", Col(0, ValueType::kInteger)), 0)), 1ull << 34);
    CollectingEmitter out;
    const int kRows = 200'000;
    for (int i = 0; i < kRows; ++i) {
      EXPECT_TRUE(op.Push(0, Row(i / rows_per_ms, {I(i)}), &out).ok());
      if (out.rows.size() > 1000) out.rows.clear();
    }
    return static_cast<double>(op.StateBytes()) / kRows;
  };
  double distinct_ms = bytes_per_row(1);
  double hundred_per_ms = bytes_per_row(100);
  std::printf("sliding SUM(x) over 1 hour: %.1f bytes/row (one row per ms), %.2f (100 per ms)\n",
              distinct_ms, hundred_per_ms);
  // 8 bytes of ROWTIME + 24 of exact integer sum per entry, queues at most
  // twice their size.
  EXPECT_LE(distinct_ms, 64.0);
  EXPECT_GE(distinct_ms, 32.0);
  EXPECT_LE(hundred_per_ms, 1.0);
}

TEST(SlidingWindowTest, StateOverItsBoundIsResourceExhausted) {
  SlidingWindow op(Windows(Range(kHour)), AggList(Over(Agg("SUM", Col(0, ValueType::kInteger)), 0)),
                   100'000);
  CollectingEmitter out;
  Status s;
  int i = 0;
  while (s.ok() && i < 1'000'000) s = op.Push(0, Row(i, {I(i)}), &out), ++i;
  EXPECT_THAT(s, StatusIs(Status::Code::kResourceExhausted, "a sliding window holds"));
  EXPECT_LT(i, 10'000);
}

TEST(SlidingWindowTest, FailuresGoToTheErrorStream) {
  SlidingWindow op(Windows(Range(kHour)),
                   AggList(Over(Agg("SUM", std::make_unique<FailingExpr>(0, 0)), 0)), 1 << 30);
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(1, {I(std::numeric_limits<int64_t>::max())}), &out));
  GL_ASSERT_OK(op.Push(0, Row(2, {I(0)}), &out));           // Fails to evaluate: not in the window.
  GL_ASSERT_OK(op.Push(0, Row(3, {I(1)}), &out));           // The sum overflows.
  GL_ASSERT_OK(op.Push(0, Row(kHour + 2, {I(-1)}), &out));  // The big value has left.
  ASSERT_EQ(out.errors.size(), 2u);
  EXPECT_EQ(out.errors[0].message, "7:9: division by zero");
  EXPECT_EQ(out.errors[1].row, Row(3, {I(1)}));
  EXPECT_EQ(out.errors[1].message, "3:4: SUM overflows BIGINT");
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1], Row(kHour + 2, {I(-1), I(0)}));
}

}  // namespace
}  // namespace gamelake
