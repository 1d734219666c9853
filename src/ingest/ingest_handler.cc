#include "ingest/ingest_handler.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include <fmt/format.h>

#include "common/mutex.h"
#include "ingest/dead_letter.h"

namespace gamelake {

// One request on the deduplicating path. It finishes when its own append and
// every original it waits for have reported: `pending` counts those down.
struct IngestHandler::Batch {
  Done done;
  StreamCounters* counters = nullptr;  // Null: no per-stream counts.
  size_t total_records = 0;
  std::vector<size_t> record_indexes;  // Body index of each record.
  std::vector<RecordError> errors;     // The parser's.
  EventDeduper::Claim claim;
  std::vector<uint64_t> new_positions;  // Position in the append of each kNew record.
  size_t stored = 0;                    // Records appended by this request.
  uint64_t stored_bytes = 0;
  std::atomic<size_t> pending{0};

  Mutex mu;  // Guards the results below (waiters run on any thread).
  Status append_status GL_GUARDED_BY(mu);
  uint64_t first_seq GL_GUARDED_BY(mu) = 0;
  size_t waits_ok GL_GUARDED_BY(mu) = 0;
  std::vector<RecordError> wait_errors GL_GUARDED_BY(mu);
  Status wait_status GL_GUARDED_BY(mu);  // First failure of an original.
  // Record index of the first acknowledged retry, and its original _record_id.
  size_t first_retry_index GL_GUARDED_BY(mu) = SIZE_MAX;
  uint64_t first_retry_seq GL_GUARDED_BY(mu) = 0;

  void NoteRetry(size_t r, uint64_t seq) GL_REQUIRES(mu) {
    if (r < first_retry_index) {
      first_retry_index = r;
      first_retry_seq = seq;
    }
  }
};

IngestHandler::IngestHandler(Wal* wal, Metrics* metrics, IngestOptions options)
    : wal_(wal),
      options_(std::move(options)),
      extractor_(options_.deduper != nullptr ? options_.event_id_field : std::string()) {
  records_received_ = metrics->AddCounter("gamelake_records_received_total",
                                          "Records found in ingest request bodies");
  records_accepted_ = metrics->AddCounter(
      "gamelake_records_accepted_total",
      "Records acknowledged (durable in the log, or retries of records that are)");
  records_failed_ = metrics->AddCounter("gamelake_records_failed_total",
                                        "Records rejected (invalid, or the log refused them)");
  bytes_accepted_ =
      metrics->AddCounter("gamelake_bytes_accepted_total", "Bytes of records stored in the log");
  dead_letters_ = metrics->AddCounter("gamelake_dead_letters_total",
                                      "Rejected records and bodies kept in the _errors table");
  dead_letters_failed_ =
      metrics->AddCounter("gamelake_dead_letters_failed_total",
                          "Rejected records or bodies that could not be kept in _errors");
}

IngestHandler::~IngestHandler() = default;

void IngestHandler::Submit(std::string_view stream, std::string_view key_id, ParsedBody&& parsed,
                           Done done) {
  records_received_->Add(parsed.total);
  records_failed_->Add(parsed.errors.size());
  StreamCounters* counters =
      options_.stream_stats != nullptr ? options_.stream_stats->For(stream) : nullptr;
  if (counters != nullptr) counters->failed_records.Add(parsed.errors.size());
  // Copy what the dead letters need now: raw points into the parser's buffer.
  std::vector<std::string> letters;
  if (options_.dead_letters && !parsed.errors.empty()) {
    const int64_t now_us = options_.env->NowMicros();
    letters.reserve(parsed.errors.size());
    for (RecordError& e : parsed.errors) {
      letters.push_back(
          DeadLetterRecord(DeadLetter{stream, key_id, e.code, e.message, e.raw, e.index, now_us},
                           options_.dead_letter_max_bytes));
    }
  }
  for (RecordError& e : parsed.errors) e.raw = {};

  // Event ids: records without the field cost one memmem each.
  thread_local std::vector<std::optional<EventKey>> keys;
  thread_local std::string scratch;
  bool any_id = false;
  if (extractor_.enabled()) {
    const size_t n = parsed.records.size();
    for (size_t r = 0; r < n; ++r) {
      EventId id;
      if (!extractor_.Extract(parsed.records[r], &scratch, &id)) continue;
      if (!any_id) {
        keys.assign(n, std::nullopt);
        any_id = true;
      }
      keys[r] = options_.deduper->Key(stream, id);
    }
  }
  if (any_id) {
    SubmitDeduped(counters, stream, std::move(parsed), &keys, std::move(done));
  } else {
    SubmitPlain(counters, stream, std::move(parsed), std::move(done));
  }
  if (!letters.empty()) AppendDeadLetters(std::move(letters));
}

void IngestHandler::CountThrottled(std::string_view stream, size_t records) {
  if (options_.stream_stats == nullptr) return;
  if (StreamCounters* c = options_.stream_stats->For(stream)) c->throttled_records.Add(records);
}

void IngestHandler::SubmitPlain(StreamCounters* counters, std::string_view stream,
                                ParsedBody&& parsed, Done done) {
  if (parsed.records.empty()) {
    IngestOutcome outcome;
    outcome.errors = std::move(parsed.errors);
    return done(std::move(outcome));
  }
  uint64_t record_bytes = 0;
  for (std::string_view r : parsed.records) record_bytes += r.size();
  size_t count = parsed.records.size();
  wal_->AppendAsync(stream, parsed.records,
                    [this, counters, count, record_bytes, errors = std::move(parsed.errors),
                     done = std::move(done)](Status st, uint64_t first_seq) mutable {
                      IngestOutcome outcome;
                      outcome.errors = std::move(errors);
                      if (!st.ok()) {
                        records_failed_->Add(count);
                        if (counters != nullptr) counters->failed_records.Add(count);
                        outcome.status = st;
                      } else {
                        records_accepted_->Add(count);
                        bytes_accepted_->Add(record_bytes);
                        if (counters != nullptr) {
                          counters->incoming_records.Add(count);
                          counters->incoming_bytes.Add(record_bytes);
                        }
                        outcome.accepted = count;
                        outcome.first_seq = first_seq;
                      }
                      done(std::move(outcome));
                    });
}

void IngestHandler::SubmitDeduped(StreamCounters* counters, std::string_view stream,
                                  ParsedBody&& parsed, std::vector<std::optional<EventKey>>* keys,
                                  Done done) {
  using Verdict = EventDeduper::Verdict;
  auto batch = std::make_shared<Batch>();
  const size_t n = parsed.records.size();
  batch->done = std::move(done);
  batch->counters = counters;
  batch->total_records = n;
  batch->record_indexes = std::move(parsed.record_indexes);
  batch->errors = std::move(parsed.errors);
  // Room for every possible wait plus the append; Begin's waiters may fire on
  // other threads before we know how many there are, so count down from here.
  batch->pending.store(n + 1, std::memory_order_relaxed);

  auto on_original = std::make_shared<const EventDeduper::WaitFn>(
      [this, batch](size_t r, const Status& st, uint64_t seq) {
        {
          MutexLock lock(&batch->mu);
          if (st.ok()) {
            ++batch->waits_ok;
            batch->NoteRetry(r, seq);
          } else {
            if (batch->wait_status.ok()) batch->wait_status = st;
            RecordError& e = batch->wait_errors.emplace_back();
            e.index = r < batch->record_indexes.size() ? batch->record_indexes[r] : r;
            e.code = "log_unavailable";
            e.message = fmt::format(
                "record {}: a retry of a record still being stored, which failed: {}; "
                "not stored, retry",
                e.index, st.ToString());
          }
        }
        Release(batch, 1);
      });
  EventDeduper* deduper = options_.deduper;
  deduper->Begin(stream, *keys, std::move(on_original), &batch->claim);
  const EventDeduper::Claim& claim = batch->claim;

  std::vector<std::string_view> to_store;
  to_store.reserve(n);
  batch->new_positions.reserve(claim.new_count);
  for (size_t r = 0; r < n; ++r) {
    const Verdict v = claim.verdicts[r];
    if (v == Verdict::kNoId || v == Verdict::kNew) {
      if (v == Verdict::kNew) batch->new_positions.push_back(to_store.size());
      to_store.push_back(parsed.records[r]);
      batch->stored_bytes += parsed.records[r].size();
    } else if (v == Verdict::kDuplicate) {
      MutexLock lock(&batch->mu);
      batch->NoteRetry(r, claim.seqs[r]);
    }
  }
  batch->stored = to_store.size();
  // Every record that is not an in-flight wait is settled by the append.
  Release(batch, n - claim.wait_count);

  if (to_store.empty()) {
    Release(batch, 1);
    return;
  }
  wal_->AppendAsync(stream, to_store, [this, batch](Status st, uint64_t first_seq) {
    if (batch->claim.new_count > 0) {
      std::vector<uint64_t> seqs(batch->new_positions.size());
      for (size_t k = 0; k < seqs.size(); ++k) seqs[k] = first_seq + batch->new_positions[k];
      options_.deduper->Complete(batch->claim, st, seqs);
    }
    {
      MutexLock lock(&batch->mu);
      batch->append_status = st;
      batch->first_seq = first_seq;
    }
    Release(batch, 1);
  });
}

void IngestHandler::Release(const std::shared_ptr<Batch>& batch, size_t n) {
  if (n == 0) return;
  if (batch->pending.fetch_sub(n, std::memory_order_acq_rel) == n) Finish(batch.get());
}

void IngestHandler::Finish(Batch* batch) {
  using Verdict = EventDeduper::Verdict;
  IngestOutcome out;
  out.errors = std::move(batch->errors);
  // No lock: pending reached zero, so every writer is done (acq_rel orders it).
  // The analysis cannot see that ordering; as far as it goes, mu is ours.
  batch->mu.AssertHeld();
  if (!batch->append_status.ok()) {
    // Nothing this request stored: the client retries it all (safely).
    records_failed_->Add(batch->total_records);
    if (batch->counters != nullptr) batch->counters->failed_records.Add(batch->total_records);
    out.status = batch->append_status;
    return batch->done(std::move(out));
  }
  size_t repeats = 0;
  for (Verdict v : batch->claim.verdicts) {
    if (v == Verdict::kDuplicate || v == Verdict::kSameBatch) ++repeats;
  }
  out.duplicates = repeats + batch->waits_ok;
  out.accepted = batch->stored + out.duplicates;
  records_accepted_->Add(out.accepted);
  bytes_accepted_->Add(batch->stored_bytes);
  records_failed_->Add(batch->wait_errors.size());
  if (StreamCounters* c = batch->counters; c != nullptr) {
    c->incoming_records.Add(batch->stored);
    c->incoming_bytes.Add(batch->stored_bytes);
    c->duplicate_records.Add(out.duplicates);
    c->failed_records.Add(batch->wait_errors.size());
  }
  if (out.accepted == 0 && !batch->wait_status.ok()) {
    out.status = batch->wait_status;  // The originals' failure is the retries' failure.
    return batch->done(std::move(out));
  }
  if (batch->stored > 0) {
    out.first_seq = batch->first_seq;
  } else {
    out.first_seq = batch->first_retry_seq;
  }
  if (!batch->wait_errors.empty()) {
    for (RecordError& e : batch->wait_errors) out.errors.push_back(std::move(e));
    std::stable_sort(out.errors.begin(), out.errors.end(),
                     [](const RecordError& a, const RecordError& b) { return a.index < b.index; });
  }
  batch->done(std::move(out));
}

void IngestHandler::DeadLetterBody(std::string_view stream, std::string_view key_id,
                                   std::string_view code, std::string_view message,
                                   std::string_view body) {
  if (!options_.dead_letters) return;
  std::vector<std::string> letters;
  letters.push_back(DeadLetterRecord(
      DeadLetter{stream, key_id, code, message, body, std::nullopt, options_.env->NowMicros()},
      options_.dead_letter_max_bytes));
  AppendDeadLetters(std::move(letters));
}

void IngestHandler::AppendDeadLetters(std::vector<std::string> letters) {
  std::vector<std::string_view> views(letters.begin(), letters.end());
  const size_t count = letters.size();
  // AppendAsync copies the bytes before it returns; nobody waits for the outcome.
  wal_->AppendAsync(kErrorsStream, views, [this, count](Status st, uint64_t) {
    (st.ok() ? dead_letters_ : dead_letters_failed_)->Add(count);
  });
}

}  // namespace gamelake
