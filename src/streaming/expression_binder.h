// The expression binder of the streaming SQL engine: turns a syntax-tree
// expression of a KDA application (sql_ast.h) into a BoundExpr (bound_expr.h)
// over the rows of one or two inputs — names resolved to columns, types
// checked, operators and functions chosen, constants folded — with errors
// that say what and where ("2:17: column \"Lossess\" not found in
// SOURCE_SQL_STREAM_001").
//
// Resolution: `col` searches every input (found in two is ambiguous); `q.col`
// the input whose alias, or else name, is q (names as stored: unquoted ones
// upper-cased by the parser, quoted ones exact). ROWTIME (and q.ROWTIME) is
// that input's row time; an unqualified ROWTIME is input 0's.
//
// Semantics (KDA / SQL:2008): three-valued logic, comparisons with NULL are
// NULL; integer arithmetic stays integer (division truncates toward zero;
// overflow and division by zero are evaluation errors with the position);
// integer with DECIMAL is DECIMAL, anything with DOUBLE is DOUBLE; datetime
// and interval arithmetic; LIKE, SIMILAR TO, IN, BETWEEN, CASE, COALESCE,
// NULLIF, CAST; KDA's scalar functions (scalar_functions.h). A string literal
// compared with a date, time or timestamp is read as one.
//
// Grouped queries: the planner substitutes group keys and aggregate calls
// through the BindHook; an aggregate or a column left over is an error.
//
// Thread-safety: binding is pure; see bound_expr.h for evaluation.
#ifndef GAMELAKE_STREAMING_EXPRESSION_BINDER_H_
#define GAMELAKE_STREAMING_EXPRESSION_BINDER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "streaming/bound_expr.h"
#include "streaming/sql_ast.h"
#include "streaming/sql_value.h"
#include "streaming/value_cast.h"  // CastValue, AssignableTo.

namespace gamelake {

struct BindInput {
  std::string name;                  // The stream's name as stored, e.g. "SOURCE_SQL_STREAM_001".
  std::optional<std::string> alias;  // FROM s AS a: "A" (as stored, upper-cased unless quoted).
  const StreamSchema* schema = nullptr;
};

// Lets the planner replace whole sub-expressions before they are bound: group
// keys and aggregate calls over a GROUP BY's output, window aggregates
// (f(...) OVER w).
class BindHook {
 public:
  virtual ~BindHook() = default;
  // Returns a bound replacement for `e`, or nullptr (as a value) to let the
  // binder bind `e` normally, or an error.
  virtual Result<BoundExprPtr> Substitute(const SqlExpr& e) = 0;
};

struct BindScope {
  std::vector<BindInput> inputs;  // 1, or 2 for a join (input index = position here).
  BindHook* hook = nullptr;       // Asked first for every node, if set.
  // When true (a grouped query), a column reference the hook did not
  // substitute is an error "line:col: column \"x\" must appear in GROUP BY or
  // in an aggregate function".
  bool grouped = false;
};

Result<BoundExprPtr> BindExpression(const SqlExpr& expr, const BindScope& scope);

// COUNT, SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, EXP_AVG, ANY, EVERY,
// STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP, LAG, NTH_VALUE,
// TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING (upper-case name): the
// names the planner treats as aggregates or window functions (one reaching
// the binder unsubstituted is an error "aggregate function X is not allowed
// here").
bool IsAggregateFunction(std::string_view upper_name);

// Wraps `e` so it yields values of `target` (CAST at `pos`): InvalidArgument
// at bind time when the types can never convert ("1:8: cannot convert BOOLEAN
// to TIMESTAMP"); values that fail (a string that is no number, a number out
// of range) fail at evaluation. Casting to the value's own unconstrained type
// returns `e` itself.
Result<BoundExprPtr> BindCast(BoundExprPtr e, const SqlType& target, SqlPos pos);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_EXPRESSION_BINDER_H_
