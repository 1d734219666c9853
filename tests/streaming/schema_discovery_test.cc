#include "streaming/schema_discovery.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "streaming/sql_reserved_words.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;

TEST(SchemaDiscoveryTest, KdaColumnName) {
  const std::string long_key(150, 'k');
  struct Case {
    std::string key;
    std::string name;
  } cases[] = {
      {"Time Played", "COL_TimePlayed"},
      {"PlayerID", "PlayerID"},
      {"Wins", "Wins"},
      {"Losses", "Losses"},
      {"CaughtAt", "CaughtAt"},
      {"CaughtBy", "CaughtBy"},
      {"1st", "COL_1st"},
      {"select", "COL_select"},
      {"TIMESTAMP", "COL_TIMESTAMP"},
      {"Year", "COL_Year"},
      {"a-b", "COL_ab"},
      {"_under", "_under"},
      {"ticker_symbol", "ticker_symbol"},
      {"", "COL_"},
      {"%%", "COL_"},
      {"prix€", "COL_prix"},
      {long_key, "COL_" + std::string(96, 'k')},
      {std::string(100, 'k'), std::string(100, 'k')},
  };
  for (const Case& c : cases) EXPECT_EQ(KdaColumnName(c.key), c.name) << c.key;
}

TEST(SchemaDiscoveryTest, DuplicatesGetSuffixes) {
  EXPECT_THAT(
      KdaColumnNames({"Time Played", "TimePlayed", "Time-Played", "COL_TimePlayed", "a", "A", "a"}),
      ElementsAre("COL_TimePlayed", "TimePlayed", "COL_TimePlayed_2", "COL_TimePlayed_3", "a", "A",
                  "a_2"));
  std::string k150(150, 'k');
  auto names = KdaColumnNames({k150, k150 + "x"});
  EXPECT_EQ(names[1], "COL_" + std::string(94, 'k') + "_2");
  EXPECT_EQ(names[1].size(), 100u);
}

TEST(SchemaDiscoveryTest, ReservedWordListIsSortedAndCaseInsensitive) {
  EXPECT_TRUE(IsSqlReservedWord("select"));
  EXPECT_TRUE(IsSqlReservedWord("RowTime"));
  EXPECT_TRUE(IsSqlReservedWord("USER"));
  EXPECT_TRUE(IsSqlReservedWord("VALUES"));
  EXPECT_FALSE(IsSqlReservedWord("PlayerID"));
  EXPECT_FALSE(IsSqlReservedWord("ticker_symbol"));
}

TEST(SchemaDiscoveryTest, InferSqlType) {
  using V = std::vector<JsonSample>;
  struct Case {
    V samples;
    std::string type;
  } cases[] = {
      {V{int64_t{1}, int64_t{-7}, std::monostate{}}, "INTEGER"},
      {V{int64_t{1}, int64_t{5'000'000'000}}, "BIGINT"},
      {V{int64_t{1}, 2.5}, "DOUBLE"},
      {V{true, false}, "BOOLEAN"},
      {V{std::string("2018-08-01T20:17:20.797945"), std::string("2009-02-09 12:00:00Z")},
       "TIMESTAMP"},
      {V{std::string("2018-08-01T20:17:20+02:00")}, "TIMESTAMP"},
      {V{std::string("2018-08-01")}, "DATE"},
      {V{std::string("AMZN"), std::string("TBV")}, "VARCHAR(4)"},
      {V{std::string("2018-08-01T20:17"), std::string("x")}, "VARCHAR(16)"},
      {V{std::string("ab"), int64_t{123456}}, "VARCHAR(6)"},
      {V{std::string("héé")}, "VARCHAR(3)"},
      {V{std::monostate{}}, "VARCHAR(1)"},
      {V{}, "VARCHAR(1)"},
  };
  for (const Case& c : cases) EXPECT_EQ(InferSqlType(c.samples).ToString(), c.type) << c.type;
}

TEST(SchemaDiscoveryTest, IsIsoTimestamp) {
  EXPECT_TRUE(IsIsoTimestamp("2009-02-09 12:00:00"));
  EXPECT_TRUE(IsIsoTimestamp("2009-02-09T12:00:00.5Z"));
  EXPECT_FALSE(IsIsoTimestamp("2009-02-09T12:00:00."));
  EXPECT_FALSE(IsIsoTimestamp("2009-02-09T12:00"));
  EXPECT_FALSE(IsIsoTimestamp("2009/02/09 12:00:00"));
  EXPECT_FALSE(IsIsoTimestamp("2009-02-09 12:00:00 UTC"));
}

}  // namespace
}  // namespace gamelake
