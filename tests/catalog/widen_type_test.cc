#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog_test_util.h"

namespace gamelake {
namespace {

std::string W(const DuckType& a, const DuckType& b) { return WidenType(a, b).ToString(); }

DuckType Struct(std::vector<std::string> names, std::vector<DuckType> children) {
  DuckType t;
  t.kind = DuckType::Kind::kStruct;
  t.field_names = std::move(names);
  t.children = std::move(children);
  return t;
}

DuckType List(DuckType child) {
  DuckType t;
  t.kind = DuckType::Kind::kList;
  t.children.push_back(std::move(child));
  return t;
}

TEST(WidenTypeTest, EqualTypesStay) {
  EXPECT_EQ(W(T("BIGINT"), T("BIGINT")), "BIGINT");
  EXPECT_EQ(W(T("DECIMAL(18,3)"), T("DECIMAL(18,3)")), "DECIMAL(18,3)");
  EXPECT_EQ(W(T("JSON"), T("JSON")), "JSON");
}

TEST(WidenTypeTest, Integers) {
  EXPECT_EQ(W(T("INTEGER"), T("BIGINT")), "BIGINT");
  EXPECT_EQ(W(T("TINYINT"), T("SMALLINT")), "SMALLINT");
  EXPECT_EQ(W(T("UTINYINT"), T("UINTEGER")), "UINTEGER");
  EXPECT_EQ(W(T("BIGINT"), T("UBIGINT")), "HUGEINT");
  EXPECT_EQ(W(T("UBIGINT"), T("INTEGER")), "HUGEINT");
  EXPECT_EQ(W(T("INTEGER"), T("UINTEGER")), "BIGINT");
  EXPECT_EQ(W(T("BIGINT"), T("USMALLINT")), "BIGINT");
}

TEST(WidenTypeTest, NumbersMixedGiveDouble) {
  EXPECT_EQ(W(T("BIGINT"), T("DOUBLE")), "DOUBLE");
  EXPECT_EQ(W(T("FLOAT"), T("INTEGER")), "DOUBLE");
  EXPECT_EQ(W(T("DECIMAL(18,3)"), T("BIGINT")), "DOUBLE");
  EXPECT_EQ(W(T("DECIMAL(18,3)"), T("DECIMAL(10,2)")), "DOUBLE");
}

TEST(WidenTypeTest, DatesAndTimestamps) {
  EXPECT_EQ(W(T("DATE"), T("TIMESTAMP")), "TIMESTAMP");
  EXPECT_EQ(W(T("TIMESTAMP_MS"), T("DATE")), "TIMESTAMP");
  EXPECT_EQ(W(T("TIMESTAMP WITH TIME ZONE"), T("TIMESTAMP_NS")), "TIMESTAMP");
}

TEST(WidenTypeTest, NullGivesTheOther) {
  EXPECT_EQ(W(T("NULL"), T("DOUBLE")), "DOUBLE");
  EXPECT_EQ(W(Struct({"a"}, {T("BIGINT")}), T("NULL")), "STRUCT(\"a\" BIGINT)");
}

TEST(WidenTypeTest, OtherMixesGiveVarchar) {
  EXPECT_EQ(W(T("BIGINT"), T("VARCHAR")), "VARCHAR");
  EXPECT_EQ(W(T("BOOLEAN"), T("BIGINT")), "VARCHAR");
  EXPECT_EQ(W(T("JSON"), T("BIGINT")), "VARCHAR");
  EXPECT_EQ(W(List(T("BIGINT")), T("BIGINT")), "VARCHAR");
  EXPECT_EQ(W(Struct({"a"}, {T("BIGINT")}), List(T("BIGINT"))), "VARCHAR");
}

TEST(WidenTypeTest, StructsMergeFieldByFieldIgnoringCase) {
  DuckType a = Struct({"x", "y"}, {T("BIGINT"), T("VARCHAR")});
  DuckType b = Struct({"X", "z"}, {T("DOUBLE"), List(T("BIGINT"))});
  EXPECT_EQ(W(a, b), "STRUCT(\"x\" DOUBLE, \"y\" VARCHAR, \"z\" BIGINT[])");
  // Nested structs merge recursively.
  DuckType outer_a = Struct({"s"}, {a});
  DuckType outer_b = Struct({"S"}, {b});
  EXPECT_EQ(W(outer_a, outer_b),
            "STRUCT(\"s\" STRUCT(\"x\" DOUBLE, \"y\" VARCHAR, \"z\" BIGINT[]))");
}

TEST(WidenTypeTest, ListsWidenTheirElements) {
  EXPECT_EQ(W(List(T("BIGINT")), List(T("DOUBLE"))), "DOUBLE[]");
  EXPECT_EQ(W(List(Struct({"a"}, {T("BIGINT")})), List(Struct({"b"}, {T("BOOLEAN")}))),
            "STRUCT(\"a\" BIGINT, \"b\" BOOLEAN)[]");
}

}  // namespace
}  // namespace gamelake
