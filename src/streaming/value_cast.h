// Conversions between SQL values of the streaming engine: CAST (KDA's table of
// valid conversions), assignment to a declared column type (INSERT INTO a
// stream), the text form of a value (CAST to VARCHAR), and the numeric
// promotions expressions need (INTEGER -> DECIMAL -> DOUBLE).
//
// Rules, from the KDA SQL reference and SQL:2008:
//  - numbers to an integer type round half away from zero and must fit the
//    type (TINYINT -128..127, SMALLINT, INTEGER 32-bit, BIGINT 64-bit);
//  - DECIMAL(p,s) rounds to s digits and must fit p (default DECIMAL(18,0));
//  - a string to CHAR(n)/VARCHAR(n) is cut to n characters (CHAR(n) is then
//    padded with spaces to n); any other value whose text is longer than n is
//    an error (KDA: "2008-08-23" does not fit VARCHAR(9));
//  - a string to a number, BOOLEAN, DATE, TIME or TIMESTAMP must be a valid
//    literal of that type once trimmed of spaces;
//  - a TIME to TIMESTAMP lands on 1970-01-01 (SQL takes CURRENT_DATE, which
//    gamelake cannot read while evaluating); a day-time INTERVAL to a number
//    is its milliseconds.
// Failures are InvalidArgument: "cannot convert 'abc' to INTEGER".
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_STREAMING_VALUE_CAST_H_
#define GAMELAKE_STREAMING_VALUE_CAST_H_

#include <string>

#include "common/status.h"
#include "streaming/sql_ast.h"
#include "streaming/sql_value.h"

namespace gamelake {

// CAST semantics (also INSERT INTO a column of a declared type): converts `in`
// to `target` or fails. NULL converts to a NULL of the target's value type.
Status CastValue(const SqlValue& in, const SqlType& target, SqlValue* out);

// Whether CAST from values of `from` to `to` is ever valid (KDA's table).
bool CastAllowed(ValueType from, const SqlType& to);

// Store assignment: values of `from` may go into a column of `to` without an
// explicit CAST (numbers to numbers, strings to strings, like to like).
bool AssignableTo(ValueType from, const SqlType& to);

// The text CAST(v AS VARCHAR) gives: 42, 1.5, TRUE, 2024-01-02 03:04:05.678,
// 2024-01-02, 03:04:05.678, +1 02:03:04.000 (intervals), hex for binary.
void AppendValueText(const SqlValue& v, std::string* out);

// Converts a numeric value to the numeric type `to` (kInteger, kDecimal or
// kDouble) in place; integers only widen, so this never fails.
void PromoteNumeric(SqlValue* v, ValueType to);

// The wider of two numeric types: DOUBLE over DECIMAL over INTEGER.
ValueType WiderNumeric(ValueType a, ValueType b);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_VALUE_CAST_H_
