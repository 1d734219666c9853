// WorkerPool: a few threads that run the slow requests (queries, crawls,
// compaction, erasures) off the HTTP I/O threads, with a bounded queue.
//
// Thread-safety: all methods are safe to call from any thread.
#ifndef GAMELAKE_SERVER_WORKER_POOL_H_
#define GAMELAKE_SERVER_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gamelake {

class WorkerPool {
 public:
  // workers threads, each lowering its CPU priority by `nice`; up to
  // max_queued tasks wait beyond those running.
  WorkerPool(int workers, size_t max_queued, int nice);
  ~WorkerPool();  // Stop().

  // False if the queue is full or the pool stopped (the task is dropped).
  bool Submit(std::function<void()> task);
  // Takes no more tasks, runs the queued ones, joins the threads. Idempotent.
  void Stop();

 private:
  void Run(int nice);

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // Guarded by mu_.
  bool stop_ = false;                        // Guarded by mu_.
  std::vector<std::thread> threads_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_WORKER_POOL_H_
