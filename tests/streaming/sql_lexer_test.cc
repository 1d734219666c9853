#include "streaming/sql_lexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

std::vector<SqlToken> Lex(std::string_view sql) {
  auto r = TokenizeSql(sql);
  EXPECT_THAT(r.status(), IsOk()) << sql;
  return r.ok() ? *r : std::vector<SqlToken>{};
}

TEST(SqlLexerTest, IdentifierCaseRules) {
  auto t = Lex("select \"Losses\" from \"a\"\"b\" Wins");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_TRUE(t[0].IsWord("SELECT"));
  EXPECT_EQ(t[1].kind, SqlTokenKind::kQuotedIdentifier);
  EXPECT_EQ(t[1].text, "Losses");
  EXPECT_TRUE(t[2].IsWord("FROM"));
  EXPECT_EQ(t[3].text, "a\"b");
  EXPECT_EQ(t[4].text, "WINS");
  EXPECT_EQ(t[4].raw, "Wins");
  EXPECT_EQ(t[5].kind, SqlTokenKind::kEnd);
}

TEST(SqlLexerTest, StringsNumbersOperatorsAndPositions) {
  auto t = Lex("'it''s' 10 1.5 .5 1e3 2.5E-2\n  <> != <= >= || ; a.b");
  std::vector<std::string> texts;
  for (const SqlToken& x : t) texts.push_back(x.text);
  EXPECT_THAT(texts, ::testing::ElementsAre("it's", "10", "1.5", ".5", "1e3", "2.5E-2", "<>",
                                            "!=", "<=", ">=", "||", ";", "A", ".", "B", ""));
  EXPECT_EQ(t[0].kind, SqlTokenKind::kString);
  EXPECT_EQ(t[5].kind, SqlTokenKind::kNumber);
  EXPECT_EQ(t[6].line, 2);
  EXPECT_EQ(t[6].column, 3);
  EXPECT_EQ(t[12].column, 20);
}

TEST(SqlLexerTest, CommentsAreSkipped) {
  auto t = Lex("-- ** Continuous Filter **\nA /* x\n y */ B -- tail");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].line, 2);
  EXPECT_EQ(t[1].text, "B");
  EXPECT_EQ(t[1].line, 3);
  EXPECT_EQ(t[1].column, 7);
}

TEST(SqlLexerTest, ColumnsCountCharactersNotBytes) {
  auto t = Lex("'é' x");
  EXPECT_EQ(t[1].column, 5);
}

TEST(SqlLexerTest, HostileInput) {
  struct Case {
    std::string sql;
    std::string error;
  };
  const Case cases[] = {
      {"SELECT 'abc", "1:8: unterminated string literal"},
      {"a\n  \"Open", "2:3: unterminated quoted identifier"},
      {"x /* never closed", "1:3: unterminated comment"},
      {"a # b", "1:3: unexpected character '#'"},
      {"\"\"", "1:1: empty quoted identifier"},
      {std::string("a \x01"), "1:3: unexpected character '\\x01'"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(TokenizeSql(c.sql), StatusIs(Status::Code::kInvalidArgument, c.error)) << c.sql;
  }
}

}  // namespace
}  // namespace gamelake
