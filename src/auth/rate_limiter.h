// RateLimiter: per-key token buckets for records/s and bytes/s.
//
// Each key has two buckets holding up to burst_seconds worth of its rate
// (default: one second's worth). A request is admitted when each bucket holds
// its cost, or is full if the cost is larger than a full bucket (so a batch
// bigger than the burst is not refused forever); admitting debits the whole
// cost, possibly into debt, which later requests wait out. A refused request
// debits nothing and gets retry_after_seconds: the whole seconds (rounded up,
// at least 1) until it would be admitted if nothing else arrives.
//
// Limits: a key's own limit where set (non-zero), else the default; 0 means
// unlimited, and a key unlimited in both has no bucket at all. Memory is
// bounded: buckets exist only for key ids passed to Admit (authenticated
// keys), and once a shard holds max_tracked_keys / kShards buckets, buckets that
// have refilled completely are dropped (a full bucket is the same as no
// bucket). If none can be dropped the request is admitted untracked.
//
// Time is passed in (now_us, any monotonic microsecond clock), so tests are
// deterministic; time going backwards counts as no time passing.
//
// Thread-safety: safe to call concurrently. Keys are spread over kShards
// shards, each with its own mutex held only for the arithmetic.
#ifndef GAMELAKE_AUTH_RATE_LIMITER_H_
#define GAMELAKE_AUTH_RATE_LIMITER_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.h"
#include "common/mutex.h"

namespace gamelake {

class RateLimiter {
 public:
  struct Limits {
    uint64_t records_per_s = 0;  // 0: unlimited (or, for a key's own limits: the default).
    uint64_t bytes_per_s = 0;
  };
  struct Options {
    Limits defaults;
    double burst_seconds = 1.0;  // Bucket size, in seconds of the rate. > 0.
    size_t max_tracked_keys = 100'000;
  };
  struct Decision {
    bool ok = true;
    int64_t retry_after_seconds = 0;  // >= 1 when !ok.
    std::string_view limit;           // "records" or "bytes" when !ok.
  };

  static constexpr size_t kShards = 16;

  explicit RateLimiter(Options options);

  // With the principal's own limits (falling back to the defaults).
  Decision Admit(const Principal& principal, uint64_t records, uint64_t bytes, int64_t now_us);
  // With the given own limits (0 fields fall back to the defaults).
  Decision Admit(std::string_view key_id, Limits own, uint64_t records, uint64_t bytes,
                 int64_t now_us);
  // With the default limits.
  Decision Admit(std::string_view key_id, uint64_t records, uint64_t bytes, int64_t now_us) {
    return Admit(key_id, Limits{}, records, bytes, now_us);
  }

  // Buckets currently held (for tests and metrics).
  size_t tracked_keys() const;

 private:
  struct Bucket {
    double records = 0;  // Tokens; negative while in debt.
    double bytes = 0;
    double records_rate = 0;  // The rates last applied, to tell when it is full.
    double bytes_rate = 0;
    int64_t last_us = 0;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable Mutex mu;
    std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets GL_GUARDED_BY(mu);
  };

  void Refill(Bucket* b, double records_rate, double bytes_rate, int64_t now_us) const;
  bool IsFull(const Bucket& b, int64_t now_us) const;

  const Options options_;
  const size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_RATE_LIMITER_H_
