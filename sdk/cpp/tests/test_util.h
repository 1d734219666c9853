// Helpers shared by the SDK's tests: temp folders and reading a queue back.
// Thread-safety: single-threaded test code.
#ifndef GAMELAKE_SDK_TEST_UTIL_H_
#define GAMELAKE_SDK_TEST_UTIL_H_

#include <cstdlib>
#include <string>
#include <vector>

#include "queue.h"

namespace gamelake::testing {

// A fresh folder under $TMPDIR, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + std::string("/glsdk-XXXXXX");
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ReadRecord {
  std::string payload;
  bool critical = false;
};

// Opens the queue in `dir` and returns its pending records in order (and damage).
inline std::vector<ReadRecord> ReadQueue(const std::string& dir,
                                         std::vector<internal::CorruptRange>* corrupt = nullptr,
                                         internal::QueueLimits limits = {}) {
  internal::Queue q;
  std::string error;
  std::vector<internal::CorruptRange> damage;
  std::vector<ReadRecord> out;
  if (!q.Open(dir, limits, &error, &damage)) return out;
  std::vector<internal::SegmentView> views;
  q.PendingSegments(&views);
  for (const auto& v : views) {
    for (size_t pos = v.head;;) {
      const auto item = internal::ScanAt(v.segment->data, pos, v.segment->capacity, v.end);
      if (item.kind == internal::ScanItem::kEnd) break;
      if (item.kind == internal::ScanItem::kRecord) {
        out.push_back({std::string(reinterpret_cast<const char*>(item.payload), item.payload_size),
                       item.critical});
      }
      pos += item.size;
    }
  }
  if (corrupt) *corrupt = damage;
  return out;
}

}  // namespace gamelake::testing

#endif  // GAMELAKE_SDK_TEST_UTIL_H_
