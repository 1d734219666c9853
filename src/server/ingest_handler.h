// IngestHandler: the write path shared by every ingest API (the native
// /v1/streams/{stream}/records and, later, the Firehose API). It takes records
// a RecordParser has validated, appends them to the log, and reports the
// outcome once they are durable (or not stored).
//
// Thread-safety: Submit runs concurrently on the HTTP threads; Done callbacks
// run on the log's writer thread and must not block.
#ifndef GAMELAKE_SERVER_INGEST_HANDLER_H_
#define GAMELAKE_SERVER_INGEST_HANDLER_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "ingest/record_parser.h"
#include "log/wal.h"

namespace gamelake {

struct IngestOutcome {
  Status status;                    // Not OK: nothing was stored (the log refused the batch).
  size_t accepted = 0;              // Records durable in the log.
  uint64_t first_seq = 0;           // _record_id of the first accepted record.
  std::vector<RecordError> errors;  // Rejected records, by body index.
};

class IngestHandler {
 public:
  using Done = std::function<void(IngestOutcome outcome)>;

  // wal and metrics must outlive the handler.
  IngestHandler(Wal* wal, Metrics* metrics);

  // Appends parsed.records to `stream`; the record bytes are copied before
  // Submit returns, so `parsed` may point into buffers reused afterwards.
  void Submit(std::string_view stream, ParsedBody&& parsed, Done done);

 private:
  Wal* wal_;
  Counter* records_received_;
  Counter* records_accepted_;
  Counter* records_failed_;
  Counter* bytes_accepted_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_INGEST_HANDLER_H_
