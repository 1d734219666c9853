#include "streaming/tumbling_aggregate.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "operator_test_util.h"

namespace gamelake {
namespace {

using namespace testing_util;  // NOLINT: test helpers.

constexpr int64_t kMinute = 60'000;
constexpr int64_t kDay = 86'400'000;

// WEATHERSTREAM of the KDA SQL reference ("Aggregate Functions", "Windowed
// Aggregation on Streams"): ROWTIME, CITY, TEMP.
std::vector<StreamRow> WeatherRows() {
  struct R {
    const char* rowtime;
    const char* city;
    int temp;
  };
  const R rows[] = {
      {"2018-11-01 01:00:00", "Denver", 29},    {"2018-11-01 01:00:00", "Anchorage", 2},
      {"2018-11-01 06:00:00", "Miami", 65},     {"2018-11-01 07:00:00", "Denver", 32},
      {"2018-11-01 09:00:00", "Anchorage", 9},  {"2018-11-01 13:00:00", "Denver", 50},
      {"2018-11-01 17:00:00", "Anchorage", 10}, {"2018-11-01 18:00:00", "Miami", 71},
      {"2018-11-01 19:00:00", "Denver", 43},    {"2018-11-02 01:00:00", "Anchorage", 4},
      {"2018-11-02 01:00:00", "Denver", 39},    {"2018-11-02 07:00:00", "Denver", 46},
      {"2018-11-02 09:00:00", "Anchorage", 3},  {"2018-11-02 13:00:00", "Denver", 56},
      {"2018-11-02 17:00:00", "Anchorage", 2},  {"2018-11-02 19:00:00", "Denver", 50},
      {"2018-11-03 01:00:00", "Denver", 36},    {"2018-11-03 01:00:00", "Anchorage", 1},
  };
  std::vector<StreamRow> out;
  for (const R& r : rows) out.push_back(Row(Ts(r.rowtime), {S(r.city), I(r.temp)}));
  return out;
}

std::unique_ptr<TumblingAggregate> DailyMinMax() {
  TumblingAggregate::Options options;
  options.length_ms = kDay;
  return std::make_unique<TumblingAggregate>(
      Exprs(Step(Rowtime(), kDay)), 0,
      Aggs(Agg("MIN", Col(1, ValueType::kInteger)), Agg("MAX", Col(1, ValueType::kInteger))),
      std::move(options));
}

// GROUP BY FLOOR(ROWTIME TO DAY), CITY with MIN, MAX, SUM, COUNT, AVG of TEMP.
std::unique_ptr<TumblingAggregate> DailyPerCity() {
  TumblingAggregate::Options options;
  options.length_ms = kDay;
  return std::make_unique<TumblingAggregate>(
      Exprs(Step(Rowtime(), kDay), Col(0, ValueType::kString)), 0,
      Aggs(Agg("MIN", Col(1, ValueType::kInteger)), Agg("MAX", Col(1, ValueType::kInteger)),
           Agg("SUM", Col(1, ValueType::kInteger)), Agg("COUNT", Col(1, ValueType::kInteger)),
           Agg("AVG", Col(1, ValueType::kInteger))),
      std::move(options));
}

// KDA SQL reference, Aggregate Functions: MIN/MAX per day, emitted when the
// next day's first row arrives, stamped with the window end; 2018-11-03 only
// on a rowtime bound of 2018-11-04 00:00.
TEST(TumblingAggregateTest, KdaDailyMinMaxEmitsAtTheWindowEnd) {
  auto op = DailyMinMax();
  CollectingEmitter out;
  for (const StreamRow& r : WeatherRows()) GL_ASSERT_OK(op->Push(0, r, &out));
  std::vector<StreamRow> want = {
      Row(Ts("2018-11-02 00:00:00"), {T(Ts("2018-11-01 00:00:00")), I(2), I(71)}),
      Row(Ts("2018-11-03 00:00:00"), {T(Ts("2018-11-02 00:00:00")), I(2), I(56)}),
  };
  EXPECT_EQ(out.rows, want);
  // Not yet: the window is [2018-11-03, 2018-11-04).
  GL_ASSERT_OK(op->AdvanceTime(Ts("2018-11-03 23:59:59.999"), &out));
  EXPECT_EQ(out.rows.size(), 2u);
  GL_ASSERT_OK(op->AdvanceTime(Ts("2018-11-04 00:00:00"), &out));
  want.push_back(Row(Ts("2018-11-04 00:00:00"), {T(Ts("2018-11-03 00:00:00")), I(1), I(36)}));
  EXPECT_EQ(out.rows, want);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_EQ(op->StateBytes(), 0u);
}

// The same page, per city: SUM(TEMP)/COUNT(TEMP) truncates like AVG(TEMP);
// a city's rows of one day form one group, listed in city order.
TEST(TumblingAggregateTest, KdaDailyPerCityTable) {
  struct Want {
    const char* day;
    const char* city;
    int min, max, avg;
  };
  const Want table[] = {
      {"2018-11-01", "Anchorage", 2, 10, 7}, {"2018-11-01", "Denver", 29, 50, 38},
      {"2018-11-01", "Miami", 65, 71, 68},   {"2018-11-02", "Anchorage", 2, 4, 3},
      {"2018-11-02", "Denver", 39, 56, 47},  {"2018-11-03", "Anchorage", 1, 1, 1},
      {"2018-11-03", "Denver", 36, 36, 36},
  };
  auto op = DailyPerCity();
  CollectingEmitter out;
  for (const StreamRow& r : WeatherRows()) GL_ASSERT_OK(op->Push(0, r, &out));
  GL_ASSERT_OK(op->AdvanceTime(Ts("2018-11-04 00:00:00"), &out));
  ASSERT_EQ(out.rows.size(), std::size(table));
  for (size_t i = 0; i < std::size(table); ++i) {
    const Want& w = table[i];
    const StreamRow& r = out.rows[i];
    SCOPED_TRACE(std::string(w.day) + " " + w.city);
    EXPECT_EQ(r.rowtime_ms, Ts(w.day) + kDay);
    EXPECT_EQ(r.values[0], T(Ts(w.day)));
    EXPECT_EQ(r.values[1], S(w.city));
    EXPECT_EQ(r.values[2], I(w.min));
    EXPECT_EQ(r.values[3], I(w.max));
    EXPECT_EQ(r.values[4].i / r.values[5].i, w.avg);  // SUM(TEMP)/COUNT(TEMP)
    EXPECT_EQ(r.values[6], I(w.avg));                 // AVG(TEMP)
  }
}

// KDA developer guide, Stagger Windows ("Partial Results with Tumbling
// Windows"): GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE),
// STEP(ROWTIME BY INTERVAL '1' MINUTE).
TEST(TumblingAggregateTest, KdaTumblingWindowWithEventTimeKey) {
  TumblingAggregate::Options options;
  options.length_ms = kMinute;
  TumblingAggregate op(
      Exprs(Col(1, ValueType::kString), Step(Col(0, ValueType::kTimestamp), kMinute),
            Step(Rowtime(), kMinute)),
      2, Aggs(Agg("COUNT", Col(1, ValueType::kString))), std::move(options));
  CollectingEmitter out;
  const char* rows[][2] = {{"11:00:20", "11:00:10"},
                           {"11:00:30", "11:00:20"},
                           {"11:01:05", "11:00:55"},
                           {"11:01:15", "11:01:05"}};
  for (const auto& r : rows)
    GL_ASSERT_OK(op.Push(0, Row(Tod(r[0]), {T(Tod(r[1])), S("AMZN")}), &out));
  GL_ASSERT_OK(op.AdvanceTime(Tod("11:02:00"), &out));
  std::vector<StreamRow> want = {
      Row(Tod("11:01:00"), {S("AMZN"), T(Tod("11:00:00")), T(Tod("11:00:00")), I(2)}),
      Row(Tod("11:02:00"), {S("AMZN"), T(Tod("11:00:00")), T(Tod("11:01:00")), I(1)}),
      Row(Tod("11:02:00"), {S("AMZN"), T(Tod("11:01:00")), T(Tod("11:01:00")), I(1)}),
  };
  EXPECT_EQ(out.rows, want);
}

TEST(TumblingAggregateTest, EmitsOnAdvanceTimeWithoutFurtherRows) {
  TumblingAggregate::Options options;
  options.length_ms = 10'000;
  TumblingAggregate op(Exprs(Step(Rowtime(), 10'000)), 0,
                       Aggs(Agg("AVG", Col(0, ValueType::kInteger)), Agg("COUNT", nullptr)),
                       std::move(options));
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(1'000, {I(1)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(9'999, {I(2)}), &out));
  GL_ASSERT_OK(op.AdvanceTime(9'999, &out));
  EXPECT_TRUE(out.rows.empty());
  GL_ASSERT_OK(op.AdvanceTime(10'000, &out));
  // AVG of the integers 1 and 2 truncates to 1.
  EXPECT_EQ(out.rows, std::vector<StreamRow>{Row(10'000, {T(0), I(1), I(2)})});
  GL_ASSERT_OK(op.AdvanceTime(50'000, &out));
  EXPECT_EQ(out.rows.size(), 1u);  // No rows, no windows.
}

TEST(TumblingAggregateTest, FloorToMonthEndsAtTheNextCalendarMonth) {
  TumblingAggregate::Options options;
  options.length_months = 1;
  TumblingAggregate op(Exprs(std::make_unique<FloorMonthExpr>(Rowtime())), 0,
                       Aggs(Agg("COUNT", nullptr)), std::move(options));
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(Ts("2024-01-31 23:00:00"), {}), &out));
  GL_ASSERT_OK(op.Push(0, Row(Ts("2024-02-29 12:00:00"), {}), &out));
  GL_ASSERT_OK(op.AdvanceTime(Ts("2024-02-29 23:59:59.999"), &out));
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0].rowtime_ms, Ts("2024-02-01 00:00:00"));
  GL_ASSERT_OK(op.AdvanceTime(Ts("2024-03-01 00:00:00"), &out));
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1], Row(Ts("2024-03-01 00:00:00"), {T(Ts("2024-02-01 00:00:00")), I(1)}));
}

TEST(TumblingAggregateTest, FailuresGoToTheErrorStream) {
  TumblingAggregate::Options options;
  options.length_ms = 10'000;
  TumblingAggregate op(Exprs(Step(Rowtime(), 10'000), Col(0, ValueType::kString)), 0,
                       Aggs(Agg("SUM", std::make_unique<FailingExpr>(1, 0))), std::move(options));
  CollectingEmitter out;
  int64_t max = std::numeric_limits<int64_t>::max();
  GL_ASSERT_OK(op.Push(0, Row(1, {S("a"), I(max)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(2, {S("a"), I(1)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(3, {S("b"), I(0)}), &out));  // The argument fails: not counted.
  GL_ASSERT_OK(op.Push(0, Row(4, {S("b"), I(5)}), &out));
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].row, Row(3, {S("b"), I(0)}));
  EXPECT_EQ(out.errors[0].pos, (SqlPos{7, 9}));
  EXPECT_EQ(out.errors[0].message, "7:9: division by zero");
  GL_ASSERT_OK(op.AdvanceTime(10'000, &out));
  // Group "a" overflows BIGINT: its row goes to the error stream with NULL.
  ASSERT_EQ(out.errors.size(), 2u);
  EXPECT_EQ(out.errors[1].row, Row(10'000, {T(0), S("a"), NullOf(ValueType::kInteger)}));
  EXPECT_EQ(out.errors[1].pos, (SqlPos{3, 4}));
  EXPECT_EQ(out.errors[1].message, "3:4: SUM overflows BIGINT");
  EXPECT_EQ(out.rows, std::vector<StreamRow>{Row(10'000, {T(0), S("b"), I(5)})});
}

// Beyond KDA: windows on an event-time column with a watermark.
std::unique_ptr<TumblingAggregate> EventTimeWindows() {
  TumblingAggregate::Options options;
  options.length_ms = 10'000;
  options.event_time = Col(0, ValueType::kTimestamp);
  options.allowed_lateness_ms = 5'000;
  return std::make_unique<TumblingAggregate>(Exprs(Step(Col(0, ValueType::kTimestamp), 10'000)), 0,
                                             Aggs(Agg("SUM", Col(1, ValueType::kInteger))),
                                             std::move(options));
}

TEST(TumblingAggregateTest, EventTimeWindowsCloseOnTheWatermarkAndRefuseLateRows) {
  auto op = EventTimeWindows();
  CollectingEmitter out;
  // ROWTIME (ingest) runs ahead of the event time; events come out of order.
  GL_ASSERT_OK(op->Push(0, Row(100'000, {T(1'000), I(1)}), &out));
  GL_ASSERT_OK(op->Push(0, Row(100'001, {T(12'000), I(10)}), &out));
  GL_ASSERT_OK(op->Push(0, Row(100'002, {T(9'000), I(2)}), &out));  // Within the lateness.
  EXPECT_TRUE(out.rows.empty());
  GL_ASSERT_OK(op->Push(0, Row(100'003, {T(15'000), I(20)}), &out));  // Watermark 10s.
  EXPECT_EQ(out.rows, std::vector<StreamRow>{Row(100'003, {T(0), I(3)})});
  GL_ASSERT_OK(op->Push(0, Row(100'004, {T(9'999), I(4)}), &out));  // Its window closed.
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].message.find("late row"), std::string::npos) << out.errors[0].message;
  EXPECT_EQ(op->late_rows(), 1);
  // Idle: event time moves on with ROWTIME; [10s, 20s) closes at watermark 20s,
  // i.e. 25s event time, 10s of ROWTIME after the newest event (15s).
  GL_ASSERT_OK(op->AdvanceTime(110'002, &out));
  EXPECT_EQ(out.rows.size(), 1u);
  GL_ASSERT_OK(op->AdvanceTime(110'003, &out));
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1], Row(110'003, {T(10'000), I(30)}));
}

// With a monotonic key of unknown length, a window ends when the key changes
// (KDA: "whenever a row arrives that changes the value of the monotonic
// grouping expression"), stamped with that row's ROWTIME.
TEST(TumblingAggregateTest, UnknownLengthClosesWhenTheKeyChanges) {
  TumblingAggregate op(Exprs(Col(0, ValueType::kInteger)), 0, Aggs(Agg("COUNT", nullptr)), {});
  CollectingEmitter out;
  GL_ASSERT_OK(op.Push(0, Row(1, {I(7)}), &out));
  GL_ASSERT_OK(op.Push(0, Row(2, {I(7)}), &out));
  GL_ASSERT_OK(op.AdvanceTime(1'000'000, &out));
  EXPECT_TRUE(out.rows.empty());
  GL_ASSERT_OK(op.Push(0, Row(3, {I(8)}), &out));
  EXPECT_EQ(out.rows, std::vector<StreamRow>{Row(3, {I(7), I(2)})});
  GL_ASSERT_OK(op.Push(0, Row(4, {I(6)}), &out));
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].message.find("late row"), std::string::npos);
}

TEST(TumblingAggregateTest, SaveLoadMidWindowContinuesAsIfUninterrupted) {
  std::vector<Event> steps;
  for (const StreamRow& r : WeatherRows()) steps.push_back(In(r));
  steps.insert(steps.begin() + 5, Advance(Ts("2018-11-01 08:00:00")));
  steps.push_back(Advance(Ts("2018-11-04 00:00:00")));
  ExpectSaveLoadEquivalence(DailyPerCity, steps);

  std::vector<Event> events = {
      In(Row(100, {T(1'000), I(1)})),  In(Row(101, {T(12'000), I(10)})),
      In(Row(102, {T(9'000), I(2)})),  In(Row(103, {T(15'000), I(20)})),
      In(Row(104, {T(9'999), I(4)})),  Advance(10'000),
      In(Row(105, {T(31'000), I(5)})), Advance(20'000),
  };
  ExpectSaveLoadEquivalence(EventTimeWindows, events);
}

TEST(TumblingAggregateTest, StateOverItsBoundIsResourceExhausted) {
  TumblingAggregate::Options options;
  options.length_ms = kMinute;
  options.max_state_bytes = 64 * 1024;
  TumblingAggregate op(Exprs(Step(Rowtime(), kMinute), Col(0, ValueType::kInteger)), 0,
                       Aggs(Agg("SUM", Col(0, ValueType::kInteger))), std::move(options));
  CollectingEmitter out;
  Status s;
  int pushed = 0;
  while (s.ok() && pushed < 100'000) s = op.Push(0, Row(0, {I(pushed++)}), &out);
  EXPECT_THAT(s, StatusIs(Status::Code::kResourceExhausted, "over its bound of 65536"));
  EXPECT_LT(pushed, 10'000);
  EXPECT_GT(op.StateBytes(), 64u * 1024);
}

}  // namespace
}  // namespace gamelake
