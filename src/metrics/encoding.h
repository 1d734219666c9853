// The metrics store's small binary encodings, shared by every format it
// writes (metric_store_format.md): varints, zigzag, and "numbers" — a double
// that takes 1 to 3 bytes when it is a small integer.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_METRICS_ENCODING_H_
#define GAMELAKE_METRICS_ENCODING_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace gamelake {

// Unsigned LEB128, at most 10 bytes.
void PutVarint(std::string* out, uint64_t v);
// Consumes a varint from the front of *in; Corruption if truncated or over 64 bits.
Result<uint64_t> GetVarint(std::string_view* in);

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ (v < 0 ? ~0ull : 0ull);
}
inline int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// A double: a varint zigzag(i) << 1 for integers of magnitude below 2^52,
// else the varint 1 and 8 raw little-endian bytes. GetNumber refuses other
// tags and non-finite values.
void PutNumber(std::string* out, double v);
Result<double> GetNumber(std::string_view* in);

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_ENCODING_H_
