// Comparison and hashing of SqlValues, shared by expression evaluation
// (comparisons, CASE, IN), grouping keys, DISTINCT and MIN/MAX.
//
// Numbers compare by value across kInteger, kDouble and kDecimal (an integer
// against a double compares exactly, not through a rounded double). Strings
// and binaries compare bytewise; booleans false < true; temporal values and
// intervals by their counts. NULL sorts before every value and equals only
// NULL here (SQL's three-valued comparison is the evaluator's, not this).
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_STREAMING_VALUE_OPS_H_
#define GAMELAKE_STREAMING_VALUE_OPS_H_

#include <cstddef>
#include <vector>

#include "streaming/sql_value.h"

namespace gamelake {

bool IsNumeric(ValueType type);

// <0, 0, >0. Values of incomparable types (a string against a number) order
// by their ValueType; the binder refuses such comparisons before they run.
int CompareValues(const SqlValue& a, const SqlValue& b);

// Equal values (CompareValues == 0) hash equally, also across number types.
size_t HashValue(const SqlValue& v);

// True if any value is NULL (a join key with a NULL matches nothing).
bool AnyNull(const std::vector<SqlValue>& values);

struct ValueVectorHash {
  size_t operator()(const std::vector<SqlValue>& key) const;
};
struct ValueVectorEq {
  bool operator()(const std::vector<SqlValue>& a, const std::vector<SqlValue>& b) const;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_VALUE_OPS_H_
