// UUID v7 and timestamps (see uuid.h). Thread-safety: none (caller locks).
#include "uuid.h"

#include <ctime>
#include <random>

namespace gamelake::internal {
namespace {

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// splitmix64: spreads one seed over xoshiro's four words.
uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

Rng::Rng() {
  std::random_device rd;
  uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  for (auto& w : s_) w = SplitMix(seed) ^ (static_cast<uint64_t>(rd()) << 17);
}

Rng::Rng(uint64_t seed) {
  for (auto& w : s_) w = SplitMix(seed);
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Uniform(uint64_t bound) {
  if (bound == UINT64_MAX) return Next();
  // Multiply-shift: the bias is below 2^-64 * bound, irrelevant for jitter.
  return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * (bound + 1)) >> 64);
}

void UuidV7Generator::Make(int64_t unix_ms, char out[36]) {
  if (unix_ms > last_ms_) {
    last_ms_ = unix_ms;
    seq_ = static_cast<uint32_t>(rng_->Next() & 0x7FF);  // leaves room to count up
  } else if (++seq_ > 0xFFF) {
    ++last_ms_;  // 4096 ids in one ms: borrow the next millisecond
    seq_ = 0;
  }
  const uint64_t ms = static_cast<uint64_t>(last_ms_) & 0xFFFFFFFFFFFFull;
  const uint64_t hi = (ms << 16) | 0x7000 | seq_;
  const uint64_t lo = (rng_->Next() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  uint8_t bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    bytes[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  char* p = out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    *p++ = kHex[bytes[i] >> 4];
    *p++ = kHex[bytes[i] & 15];
  }
}

void TimestampFormatter::Append(int64_t unix_ms, std::string& out) {
  int64_t sec = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --sec;
  }
  if (sec != cached_sec_) {
    const time_t t = static_cast<time_t>(sec);
    struct tm tm_utc;
    gmtime_r(&t, &tm_utc);
    strftime(prefix_, sizeof(prefix_), "%Y-%m-%dT%H:%M:%S", &tm_utc);
    cached_sec_ = sec;
  }
  out.append(prefix_, 19);
  const char frac[] = {'.', static_cast<char>('0' + ms / 100),
                       static_cast<char>('0' + ms / 10 % 10), static_cast<char>('0' + ms % 10),
                       'Z'};
  out.append(frac, sizeof(frac));
}

}  // namespace gamelake::internal
