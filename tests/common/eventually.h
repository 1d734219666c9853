// Eventually: polls a condition until it holds or a bound passes — how tests
// wait for what another thread or process does (a bound, never a timing
// assertion: a test asserts the condition, not how soon it held).
//
// Thread-safety: calls `what` from the calling thread only.
#ifndef GAMELAKE_TESTS_COMMON_EVENTUALLY_H_
#define GAMELAKE_TESTS_COMMON_EVENTUALLY_H_

#include <chrono>
#include <thread>

namespace gamelake::testing {

// True as soon as what() is; false if it still is not after about `bound`.
template <typename F>
bool Eventually(F what, std::chrono::milliseconds bound = std::chrono::seconds(60),
                std::chrono::milliseconds step = std::chrono::milliseconds(100)) {
  for (auto waited = std::chrono::milliseconds(0); waited < bound; waited += step) {
    if (what()) return true;
    std::this_thread::sleep_for(step);
  }
  return what();
}

}  // namespace gamelake::testing

#endif  // GAMELAKE_TESTS_COMMON_EVENTUALLY_H_
