#include "query/sql_text.h"

#include <gtest/gtest.h>

namespace gamelake {
namespace {

TEST(SqlTextTest, RecognisesViewStatements) {
  auto s = ParseSqlShape("  create or replace view lake.\"Data View\" as select 1; ");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlShape::Kind::kCreateView);
  EXPECT_TRUE(s->or_replace);
  EXPECT_EQ(s->name, "Data View");
  EXPECT_EQ(s->body, "select 1");

  s = ParseSqlShape("-- comment\nDROP VIEW IF EXISTS v");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlShape::Kind::kDropView);
  EXPECT_TRUE(s->if_exists);
  EXPECT_EQ(s->name, "v");

  s = ParseSqlShape("EXPLAIN ANALYZE SELECT 1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlShape::Kind::kExplain);
  EXPECT_TRUE(s->analyze);
  EXPECT_EQ(s->body, "SELECT 1");

  s = ParseSqlShape("CREATE TABLE t AS SELECT 1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlShape::Kind::kOther);  // DuckDB's type check refuses it.
  s = ParseSqlShape("SELECT 'create view x as' AS \"drop view y\"");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, SqlShape::Kind::kOther);
}

TEST(SqlTextTest, MalformedViewStatementsSayWhat) {
  EXPECT_FALSE(ParseSqlShape("CREATE VIEW v").ok());
  EXPECT_FALSE(ParseSqlShape("CREATE VIEW v AS").ok());
  EXPECT_FALSE(ParseSqlShape("CREATE VIEW other_db.v AS SELECT 1").ok());
  EXPECT_FALSE(ParseSqlShape("CREATE TEMP VIEW v AS SELECT 1").ok());
  EXPECT_FALSE(ParseSqlShape("DROP VIEW v extra").ok());
  auto s = ParseSqlShape("CREATE VIEW v SELECT 1");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("expected AS"), std::string::npos);
}

TEST(SqlTextTest, OnlyReadingStatementsStartLikeAQuery) {
  for (const char* sql :
       {"select 1", " -- c\n WITH a AS (SELECT 1) SELECT * FROM a", "(SELECT 1)", "FROM events",
        "DESCRIBE events", "summarize events", "/* x */ VALUES (1)", "EXPLAIN SELECT 1"}) {
    EXPECT_TRUE(StartsLikeAQuery(sql)) << sql;
  }
  for (const char* sql :
       {"EXPORT DATABASE '/tmp/x'", "COPY t TO 'x'", "ATTACH 'x'", "SET a=1", "PRAGMA x",
        "INSERT INTO t VALUES (1)", "CALL f()", "", "-- only", "'SELECT'", "\"SELECT\""}) {
    EXPECT_FALSE(StartsLikeAQuery(sql)) << sql;
  }
}

TEST(SqlTextTest, TrimStatementDropsTrailingSemicolonsAndComments) {
  EXPECT_EQ(TrimStatement("SELECT 1 ;  -- done\n"), "SELECT 1");
  EXPECT_EQ(TrimStatement("SELECT ';' ;;"), "SELECT ';'");
  EXPECT_EQ(TrimStatement("  ; "), "");
  EXPECT_EQ(TrimStatement("SELECT 1 /* c; */"), "SELECT 1");
}

TEST(SqlTextTest, NamesAreListedWithWhereTheyStandAndWhetherTheyAreCalled) {
  std::string_view sql = "SELECT f (x), 'a(' -- g(\n FROM \"t\"(1) /* h( */";
  std::vector<SqlName> names = SqlNames(sql);
  ASSERT_EQ(names.size(), 7u);  // SELECT f x 'a(' FROM "t" 1
  EXPECT_EQ(names[1].text, "f");
  EXPECT_TRUE(names[1].call);
  EXPECT_FALSE(names[2].call);  // x
  EXPECT_EQ(names[3].text, "'a('");
  EXPECT_EQ(names[3].identifier, "");  // A string names nothing.
  EXPECT_FALSE(names[3].call);
  EXPECT_EQ(names[5].text, "\"t\"");
  EXPECT_EQ(names[5].identifier, "t");
  EXPECT_TRUE(names[5].call);
  EXPECT_EQ(SqlPosition(sql, names[5].offset), "line 2, column 7");
  EXPECT_EQ(SqlPosition(sql, 0), "line 1, column 1");
}

}  // namespace
}  // namespace gamelake
