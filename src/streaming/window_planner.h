// WindowPlanner: the planner's half for queries that keep state — tumbling
// GROUP BY, stagger and sliding windows, window joins and the tumbling table
// functions (TOP_K_ITEMS_TUMBLING) — and the pieces both halves share.
// Internal to select_planner.cc and window_planner.cc.
//
// Thread-safety: functions.
#ifndef GAMELAKE_STREAMING_WINDOW_PLANNER_H_
#define GAMELAKE_STREAMING_WINDOW_PLANNER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "streaming/bound_expr.h"
#include "streaming/expression_binder.h"
#include "streaming/select_planner.h"

namespace gamelake {

// One column a query outputs.
struct OutputColumn {
  std::string name;
  SqlType type;
  BoundExprPtr expr;
};

// The select list bound in `scope` (`*` and `q.*` expanded).
Result<std::vector<OutputColumn>> BindSelectItems(const SqlSelect& select, const BindScope& scope);

// Binds a WHERE, HAVING or ON condition (`clause` names it in the error):
// null for none; InvalidArgument unless it is BOOLEAN.
Result<BoundExprPtr> BindCondition(const SqlExpr* condition, const BindScope& scope,
                                   const char* clause);

Status AppendStage(QueryPlan* plan, StreamOperatorPtr op, StreamSchema input);
// Appends a FilterProject computing `columns`; they become the plan's output.
void AppendProjection(QueryPlan* plan, BoundExprPtr where, std::vector<OutputColumn> columns,
                      int split_at, StreamSchema input);

// What a stateful query reads: the plan so far (FROM's operators) and how
// expressions name its rows.
struct WindowInput {
  QueryPlan plan;
  std::vector<std::unique_ptr<StreamSchema>> schemas;
  BindScope scope;
  int split_at = -1;
};

Result<QueryPlan> PlanTumbling(const SqlSelect& select, WindowInput in, const PlanContext& ctx);
Result<QueryPlan> PlanStagger(const SqlSelect& select, WindowInput in, const PlanContext& ctx);
Result<QueryPlan> PlanSliding(const SqlSelect& select, WindowInput in, const PlanContext& ctx);

struct JoinPlan {
  QueryPlan plan;  // The join operator; output = left columns then right columns.
  std::vector<std::unique_ptr<StreamSchema>> schemas;
  BindScope scope;  // Two inputs: left and right.
  int split_at = -1;
};
Result<JoinPlan> PlanWindowJoin(const SqlSelect& select, const PlanContext& ctx);

// The reference table (ctx.options->reference_tables) a JOIN's right side
// names, or null: then it is a stream-to-stream join.
std::shared_ptr<const ReferenceTable> FindReferenceTable(const SqlSelect& select,
                                                         const PlanContext& ctx);
// FROM stream [AS a] [INNER|LEFT|CROSS] JOIN table [AS t] [ON ...]
// (reference_join.h). RIGHT and FULL joins are refused: the stream drives.
Result<JoinPlan> PlanReferenceJoin(const SqlSelect& select,
                                   std::shared_ptr<const ReferenceTable> table,
                                   const PlanContext& ctx);

struct TableFunctionPlan {
  QueryPlan plan;
};
Result<TableFunctionPlan> PlanTableFunction(const SqlTableRef& from, const PlanContext& ctx);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_WINDOW_PLANNER_H_
