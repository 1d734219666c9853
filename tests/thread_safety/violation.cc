// Breaks a locking rule on purpose: scripts/check_thread_safety.sh compiles it
// with clang's -Wthread-safety -Werror and fails unless it is refused, so a
// build where the analysis is silently off cannot pass the check. Not part of
// any test binary: no gamelake_module_tests() globs this folder.
#include "common/mutex.h"

namespace gamelake {

class Counter {
 public:
  void Increment() { ++value_; }  // Not holding mu_: the analysis must refuse this.

 private:
  Mutex mu_;
  int value_ GL_GUARDED_BY(mu_) = 0;
};

}  // namespace gamelake
