#include "streaming/select_planner.h"

#include <memory>
#include <string>
#include <utility>

#include "common/ascii.h"
#include "streaming/expression_binder.h"
#include "streaming/filter_project.h"
#include "streaming/window_planner.h"

namespace gamelake {

namespace {

Result<int> FindStream(const SqlIdentifier& id, const PlanContext& ctx) {
  const std::vector<PlanStream>& streams = *ctx.streams;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (streams[i].name == id.name) return static_cast<int>(i);
  }
  std::string message = "stream " + QuotedName(id.name) + " not found";
  for (const PlanStream& s : streams) {
    if (EqualsIgnoreCase(s.name, id.name)) {
      message +=
          " (names are case-sensitive when quoted: did you mean " + QuotedName(s.name) + "?)";
      break;
    }
  }
  return ErrorAt(id.pos, message);
}

bool ContainsWindowAggregate(const SqlExpr* e) {
  if (e == nullptr) return false;
  if (e->kind == SqlExprKind::kFunction && e->over != nullptr) return true;
  for (const SqlExprPtr& a : e->args) {
    if (ContainsWindowAggregate(a.get())) return true;
  }
  return ContainsWindowAggregate(e->case_operand.get()) ||
         ContainsWindowAggregate(e->else_expr.get());
}

bool ContainsAggregate(const SqlExpr* e) {
  if (e == nullptr) return false;
  if (e->kind == SqlExprKind::kFunction && e->over == nullptr &&
      IsAggregateFunction(AsciiUppered(e->text))) {
    return true;
  }
  for (const SqlExprPtr& a : e->args) {
    if (ContainsAggregate(a.get())) return true;
  }
  return ContainsAggregate(e->case_operand.get()) || ContainsAggregate(e->else_expr.get());
}

// The FROM clause, planned: the operators that produce its rows (none for a
// stream) and how expressions name them.
struct FromPlan {
  QueryPlan plan;  // ops: the subquery's or the join's; output: the rows they give.
  std::vector<std::unique_ptr<StreamSchema>> schemas;  // What inputs point to.
  BindScope scope;
  int split_at = -1;  // The left width of a joined row.
};

Result<FromPlan> PlanStreamSource(const SqlTableRef& from, const PlanContext& ctx) {
  FromPlan out;
  GL_ASSIGN_OR_RETURN(int id, FindStream(from.stream, ctx));
  const PlanStream& stream = (*ctx.streams)[id];
  out.plan.sources = {id};
  out.plan.output = stream.schema;
  out.schemas.push_back(std::make_unique<StreamSchema>(stream.schema));
  BindInput input;
  input.name = stream.name;
  if (from.alias) input.alias = from.alias->name;
  input.schema = out.schemas.back().get();
  out.scope.inputs.push_back(std::move(input));
  return out;
}

Result<FromPlan> PlanSubquerySource(const SqlTableRef& from, const PlanContext& ctx) {
  FromPlan out;
  GL_ASSIGN_OR_RETURN(out.plan, PlanSelect(*from.subquery, ctx));
  out.schemas.push_back(std::make_unique<StreamSchema>(out.plan.output));
  BindInput input;
  if (from.alias) {
    input.name = from.alias->name;
    input.alias = from.alias->name;
  }
  input.schema = out.schemas.back().get();
  out.scope.inputs.push_back(std::move(input));
  return out;
}

Result<FromPlan> PlanFrom(const SqlSelect& select, const PlanContext& ctx) {
  if (!select.joins.empty()) {
    std::shared_ptr<const ReferenceTable> table = FindReferenceTable(select, ctx);
    GL_ASSIGN_OR_RETURN(JoinPlan join, table != nullptr
                                           ? PlanReferenceJoin(select, std::move(table), ctx)
                                           : PlanWindowJoin(select, ctx));
    FromPlan out;
    out.plan = std::move(join.plan);
    out.schemas = std::move(join.schemas);
    out.scope = std::move(join.scope);
    out.split_at = join.split_at;
    return out;
  }
  const SqlTableRef& from = select.from;
  if (from.over != nullptr) {
    return ErrorAt(from.over->pos, "a window on a FROM stream needs a JOIN");
  }
  switch (from.kind) {
    case SqlTableRef::Kind::kStream:
      return PlanStreamSource(from, ctx);
    case SqlTableRef::Kind::kSubquery:
      return PlanSubquerySource(from, ctx);
    case SqlTableRef::Kind::kTableFunction: {
      GL_ASSIGN_OR_RETURN(TableFunctionPlan tf, PlanTableFunction(from, ctx));
      FromPlan out;
      out.plan = std::move(tf.plan);
      out.schemas.push_back(std::make_unique<StreamSchema>(out.plan.output));
      BindInput input;
      if (from.alias) {
        input.name = from.alias->name;
        input.alias = from.alias->name;
      }
      input.schema = out.schemas.back().get();
      out.scope.inputs.push_back(std::move(input));
      return out;
    }
  }
  return ErrorAt(from.pos, "unsupported FROM");
}

}  // namespace

SqlType SqlTypeFor(ValueType type) {
  SqlType t;
  using K = SqlType::Kind;
  switch (type) {
    case ValueType::kNull:
    case ValueType::kInteger:
      t.kind = K::kBigint;
      break;
    case ValueType::kBoolean:
      t.kind = K::kBoolean;
      break;
    case ValueType::kDouble:
      t.kind = K::kDouble;
      break;
    case ValueType::kDecimal:
      t.kind = K::kDecimal;
      break;
    case ValueType::kString:
      t.kind = K::kVarchar;
      break;
    case ValueType::kBinary:
      t.kind = K::kVarbinary;
      break;
    case ValueType::kTimestamp:
      t.kind = K::kTimestamp;
      break;
    case ValueType::kDate:
      t.kind = K::kDate;
      break;
    case ValueType::kTime:
    case ValueType::kIntervalDayTime:
    case ValueType::kIntervalYearMonth:
      t.kind = type == ValueType::kTime ? K::kTime : K::kBigint;
      break;
  }
  return t;
}

Result<std::vector<OutputColumn>> BindSelectItems(const SqlSelect& select, const BindScope& scope) {
  std::vector<OutputColumn> out;
  for (const SqlSelectItem& item : select.items) {
    const SqlExpr& e = *item.expr;
    if (e.kind == SqlExprKind::kStar) {
      bool any = false;
      for (size_t k = 0; k < scope.inputs.size(); ++k) {
        const BindInput& in = scope.inputs[k];
        if (e.qualifier && e.qualifier->name != in.name &&
            !(in.alias && *in.alias == e.qualifier->name)) {
          continue;
        }
        any = true;
        for (size_t c = 0; c < in.schema->columns.size(); ++c) {
          const StreamColumn& col = in.schema->columns[c];
          out.push_back({col.name, col.type,
                         std::make_unique<ColumnRefExpr>(static_cast<int>(k), static_cast<int>(c),
                                                         ValueTypeOf(col.type), e.pos)});
        }
      }
      if (!any)
        return ErrorAt(e.pos, "no stream named " + QuotedName(e.qualifier->name) + " for .*");
      continue;
    }
    GL_ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpression(e, scope));
    OutputColumn col;
    if (item.alias) {
      col.name = item.alias->name;
    } else if (e.kind == SqlExprKind::kColumnRef) {
      col.name = e.text;
    } else {
      col.name = "EXPR$" + std::to_string(out.size());
    }
    col.type = SqlTypeFor(bound->type());
    if (auto* ref = dynamic_cast<ColumnRefExpr*>(bound.get());
        ref != nullptr && ref->column() != kRowtimeColumn && !scope.grouped) {
      // A column of the input keeps its declared type; a hook's reference past
      // the input's columns (a sliding window's aggregate) has its value type.
      const StreamSchema& schema = *scope.inputs[ref->input()].schema;
      if (static_cast<size_t>(ref->column()) < schema.columns.size()) {
        col.type = schema.columns[ref->column()].type;
      }
    }
    col.expr = std::move(bound);
    out.push_back(std::move(col));
  }
  return out;
}

Result<BoundExprPtr> BindCondition(const SqlExpr* condition, const BindScope& scope,
                                   const char* clause) {
  if (condition == nullptr) return BoundExprPtr();
  GL_ASSIGN_OR_RETURN(BoundExprPtr bound, BindExpression(*condition, scope));
  if (bound->type() != ValueType::kBoolean && bound->type() != ValueType::kNull) {
    return ErrorAt(condition->pos, std::string(clause) + " needs a BOOLEAN condition, not " +
                                       ValueTypeName(bound->type()));
  }
  return bound;
}

Status AppendStage(QueryPlan* plan, StreamOperatorPtr op, StreamSchema input) {
  plan->ops.push_back(std::move(op));
  plan->stage_inputs.push_back(std::move(input));
  return Status::OK();
}

// Adds the FilterProject that computes `columns` (and keeps rows where
// `where` is TRUE) and makes them the plan's output.
void AppendProjection(QueryPlan* plan, BoundExprPtr where, std::vector<OutputColumn> columns,
                      int split_at, StreamSchema input) {
  std::vector<BoundExprPtr> exprs;
  StreamSchema output;
  for (OutputColumn& c : columns) {
    output.columns.push_back({c.name, c.type});
    exprs.push_back(std::move(c.expr));
  }
  AppendStage(plan, std::make_unique<FilterProject>(std::move(where), std::move(exprs), split_at),
              std::move(input))
      .ok();
  plan->output = std::move(output);
}

namespace {

Status CheckUnsupportedClauses(const SqlSelect& select) {
  if (!select.stream) {
    return ErrorAt(select.pos, "a pump's query must be SELECT STREAM");
  }
  if (select.distinct) {
    return ErrorAt(select.pos, "SELECT STREAM DISTINCT is not supported; use GROUP BY");
  }
  for (const SqlOrderItem& o : select.order_by) {
    const SqlExpr& e = *o.expr;
    bool rowtime = e.kind == SqlExprKind::kColumnRef && e.text == "ROWTIME";
    if (!rowtime || o.descending) {
      return ErrorAt(e.pos, "a stream is ordered by ROWTIME; ORDER BY may only name ROWTIME");
    }
  }
  return Status::OK();
}

Result<QueryPlan> PlanSimple(const SqlSelect& select, FromPlan from) {
  GL_ASSIGN_OR_RETURN(BoundExprPtr where, BindCondition(select.where.get(), from.scope, "WHERE"));
  GL_ASSIGN_OR_RETURN(std::vector<OutputColumn> columns, BindSelectItems(select, from.scope));
  QueryPlan plan = std::move(from.plan);
  StreamSchema input = plan.output;
  AppendProjection(&plan, std::move(where), std::move(columns), from.split_at, std::move(input));
  return plan;
}

}  // namespace

Result<QueryPlan> PlanSelect(const SqlSelect& select, const PlanContext& ctx) {
  if (select.union_all != nullptr) {
    return ErrorAt(select.union_all->pos, "UNION ALL is only supported at the top of a pump");
  }
  return PlanSelectBranch(select, ctx);
}

Result<QueryPlan> PlanSelectBranch(const SqlSelect& select, const PlanContext& ctx) {
  GL_RETURN_IF_ERROR(CheckUnsupportedClauses(select));
  GL_ASSIGN_OR_RETURN(FromPlan from, PlanFrom(select, ctx));
  bool window_aggs = false, aggs = ContainsAggregate(select.having.get());
  for (const SqlSelectItem& item : select.items) {
    window_aggs = window_aggs || ContainsWindowAggregate(item.expr.get());
    aggs = aggs || ContainsAggregate(item.expr.get());
  }
  bool grouped = aggs || !select.group_by.empty() || select.stagger != nullptr;
  if (grouped && window_aggs) {
    return ErrorAt(select.pos, "a query cannot mix GROUP BY aggregates with OVER windows");
  }
  if (!grouped && select.having != nullptr) {
    return ErrorAt(select.having->pos, "HAVING needs GROUP BY");
  }
  if (grouped || window_aggs) {
    WindowInput in;
    in.plan = std::move(from.plan);
    in.schemas = std::move(from.schemas);
    in.scope = std::move(from.scope);
    in.split_at = from.split_at;
    if (select.stagger != nullptr) return PlanStagger(select, std::move(in), ctx);
    if (grouped) return PlanTumbling(select, std::move(in), ctx);
    return PlanSliding(select, std::move(in), ctx);
  }
  return PlanSimple(select, std::move(from));
}

}  // namespace gamelake
