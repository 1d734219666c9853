#include "server/ingest_handler.h"

namespace gamelake {

IngestHandler::IngestHandler(Wal* wal, Metrics* metrics) : wal_(wal) {
  records_received_ = metrics->AddCounter("gamelake_records_received_total",
                                          "Records found in ingest request bodies");
  records_accepted_ = metrics->AddCounter("gamelake_records_accepted_total",
                                          "Records acknowledged (durable in the log)");
  records_failed_ = metrics->AddCounter("gamelake_records_failed_total",
                                        "Records rejected (invalid, or the log refused them)");
  bytes_accepted_ =
      metrics->AddCounter("gamelake_bytes_accepted_total", "Bytes of acknowledged records");
}

void IngestHandler::Submit(std::string_view stream, ParsedBody&& parsed, Done done) {
  records_received_->Add(parsed.total);
  records_failed_->Add(parsed.errors.size());
  if (parsed.records.empty()) {
    IngestOutcome outcome;
    outcome.errors = std::move(parsed.errors);
    return done(std::move(outcome));
  }
  uint64_t record_bytes = 0;
  for (std::string_view r : parsed.records) record_bytes += r.size();
  size_t count = parsed.records.size();
  wal_->AppendAsync(stream, parsed.records,
                    [this, count, record_bytes, errors = std::move(parsed.errors),
                     done = std::move(done)](Status st, uint64_t first_seq) mutable {
                      IngestOutcome outcome;
                      outcome.errors = std::move(errors);
                      if (!st.ok()) {
                        records_failed_->Add(count);
                        outcome.status = st;
                      } else {
                        records_accepted_->Add(count);
                        bytes_accepted_->Add(record_bytes);
                        outcome.accepted = count;
                        outcome.first_seq = first_seq;
                      }
                      done(std::move(outcome));
                    });
}

}  // namespace gamelake
