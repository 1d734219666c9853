#include "streaming/sql_value.h"

#include <gtest/gtest.h>

namespace gamelake {
namespace {

SqlType Type(SqlType::Kind kind, int scale = -1) {
  SqlType t;
  t.kind = kind;
  t.scale = scale;
  return t;
}

TEST(SqlValueTest, RowJsonKeepsColumnOrderAndNamesAndLeavesOutRowtime) {
  StreamSchema schema;
  schema.columns = {
      {"PlayerID", Type(SqlType::Kind::kInteger)}, {"name", Type(SqlType::Kind::kVarchar)},
      {"avg", Type(SqlType::Kind::kDouble)},       {"price", Type(SqlType::Kind::kDecimal, 2)},
      {"ok", Type(SqlType::Kind::kBoolean)},       {"at", Type(SqlType::Kind::kTimestamp)},
      {"nothing", Type(SqlType::Kind::kInteger)},  {"bytes", Type(SqlType::Kind::kVarbinary)}};
  StreamRow row;
  row.rowtime_ms = 123;
  row.values = {SqlValue::Integer(7),
                SqlValue::String("a\"b"),
                SqlValue::Double(0.1),
                SqlValue::Decimal(3.5),
                SqlValue::Boolean(true),
                SqlValue::Timestamp(1700000000123),
                SqlValue::Null(ValueType::kInteger),
                SqlValue::Make(ValueType::kBinary, 0)};
  row.values[7].s = "hi!";
  std::string out;
  AppendRowJson(schema, row, &out);
  EXPECT_EQ(out,
            "{\"PlayerID\":7,\"name\":\"a\\\"b\",\"avg\":0.1,\"price\":3.50,\"ok\":true,"
            "\"at\":\"2023-11-14 22:13:20.123\",\"nothing\":null,\"bytes\":\"aGkh\"}");
}

TEST(SqlValueTest, TimestampsBeforeTheEpochFormatOnTheRightDay) {
  EXPECT_EQ(FormatTimestampMs(0), "1970-01-01 00:00:00.000");
  EXPECT_EQ(FormatTimestampMs(-1), "1969-12-31 23:59:59.999");
}

TEST(SqlValueTest, DeclaredTypesMapToValueTypes) {
  EXPECT_EQ(ValueTypeOf(Type(SqlType::Kind::kSmallint)), ValueType::kInteger);
  EXPECT_EQ(ValueTypeOf(Type(SqlType::Kind::kReal)), ValueType::kDouble);
  EXPECT_EQ(ValueTypeOf(Type(SqlType::Kind::kNumeric)), ValueType::kDecimal);
  EXPECT_EQ(ValueTypeOf(Type(SqlType::Kind::kChar)), ValueType::kString);
  StreamSchema s;
  s.columns = {{"a", Type(SqlType::Kind::kInteger)}, {"A", Type(SqlType::Kind::kInteger)}};
  EXPECT_EQ(s.Find("A"), 1);
  EXPECT_EQ(s.Find("b"), -1);
}

}  // namespace
}  // namespace gamelake
