// UUID v7 (RFC 9562) from a fast PRNG seeded once from std::random_device, and
// the ISO-8601 timestamp formatter Track uses.
// Thread-safety: none; the Client calls these under its lock.
#ifndef GAMELAKE_SDK_UUID_H_
#define GAMELAKE_SDK_UUID_H_

#include <cstdint>
#include <string>

namespace gamelake::internal {

// xoshiro256** — small, fast, good enough for ids (not for secrets).
class Rng {
 public:
  Rng();  // seeded from std::random_device
  explicit Rng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, bound] (bound inclusive).
  uint64_t Uniform(uint64_t bound);

 private:
  uint64_t s_[4];
};

// Makes UUID v7s that never go backwards from one generator: within one millisecond
// (or when the clock steps back) the 12-bit rand_a field counts up.
class UuidV7Generator {
 public:
  explicit UuidV7Generator(Rng* rng) : rng_(rng) {}
  // Writes 36 characters (8-4-4-4-12, lowercase hex) to out.
  void Make(int64_t unix_ms, char out[36]);

 private:
  Rng* rng_;
  int64_t last_ms_ = -1;
  uint32_t seq_ = 0;  // the 12-bit rand_a of the last id
};

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC); caches the date part per second.
class TimestampFormatter {
 public:
  void Append(int64_t unix_ms, std::string& out);

 private:
  int64_t cached_sec_ = INT64_MIN;
  char prefix_[20] = {};  // "YYYY-MM-DDTHH:MM:SS"
};

}  // namespace gamelake::internal

#endif  // GAMELAKE_SDK_UUID_H_
