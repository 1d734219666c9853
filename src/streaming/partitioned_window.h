// PartitionedWindow: the machinery of the windows that open per partition key
// at its first row and close on time — stagger windows (stagger_window.h: a
// fixed length from the first row) and session windows (session_window.h: a
// gap without rows). Each open window aggregates its partition's rows; when
// time reaches its end (a row at or past it, of any partition, or
// AdvanceTime) it emits one row, [partition key values..., one result per
// aggregate...] (sessions append their first and last row's ROWTIME),
// stamped with ROWTIME = the end. Windows ending together are emitted in the
// order they opened (stagger) or were last extended (session). A row at
// exactly a window's end belongs to the next window.
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_PARTITIONED_WINDOW_H_
#define GAMELAKE_STREAMING_PARTITIONED_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "streaming/aggregate_function.h"
#include "streaming/operator.h"
#include "streaming/value_ops.h"

namespace gamelake {

class PartitionedWindow : public StreamOperator {
 public:
  Status Push(int input, const StreamRow& row, RowEmitter* out) override;
  Status AdvanceTime(int64_t rowtime_ms, RowEmitter* out) override;
  void SaveState(StateWriter* w) const override;
  Status LoadState(StateReader* r) override;
  size_t StateBytes() const override { return bytes_; }

 protected:
  enum class Kind { kStagger, kSession };
  // `span_ms`: the stagger window's length, or the session gap.
  PartitionedWindow(Kind kind, std::vector<BoundExprPtr> partition_by, int64_t span_ms,
                    std::vector<BoundAggregate> aggregates, size_t max_state_bytes);

 private:
  struct Open;
  using Windows = std::unordered_map<std::vector<SqlValue>, Open, ValueVectorHash, ValueVectorEq>;
  struct Open {
    explicit Open(const std::vector<BoundAggregate>& aggregates) : group(aggregates) {}
    int64_t first_rowtime = 0;
    int64_t last_rowtime = 0;
    int64_t end = 0;
    AggregateGroup group;
    std::list<const std::vector<SqlValue>*>::iterator order;
    size_t bytes = 0;
  };

  // Emits and drops every window ending at or before `rowtime`.
  void CloseUpTo(int64_t rowtime, RowEmitter* out);
  void Emit(const std::vector<SqlValue>& key, const Open& window, RowEmitter* out);
  Open& OpenFor(const std::vector<SqlValue>& key, int64_t rowtime);
  const char* What() const {
    return kind_ == Kind::kStagger ? "a stagger window" : "a session window";
  }

  Kind kind_;
  std::vector<BoundExprPtr> partition_by_;
  int64_t span_ms_;
  std::vector<BoundAggregate> aggregates_;
  size_t max_state_bytes_;

  Windows open_;
  // Keys of open windows in the order they end (rows come in ROWTIME order).
  std::list<const std::vector<SqlValue>*> order_;
  int64_t now_ = 0;  // The newest ROWTIME seen.
  bool has_now_ = false;
  size_t bytes_ = 0;
  std::vector<SqlValue> key_;
  std::vector<SqlValue> args_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_PARTITIONED_WINDOW_H_
