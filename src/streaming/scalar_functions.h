// KDA's library of scalar functions for the streaming SQL engine, bound from
// the syntax tree's calls and special forms (EXTRACT, FLOOR/CEIL ... TO,
// STEP, POSITION, SUBSTRING, TRIM). The binder (expression_binder.h) calls
// these with the arguments already bound; each checks the argument count and
// types, naming the function and the argument ("1:8: argument 2 of MOD must
// be an integer, found DOUBLE"), and returns a node to evaluate per row.
//
// Supported: numeric ABS CEIL/CEILING EXP FLOOR LN LOG10 MOD POWER STEP;
// string CHAR_LENGTH/CHARACTER_LENGTH INITCAP LOWER UPPER OVERLAY POSITION
// REGEX_REPLACE SUBSTRING (also FROM a regular expression) TRIM; null
// COALESCE NULLIF; datetime CURRENT_ROW_TIMESTAMP CURRENT_TIMESTAMP
// LOCALTIMESTAMP CURRENT_DATE CURRENT_TIME LOCALTIME (all the row's ROWTIME:
// evaluation never reads a clock) CHAR_TO_TIMESTAMP CHAR_TO_DATE CHAR_TO_TIME
// TIMESTAMP_TO_CHAR DATE_TO_CHAR TIME_TO_CHAR TO_TIMESTAMP UNIX_TIMESTAMP
// TSDIFF EXTRACT FLOOR/CEIL(x TO unit); MONOTONIC (the identity: a hint).
// Refused by name with "... is not supported by gamelake": RANDOM_CUT_FOREST,
// RANDOM_CUT_FOREST_WITH_EXPLANATION, HOTSPOTS and the log parsers
// (FAST_REGEX_LOG_PARSER, FIXED_COLUMN_LOG_PARSE, REGEX_LOG_PARSE,
// SYS_LOG_PARSE, VARIABLE_COLUMN_LOG_PARSE, W3C_LOG_PARSE).
//
// Thread-safety: binding is pure; the nodes are BoundExprs.
#ifndef GAMELAKE_STREAMING_SCALAR_FUNCTIONS_H_
#define GAMELAKE_STREAMING_SCALAR_FUNCTIONS_H_

#include <string_view>
#include <vector>

#include "common/result.h"
#include "streaming/bound_expr.h"
#include "streaming/sql_ast.h"

namespace gamelake {

// A call `call` (kFunction, not an aggregate) with its bound arguments.
Result<BoundExprPtr> BindFunctionCall(const SqlExpr& call, std::vector<BoundExprPtr> args);

// Names gamelake knows and refuses on purpose (the message says so).
bool IsRefusedFunction(std::string_view upper_name);

Result<BoundExprPtr> BindExtract(SqlTimeUnit unit, BoundExprPtr e, SqlPos pos);
Result<BoundExprPtr> BindFloorTo(BoundExprPtr e, SqlTimeUnit unit, bool ceil, SqlPos pos);
Result<BoundExprPtr> BindStep(BoundExprPtr e, BoundExprPtr width, SqlPos pos);
Result<BoundExprPtr> BindPosition(BoundExprPtr needle, BoundExprPtr haystack, SqlPos pos);
// SUBSTRING(s FROM start [FOR length]), or SUBSTRING(s FROM regex) when the
// second argument is a string.
Result<BoundExprPtr> BindSubstring(std::vector<BoundExprPtr> args, SqlPos pos);
// TRIM; `chars` null means ' '.
Result<BoundExprPtr> BindTrim(SqlTrimSpec spec, BoundExprPtr s, BoundExprPtr chars, SqlPos pos);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SCALAR_FUNCTIONS_H_
