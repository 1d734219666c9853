// ItemsTumbling: KDA's table functions over a tumbling window of a column —
//   SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(
//       CURSOR(SELECT STREAM * FROM s), 'TICKER_SYMBOL', 5, 60))
//   SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
//       CURSOR(SELECT STREAM * FROM s), 'TICKER_SYMBOL', 60))
// The windows are `window_ms` long (KDA: 1 to 3600 seconds), aligned to the
// epoch like STEP(ROWTIME BY ...); NULL items are not counted.
//
// When time passes a window's end (a row of a later window, or AdvanceTime),
// it emits, stamped with ROWTIME = the window end:
//  - TOP_K_ITEMS_TUMBLING: up to K rows [item, count (BIGINT)], the most
//    frequent items first (ties: the smaller item first);
//  - COUNT_DISTINCT_ITEMS_TUMBLING: one row [count of distinct items (BIGINT)].
// KDA approximates both (its top-K "may return three of the five most traded
// stocks"; its distinct count is exact up to 10,000 items, then
// HyperLogLog); here both are exact, so the state holds every distinct item of
// the window, bounded by max_state_bytes (ResourceExhausted past it). A row
// of a window already emitted (out of ROWTIME order) goes to the error stream.
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_ITEMS_TUMBLING_H_
#define GAMELAKE_STREAMING_ITEMS_TUMBLING_H_

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "streaming/aggregate_function.h"
#include "streaming/operator.h"
#include "streaming/value_ops.h"

namespace gamelake {

class ItemsTumbling final : public StreamOperator {
 public:
  enum class Kind { kTopK, kCountDistinct };

  // `k` is TOP_K's K (ignored for COUNT_DISTINCT); `item` reads the column.
  ItemsTumbling(Kind kind, BoundExprPtr item, int64_t k, int64_t window_ms, size_t max_state_bytes);

  Status Push(int input, const StreamRow& row, RowEmitter* out) override;
  Status AdvanceTime(int64_t rowtime_ms, RowEmitter* out) override;
  void SaveState(StateWriter* w) const override;
  Status LoadState(StateReader* r) override;
  size_t StateBytes() const override { return bytes_; }

 private:
  struct ValueHash {
    size_t operator()(const SqlValue& v) const { return HashValue(v); }
  };
  struct ValueEq {
    bool operator()(const SqlValue& a, const SqlValue& b) const { return CompareValues(a, b) == 0; }
  };

  void Count(const SqlValue& item);
  // Emits and clears the open window if it ends at or before `rowtime`.
  void CloseIfEnded(int64_t rowtime, RowEmitter* out);

  Kind kind_;
  BoundExprPtr item_;
  int64_t k_;
  int64_t window_ms_;
  size_t max_state_bytes_;

  bool open_ = false;
  bool seen_ = false;  // A window was ever opened.
  int64_t start_ = 0;  // The start of the open (or last) window.
  std::unordered_map<SqlValue, int64_t, ValueHash, ValueEq> counts_;
  size_t bytes_ = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_ITEMS_TUMBLING_H_
