#include "streaming/sql_regex.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

std::string FirstMatch(std::string_view pattern, std::string_view text) {
  Result<SqlRegex> re = SqlRegex::CompileJava(pattern);
  if (!re.ok()) return "error: " + re.status().message();
  std::vector<std::pair<int, int>> g;
  if (!re->Search(text, 0, &g)) return "<none>";
  return std::string(text.substr(g[0].first, g[0].second - g[0].first));
}

TEST(SqlRegexTest, JavaSyntaxFindsLeftmostFirstMatches) {
  struct Case {
    const char* pattern;
    const char* text;
    const char* match;
  };
  const Case cases[] = {
      {"b+", "aabbbc", "bbb"},
      {"b+?", "aabbbc", "b"},
      {"a|ab", "ab", "a"},  // Leftmost-first, like Java: the first alternative wins.
      {"(a|ab)c", "abc", "abc"},
      {"\\d{2,3}", "x12345", "123"},
      {"\\d{2,}", "x12345y", "12345"},
      {"[^a-c]+", "abcxyzabc", "xyz"},
      {"[\\w.]+@\\w+", "mail ada@host now", "ada@host"},
      {"^ab", "cab", "<none>"},
      {"ab$", "abab", "ab"},
      {"\\bcat\\b", "concat cat", "cat"},
      {"\\bca", "concat cat", "ca"},
      {"a\\b", "concat cat", "<none>"},
      {"colou?r", "my colour", "colour"},
      {"\\.", "a.b", "."},
      {"\\x41\\u0042", "xAB", "AB"},
      {".", "\n", "<none>"},
      {"é+", "aééb", "éé"},
      {"(?:ab)+", "xababx", "abab"},
      {"x*", "abc", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(FirstMatch(c.pattern, c.text), c.match) << c.pattern;
}

TEST(SqlRegexTest, GroupsReportByteOffsets) {
  Result<SqlRegex> re = SqlRegex::CompileJava("(\\w+)@(\\w+)?(x)?");
  GL_ASSERT_OK(re);
  EXPECT_EQ(re->group_count(), 3);
  std::vector<std::pair<int, int>> g;
  ASSERT_TRUE(re->Search("to: ada@host", 0, &g));
  EXPECT_EQ(g[0], std::make_pair(4, 12));
  EXPECT_EQ(g[1], std::make_pair(4, 7));
  EXPECT_EQ(g[2], std::make_pair(8, 12));
  EXPECT_EQ(g[3], std::make_pair(-1, -1));
  ASSERT_TRUE(re->Search("a@b c@d", 3, &g));
  EXPECT_EQ(g[0], std::make_pair(4, 7));
}

TEST(SqlRegexTest, RefusesWhatItDoesNotSupport) {
  for (const char* p :
       {"(?=a)", "(?i)a", "\\1", "\\p{Alpha}", "[a-z&&[^b]]", "a{2,1}", "*a", "(a", "a)", "[a"}) {
    EXPECT_THAT(SqlRegex::CompileJava(p), StatusIs(Status::Code::kInvalidArgument, "")) << p;
  }
  EXPECT_THAT(SqlRegex::CompileJava("(a{1000}){1000}"),
              StatusIs(Status::Code::kInvalidArgument, "regular expression is too large"));
}

TEST(SqlRegexTest, CostStaysLinearOnPathologicalPatterns) {
  // (a*)*b against a long run of a's: exponential for a backtracking matcher.
  Result<SqlRegex> re = SqlRegex::CompileJava("(a*)*b");
  GL_ASSERT_OK(re);
  std::string text(100000, 'a');
  std::vector<std::pair<int, int>> g;
  EXPECT_FALSE(re->Search(text, 0, &g));
  text.push_back('b');
  ASSERT_TRUE(re->Search(text, 0, &g));
  EXPECT_EQ(g[0], std::make_pair(0, 100001));
}

TEST(SqlRegexTest, SimilarToMatchesWholeStrings) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      {"abc", "abc", true},
      {"abc", "abcd", false},
      {"a%", "abcd", true},
      {"%c_", "abcd", true},
      {"_", "é", true},
      {"(ab|cd)+", "abcdab", true},
      {"(ab|cd)+", "abce", false},
      {"a{2}b?", "aa", true},
      {"a.b", "axb", false},
      {"a.b", "a.b", true},
      {"[a-c]*", "abcabc", true},
      {"[^a-c]", "d", true},
      {"[[:UPPER:]][[:LOWER:]]+", "Ada", true},
      {"a+", "", false},
  };
  for (const Case& c : cases) {
    Result<SqlRegex> re = SqlRegex::CompileSimilar(c.pattern, std::nullopt);
    GL_ASSERT_OK(re);
    EXPECT_EQ(re->FullMatch(c.text), c.match) << c.pattern << " / " << c.text;
  }
  Result<SqlRegex> esc = SqlRegex::CompileSimilar("100#%", U'#');
  GL_ASSERT_OK(esc);
  EXPECT_TRUE(esc->FullMatch("100%"));
  EXPECT_FALSE(esc->FullMatch("1000"));
  EXPECT_THAT(SqlRegex::CompileSimilar("[[:NOPE:]]", std::nullopt),
              StatusIs(Status::Code::kInvalidArgument, "unknown character class [:NOPE:]"));
}

TEST(LikePatternTest, WildcardsAndEscapes) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      {"abc", "abc", true},
      {"abc", "ab", false},
      {"a%", "a", true},
      {"%a%a%", "banana", true},
      {"%x%", "banana", false},
      {"b_n%", "banana", true},
      {"%", "", true},
      {"_", "", false},
      {"%na", "banana", true},
      {"a%b%c", "aXbYbZc", true},
      {"a%b%c", "aXbYbZ", false},
      {"__", "éa", true},
  };
  for (const Case& c : cases) {
    Result<LikePattern> p = LikePattern::Compile(c.pattern, std::nullopt);
    GL_ASSERT_OK(p);
    EXPECT_EQ(p->Matches(c.text), c.match) << c.pattern << " / " << c.text;
  }
  Result<LikePattern> p = LikePattern::Compile("10\\%\\_\\\\", U'\\');
  GL_ASSERT_OK(p);
  EXPECT_TRUE(p->Matches("10%_\\"));
  EXPECT_FALSE(p->Matches("10x_\\"));
  EXPECT_THAT(LikePattern::Compile("a\\", U'\\'),
              StatusIs(Status::Code::kInvalidArgument, "ends with its escape character"));
}

}  // namespace
}  // namespace gamelake
