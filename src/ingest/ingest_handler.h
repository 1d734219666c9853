// IngestHandler: the write path shared by every ingest API (the native
// /v1/streams/{stream}/records and the Firehose API). It takes records a
// RecordParser has validated, appends them to the log, and reports the outcome
// once they are durable (or not stored). On the way:
//  - Idempotent retries (with an EventDeduper): a record whose event id was
//    already stored in its stream within the window, or is being stored by
//    another request, is acknowledged but not stored again. A retry of a
//    record still in flight is answered only once the original is durable;
//    if the original fails, the retry fails too (a per-record error with code
//    "log_unavailable", or the whole request when nothing else was accepted).
//  - Dead letters: every rejected record (and every whole body the caller
//    rejects, via DeadLetterBody) is appended to the reserved stream "_errors"
//    (see dead_letter.h). Fire-and-forget: it never delays or fails the answer.
//
// Thread-safety: Submit and DeadLetterBody run concurrently on the HTTP
// threads; Done callbacks run on the log's writer thread (or inline, when the
// log refuses at once) and must not block.
#ifndef GAMELAKE_INGEST_INGEST_HANDLER_H_
#define GAMELAKE_INGEST_INGEST_HANDLER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/metrics.h"
#include "common/stream_stats.h"
#include "ingest/event_deduper.h"
#include "ingest/record_parser.h"
#include "log/wal.h"

namespace gamelake {

struct IngestOutcome {
  Status status;          // Not OK: nothing was stored by this request; retry it.
  size_t accepted = 0;    // Records acknowledged: stored now, or retries of stored ones.
  size_t duplicates = 0;  // Of accepted: retries not stored again (event id seen).
  // _record_id of the first record this request stored; if it stored none (all
  // retries), the original _record_id of its first acknowledged retry.
  uint64_t first_seq = 0;
  // Rejected records, in body order: the parser's errors, plus retries whose
  // original failed to store (code "log_unavailable"). raw is cleared.
  std::vector<RecordError> errors;
};

struct IngestOptions {
  EventDeduper* deduper = nullptr;          // Null: no deduplication. Must outlive the handler.
  std::string event_id_field = "event_id";  // "" disables deduplication.
  size_t dead_letter_max_bytes = 65536;     // Of each rejected record kept in "_errors".
  bool dead_letters = true;
  Env* env = Env::Default();  // Clock for received_at.
  // Optional: per-stream counts for the pipeline metrics. Must outlive the handler.
  StreamStats* stream_stats = nullptr;
};

class IngestHandler {
 public:
  using Done = std::function<void(IngestOutcome outcome)>;

  // wal and metrics must outlive the handler.
  IngestHandler(Wal* wal, Metrics* metrics, IngestOptions options = {});
  ~IngestHandler();

  // Appends parsed.records to `stream` and dead-letters parsed.errors, on
  // behalf of the API key key_id ("" when auth is off). The record bytes are
  // copied before Submit returns, so `parsed` may point into buffers reused
  // afterwards.
  void Submit(std::string_view stream, std::string_view key_id, ParsedBody&& parsed, Done done);

  // Counts `records` of `stream` refused by a rate limit (for the pipeline
  // metrics; nothing is stored).
  void CountThrottled(std::string_view stream, size_t records);

  // Dead-letters a whole request body the caller rejected (400/413 body-level
  // errors: no record could be split out). body: the bytes as received.
  void DeadLetterBody(std::string_view stream, std::string_view key_id, std::string_view code,
                      std::string_view message, std::string_view body);

 private:
  struct Batch;

  void SubmitPlain(StreamCounters* counters, std::string_view stream, ParsedBody&& parsed,
                   Done done);
  void SubmitDeduped(StreamCounters* counters, std::string_view stream, ParsedBody&& parsed,
                     std::vector<std::optional<EventKey>>* keys, Done done);
  void Release(const std::shared_ptr<Batch>& batch, size_t n);
  void Finish(Batch* batch);
  void AppendDeadLetters(std::vector<std::string> letters);

  Wal* wal_;
  IngestOptions options_;
  EventIdExtractor extractor_;
  Counter* records_received_;
  Counter* records_accepted_;
  Counter* records_failed_;
  Counter* bytes_accepted_;
  Counter* dead_letters_;
  Counter* dead_letters_failed_;
};

}  // namespace gamelake

#endif  // GAMELAKE_INGEST_INGEST_HANDLER_H_
