// The metrics store's small binary encodings, shared by every format it
// writes (metric_store_format.md, alarm_format.md): varints, zigzag,
// "numbers" — a double that takes 1 to 3 bytes when it is a small integer —
// length-prefixed strings, and ByteReader, which reads them back with errors
// that say what and at which byte.
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

// A varint length, then the bytes.
void PutString(std::string* out, std::string_view s);

// Reads the encodings above from the front of a buffer. Every error is
// Corruption "<what went wrong> at byte <offset>".
class ByteReader {
 public:
  static constexpr size_t kMaxStringBytes = 1u << 20;

  // `base`: the offset of `in` in its file, for messages.
  explicit ByteReader(std::string_view in, size_t base = 0) : all_(in), in_(in), base_(base) {}

  size_t offset() const { return base_ + all_.size() - in_.size(); }
  bool done() const { return in_.empty(); }

  Status Fail(std::string_view what) const;
  Result<uint64_t> Varint(std::string_view what);
  Result<double> Number(std::string_view what);
  Result<std::string> String(std::string_view what);  // At most kMaxStringBytes.
  Result<double> Double(std::string_view what);       // 8 raw bytes; finite.
  Result<uint8_t> Byte(std::string_view what);
  // A tag byte at most `max`.
  Result<uint8_t> Tag(std::string_view what, uint8_t max);
  // A count of items of at least `min_bytes` each: bounded by what is left.
  Result<uint64_t> Count(std::string_view what, size_t min_bytes);

 private:
  std::string_view all_;
  std::string_view in_;
  size_t base_;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_ENCODING_H_
