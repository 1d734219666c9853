// Mutex, SharedMutex, their scoped holders and CondVar: std::mutex,
// std::shared_mutex and std::condition_variable wrapped so that clang's
// thread-safety analysis (common/thread_annotations.h) can check the locking
// rules written on the classes that use them. They add no cost: every method
// is an inline call of the standard one.
//
//   class Queue {
//     void Push(int v) GL_EXCLUDES(mu_) {
//       MutexLock lock(&mu_);
//       items_.push_back(v);
//       cv_.SignalAll();
//     }
//     int Pop() GL_EXCLUDES(mu_) {
//       MutexLock lock(&mu_);
//       cv_.Wait(&mu_, [&]() GL_REQUIRES(mu_) { return !items_.empty(); });
//       ...
//     }
//     Mutex mu_;
//     CondVar cv_;
//     std::deque<int> items_ GL_GUARDED_BY(mu_);
//   };
//
// A predicate passed to CondVar runs with the mutex held; annotate the lambda
// GL_REQUIRES(mu) so its body is checked as such (the wait itself cannot tell
// the analysis that it calls the predicate under the lock).
//
// Thread-safety: these are the synchronisation; any thread may use them.
#ifndef GAMELAKE_COMMON_MUTEX_H_
#define GAMELAKE_COMMON_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "common/thread_annotations.h"

namespace gamelake {

class GL_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() GL_ACQUIRE() { mu_.lock(); }
  void Unlock() GL_RELEASE() { mu_.unlock(); }
  bool TryLock() GL_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis the caller holds this mutex where it cannot see it
  // (a callback documented to run under the lock). Checks nothing at run time.
  void AssertHeld() const GL_ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope. Unlock() and Lock() let a scope give the mutex
// up around slow work and take it back; the destructor releases it only if held.
class GL_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) GL_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() GL_RELEASE() {
    if (held_) mu_->Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() GL_RELEASE() {
    mu_->Unlock();
    held_ = false;
  }
  void Lock() GL_ACQUIRE() {
    mu_->Lock();
    held_ = true;
  }

 private:
  Mutex* const mu_;
  bool held_ = true;
};

// A readers-writer mutex: many readers or one writer.
class GL_CAPABILITY("shared_mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() GL_ACQUIRE() { mu_.lock(); }
  void Unlock() GL_RELEASE() { mu_.unlock(); }
  bool TryLock() GL_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  void ReaderLock() GL_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void ReaderUnlock() GL_RELEASE_SHARED() { mu_.unlock_shared(); }
  void AssertReaderHeld() const GL_ASSERT_SHARED_CAPABILITY(this) {}

 private:
  std::shared_mutex mu_;
};

class GL_SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) GL_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterMutexLock() GL_RELEASE() { mu_->Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

class GL_SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) GL_ACQUIRE_SHARED(mu) : mu_(mu) { mu_->ReaderLock(); }
  ~ReaderMutexLock() GL_RELEASE() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// A condition variable over a Mutex the caller holds. Every wait may wake
// spuriously; the predicate forms loop until the predicate holds (or the time
// is up). The timed forms take real durations: they bound a wait, they do
// not read the clock (common/env.h's Clock is for time that is data).
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

  void Wait(Mutex* mu) GL_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // Returns false if `timeout` passed first.
  template <typename Rep, typename Period>
  bool WaitFor(Mutex* mu, std::chrono::duration<Rep, Period> timeout) GL_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool woken = cv_.wait_for(lock, timeout) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }

  // The predicate forms are not analysed inside (the analysis cannot follow
  // the predicate's call); the caller's predicate is, when annotated.
  template <typename Predicate>
  void Wait(Mutex* mu, Predicate pred) GL_REQUIRES(mu) GL_NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock, pred);
    lock.release();
  }
  // Returns pred() at the end: false if `timeout` passed with it still false.
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(Mutex* mu, std::chrono::duration<Rep, Period> timeout, Predicate pred)
      GL_REQUIRES(mu) GL_NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool satisfied = cv_.wait_for(lock, timeout, pred);
    lock.release();
    return satisfied;
  }
  template <typename Clock, typename Duration, typename Predicate>
  bool WaitUntil(Mutex* mu, std::chrono::time_point<Clock, Duration> deadline, Predicate pred)
      GL_REQUIRES(mu) GL_NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool satisfied = cv_.wait_until(lock, deadline, pred);
    lock.release();
    return satisfied;
  }

 private:
  std::condition_variable cv_;
};

}  // namespace gamelake

#endif  // GAMELAKE_COMMON_MUTEX_H_
