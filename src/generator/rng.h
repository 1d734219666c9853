// Rng: the generator's fast, seedable pseudo-random number generator.
//
// xoshiro256** (Blackman and Vigna, 2018) with its state filled by splitmix64
// from a 64-bit seed, as its authors recommend. It is not cryptographic; it is
// small, passes BigCrush, and costs about a nanosecond a draw, which is what
// rendering a million records a second needs. The same seed yields the same
// sequence on every platform (only 64-bit integer arithmetic).
//
// Thread-safety: an Rng is a value; use one per thread.
#ifndef GAMELAKE_GENERATOR_RNG_H_
#define GAMELAKE_GENERATOR_RNG_H_

#include <cstdint>

namespace gamelake {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& s : s_) s = SplitMix64(&x);
  }

  // splitmix64: also useful on its own to derive seeds from seeds.
  static uint64_t SplitMix64(uint64_t* x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

  uint64_t Next() {
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

  // Uniform in [0, n) for n > 0 (Lemire's multiply-shift; bias below n / 2^64).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [lo, hi], both included; lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
    if (span == 0) return static_cast<int64_t>(Next());  // The whole int64 range.
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + Below(span));
  }

  // Uniform in [0, 1) with 53 random bits.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  bool Chance(double p) { return NextDouble() < p; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace gamelake

#endif  // GAMELAKE_GENERATOR_RNG_H_
