// Pattern matching for the streaming SQL engine: LIKE, SIMILAR TO, and the
// Java-style regular expressions of REGEX_REPLACE and SUBSTRING(s FROM regex).
//
// SqlRegex compiles to a small instruction program run by a Pike VM (all
// threads in lock step), so a match costs O(length of text x size of program)
// whatever the pattern: no backtracking blow-up, no recursion on the text.
// Programs are capped at kMaxRegexInstructions (a pattern over that is an
// error at compile time), which bounds the cost of every evaluation.
// Text is UTF-8; '.', '_' and classes match code points (a byte that is not
// valid UTF-8 counts as one character).
//
// Java syntax supported: literals and escapes (\t \n \r \f \e \xhh \uhhhh,
// \d \D \w \W \s \S, \b \B, an escaped metacharacter), '.', ^ $, classes
// [a-z] [^...] with those escapes, groups ( ) and (?: ), alternation |, and
// the quantifiers * + ? {n} {n,} {n,m} (greedy, lazy with ?, possessive +
// read as greedy). Other constructs (lookaround, back references, flags,
// \p{...}, class intersection) are refused with an error naming them.
// SIMILAR TO syntax (SQL:2008): % _ | * + ? {m,n} ( ) [...] with ranges, ^
// negation and [:ALPHA:] [:DIGIT:] [:ALNUM:] [:UPPER:] [:LOWER:] [:SPACE:];
// every other character is literal; the ESCAPE character quotes the next one.
//
// Thread-safety: a compiled pattern keeps scratch state for matching; use it
// from one thread at a time (like the BoundExpr that owns it).
#ifndef GAMELAKE_STREAMING_SQL_REGEX_H_
#define GAMELAKE_STREAMING_SQL_REGEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gamelake {

inline constexpr size_t kMaxRegexInstructions = 4000;

// Reads one UTF-8 code point at s[*pos] and advances *pos (by 1 on bad input).
char32_t DecodeUtf8(std::string_view s, size_t* pos);
void AppendUtf8(char32_t c, std::string* out);
// Number of code points.
size_t Utf8Length(std::string_view s);

class SqlRegex {
 public:
  static Result<SqlRegex> CompileJava(std::string_view pattern);
  // `escape` is the ESCAPE clause's character, if any.
  static Result<SqlRegex> CompileSimilar(std::string_view pattern, std::optional<char32_t> escape);

  SqlRegex(SqlRegex&&) noexcept;
  SqlRegex& operator=(SqlRegex&&) noexcept;
  ~SqlRegex();

  // The whole of `text` matches.
  bool FullMatch(std::string_view text) const;
  // The leftmost match starting at or after byte `from`: (*groups)[0] is the
  // whole match, [k] group k, as byte offsets (-1, -1 when a group took no part).
  bool Search(std::string_view text, size_t from, std::vector<std::pair<int, int>>* groups) const;
  int group_count() const;

  struct Program;  // The compiled form (sql_regex.cc).

 private:
  explicit SqlRegex(std::unique_ptr<Program> p);
  bool Run(std::string_view text, size_t from, bool anchored,
           std::vector<std::pair<int, int>>* groups) const;
  std::unique_ptr<Program> program_;
};

// A LIKE pattern: % any sequence, _ one character, the escape character
// quotes the next % _ or itself (anything else after it is an error).
class LikePattern {
 public:
  static Result<LikePattern> Compile(std::string_view pattern, std::optional<char32_t> escape);
  bool Matches(std::string_view text) const;

 private:
  struct Token {
    enum Kind { kLiteral, kOne, kAny } kind = kLiteral;
    std::string text;  // kLiteral.
  };
  std::vector<Token> tokens_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SQL_REGEX_H_
