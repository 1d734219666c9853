// LakeSink: where a lake file goes after it is durable in the node's local
// lake folder — nowhere more for a local lake, an object store for an S3
// lake (s3/s3_lake_sink.h). Delivery publishes each new file through it and
// releases the file's records from the log only once Publish confirmed it,
// so a sink that fails holds records in the log, never loses them.
//
// Contract:
//   - Publish(path) takes the lake-relative path of a complete local file
//     ("<table>/dt=.../hr=.../<name>.parquet") and returns OK only once the
//     sink holds all of it. Publishing the same path again is harmless (the
//     same bytes under the same deterministic name).
//   - Recover() runs once at start, before delivery releases anything: it
//     brings the sink in line with what a crash may have left (abandoned
//     partial uploads) and says, per table, the highest record id the sink
//     holds of this node's files, and which local files it lacks (they are
//     published before their records are released).
//
// Thread-safety: implementations allow calls from any thread; delivery
// calls one at a time.
#ifndef GAMELAKE_LAKE_LAKE_SINK_H_
#define GAMELAKE_LAKE_LAKE_SINK_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

struct LakeSinkRecovery {
  // Per table: the highest <last> of this node's files the sink holds.
  std::map<std::string, uint64_t> watermarks;
  // Lake-relative paths of local files the sink lacks (or holds with another
  // size), in path order: publish them before releasing anything.
  std::vector<std::string> missing;
};

class LakeSink {
 public:
  virtual ~LakeSink() = default;

  // Where files go, for logs and errors ("local", "s3://bucket/prefix/").
  virtual std::string Describe() const = 0;
  // See the file comment.
  virtual Result<LakeSinkRecovery> Recover() = 0;
  virtual Status Publish(const std::string& lake_path) = 0;
};

// The sink of a local lake: the local folder is the lake, nothing to do.
std::unique_ptr<LakeSink> NewLocalLakeSink();

}  // namespace gamelake

#endif  // GAMELAKE_LAKE_LAKE_SINK_H_
