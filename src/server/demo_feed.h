// DemoFeed: for `gamelake serve --demo`, the data generator running in-process:
// the lab's Kinesis Data Generator template (builtin:lab, see
// generator/record_source.h) rendered into the stream "events" at a steady,
// modest rate (config demo.rate, default 20 records a second), so a new user
// sees data arrive at once. Records go straight into the log, the path HTTP
// ingest takes after parsing; `gamelake generate` is the same generator as a
// command.
//
// Thread-safety: construct and Stop from one thread.
#ifndef GAMELAKE_SERVER_DEMO_FEED_H_
#define GAMELAKE_SERVER_DEMO_FEED_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/stream_stats.h"
#include "generator/record_source.h"
#include "log/wal.h"

namespace gamelake {

class DemoFeed {
 public:
  // Appends `rate` records a second of `source` to `stream` in `wal` until
  // Stop(), counting what is stored in `counters` (optional). wal and
  // counters must outlive it.
  DemoFeed(Wal* wal, double rate, std::unique_ptr<RecordSource> source,
           std::string stream = "events", StreamCounters* counters = nullptr);
  // The lab's template, randomly seeded, into "events".
  DemoFeed(Wal* wal, double rate, StreamCounters* counters = nullptr);
  ~DemoFeed();
  void Stop();

 private:
  void Run();

  Wal* wal_;
  double rate_;
  std::unique_ptr<RecordSource> source_;
  std::string stream_;
  StreamCounters* counters_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_DEMO_FEED_H_
