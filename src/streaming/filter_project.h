// FilterProject: the stateless step of a pump — WHERE (or HAVING) keeps the
// rows for which the condition is TRUE (NULL and FALSE drop the row), then the
// SELECT list computes the output columns. Rows keep their ROWTIME.
//
// After a join, the joined row holds the left columns and the left ROWTIME,
// then the right ones and the right ROWTIME (window_join.h); a FilterProject
// built with split_at = the left width + 1 evaluates its expressions over the
// two halves (inputs 0 and 1), as they were bound, each half with its own
// side's ROWTIME; a side whose ROWTIME is NULL (an outer row's missing side)
// reads as NULL throughout.
//
// A row whose condition or a column fails to evaluate goes to the error
// stream with the reason and its position; the next row is unaffected.
//
// Thread-safety: one thread at a time. No state.
#ifndef GAMELAKE_STREAMING_FILTER_PROJECT_H_
#define GAMELAKE_STREAMING_FILTER_PROJECT_H_

#include <vector>

#include "streaming/bound_expr.h"
#include "streaming/operator.h"

namespace gamelake {

class FilterProject final : public StreamOperator {
 public:
  // where: null keeps every row. projection: empty passes the row through.
  // split_at: -1, or the number of left columns of a joined row + 1.
  FilterProject(BoundExprPtr where, std::vector<BoundExprPtr> projection, int split_at = -1);

  Status Push(int input, const StreamRow& row, RowEmitter* out) override;
  Status AdvanceTime(int64_t, RowEmitter*) override { return Status::OK(); }
  void SaveState(StateWriter*) const override {}
  Status LoadState(StateReader*) override { return Status::OK(); }
  size_t StateBytes() const override { return 0; }

 private:
  void Split(const StreamRow& row, EvalRows* in);

  BoundExprPtr where_;
  std::vector<BoundExprPtr> projection_;
  int split_at_;
  StreamRow left_, right_;  // Halves of a joined row (split_at_ >= 0).
  SqlValue cond_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_FILTER_PROJECT_H_
