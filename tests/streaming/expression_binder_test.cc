#include "streaming/expression_binder.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "../common/status_matchers.h"
#include "streaming/datetime_format.h"
#include "streaming/sql_parser.h"

namespace gamelake {
namespace {

SqlType Type(SqlType::Kind kind, int length = -1, int precision = -1, int scale = -1) {
  return SqlType::Of(kind, length, precision, scale);
}

int64_t Ts(std::string_view text) { return ParseTimestampText(text).value(); }

using K = SqlType::Kind;

// One input, SOURCE_SQL_STREAM_001, with a row of every kind of value and two NULLs.
class ExprTest : public ::testing::Test {
 protected:
  ExprTest() {
    schema_.columns = {{"PlayerID", Type(K::kVarchar, 16)},
                       {"Wins", Type(K::kInteger)},
                       {"Losses", Type(K::kInteger)},
                       {"Score", Type(K::kDouble)},
                       {"Price", Type(K::kDecimal, -1, 10, 2)},
                       {"CaughtAt", Type(K::kTimestamp)},
                       {"Name", Type(K::kVarchar, 32)},
                       {"Active", Type(K::kBoolean)},
                       {"NOTE", Type(K::kVarchar, 10)},
                       {"N", Type(K::kInteger)},
                       {"Day", Type(K::kDate)}};
    row_.rowtime_ms = Ts("2016-09-23 04:29:26.234");
    row_.values = {SqlValue::String("p-42"),
                   SqlValue::Integer(7),
                   SqlValue::Integer(12),
                   SqlValue::Double(2.5),
                   SqlValue::Decimal(19.99),
                   SqlValue::Timestamp(Ts("2024-03-05 13:48:23.456")),
                   SqlValue::String("Ada Lovelace"),
                   SqlValue::Boolean(true),
                   SqlValue::Null(ValueType::kString),
                   SqlValue::Null(ValueType::kInteger),
                   SqlValue::Make(ValueType::kDate, ParseDateText("2024-03-05").value())};
  }

  BindScope Scope(BindHook* hook = nullptr, bool grouped = false) const {
    BindScope scope;
    scope.inputs.push_back({"SOURCE_SQL_STREAM_001", std::nullopt, &schema_});
    scope.hook = hook;
    scope.grouped = grouped;
    return scope;
  }

  Result<BoundExprPtr> Bind(std::string_view sql, const BindScope& scope) const {
    Result<SqlExprPtr> tree = ParseSqlExpression(sql);
    if (!tree.ok()) return tree.status();
    return BindExpression(**tree, scope);
  }

  Result<SqlValue> Eval(std::string_view sql) const {
    GL_ASSIGN_OR_RETURN(BoundExprPtr e, Bind(sql, Scope()));
    EvalRows rows;
    rows.rows[0] = &row_;
    SqlValue v;
    GL_RETURN_IF_ERROR(e->Eval(rows, &v));
    return v;
  }

  // The value's text (CAST AS VARCHAR), "NULL", or "error: <message>".
  std::string Text(std::string_view sql) const {
    Result<SqlValue> v = Eval(sql);
    if (!v.ok()) return "error: " + v.status().message();
    std::string s;
    AppendValueText(*v, &s);
    return s;
  }

  struct Case {
    const char* sql;
    const char* want;
  };
  void Check(const std::vector<Case>& cases) const {
    for (const Case& c : cases) EXPECT_EQ(Text(c.sql), c.want) << c.sql;
  }

  StreamSchema schema_;
  StreamRow row_;
};

TEST_F(ExprTest, ColumnsAndLiterals) {
  Check({
      {"\"Wins\"", "7"},
      {"\"PlayerID\"", "p-42"},
      {"SOURCE_SQL_STREAM_001.\"Losses\"", "12"},
      {"ROWTIME", "2016-09-23 04:29:26.234"},
      {"SOURCE_SQL_STREAM_001.ROWTIME", "2016-09-23 04:29:26.234"},
      {"\"N\"", "NULL"},
      {"42", "42"},
      {"1.25", "1.25"},
      {"2.5E1", "25"},
      {"'it''s'", "it's"},
      {"TRUE", "TRUE"},
      {"NULL", "NULL"},
      {"UNKNOWN", "NULL"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"TIMESTAMP '2004-09-30 13:48:23'", "2004-09-30 13:48:23.000"},
      {"TIMESTAMP '2004-09-30 13:48:23.5'", "2004-09-30 13:48:23.500"},
      {"DATE '2008-08-23'", "2008-08-23"},
      {"TIME '12:03:34'", "12:03:34.000"},
      {"INTERVAL '5' SECOND", "+0 00:00:05.000"},
      {"INTERVAL '1:30' MINUTE TO SECOND", "+0 00:01:30.000"},
      {"INTERVAL -'10' MINUTE", "-0 00:10:00.000"},
      {"INTERVAL '-2 04' DAY TO HOUR", "-2 04:00:00.000"},
      {"INTERVAL '2 3:4:5.678' DAY TO SECOND", "+2 03:04:05.678"},
      {"INTERVAL '3-4' YEAR TO MONTH", "+3-04"},
  });
  EXPECT_EQ(Eval("\"Wins\"")->type, ValueType::kInteger);
  EXPECT_EQ(Eval("1.25")->type, ValueType::kDecimal);
  EXPECT_EQ(Eval("2.5E1")->type, ValueType::kDouble);
  EXPECT_EQ(Eval("UNKNOWN")->type, ValueType::kBoolean);
}

TEST_F(ExprTest, IntegerArithmeticTruncatesAndChecks) {
  Check({
      {"7 / 2", "3"},
      {"-7 / 2", "-3"},
      {"7 / -2", "-3"},
      {"\"Wins\" / 2", "3"},
      {"\"Losses\" / \"Wins\"", "1"},
      {"\"Wins\" + \"Losses\" * 2", "31"},
      {"(\"Wins\" + \"Losses\") * 2", "38"},
      {"\"Wins\" - \"Losses\"", "-5"},
      {"-\"Wins\"", "-7"},
      {"+\"Wins\"", "7"},
      {"\"Wins\" + \"N\"", "NULL"},
      {"\"Wins\" + NULL", "NULL"},
      {"7.0 / 2", "3.5"},
      {"7 / 2.0", "3.5"},
      {"\"Score\" * 2", "5"},
      {"\"Price\" * 2", "39.98"},
      {"\"Wins\" / 2e0", "3.5"},
      {"\"Wins\" / 0", "error: 1:1: division by zero"},
      {"1.5 / 0", "error: 1:1: division by zero"},
      {"9223372036854775807 + 1", "error: 1:1: numeric overflow"},
      {"-9223372036854775808 / -1", "error: 1:1: numeric overflow"},
      {"3037000500 * 3037000500", "error: 1:1: numeric overflow"},
  });
  EXPECT_EQ(Eval("7.0 / 2")->type, ValueType::kDecimal);
  EXPECT_EQ(Eval("\"Price\" + 1e0")->type, ValueType::kDouble);
}

TEST_F(ExprTest, ThreeValuedLogicTruthTables) {
  // AND, OR over TRUE, FALSE and NULL (UNKNOWN), in both orders.
  struct Row {
    const char* a;
    const char* b;
    const char* and_result;
    const char* or_result;
  };
  const Row table[] = {
      {"TRUE", "TRUE", "TRUE", "TRUE"},      {"TRUE", "FALSE", "FALSE", "TRUE"},
      {"TRUE", "UNKNOWN", "NULL", "TRUE"},   {"FALSE", "FALSE", "FALSE", "FALSE"},
      {"FALSE", "UNKNOWN", "FALSE", "NULL"}, {"UNKNOWN", "UNKNOWN", "NULL", "NULL"},
  };
  for (const Row& r : table) {
    for (bool swap : {false, true}) {
      std::string a = swap ? r.b : r.a;
      std::string b = swap ? r.a : r.b;
      EXPECT_EQ(Text(a + " AND " + b), r.and_result) << a << " AND " << b;
      EXPECT_EQ(Text(a + " OR " + b), r.or_result) << a << " OR " << b;
    }
  }
  Check({
      {"NOT TRUE", "FALSE"},
      {"NOT UNKNOWN", "NULL"},
      {"NOT (\"N\" > 1)", "NULL"},
      {"\"N\" IS NULL", "TRUE"},
      {"\"N\" IS NOT NULL", "FALSE"},
      {"\"Wins\" IS NULL", "FALSE"},
      // FALSE decides AND before the right side runs, TRUE decides OR.
      {"FALSE AND 1 / 0 = 1", "FALSE"},
      {"TRUE OR 1 / 0 = 1", "TRUE"},
  });
}

TEST_F(ExprTest, Comparisons) {
  Check({
      {"\"Losses\" > 10", "TRUE"},
      {"\"Losses\" >= 12", "TRUE"},
      {"\"Losses\" < 12", "FALSE"},
      {"\"Losses\" <> 12", "FALSE"},
      {"\"Losses\" != 11", "TRUE"},
      {"\"N\" = \"N\"", "NULL"},
      {"\"N\" > 1", "NULL"},
      {"\"Wins\" = 7.0", "TRUE"},
      {"\"Score\" < 3", "TRUE"},
      {"'abc' < 'abd'", "TRUE"},
      {"\"CaughtAt\" > TIMESTAMP '2024-01-01 00:00:00'", "TRUE"},
      {"\"CaughtAt\" > '2024-04-01 00:00:00'", "FALSE"},
      {"\"Day\" = '2024-03-05'", "TRUE"},
      {"\"Wins\" BETWEEN 5 AND 7", "TRUE"},
      {"\"Wins\" NOT BETWEEN 5 AND 7", "FALSE"},
      {"\"Wins\" BETWEEN 8 AND \"N\"", "FALSE"},
      {"\"Wins\" BETWEEN 1 AND \"N\"", "NULL"},
      {"\"Wins\" IN (1, 7, 9)", "TRUE"},
      {"\"Wins\" IN (1, 2)", "FALSE"},
      {"\"Wins\" IN (1, NULL)", "NULL"},
      {"\"Wins\" IN (7, NULL)", "TRUE"},
      {"\"Wins\" NOT IN (1, 2)", "TRUE"},
      {"\"Wins\" NOT IN (1, NULL)", "NULL"},
      {"\"N\" IN (1, 2)", "NULL"},
      {"\"PlayerID\" IN ('p-1', 'p-42')", "TRUE"},
  });
}

TEST_F(ExprTest, LikeAndSimilarTo) {
  Check({
      {"\"Name\" LIKE 'Ada%'", "TRUE"},
      {"\"Name\" LIKE '%Love%'", "TRUE"},
      {"\"Name\" LIKE '%love%'", "FALSE"},
      {"\"Name\" LIKE 'Ad_ L%e'", "TRUE"},
      {"\"Name\" LIKE 'Ada'", "FALSE"},
      {"\"Name\" NOT LIKE 'B%'", "TRUE"},
      {"'50%' LIKE '50!%' ESCAPE '!'", "TRUE"},
      {"'50x' LIKE '50!%' ESCAPE '!'", "FALSE"},
      {"'a_b' LIKE 'a#_b' ESCAPE '#'", "TRUE"},
      {"'é!' LIKE '_!'", "TRUE"},
      {"\"NOTE\" LIKE '%'", "NULL"},
      {"\"Name\" LIKE \"PlayerID\"", "FALSE"},
      {"'abc' SIMILAR TO 'a(b|x)c'", "TRUE"},
      {"'axc' SIMILAR TO 'a(b|x)c'", "TRUE"},
      {"'ayc' SIMILAR TO 'a(b|x)c'", "FALSE"},
      {"'aaab' SIMILAR TO 'a*b'", "TRUE"},
      {"'p-42' SIMILAR TO 'p-[0-9]+'", "TRUE"},
      {"'p-4x' SIMILAR TO 'p-[0-9]+'", "FALSE"},
      {"'abc' SIMILAR TO '%b_'", "TRUE"},
      {"'a.c' SIMILAR TO 'a.c'", "TRUE"},
      {"'abc' SIMILAR TO 'a.c'", "FALSE"},
      {"'ab12' SIMILAR TO '[[:ALPHA:]]{2}[[:DIGIT:]]{1,2}'", "TRUE"},
      {"'a%' SIMILAR TO 'a\\%' ESCAPE '\\'", "TRUE"},
      {"'ab' NOT SIMILAR TO 'a'", "TRUE"},
      {"'50x' LIKE '50!x' ESCAPE '!'",
       "error: 1:12: invalid escape sequence in LIKE pattern '50!x'"},
      {"'x' LIKE 'x' ESCAPE '!!'", "error: 1:10: ESCAPE must be one character"},
  });
}

TEST_F(ExprTest, CaseCoalesceNullIf) {
  Check({
      {"CASE WHEN \"Wins\" > 5 THEN 'many' ELSE 'few' END", "many"},
      {"CASE WHEN \"Wins\" > 50 THEN 'many' END", "NULL"},
      {"CASE WHEN \"N\" > 1 THEN 1 ELSE 2 END", "2"},
      {"CASE \"Wins\" WHEN 1 THEN 'one' WHEN 7 THEN 'seven' ELSE 'other' END", "seven"},
      {"CASE \"N\" WHEN 1 THEN 'one' ELSE 'other' END", "other"},
      {"CASE WHEN TRUE THEN 1 ELSE 2.5 END", "1"},
      {"COALESCE(\"N\", \"NOTE\", 'x')",
       "error: 1:1: COALESCE has incompatible types INTEGER and VARCHAR"},
      {"COALESCE(\"N\", \"Wins\", 3)", "7"},
      {"COALESCE(\"N\", NULL)", "NULL"},
      {"COALESCE(\"NOTE\", 'none')", "none"},
      {"NULLIF(\"Wins\", 7)", "NULL"},
      {"NULLIF(\"Wins\", 8)", "7"},
      {"NULLIF(\"N\", 8)", "NULL"},
  });
  EXPECT_EQ(Eval("CASE WHEN TRUE THEN 1 ELSE 2.5 END")->type, ValueType::kDecimal);
}

TEST_F(ExprTest, ConcatAndStringFunctions) {
  Check({
      {"\"PlayerID\" || ':' || \"Name\"", "p-42:Ada Lovelace"},
      {"\"PlayerID\" || \"NOTE\"", "NULL"},
      {"CHAR_LENGTH('one')", "3"},
      {"CHAR_LENGTH('')", "0"},
      {"CHARACTER_LENGTH('fred')", "4"},
      {"CHARACTER_LENGTH(CAST(NULL AS VARCHAR(16)))", "NULL"},
      {"CHARACTER_LENGTH(CAST('fred' AS CHAR(16)))", "16"},
      {"CHAR_LENGTH('héllo')", "5"},
      {"UPPER(\"Name\")", "ADA LOVELACE"},
      {"LOWER(\"Name\")", "ada lovelace"},
      {"INITCAP('Each FIRST lEtTeR is cAPITALIZED')", "Each First Letter Is Capitalized"},
      {"POSITION('findme' IN '1234findmeXXX')", "5"},
      {"POSITION('findme' IN '1234not-hereXXX')", "0"},
      {"POSITION('1' IN '1234567')", "1"},
      {"POSITION('7' IN '1234567')", "7"},
      {"POSITION('' IN '1234567')", "1"},
      {"POSITION('b' IN 'ébc')", "2"},
      {"SUBSTRING('123456789' FROM 3 FOR 4)", "3456"},
      {"SUBSTRING('123456789' FROM 17 FOR 4)", ""},
      {"SUBSTRING('123456789' FROM -1 FOR 4)", "12"},
      {"SUBSTRING('123456789' FROM 6 FOR 0)", ""},
      {"SUBSTRING('123456789' FROM 8 FOR 4)", "89"},
      {"SUBSTRING('123456789', 3)", "3456789"},
      {"SUBSTRING('123456789' FROM 3 FOR -1)", "error: 1:1: negative SUBSTRING length"},
      {"SUBSTRING('TECHNOLOGY' FROM 'L[A-Z]*')", "LOGY"},
      {"SUBSTRING('TECHNOLOGY' FROM 'X+')", "NULL"},
      {"TRIM('  ab  ')", "ab"},
      {"TRIM(LEADING FROM '  ab  ')", "ab  "},
      {"TRIM(TRAILING 'x' FROM 'xxabxx')", "xxab"},
      {"TRIM(BOTH 'x' FROM 'xxabxx')", "ab"},
      {"TRIM('xy' FROM 'xyab')", "error: 1:6: TRIM character must be one character"},
      {"OVERLAY('12345', 'foo', 1)", "foo45"},
      {"OVERLAY('12345', 'foo', 0)", "foo345"},
      {"OVERLAY('12345', 'foo', -2)", "foo12345"},
      {"OVERLAY('12345', 'foo', 4)", "123foo"},
      {"OVERLAY('12345', 'foo', 17)", "12345foo"},
      {"OVERLAY('12345', 'foo', 2, 0)", "1foo2345"},
      {"OVERLAY('12345', 'foo', 2, 2)", "1foo45"},
      {"OVERLAY('12345', 'foo', 2, 9)", "1foo"},
      {"REGEX_REPLACE('TECHNOLOGY', 'TECHNOLOGY', 'INFORMATION TECHNOLOGY', 1, 0)",
       "INFORMATION TECHNOLOGY"},
      {"REGEX_REPLACE('a1b22c333', '[0-9]+', '#', 1, 0)", "a#b#c#"},
      {"REGEX_REPLACE('a1b22c333', '[0-9]+', '#', 1, 2)", "a1b#c333"},
      {"REGEX_REPLACE('a1b22c333', '[0-9]+', '#', 4, 0)", "a1b#c#"},
      {"REGEX_REPLACE('a1b2', '[0-9]', '#', 9, 0)", "a1b2"},
      {"REGEX_REPLACE('john smith', '(\\w+) (\\w+)', '$2, $1', 1, 0)", "smith, john"},
      {"REGEX_REPLACE('abc', 'x*', '-', 1, 0)", "-a-b-c-"},
      {"REGEX_REPLACE('abc', 'b', '-', 0, 0)",
       "error: 1:1: REGEX_REPLACE start position must be at least 1"},
  });
}

TEST_F(ExprTest, NumericFunctions) {
  Check({
      {"ABS(-3)", "3"},         {"ABS(\"Score\" - 10)", "7.5"},
      {"ABS(\"N\")", "NULL"},   {"FLOOR(2.0)", "2"},
      {"FLOOR(-1.0)", "-1"},    {"FLOOR(5.2)", "5"},
      {"FLOOR(-3.3)", "-4"},    {"FLOOR(-3 * 3.1)", "-10"},
      {"CEIL(5.2)", "6"},       {"CEILING(-3.3)", "-3"},
      {"CEIL(7)", "7"},         {"MOD(4, 2)", "0"},
      {"MOD(5, 3)", "2"},       {"MOD(-4, 3)", "-1"},
      {"MOD(5, 12)", "5"},      {"MOD(5, 0)", "error: 1:1: division by zero"},
      {"POWER(2, 10)", "1024"}, {"POWER(0, -1)", "error: 1:1: zero raised to a negative power"},
      {"EXP(0)", "1"},          {"LN(1)", "0"},
      {"LOG10(1000)", "3"},     {"LN(0)", "error: 1:1: LN of a number that is not positive"},
      {"STEP(23 BY 5)", "20"},  {"STEP(30 BY 10)", "30"},
      {"STEP(-1 BY 5)", "-5"},
  });
}

TEST_F(ExprTest, DatetimeFunctionsAndArithmetic) {
  Check({
      // KDA reference examples (FLOOR, STEP, EXTRACT).
      {"FLOOR(TIMESTAMP '2004-09-30 13:48:23' TO HOUR)", "2004-09-30 13:00:00.000"},
      {"FLOOR(TIMESTAMP '2004-09-30 13:48:23' TO MINUTE)", "2004-09-30 13:48:00.000"},
      {"FLOOR(TIMESTAMP '2004-09-30 13:48:23' TO DAY)", "2004-09-30 00:00:00.000"},
      {"FLOOR(TIMESTAMP '2004-09-30 13:48:23' TO YEAR)", "2004-01-01 00:00:00.000"},
      {"CEIL(TIMESTAMP '2004-09-30 13:48:23' TO HOUR)", "2004-09-30 14:00:00.000"},
      {"CEIL(TIMESTAMP '2004-09-30 13:00:00' TO HOUR)", "2004-09-30 13:00:00.000"},
      {"CEIL(TIMESTAMP '2004-12-30 13:00:00' TO MONTH)", "2005-01-01 00:00:00.000"},
      {"STEP(CAST('2004-09-30 13:48:23' AS TIMESTAMP) BY INTERVAL '10' SECOND)",
       "2004-09-30 13:48:20.000"},
      {"STEP(TIMESTAMP '2004-09-30 13:48:23' BY INTERVAL '30' MINUTE)", "2004-09-30 13:30:00.000"},
      {"STEP(TIMESTAMP '2004-09-30 13:48:23' BY INTERVAL '2' MONTH)", "2004-09-01 00:00:00.000"},
      {"STEP(ROWTIME BY INTERVAL '1' MINUTE)", "2016-09-23 04:29:00.000"},
      {"STEP(\"CaughtAt\" BY INTERVAL '0' SECOND)", "error: 1:1: STEP width must be positive"},
      {"EXTRACT(DAY FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "2"},
      {"EXTRACT(HOUR FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "3"},
      {"EXTRACT(MINUTE FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "4"},
      {"EXTRACT(SECOND FROM INTERVAL '2 3:4:5.678' DAY TO SECOND)", "5.678"},
      {"EXTRACT(MINUTE FROM CURRENT_ROW_TIMESTAMP)", "29"},
      {"EXTRACT(HOUR FROM CURRENT_ROW_TIMESTAMP)", "4"},
      {"EXTRACT(YEAR FROM \"CaughtAt\")", "2024"},
      {"EXTRACT(MONTH FROM \"Day\")", "3"},
      // KDA's FLOOR30MIN example: integer division, integer * interval.
      {"FLOOR(\"CaughtAt\" TO HOUR) + ((EXTRACT(MINUTE FROM \"CaughtAt\") / 30) * "
       "INTERVAL '30' MINUTE)",
       "2024-03-05 13:30:00.000"},
      // KDA's interval operator examples.
      {"INTERVAL '1' DAY + INTERVAL '3' DAY", "+4 00:00:00.000"},
      {"INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR", "+4 04:00:00.000"},
      {"INTERVAL '1' DAY - INTERVAL '3 4' DAY TO HOUR", "-2 04:00:00.000"},
      {"INTERVAL '1' YEAR + INTERVAL '3-4' YEAR TO MONTH", "+4-04"},
      {"2 * INTERVAL '3 4' DAY TO HOUR", "+6 08:00:00.000"},
      {"INTERVAL '3 4' DAY TO HOUR / 2", "+1 14:00:00.000"},
      {"TIME '12:03:34' - TIME '11:57:23'", "+0 00:06:11.000"},
      {"\"CaughtAt\" + INTERVAL '1' HOUR", "2024-03-05 14:48:23.456"},
      {"INTERVAL '1' DAY + \"CaughtAt\"", "2024-03-06 13:48:23.456"},
      {"\"CaughtAt\" - INTERVAL '1' MONTH", "2024-02-05 13:48:23.456"},
      {"TIMESTAMP '2024-01-31 00:00:00' + INTERVAL '1' MONTH", "2024-02-29 00:00:00.000"},
      {"\"Day\" + INTERVAL '1' DAY", "2024-03-06"},
      {"\"CaughtAt\" - TIMESTAMP '2024-03-05 13:48:20'", "+0 00:00:03.456"},
      {"TIME '23:00:00' + INTERVAL '2' HOUR", "01:00:00.000"},
      // Clock functions are the row's ROWTIME.
      {"CURRENT_ROW_TIMESTAMP", "2016-09-23 04:29:26.234"},
      {"CURRENT_TIMESTAMP", "2016-09-23 04:29:26.234"},
      {"LOCALTIMESTAMP", "2016-09-23 04:29:26.234"},
      {"CURRENT_DATE", "2016-09-23"},
      {"CURRENT_TIME", "04:29:26.234"},
      {"TSDIFF(\"CaughtAt\", TIMESTAMP '2024-03-05 13:48:23')", "456"},
      {"TSDIFF(\"CaughtAt\", CAST(NULL AS TIMESTAMP))", "NULL"},
      {"UNIX_TIMESTAMP(TIMESTAMP '1970-01-01 00:00:01')", "1000"},
      {"TO_TIMESTAMP(1000)", "1970-01-01 00:00:01.000"},
      {"TO_TIMESTAMP(UNIX_TIMESTAMP(\"CaughtAt\"))", "2024-03-05 13:48:23.456"},
      {"TO_TIMESTAMP(99999999999999999)", "error: 1:1: timestamp out of range"},
      {"MONOTONIC(ROWTIME)", "2016-09-23 04:29:26.234"},
  });
}

TEST_F(ExprTest, CharToTimestampAndBack) {
  Check({
      // KDA's "Template Strings to Create Specific Output Timestamps".
      {"CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', '2009-09-16 03:15:24')",
       "2009-09-16 03:15:24.000"},
      {"CHAR_TO_TIMESTAMP('yyyy-mm', '2011-02-08 07:23:19')", "2011-01-01 00:02:00.000"},
      {"CHAR_TO_TIMESTAMP('MMM dd, yyyy', 'March 7, 2010')", "2010-03-07 00:00:00.000"},
      {"CHAR_TO_TIMESTAMP('MMM dd,', 'March 7, 2010')", "1970-03-07 00:00:00.000"},
      {"CHAR_TO_TIMESTAMP('MMM dd,y', 'March 7, 2010')", "2010-03-07 00:00:00.000"},
      {"CHAR_TO_TIMESTAMP('MMM dd,y', 'March 7, 10')", "0010-03-07 00:00:00.000"},
      {"CHAR_TO_TIMESTAMP('M-d', '2-8')", "1970-02-08 00:00:00.000"},
      {"CHAR_TO_TIMESTAMP('MM-dd-yyyy', '06-23-2011 10:11:12')", "2011-06-23 00:00:00.000"},
      {"CHAR_TO_TIMESTAMP('dd-MM-yy hh:mm:ss', '23-06-11 10:11:12')", "2011-06-23 10:11:12.000"},
      {"CHAR_TO_TIMESTAMP('MM-dd-yy ss:hh:mm', '06-23-11 12:10:11')", "2011-06-23 10:11:12.000"},
      {"CHAR_TO_TIMESTAMP('M-d', '2011-2-8')", "error: 1:1: cannot parse '2011-2-8' as 'M-d'"},
      {"CHAR_TO_TIMESTAMP('yyyy-MM-dd', '2011-02-30')",
       "error: 1:1: cannot parse '2011-02-30' as 'yyyy-MM-dd'"},
      {"CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm:ss.SSS', '2024-03-05 13:48:23.456')",
       "2024-03-05 13:48:23.456"},
      {"CHAR_TO_TIMESTAMP('yyyyMMddHHmmss', '20240305134823')", "2024-03-05 13:48:23.000"},
      {"CHAR_TO_TIMESTAMP('yyyy-MM-dd''T''HH:mm:ssXXX', '2024-03-05T13:48:23+02:00')",
       "2024-03-05 11:48:23.000"},
      {"CHAR_TO_TIMESTAMP('dd/MM/yyyy hh:mm a', '05/03/2024 01:48 PM')", "2024-03-05 13:48:00.000"},
      {"CHAR_TO_TIMESTAMP('yyyy-MM-dd', \"NOTE\")", "NULL"},
      {"CHAR_TO_DATE('dd.MM.yyyy', '05.03.2024')", "2024-03-05"},
      {"CHAR_TO_TIME('HH:mm', '13:48')", "13:48:00.000"},
      {"CHAR_TO_TIMESTAMP('ww yyyy', '10 2024')",
       "error: 1:19: unsupported letter 'w' in date format 'ww yyyy'"},
      {"TIMESTAMP_TO_CHAR('yyyy-MM-dd HH:mm:ss.SSS', \"CaughtAt\")", "2024-03-05 13:48:23.456"},
      {"TIMESTAMP_TO_CHAR('EEE, d MMM yyyy hh:mm a', \"CaughtAt\")", "Tue, 5 Mar 2024 01:48 PM"},
      {"TIMESTAMP_TO_CHAR('MMMM yy ''at'' H', \"CaughtAt\")", "March 24 at 13"},
      {"TIMESTAMP_TO_CHAR('yyyy', CAST(NULL AS TIMESTAMP))", "null"},
      {"DATE_TO_CHAR('dd/MM/yyyy', \"Day\")", "05/03/2024"},
      {"TIME_TO_CHAR('HH:mm', TIME '13:48:00')", "13:48"},
      {"CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm:ss.SSS', "
       "TIMESTAMP_TO_CHAR('yyyy-MM-dd HH:mm:ss.SSS', \"CaughtAt\")) = \"CaughtAt\"",
       "TRUE"},
  });
}

TEST_F(ExprTest, CharToTimestampRoundTripsThroughFormats) {
  const char* formats[] = {"yyyy-MM-dd HH:mm:ss.SSS", "dd MMM yyyy HH:mm:ss.SSS",
                           "EEEE, MMMM d, yyyy h:mm:ss.SSS a", "yyyyMMddHHmmssSSS",
                           "D yyyy HH mm ss SSS"};
  const char* stamps[] = {"2024-03-05 13:48:23.456", "1999-12-31 23:59:59.999",
                          "2000-02-29 00:00:00.000", "1970-01-01 12:00:00.001"};
  for (const char* f : formats) {
    for (const char* s : stamps) {
      std::string sql = std::string("CHAR_TO_TIMESTAMP('") + f + "', TIMESTAMP_TO_CHAR('" + f +
                        "', TIMESTAMP '" + s + "'))";
      EXPECT_EQ(Text(sql), s) << sql;
    }
  }
}

TEST_F(ExprTest, CastConvertsOrFails) {
  Check({
      {"CAST(DATE '2008-08-23' AS VARCHAR(10))", "2008-08-23"},
      {"CAST(DATE '2008-08-23' AS VARCHAR(9))",
       "error: 1:1: cannot convert 2008-08-23 to VARCHAR(9): too long"},
      {"CAST(DATE '2008-08-23' AS CHAR(12)) || '|'", "2008-08-23  |"},
      {"CAST('abcdef' AS VARCHAR(3))", "abc"},
      {"CAST('ab' AS CHAR(4)) || '|'", "ab  |"},
      {"CAST(-1.6 AS INTEGER)", "-2"},
      {"CAST(2.5 AS INTEGER)", "3"},
      {"CAST(' 42 ' AS INTEGER)", "42"},
      {"CAST('1.5' AS INTEGER)", "2"},
      {"CAST('abc' AS INTEGER)", "error: 1:1: cannot convert 'abc' to INTEGER"},
      {"CAST(127 AS TINYINT)", "127"},
      {"CAST(128 AS TINYINT)", "error: 1:1: cannot convert 128 to TINYINT: out of range"},
      {"CAST(-32769 AS SMALLINT)", "error: 1:1: cannot convert -32769 to SMALLINT: out of range"},
      {"CAST(2147483648 AS INTEGER)",
       "error: 1:1: cannot convert 2147483648 to INTEGER: out of range"},
      {"CAST(2147483648 AS BIGINT)", "2147483648"},
      {"CAST(1e19 AS BIGINT)", "error: 1:1: cannot convert 1e+19 to BIGINT: out of range"},
      {"CAST(3.14159 AS DECIMAL(5,2))", "3.14"},
      {"CAST(3.145 AS DECIMAL(5,1))", "3.1"},
      {"CAST(12345.6 AS DECIMAL(4,1))",
       "error: 1:1: cannot convert 12345.6 to DECIMAL(4,1): out of range"},
      {"CAST(\"Wins\" AS DOUBLE) / 2", "3.5"},
      {"CAST(\"Wins\" AS VARCHAR(5)) || 'x'", "7x"},
      {"CAST(\"Score\" AS VARCHAR(10))", "2.5"},
      {"CAST('true' AS BOOLEAN)", "TRUE"},
      {"CAST('maybe' AS BOOLEAN)", "error: 1:1: cannot convert 'maybe' to BOOLEAN"},
      {"CAST(TRUE AS VARCHAR(5))", "TRUE"},
      {"CAST('2004-09-30 13:48:23' AS TIMESTAMP)", "2004-09-30 13:48:23.000"},
      {"CAST('2004-09-30' AS DATE)", "2004-09-30"},
      {"CAST(\"CaughtAt\" AS DATE)", "2024-03-05"},
      {"CAST(\"CaughtAt\" AS TIME)", "13:48:23.456"},
      {"CAST(DATE '2024-03-05' AS TIMESTAMP)", "2024-03-05 00:00:00.000"},
      {"CAST(\"N\" AS VARCHAR(3))", "NULL"},
      {"CAST(TRUE AS TIMESTAMP)", "error: 1:1: cannot convert BOOLEAN to TIMESTAMP"},
      {"CAST(\"CaughtAt\" AS INTEGER)", "error: 1:1: cannot convert TIMESTAMP to INTEGER"},
  });
  EXPECT_EQ(Eval("CAST(\"Wins\" AS DOUBLE)")->type, ValueType::kDouble);
  EXPECT_EQ(Eval("CAST(\"N\" AS VARCHAR(3))")->type, ValueType::kString);
}

TEST(CastValueTest, AssignmentRulesAndDirectCasts) {
  EXPECT_TRUE(AssignableTo(ValueType::kInteger, Type(K::kDouble)));
  EXPECT_TRUE(AssignableTo(ValueType::kDecimal, Type(K::kSmallint)));
  EXPECT_TRUE(AssignableTo(ValueType::kNull, Type(K::kTimestamp)));
  EXPECT_TRUE(AssignableTo(ValueType::kString, Type(K::kChar, 4)));
  EXPECT_FALSE(AssignableTo(ValueType::kBoolean, Type(K::kTimestamp)));
  EXPECT_FALSE(AssignableTo(ValueType::kString, Type(K::kInteger)));
  EXPECT_FALSE(AssignableTo(ValueType::kTimestamp, Type(K::kDate)));

  SqlValue out;
  GL_ASSERT_OK(CastValue(SqlValue::Integer(300), Type(K::kSmallint), &out));
  EXPECT_EQ(out, SqlValue::Integer(300));
  EXPECT_THAT(CastValue(SqlValue::Integer(300), Type(K::kTinyint), &out),
              StatusIs(Status::Code::kInvalidArgument, "cannot convert 300 to TINYINT"));
  EXPECT_THAT(CastValue(SqlValue::String("abc"), Type(K::kInteger), &out),
              StatusIs(Status::Code::kInvalidArgument, "cannot convert 'abc' to INTEGER"));
  GL_ASSERT_OK(CastValue(SqlValue::Null(ValueType::kString), Type(K::kInteger), &out));
  EXPECT_TRUE(out.is_null);
  EXPECT_EQ(out.type, ValueType::kInteger);
  GL_ASSERT_OK(CastValue(SqlValue::Double(2.675), Type(K::kDecimal, -1, 10, 1), &out));
  EXPECT_EQ(out, SqlValue::Decimal(2.7));
}

TEST_F(ExprTest, BindErrorsSayWhatAndWhere) {
  struct Err {
    const char* sql;
    const char* message;
  };
  const Err errors[] = {
      {"\"Lossess\" > 10", "1:1: column \"Lossess\" not found in SOURCE_SQL_STREAM_001"},
      {"\"Wins\" + OTHER.\"Wins\"", "1:10: unknown stream or alias \"OTHER\""},
      {"FOO(1)", "1:1: unknown function FOO"},
      {"\"myUdf\"(1)", "1:1: unknown function \"myUdf\""},
      {"RANDOM_CUT_FOREST(1)",
       "1:1: RANDOM_CUT_FOREST is not supported by gamelake (see docs/streaming.md)"},
      {"HOTSPOTS(1)", "1:1: HOTSPOTS is not supported by gamelake (see docs/streaming.md)"},
      {"W3C_LOG_PARSE('x', 'COMMON')",
       "1:1: W3C_LOG_PARSE is not supported by gamelake (see docs/streaming.md)"},
      {"COUNT(*) > 1", "1:1: aggregate function COUNT is not allowed here"},
      {"1 + SUM(\"Wins\")", "1:5: aggregate function SUM is not allowed here"},
      {"MOD(5.5, 2)", "1:5: argument 1 of MOD must be an integer, found DECIMAL"},
      {"MOD(5)", "1:1: MOD expects 2 arguments, got 1"},
      {"UPPER(\"Wins\")", "1:7: argument 1 of UPPER must be a string, found INTEGER"},
      {"\"Wins\" + 'a'", "1:1: cannot apply + to INTEGER and VARCHAR"},
      {"\"Wins\" = 'a'", "1:1: cannot compare INTEGER with VARCHAR"},
      {"\"Wins\" AND TRUE", "1:1: AND needs BOOLEAN operands, found INTEGER"},
      {"NOT \"Wins\"", "1:1: NOT needs a BOOLEAN operand, found INTEGER"},
      {"\"Wins\" || 'a'", "1:1: cannot apply || to INTEGER and VARCHAR"},
      {"\"Wins\" LIKE 'a'", "1:1: LIKE needs VARCHAR operands, found INTEGER"},
      {"CASE WHEN \"Wins\" THEN 1 END", "1:11: WHEN needs a BOOLEAN condition, found INTEGER"},
      {"CASE WHEN TRUE THEN 1 ELSE 'x' END",
       "1:1: CASE has incompatible types INTEGER and VARCHAR"},
      {"99999999999999999999", "1:1: integer literal 99999999999999999999 is out of range"},
      {"TIMESTAMP '2024-13-01 00:00:00'",
       "1:1: '2024-13-01 00:00:00' is not a timestamp (YYYY-MM-DD HH:MM:SS)"},
      {"INTERVAL '1:75' MINUTE TO SECOND", "1:1: '1:75' is not a valid INTERVAL MINUTE TO SECOND"},
      {"\"CaughtAt\" > 'yesterday'", "1:14: cannot convert 'yesterday' to TIMESTAMP"},
      {"EXTRACT(HOUR FROM \"Day\")", "1:1: cannot EXTRACT HOUR from DATE"},
      {"STEP(\"Name\" BY 5)",
       "1:1: STEP needs a datetime BY an INTERVAL or an integer BY an "
       "integer, found VARCHAR BY INTEGER"},
      {"\"Name\" SIMILAR TO 'a(b'", "1:19: missing ')' at offset 3 of regular expression 'a(b'"},
      {"REGEX_REPLACE(\"Name\", '(?=x)', 'y', 1, 0)",
       "1:23: lookaround, flags and named groups are not supported at offset 3 of regular "
       "expression '(?=x)'"},
      {"ABS(\"Wins\") OVER w", "1:1: ABS is not an aggregate or window function"},
      {"*", "1:1: expected an expression"},
  };
  for (const Err& e : errors) {
    Result<BoundExprPtr> r = Bind(e.sql, Scope());
    EXPECT_THAT(r, StatusIs(Status::Code::kInvalidArgument, e.message)) << e.sql;
  }
}

TEST_F(ExprTest, JoinInputsResolveByAliasAndReportAmbiguity) {
  StreamSchema right;
  right.columns = {{"Wins", Type(K::kInteger)}, {"Region", Type(K::kVarchar, 8)}};
  BindScope scope;
  scope.inputs.push_back({"SOURCE_SQL_STREAM_001", std::string("S"), &schema_});
  scope.inputs.push_back({"REGIONS", std::string("R"), &right});
  StreamRow r;
  r.rowtime_ms = 5;
  r.values = {SqlValue::Integer(100), SqlValue::String("eu")};
  EvalRows rows;
  rows.rows[0] = &row_;
  rows.rows[1] = &r;
  auto eval = [&](std::string_view sql) -> std::string {
    Result<BoundExprPtr> e = Bind(sql, scope);
    if (!e.ok()) return "error: " + e.status().message();
    SqlValue v;
    Status s = (*e)->Eval(rows, &v);
    if (!s.ok()) return "error: " + s.message();
    std::string t;
    AppendValueText(v, &t);
    return t;
  };
  EXPECT_EQ(eval("S.\"Wins\" + R.\"Wins\""), "107");
  EXPECT_EQ(eval("REGIONS.\"Region\""), "eu");
  EXPECT_EQ(eval("\"Region\" || \"Name\""), "euAda Lovelace");
  EXPECT_EQ(eval("R.ROWTIME"), "1970-01-01 00:00:00.005");
  EXPECT_EQ(eval("\"Wins\""),
            "error: 1:1: column \"Wins\" is ambiguous: it is in SOURCE_SQL_STREAM_001 (S) and "
            "REGIONS (R)");
  EXPECT_EQ(eval("\"Nope\""),
            "error: 1:1: column \"Nope\" not found in SOURCE_SQL_STREAM_001 (S) or REGIONS (R)");
  // The missing side of an outer join reads as NULL.
  rows.rows[1] = nullptr;
  EXPECT_EQ(eval("R.\"Wins\" IS NULL"), "TRUE");
  EXPECT_EQ(eval("COALESCE(R.\"Region\", 'none')"), "none");
}

// Replaces SUM("Wins") and the group key "PlayerID" with columns of the
// grouped output row, as the planner does.
class GroupHook : public BindHook {
 public:
  Result<BoundExprPtr> Substitute(const SqlExpr& e) override {
    ++calls;
    std::string s = SqlExprToString(e);
    if (s == "(SUM \"Wins\")") {
      return BoundExprPtr(std::make_unique<ColumnRefExpr>(0, 1, ValueType::kInteger, e.pos));
    }
    if (s == "\"PlayerID\"") {
      return BoundExprPtr(std::make_unique<ColumnRefExpr>(0, 0, ValueType::kString, e.pos));
    }
    if (s == "(AVG \"Wins\")") return Status::InvalidArgument("AVG refused by the hook");
    return BoundExprPtr();
  }
  int calls = 0;
};

TEST_F(ExprTest, HookSubstitutesAndGroupedRejectsLeftoverColumns) {
  GroupHook hook;
  BindScope scope = Scope(&hook, /*grouped=*/true);
  Result<BoundExprPtr> e =
      Bind("\"PlayerID\" || ':' || CAST(SUM(\"Wins\") * 2 AS VARCHAR(9))", scope);
  GL_ASSERT_OK(e);
  EXPECT_GT(hook.calls, 3);
  StreamRow grouped;
  grouped.values = {SqlValue::String("p-1"), SqlValue::Integer(21)};
  EvalRows rows;
  rows.rows[0] = &grouped;
  SqlValue v;
  GL_ASSERT_OK((*e)->Eval(rows, &v));
  EXPECT_EQ(v, SqlValue::String("p-1:42"));

  EXPECT_THAT(Bind("SUM(\"Wins\") + \"Losses\"", scope),
              StatusIs(Status::Code::kInvalidArgument,
                       "1:15: column \"Losses\" must appear in GROUP BY or in an aggregate "
                       "function"));
  EXPECT_THAT(Bind("COUNT(\"Wins\")", scope),
              StatusIs(Status::Code::kInvalidArgument,
                       "1:1: aggregate function COUNT is not allowed here"));
  EXPECT_THAT(Bind("AVG(\"Wins\")", scope),
              StatusIs(Status::Code::kInvalidArgument, "AVG refused by the hook"));
}

TEST(AggregateNamesTest, KnowsKdaAggregates) {
  for (const char* name : {"COUNT", "SUM", "AVG", "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE",
                           "TOP_K_ITEMS_TUMBLING", "STDDEV_POP", "LAG"}) {
    EXPECT_TRUE(IsAggregateFunction(name)) << name;
  }
  EXPECT_FALSE(IsAggregateFunction("ABS"));
  EXPECT_FALSE(IsAggregateFunction("count"));
}

TEST_F(ExprTest, BindCastWrapsOrRefuses) {
  BoundExprPtr col = std::make_unique<ColumnRefExpr>(0, 6, ValueType::kString, SqlPos{1, 1});
  Result<BoundExprPtr> cast = BindCast(std::move(col), Type(K::kVarchar, 3), SqlPos{2, 5});
  GL_ASSERT_OK(cast);
  EXPECT_EQ((*cast)->type(), ValueType::kString);
  EvalRows rows;
  rows.rows[0] = &row_;
  SqlValue v;
  GL_ASSERT_OK((*cast)->Eval(rows, &v));
  EXPECT_EQ(v, SqlValue::String("Ada"));

  BoundExprPtr flag = std::make_unique<ColumnRefExpr>(0, 7, ValueType::kBoolean, SqlPos{1, 1});
  EXPECT_THAT(BindCast(std::move(flag), Type(K::kTimestamp), SqlPos{2, 5}),
              StatusIs(Status::Code::kInvalidArgument, "2:5: cannot convert BOOLEAN to TIMESTAMP"));

  // Casting to the value's own unconstrained type is the expression itself.
  auto* raw = new ColumnRefExpr(0, 5, ValueType::kTimestamp, SqlPos{1, 1});
  Result<BoundExprPtr> same = BindCast(BoundExprPtr(raw), Type(K::kTimestamp), SqlPos{1, 1});
  GL_ASSERT_OK(same);
  EXPECT_EQ(same->get(), raw);

  BoundExprPtr wins = std::make_unique<ColumnRefExpr>(0, 1, ValueType::kInteger, SqlPos{3, 7});
  Result<BoundExprPtr> narrow = BindCast(std::move(wins), Type(K::kTinyint), SqlPos{3, 7});
  GL_ASSERT_OK(narrow);
  StreamRow big;
  big.values = {SqlValue::String(""), SqlValue::Integer(1000)};
  rows.rows[0] = &big;
  EXPECT_THAT((*narrow)->Eval(rows, &v),
              StatusIs(Status::Code::kInvalidArgument,
                       "3:7: cannot convert 1000 to TINYINT: out of range"));
}

TEST_F(ExprTest, ConstantsFoldAtBindTime) {
  Result<BoundExprPtr> e = Bind("\"Losses\" > 10 * 2 + 1", Scope());
  GL_ASSERT_OK(e);
  // Evaluating with no row at all still works for the folded side; the column
  // side reads NULL, so the comparison is NULL.
  SqlValue v;
  GL_ASSERT_OK((*e)->Eval(EvalRows{}, &v));
  EXPECT_TRUE(v.is_null);
  Result<BoundExprPtr> c = Bind("UPPER('a') || LOWER('B')", Scope());
  GL_ASSERT_OK(c);
  GL_ASSERT_OK((*c)->Eval(EvalRows{}, &v));
  EXPECT_EQ(v, SqlValue::String("Ab"));
  // An error in a constant stays for evaluation (KDA reports it per row).
  Result<BoundExprPtr> z = Bind("1 / 0", Scope());
  GL_ASSERT_OK(z);
  EXPECT_THAT((*z)->Eval(EvalRows{}, &v),
              StatusIs(Status::Code::kInvalidArgument, "1:1: division by zero"));
}

}  // namespace
}  // namespace gamelake
