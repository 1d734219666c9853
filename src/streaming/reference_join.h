// ReferenceJoin: a stream joined to a reference table (KDA's reference data):
//   FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "Companies" AS c
//   ON s."ticker" = c."Ticker"
// Input 0 is the stream; the table is fixed (it comes with the application).
// Each stream row is matched at once against every table row: a pair matches
// when its equi-join keys are equal (no NULLs) and ON is TRUE. Every match is
// emitted with the stream row's ROWTIME; with LEFT JOIN a stream row without
// a match is emitted once, the table's columns NULL. No window, no state.
//
// Output rows have WindowJoin's layout, so the same projection reads them:
// [stream values..., stream ROWTIME, table values..., ROWTIME] — the table
// side's ROWTIME is the stream row's for a match, NULL for a LEFT JOIN's
// unmatched row (so its columns read NULL).
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_REFERENCE_JOIN_H_
#define GAMELAKE_STREAMING_REFERENCE_JOIN_H_

#include <memory>
#include <unordered_map>
#include <vector>

#include "streaming/bound_expr.h"
#include "streaming/operator.h"
#include "streaming/reference_table.h"
#include "streaming/value_ops.h"

namespace gamelake {

class ReferenceJoin final : public StreamOperator {
 public:
  // `stream_keys` and `table_keys`: the equality conjuncts of ON, the same
  // number, reading input 0 and input 1 (EvalRows{stream row, table row});
  // `condition`: ON whole (null for CROSS JOIN). `left`: LEFT JOIN.
  static Result<std::unique_ptr<ReferenceJoin>> Create(std::shared_ptr<const ReferenceTable> table,
                                                       bool left,
                                                       std::vector<BoundExprPtr> stream_keys,
                                                       std::vector<BoundExprPtr> table_keys,
                                                       BoundExprPtr condition);

  Status Push(int input, const StreamRow& row, RowEmitter* out) override;
  Status AdvanceTime(int64_t rowtime_ms, RowEmitter* out) override { return Status::OK(); }
  void SaveState(StateWriter* w) const override {}
  Status LoadState(StateReader* r) override { return Status::OK(); }
  size_t StateBytes() const override { return 0; }

 private:
  ReferenceJoin() = default;
  // Emits stream row + table row `t` if ON holds; true if it matched.
  bool TryPair(const StreamRow& row, const StreamRow& t, RowEmitter* out, bool* failed);
  StreamRow Joined(const StreamRow& row, const StreamRow* t) const;

  std::shared_ptr<const ReferenceTable> table_;
  bool left_ = false;
  std::vector<BoundExprPtr> stream_keys_;
  BoundExprPtr condition_;
  // Table rows by key (when there are keys).
  std::unordered_map<std::vector<SqlValue>, std::vector<size_t>, ValueVectorHash, ValueVectorEq>
      index_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_REFERENCE_JOIN_H_
