// The parser of Kinesis Data Analytics' streaming SQL: application code (one or
// more ';'-separated CREATE STREAM / CREATE PUMP statements) to the syntax tree
// of sql_ast.h, by recursive descent over the tokens of sql_lexer.h.
//
// Errors are InvalidArgument "<line>:<column>: <what>, found '<token>'", e.g.
// "3:17: expected FROM, found 'WHERE'" ("found end of input" at the end).
// Nesting (parentheses, subqueries, NOT/unary chains) deeper than
// kMaxSqlNestingDepth is refused with its own error, so hostile SQL cannot
// exhaust the stack; code over kMaxSqlProgramBytes is refused before lexing.
//
// The parser checks syntax only: names, types, functions (including the ones
// gamelake refuses on purpose, RANDOM_CUT_FOREST and HOTSPOTS, which parse as
// calls) and the streaming rules (a monotonic GROUP BY key, ...) are the
// binder's.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_STREAMING_SQL_PARSER_H_
#define GAMELAKE_STREAMING_SQL_PARSER_H_

#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "streaming/sql_ast.h"

namespace gamelake {

inline constexpr int kMaxSqlNestingDepth = 200;
inline constexpr size_t kMaxSqlProgramBytes = 1 << 20;

Result<SqlProgram> ParseProgram(std::string_view sql);

// One expression alone (tests, and later the CLI's --filter style options).
Result<SqlExprPtr> ParseSqlExpression(std::string_view sql);

// A column type alone ("INTEGER", "VARCHAR(16)", "DECIMAL(5,2)", "DOUBLE
// PRECISION"), e.g. a sqlType of an input schema; errors as above.
Result<SqlType> ParseSqlType(std::string_view text);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SQL_PARSER_H_
