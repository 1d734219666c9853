// StreamDestination: rows of an in-application stream become records of a
// gamelake stream, through the same write path as ingest (IngestHandler), so
// they land in the log, then the lake, and are queryable like any stream.
//
// Each record is the row as KDA sends it (AppendRowJson: columns in order,
// without ROWTIME) plus a member <event id field>:"<app>/<in-app stream>/<ordinal>".
// The ordinal is stable across restarts, so when the runner sends rows again
// after a crash, ingest's idempotent-retry dedupe acknowledges them without
// storing them twice: exactly once (as long as the deployment keeps event ids,
// i.e. event_id_field is not "", and within the dedupe window).
//
// Deliver() returns once the log has made the records durable (the write
// path's Done callback). A batch the log refuses for now (Unavailable,
// ResourceExhausted: the log is full or closing) is sent again with back-off,
// by default until it is stored or Stop() is called; any other refusal fails
// its rows.
//
// Thread-safety: as Destination.
#ifndef GAMELAKE_STREAMING_STREAM_DESTINATION_H_
#define GAMELAKE_STREAMING_STREAM_DESTINATION_H_

#include <cstddef>
#include <string>
#include <vector>

#include "ingest/ingest_handler.h"
#include "streaming/destination.h"

namespace gamelake {

struct StreamDestinationOptions {
  IngestHandler* ingest = nullptr;          // Must outlive the destination.
  std::string app;                          // The application's name.
  std::string in_app_stream;                // The in-application stream the rows are from.
  std::string target;                       // The gamelake stream to write.
  std::string event_id_field = "event_id";  // The deployment's; "" writes no event id.
  Env* env = Env::Default();
  RetryPolicy retry{0, 100, 5'000};  // 0 attempts: until stored or stopped.
  size_t max_batch_records = 10'000;
  size_t max_batch_bytes = 8u << 20;
};

class StreamDestination final : public Destination {
 public:
  explicit StreamDestination(StreamDestinationOptions options);

  Status Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                 std::vector<FailedRow>* failed) override;
  void Stop() override { stop_.Stop(); }

  // The event id a row gets: "<app>/<in-app stream>/<ordinal>".
  std::string EventId(uint64_t ordinal) const;

 private:
  // One batch's records, in one buffer.
  struct Batch {
    std::string bytes;
    std::vector<size_t> ends;  // End offset of each record in bytes.
    std::vector<uint64_t> ordinals;
  };

  void AppendRecord(const StreamSchema& schema, const OutputRow& row, Batch* batch) const;
  // Sends the batch until stored (OK), stopped (Cancelled) or refused for
  // good; rows refused for good go to *failed.
  Status Send(const Batch& batch, std::vector<FailedRow>* failed);
  // Submits the records `pending` (indexes into the batch) once and waits.
  IngestOutcome SubmitOnce(const Batch& batch, const std::vector<size_t>& pending);

  const StreamDestinationOptions options_;
  const std::string key_id_;  // Who the records are stored for (dead letters name it).
  StopSignal stop_;
};

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_STREAM_DESTINATION_H_
