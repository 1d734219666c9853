// WindowJoin: KDA's stream-to-stream join —
//   FROM orders OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
//   LEFT JOIN shipments OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s
//   ON o.orderid = s.orderid
// — input 0 is the left stream, input 1 the right; a projection follows.
//
// Each side has the window its OVER gives it: RANGE INTERVAL n PRECEDING
// (its rows up to n older than the current time, inclusive), ROWS n
// PRECEDING (its newest n + 1 rows), or none — then only its rows of the
// current ROWTIME take part (KDA: "only the current row from that side
// participates"; as RANGE CURRENT ROW). When a row arrives it is matched at
// once against the other side's window: a pair matches when its equi-join
// keys are equal (no NULLs) and the condition is TRUE. So a pair of rows a
// (earlier) and b (later) joins exactly when a is still in its side's window
// at b's ROWTIME, and joins once.
//
// Output rows are [left values..., left ROWTIME, right values..., right
// ROWTIME] (see the *Column() accessors), with NULLs (and a NULL ROWTIME) for
// the missing side of an outer row. ROWTIMEs, as KDA documents them: a match
// is stamped with the later of its two rows' ROWTIMEs (the arriving row's);
// an outer row — a row of the preserved side (LEFT: left, RIGHT: right, FULL:
// both) that never matched — is emitted when it leaves its window, stamped
// with the later of its own ROWTIME and the end of the time it could have
// matched: its ROWTIME + its side's RANGE (so a side without a window emits
// unmatched rows with their own ROWTIME), or, for ROWS, the ROWTIME of the row
// that pushed it out. It is emitted once time passes that end (a later row on
// either input, or AdvanceTime). Output is in ROWTIME order. CROSS JOIN is an
// inner join without a condition.
//
// Deviation from the KDA reference, on purpose: its LEFT JOIN examples (5 and
// 6) also list NULL-extended rows for orders that did match (104, and 100 in
// example 6); that contradicts its own definition of LEFT JOIN ("rows from the
// left are kept even if they don't match") and its RIGHT JOIN examples, so
// here a row that matched is never emitted again NULL-extended.
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_WINDOW_JOIN_H_
#define GAMELAKE_STREAMING_WINDOW_JOIN_H_

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "streaming/aggregate_function.h"
#include "streaming/operator.h"
#include "streaming/ring_buffer.h"
#include "streaming/sql_ast.h"
#include "streaming/value_ops.h"

namespace gamelake {

class WindowJoin final : public StreamOperator {
 public:
  struct Side {
    enum class Window { kCurrentRow, kRange, kRows };
    Window window = Window::kCurrentRow;
    int64_t range_ms = 0;        // kRange.
    int64_t preceding_rows = 0;  // kRows.
    // The side's column types, for the NULLs of an outer row.
    std::vector<ValueType> column_types;
    // Equality conjuncts of ON (this side's expressions, reading this side's
    // input), as an index: both sides give the same number, or none.
    std::vector<BoundExprPtr> keys;
  };

  // `condition` reads EvalRows{left, right}: the ON clause (or what remains
  // of it besides the keys); null for none (CROSS JOIN, keys only).
  WindowJoin(SqlJoin::Type type, Side left, Side right, BoundExprPtr condition,
             size_t max_state_bytes);

  Status Push(int input, const StreamRow& row, RowEmitter* out) override;
  Status AdvanceTime(int64_t rowtime_ms, RowEmitter* out) override;
  void SaveState(StateWriter* w) const override;
  Status LoadState(StateReader* r) override;
  size_t StateBytes() const override { return bytes_; }

  // The output row's layout.
  int LeftColumn(int i) const { return i; }
  int LeftRowtimeColumn() const { return static_cast<int>(sides_[0].column_types.size()); }
  int RightColumn(int i) const { return LeftRowtimeColumn() + 1 + i; }
  int RightRowtimeColumn() const {
    return RightColumn(static_cast<int>(sides_[1].column_types.size()));
  }

 private:
  struct Held {
    StreamRow row;
    std::vector<SqlValue> key;
    bool matched = false;
  };
  struct SideState {
    RingBuffer<Held> held;   // In arrival (ROWTIME) order.
    uint64_t first_seq = 0;  // The number of held.front().
    std::unordered_map<std::vector<SqlValue>, RingBuffer<uint64_t>, ValueVectorHash,
                       ValueVectorEq>
        index;  // Key -> numbers of held rows with it (when the join has keys).
    size_t bytes = 0;
  };

  bool Preserved(int side) const;
  // Emits (outer) and drops the rows whose window ended before `rowtime`.
  void ExpireBefore(int64_t rowtime, RowEmitter* out);
  // The end of the time a held row of `side` can match in (RANGE, none).
  int64_t MatchEnd(int side, const Held& h) const;
  void Match(int side, Held* arriving, RowEmitter* out);
  void Hold(int side, Held held);
  void PopFront(int side, int64_t outer_rowtime, RowEmitter* out);
  StreamRow Joined(const StreamRow* left, const StreamRow* right, int64_t rowtime) const;
  size_t HeldBytes(const Held& h) const;

  SqlJoin::Type type_;
  Side sides_[2];
  BoundExprPtr condition_;
  size_t max_state_bytes_;
  SideState state_[2];
  int64_t now_ = 0;
  size_t bytes_ = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_WINDOW_JOIN_H_
