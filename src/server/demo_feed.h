// DemoFeed: for `gamelake serve --demo`, the data generator running in-process:
// the lab's Kinesis Data Generator template (builtin:lab, see
// generator/record_source.h) rendered into the stream "events" at a steady,
// modest rate (config demo.rate, default 20 records a second), so a new user
// sees data arrive at once. Records go straight into the log, the path HTTP
// ingest takes after parsing; `gamelake generate` is the same generator as a
// command. The console's generator jobs (generator_api.h) run one DemoFeed
// each, with a record limit and the count of records stored.
//
// Thread-safety: construct and Stop from one thread; sent(), done() and
// done_us() from any thread.
#ifndef GAMELAKE_SERVER_DEMO_FEED_H_
#define GAMELAKE_SERVER_DEMO_FEED_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/mutex.h"
#include "common/result.h"
#include "common/stream_stats.h"
#include "generator/record_source.h"
#include "generator/session_simulator.h"
#include "log/wal.h"

namespace gamelake {

// Where `serve --demo` sends its simulated players (builtin:sessions), and
// the file in the data dir that says their month of history was written.
inline constexpr std::string_view kDemoSessionsStream = "sessions";
inline constexpr std::string_view kDemoHistoryMarker = "demo-history.done";

// The month of play AppendDemoHistory renders: for each of `days` days before
// the UTC day of end_us, a burst starting at burst_hour_utc of
// first_day_records + growth_per_day * (day index) records, step_us apart
// in virtual time (so a session's events are minutes apart, as in a game);
// every session still open when a day's burst ends ends then.
struct DemoHistory {
  int days = 30;
  int64_t end_us = 0;
  uint64_t first_day_records = 1'000;
  uint64_t growth_per_day = 40;
  int64_t step_us = 2'000'000;
  int burst_hour_utc = 18;
};

// Appends the history of `history` rendered by `source` to `stream`, in
// batches the log stores before the next is rendered; returns the records
// stored (counted in `counters` when given). Fails on the first refused batch.
Result<uint64_t> AppendDemoHistory(Wal* wal, std::string_view stream, SessionSimulator* source,
                                   const DemoHistory& history, StreamCounters* counters);

class DemoFeed {
 public:
  // Appends `rate` records a second of `source` to `stream` in `wal` until
  // Stop(), counting what is stored in `counters` (optional). wal and
  // counters must outlive it. With a `limit` (0: none) it renders that many
  // records and then stops by itself.
  DemoFeed(Wal* wal, double rate, std::unique_ptr<RecordSource> source,
           std::string stream = "events", StreamCounters* counters = nullptr, uint64_t limit = 0);
  // The lab's template, randomly seeded, into "events".
  DemoFeed(Wal* wal, double rate, StreamCounters* counters = nullptr);
  ~DemoFeed();
  void Stop() GL_EXCLUDES(mu_);

  // Records the log has stored (appends acknowledged OK) so far.
  uint64_t sent() const { return progress_->sent.load(); }
  // True once a limited feed has rendered `limit` records and the log has
  // answered every append of them (stored or failed).
  bool done() const { return progress_->done_us.load() != 0; }
  // When done() became true (Env clock, microseconds); 0 before.
  int64_t done_us() const { return progress_->done_us.load(); }

 private:
  // Shared with the log's completions, which may run after the feed is gone.
  struct Progress {
    std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> settled{0};  // Records whose append has completed.
    std::atomic<int64_t> done_us{0};
    uint64_t limit = 0;
  };
  void Run() GL_EXCLUDES(mu_);

  Wal* wal_;
  double rate_;
  std::unique_ptr<RecordSource> source_;
  std::string stream_;
  StreamCounters* counters_;
  std::shared_ptr<Progress> progress_ = std::make_shared<Progress>();
  Mutex mu_;
  CondVar cv_;
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_DEMO_FEED_H_
