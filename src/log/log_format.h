// Log format: encoding and decoding of write-ahead log entries and segment file
// names (the format is described in log_format.md).
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_LOG_LOG_FORMAT_H_
#define GAMELAKE_LOG_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gamelake::wal_internal {

inline constexpr uint32_t kEntryMagic = 0xD7474C9Eu;
inline constexpr size_t kHeaderSize = 12;  // magic, crc, length.
// seq, ingest_time_us, stream_len.
inline constexpr size_t kFixedPayloadSize = 8 + 8 + 2;
inline constexpr uint32_t kMaxPayloadSize = 1u << 30;
inline constexpr size_t kMaxStreamSize = 0xFFFF;

// Bytes one entry takes in the file.
inline size_t EntrySize(size_t stream_size, size_t record_size) {
  return kHeaderSize + kFixedPayloadSize + stream_size + record_size;
}

// Writes one entry into dst, which must hold EntrySize(stream.size(),
// record.size()) bytes. The caller checks the size limits.
void EncodeEntry(char* dst, uint64_t seq, int64_t ingest_time_us, std::string_view stream,
                 std::string_view record);

struct EntryView {
  uint64_t seq = 0;
  int64_t ingest_time_us = 0;
  std::string_view stream;
  std::string_view record;
  size_t size = 0;  // Bytes of the whole entry.
};

enum class ParseResult {
  kOk,
  kTruncated,  // Fewer bytes available than the header or its length needs.
  kBadMagic,
  kBadLength,  // Length out of range.
  kBadChecksum,
  kBadStreamLength,  // Checksum fine, but stream_len exceeds the payload.
};
std::string_view ParseResultName(ParseResult r);

// Parses the entry at the start of data[0, n). On kOk fills *entry, whose views
// point into data.
ParseResult ParseEntry(const char* data, size_t n, EntryView* entry);

// Payload length from a header, which must hold kHeaderSize bytes, or nullopt if
// the magic or length is invalid.
std::optional<uint32_t> PeekPayloadLength(const char* header);

// Returns the offset >= from of the first valid entry in data[0, n), or n if none.
size_t FindNextValidEntry(const char* data, size_t n, size_t from);

// "<dir>/00000000000000000042.log".
std::string SegmentFileName(std::string_view dir, uint64_t first_seq);
// The first_seq of a segment file name (not path), or nullopt if name is not one.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

}  // namespace gamelake::wal_internal

#endif  // GAMELAKE_LOG_LOG_FORMAT_H_
