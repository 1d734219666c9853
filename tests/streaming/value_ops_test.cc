#include "streaming/value_ops.h"

#include <gtest/gtest.h>

#include <limits>

namespace gamelake {
namespace {

TEST(ValueOpsTest, NumbersCompareByValueAcrossTypes) {
  EXPECT_EQ(CompareValues(SqlValue::Integer(3), SqlValue::Double(3.0)), 0);
  EXPECT_LT(CompareValues(SqlValue::Integer(3), SqlValue::Double(3.5)), 0);
  EXPECT_GT(CompareValues(SqlValue::Decimal(-2.5), SqlValue::Integer(-3)), 0);
  // 2^53 + 1 is not a double: an exact comparison still tells them apart.
  int64_t big = (int64_t{1} << 53) + 1;
  EXPECT_GT(CompareValues(SqlValue::Integer(big), SqlValue::Double(9007199254740992.0)), 0);
  EXPECT_LT(
      CompareValues(SqlValue::Integer(std::numeric_limits<int64_t>::max()), SqlValue::Double(1e19)),
      0);
}

TEST(ValueOpsTest, NullSortsFirstAndEqualValuesHashEqually) {
  EXPECT_LT(CompareValues(SqlValue::Null(ValueType::kInteger), SqlValue::Integer(-5)), 0);
  EXPECT_EQ(CompareValues(SqlValue::Null(), SqlValue::Null(ValueType::kString)), 0);
  EXPECT_EQ(HashValue(SqlValue::Integer(4)), HashValue(SqlValue::Double(4.0)));
  EXPECT_LT(CompareValues(SqlValue::String("abc"), SqlValue::String("abd")), 0);
  ValueVectorEq eq;
  EXPECT_TRUE(eq({SqlValue::String("x"), SqlValue::Integer(1)},
                 {SqlValue::String("x"), SqlValue::Decimal(1.0)}));
  EXPECT_FALSE(eq({SqlValue::String("x")}, {SqlValue::String("y")}));
}

}  // namespace
}  // namespace gamelake
