// StreamStats: the pipeline's own per-stream counters — what the write path
// stored, what it refused or throttled, what delivery put into the lake — and
// the query engine's counts, kept as plain atomics so the hot paths only add.
// The pipeline metrics recorder (metrics/pipeline_recorder.h) reads them once
// a second into the metrics store (namespaces gamelake/Streams and
// gamelake/Queries); nothing else depends on their values.
//
// Thread-safety: every method may be called from any thread. For() takes a
// shared lock (an exclusive one the first time a stream is seen); the
// counters it returns live as long as the StreamStats.
#ifndef GAMELAKE_COMMON_STREAM_STATS_H_
#define GAMELAKE_COMMON_STREAM_STATS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "common/mutex.h"

namespace gamelake {

struct StreamCounters {
  Counter incoming_records;    // Stored in the log (retries acknowledged as duplicates excluded).
  Counter incoming_bytes;      // Their bytes.
  Counter duplicate_records;   // Retries acknowledged without being stored again.
  Counter throttled_records;   // In requests refused by the rate limits (429).
  Counter failed_records;      // Rejected (dead-lettered) or not stored.
  Counter delivered_records;   // Rows written to the lake.
  Counter delivered_bytes;     // Parquet bytes written to the lake.
  Counter delivery_attempts;   // Lake files attempted...
  Counter delivery_successes;  // ...and delivered.
};

// Query engine counts, and each query's latency (bounded: beyond
// kMaxLatencies a second the latencies are sampled by count only).
class QueryCounts {
 public:
  static constexpr size_t kMaxLatencies = 4096;

  void Record(double latency_ms, bool ok) GL_EXCLUDES(mu_);
  struct Drained {
    uint64_t succeeded = 0;
    uint64_t failed = 0;
    std::vector<double> latencies_ms;
  };
  // What was recorded since the last Drain().
  Drained Drain() GL_EXCLUDES(mu_);

 private:
  Mutex mu_;
  Drained pending_ GL_GUARDED_BY(mu_);
};

class StreamStats {
 public:
  // The counters of `stream`, created on first use; null once kMaxStreams
  // streams exist (a bound on what hostile stream names can cost).
  static constexpr size_t kMaxStreams = 10000;
  StreamCounters* For(std::string_view stream);

  // Calls fn for every stream, in name order.
  void ForEach(const std::function<void(const std::string&, const StreamCounters&)>& fn) const;

  QueryCounts* queries() { return &queries_; }

 private:
  mutable SharedMutex mu_;
  std::map<std::string, std::unique_ptr<StreamCounters>, std::less<>> streams_ GL_GUARDED_BY(mu_);
  QueryCounts queries_;
};

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_STREAM_STATS_H_
