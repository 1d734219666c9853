// SelectPlanner: turns one SELECT STREAM of a pump into a chain of operators
// over the streams it reads, checking it against KDA's rules on the way:
// names and types (through the expression binder), a streaming GROUP BY must
// have a monotonic key (STEP or FLOOR of ROWTIME), window lengths within
// ProgramOptions, and the shapes gamelake runs:
//
//   FROM s [WHERE] SELECT ...                          FilterProject
//   ... GROUP BY STEP(ROWTIME BY ...), k [HAVING]      TumblingAggregate → FilterProject
//   ... WINDOWED BY STAGGER(PARTITION BY k RANGE ...)  StaggerWindow → FilterProject
//   ... agg(x) OVER (PARTITION BY k RANGE/ROWS ...)    SlidingWindow → FilterProject
//   FROM a OVER (...) JOIN b ... ON ...                WindowJoin → FilterProject
//   FROM (SELECT STREAM ...)                           the subquery's chain, then the above
//
// Thread-safety: a function; plans are built once per Compile.
#ifndef GAMELAKE_STREAMING_SELECT_PLANNER_H_
#define GAMELAKE_STREAMING_SELECT_PLANNER_H_

#include <string>
#include <vector>

#include "common/result.h"
#include "streaming/operator.h"
#include "streaming/sql_ast.h"
#include "streaming/sql_value.h"
#include "streaming/streaming_program.h"

namespace gamelake {

// A stream a query may read: SOURCE_SQL_STREAM_001 (id 0) or an
// in-application stream created before the pump.
struct PlanStream {
  std::string name;
  StreamSchema schema;
};

struct QueryPlan {
  std::vector<StreamOperatorPtr> ops;      // A chain: ops[k] emits into ops[k + 1].
  std::vector<StreamSchema> stage_inputs;  // The schema of the rows ops[k] receives.
  std::vector<int> sources;                // Stream ids feeding ops[0]'s inputs 0 (and 1).
  StreamSchema output;                     // The rows the last operator emits.
};

struct PlanContext {
  const std::vector<PlanStream>* streams = nullptr;
  const ProgramOptions* options = nullptr;
};

// UNION ALL inside a query (not at the top of a pump) is refused.
Result<QueryPlan> PlanSelect(const SqlSelect& select, const PlanContext& ctx);
// Plans `select` alone, ignoring its UNION ALL tail: a pump plans each branch
// of a top-level UNION ALL as a pump of its own into the same target.
Result<QueryPlan> PlanSelectBranch(const SqlSelect& select, const PlanContext& ctx);

// The SQL type a column computed by an expression of `type` gets.
SqlType SqlTypeFor(ValueType type);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SELECT_PLANNER_H_
