// DemoFeed: for `gamelake serve --demo`, a thread that appends records shaped
// like the lab's Kinesis Data Generator template (PlayerID, "Time Played",
// Wins, Losses, CaughtAt, CaughtBy with the lab's weights) into the stream
// "events" at a steady rate, so a new user sees data arrive at once. The full
// template-driven generator is `gamelake generate` (see the generator issue).
//
// Thread-safety: Start/Stop from one thread.
#ifndef GAMELAKE_SERVER_DEMO_FEED_H_
#define GAMELAKE_SERVER_DEMO_FEED_H_

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "log/wal.h"

namespace gamelake {

class DemoFeed {
 public:
  // Appends `rate` records a second to `wal` until Stop(). wal must outlive it.
  DemoFeed(Wal* wal, double rate);
  ~DemoFeed();
  void Stop();

 private:
  void Run();

  Wal* wal_;
  double rate_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_DEMO_FEED_H_
