#include "log/segment.h"

#include <fmt/format.h>

#include "log/log_format.h"

namespace gamelake::wal_internal {

void Segment::AddRecord(std::string_view stream, uint64_t seq) {
  if (records == 0 || seq < first_seq) first_seq = seq;
  if (records == 0 || seq > last_seq) last_seq = seq;
  ++records;
  auto it = stream_max.find(stream);
  if (it == stream_max.end()) {
    stream_max.emplace(std::string(stream), seq);
  } else if (seq > it->second) {
    it->second = seq;
  }
}

ScanResult ScanSegment(std::string_view data, bool is_last, Segment* segment) {
  ScanResult result;
  const char* base = data.data();
  const size_t n = data.size();
  size_t off = 0;
  while (off < n) {
    EntryView entry;
    ParseResult r = ParseEntry(base + off, n - off, &entry);
    if (r == ParseResult::kOk) {
      segment->AddRecord(entry.stream, entry.seq);
      off += entry.size;
      result.valid_end = off;
      continue;
    }
    const size_t next = FindNextValidEntry(base, n, off + 1);
    if (next == n && is_last) {
      result.torn_tail_bytes = n - off;
      result.problems.push_back(fmt::format("{}: torn tail at offset {} ({}): truncating {} bytes",
                                            segment->path, off, ParseResultName(r), n - off));
      segment->size = off;
      return result;
    }
    result.corrupt_entries += 1;
    result.corrupt_bytes += next - off;
    result.problems.push_back(fmt::format("{}: corrupt entry at offset {} ({}): skipping {} bytes",
                                          segment->path, off, ParseResultName(r), next - off));
    segment->skips.push_back(SkipRange{off, next});
    off = next;
  }
  segment->size = n;
  return result;
}

}  // namespace gamelake::wal_internal
