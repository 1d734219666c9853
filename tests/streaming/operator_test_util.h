// Helpers for the window operator tests: a collecting RowEmitter, timestamps
// as KDA's documentation writes them, the few bound expressions the tests
// need (column references, STEP/FLOOR of a time), aggregates, and a save/load
// round trip.
#ifndef GAMELAKE_TESTS_STREAMING_OPERATOR_TEST_UTIL_H_
#define GAMELAKE_TESTS_STREAMING_OPERATOR_TEST_UTIL_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "common/civil_time.h"
#include "streaming/aggregate_function.h"
#include "streaming/bound_expr.h"
#include "streaming/operator.h"
#include "streaming/sql_value.h"

namespace gamelake {

// How GoogleTest prints values and rows in a failure.
inline void PrintTo(const SqlValue& v, std::ostream* os) {
  if (v.is_null) {
    *os << "NULL";
  } else if (v.type == ValueType::kString || v.type == ValueType::kBinary) {
    *os << '"' << v.s << '"';
  } else if (v.type == ValueType::kDouble || v.type == ValueType::kDecimal) {
    *os << v.d;
  } else if (v.type == ValueType::kTimestamp) {
    *os << FormatTimestampMs(v.i);
  } else {
    *os << v.i;
  }
}
inline void PrintTo(const StreamRow& r, std::ostream* os) {
  *os << "{" << FormatTimestampMs(r.rowtime_ms) << ":";
  for (const SqlValue& v : r.values) {
    *os << " ";
    PrintTo(v, os);
  }
  *os << "}";
}

}  // namespace gamelake

namespace gamelake::testing_util {

struct ErrorRecord {
  StreamRow row;
  SqlPos pos;
  std::string message;
};

class CollectingEmitter : public RowEmitter {
 public:
  void Emit(StreamRow row) override { rows.push_back(std::move(row)); }
  void Error(const StreamRow& row, SqlPos pos, std::string_view message) override {
    errors.push_back({row, pos, std::string(message)});
  }
  std::vector<StreamRow> rows;
  std::vector<ErrorRecord> errors;
};

// "2018-11-01 01:00:00" (UTC) in ms since the epoch.
inline int64_t Ts(std::string_view text) {
  Result<int64_t> us = ParseTime(text);
  EXPECT_TRUE(us.ok()) << text;
  return us.ok() ? *us / 1000 : 0;
}

// "2018-11-01 11:00:20" from the time of day "11:00:20" on a fixed day.
inline int64_t Tod(std::string_view hms) { return Ts("2018-11-01 " + std::string(hms)); }

inline SqlValue I(int64_t v) { return SqlValue::Integer(v); }
inline SqlValue D(double v) { return SqlValue::Double(v); }
inline SqlValue S(std::string v) { return SqlValue::String(std::move(v)); }
inline SqlValue T(int64_t ms) { return SqlValue::Timestamp(ms); }
inline SqlValue NullOf(ValueType t) { return SqlValue::Null(t); }

inline StreamRow Row(int64_t rowtime, std::vector<SqlValue> values) {
  StreamRow r;
  r.rowtime_ms = rowtime;
  r.values = std::move(values);
  return r;
}

inline BoundExprPtr Col(int column, ValueType type, int input = 0) {
  return std::make_unique<ColumnRefExpr>(input, column, type, SqlPos{1, column + 10});
}
inline BoundExprPtr Rowtime(int input = 0) {
  return std::make_unique<ColumnRefExpr>(input, kRowtimeColumn, ValueType::kTimestamp,
                                         SqlPos{1, 1});
}

// STEP(<time> BY <step>) / FLOOR(<time> TO unit) for units of fixed length:
// the time rounded down to a multiple of `step_ms`.
class StepExpr final : public BoundExpr {
 public:
  StepExpr(BoundExprPtr time, int64_t step_ms) : time_(std::move(time)), step_ms_(step_ms) {}
  ValueType type() const override { return ValueType::kTimestamp; }
  SqlPos pos() const override { return {2, 3}; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    GL_RETURN_IF_ERROR(time_->Eval(in, out));
    if (!out->is_null) *out = SqlValue::Timestamp(FloorDiv(out->i, step_ms_) * step_ms_);
    return Status::OK();
  }

 private:
  BoundExprPtr time_;
  int64_t step_ms_;
};

inline BoundExprPtr Step(BoundExprPtr time, int64_t step_ms) {
  return std::make_unique<StepExpr>(std::move(time), step_ms);
}

// FLOOR(<time> TO MONTH).
class FloorMonthExpr final : public BoundExpr {
 public:
  explicit FloorMonthExpr(BoundExprPtr time) : time_(std::move(time)) {}
  ValueType type() const override { return ValueType::kTimestamp; }
  SqlPos pos() const override { return {2, 5}; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    GL_RETURN_IF_ERROR(time_->Eval(in, out));
    if (out->is_null) return Status::OK();
    CivilTime c = ToCivil(out->i * 1000);
    *out = SqlValue::Timestamp(DaysFromCivil(c.year, c.month, 1) * 86'400'000);
    return Status::OK();
  }

 private:
  BoundExprPtr time_;
};

// An expression that fails when column `column` holds `bad`.
class FailingExpr final : public BoundExpr {
 public:
  FailingExpr(int column, int64_t bad) : column_(column), bad_(bad) {}
  ValueType type() const override { return ValueType::kInteger; }
  SqlPos pos() const override { return {7, 9}; }
  Status Eval(const EvalRows& in, SqlValue* out) const override {
    *out = in.rows[0]->values[column_];
    if (!out->is_null && out->i == bad_) return Status::InvalidArgument("7:9: division by zero");
    return Status::OK();
  }

 private:
  int column_;
  int64_t bad_;
};

// An aggregate call resolved as the binder would, over `arg` (null: COUNT(*)).
inline BoundAggregate Agg(std::string_view name, BoundExprPtr arg, bool distinct = false) {
  std::vector<ValueType> types;
  if (arg != nullptr) types.push_back(arg->type());
  Result<AggregateSpec> spec = ResolveAggregate(name, distinct, arg == nullptr, types, {3, 4});
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  BoundAggregate a;
  if (spec.ok()) a.spec = *spec;
  a.arg = std::move(arg);
  return a;
}

inline BoundAggregate ExpAvg(BoundExprPtr arg, int64_t half_life_ms) {
  Result<AggregateSpec> spec =
      ResolveAggregate("EXP_AVG", false, false, {arg->type(), ValueType::kIntervalDayTime}, {3, 4});
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  BoundAggregate a;
  if (spec.ok()) a.spec = *spec;
  a.spec.half_life_ms = half_life_ms;
  a.arg = std::move(arg);
  return a;
}

template <typename... E>
std::vector<BoundExprPtr> Exprs(E... exprs) {
  std::vector<BoundExprPtr> v;
  (v.push_back(std::move(exprs)), ...);
  return v;
}

template <typename... A>
std::vector<BoundAggregate> Aggs(A... aggs) {
  std::vector<BoundAggregate> v;
  (v.push_back(std::move(aggs)), ...);
  return v;
}

// Saves `from`'s state and loads it into `to` (a fresh operator built alike).
inline void Transfer(const StreamOperator& from, StreamOperator* to) {
  StateWriter w;
  from.SaveState(&w);
  std::string data = w.Release();
  StateReader r(data);
  GL_ASSERT_OK(to->LoadState(&r));
  EXPECT_TRUE(r.done());
  // Queues may come back with other capacities: about the same, not equal.
  EXPECT_LE(to->StateBytes(), 2 * from.StateBytes() + 1024);
  EXPECT_LE(from.StateBytes(), 2 * to->StateBytes() + 1024);
}

// One step of a test script: a row for an input, or AdvanceTime.
struct Event {
  enum class Kind { kRow, kAdvance };
  Kind kind = Kind::kRow;
  int input = 0;
  StreamRow row;
  int64_t time = 0;
};
inline Event In(StreamRow row, int input = 0) {
  return {Event::Kind::kRow, input, std::move(row), 0};
}
inline Event Advance(int64_t t) { return {Event::Kind::kAdvance, 0, {}, t}; }

inline void RunSteps(StreamOperator* op, const std::vector<Event>& steps, size_t begin, size_t end,
                     CollectingEmitter* out) {
  for (size_t i = begin; i < end; ++i) {
    if (steps[i].kind == Event::Kind::kRow) {
      GL_ASSERT_OK(op->Push(steps[i].input, steps[i].row, out));
    } else {
      GL_ASSERT_OK(op->AdvanceTime(steps[i].time, out));
    }
  }
}

// Runs `steps` through `make()`'s operator uninterrupted, and again with a
// save, a load into a fresh operator and a continuation at every split
// point; every run must produce the same rows and errors.
template <typename Make>
void ExpectSaveLoadEquivalence(Make make, const std::vector<Event>& steps) {
  CollectingEmitter whole;
  auto op = make();
  RunSteps(op.get(), steps, 0, steps.size(), &whole);
  for (size_t split = 0; split <= steps.size(); ++split) {
    CollectingEmitter out;
    auto first = make();
    RunSteps(first.get(), steps, 0, split, &out);
    auto second = make();
    Transfer(*first, second.get());
    first.reset();
    RunSteps(second.get(), steps, split, steps.size(), &out);
    EXPECT_EQ(out.rows, whole.rows) << "split after step " << split;
    ASSERT_EQ(out.errors.size(), whole.errors.size()) << "split after step " << split;
  }
}

}  // namespace gamelake::testing_util

#endif  // GAMELAKE_TESTS_STREAMING_OPERATOR_TEST_UTIL_H_
