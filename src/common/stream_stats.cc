#include "common/stream_stats.h"

namespace gamelake {

void QueryCounts::Record(double latency_ms, bool ok) {
  MutexLock l(&mu_);
  (ok ? pending_.succeeded : pending_.failed)++;
  if (pending_.latencies_ms.size() < kMaxLatencies) pending_.latencies_ms.push_back(latency_ms);
}

QueryCounts::Drained QueryCounts::Drain() {
  MutexLock l(&mu_);
  Drained out = std::move(pending_);
  pending_ = Drained{};
  return out;
}

StreamCounters* StreamStats::For(std::string_view stream) {
  {
    ReaderMutexLock l(&mu_);
    auto it = streams_.find(stream);
    if (it != streams_.end()) return it->second.get();
  }
  WriterMutexLock l(&mu_);
  auto it = streams_.find(stream);
  if (it != streams_.end()) return it->second.get();
  if (streams_.size() >= kMaxStreams) return nullptr;
  return streams_.emplace(std::string(stream), std::make_unique<StreamCounters>())
      .first->second.get();
}

void StreamStats::ForEach(
    const std::function<void(const std::string&, const StreamCounters&)>& fn) const {
  ReaderMutexLock l(&mu_);
  for (const auto& [name, counters] : streams_) fn(name, *counters);
}

}  // namespace gamelake
