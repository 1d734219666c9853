// SqlText: the little SQL lexing gamelake does itself, before DuckDB sees a
// statement: recognising the view statements the catalog keeps (CREATE [OR
// REPLACE] VIEW, DROP VIEW), the statement an EXPLAIN wraps, and trimming a
// trailing semicolon so a statement can be nested as a subquery. Everything
// else — grammar, names, types — is DuckDB's parser's job.
//
// The lexer knows whitespace, -- and /* */ comments, 'strings' (with ''),
// "identifiers" (with ""), and words; that is enough to find statement
// boundaries and leading keywords without being fooled by quoted text.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_QUERY_SQL_TEXT_H_
#define GAMELAKE_QUERY_SQL_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gamelake {

struct SqlShape {
  enum class Kind {
    kOther,       // Anything else: DuckDB decides what it is.
    kCreateView,  // CREATE [OR REPLACE] VIEW name AS body
    kDropView,    // DROP VIEW [IF EXISTS] name
    kExplain,     // EXPLAIN [ANALYZE] body
  };
  Kind kind = Kind::kOther;
  std::string name;  // View name, unquoted, without a "lake." or "main." prefix.
  bool or_replace = false;
  bool if_exists = false;
  bool analyze = false;
  std::string body;  // The SELECT of a view or the statement under EXPLAIN.
};

// InvalidArgument for a malformed CREATE VIEW / DROP VIEW (says what is
// missing and at which character) or a view named with another database.
Result<SqlShape> ParseSqlShape(std::string_view sql);

// True if sql starts (after comments) like a statement that only reads:
// SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, DESC, SHOW, SUMMARIZE, PIVOT,
// UNPIVOT, EXPLAIN or '('. DuckDB binds a statement when it is prepared, and
// binding some statements already acts (EXPORT DATABASE creates its
// directory), so anything else is refused before DuckDB sees it.
bool StartsLikeAQuery(std::string_view sql);

// sql without trailing whitespace, comments and semicolons.
std::string_view TrimStatement(std::string_view sql);

// A name-like token of a statement: a word, a "quoted identifier" or a
// 'string', as written (quotes included), at byte `offset`; `identifier` is
// the name a word or quoted identifier stands for (unquoted; empty for a
// string); `call` is true when the next token is '(' (a function is called by
// that name).
struct SqlName {
  std::string_view text;
  std::string identifier;
  size_t offset = 0;
  bool call = false;
};

// The words, quoted identifiers and strings of sql, in order; comments are
// skipped.
std::vector<SqlName> SqlNames(std::string_view sql);

// "line L, column C" (both from 1; columns count bytes) of byte `offset` of sql.
std::string SqlPosition(std::string_view sql, size_t offset);

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_SQL_TEXT_H_
