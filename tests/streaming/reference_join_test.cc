#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "streaming/reference_table.h"
#include "streaming/streaming_program.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;

SqlType Type(SqlType::Kind kind, int length = -1) { return SqlType::Of(kind, length); }

TEST(ReferenceCsvTest, HeaderNamesTypesAndQuoting) {
  Result<ReferenceTable> t =
      ParseReferenceCsv("R",
                        "Ticker,Company,Employees,Score,Listed\r\n"
                        "AMZN,\"Amazon, Inc.\",1500000,4.5,2018-08-01T10:00:00\r\n"
                        "\"A\"\"B\",\"two\nlines\",,3,2018-08-02 11:00:00\n");
  GL_ASSERT_OK(t);
  ASSERT_EQ(t->schema.columns.size(), 5u);
  EXPECT_EQ(t->schema.columns[0].name, "Ticker");
  EXPECT_EQ(t->schema.columns[0].type.kind, SqlType::Kind::kVarchar);
  EXPECT_EQ(t->schema.columns[2].type.kind, SqlType::Kind::kInteger);
  EXPECT_EQ(t->schema.columns[3].type.kind, SqlType::Kind::kDouble);
  EXPECT_EQ(t->schema.columns[4].type.kind, SqlType::Kind::kTimestamp);
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].values[1].s, "Amazon, Inc.");
  EXPECT_EQ(t->rows[0].values[2].i, 1500000);
  EXPECT_EQ(t->rows[1].values[0].s, "A\"B");
  EXPECT_EQ(t->rows[1].values[1].s, "two\nlines");
  EXPECT_TRUE(t->rows[1].values[2].is_null);  // An empty field is NULL.
  EXPECT_EQ(t->rows[1].values[3].d, 3.0);
}

TEST(ReferenceCsvTest, BadCsvSaysWhere) {
  EXPECT_THAT(ParseReferenceCsv("R", "").status(),
              StatusIs(Status::Code::kInvalidArgument, "line 1: no header"));
  EXPECT_THAT(ParseReferenceCsv("R", "a,b\n1,2\n3\n").status(),
              StatusIs(Status::Code::kInvalidArgument, "line 3: 1 fields, but the header names 2"));
  EXPECT_THAT(ParseReferenceCsv("R", "a,b\n1,\"2\n").status(),
              StatusIs(Status::Code::kInvalidArgument, "line 2, column 3: the quoted field never"));
  EXPECT_THAT(ParseReferenceCsv("R", "a,b\n\"1\"x,2\n").status(),
              StatusIs(Status::Code::kInvalidArgument, "line 2, column 4: after a quoted field"));
  EXPECT_THAT(
      ParseReferenceCsv("R", "a,,c\n").status(),
      StatusIs(Status::Code::kInvalidArgument, "line 1, column 3: a column without a name"));
  EXPECT_THAT(
      ParseReferenceCsv("R", "a,b,a\n").status(),
      StatusIs(Status::Code::kInvalidArgument, "line 1, column 5: column \"a\" appears twice"));
  EXPECT_THAT(ParseReferenceCsv("R", std::string(kMaxReferenceBytes + 1, 'x')).status(),
              StatusIs(Status::Code::kInvalidArgument, "at most"));
}

// The stream of the KDA developer guide's reference data example.
StreamSchema TickerSchema() {
  StreamSchema s;
  s.columns = {{"TICKER_SYMBOL", Type(SqlType::Kind::kVarchar, 4)},
               {"SECTOR", Type(SqlType::Kind::kVarchar, 16)},
               {"CHANGE", Type(SqlType::Kind::kDouble)},
               {"PRICE", Type(SqlType::Kind::kDouble)}};
  return s;
}

StreamRow Tick(int64_t ms, const char* ticker, double price) {
  StreamRow r;
  r.rowtime_ms = ms;
  r.values = {SqlValue::String(ticker), SqlValue::String("TECHNOLOGY"), SqlValue::Double(0.5),
              SqlValue::Double(price)};
  return r;
}

class Collector : public StreamingProgram::Sink {
 public:
  explicit Collector(const StreamingProgram* p) : p_(p) {}
  void OnRow(int stream, const StreamRow& row) override {
    std::string json;
    AppendRowJson(p_->streams()[stream].schema, row, &json);
    rows.push_back(std::to_string(row.rowtime_ms) + " " + json);
  }
  void OnError(const ErrorRow& e) override { errors.push_back(e.message); }
  std::vector<std::string> rows, errors;

 private:
  const StreamingProgram* p_;
};

std::unique_ptr<StreamingProgram> Compile(const std::string& sql) {
  ProgramOptions options;
  Result<ReferenceTable> table = ParseReferenceCsv(
      "CompanyName", "Ticker,Company\nAMZN,Amazon\nASD,SomeCompanyA\nMMB,SomeCompanyB\n");
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  options.reference_tables.push_back(std::make_shared<ReferenceTable>(std::move(table).value()));
  Result<std::unique_ptr<StreamingProgram>> p =
      StreamingProgram::Compile(sql, TickerSchema(), options);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

TEST(ReferenceJoinTest, TheDeveloperGuidesLeftJoinAddsTheCompanyName) {
  auto program = Compile(R"(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  ticker_symbol VARCHAR(4), "Company" varchar(20), sector VARCHAR(12), change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
  FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c"
  ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";)");
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  GL_ASSERT_OK(program->Push(Tick(1000, "AMZN", 10), &sink));
  GL_ASSERT_OK(program->Push(Tick(2000, "XYZ", 20), &sink));  // No company: LEFT keeps it.
  GL_ASSERT_OK(program->Push(Tick(3000, "MMB", 30), &sink));
  EXPECT_THAT(sink.rows,
              ElementsAre("1000 {\"TICKER_SYMBOL\":\"AMZN\",\"Company\":\"Amazon\",\"SECTOR\":"
                          "\"TECHNOLOGY\",\"CHANGE\":0.5,\"PRICE\":10}",
                          "2000 {\"TICKER_SYMBOL\":\"XYZ\",\"Company\":null,\"SECTOR\":"
                          "\"TECHNOLOGY\",\"CHANGE\":0.5,\"PRICE\":20}",
                          "3000 {\"TICKER_SYMBOL\":\"MMB\",\"Company\":\"SomeCompanyB\",\"SECTOR\":"
                          "\"TECHNOLOGY\",\"CHANGE\":0.5,\"PRICE\":30}"));
}

TEST(ReferenceJoinTest, InnerJoinDropsTheUnmatchedAndANonKeyConditionWorks) {
  auto program = Compile(R"(
CREATE STREAM s (t VARCHAR(4), company VARCHAR(20));
CREATE PUMP p AS INSERT INTO s
  SELECT STREAM src.ticker_symbol, c."Company" FROM SOURCE_SQL_STREAM_001 AS src
  JOIN "CompanyName" AS c ON c."Ticker" <> src.ticker_symbol AND src.price > 15;)");
  ASSERT_NE(program, nullptr);
  Collector sink(program.get());
  GL_ASSERT_OK(program->Push(Tick(1, "AMZN", 10), &sink));  // price: no match at all.
  GL_ASSERT_OK(program->Push(Tick(2, "ASD", 20), &sink));
  EXPECT_THAT(sink.rows, ElementsAre("2 {\"T\":\"ASD\",\"COMPANY\":\"Amazon\"}",
                                     "2 {\"T\":\"ASD\",\"COMPANY\":\"SomeCompanyB\"}"));
}

TEST(ReferenceJoinTest, RefusalsSayWhere) {
  ProgramOptions options;
  options.reference_tables.push_back(
      std::make_shared<ReferenceTable>(ParseReferenceCsv("R", "k,v\n1,2\n").value()));
  auto compile = [&](const std::string& sql) {
    return StreamingProgram::Compile(sql, TickerSchema(), options).status();
  };
  EXPECT_THAT(compile("CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                      "r.\"v\" FROM SOURCE_SQL_STREAM_001 RIGHT JOIN \"R\" AS r ON r.\"k\" = 1;"),
              StatusIs(Status::Code::kInvalidArgument, "2:79: a join with reference table"));
  EXPECT_THAT(compile("CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                      "r.\"nope\" FROM SOURCE_SQL_STREAM_001 JOIN \"R\" AS r ON r.\"k\" = 1;"),
              StatusIs(Status::Code::kInvalidArgument, "2:46: column \"nope\" not found"));
  EXPECT_THAT(compile("CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM "
                      "1 FROM SOURCE_SQL_STREAM_001 JOIN \"Q\" ON TRUE;"),
              StatusIs(Status::Code::kInvalidArgument,
                       "stream \"Q\" not found (nor a reference table of that name)"));
}

}  // namespace
}  // namespace gamelake
