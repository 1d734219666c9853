#include "s3/s3_retry_policy.h"

#include <algorithm>

namespace gamelake {

S3RetryPolicy::S3RetryPolicy(S3RetryOptions options) : options_(options) {
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.initial_backoff_ms = std::max<int64_t>(0, options_.initial_backoff_ms);
  options_.max_backoff_ms = std::max(options_.initial_backoff_ms, options_.max_backoff_ms);
}

int64_t S3RetryPolicy::BackoffMicros(int retry, uint64_t random) const {
  int shift = std::clamp(retry - 1, 0, 30);
  int64_t cap_ms = options_.initial_backoff_ms;
  for (int i = 0; i < shift && cap_ms < options_.max_backoff_ms; ++i) cap_ms *= 2;
  cap_ms = std::min(cap_ms, options_.max_backoff_ms);
  int64_t cap_us = cap_ms * 1000;
  int64_t half = cap_us / 2;
  return half + static_cast<int64_t>(random % static_cast<uint64_t>(cap_us - half + 1));
}

}  // namespace gamelake
