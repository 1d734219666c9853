#include "streaming/sql_parser.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;

SqlProgram Parse(std::string_view sql) {
  auto r = ParseProgram(sql);
  EXPECT_THAT(r.status(), IsOk()) << sql;
  return r.ok() ? std::move(r).value() : SqlProgram{};
}

std::string Expr(std::string_view sql) {
  auto r = ParseSqlExpression(sql);
  EXPECT_THAT(r.status(), IsOk()) << sql;
  return r.ok() ? SqlExprToString(**r) : "<error>";
}

// The one SELECT of a program made of one pump.
const SqlSelect& PumpQuery(const SqlProgram& p, size_t statement = 0) {
  static const SqlSelect kEmpty;
  if (p.statements.size() <= statement ||
      p.statements[statement].kind != SqlStatement::Kind::kCreatePump) {
    ADD_FAILURE() << "no pump at statement " << statement;
    return kEmpty;
  }
  return *p.statements[statement].create_pump.query;
}

std::vector<std::string> Items(const SqlSelect& s) {
  std::vector<std::string> out;
  for (const SqlSelectItem& item : s.items) {
    std::string text = SqlExprToString(*item.expr);
    if (item.alias) text += " AS " + item.alias->name;
    out.push_back(text);
  }
  return out;
}

constexpr std::string_view kLabSql = R"sql(-- ** Continuous Filter **
CREATE OR REPLACE STREAM "data_stream" ("PlayerID" INTEGER, "Wins" INTEGER, "Losses" INTEGER, "COL_TimePlayed" INTEGER, "CaughtAt" INTEGER, "CaughtBy" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "data_stream"
SELECT STREAM "PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"
FROM "SOURCE_SQL_STREAM_001"
WHERE "Losses" > 10;
)sql";

TEST(SqlParserTest, LabContinuousFilter) {
  SqlProgram p = Parse(kLabSql);
  ASSERT_EQ(p.statements.size(), 2u);
  const SqlStatement& st = p.statements[0];
  ASSERT_EQ(st.kind, SqlStatement::Kind::kCreateStream);
  EXPECT_EQ(st.pos, (SqlPos{2, 1}));
  EXPECT_TRUE(st.create_stream.or_replace);
  EXPECT_EQ(st.create_stream.name.name, "data_stream");
  EXPECT_TRUE(st.create_stream.name.quoted);
  std::vector<std::string> cols;
  for (const SqlColumnDef& c : st.create_stream.columns) {
    cols.push_back(c.name.name + " " + c.type.ToString());
  }
  EXPECT_THAT(cols, ElementsAre("PlayerID INTEGER", "Wins INTEGER", "Losses INTEGER",
                                "COL_TimePlayed INTEGER", "CaughtAt INTEGER", "CaughtBy INTEGER"));
  const SqlCreatePump& pump = p.statements[1].create_pump;
  EXPECT_EQ(pump.name.name, "STREAM_PUMP");
  EXPECT_EQ(pump.target.name, "data_stream");
  const SqlSelect& q = *pump.query;
  EXPECT_TRUE(q.stream);
  EXPECT_EQ(q.pos, (SqlPos{4, 1}));
  EXPECT_THAT(Items(q), ElementsAre("\"PlayerID\"", "\"Wins\"", "\"Losses\"", "\"COL_TimePlayed\"",
                                    "\"CaughtAt\"", "\"CaughtBy\""));
  EXPECT_EQ(q.from.stream.name, "SOURCE_SQL_STREAM_001");
  ASSERT_TRUE(q.where);
  EXPECT_EQ(SqlExprToString(*q.where), "(> \"Losses\" 10)");
  EXPECT_EQ(q.where->pos, (SqlPos{6, 7}));
}

TEST(SqlParserTest, IdentifierCase) {
  SqlProgram p = Parse(
      "create stream dest (ticker_symbol varchar(4), \"Price\" double);"
      "create pump p as insert into dest select stream Ticker_Symbol, \"Price\" from s");
  EXPECT_EQ(p.statements[0].create_stream.name.name, "DEST");
  EXPECT_FALSE(p.statements[0].create_stream.name.quoted);
  EXPECT_EQ(p.statements[0].create_stream.columns[0].name.name, "TICKER_SYMBOL");
  EXPECT_EQ(p.statements[0].create_stream.columns[0].type.ToString(), "VARCHAR(4)");
  EXPECT_EQ(p.statements[0].create_stream.columns[1].name.name, "Price");
  EXPECT_THAT(Items(PumpQuery(p, 1)), ElementsAre("TICKER_SYMBOL", "\"Price\""));
}

TEST(SqlParserTest, ColumnTypes) {
  SqlProgram p = Parse(
      "CREATE STREAM s (a INTEGER, b INT, c BIGINT, d SMALLINT, e TINYINT, f DOUBLE, g REAL, "
      "h FLOAT, i DECIMAL(10,2), j NUMERIC, k VARCHAR(16), l CHAR(3), m BOOLEAN, n TIMESTAMP, "
      "o DATE, p TIME NOT NULL, q DECIMAL(5))");
  std::vector<std::string> types;
  for (const SqlColumnDef& c : p.statements[0].create_stream.columns) {
    types.push_back(c.type.ToString());
  }
  EXPECT_THAT(types, ElementsAre("INTEGER", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "DOUBLE",
                                 "REAL", "FLOAT", "DECIMAL(10,2)", "NUMERIC", "VARCHAR(16)",
                                 "CHAR(3)", "BOOLEAN", "TIMESTAMP", "DATE", "TIME", "DECIMAL(5)"));
  EXPECT_TRUE(p.statements[0].create_stream.columns[15].not_null);
}

TEST(SqlParserTest, ExpressionsAndPrecedence) {
  struct Case {
    std::string sql;
    std::string tree;
  } cases[] = {
      {"a OR b AND NOT c = 1", "(OR A (AND B (NOT (= C 1))))"},
      {"1 + 2 * 3 - 4 / 5", "(- (+ 1 (* 2 3)) (/ 4 5))"},
      {"'a' || 'b' = x", "(= (|| 'a' 'b') X)"},
      {"a || b + 1", "(|| A (+ B 1))"},
      {"-a * +2", "(* (- A) (+ 2))"},
      {"x IS NOT NULL AND y IS NULL", "(AND (IS NOT NULL X) (IS NULL Y))"},
      {"x NOT BETWEEN 1 AND 2 + 3", "(NOT BETWEEN X 1 (+ 2 3))"},
      {"x IN (1, 2) OR x NOT IN ('a')", "(OR (IN X 1 2) (NOT IN X 'a'))"},
      {"s LIKE 'a%' ESCAPE '\\'", "(LIKE S 'a%' '\\')"},
      {"s NOT SIMILAR TO '[a-z]+'", "(NOT SIMILAR TO S '[a-z]+')"},
      {"a != b", "(<> A B)"},
      {"s.\"col\" + t.ROWTIME", "(+ S.\"col\" T.ROWTIME)"},
      {"TIMESTAMP '2009-02-09 12:00:00'", "TIMESTAMP '2009-02-09 12:00:00'"},
      {"INTERVAL '5' SECOND", "INTERVAL '5' SECOND"},
      {"INTERVAL '1:30' MINUTE TO SECOND", "INTERVAL '1:30' MINUTE TO SECOND"},
      {"ROWTIME - INTERVAL '1' DAY", "(- ROWTIME INTERVAL '1' DAY)"},
      {"CASE WHEN x > 1 THEN 'big' ELSE 'small' END", "(CASE (WHEN (> X 1) 'big') (ELSE 'small'))"},
      {"CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", "(CASE X (WHEN 1 'one') (WHEN 2 'two'))"},
      {"CAST(price AS DECIMAL(8,2))", "(CAST PRICE AS DECIMAL(8,2))"},
      {"COUNT(*)", "(COUNT *)"},
      {"COUNT(DISTINCT x)", "(COUNT DISTINCT X)"},
      {"STEP(ROWTIME BY INTERVAL '10' SECOND)", "(STEP ROWTIME INTERVAL '10' SECOND)"},
      {"FLOOR(ROWTIME TO MINUTE)", "(FLOOR ROWTIME TO MINUTE)"},
      {"CEIL(s.ROWTIME TO HOUR)", "(CEIL S.ROWTIME TO HOUR)"},
      {"FLOOR(price)", "(FLOOR PRICE)"},
      {"EXTRACT(HOUR FROM ROWTIME)", "(EXTRACT HOUR ROWTIME)"},
      {"POSITION('a' IN name)", "(POSITION 'a' NAME)"},
      {"SUBSTRING(s FROM 2 FOR 3)", "(SUBSTRING S 2 3)"},
      {"SUBSTRING(s, 2)", "(SUBSTRING S 2)"},
      {"TRIM(BOTH ' ' FROM s)", "(TRIM BOTH S ' ')"},
      {"TRIM(LEADING FROM s)", "(TRIM LEADING S)"},
      {"TRIM(s)", "(TRIM BOTH S)"},
      {"CHAR_TO_TIMESTAMP('yyyy-MM-dd', x)", "(CHAR_TO_TIMESTAMP 'yyyy-MM-dd' X)"},
      {"AVG(price) OVER w", "(AVG PRICE) OVER W"},
      {"CURRENT_ROW_TIMESTAMP", "(CURRENT_ROW_TIMESTAMP)"},
      {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM s))", "(RANDOM_CUT_FOREST (CURSOR ...))"},
      {"\"myUdf\"(1)", "(\"myUdf\" 1)"},
      {"1.5e3 + .5", "(+ 1.5e3 .5)"},
      {"TRUE AND x IS NULL", "(AND TRUE (IS NULL X))"},
  };
  for (const Case& c : cases) EXPECT_EQ(Expr(c.sql), c.tree) << c.sql;
}

TEST(SqlParserTest, TumblingWindowWithStep) {
  SqlProgram p = Parse(R"(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ticker_count INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);)");
  const SqlSelect& q = PumpQuery(p, 1);
  EXPECT_THAT(Items(q), ElementsAre("TICKER_SYMBOL", "(COUNT *) AS TICKER_COUNT"));
  ASSERT_EQ(q.group_by.size(), 2u);
  EXPECT_EQ(SqlExprToString(*q.group_by[1]),
            "(STEP \"SOURCE_SQL_STREAM_001\".ROWTIME INTERVAL '60' SECOND)");
  EXPECT_EQ(q.group_by[1]->pos, (SqlPos{6, 27}));
}

TEST(SqlParserTest, TumblingWindowWithFloor) {
  SqlProgram p = Parse(R"(
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE) AS "minute",
         ticker_symbol, MIN(price) AS min_price, AVG(price) AS avg_price
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY ticker_symbol, FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE)
  HAVING COUNT(*) > 1)");
  const SqlSelect& q = PumpQuery(p);
  EXPECT_EQ(q.items[0].alias->name, "minute");
  EXPECT_EQ(SqlExprToString(*q.group_by[1]), "(FLOOR \"SOURCE_SQL_STREAM_001\".ROWTIME TO MINUTE)");
  EXPECT_EQ(SqlExprToString(*q.having), "(> (COUNT *) 1)");
}

TEST(SqlParserTest, SlidingWindows) {
  SqlProgram p = Parse(R"(
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker_symbol, AVG(price) OVER w10 AS avg10, MAX(price) OVER last2 AS max2,
         SUM(change) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING) s
  FROM "SOURCE_SQL_STREAM_001"
  WINDOW w10 AS (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING),
         last2 AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING))");
  const SqlSelect& q = PumpQuery(p);
  ASSERT_EQ(q.windows.size(), 2u);
  EXPECT_EQ(q.windows[0].name.name, "W10");
  EXPECT_EQ(q.windows[0].spec.frame_unit, SqlWindowSpec::FrameUnit::kRange);
  EXPECT_EQ(q.windows[0].spec.frame_start.kind, SqlFrameBound::Kind::kPreceding);
  EXPECT_EQ(SqlExprToString(*q.windows[0].spec.frame_start.offset), "INTERVAL '10' SECOND");
  EXPECT_EQ(q.windows[1].spec.frame_unit, SqlWindowSpec::FrameUnit::kRows);
  EXPECT_EQ(SqlExprToString(*q.windows[1].spec.frame_start.offset), "2");
  const SqlExpr& inline_over = *q.items[3].expr;
  ASSERT_TRUE(inline_over.over);
  EXPECT_EQ(SqlExprToString(*inline_over.over->partition_by[0]), "TICKER_SYMBOL");
  EXPECT_EQ(q.items[3].alias->name, "S");
  EXPECT_EQ(q.items[1].expr->over->reference->name, "W10");
}

TEST(SqlParserTest, WindowFrameBetween) {
  SqlProgram p = Parse(
      "CREATE PUMP p AS INSERT INTO d SELECT STREAM SUM(x) OVER (ROWS BETWEEN 4 PRECEDING AND "
      "CURRENT ROW) FROM s");
  const SqlWindowSpec& w = *PumpQuery(p).items[0].expr->over;
  EXPECT_EQ(w.frame_start.kind, SqlFrameBound::Kind::kPreceding);
  ASSERT_TRUE(w.frame_end);
  EXPECT_EQ(w.frame_end->kind, SqlFrameBound::Kind::kCurrentRow);
}

TEST(SqlParserTest, StaggerWindow) {
  SqlProgram p = Parse(R"(
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM
    TICKER,
    FLOOR(EVENT_TIME TO MINUTE),
    COUNT(*) AS ticker_count
  FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (
    PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE);)");
  const SqlSelect& q = PumpQuery(p);
  ASSERT_TRUE(q.stagger);
  EXPECT_FALSE(q.from.alias);
  EXPECT_EQ(q.stagger->partition_by.size(), 2u);
  EXPECT_EQ(q.stagger->frame_start.kind, SqlFrameBound::Kind::kLength);
  EXPECT_EQ(SqlExprToString(*q.stagger->frame_start.offset), "INTERVAL '1' MINUTE");
}

TEST(SqlParserTest, StreamToStreamJoins) {
  SqlProgram p = Parse(R"(
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
  SELECT STREAM ROWTIME, o.orderId, o.ticker, o.amount AS tradeAmount, t.amount AS orderAmount
  FROM Orders AS o
  JOIN Trades OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
  ON o.orderId = t.orderId;
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "OUT2"
  SELECT STREAM *
  FROM "A" OVER (RANGE INTERVAL '1' HOUR PRECEDING) AS a
  LEFT OUTER JOIN "B" OVER (RANGE INTERVAL '1' HOUR FOLLOWING) AS b
  ON a."id" = b."id"
  FULL JOIN "C" c ON a."id" = c."id")");
  const SqlSelect& q = PumpQuery(p, 0);
  EXPECT_EQ(q.from.stream.name, "ORDERS");
  EXPECT_EQ(q.from.alias->name, "O");
  ASSERT_EQ(q.joins.size(), 1u);
  EXPECT_EQ(q.joins[0].type, SqlJoin::Type::kInner);
  EXPECT_EQ(q.joins[0].right.alias->name, "T");
  ASSERT_TRUE(q.joins[0].right.over);
  EXPECT_EQ(SqlExprToString(*q.joins[0].on), "(= O.ORDERID T.ORDERID)");
  EXPECT_EQ(Items(q)[0], "ROWTIME");

  const SqlSelect& q2 = PumpQuery(p, 1);
  ASSERT_TRUE(q2.from.over);
  EXPECT_EQ(q2.from.alias->name, "A");
  ASSERT_EQ(q2.joins.size(), 2u);
  EXPECT_EQ(q2.joins[0].type, SqlJoin::Type::kLeft);
  EXPECT_EQ(q2.joins[0].right.over->frame_start.kind, SqlFrameBound::Kind::kFollowing);
  EXPECT_EQ(q2.joins[1].type, SqlJoin::Type::kFull);
  EXPECT_EQ(q2.joins[1].right.alias->name, "C");
}

TEST(SqlParserTest, TopKItemsTumbling) {
  SqlProgram p = Parse(R"(
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM ("TICKER_SYMBOL" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM *
  FROM TABLE (TOP_K_ITEMS_TUMBLING(
      CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
      'TICKER_SYMBOL', 5, 60));)");
  const SqlSelect& q = PumpQuery(p, 1);
  ASSERT_EQ(q.from.kind, SqlTableRef::Kind::kTableFunction);
  const SqlExpr& f = *q.from.table_function;
  EXPECT_EQ(SqlExprToString(f), "(TOP_K_ITEMS_TUMBLING (CURSOR ...) 'TICKER_SYMBOL' 5 60)");
  ASSERT_TRUE(f.args[0]->subquery);
  EXPECT_EQ(f.args[0]->subquery->from.stream.name, "SOURCE_SQL_STREAM_001");
  EXPECT_EQ(f.args[0]->pos, (SqlPos{6, 7}));
}

TEST(SqlParserTest, SubqueryDistinctUnionAndOrderBy) {
  SqlProgram p = Parse(R"(
CREATE OR REPLACE PUMP p AS INSERT INTO o (a, "b")
  SELECT STREAM DISTINCT x.a, x."b" FROM (SELECT STREAM a, "b" FROM s WHERE a > 0) AS x
  ORDER BY FLOOR(x.ROWTIME TO MINUTE), x.a DESC
  UNION ALL SELECT STREAM a, "b" FROM t)");
  const SqlCreatePump& pump = p.statements[0].create_pump;
  ASSERT_EQ(pump.target_columns.size(), 2u);
  EXPECT_EQ(pump.target_columns[1].name, "b");
  const SqlSelect& q = *pump.query;
  EXPECT_TRUE(q.distinct);
  EXPECT_EQ(q.from.kind, SqlTableRef::Kind::kSubquery);
  EXPECT_EQ(SqlExprToString(*q.from.subquery->where), "(> A 0)");
  ASSERT_EQ(q.order_by.size(), 2u);
  EXPECT_TRUE(q.order_by[1].descending);
  ASSERT_TRUE(q.union_all);
  EXPECT_EQ(q.union_all->from.stream.name, "T");
}

TEST(SqlParserTest, HostileTable) {
  struct Case {
    std::string sql;
    std::string error;
  } cases[] = {
      {"", "1:1: expected a statement (CREATE STREAM or CREATE PUMP), found end of input"},
      {" ;; -- nothing\n", "2:1: expected a statement (CREATE STREAM or CREATE PUMP), found end"},
      {"CREATE TABLE t (a INT)", "1:8: expected STREAM or PUMP, found 'TABLE'"},
      {"CREATE OR STREAM s (a INT)", "1:11: expected REPLACE, found 'STREAM'"},
      {"CREATE STREAM s (a INT) extra", "1:25: expected ';', found 'extra'"},
      {"CREATE STREAM s (a INT);\nCREATE STREAM t (b INT) )", "2:25: expected ';', found ')'"},
      {"CREATE STREAM s (a INT, )", "1:25: expected a column name, found ')'"},
      {"CREATE STREAM s (a VARCHAR)", "1:27: expected '(', found ')'"},
      {"CREATE STREAM s (a BLOB)", "1:20: expected a type, found 'BLOB'"},
      {"CREATE STREAM s (select INT)", "1:18: expected a column name, found 'select'"},
      {"CREATE PUMP p AS INSERT INTO d\nSELECT STREAM a\n  , b         WHERE a > 1",
       "3:15: expected FROM, found 'WHERE'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s WHERE",
       "1:60: expected an expression, found end of input"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM a + FROM s",
       "1:50: expected an expression, found 'FROM'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM (a FROM s",
       "1:49: expected ')', found 'FROM'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s GROUP a",
       "1:61: expected BY, found 'a'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM CAST(a INTEGER) FROM s",
       "1:53: expected AS, found 'INTEGER'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM STEP(ROWTIME, 1) FROM s",
       "1:58: expected BY, found ','"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s WINDOWED BY STAGGER (PARTITION BY a)",
       "1:90: expected RANGE, found ')'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM SUM(a) OVER (RANGE INTERVAL '1' MINUTE) FROM "
       "s",
       "1:84: expected PRECEDING or FOLLOWING, found ')'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s JOIN t OVER (ROWS 1 PRECEDING) AS u",
       "1:90: expected ON, found end of input"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM INTERVAL 5 SECOND FROM s",
       "1:55: expected a quoted interval value, found '5'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM EXTRACT(WEEK FROM x) FROM s",
       "1:54: expected a time unit"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM CASE END FROM s",
       "1:51: expected WHEN, found 'END'"},
      {"CREATE PUMP p AS INSERT INTO d SELECT STREAM a FROM s WHERE a = 'open",
       "1:65: unterminated string literal"},
      {"CREATE STREAM \"s (a INT)", "1:15: unterminated quoted identifier"},
      {"CREATE STREAM s (a INT) /* ", "1:25: unterminated comment"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseProgram(c.sql), StatusIs(Status::Code::kInvalidArgument, c.error)) << c.sql;
  }
}

TEST(SqlParserTest, DeepNestingIsAnErrorNotACrash) {
  std::string parens = std::string(10'000, '(') + "1" + std::string(10'000, ')');
  EXPECT_THAT(ParseProgram("CREATE PUMP p AS INSERT INTO d SELECT STREAM " + parens + " FROM s"),
              StatusIs(Status::Code::kInvalidArgument, "nesting deeper than 200 levels"));
  std::string nots;
  for (int i = 0; i < 10'000; ++i) nots += "NOT ";
  EXPECT_THAT(ParseSqlExpression(nots + "x"),
              StatusIs(Status::Code::kInvalidArgument, "nesting deeper than 200 levels"));
  std::string minuses;  // "- - - 1": "--" would start a comment.
  for (int i = 0; i < 10'000; ++i) minuses += "- ";
  EXPECT_THAT(ParseSqlExpression(minuses + "1"),
              StatusIs(Status::Code::kInvalidArgument, "nesting deeper than 200 levels"));
  std::string cursors = "x";
  for (int i = 0; i < 1'000; ++i) cursors = "F(CURSOR(SELECT STREAM " + cursors + " FROM s))";
  EXPECT_THAT(ParseSqlExpression(cursors),
              StatusIs(Status::Code::kInvalidArgument, "nesting deeper than 200 levels"));
  // 150 levels are fine.
  std::string ok = std::string(150, '(') + "1" + std::string(150, ')');
  EXPECT_EQ(Expr(ok), "1");
}

TEST(SqlParserTest, OversizedProgramIsRefused) {
  std::string big(kMaxSqlProgramBytes + 1, ' ');
  EXPECT_THAT(ParseProgram(big), StatusIs(Status::Code::kInvalidArgument, "the limit is"));
}

}  // namespace
}  // namespace gamelake
