// WindowAccumulator: the state of one aggregate over one partition of a
// sliding window (SUM(x) OVER (PARTITION BY k RANGE INTERVAL '1' HOUR
// PRECEDING)), which rows enter and leave in arrival order.
//
// The window keeps its rows as entries: a RANGE window merges the rows of one
// ROWTIME (one millisecond) into one entry, since they always leave together;
// a ROWS window has one entry per row. Entries are numbered in arrival order;
// the window adds every row to every aggregate of the window (so each entry
// reaches each accumulator) and forgets entries oldest first. Per entry an
// accumulator keeps only what it needs to forget it: COUNT 8 bytes, SUM/AVG
// 16 (DOUBLE) or 24 (integers, summed exactly in 128 bits), the variances 48,
// EXP_AVG 24; MIN/MAX keep a monotonic queue (a value per entry at worst,
// O(log n) for random data), FIRST_VALUE a value per entry, LAST_VALUE one.
// SUM/AVG/COUNT/the variances update in O(1) per row, MIN/MAX amortized O(1).
//
// Thread-safety: belongs to one operator.
#ifndef GAMELAKE_STREAMING_WINDOW_ACCUMULATOR_H_
#define GAMELAKE_STREAMING_WINDOW_ACCUMULATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/status.h"
#include "streaming/aggregate_function.h"
#include "streaming/operator.h"
#include "streaming/sql_value.h"

namespace gamelake {

class WindowAccumulator {
 public:
  virtual ~WindowAccumulator() = default;
  // Adds `v`, the argument of a row at `rowtime`, to entry `entry`: the
  // newest entry, or one past it (a new entry).
  virtual void Add(uint64_t entry, int64_t rowtime, const SqlValue& v) = 0;
  // Forgets entry `entry`, the oldest.
  virtual void PopFront(uint64_t entry) = 0;
  // The aggregate over the entries held; InvalidArgument when it does not fit
  // its type (a SUM beyond BIGINT).
  virtual Status Result(SqlValue* out) const = 0;
  virtual void Save(StateWriter* w) const = 0;
  virtual Status Load(StateReader* r) = 0;
  // Approximate bytes held (object and heap).
  virtual size_t Bytes() const = 0;
};

// Keeps a reference to `spec`, which must outlive the accumulator.
std::unique_ptr<WindowAccumulator> NewWindowAccumulator(const AggregateSpec& spec);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_WINDOW_ACCUMULATOR_H_
