// SlidingWindow: the window aggregates (analytic functions) of one SELECT —
//   SELECT STREAM ticker, price, AVG(price) OVER w, MAX(price) OVER last10
//   FROM s WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING),
//                 last10 AS (ROWS 10 PRECEDING)
// — each aggregate over its own window. The rows already passed WHERE; a
// projection follows.
//
// Emission, as KDA: one output row per input row, at once, with that row's
// ROWTIME: [the input row's values..., one result per aggregate in order...].
// The frame of a row at time t is the rows of its partition (the rows with
// the same PARTITION BY values) that arrived so far, itself included, with
// ROWTIME in [t - range, t] — inclusive: RANGE INTERVAL '1' DAY PRECEDING
// holds a row exactly one day older (RANGE CURRENT ROW: the rows with the
// same ROWTIME); ROWS n PRECEDING holds the row and the n rows of its
// partition before it.
//
// State per partition is a queue of entries (window_accumulator.h): a RANGE
// window merges the rows of one millisecond into one entry, so its memory
// follows the distinct ROWTIMEs of each partition in the window, not the row
// count. No row is kept whole: an entry costs 8 bytes of ROWTIME plus each
// aggregate's own (COUNT 8, SUM/AVG of DOUBLE 16, of integers 24, variances
// 48, MIN/MAX a value at worst), and queues hold up to twice their size while
// they grow. SUM(x) OVER (RANGE INTERVAL '1' HOUR PRECEDING) measures 42
// bytes per row when every row has its own millisecond, 0.33 when 100 rows
// share one: at 100k rows/s in one partition an hour is 3.6M entries
// (~150 MB); if every row had its own partition-millisecond, 360M rows would
// need ~15 GB, past the bound, and Push fails with ResourceExhausted instead.
// A RANGE partition with no row left in its window is dropped (on the next
// row or AdvanceTime); a ROWS partition keeps its last n + 1 rows' entries.
//
// A row whose arguments fail to evaluate, or whose result fails (SUM past
// BIGINT), goes to the error stream instead of an output row.
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_SLIDING_WINDOW_H_
#define GAMELAKE_STREAMING_SLIDING_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "streaming/aggregate_function.h"
#include "streaming/operator.h"
#include "streaming/ring_buffer.h"
#include "streaming/value_ops.h"
#include "streaming/window_accumulator.h"

namespace gamelake {

class SlidingWindow final : public StreamOperator {
 public:
  struct Window {
    std::vector<BoundExprPtr> partition_by;
    enum class Unit { kRange, kRows };
    Unit unit = Unit::kRange;
    int64_t range_ms = 0;        // RANGE INTERVAL ... PRECEDING (0: RANGE CURRENT ROW).
    int64_t preceding_rows = 0;  // ROWS n PRECEDING (0: ROWS CURRENT ROW).
  };
  struct Aggregate {
    BoundAggregate aggregate;
    int window = 0;  // Index into the windows.
  };

  SlidingWindow(std::vector<Window> windows, std::vector<Aggregate> aggregates,
                size_t max_state_bytes);

  Status Push(int input, const StreamRow& row, RowEmitter* out) override;
  Status AdvanceTime(int64_t rowtime_ms, RowEmitter* out) override;
  void SaveState(StateWriter* w) const override;
  Status LoadState(StateReader* r) override;
  size_t StateBytes() const override { return bytes_; }

 private:
  struct Partition;
  using Partitions =
      std::unordered_map<std::vector<SqlValue>, Partition, ValueVectorHash, ValueVectorEq>;
  struct Partition {
    RingBuffer<int64_t> entry_keys;  // ROWTIME (RANGE) or row number (ROWS) per entry.
    uint64_t first_entry = 0;        // The number of entry_keys.front().
    int64_t next_row = 0;            // ROWS: the number of the next row.
    int64_t last_rowtime = 0;
    std::vector<std::unique_ptr<WindowAccumulator>> accumulators;
    std::list<Partitions::value_type*>::iterator lru;
    size_t bytes = 0;
  };
  struct WindowState {
    Partitions partitions;
    // Oldest last_rowtime first (rows come in ROWTIME order).
    std::list<Partitions::value_type*> lru;
    std::vector<int> aggregates;  // Indices of the aggregates over this window.
  };

  Partitions::value_type& FindPartition(int w, const std::vector<SqlValue>& key);
  // Adds the row to its partition of window `w`, forgetting what left it.
  void Slide(int w, Partitions::value_type& p, int64_t rowtime);
  void DropIdle(int w, int64_t rowtime);
  size_t PartitionBytes(const Partitions::value_type& p) const;
  void DropPartition(int w, Partitions::value_type* p);

  std::vector<Window> windows_;
  std::vector<Aggregate> aggregates_;
  size_t max_state_bytes_;
  std::vector<WindowState> state_;
  size_t bytes_ = 0;
  // Scratch, reused per row.
  std::vector<std::vector<SqlValue>> keys_;
  std::vector<Partition*> touched_;
  std::vector<SqlValue> args_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SLIDING_WINDOW_H_
