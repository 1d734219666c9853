#include "common/mutex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace gamelake {
namespace {

TEST(MutexTest, CondVarWaitForReturnsFalseWhenNobodySignals) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  EXPECT_FALSE(cv.WaitFor(&mu, std::chrono::milliseconds(5)));
  EXPECT_FALSE(cv.WaitFor(&mu, std::chrono::milliseconds(5), [] { return false; }));
  EXPECT_TRUE(cv.WaitFor(&mu, std::chrono::milliseconds(5), [] { return true; }));
}

TEST(MutexTest, WaiterSeesTheValueSetBeforeTheSignal) {
  Mutex mu;
  CondVar cv;
  int value = 0;
  std::thread setter([&] {
    MutexLock lock(&mu);
    value = 42;
    cv.SignalAll();
  });
  {
    MutexLock lock(&mu);
    cv.Wait(&mu, [&] { return value != 0; });
    EXPECT_EQ(value, 42);
  }
  setter.join();
}

TEST(MutexTest, WaitUntilTimesOutWithThePredicateFalse) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(&mu);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
  EXPECT_FALSE(cv.WaitUntil(&mu, deadline, [] { return false; }));
}

TEST(MutexTest, MutexLockCanGiveTheMutexUpAndTakeItBack) {
  Mutex mu;
  MutexLock lock(&mu);
  lock.Unlock();
  EXPECT_TRUE(mu.TryLock());  // Free while given up.
  mu.Unlock();
  lock.Lock();
  std::thread other([&] { EXPECT_FALSE(mu.TryLock()); });  // Held again.
  other.join();
}

TEST(MutexTest, CountsStayExactUnderContention) {
  Mutex mu;
  SharedMutex smu;
  int64_t count = 0;
  int64_t shared_count = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) {
        {
          MutexLock lock(&mu);
          ++count;
        }
        {
          WriterMutexLock lock(&smu);
          ++shared_count;
        }
        ReaderMutexLock lock(&smu);
        EXPECT_GE(shared_count, 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(count, 40'000);
  EXPECT_EQ(shared_count, 40'000);
}

}  // namespace
}  // namespace gamelake
