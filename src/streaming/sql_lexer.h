// The lexer of Kinesis Data Analytics' streaming SQL: source text to tokens,
// each with the line:column (1-based) where it starts.
//
// SQL:2008's rules, as KDA has them: an unquoted identifier or keyword is
// upper-cased ("select" and "Select" both read SELECT); a double-quoted
// identifier keeps its case, with "" standing for one quote; a string literal
// is single-quoted, with '' standing for one quote; numbers are integers,
// decimals (1.5, .5) or approximate (1e3, 2.5E-2); -- runs to the end of the
// line and /* ... */ may span lines (not nested). Columns count characters:
// UTF-8 continuation bytes do not advance them.
//
// An unterminated string, quoted identifier or comment is an InvalidArgument
// naming the line:column where it started. The caller bounds the input's size.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_STREAMING_SQL_LEXER_H_
#define GAMELAKE_STREAMING_SQL_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gamelake {

enum class SqlTokenKind {
  kWord,              // Unquoted identifier or keyword; text is upper-cased.
  kQuotedIdentifier,  // text is the identifier, quotes removed, "" unescaped.
  kString,            // text is the value, quotes removed, '' unescaped.
  kNumber,            // text as written: 10, 1.5, .5, 1e3.
  kSymbol,            // = <> != < <= > >= + - * / || ( ) , . ;
  kEnd,               // After the last token.
};

struct SqlToken {
  SqlTokenKind kind = SqlTokenKind::kEnd;
  std::string text;
  std::string_view raw;  // As written, into the lexed input; empty for kEnd.
  int line = 1;
  int column = 1;

  bool IsWord(std::string_view upper) const { return kind == SqlTokenKind::kWord && text == upper; }
  bool IsSymbol(std::string_view s) const { return kind == SqlTokenKind::kSymbol && text == s; }
};

// The tokens of `sql`, ending with one kEnd token. The tokens' raw views point
// into `sql`, which must outlive them.
Result<std::vector<SqlToken>> TokenizeSql(std::string_view sql);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SQL_LEXER_H_
