// Destination: where the rows of one in-application stream go (KDA's "Connect
// to a destination"). The application runner hands each destination the rows
// of its stream in batches, in order, each row with its ordinal — a number
// that counts the stream's rows from the application's start, stable across
// restarts (the checkpoint keeps it), so a destination can be exactly once.
//
// Deliver() returns once the batch is done: delivered, or given up after the
// destination's bounded retries — rows given up are returned in *failed with
// the reason, for the error stream. A slow destination slows only its
// application's runner (back-pressure), never ingest.
//
// Kinds (DestinationSpec::kind): "metrics" (MetricsDestination), "stream"
// (StreamDestination), "webhook" (WebhookDestination). The live SSE view of
// every stream is not a destination: the runner publishes to it directly.
//
// Thread-safety: a destination is called by its application's runner thread
// only; Stop() may be called from any thread to end waits early.
#ifndef GAMELAKE_STREAMING_DESTINATION_H_
#define GAMELAKE_STREAMING_DESTINATION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "streaming/sql_value.h"

namespace gamelake {

// --destination IN_APP_STREAM=KIND:TARGET[,column=metric,...]
struct DestinationSpec {
  std::string stream;  // In-application stream name, as stored.
  std::string kind;    // "metrics", "stream", "webhook".
  std::string target;  // Namespace, gamelake stream name, or URL.
  // metrics: column -> metric name; empty = every numeric column, named as
  // the column.
  std::vector<std::pair<std::string, std::string>> metric_map;
};

// Parses "STREAM=metrics:NS[,col=metric...]", "STREAM=stream:NAME",
// "STREAM=webhook:URL". Errors say which part is wrong.
Result<DestinationSpec> ParseDestinationSpec(std::string_view text);
// The inverse: ParseDestinationSpec(FormatDestinationSpec(s)) == s.
std::string FormatDestinationSpec(const DestinationSpec& spec);

struct OutputRow {
  uint64_t ordinal = 0;  // Counts the stream's rows since the application began.
  StreamRow row;
};

struct FailedRow {
  uint64_t ordinal = 0;
  std::string reason;
};

class Destination {
 public:
  virtual ~Destination() = default;
  virtual Status Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                         std::vector<FailedRow>* failed) = 0;
  virtual void Stop() = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_DESTINATION_H_
