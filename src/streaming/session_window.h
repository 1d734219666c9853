// SessionWindow (beyond KDA): a window per partition key that lasts while its
// rows keep coming — it closes once `gap_ms` pass without a row of that key.
// It then emits one row, [partition key values..., one result per
// aggregate..., the session's first row's ROWTIME, its last row's ROWTIME]
// (both TIMESTAMP), stamped with ROWTIME = the last row's ROWTIME + the gap,
// the moment the session is known to be over; it closes on the clock
// (AdvanceTime) too. A row exactly `gap_ms` after the last one starts a new
// session. The rows already passed WHERE; a projection (and HAVING) follows.
//
// Thread-safety: one thread at a time (the operator contract).
#ifndef GAMELAKE_STREAMING_SESSION_WINDOW_H_
#define GAMELAKE_STREAMING_SESSION_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "streaming/partitioned_window.h"

namespace gamelake {

class SessionWindow final : public PartitionedWindow {
 public:
  SessionWindow(std::vector<BoundExprPtr> partition_by, int64_t gap_ms,
                std::vector<BoundAggregate> aggregates, size_t max_state_bytes)
      : PartitionedWindow(Kind::kSession, std::move(partition_by), gap_ms, std::move(aggregates),
                          max_state_bytes) {}
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_SESSION_WINDOW_H_
