// Segment: the in-memory index of one segment file of the write-ahead log, and
// the scan that builds it from the file's bytes at recovery.
//
// Thread-safety: a Segment is guarded by the owning WalImpl's mutex, except
// `name_seq`, `path` and `skips`, which never change once the segment is
// published.
#ifndef GAMELAKE_LOG_SEGMENT_H_
#define GAMELAKE_LOG_SEGMENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gamelake::wal_internal {

// A byte range [begin, end) of a segment holding no valid entry.
struct SkipRange {
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct Segment {
  uint64_t name_seq = 0;  // The seq in the file name.
  std::string path;
  // Bytes of the file that hold durable entries (or recovered corrupt ranges):
  // cursors read up to here, pending_bytes() counts them.
  uint64_t size = 0;
  uint64_t records = 0;
  uint64_t first_seq = 0;  // Valid when records > 0.
  uint64_t last_seq = 0;   // Valid when records > 0.
  // The largest seq of each stream with records in the segment.
  std::map<std::string, uint64_t, std::less<>> stream_max;
  std::vector<SkipRange> skips;  // Sorted; found by recovery.

  void AddRecord(std::string_view stream, uint64_t seq);
};

// What ScanSegment found besides the entries.
struct ScanResult {
  uint64_t valid_end = 0;        // End of the last valid entry (0 if none).
  uint64_t torn_tail_bytes = 0;  // Only when is_last: bytes after valid_end to cut.
  uint64_t corrupt_entries = 0;
  uint64_t corrupt_bytes = 0;
  std::vector<std::string> problems;
};

// Indexes the entries in data (the whole file) into *segment (records, seqs,
// stream_max, skips, size) and reports damage. With is_last, an invalid range
// that no valid entry follows is a torn tail (excluded from size) rather than
// corruption.
ScanResult ScanSegment(std::string_view data, bool is_last, Segment* segment);

}  // namespace gamelake::wal_internal

#endif  // GAMELAKE_LOG_SEGMENT_H_
