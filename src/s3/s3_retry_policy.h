// S3RetryPolicy: how long the S3 client waits before retrying a request the
// store (or the network) failed in a way a retry may cure (see
// S3IsRetryable in s3/s3_error.h and Unavailable from CurlHttpClient).
//
// Exponential back-off with jitter: before retry n (1 for the first retry)
// the cap is min(max_backoff_ms, initial_backoff_ms * 2^(n-1)) and the wait
// is uniformly random in [cap/2, cap] ("equal jitter"), so clients that
// failed together do not retry together, yet each waits at least half the
// cap. At most max_attempts requests are sent in all.
//
// Thread-safety: immutable; BackoffMicros may be called concurrently.
#ifndef GAMELAKE_S3_S3_RETRY_POLICY_H_
#define GAMELAKE_S3_S3_RETRY_POLICY_H_

#include <cstdint>

namespace gamelake {

struct S3RetryOptions {
  int max_attempts = 6;              // Requests in all, the first one included (>= 1).
  int64_t initial_backoff_ms = 100;  // Cap of the first wait.
  int64_t max_backoff_ms = 20000;    // Largest cap.
};

class S3RetryPolicy {
 public:
  explicit S3RetryPolicy(S3RetryOptions options);

  int max_attempts() const { return options_.max_attempts; }
  // The wait before retry `retry` (>= 1), from 64 random bits.
  int64_t BackoffMicros(int retry, uint64_t random) const;

 private:
  S3RetryOptions options_;
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_S3_RETRY_POLICY_H_
