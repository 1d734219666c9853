#include "streaming/window_planner.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streaming/filter_project.h"

namespace gamelake {
namespace {

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool IsRowtime(const SqlExpr& e) {
  return e.kind == SqlExprKind::kColumnRef && e.text == "ROWTIME";
}

bool ReferencesRowtime(const SqlExpr* e) {
  if (e == nullptr) return false;
  if (IsRowtime(*e)) return true;
  for (const SqlExprPtr& a : e->args) {
    if (ReferencesRowtime(a.get())) return true;
  }
  return false;
}

// Evaluates a constant expression (an interval or a number literal).
Result<SqlValue> EvalConstant(const SqlExpr& e) {
  BindScope none;
  GL_ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpression(e, none));
  SqlValue v;
  GL_RETURN_IF_ERROR(bound->Eval(EvalRows{}, &v));
  return v;
}

// The length in ms of a day-time interval literal, within the bound.
Result<int64_t> IntervalMs(const SqlExpr& e, const PlanContext& ctx, std::string_view what) {
  Result<SqlValue> v = EvalConstant(e);
  if (!v.ok() || v->is_null || v->type != ValueType::kIntervalDayTime) {
    return ErrorAt(e.pos, std::string(what) + " needs a day-time INTERVAL literal");
  }
  if (v->i <= 0) return ErrorAt(e.pos, std::string(what) + " must be longer than zero");
  if (v->i > ctx.options->max_window_ms) {
    return ErrorAt(e.pos, std::string(what) + " of " + std::to_string(v->i) +
                              " ms is longer than the limit of " +
                              std::to_string(ctx.options->max_window_ms) + " ms");
  }
  return v->i;
}

int64_t UnitMs(SqlTimeUnit unit) {
  switch (unit) {
    case SqlTimeUnit::kMillisecond:
      return 1;
    case SqlTimeUnit::kSecond:
      return 1000;
    case SqlTimeUnit::kMinute:
      return 60'000;
    case SqlTimeUnit::kHour:
      return 3'600'000;
    case SqlTimeUnit::kDay:
      return 86'400'000;
    default:
      return 0;  // Months and years: the calendar decides.
  }
}

// A GROUP BY key that makes a streaming aggregate emit: a monotonic function
// of ROWTIME whose value changes when a window ends.
struct MonotonicKey {
  int index = -1;          // In GROUP BY.
  int64_t length_ms = 0;   // 0: not known (FLOOR TO MONTH/YEAR, or an arithmetic form).
  bool event_time = false;  // Of a TIMESTAMP column, not ROWTIME (gamelake's extension).
};

Result<MonotonicKey> FindMonotonicKey(const SqlSelect& select, const PlanContext& ctx) {
  for (size_t i = 0; i < select.group_by.size(); ++i) {
    const SqlExpr& e = *select.group_by[i];
    MonotonicKey key;
    key.index = static_cast<int>(i);
    if (e.kind == SqlExprKind::kStep && ReferencesRowtime(e.args[0].get())) {
      GL_ASSIGN_OR_RETURN(key.length_ms, IntervalMs(*e.args[1], ctx, "STEP's interval"));
      return key;
    }
    if (e.kind == SqlExprKind::kFloorTo && !e.ceil && ReferencesRowtime(e.args[0].get())) {
      key.length_ms = IsRowtime(*e.args[0]) ? UnitMs(e.unit) : 0;
      return key;
    }
    if (IsRowtime(e)) return key;
  }
  for (size_t i = 0; i < select.group_by.size(); ++i) {
    const SqlExpr& e = *select.group_by[i];
    if (e.kind == SqlExprKind::kStep && e.args[0]->kind == SqlExprKind::kColumnRef) {
      MonotonicKey key;
      key.index = static_cast<int>(i);
      key.event_time = true;
      GL_ASSIGN_OR_RETURN(key.length_ms, IntervalMs(*e.args[1], ctx, "STEP's interval"));
      return key;
    }
  }
  SqlPos pos = select.group_by.empty() ? select.pos : select.group_by[0]->pos;
  return ErrorAt(pos,
                 "a streaming GROUP BY needs a monotonic expression: add STEP(ROWTIME BY "
                 "INTERVAL ...) or FLOOR(ROWTIME TO ...) to it");
}

// Over a grouped query's output (its keys, then its aggregates): replaces the
// group keys and aggregate calls of the SELECT list and HAVING by references
// to that row's columns, and records the aggregates the operator must compute.
class GroupHook final : public BindHook {
 public:
  GroupHook(const BindScope* input, std::vector<BoundExprPtr>* keys,
            const std::vector<const SqlExpr*>& key_exprs)
      : input_(input), keys_(keys) {
    for (const SqlExpr* e : key_exprs) key_texts_.push_back(SqlExprToString(*e));
  }

  Result<BoundExprPtr> Substitute(const SqlExpr& e) override {
    if (IsRowtime(e)) {
      return BoundExprPtr(
          std::make_unique<ColumnRefExpr>(0, kRowtimeColumn, ValueType::kTimestamp, e.pos));
    }
    GL_ASSIGN_OR_RETURN(int key, MatchKey(e));
    if (key >= 0) {
      return BoundExprPtr(
          std::make_unique<ColumnRefExpr>(0, key, (*keys_)[key]->type(), e.pos));
    }
    if (e.kind == SqlExprKind::kFunction && e.over == nullptr &&
        IsAggregateFunction(Upper(e.text))) {
      return Aggregate(e);
    }
    return BoundExprPtr();
  }

  std::vector<AggregateCall> TakeAggregates() { return std::move(aggregates_); }

 private:
  // The index of the group key `e` is, or -1. A column matches a key that is
  // the same column however it is written (quoted, qualified).
  Result<int> MatchKey(const SqlExpr& e) {
    std::string text = SqlExprToString(e);
    for (size_t i = 0; i < key_texts_.size(); ++i) {
      if (key_texts_[i] == text) return static_cast<int>(i);
    }
    if (e.kind != SqlExprKind::kColumnRef) return -1;
    Result<BoundExprPtr> bound = BindExpression(e, *input_);
    if (!bound.ok()) return -1;
    auto* ref = dynamic_cast<const ColumnRefExpr*>(bound->get());
    for (size_t i = 0; ref != nullptr && i < keys_->size(); ++i) {
      auto* key = dynamic_cast<const ColumnRefExpr*>((*keys_)[i].get());
      if (key != nullptr && key->input() == ref->input() && key->column() == ref->column()) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  Result<BoundExprPtr> Aggregate(const SqlExpr& e) {
    std::string text = SqlExprToString(e);
    for (size_t j = 0; j < aggregates_.size(); ++j) {
      if (aggregates_[j].text == text) {
        return BoundExprPtr(std::make_unique<ColumnRefExpr>(
            0, static_cast<int>(keys_->size() + j), aggregates_[j].result_type, e.pos));
      }
    }
    GL_ASSIGN_OR_RETURN(AggregateCall call, BindAggregateCall(e, *input_));
    call.text = text;
    ValueType type = call.result_type;
    aggregates_.push_back(std::move(call));
    return BoundExprPtr(std::make_unique<ColumnRefExpr>(
        0, static_cast<int>(keys_->size() + aggregates_.size() - 1), type, e.pos));
  }

  const BindScope* input_;
  std::vector<BoundExprPtr>* keys_;
  std::vector<std::string> key_texts_;
  std::vector<AggregateCall> aggregates_;
};

}  // namespace

}  // namespace gamelake
