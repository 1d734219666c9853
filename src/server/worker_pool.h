// WorkerPool: a few threads that run the slow requests (queries, crawls,
// compaction, erasures) off the HTTP I/O threads, with a bounded queue.
//
// Thread-safety: all methods are safe to call from any thread.
#ifndef GAMELAKE_SERVER_WORKER_POOL_H_
#define GAMELAKE_SERVER_WORKER_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace gamelake {

class WorkerPool {
 public:
  // workers threads, each lowering its CPU priority by `nice`; up to
  // max_queued tasks wait beyond those running.
  WorkerPool(int workers, size_t max_queued, int nice);
  ~WorkerPool();  // Stop().

  // False if the queue is full or the pool stopped (the task is dropped).
  bool Submit(std::function<void()> task) GL_EXCLUDES(mu_);
  // Takes no more tasks, runs the queued ones, joins the threads. Idempotent.
  void Stop() GL_EXCLUDES(mu_);

 private:
  void Run(int nice) GL_EXCLUDES(mu_);

  const size_t max_queued_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> queue_ GL_GUARDED_BY(mu_);
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_WORKER_POOL_H_
