// MetricMath: CloudWatch metric math expressions in GetMetricData, e.g.
// "m1 + m2", "SUM(METRICS())", "FILL(m1, 0)", "RATE(m1) * 60", "AVG([m1, m2])".
//
// Grammar (case-insensitive function names; ids as GetMetricData's):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := '-' unary | power
//   power   := primary ('^' unary)?
//   primary := number | id | '(' expr ')' | '[' expr (',' expr)* ']'
//            | FUNC '(' args ')'
//   FUNC    := SUM | AVG | MIN | MAX | FILL | RATE | ABS | METRICS
//
// Values are scalars, time series (timestamps ascending) or arrays of time
// series. Arithmetic works element-wise: series with series on the timestamps
// both have, series with scalar on every point, arrays point-wise with each
// member. SUM/AVG/MIN/MAX of an array give one series (per timestamp, over the
// members with a point there); of a single series, a scalar. FILL(s, v) gives
// s a point at every period of the grid, v where s had none (v a number, or
// REPEAT for the last value before). RATE(s): change per second between
// consecutive points. ABS(x): absolute value. METRICS() is every MetricStat
// query's series, METRICS("text") those whose id or label contains the text.
// Division by zero leaves the point out, as CloudWatch does.
//
// Errors are InvalidArgument "ValidationError: <expression>: 1:<column>: ..."
// naming the character where the problem is.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_METRICS_METRIC_MATH_H_
#define GAMELAKE_METRICS_METRIC_MATH_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gamelake {

struct MathSeries {
  std::string id;
  std::string label;
  std::vector<int64_t> timestamps_ms;  // Ascending.
  std::vector<double> values;
};

struct MathContext {
  // The series of each query id (MetricStat results and expressions already evaluated).
  std::map<std::string, MathSeries> series;
  // The ids of the MetricStat queries (for METRICS()), in request order.
  std::vector<std::string> metric_ids;
  // The period grid FILL uses: start (inclusive), end (exclusive), period.
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t period_s = 60;
};

// The ids an expression refers to (for ordering and cycle checks), and
// whether it calls METRICS(); errors as Evaluate's.
Result<std::vector<std::string>> ExpressionReferences(std::string_view expression,
                                                      bool* uses_metrics);

// Evaluates `expression` to one time series (a scalar result becomes a point
// at every period of the grid; an array result is refused: a query answers
// one series).
Result<MathSeries> EvaluateExpression(std::string_view expression, const MathContext& context);

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_METRIC_MATH_H_
