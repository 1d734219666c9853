#include "streaming/window_planner.h"
#include "common/ascii.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streaming/aggregate_function.h"
#include "streaming/filter_project.h"
#include "streaming/items_tumbling.h"
#include "streaming/reference_join.h"
#include "streaming/session_window.h"
#include "streaming/sliding_window.h"
#include "streaming/stagger_window.h"
#include "streaming/tumbling_aggregate.h"
#include "streaming/window_join.h"

namespace gamelake {
namespace {

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
  int index = -1;           // In GROUP BY.
  int64_t length_ms = 0;    // 0: not known (FLOOR TO MONTH/YEAR, or an arithmetic form).
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

// An aggregate call of a query, bound over the query's input.
struct AggregateCall {
  std::string text;  // SqlExprToString of the call: equal calls are computed once.
  BoundAggregate aggregate;
};

Result<BoundAggregate> BindAggregate(const SqlExpr& e, const BindScope& input,
                                     const PlanContext& ctx) {
  std::string name = AsciiUppered(e.text);
  bool star = e.args.size() == 1 && e.args[0]->kind == SqlExprKind::kStar;
  if (!star && e.args.size() != 1 && name != "EXP_AVG") {
    return ErrorAt(e.pos, name + " takes one argument");
  }
  BoundAggregate out;
  std::vector<ValueType> types;
  if (!star) {
    GL_ASSIGN_OR_RETURN(out.arg, BindExpression(*e.args[0], input));
    types.push_back(out.arg->type());
  }
  int64_t half_life = 0;
  if (name == "EXP_AVG") {
    if (e.args.size() != 2) return ErrorAt(e.pos, "EXP_AVG takes a value and an interval");
    GL_ASSIGN_OR_RETURN(half_life, IntervalMs(*e.args[1], ctx, "EXP_AVG's half-life"));
    types.push_back(ValueType::kIntervalDayTime);
  }
  GL_ASSIGN_OR_RETURN(out.spec, ResolveAggregate(name, e.distinct, star, types, e.pos));
  out.spec.half_life_ms = half_life;
  return out;
}

// Over a grouped query's output (its keys, then its aggregates): replaces the
// group keys and aggregate calls of the SELECT list and HAVING by references
// to that row's columns, and records the aggregates the operator must compute.
class GroupHook final : public BindHook {
 public:
  GroupHook(const BindScope* input, const PlanContext* ctx, std::vector<BoundExprPtr>* keys,
            const std::vector<const SqlExpr*>& key_exprs)
      : input_(input), ctx_(ctx), keys_(keys) {
    for (const SqlExpr* e : key_exprs) key_texts_.push_back(SqlExprToString(*e));
  }

  Result<BoundExprPtr> Substitute(const SqlExpr& e) override {
    if (IsRowtime(e)) {
      return BoundExprPtr(
          std::make_unique<ColumnRefExpr>(0, kRowtimeColumn, ValueType::kTimestamp, e.pos));
    }
    GL_ASSIGN_OR_RETURN(int key, MatchKey(e));
    if (key >= 0) {
      return BoundExprPtr(std::make_unique<ColumnRefExpr>(0, key, (*keys_)[key]->type(), e.pos));
    }
    if (e.kind == SqlExprKind::kFunction && e.over == nullptr &&
        IsAggregateFunction(AsciiUppered(e.text))) {
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
        return BoundExprPtr(
            std::make_unique<ColumnRefExpr>(0, static_cast<int>(keys_->size() + j),
                                            aggregates_[j].aggregate.spec.result_type, e.pos));
      }
    }
    AggregateCall call;
    GL_ASSIGN_OR_RETURN(call.aggregate, BindAggregate(e, *input_, *ctx_));
    call.text = text;
    ValueType type = call.aggregate.spec.result_type;
    aggregates_.push_back(std::move(call));
    return BoundExprPtr(std::make_unique<ColumnRefExpr>(
        0, static_cast<int>(keys_->size() + aggregates_.size() - 1), type, e.pos));
  }

  const BindScope* input_;
  const PlanContext* ctx_;
  std::vector<BoundExprPtr>* keys_;
  std::vector<std::string> key_texts_;
  std::vector<AggregateCall> aggregates_;
};

// The operator of a grouped query, made once its keys and aggregates are bound.
using MakeGroupOperator = std::function<Result<StreamOperatorPtr>(
    std::vector<BoundExprPtr> keys, std::vector<BoundAggregate> aggregates)>;

// Plans SELECT ... [HAVING] over a grouping operator whose rows are the
// group's keys then its aggregates: binds the keys over the input, the SELECT
// list and HAVING over the operator's rows.
Result<QueryPlan> PlanGrouped(const SqlSelect& select, WindowInput in, const PlanContext& ctx,
                              const std::vector<const SqlExpr*>& key_exprs,
                              const MakeGroupOperator& make) {
  if (in.split_at >= 0) {
    return ErrorAt(select.pos,
                   "aggregating a join directly is not supported: join in a subquery "
                   "(FROM (SELECT STREAM ... JOIN ...)) and aggregate its rows");
  }
  GL_ASSIGN_OR_RETURN(BoundExprPtr where, BindCondition(select.where.get(), in.scope, "WHERE"));
  std::vector<BoundExprPtr> keys;
  for (const SqlExpr* e : key_exprs) {
    GL_ASSIGN_OR_RETURN(BoundExprPtr key, BindExpression(*e, in.scope));
    keys.push_back(std::move(key));
  }
  GroupHook hook(&in.scope, &ctx, &keys, key_exprs);
  // The input's names, so a column that is neither a key nor in an aggregate
  // is found and then refused as not grouped (rather than "not found").
  BindScope grouped;
  grouped.inputs = in.scope.inputs;
  grouped.hook = &hook;
  grouped.grouped = true;
  GL_ASSIGN_OR_RETURN(std::vector<OutputColumn> columns, BindSelectItems(select, grouped));
  GL_ASSIGN_OR_RETURN(BoundExprPtr having, BindCondition(select.having.get(), grouped, "HAVING"));
  std::vector<AggregateCall> calls = hook.TakeAggregates();
  StreamSchema group_rows;
  for (size_t i = 0; i < keys.size(); ++i) {
    group_rows.columns.push_back({SqlExprToString(*key_exprs[i]), SqlTypeFor(keys[i]->type())});
  }
  std::vector<BoundAggregate> aggregates;
  for (AggregateCall& c : calls) {
    group_rows.columns.push_back({c.text, SqlTypeFor(c.aggregate.spec.result_type)});
    aggregates.push_back(std::move(c.aggregate));
  }
  GL_ASSIGN_OR_RETURN(StreamOperatorPtr op, make(std::move(keys), std::move(aggregates)));
  QueryPlan plan = std::move(in.plan);
  StreamSchema input = plan.output;
  if (where != nullptr) {
    // WHERE filters the rows before they are grouped.
    GL_RETURN_IF_ERROR(AppendStage(
        &plan, std::make_unique<FilterProject>(std::move(where), std::vector<BoundExprPtr>{}),
        input));
  }
  GL_RETURN_IF_ERROR(AppendStage(&plan, std::move(op), std::move(input)));
  AppendProjection(&plan, std::move(having), std::move(columns), -1, std::move(group_rows));
  return plan;
}

}  // namespace

Result<QueryPlan> PlanTumbling(const SqlSelect& select, WindowInput in, const PlanContext& ctx) {
  GL_ASSIGN_OR_RETURN(MonotonicKey key, FindMonotonicKey(select, ctx));
  TumblingAggregate::Options options;
  options.length_ms = key.length_ms;
  options.max_state_bytes = ctx.options->max_state_bytes;
  const SqlExpr& k = *select.group_by[key.index];
  if (k.kind == SqlExprKind::kFloorTo && IsRowtime(*k.args[0])) {
    if (k.unit == SqlTimeUnit::kMonth) options.length_months = 1;
    if (k.unit == SqlTimeUnit::kYear) options.length_months = 12;
  }
  if (key.event_time) {
    GL_ASSIGN_OR_RETURN(options.event_time, BindExpression(*k.args[0], in.scope));
    if (options.event_time->type() != ValueType::kTimestamp) {
      return ErrorAt(k.args[0]->pos, "a window on an event-time column needs a TIMESTAMP column");
    }
    options.allowed_lateness_ms = ctx.options->allowed_lateness_ms;
  }
  std::vector<const SqlExpr*> key_exprs;
  for (const SqlExprPtr& e : select.group_by) key_exprs.push_back(e.get());
  int window_key = key.index;
  auto make = [&](std::vector<BoundExprPtr> keys,
                  std::vector<BoundAggregate> aggregates) -> Result<StreamOperatorPtr> {
    return StreamOperatorPtr(std::make_unique<TumblingAggregate>(
        std::move(keys), window_key, std::move(aggregates), std::move(options)));
  };
  return PlanGrouped(select, std::move(in), ctx, key_exprs, make);
}

Result<QueryPlan> PlanStagger(const SqlSelect& select, WindowInput in, const PlanContext& ctx) {
  const SqlWindowSpec& spec = *select.stagger;
  const char* what = select.session ? "a session window" : "a stagger window";
  if (spec.partition_by.empty()) {
    return ErrorAt(spec.pos, std::string(what) + " needs PARTITION BY");
  }
  if (spec.frame_unit != SqlWindowSpec::FrameUnit::kRange || spec.frame_start.offset == nullptr) {
    return ErrorAt(spec.pos, std::string(what) + " needs RANGE INTERVAL '...' <unit>");
  }
  GL_ASSIGN_OR_RETURN(int64_t length, IntervalMs(*spec.frame_start.offset, ctx,
                                                 select.session ? "a session window's gap"
                                                                : "a stagger window's range"));
  std::vector<const SqlExpr*> key_exprs;
  for (const SqlExprPtr& e : spec.partition_by) key_exprs.push_back(e.get());
  // GROUP BY, if given, must name the partition keys (KDA's examples repeat them).
  for (const SqlExprPtr& g : select.group_by) {
    bool found = false;
    for (const SqlExpr* k : key_exprs) found = found || SqlExprToString(*k) == SqlExprToString(*g);
    if (!found) {
      return ErrorAt(g->pos,
                     std::string("GROUP BY with ") + what + " may only name its PARTITION BY keys");
    }
  }
  size_t max_bytes = ctx.options->max_state_bytes;
  bool session = select.session;
  auto make = [&](std::vector<BoundExprPtr> keys,
                  std::vector<BoundAggregate> aggregates) -> Result<StreamOperatorPtr> {
    if (session) {
      return StreamOperatorPtr(std::make_unique<SessionWindow>(std::move(keys), length,
                                                               std::move(aggregates), max_bytes));
    }
    return StreamOperatorPtr(
        std::make_unique<StaggerWindow>(std::move(keys), length, std::move(aggregates), max_bytes));
  };
  return PlanGrouped(select, std::move(in), ctx, key_exprs, make);
}

namespace {

// A window a sliding aggregate names: WINDOW w AS (...), OVER w, or OVER (...).
Result<const SqlWindowSpec*> ResolveWindow(const SqlWindowSpec& over, const SqlSelect& select) {
  if (!over.reference) return &over;
  for (const SqlNamedWindow& w : select.windows) {
    if (w.name.name == over.reference->name) {
      if (!over.partition_by.empty() || over.frame_unit != SqlWindowSpec::FrameUnit::kNone) {
        return ErrorAt(over.pos, "OVER " + QuotedName(w.name.name) +
                                     " cannot add to the named window; define a new one");
      }
      return &w.spec;
    }
  }
  return ErrorAt(over.reference->pos, "window " + QuotedName(over.reference->name) + " not found");
}

Result<SlidingWindow::Window> BindSlidingWindow(const SqlWindowSpec& spec, const BindScope& scope,
                                                const PlanContext& ctx) {
  SlidingWindow::Window w;
  for (const SqlExprPtr& e : spec.partition_by) {
    GL_ASSIGN_OR_RETURN(BoundExprPtr key, BindExpression(*e, scope));
    w.partition_by.push_back(std::move(key));
  }
  for (const SqlOrderItem& o : spec.order_by) {
    if (!IsRowtime(*o.expr) || o.descending) {
      return ErrorAt(o.expr->pos,
                     "a stream window is ordered by ROWTIME; ORDER BY may only name it");
    }
  }
  using Kind = SqlFrameBound::Kind;
  if (spec.frame_end && spec.frame_end->kind != Kind::kCurrentRow) {
    return ErrorAt(spec.pos,
                   "a stream window ends at the current row (FOLLOWING cannot be "
                   "evaluated without waiting for the future)");
  }
  const SqlFrameBound& start = spec.frame_start;
  if (spec.frame_unit == SqlWindowSpec::FrameUnit::kNone) {
    return ErrorAt(spec.pos,
                   "a sliding window needs RANGE INTERVAL '...' PRECEDING or ROWS n PRECEDING");
  }
  if (start.kind == Kind::kUnboundedPreceding || start.kind == Kind::kFollowing ||
      start.kind == Kind::kUnboundedFollowing) {
    return ErrorAt(spec.pos, "an unbounded or FOLLOWING window is not supported on a stream");
  }
  if (spec.frame_unit == SqlWindowSpec::FrameUnit::kRange) {
    w.unit = SlidingWindow::Window::Unit::kRange;
    if (start.kind != Kind::kCurrentRow) {
      GL_ASSIGN_OR_RETURN(w.range_ms, IntervalMs(*start.offset, ctx, "a window's RANGE"));
    }
    return w;
  }
  w.unit = SlidingWindow::Window::Unit::kRows;
  if (start.kind == Kind::kCurrentRow) return w;
  Result<SqlValue> n = EvalConstant(*start.offset);
  if (!n.ok() || n->is_null || n->type != ValueType::kInteger || n->i < 0) {
    return ErrorAt(start.offset->pos, "ROWS needs a whole number of rows");
  }
  if (n->i > ctx.options->max_window_rows) {
    return ErrorAt(start.offset->pos, "ROWS " + std::to_string(n->i) +
                                          " PRECEDING is more than the limit of " +
                                          std::to_string(ctx.options->max_window_rows) + " rows");
  }
  w.preceding_rows = n->i;
  return w;
}

// Replaces each agg(...) OVER w of the SELECT list by the column the sliding
// window adds for it (after the input's columns).
class SlidingHook final : public BindHook {
 public:
  SlidingHook(const SqlSelect* select, const BindScope* input, const PlanContext* ctx,
              size_t input_width)
      : select_(select), input_(input), ctx_(ctx), input_width_(input_width) {}

  Result<BoundExprPtr> Substitute(const SqlExpr& e) override {
    if (e.kind != SqlExprKind::kFunction || e.over == nullptr) return BoundExprPtr();
    std::string name = AsciiUppered(e.text);
    if (!IsAggregateFunction(name)) {
      return ErrorAt(e.pos, name + " is not an aggregate function and cannot have OVER");
    }
    GL_ASSIGN_OR_RETURN(const SqlWindowSpec* spec, ResolveWindow(*e.over, *select_));
    GL_ASSIGN_OR_RETURN(int window, WindowIndex(*spec));
    SlidingWindow::Aggregate agg;
    GL_ASSIGN_OR_RETURN(agg.aggregate, BindAggregate(e, *input_, *ctx_));
    agg.window = window;
    ValueType type = agg.aggregate.spec.result_type;
    aggregates_.push_back(std::move(agg));
    return BoundExprPtr(std::make_unique<ColumnRefExpr>(
        0, static_cast<int>(input_width_ + aggregates_.size() - 1), type, e.pos));
  }

  std::vector<SlidingWindow::Window> TakeWindows() { return std::move(windows_); }
  std::vector<SlidingWindow::Aggregate> TakeAggregates() { return std::move(aggregates_); }

 private:
  Result<int> WindowIndex(const SqlWindowSpec& spec) {
    for (size_t i = 0; i < specs_.size(); ++i) {
      if (specs_[i] == &spec) return static_cast<int>(i);
    }
    GL_ASSIGN_OR_RETURN(SlidingWindow::Window w, BindSlidingWindow(spec, *input_, *ctx_));
    specs_.push_back(&spec);
    windows_.push_back(std::move(w));
    return static_cast<int>(windows_.size() - 1);
  }

  const SqlSelect* select_;
  const BindScope* input_;
  const PlanContext* ctx_;
  size_t input_width_;
  std::vector<const SqlWindowSpec*> specs_;
  std::vector<SlidingWindow::Window> windows_;
  std::vector<SlidingWindow::Aggregate> aggregates_;
};

}  // namespace

Result<QueryPlan> PlanSliding(const SqlSelect& select, WindowInput in, const PlanContext& ctx) {
  if (in.split_at >= 0) {
    return ErrorAt(select.pos,
                   "a sliding window over a join is not supported: join in a subquery first");
  }
  size_t width = in.plan.output.columns.size();
  SlidingHook hook(&select, &in.scope, &ctx, width);
  BindScope scope = in.scope;
  scope.hook = &hook;
  GL_ASSIGN_OR_RETURN(BoundExprPtr where, BindCondition(select.where.get(), in.scope, "WHERE"));
  GL_ASSIGN_OR_RETURN(std::vector<OutputColumn> columns, BindSelectItems(select, scope));
  std::vector<SlidingWindow::Aggregate> aggregates = hook.TakeAggregates();
  StreamSchema window_rows = in.plan.output;
  for (const SlidingWindow::Aggregate& a : aggregates) {
    window_rows.columns.push_back(
        {a.aggregate.spec.name, SqlTypeFor(a.aggregate.spec.result_type)});
  }
  QueryPlan plan = std::move(in.plan);
  StreamSchema input = plan.output;
  if (where != nullptr) {
    GL_RETURN_IF_ERROR(AppendStage(
        &plan, std::make_unique<FilterProject>(std::move(where), std::vector<BoundExprPtr>{}),
        input));
  }
  GL_RETURN_IF_ERROR(
      AppendStage(&plan,
                  std::make_unique<SlidingWindow>(hook.TakeWindows(), std::move(aggregates),
                                                  ctx.options->max_state_bytes),
                  input));
  AppendProjection(&plan, nullptr, std::move(columns), -1, std::move(window_rows));
  return plan;
}

namespace {

Result<WindowJoin::Side> JoinSide(const SqlTableRef& ref, const PlanStream& stream,
                                  const PlanContext& ctx) {
  WindowJoin::Side side;
  for (const StreamColumn& c : stream.schema.columns)
    side.column_types.push_back(ValueTypeOf(c.type));
  if (ref.over == nullptr) return side;
  const SqlWindowSpec& spec = *ref.over;
  if (!spec.partition_by.empty() || spec.frame_end) {
    return ErrorAt(spec.pos, "a join window is RANGE INTERVAL '...' PRECEDING or ROWS n PRECEDING");
  }
  StreamSchema none;
  BindScope scope;
  GL_ASSIGN_OR_RETURN(SlidingWindow::Window w, BindSlidingWindow(spec, scope, ctx));
  if (w.unit == SlidingWindow::Window::Unit::kRange) {
    side.window = WindowJoin::Side::Window::kRange;
    side.range_ms = w.range_ms;
  } else {
    side.window = WindowJoin::Side::Window::kRows;
    side.preceding_rows = w.preceding_rows;
  }
  return side;
}

void CollectConjuncts(const SqlExpr& e, std::vector<const SqlExpr*>* out) {
  if (e.kind == SqlExprKind::kBinary && e.op == "AND") {
    CollectConjuncts(*e.args[0], out);
    CollectConjuncts(*e.args[1], out);
    return;
  }
  out->push_back(&e);
}

// The equality conjuncts of ON whose sides read one input each become the
// join's index keys (ON is still evaluated whole for each candidate pair).
void ExtractKeys(const SqlExpr& on, const BindScope& scope, WindowJoin::Side* left,
                 WindowJoin::Side* right) {
  static const StreamSchema kNone;
  BindInput nothing{"", std::nullopt, &kNone};
  BindScope left_only, right_only;
  left_only.inputs = {scope.inputs[0], nothing};
  right_only.inputs = {nothing, scope.inputs[1]};
  std::vector<const SqlExpr*> conjuncts;
  CollectConjuncts(on, &conjuncts);
  for (const SqlExpr* c : conjuncts) {
    if (c->kind != SqlExprKind::kBinary || c->op != "=") continue;
    for (int flip = 0; flip < 2; ++flip) {
      Result<BoundExprPtr> l = BindExpression(*c->args[flip], left_only);
      Result<BoundExprPtr> r = BindExpression(*c->args[1 - flip], right_only);
      if (l.ok() && r.ok() && IsNumeric((*l)->type()) == IsNumeric((*r)->type())) {
        left->keys.push_back(std::move(*l));
        right->keys.push_back(std::move(*r));
        break;
      }
    }
  }
}

}  // namespace

Result<JoinPlan> PlanWindowJoin(const SqlSelect& select, const PlanContext& ctx) {
  if (select.joins.size() > 1) {
    return ErrorAt(select.joins[1].pos, "one JOIN per query: chain pumps to join more streams");
  }
  const SqlJoin& join = select.joins[0];
  const SqlTableRef* refs[2] = {&select.from, &join.right};
  JoinPlan out;
  int ids[2];
  for (int k = 0; k < 2; ++k) {
    if (refs[k]->kind != SqlTableRef::Kind::kStream) {
      return ErrorAt(refs[k]->pos,
                     "a join reads in-application streams (not a subquery or a "
                     "table function): pump it into a stream first");
    }
    const std::vector<PlanStream>& streams = *ctx.streams;
    ids[k] = -1;
    for (size_t i = 0; i < streams.size(); ++i) {
      if (streams[i].name == refs[k]->stream.name) ids[k] = static_cast<int>(i);
    }
    if (ids[k] < 0) {
      return ErrorAt(refs[k]->stream.pos,
                     "stream " + QuotedName(refs[k]->stream.name) + " not found" +
                         (k == 1 ? " (nor a reference table of that name)" : ""));
    }
    out.schemas.push_back(std::make_unique<StreamSchema>(streams[ids[k]].schema));
    BindInput input;
    input.name = streams[ids[k]].name;
    if (refs[k]->alias) input.alias = refs[k]->alias->name;
    input.schema = out.schemas.back().get();
    out.scope.inputs.push_back(std::move(input));
  }
  GL_ASSIGN_OR_RETURN(WindowJoin::Side left, JoinSide(*refs[0], (*ctx.streams)[ids[0]], ctx));
  GL_ASSIGN_OR_RETURN(WindowJoin::Side right, JoinSide(*refs[1], (*ctx.streams)[ids[1]], ctx));
  GL_ASSIGN_OR_RETURN(BoundExprPtr condition, BindCondition(join.on.get(), out.scope, "ON"));
  if (join.on != nullptr) {
    ExtractKeys(*join.on, out.scope, &left, &right);
  }
  size_t left_width = left.column_types.size();
  auto op = std::make_unique<WindowJoin>(join.type, std::move(left), std::move(right),
                                         std::move(condition), ctx.options->max_state_bytes);
  out.plan.sources = {ids[0], ids[1]};
  StreamSchema joined;
  for (int k = 0; k < 2; ++k) {
    for (const StreamColumn& c : out.schemas[k]->columns) joined.columns.push_back(c);
    joined.columns.push_back(
        {std::string(k == 0 ? "LEFT" : "RIGHT") + "$ROWTIME", SqlTypeFor(ValueType::kTimestamp)});
  }
  out.plan.ops.push_back(std::move(op));
  out.plan.stage_inputs.push_back(*out.schemas[0]);
  out.plan.output = std::move(joined);
  out.split_at = static_cast<int>(left_width) + 1;
  return out;
}

std::shared_ptr<const ReferenceTable> FindReferenceTable(const SqlSelect& select,
                                                         const PlanContext& ctx) {
  if (select.joins.empty()) return nullptr;
  const SqlTableRef& right = select.joins[0].right;
  if (right.kind != SqlTableRef::Kind::kStream) return nullptr;
  for (const PlanStream& s : *ctx.streams) {
    if (s.name == right.stream.name) return nullptr;  // A stream of that name wins.
  }
  for (const auto& table : ctx.options->reference_tables) {
    if (table->name == right.stream.name) return table;
  }
  return nullptr;
}

Result<JoinPlan> PlanReferenceJoin(const SqlSelect& select,
                                   std::shared_ptr<const ReferenceTable> table,
                                   const PlanContext& ctx) {
  if (select.joins.size() > 1) {
    return ErrorAt(select.joins[1].pos, "one JOIN per query: chain pumps to join more");
  }
  const SqlJoin& join = select.joins[0];
  if (join.type == SqlJoin::Type::kRight || join.type == SqlJoin::Type::kFull) {
    return ErrorAt(join.pos,
                   "a join with reference table " + QuotedName(table->name) +
                       " keeps the stream's rows: INNER or LEFT JOIN (the stream on the left)");
  }
  const SqlTableRef& from = select.from;
  if (from.kind != SqlTableRef::Kind::kStream) {
    return ErrorAt(from.pos,
                   "a reference table is joined to a stream, not a subquery or a "
                   "table function: pump it into a stream first");
  }
  if (from.over != nullptr || join.right.over != nullptr) {
    const SqlWindowSpec& w = from.over != nullptr ? *from.over : *join.right.over;
    return ErrorAt(w.pos,
                   "a join with a reference table takes no window (each row is "
                   "matched against the whole table at once)");
  }
  int id = -1;
  for (size_t i = 0; i < ctx.streams->size(); ++i) {
    if ((*ctx.streams)[i].name == from.stream.name) id = static_cast<int>(i);
  }
  if (id < 0) {
    return ErrorAt(from.stream.pos, "stream " + QuotedName(from.stream.name) + " not found");
  }
  JoinPlan out;
  out.schemas.push_back(std::make_unique<StreamSchema>((*ctx.streams)[id].schema));
  out.schemas.push_back(std::make_unique<StreamSchema>(table->schema));
  const SqlTableRef* refs[2] = {&from, &join.right};
  for (int k = 0; k < 2; ++k) {
    BindInput input;
    input.name = refs[k]->stream.name;
    if (refs[k]->alias) input.alias = refs[k]->alias->name;
    input.schema = out.schemas[k].get();
    out.scope.inputs.push_back(std::move(input));
  }
  GL_ASSIGN_OR_RETURN(BoundExprPtr condition, BindCondition(join.on.get(), out.scope, "ON"));
  WindowJoin::Side keys[2];
  if (join.on != nullptr) ExtractKeys(*join.on, out.scope, &keys[0], &keys[1]);
  Result<std::unique_ptr<ReferenceJoin>> op =
      ReferenceJoin::Create(table, join.type == SqlJoin::Type::kLeft, std::move(keys[0].keys),
                            std::move(keys[1].keys), std::move(condition));
  if (!op.ok()) return op.status();
  out.plan.ops.push_back(std::move(op).value());
  out.plan.sources = {id};
  out.plan.stage_inputs.push_back(*out.schemas[0]);
  StreamSchema joined;
  for (int k = 0; k < 2; ++k) {
    for (const StreamColumn& c : out.schemas[k]->columns) joined.columns.push_back(c);
    joined.columns.push_back(
        {std::string(k == 0 ? "LEFT" : "RIGHT") + "$ROWTIME", SqlTypeFor(ValueType::kTimestamp)});
  }
  out.plan.output = std::move(joined);
  out.split_at = static_cast<int>(out.schemas[0]->columns.size()) + 1;
  return out;
}

Result<TableFunctionPlan> PlanTableFunction(const SqlTableRef& from, const PlanContext& ctx) {
  const SqlExpr& call = *from.table_function;
  std::string name = AsciiUppered(call.text);
  bool top_k = name == "TOP_K_ITEMS_TUMBLING";
  if (!top_k && name != "COUNT_DISTINCT_ITEMS_TUMBLING") {
    return ErrorAt(call.pos, "unknown table function " + name +
                                 " (gamelake has TOP_K_ITEMS_TUMBLING and "
                                 "COUNT_DISTINCT_ITEMS_TUMBLING)");
  }
  size_t arity = top_k ? 4 : 3;
  if (call.args.size() != arity || call.args[0]->kind != SqlExprKind::kCursor) {
    return ErrorAt(call.pos, name +
                                 (top_k ? "(CURSOR(SELECT STREAM ...), 'column', K, "
                                          "windowSeconds)"
                                        : "(CURSOR(SELECT STREAM ...), 'column', "
                                          "windowSeconds)") +
                                 " is how it is called");
  }
  TableFunctionPlan out;
  GL_ASSIGN_OR_RETURN(out.plan, PlanSelect(*call.args[0]->subquery, ctx));
  const SqlExpr& column_arg = *call.args[1];
  if (column_arg.kind != SqlExprKind::kLiteral ||
      column_arg.literal_kind != SqlLiteralKind::kString) {
    return ErrorAt(column_arg.pos, "the column is named in single quotes, e.g. 'ticker_symbol'");
  }
  int column = out.plan.output.Find(column_arg.text);
  if (column < 0) column = out.plan.output.Find(AsciiUppered(column_arg.text));
  if (column < 0) {
    return ErrorAt(column_arg.pos,
                   "column " + QuotedName(column_arg.text) + " not found in the cursor");
  }
  auto whole = [&](const SqlExpr& e, int64_t lo, int64_t hi, const char* what) -> Result<int64_t> {
    Result<SqlValue> v = EvalConstant(e);
    if (!v.ok() || v->is_null || v->type != ValueType::kInteger || v->i < lo || v->i > hi) {
      return ErrorAt(e.pos, std::string(what) + " must be a whole number from " +
                                std::to_string(lo) + " to " + std::to_string(hi));
    }
    return v->i;
  };
  int64_t k = 0;
  if (top_k) {
    GL_ASSIGN_OR_RETURN(k, whole(*call.args[2], 1, 100000, "K"));
  }
  GL_ASSIGN_OR_RETURN(int64_t seconds,
                      whole(*call.args[arity - 1], 1, 3600, "the window size in seconds"));
  StreamSchema input = out.plan.output;
  StreamSchema output;
  if (top_k) {
    output.columns.push_back(input.columns[column]);
    output.columns.push_back({"MOST_FREQUENT_VALUES", SqlTypeFor(ValueType::kInteger)});
  } else {
    output.columns.push_back({"NUMBER_OF_DISTINCT_ITEMS", SqlTypeFor(ValueType::kInteger)});
  }
  auto kind = top_k ? ItemsTumbling::Kind::kTopK : ItemsTumbling::Kind::kCountDistinct;
  auto item = std::make_unique<ColumnRefExpr>(0, column, ValueTypeOf(input.columns[column].type),
                                              column_arg.pos);
  GL_RETURN_IF_ERROR(
      AppendStage(&out.plan,
                  std::make_unique<ItemsTumbling>(kind, std::move(item), k, seconds * 1000,
                                                  ctx.options->max_state_bytes),
                  std::move(input)));
  out.plan.output = std::move(output);
  return out;
}

}  // namespace gamelake
