// StaggerWindow: KDA's WINDOWED BY STAGGER —
//   SELECT STREAM ticker, FLOOR(event_time TO MINUTE), COUNT(*) FROM s
//   WINDOWED BY STAGGER (PARTITION BY FLOOR(event_time TO MINUTE), ticker
//                        RANGE INTERVAL '1' MINUTE)
// — a window per partition key that opens at the first row with that key and
// closes the window length later (KDA: "windows open when the first event
// matching the partition key arrives ... the windows close based on the age
// specified, which is measured from the time when the window opened"). It then
// emits one row, [partition key values..., one result per aggregate...],
// stamped with ROWTIME = the first row's ROWTIME + the length; the window
// closes on the clock (AdvanceTime) too. A row at exactly the close time
// opens the next window. The rows already passed WHERE; a projection (and
// HAVING) follows.
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_STAGGER_WINDOW_H_
#define GAMELAKE_STREAMING_STAGGER_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "streaming/partitioned_window.h"

namespace gamelake {

class StaggerWindow final : public PartitionedWindow {
 public:
  StaggerWindow(std::vector<BoundExprPtr> partition_by, int64_t length_ms,
                std::vector<BoundAggregate> aggregates, size_t max_state_bytes)
      : PartitionedWindow(Kind::kStagger, std::move(partition_by), length_ms, std::move(aggregates),
                          max_state_bytes) {}
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_STAGGER_WINDOW_H_
