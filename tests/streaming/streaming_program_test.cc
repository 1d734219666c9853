#include "streaming/streaming_program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "status_matchers.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SqlType IntType() {
  SqlType t;
  t.kind = SqlType::Kind::kInteger;
  return t;
}
SqlType VarcharType(int n) {
  SqlType t;
  t.kind = SqlType::Kind::kVarchar;
  t.length = n;
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

constexpr char kLabSql[] = R"(-- ** Continuous Filter **
CREATE OR REPLACE STREAM "data_stream" ("PlayerID" INTEGER, "Wins" INTEGER, "Losses" INTEGER, "COL_TimePlayed" INTEGER, "CaughtAt" INTEGER, "CaughtBy" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "data_stream"
SELECT STREAM "PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"
FROM "SOURCE_SQL_STREAM_001"
WHERE "Losses" > 10;
)";

TEST(StreamingProgramTest, TheLabsContinuousFilterKeepsExactlyTheRowsWithMoreThanTenLosses) {
  auto program = StreamingProgram::Compile(kLabSql, LabSchema(), {});
  GL_ASSERT_OK(program.status());
  ASSERT_EQ((*program)->streams().size(), 1u);
  EXPECT_EQ((*program)->streams()[0].name, "data_stream");
  Collector sink(program->get());
  for (int i = 0; i < 6; ++i) {
    GL_ASSERT_OK((*program)->Push(LabRow(1000 + i, i, 8 + i), &sink));
  }
  EXPECT_THAT(sink.rows,
              ElementsAre("data_stream@1003 {\"PlayerID\":3,\"Wins\":3,\"Losses\":11,"
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

struct BadProgram {
  const char* sql;
  const char* error;
};

class BadProgramTest : public ::testing::TestWithParam<BadProgram> {};

TEST_P(BadProgramTest, IsRefusedWithItsPosition) {
  auto program = StreamingProgram::Compile(GetParam().sql, LabSchema(), {});
  EXPECT_THAT(program.status(), StatusIs(Status::Code::kInvalidArgument, GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadProgramTest,
    ::testing::Values(
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"PlayerID\" FROM \"source_sql_stream_001\";",
                   "2:60: stream \"source_sql_stream_001\" not found (names are case-sensitive "
                   "when quoted: did you mean \"SOURCE_SQL_STREAM_001\"?)"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"Lossess\" FROM SOURCE_SQL_STREAM_001;",
                   "2:47: column \"Lossess\" not found"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO t SELECT STREAM "
                   "\"Losses\" FROM SOURCE_SQL_STREAM_001;",
                   "2:30: stream \"T\" not found (CREATE STREAM it before the pump)"},
        BadProgram{"CREATE STREAM s (x INTEGER, y INTEGER);\nCREATE PUMP p AS INSERT INTO s "
                   "SELECT STREAM \"Losses\" FROM SOURCE_SQL_STREAM_001;",
                   "2:33: the query gives 1 columns but INSERT INTO \"S\" takes 2"},
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
                   "2:47: cannot insert BOOLEAN into column \"X\" TIMESTAMP"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY \"Losses\";",
                   "2:84: a streaming GROUP BY needs a monotonic expression"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "\"Losses\" FROM SOURCE_SQL_STREAM_001 WHERE \"Losses\";",
                   "2:88: WHERE needs a BOOLEAN condition, not INTEGER"},
        BadProgram{"CREATE STREAM s (x DOUBLE);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                   "RANDOM_CUT_FOREST(\"Losses\") FROM SOURCE_SQL_STREAM_001;",
                   "RANDOM_CUT_FOREST is not supported"},
        BadProgram{"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT "
                   "\"Losses\" FROM SOURCE_SQL_STREAM_001;",
                   "2:33: a pump's query must be SELECT STREAM"}));

}  // namespace
}  // namespace gamelake
