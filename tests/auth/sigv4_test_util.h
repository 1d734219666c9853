// Helpers for the SigV4 tests: an Env with a settable clock, and the AWS
// documentation's example credentials. Not thread-safe.
#ifndef GAMELAKE_TESTS_AUTH_SIGV4_TEST_UTIL_H_
#define GAMELAKE_TESTS_AUTH_SIGV4_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4.h"
#include "common/env.h"

namespace gamelake {

// The example key pair of the AWS SigV4 documentation and test suite.
inline constexpr std::string_view kExampleKeyId = "AKIDEXAMPLE";
inline constexpr std::string_view kExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// 2015-08-30T12:36:00Z, the test suite's X-Amz-Date.
inline constexpr int64_t kExampleTimeUs = 1440938160ll * 1000000;

// Env::Default() with a clock the test sets.
class ClockEnv final : public EnvWrapper {
 public:
  explicit ClockEnv(int64_t now_us) : EnvWrapper(Env::Default()), now_us_(now_us) {}
  void SetNowMicros(int64_t now_us) { now_us_ = now_us; }
  int64_t NowMicros() override { return now_us_; }

 private:
  int64_t now_us_;
};

// A secret lookup over a fixed map: unknown ids are NotFound.
inline SigV4Verifier::SecretLookup MapLookup(std::map<std::string, std::string> secrets) {
  return [secrets = std::move(secrets)](std::string_view id) -> Result<std::string> {
    auto it = secrets.find(std::string(id));
    if (it == secrets.end()) return Status::NotFound("no such key");
    return it->second;
  };
}

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_AUTH_SIGV4_TEST_UTIL_H_
