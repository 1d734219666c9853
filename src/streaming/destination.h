// Destination: where the rows of one in-application stream go (KDA's "Connect
// to a destination"). The application runner hands each destination the rows
// of its stream in batches, in order, each row with its ordinal — a number
// that counts the stream's rows from the application's start, stable across
// restarts (the checkpoint keeps it), so a destination can be exactly once.
//
// Deliver() returns once the batch is done: delivered, or given up after the
// destination's bounded retries — rows given up are returned in *failed with
// the reason, for the error stream. A slow destination slows only its
// application's runner (back-pressure), never ingest. Deliver's Status:
//   OK         every row was delivered or is in *failed;
//   Cancelled  Stop() ended it first: some rows are neither (the runner must
//              not move its checkpoint past this batch; a restart sends it
//              again);
//   InvalidArgument  the destination cannot take this stream at all (a
//              mapped column the schema lacks, a column named like the event
//              id field): a configuration error, nothing was sent.
// An empty batch sends nothing: it only checks the stream's schema, which is
// how the application service refuses such a destination at create/update.
//
// Kinds (DestinationSpec::kind): "metrics" (MetricsDestination), "stream"
// (StreamDestination), "webhook" (WebhookDestination). The live SSE view of
// every stream is not a destination: the runner publishes to it directly.
// Guarantees: stream destinations are exactly once (event ids from the row
// ordinals, deduplicated by ingest), metrics and webhooks at least once.
//
// Thread-safety: a destination is called by its application's runner thread
// only; Stop() may be called from any thread to end waits early.
#ifndef GAMELAKE_STREAMING_DESTINATION_H_
#define GAMELAKE_STREAMING_DESTINATION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "streaming/sql_value.h"

namespace gamelake {

class IngestHandler;
class MetricStore;

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
// "STREAM=webhook:URL" (the stream name ends at the first '='). Errors say
// which part is wrong: no '=', an unknown kind, an empty target, a stream
// name gamelake refuses, a URL that is not http://, a column mapped twice.
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

// How often a destination tries a batch and how long it waits in between:
// first_backoff_ms, doubled after each failure up to max_backoff_ms.
struct RetryPolicy {
  int max_attempts = 5;  // Tries in all; 0: until done or stopped.
  int64_t first_backoff_ms = 200;
  int64_t max_backoff_ms = 10'000;
  // The wait before try number `attempt` + 1 (attempt counts from 1).
  int64_t BackoffMs(int attempt) const;
};

// Raised by Destination::Stop(); cuts the destinations' back-off waits short.
class StopSignal {
 public:
  void Stop() GL_EXCLUDES(mu_);
  bool stopped() const GL_EXCLUDES(mu_);
  // Waits `ms` by env's monotonic clock. False if stopped (before or during).
  bool WaitMs(Env* env, int64_t ms) GL_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  CondVar cv_;
  bool stopped_ GL_GUARDED_BY(mu_) = false;
};

// What the destinations of one application are built with (the service's).
struct DestinationContext {
  std::string app;                          // The application's name.
  MetricStore* metric_store = nullptr;      // For "metrics"; must outlive it.
  IngestHandler* ingest = nullptr;          // For "stream"; must outlive it.
  std::string event_id_field = "event_id";  // The deployment's (IngestOptions).
  Env* env = Env::Default();
};

// The destination `spec` names. FailedPrecondition-style InvalidArgument if
// the context lacks what its kind needs.
Result<std::unique_ptr<Destination>> MakeDestination(const DestinationSpec& spec,
                                                     const DestinationContext& context);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_DESTINATION_H_
