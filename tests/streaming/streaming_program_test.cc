#include "streaming/streaming_program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "streaming/lab_task9.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SqlType IntType() {
  SqlType t;
  t.kind = SqlType::Kind::kInteger;
  return t;
}

StreamSchema LabSchema() {
  StreamSchema s;
  for (const char* name :
       {"PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"}) {
    s.columns.push_back({name, IntType()});
  }
  return s;
}

StreamRow Row(int64_t rowtime, std::vector<SqlValue> values) {
  StreamRow r;
  r.rowtime_ms = rowtime;
  r.values = std::move(values);
  return r;
}

StreamRow LabRow(int64_t rowtime, int64_t player, int64_t losses) {
  return Row(rowtime, {SqlValue::Integer(player), SqlValue::Integer(3), SqlValue::Integer(losses),
                       SqlValue::Integer(42), SqlValue::Integer(1), SqlValue::Integer(2)});
}

// Collects what the program produces: "STREAM@rowtime {json}" per row.
class Collector : public StreamingProgram::Sink {
 public:
  explicit Collector(const StreamingProgram* program) : program_(program) {}
  void OnRow(int stream, const StreamRow& row) override {
    const InAppStream& s = program_->streams()[stream];
    std::string json;
    AppendRowJson(s.schema, row, &json);
    rows.push_back(s.name + "@" + std::to_string(row.rowtime_ms) + " " + json);
  }
  void OnError(const ErrorRow& e) override {
    errors.push_back(e.pump_name + ": " + e.message + " " + e.data_row);
  }
  std::vector<std::string> rows;
  std::vector<std::string> errors;

 private:
  const StreamingProgram* program_;
};

TEST(StreamingProgramTest, TheLabsContinuousFilterKeepsExactlyTheRowsWithMoreThanTenLosses) {
  auto program = StreamingProgram::Compile(kLabTask9Sql, LabSchema(), {});
  GL_ASSERT_OK(program.status());
  ASSERT_EQ((*program)->streams().size(), 1u);
  EXPECT_EQ((*program)->streams()[0].name, "data_stream");
  Collector sink(program->get());
  for (int i = 0; i < 6; ++i) {
    GL_ASSERT_OK((*program)->Push(LabRow(1000 + i, i, 8 + i), &sink));
  }
  EXPECT_THAT(sink.rows, ElementsAre("data_stream@1003 {\"PlayerID\":3,\"Wins\":3,\"Losses\":11,"
                                     "\"COL_TimePlayed\":42,\"CaughtAt\":1,\"CaughtBy\":2}",
                                     "data_stream@1004 {\"PlayerID\":4,\"Wins\":3,\"Losses\":12,"
                                     "\"COL_TimePlayed\":42,\"CaughtAt\":1,\"CaughtBy\":2}",
                                     "data_stream@1005 {\"PlayerID\":5,\"Wins\":3,\"Losses\":13,"
                                     "\"COL_TimePlayed\":42,\"CaughtAt\":1,\"CaughtBy\":2}"));
  EXPECT_TRUE(sink.errors.empty());
}

TEST(StreamingProgramTest, PumpsChainThroughInApplicationStreams) {
  const char* sql = R"(
    CREATE STREAM "losers" ("id" INTEGER, "l" INTEGER);
    CREATE STREAM big_losers (id INTEGER, twice INTEGER);
    CREATE PUMP p1 AS INSERT INTO "losers" SELECT STREAM "PlayerID", "Losses"
      FROM SOURCE_SQL_STREAM_001 WHERE "Losses" > 10;
    CREATE PUMP p2 AS INSERT INTO big_losers SELECT STREAM "id", "l" * 2 FROM "losers" WHERE "l" >= 12;
  )";
  auto program = StreamingProgram::Compile(sql, LabSchema(), {});
  GL_ASSERT_OK(program.status());
  Collector sink(program->get());
  GL_ASSERT_OK((*program)->Push(LabRow(5, 1, 11), &sink));
  GL_ASSERT_OK((*program)->Push(LabRow(6, 2, 13), &sink));
  EXPECT_THAT(sink.rows, ElementsAre("losers@5 {\"id\":1,\"l\":11}", "losers@6 {\"id\":2,\"l\":13}",
                                     "BIG_LOSERS@6 {\"ID\":2,\"TWICE\":26}"));
}

TEST(StreamingProgramTest, UnionAllFeedsOneStreamFromTwoBranches) {
  const char* sql = R"(
    CREATE STREAM out_s (id INTEGER);
    CREATE PUMP p AS INSERT INTO out_s
      SELECT STREAM "PlayerID" FROM SOURCE_SQL_STREAM_001 WHERE "Losses" > 10
      UNION ALL
      SELECT STREAM "PlayerID" + 100 FROM SOURCE_SQL_STREAM_001 WHERE "Losses" < 2;
  )";
  auto program = StreamingProgram::Compile(sql, LabSchema(), {});
  GL_ASSERT_OK(program.status());
  Collector sink(program->get());
  GL_ASSERT_OK((*program)->Push(LabRow(1, 7, 11), &sink));
  GL_ASSERT_OK((*program)->Push(LabRow(2, 8, 1), &sink));
  GL_ASSERT_OK((*program)->Push(LabRow(3, 9, 5), &sink));
  EXPECT_THAT(sink.rows, ElementsAre("OUT_S@1 {\"ID\":7}", "OUT_S@2 {\"ID\":108}"));
}

TEST(StreamingProgramTest, RowsThatFailGoToTheErrorStreamWithTheReasonAndTheNextRowsFlow) {
  const char* sql = R"(CREATE STREAM s (x INTEGER, name VARCHAR(4));
CREATE PUMP p AS INSERT INTO s SELECT STREAM 100 / ("Losses" - 10), 'ab' FROM SOURCE_SQL_STREAM_001;
)";
  auto program = StreamingProgram::Compile(sql, LabSchema(), {});
  GL_ASSERT_OK(program.status());
  Collector sink(program->get());
  GL_ASSERT_OK((*program)->Push(LabRow(1, 1, 10), &sink));
  GL_ASSERT_OK((*program)->Push(LabRow(2, 2, 30), &sink));
  EXPECT_THAT(sink.rows, ElementsAre("S@2 {\"X\":5,\"NAME\":\"ab\"}"));
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_THAT(sink.errors[0], HasSubstr("P: 2:"));
  EXPECT_THAT(sink.errors[0], HasSubstr("\"Losses\":10"));
}

TEST(StreamingProgramTest, AValueTooBigForTheTargetColumnIsAnErrorRowNotAWrappedNumber) {
  StreamSchema input;
  SqlType big;
  big.kind = SqlType::Kind::kBigint;
  input.columns.push_back({"n", big});
  const char* sql = R"(CREATE STREAM s (x INTEGER);
CREATE PUMP p AS INSERT INTO s SELECT STREAM "n" FROM SOURCE_SQL_STREAM_001;)";
  auto program = StreamingProgram::Compile(sql, input, {});
  GL_ASSERT_OK(program.status());
  Collector sink(program->get());
  GL_ASSERT_OK((*program)->Push(Row(1, {SqlValue::Integer(int64_t{1} << 40)}), &sink));
  GL_ASSERT_OK((*program)->Push(Row(2, {SqlValue::Integer(7)}), &sink));
  EXPECT_THAT(sink.rows, ElementsAre("S@2 {\"X\":7}"));
  EXPECT_EQ(sink.errors.size(), 1u);
}

StreamSchema TickerSchema() {
  StreamSchema s;
  SqlType v;
  v.kind = SqlType::Kind::kVarchar;
  v.length = 4;
  s.columns.push_back({"TICKER_SYMBOL", v});
  s.columns.push_back({"PRICE", IntType()});
  return s;
}

StreamRow Tick(int64_t seconds, const char* ticker, int64_t price) {
  return Row(seconds * 1000, {SqlValue::String(ticker), SqlValue::Integer(price)});
}

std::unique_ptr<StreamingProgram> MustCompile(std::string_view sql, const StreamSchema& input) {
  auto program = StreamingProgram::Compile(sql, input, {});
  EXPECT_TRUE(program.ok()) << program.status().ToString();
  return program.ok() ? std::move(program).value() : nullptr;
}

constexpr char kTumblingSql[] = R"(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), TICKER_SYMBOL_COUNT INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM TICKER_SYMBOL, COUNT(*) AS TICKER_SYMBOL_COUNT
FROM "SOURCE_SQL_STREAM_001"
GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);)";

TEST(StreamingProgramTest, ATumblingWindowEmitsOnceTimePassesItsEndStampedWithTheEnd) {
  auto program = MustCompile(kTumblingSql, TickerSchema());
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  GL_ASSERT_OK(program->Push(Tick(0, "MSFT", 1), &sink));
  GL_ASSERT_OK(program->Push(Tick(10, "AMZN", 1), &sink));
  GL_ASSERT_OK(program->Push(Tick(59, "AMZN", 1), &sink));
  EXPECT_TRUE(sink.rows.empty());
  GL_ASSERT_OK(program->Push(Tick(70, "AMZN", 1), &sink));
  EXPECT_THAT(sink.rows, ElementsAre("DESTINATION_SQL_STREAM@60000 {\"TICKER_SYMBOL\":\"AMZN\","
                                     "\"TICKER_SYMBOL_COUNT\":2}",
                                     "DESTINATION_SQL_STREAM@60000 {\"TICKER_SYMBOL\":\"MSFT\","
                                     "\"TICKER_SYMBOL_COUNT\":1}"));
  sink.rows.clear();
  // No further row: the clock alone closes the window, not a moment before its end.
  GL_ASSERT_OK(program->AdvanceTime(119'999, &sink));
  EXPECT_TRUE(sink.rows.empty());
  GL_ASSERT_OK(program->AdvanceTime(120'000, &sink));
  EXPECT_THAT(sink.rows, ElementsAre("DESTINATION_SQL_STREAM@120000 {\"TICKER_SYMBOL\":\"AMZN\","
                                     "\"TICKER_SYMBOL_COUNT\":1}"));
}

TEST(StreamingProgramTest, SavedStateResumesAWindowAsIfNothingHappened) {
  auto first = MustCompile(kTumblingSql, TickerSchema());
  ASSERT_NE(first, nullptr);
  Collector sink1(first.get());
  GL_ASSERT_OK(first->Push(Tick(1, "AMZN", 1), &sink1));
  GL_ASSERT_OK(first->Push(Tick(2, "AMZN", 1), &sink1));
  std::string state = first->SaveState();
  auto second = MustCompile(kTumblingSql, TickerSchema());
  ASSERT_NE(second, nullptr);
  GL_ASSERT_OK(second->LoadState(state));
  Collector sink2(second.get());
  GL_ASSERT_OK(second->Push(Tick(3, "AMZN", 1), &sink2));
  GL_ASSERT_OK(second->AdvanceTime(60'000, &sink2));
  EXPECT_THAT(sink2.rows, ElementsAre("DESTINATION_SQL_STREAM@60000 {\"TICKER_SYMBOL\":\"AMZN\","
                                      "\"TICKER_SYMBOL_COUNT\":3}"));
  // State of other code is refused, not misread.
  auto other = MustCompile(kLabTask9Sql, LabSchema());
  EXPECT_THAT(other->LoadState(state), StatusIs(Status::Code::kCorruption, "pump"));
}

TEST(StreamingProgramTest, ASlidingWindowEmitsPerRowAndItsRangeIncludesTheBoundary) {
  const char* sql = R"(
CREATE STREAM out_s (ticker VARCHAR(4), price INTEGER, avg_price INTEGER, n INTEGER);
CREATE PUMP p AS INSERT INTO out_s
SELECT STREAM ticker_symbol, price, AVG(price) OVER w1, COUNT(*) OVER w1
FROM SOURCE_SQL_STREAM_001
WINDOW w1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);)";
  auto program = MustCompile(sql, TickerSchema());
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  GL_ASSERT_OK(program->Push(Tick(0, "AMZN", 10), &sink));
  GL_ASSERT_OK(program->Push(Tick(30, "AMZN", 15), &sink));
  GL_ASSERT_OK(program->Push(Tick(31, "MSFT", 99), &sink));
  GL_ASSERT_OK(program->Push(Tick(60, "AMZN", 30), &sink));
  GL_ASSERT_OK(program->Push(Tick(61, "AMZN", 40), &sink));
  EXPECT_THAT(
      sink.rows,
      ElementsAre("OUT_S@0 {\"TICKER\":\"AMZN\",\"PRICE\":10,\"AVG_PRICE\":10,\"N\":1}",
                  // Integer AVG truncates: (10 + 15) / 2 = 12.
                  "OUT_S@30000 {\"TICKER\":\"AMZN\",\"PRICE\":15,\"AVG_PRICE\":12,\"N\":2}",
                  "OUT_S@31000 {\"TICKER\":\"MSFT\",\"PRICE\":99,\"AVG_PRICE\":99,\"N\":1}",
                  // The row exactly one minute older is still in the window.
                  "OUT_S@60000 {\"TICKER\":\"AMZN\",\"PRICE\":30,\"AVG_PRICE\":18,\"N\":3}",
                  "OUT_S@61000 {\"TICKER\":\"AMZN\",\"PRICE\":40,\"AVG_PRICE\":28,\"N\":3}"));
}

TEST(StreamingProgramTest, AStaggerWindowEmitsAtItsFirstRowPlusItsLength) {
  // The developer guide's stagger example: EVENT_TIME in the record, ROWTIME later.
  StreamSchema input;
  SqlType ts;
  ts.kind = SqlType::Kind::kTimestamp;
  SqlType v;
  v.kind = SqlType::Kind::kVarchar;
  v.length = 4;
  input.columns = {{"EVENT_TIME", ts}, {"TICKER_SYMBOL", v}};
  const char* sql = R"(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), event_time TIMESTAMP, ticker_count INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM TICKER_SYMBOL, FLOOR(EVENT_TIME TO MINUTE), COUNT(TICKER_SYMBOL) AS ticker_count
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);)";
  auto program = MustCompile(sql, input);
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  int64_t t0 = 39600 * 1000;  // 11:00:00 on 1970-01-01.
  auto row = [&](int rowtime_s, int event_s) {
    return Row(t0 + rowtime_s * 1000,
               {SqlValue::Timestamp(t0 + event_s * 1000), SqlValue::String("AMZN")});
  };
  GL_ASSERT_OK(program->Push(row(20, 10), &sink));
  GL_ASSERT_OK(program->Push(row(30, 20), &sink));
  GL_ASSERT_OK(program->Push(row(65, 55), &sink));
  GL_ASSERT_OK(program->Push(row(75, 65), &sink));
  GL_ASSERT_OK(program->AdvanceTime(t0 + 200'000, &sink));
  EXPECT_THAT(sink.rows,
              ElementsAre("DESTINATION_SQL_STREAM@39680000 {\"TICKER_SYMBOL\":\"AMZN\","
                          "\"EVENT_TIME\":\"1970-01-01 11:00:00.000\",\"TICKER_COUNT\":3}",
                          "DESTINATION_SQL_STREAM@39735000 {\"TICKER_SYMBOL\":\"AMZN\","
                          "\"EVENT_TIME\":\"1970-01-01 11:01:00.000\",\"TICKER_COUNT\":1}"));
}

TEST(StreamingProgramTest, ASessionWindowClosesAfterTheGap) {
  const char* sql = R"(
CREATE STREAM s (ticker VARCHAR(4), n INTEGER, total INTEGER);
CREATE PUMP p AS INSERT INTO s
SELECT STREAM ticker_symbol, COUNT(*), SUM(price) FROM SOURCE_SQL_STREAM_001
WINDOWED BY SESSION (PARTITION BY ticker_symbol RANGE INTERVAL '30' SECOND);)";
  auto program = MustCompile(sql, TickerSchema());
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  GL_ASSERT_OK(program->Push(Tick(0, "AMZN", 1), &sink));
  GL_ASSERT_OK(program->Push(Tick(10, "AMZN", 2), &sink));
  GL_ASSERT_OK(program->Push(Tick(50, "AMZN", 4), &sink));
  GL_ASSERT_OK(program->AdvanceTime(80'000, &sink));
  EXPECT_THAT(sink.rows, ElementsAre("S@40000 {\"TICKER\":\"AMZN\",\"N\":2,\"TOTAL\":3}",
                                     "S@80000 {\"TICKER\":\"AMZN\",\"N\":1,\"TOTAL\":4}"));
}

TEST(StreamingProgramTest, TwoStreamsJoinOverAWindow) {
  StreamSchema input = TickerSchema();
  SqlType v;
  v.kind = SqlType::Kind::kVarchar;
  v.length = 8;
  input.columns.push_back({"KIND", v});
  const char* sql = R"(
CREATE STREAM orders (ticker VARCHAR(4), qty INTEGER);
CREATE STREAM trades (ticker VARCHAR(4), price INTEGER);
CREATE STREAM matched (ticker VARCHAR(4), qty INTEGER, price INTEGER);
CREATE PUMP p1 AS INSERT INTO orders SELECT STREAM ticker_symbol, price FROM SOURCE_SQL_STREAM_001 WHERE kind = 'order';
CREATE PUMP p2 AS INSERT INTO trades SELECT STREAM ticker_symbol, price FROM SOURCE_SQL_STREAM_001 WHERE kind = 'trade';
CREATE PUMP p3 AS INSERT INTO matched
SELECT STREAM o.ticker, o.qty, t.price
FROM orders OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
JOIN trades OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.ticker = t.ticker;)";
  auto program = MustCompile(sql, input);
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  auto row = [](int64_t s, const char* ticker, int64_t n, const char* kind) {
    return Row(s * 1000, {SqlValue::String(ticker), SqlValue::Integer(n), SqlValue::String(kind)});
  };
  GL_ASSERT_OK(program->Push(row(0, "AMZN", 5, "order"), &sink));
  GL_ASSERT_OK(program->Push(row(30, "AMZN", 100, "trade"), &sink));
  GL_ASSERT_OK(program->Push(row(40, "MSFT", 200, "trade"), &sink));
  GL_ASSERT_OK(program->Push(row(200, "AMZN", 101, "trade"), &sink));
  std::vector<std::string> matched;
  for (const std::string& r : sink.rows) {
    if (r.starts_with("MATCHED")) matched.push_back(r);
  }
  EXPECT_THAT(matched, ElementsAre("MATCHED@30000 {\"TICKER\":\"AMZN\",\"QTY\":5,\"PRICE\":100}"));
}

TEST(StreamingProgramTest, TopKItemsTumblingCountsTheMostFrequentValuesPerWindow) {
  const char* sql = R"(
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM ("TICKER_SYMBOL" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM TABLE (TOP_K_ITEMS_TUMBLING(
  CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'TICKER_SYMBOL', 2, 60));)";
  auto program = MustCompile(sql, TickerSchema());
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  for (const char* t : {"A", "B", "B", "C", "C", "C"}) {
    GL_ASSERT_OK(program->Push(Tick(5, t, 1), &sink));
  }
  GL_ASSERT_OK(program->AdvanceTime(60'000, &sink));
  EXPECT_THAT(sink.rows, ElementsAre("DESTINATION_SQL_STREAM@60000 {\"TICKER_SYMBOL\":\"C\","
                                     "\"MOST_FREQUENT_VALUES\":3}",
                                     "DESTINATION_SQL_STREAM@60000 {\"TICKER_SYMBOL\":\"B\","
                                     "\"MOST_FREQUENT_VALUES\":2}"));
}

TEST(StreamingProgramTest, StateBeyondItsBoundStopsTheProgramWithAClearError) {
  ProgramOptions options;
  options.max_state_bytes = 4096;
  const char* sql = R"(
CREATE STREAM s (ticker VARCHAR(4), n INTEGER);
CREATE PUMP p AS INSERT INTO s SELECT STREAM ticker_symbol, COUNT(*) FROM SOURCE_SQL_STREAM_001
GROUP BY ticker_symbol, FLOOR(ROWTIME TO HOUR);)";
  auto program = StreamingProgram::Compile(sql, TickerSchema(), options);
  GL_ASSERT_OK(program.status());
  Collector sink(program->get());
  Status last;
  for (int i = 0; i < 100000 && last.ok(); ++i) {
    last = (*program)->Push(Tick(1, std::to_string(i).c_str(), 1), &sink);
  }
  EXPECT_EQ(last.code(), Status::Code::kResourceExhausted) << last.ToString();
}

struct BadProgram {
  const char* sql;
  const char* error;
};

class BadProgramTest : public ::testing::TestWithParam<BadProgram> {};

TEST_P(BadProgramTest, IsRefusedWithItsPosition) {
  auto program = StreamingProgram::Compile(GetParam().sql, LabSchema(), {});
  EXPECT_THAT(program.status(), StatusIs(Status::Code::kInvalidArgument, GetParam().error))
      << program.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadProgramTest,
    ::testing::Values(
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"PlayerID\" FROM \"source_sql_stream_001\";",
                   "2:62: stream \"source_sql_stream_001\" not found (names are case-sensitive "
                   "when quoted: did you mean \"SOURCE_SQL_STREAM_001\"?)"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"Lossess\" FROM SOURCE_SQL_STREAM_001;",
                   "2:46: column \"Lossess\" not found in SOURCE_SQL_STREAM_001"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO t SELECT STREAM "
                   "\"Losses\" FROM SOURCE_SQL_STREAM_001;",
                   "2:30: stream \"T\" not found (CREATE STREAM it before the pump)"},
        BadProgram{"CREATE STREAM s (x INTEGER, y INTEGER);\nCREATE PUMP p AS INSERT INTO s "
                   "SELECT STREAM \"Losses\" FROM SOURCE_SQL_STREAM_001;",
                   "2:32: the query gives 1 columns but INSERT INTO \"S\" takes 2"},
        BadProgram{"CREATE STREAM a (x INTEGER);\nCREATE STREAM b (x INTEGER);\n"
                   "CREATE PUMP p1 AS INSERT INTO b SELECT STREAM x FROM a;\n"
                   "CREATE PUMP p2 AS INSERT INTO a SELECT STREAM x FROM b;",
                   "4:13: pump \"P2\" makes a cycle"},
        BadProgram{"CREATE STREAM a (x INTEGER);\nCREATE PUMP p AS INSERT INTO a SELECT STREAM x "
                   "FROM a;",
                   "2:13: pump \"P\" makes a cycle"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE STREAM s (y INTEGER);",
                   "2:15: stream \"S\" already exists"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO "
                   "SOURCE_SQL_STREAM_001 SELECT STREAM * FROM s;",
                   "2:30: a pump cannot insert into SOURCE_SQL_STREAM_001"},
        BadProgram{"CREATE STREAM s (x TIMESTAMP);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"Losses\" > 1 FROM SOURCE_SQL_STREAM_001;",
                   "2:46: cannot insert BOOLEAN into column \"X\" TIMESTAMP"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY \"Losses\";",
                   "2:91: a streaming GROUP BY needs a monotonic expression"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"Losses\" FROM SOURCE_SQL_STREAM_001 WHERE \"Losses\";",
                   "2:88: WHERE needs a BOOLEAN condition, not INTEGER"},
        BadProgram{"CREATE STREAM s (x DOUBLE);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "RANDOM_CUT_FOREST(\"Losses\") FROM SOURCE_SQL_STREAM_001;",
                   "RANDOM_CUT_FOREST is not supported"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT "
                   "\"Losses\" FROM SOURCE_SQL_STREAM_001;",
                   "2:32: a pump's query must be SELECT STREAM"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "SUM(\"Losses\") OVER (RANGE INTERVAL '30' DAY PRECEDING) FROM "
                   "SOURCE_SQL_STREAM_001;",
                   "a window's RANGE of 2592000000 ms is longer than the limit"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "SUM(\"Losses\") OVER (ROWS 5 FOLLOWING) FROM SOURCE_SQL_STREAM_001;",
                   "FOLLOWING"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"Wins\" FROM SOURCE_SQL_STREAM_001 GROUP BY \"Losses\", "
                   "STEP(ROWTIME BY INTERVAL '1' MINUTE);",
                   "must appear in GROUP BY"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "HOTSPOTS(\"Losses\") FROM SOURCE_SQL_STREAM_001;",
                   "HOTSPOTS is not supported"}));

}  // namespace
}  // namespace gamelake
