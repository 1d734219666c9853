// TumblingAggregate: a streaming GROUP BY over tumbling windows —
//   SELECT STREAM ticker, MIN(price), MAX(price) FROM s
//   GROUP BY ticker, STEP(s.ROWTIME BY INTERVAL '60' SECOND)
// — the rows already filtered by WHERE; a projection (and HAVING) follows.
//
// The GROUP BY keys are `keys`; keys[window_key] is the monotonic one (STEP/
// FLOOR of ROWTIME) whose value is the window's start. Output rows are
// [key values in GROUP BY order..., one result per aggregate...].
//
// Emission, as KDA: a window's groups are emitted once time passes its end —
// when a row of a later window arrives or AdvanceTime(t) reaches t >= end
// (KDA's "rowtime bound"), so the last window closes on the clock — one row
// per group, ordered by their keys (as KDA's documented results list them),
// stamped with ROWTIME = the window end. A window's end is its start plus
// the length (STEP's interval, FLOOR's unit; FLOOR TO MONTH/YEAR ends at the
// next calendar month/year). When the length is unknown (another monotonic
// expression), a window closes only when a row with a greater key arrives
// (KDA: "whenever a row arrives that changes the value of the monotonic
// grouping expression"), stamped with that row's ROWTIME.
//
// Event-time windows (beyond KDA): with options.event_time, the window key is
// computed from a column of the record and windows close on a watermark =
// the greatest event time seen minus the allowed lateness. Several windows
// may then be open; a row whose window has already closed is late: it goes to
// the error stream ("late row: ...") and is counted in late_rows(). With no
// rows, AdvanceTime moves the watermark on as far as ROWTIME moved since the
// newest event time was seen. Output rows are stamped with the ROWTIME at
// which their window closed (the row's, or AdvanceTime's), so ROWTIMEs stay
// in order.
//
// Aggregate results that fail (a SUM past BIGINT) send the group's row (keys,
// NULL aggregates) to the error stream. State over max_state_bytes makes
// Push fail with ResourceExhausted.
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_TUMBLING_AGGREGATE_H_
#define GAMELAKE_STREAMING_TUMBLING_AGGREGATE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "streaming/aggregate_function.h"
#include "streaming/operator.h"
#include "streaming/value_ops.h"

namespace gamelake {

class TumblingAggregate final : public StreamOperator {
 public:
  struct Options {
    // The window length: STEP's interval in ms, or FLOOR's unit (TO MONTH:
    // length_months = 1, TO YEAR: 12). Both zero: not known.
    int64_t length_ms = 0;
    int length_months = 0;
    // Event-time windows: the row's event time (a TIMESTAMP); null for
    // windows on ROWTIME.
    BoundExprPtr event_time;
    int64_t allowed_lateness_ms = 0;
    size_t max_state_bytes = 1ull << 30;
  };

  TumblingAggregate(std::vector<BoundExprPtr> keys, int window_key,
                    std::vector<BoundAggregate> aggregates, Options options);

  Status Push(int input, const StreamRow& row, RowEmitter* out) override;
  Status AdvanceTime(int64_t rowtime_ms, RowEmitter* out) override;
  void SaveState(StateWriter* w) const override;
  Status LoadState(StateReader* r) override;
  size_t StateBytes() const override { return bytes_; }

  // Rows refused because their window had closed (event-time windows).
  int64_t late_rows() const { return late_rows_; }

 private:
  struct ValueLess {
    bool operator()(const SqlValue& a, const SqlValue& b) const { return CompareValues(a, b) < 0; }
  };
  using Groups =
      std::unordered_map<std::vector<SqlValue>, AggregateGroup, ValueVectorHash, ValueVectorEq>;
  struct Window {
    int64_t end = 0;  // Unknown length: unused.
    Groups groups;
    size_t bytes = 0;
  };

  bool KnownLength() const { return options_.length_ms > 0 || options_.length_months > 0; }
  int64_t WindowEnd(int64_t start) const;
  // Whether a row of the window keyed `wk` comes too late; sets *why.
  bool IsLate(const SqlValue& wk, std::string* why) const;
  void AddToWindow(const SqlValue& wk, const std::vector<SqlValue>& key,
                   const std::vector<SqlValue>& args, int64_t rowtime);
  // Emits and drops every window ending at or before the watermark.
  void CloseUpTo(int64_t watermark, int64_t close_rowtime, RowEmitter* out);
  void Emit(const Window& window, int64_t rowtime, RowEmitter* out);
  Status CheckBound() const;

  std::vector<BoundExprPtr> keys_;
  int window_key_;
  std::vector<BoundAggregate> aggregates_;
  Options options_;

  std::map<SqlValue, Window, ValueLess> windows_;
  bool has_watermark_ = false;
  int64_t watermark_ = 0;  // Windows ending at or before it are closed.
  bool has_event_ = false;
  int64_t max_event_ = 0;             // Event-time mode: the newest event time...
  int64_t rowtime_at_max_event_ = 0;  // ...and the ROWTIME it came with.
  int64_t late_rows_ = 0;
  size_t bytes_ = 0;
  // Scratch, reused per row.
  std::vector<SqlValue> key_;
  std::vector<SqlValue> args_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_TUMBLING_AGGREGATE_H_
