// Aggregate functions of the streaming SQL engine: resolving a call (COUNT,
// SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE, EXP_AVG, VAR_POP, VAR_SAMP,
// STDDEV_POP, STDDEV_SAMP, and COUNT/SUM/AVG(DISTINCT x)) to its kind and
// result type, and the add-only accumulators of the grouping operators
// (tumbling GROUP BY, stagger and session windows). The sliding window's
// accumulators, which also forget rows, are in window_accumulator.h.
//
// SQL's rules, as KDA has them: NULL arguments are ignored (COUNT(*) counts
// rows); an aggregate of no values is NULL (COUNT is 0); SUM of integers is an
// integer, exact, and an evaluation error when the total leaves BIGINT; AVG of
// integers truncates toward zero (AVG of 1 and 2 is 1); AVG of DECIMAL stays
// DECIMAL, of DOUBLE stays DOUBLE. EXP_AVG, the variances and the standard
// deviations are DOUBLE. FIRST_VALUE/LAST_VALUE respect NULLs unless the
// binder sets ignore_nulls (IGNORE NULLS).
//
// EXP_AVG(x, half_life): each value weighs 2^-(age / half_life), its age
// measured from the newest row in the group or window (KDA: "the values are
// weighted the most heavily for the most recent time-intervals").
//
// Thread-safety: specs are values; an accumulator belongs to one operator.
#ifndef GAMELAKE_STREAMING_AGGREGATE_FUNCTION_H_
#define GAMELAKE_STREAMING_AGGREGATE_FUNCTION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "streaming/bound_expr.h"
#include "streaming/operator.h"
#include "streaming/sql_value.h"

namespace gamelake {

enum class AggregateKind {
  kCount,      // COUNT(x): non-null values.
  kCountStar,  // COUNT(*): rows.
  kSum,
  kAvg,
  kMin,
  kMax,
  kFirstValue,
  kLastValue,
  kExpAvg,
  kVarPop,
  kVarSamp,
  kStddevPop,
  kStddevSamp,
};

struct AggregateSpec {
  AggregateKind kind = AggregateKind::kCountStar;
  std::string name;           // Upper-cased, as the error messages show it: "SUM".
  bool distinct = false;      // COUNT/SUM/AVG(DISTINCT x).
  bool ignore_nulls = false;  // FIRST_VALUE/LAST_VALUE(x) IGNORE NULLS: the binder sets it.
  ValueType arg_type = ValueType::kNull;
  ValueType result_type = ValueType::kInteger;
  int64_t half_life_ms = 0;  // EXP_AVG's interval: the binder sets it from the literal.
  SqlPos pos;                // The call, for evaluation errors (a SUM that overflows).
};

// Resolves an aggregate call by its upper-cased name and argument types, or
// InvalidArgument "line:col: SUM needs a numeric argument, not VARCHAR"
// (wrong arity, DISTINCT where it means nothing, an unknown name). `star` is
// COUNT(*) (arg_types then empty). EXP_AVG takes (number, day-time interval).
Result<AggregateSpec> ResolveAggregate(std::string_view upper_name, bool distinct, bool star,
                                       std::vector<ValueType> arg_types, SqlPos pos);

// An aggregate of a query with its bound argument (the first argument; null
// for COUNT(*); EXP_AVG's interval lives in spec.half_life_ms).
struct BoundAggregate {
  AggregateSpec spec;
  BoundExprPtr arg;
};

// Evaluates every aggregate's argument over `row` into (*args)[i] (COUNT(*)
// gets a non-NULL placeholder). On failure returns the evaluation error and
// sets *error_pos to the failing argument's position.
Status EvalAggregateArgs(const std::vector<BoundAggregate>& aggregates, const StreamRow& row,
                         std::vector<SqlValue>* args, SqlPos* error_pos);

// Add-only state of one aggregate over one group.
class Accumulator {
 public:
  virtual ~Accumulator() = default;
  // `v` is the evaluated argument, `rowtime` its row's ROWTIME (for EXP_AVG).
  virtual void Add(const SqlValue& v, int64_t rowtime) = 0;
  // The aggregate of what was added; InvalidArgument when it does not fit its
  // type (a SUM beyond BIGINT).
  virtual Status Result(SqlValue* out) const = 0;
  virtual void Save(StateWriter* w) const = 0;
  virtual Status Load(StateReader* r) = 0;
  // Approximate heap and object bytes held.
  virtual size_t Bytes() const = 0;
};

// The accumulator keeps a reference to `spec`, which must outlive it (the
// operator's BoundAggregates do).
std::unique_ptr<Accumulator> NewAccumulator(const AggregateSpec& spec);

// The accumulators of one group (one per aggregate of the query, in order).
class AggregateGroup {
 public:
  // `aggregates` must outlive the group.
  explicit AggregateGroup(const std::vector<BoundAggregate>& aggregates);
  // `args` from EvalAggregateArgs.
  void Add(std::span<const SqlValue> args, int64_t rowtime);
  // Appends one result per aggregate; on an evaluation error returns it and
  // sets *error_pos (the failing call) — the group's row then goes to the
  // error stream.
  Status AppendResults(std::vector<SqlValue>* out, SqlPos* error_pos) const;
  void Save(StateWriter* w) const;
  Status Load(StateReader* r);
  size_t Bytes() const;

 private:
  std::vector<std::unique_ptr<Accumulator>> accumulators_;
  std::vector<SqlPos> positions_;
};

// Approximate bytes a value, a key and a row hold (object and heap).
size_t ValueBytes(const SqlValue& v);
size_t ValuesBytes(const std::vector<SqlValue>& values);

// Key columns of grouping operators: evaluates `exprs` over `row`.
Status EvalKey(const std::vector<BoundExprPtr>& exprs, const StreamRow& row,
               std::vector<SqlValue>* key, SqlPos* error_pos);

// Saves and loads a key (a count and the values).
void SaveKey(const std::vector<SqlValue>& key, StateWriter* w);
Status LoadKey(StateReader* r, std::vector<SqlValue>* key);

// "ResourceExhausted: <what> holds N bytes of state, over its bound of M".
Status StateOverBound(std::string_view what, size_t bytes, size_t bound);

// Sorts keys by CompareValues, column by column: the order groups of one
// window are emitted in (KDA's documented results list them so).
bool KeyLess(const std::vector<SqlValue>& a, const std::vector<SqlValue>& b);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_AGGREGATE_FUNCTION_H_
