#include "streaming/stream_destination.h"

#include <memory>
#include <utility>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/mutex.h"

namespace gamelake {
namespace {

// The log refuses for now: full (max_pending_bytes) or closing.
bool Transient(const Status& s) {
  return s.code() == Status::Code::kUnavailable || s.code() == Status::Code::kResourceExhausted;
}

}  // namespace

StreamDestination::StreamDestination(StreamDestinationOptions options)
    : options_(std::move(options)), key_id_("app:" + options_.app) {}

std::string StreamDestination::EventId(uint64_t ordinal) const {
  return fmt::format("{}/{}/{}", options_.app, options_.in_app_stream, ordinal);
}

void StreamDestination::AppendRecord(const StreamSchema& schema, const OutputRow& row,
                                     Batch* batch) const {
  std::string& out = batch->bytes;
  AppendRowJson(schema, row.row, &out);
  if (!options_.event_id_field.empty()) {
    out.pop_back();  // The closing '}'.
    if (out.back() != '{') out.push_back(',');
    AppendJsonString(&out, options_.event_id_field);
    out.push_back(':');
    AppendJsonString(&out, EventId(row.ordinal));
    out.push_back('}');
  }
  batch->ends.push_back(out.size());
  batch->ordinals.push_back(row.ordinal);
}

IngestOutcome StreamDestination::SubmitOnce(const Batch& batch,
                                            const std::vector<size_t>& pending) {
  ParsedBody parsed;
  parsed.records.reserve(pending.size());
  for (size_t i : pending) {
    size_t begin = i == 0 ? 0 : batch.ends[i - 1];
    parsed.records.push_back(std::string_view(batch.bytes).substr(begin, batch.ends[i] - begin));
    parsed.record_indexes.push_back(parsed.record_indexes.size());
    parsed.decoded_bytes += parsed.records.back().size();
  }
  parsed.total = parsed.records.size();

  struct Wait {
    Mutex mu;
    CondVar cv;
    bool done GL_GUARDED_BY(mu) = false;
    IngestOutcome outcome GL_GUARDED_BY(mu);
  };
  auto wait = std::make_shared<Wait>();
  options_.ingest->Submit(options_.target, key_id_, std::move(parsed),
                          [wait](IngestOutcome outcome) {
                            MutexLock lock(&wait->mu);
                            wait->outcome = std::move(outcome);
                            wait->done = true;
                            wait->cv.SignalAll();
                          });
  // The write path always calls back (the log fails appends once it closes).
  MutexLock lock(&wait->mu);
  wait->cv.Wait(&wait->mu, [&]() GL_REQUIRES(wait->mu) { return wait->done; });
  return std::move(wait->outcome);
}

Status StreamDestination::Send(const Batch& batch, std::vector<FailedRow>* failed) {
  std::vector<size_t> pending(batch.ordinals.size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  for (int attempt = 1;; ++attempt) {
    if (stop_.stopped()) return Status::Cancelled("stream destination stopped");
    IngestOutcome outcome = SubmitOnce(batch, pending);
    std::vector<size_t> again;
    std::string why;
    if (!outcome.status.ok()) {
      why = outcome.status.ToString();
      if (Transient(outcome.status)) {
        again = pending;
      } else {
        for (size_t i : pending) {
          failed->push_back(
              FailedRow{batch.ordinals[i], "stream \"" + options_.target + "\": " + why});
        }
      }
    } else {
      // Per-record refusals: retries whose original failed to store.
      for (const RecordError& e : outcome.errors) {
        if (e.index < pending.size()) again.push_back(pending[e.index]);
        why = e.message;
      }
    }
    if (again.empty()) return Status::OK();
    const bool out_of_tries =
        options_.retry.max_attempts > 0 && attempt >= options_.retry.max_attempts;
    if (out_of_tries) {
      for (size_t i : again) {
        failed->push_back(
            FailedRow{batch.ordinals[i], "stream \"" + options_.target + "\": " + why});
      }
      return Status::OK();
    }
    if (!stop_.WaitMs(options_.env, options_.retry.BackoffMs(attempt))) {
      return Status::Cancelled("stream destination stopped");
    }
    pending = std::move(again);
  }
}

Status StreamDestination::Deliver(const StreamSchema& schema, const std::vector<OutputRow>& rows,
                                  std::vector<FailedRow>* failed) {
  if (!options_.event_id_field.empty() && schema.Find(options_.event_id_field) >= 0) {
    return Status::InvalidArgument(fmt::format(
        "stream destination: column \"{}\" has the name of the event id field, which each record "
        "gets for exactly-once delivery; rename the column",
        options_.event_id_field));
  }
  Batch batch;
  for (const OutputRow& row : rows) {
    AppendRecord(schema, row, &batch);
    if (batch.ordinals.size() >= options_.max_batch_records ||
        batch.bytes.size() >= options_.max_batch_bytes) {
      GL_RETURN_IF_ERROR(Send(batch, failed));
      batch = Batch();
    }
  }
  if (batch.ordinals.empty()) return Status::OK();
  return Send(batch, failed);
}

}  // namespace gamelake
