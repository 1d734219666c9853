// ManualClockEnv: Env::Default() with a wall clock the test sets, for code
// whose behaviour depends on the time (windows, retention, roll-ups).
// Thread-safe.
#ifndef GAMELAKE_TESTS_COMMON_MANUAL_CLOCK_ENV_H_
#define GAMELAKE_TESTS_COMMON_MANUAL_CLOCK_ENV_H_

#include <atomic>
#include <cstdint>

#include "common/env.h"

namespace gamelake {

class ManualClockEnv final : public EnvWrapper {
 public:
  explicit ManualClockEnv(int64_t now_us) : EnvWrapper(Env::Default()), now_us_(now_us) {}
  void SetNowMicros(int64_t now_us) { now_us_ = now_us; }
  void AdvanceSeconds(int64_t s) { now_us_ += s * 1'000'000; }
  int64_t NowMicros() override { return now_us_.load(); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_COMMON_MANUAL_CLOCK_ENV_H_
