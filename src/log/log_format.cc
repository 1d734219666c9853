#include "log/log_format.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "common/crc32c.h"
#include "common/env.h"

namespace gamelake::wal_internal {
namespace {

constexpr uint32_t kMaskDelta = 0xa282ead8u;

uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

// The format is little-endian and so is every platform gamelake targets (x86-64,
// aarch64); memcpy keeps the accesses alignment-safe.
static_assert(std::endian::native == std::endian::little, "log format assumes little-endian");

template <typename T>
void Put(char* dst, T v) {
  std::memcpy(dst, &v, sizeof(T));
}
template <typename T>
T Get(const char* src) {
  T v;
  std::memcpy(&v, src, sizeof(T));
  return v;
}

}  // namespace

void EncodeEntry(char* dst, uint64_t seq, int64_t ingest_time_us, std::string_view stream,
                 std::string_view record) {
  const uint32_t length = static_cast<uint32_t>(kFixedPayloadSize + stream.size() + record.size());
  Put<uint32_t>(dst, kEntryMagic);
  Put<uint32_t>(dst + 8, length);
  char* p = dst + kHeaderSize;
  Put<uint64_t>(p, seq);
  Put<int64_t>(p + 8, ingest_time_us);
  Put<uint16_t>(p + 16, static_cast<uint16_t>(stream.size()));
  p += kFixedPayloadSize;
  if (!stream.empty()) std::memcpy(p, stream.data(), stream.size());
  p += stream.size();
  if (!record.empty()) std::memcpy(p, record.data(), record.size());
  Put<uint32_t>(dst + 4, Mask(crc32c::Extend(0, dst + 8, 4 + length)));
}

std::string_view ParseResultName(ParseResult r) {
  switch (r) {
    case ParseResult::kOk:
      return "ok";
    case ParseResult::kTruncated:
      return "entry extends past the end of the file";
    case ParseResult::kBadMagic:
      return "bad magic";
    case ParseResult::kBadLength:
      return "bad length";
    case ParseResult::kBadChecksum:
      return "checksum mismatch";
    case ParseResult::kBadStreamLength:
      return "stream length exceeds payload";
  }
  return "unknown";
}

std::optional<uint32_t> PeekPayloadLength(const char* header) {
  if (Get<uint32_t>(header) != kEntryMagic) return std::nullopt;
  uint32_t length = Get<uint32_t>(header + 8);
  if (length < kFixedPayloadSize || length > kMaxPayloadSize) return std::nullopt;
  return length;
}

ParseResult ParseEntry(const char* data, size_t n, EntryView* entry) {
  if (n < kHeaderSize) return ParseResult::kTruncated;
  if (Get<uint32_t>(data) != kEntryMagic) return ParseResult::kBadMagic;
  const uint32_t length = Get<uint32_t>(data + 8);
  if (length < kFixedPayloadSize || length > kMaxPayloadSize) return ParseResult::kBadLength;
  if (n - kHeaderSize < length) return ParseResult::kTruncated;
  if (Mask(crc32c::Extend(0, data + 8, 4 + length)) != Get<uint32_t>(data + 4)) {
    return ParseResult::kBadChecksum;
  }
  const char* p = data + kHeaderSize;
  const uint16_t stream_len = Get<uint16_t>(p + 16);
  if (stream_len > length - kFixedPayloadSize) return ParseResult::kBadStreamLength;
  entry->seq = Get<uint64_t>(p);
  entry->ingest_time_us = Get<int64_t>(p + 8);
  entry->stream = std::string_view(p + kFixedPayloadSize, stream_len);
  entry->record =
      std::string_view(p + kFixedPayloadSize + stream_len, length - kFixedPayloadSize - stream_len);
  entry->size = kHeaderSize + length;
  return ParseResult::kOk;
}

size_t FindNextValidEntry(const char* data, size_t n, size_t from) {
  char magic[4];
  Put<uint32_t>(magic, kEntryMagic);
  while (from + kHeaderSize <= n) {
    const void* hit = memmem(data + from, n - from, magic, sizeof(magic));
    if (hit == nullptr) return n;
    size_t pos = static_cast<size_t>(static_cast<const char*>(hit) - data);
    EntryView unused;
    if (ParseEntry(data + pos, n - pos, &unused) == ParseResult::kOk) return pos;
    from = pos + 1;
  }
  return n;
}

std::string SegmentFileName(std::string_view dir, uint64_t first_seq) {
  return JoinPath(dir, fmt::format("{:020d}.log", first_seq));
}

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  constexpr std::string_view kSuffix = ".log";
  if (name.size() != 20 + kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;  // Overflow.
    v = v * 10 + digit;
  }
  return v;
}

}  // namespace gamelake::wal_internal
