// AppRunner: one running streaming application — a thread that reads the
// application's source from its checkpoint, decodes each record into a row
// of SOURCE_SQL_STREAM_001, pushes it through the compiled program, and
// hands the rows its in-application streams receive to the live hub and to
// the streams' destinations.
//
//   source (SourceReader: lake, then log; records with seq >= next_seq)
//     -> RecordDecoder (a record that does not convert: a row of the error
//        stream, never a stop)
//     -> StreamingProgram::Push / AdvanceTime
//     -> each in-application row: its ordinal (per stream, from the
//        checkpoint), the live hub at once, the destinations in batches
//     -> checkpoint (app_checkpoint.h), once the destinations acknowledged
//
// Time. With ROWTIME = ingest time, windows close on the clock even when no
// row comes: once the runner has read every record the log made durable, and
// every record appended after a moment t (the log takes its clock reading and
// gives the seq under one lock, so records with seq >= next_seq() read then
// get ingest times >= t) is known to come later, it calls AdvanceTime(t - 50
// ms). The 50 ms margin absorbs a wall clock stepped back a little (the log's
// ingest times never decrease, but a step back can give a new record an
// ingest time below a reading taken just before the step). With a rowtime
// field, time advances only with the data.
//
// Back-pressure. Destinations are called on this thread: a slow one slows
// this application only (ingest never waits for applications). A destination
// that fails as a whole (Deliver returns an error) is retried with back-off
// until it succeeds or the runner is stopped; rows it gives up on (*failed)
// become rows of the error stream. Rows of error_stream destinations that
// fail are logged and counted, not sent again to the error stream.
//
// A program error (the state grows past max_state_bytes, ...) or a
// destination that cannot take its stream at all (InvalidArgument from
// Deliver: a configuration error no retry can fix) stops the runner:
// failed() holds it, the last checkpoint stays, nothing is skipped.
//
// Thread-safety: Start/Stop from one controlling thread (the AppService's);
// stats(), error() and failed() from any thread.
#ifndef GAMELAKE_STREAMING_APP_RUNNER_H_
#define GAMELAKE_STREAMING_APP_RUNNER_H_

#include <atomic>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/env.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"
#include "log/wal.h"
#include "streaming/app_checkpoint.h"
#include "streaming/application_definition.h"
#include "streaming/destination.h"
#include "streaming/live_hub.h"
#include "streaming/source_reader.h"
#include "streaming/streaming_program.h"

namespace gamelake {

// The source records of `stream` with seq >= from_seq, in seq order.
using SourceOpener = std::function<Result<std::unique_ptr<SourceReader>>(const std::string& stream,
                                                                         uint64_t from_seq)>;

struct AppRunnerOptions {
  ApplicationDefinition definition;
  std::string dir;  // <data>/apps/<name>: the checkpoint lives here.
  Env* env = Env::Default();
  Wal* wal = nullptr;
  SourceOpener open_source;
  // One per definition.destinations entry, in that order.
  std::vector<std::unique_ptr<Destination>> destinations;
  ProgramOptions program;
  int64_t checkpoint_interval_ms = 1000;
  std::shared_ptr<LiveHub> live;  // Never null.
  Metrics* metrics = nullptr;     // Optional: per-app counters.
};

// A snapshot of a runner's progress (atomics; any thread).
struct AppRunStats {
  uint64_t records_in = 0;
  uint64_t rows_out = 0;
  uint64_t error_rows = 0;
  uint64_t next_seq = 0;  // First log seq whose rows are not all delivered.
  uint64_t state_bytes = 0;
  // Records ingested before this time (about) are processed and delivered:
  // the time of the last round that caught up with the log, or, while
  // behind, the ingest time of the last record delivered. Lag = now - this.
  int64_t processed_us = 0;
  int64_t last_checkpoint_us = 0;
};

class AppRunner {
 public:
  // Compiles the code, reads the checkpoint (or, at a first start, takes the
  // start position and writes a first checkpoint), then starts the thread.
  // Errors here (bad code, a damaged checkpoint) leave nothing running.
  static Result<std::unique_ptr<AppRunner>> Start(AppRunnerOptions options);
  ~AppRunner();  // Stop().

  static constexpr int64_t kStopGraceMs = 5'000;

  // Ends the thread: it stops reading, delivers the rows of what it read and
  // writes a last checkpoint. A destination still busy after grace_ms is told
  // to stop (Destination::Stop); the rows it had then are not checkpointed
  // and go out again after the restart. Idempotent.
  void Stop(int64_t grace_ms = kStopGraceMs) GL_EXCLUDES(mu_);
  // Asks the thread to end without waiting (Stop() then waits), so that many
  // runners can wind down at once.
  void RequestStop() GL_EXCLUDES(mu_);

  AppRunStats stats() const;
  // True once the thread ended on an error (then error() says which).
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  Status error() const GL_EXCLUDES(mu_);
  const std::vector<InAppStream>& streams() const { return program_->streams(); }

 private:
  class Collector;
  explicit AppRunner(AppRunnerOptions options);
  Status Init();
  // Reads the checkpoint, or takes the start position at a first start.
  Status LoadCheckpoint();
  void Run() GL_EXCLUDES(mu_);
  // One round: read up to a batch, advance the clock, deliver, maybe checkpoint.
  Status Step(bool* idle);
  Status Consume(const SourceRecord& record);
  Status AdvanceClock(uint64_t durable);
  void AddError(ErrorRow error);
  // Delivers every pending row; false if stopped before all were acknowledged.
  bool DeliverAll();
  // Delivers the pending rows of stream `index` to destination `d`, retrying
  // whole-batch failures with back-off; false if stopped before it was done.
  bool DeliverTo(size_t d, size_t index, std::vector<FailedRow>* failed);
  // A row destination `d` gave up on: a row of the error stream.
  void ReportFailed(size_t d, size_t index, const FailedRow& f);
  void PublishStats();
  Status WriteCheckpoint();
  // Waits up to ms; true if the runner is stopping.
  bool WaitStop(int64_t ms) GL_EXCLUDES(mu_);
  bool stopping() const { return stop_.load(std::memory_order_acquire); }

  AppRunnerOptions options_;
  std::unique_ptr<StreamingProgram> program_;
  std::unique_ptr<RecordDecoder> decoder_;
  std::unique_ptr<SourceReader> source_;
  std::unique_ptr<Collector> collector_;
  std::vector<size_t> destination_streams_;  // Per destination: its stream index.
  StreamSchema error_schema_;

  // Runner-thread state. Streams are indexed as program_->streams(), the
  // error stream last.
  AppCheckpoint checkpoint_;                     // The last one written (without its state).
  std::vector<uint64_t> next_ordinal_;           // Per stream.
  std::vector<bool> has_destinations_;           // Per stream.
  std::vector<std::vector<OutputRow>> pending_;  // Per stream: rows not yet delivered.
  std::vector<std::pair<std::string, uint64_t>> other_ordinals_;  // Streams the code lost.
  uint64_t next_seq_ = 0;                                         // First seq not consumed.
  uint64_t records_in_ = 0, rows_out_ = 0, error_rows_ = 0;
  uint64_t counted_records_ = 0, counted_rows_ = 0, counted_errors_ = 0;  // In the counters.
  int64_t last_input_us_ = 0;  // Ingest time of the last record consumed.
  bool delivered_all_ = true;  // Every row produced so far was acknowledged.
  Status destination_error_;   // A destination's InvalidArgument: the runner stops FAILED.
  int64_t last_checkpoint_mono_us_ = 0;
  int64_t advanced_ms_ = INT64_MIN;
  struct ClockMark {
    int64_t t_us = 0;
    uint64_t seq = 0;
    bool set = false;
  } mark_;
  StreamRow row_;  // Scratch.

  // Shared with other threads.
  std::atomic<uint64_t> stat_records_in_{0}, stat_rows_out_{0}, stat_error_rows_{0};
  std::atomic<uint64_t> stat_next_seq_{0}, stat_state_bytes_{0};
  std::atomic<int64_t> stat_processed_us_{0}, stat_checkpoint_us_{0};
  std::atomic<bool> failed_{false};
  std::atomic<bool> stop_{false};   // Stop reading; deliver what was read; checkpoint.
  std::atomic<bool> abort_{false};  // Destinations were told to stop: trust no delivery.
  mutable Mutex mu_;
  CondVar stop_cv_;
  Status error_ GL_GUARDED_BY(mu_);
  bool done_ GL_GUARDED_BY(mu_) = false;  // The thread has finished.
  Counter* records_counter_ = nullptr;
  Counter* rows_counter_ = nullptr;
  Counter* errors_counter_ = nullptr;
  std::thread thread_;
};

// KDA's error_stream columns: ERROR_TIME, ERROR_LEVEL, ERROR_NAME, MESSAGE,
// DATA_ROWTIME, DATA_ROW, PUMP_NAME; and one error as a row of it.
StreamSchema ErrorStreamSchema();
StreamRow ErrorStreamRow(const ErrorRow& error);

}  // namespace gamelake

#endif  // GAMELAKE_STREAMING_APP_RUNNER_H_
