// Helpers shared by the write-ahead log tests: a scratch directory per test and
// small wrappers around Wal. Not thread-safe.
#ifndef GAMELAKE_TESTS_LOG_WAL_TEST_UTIL_H_
#define GAMELAKE_TESTS_LOG_WAL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "../common/scratch_dir.h"
#include "log/wal.h"

namespace gamelake {

struct ReadRecord {
  uint64_t seq = 0;
  int64_t ingest_time_us = 0;
  std::string stream;
  std::string payload;
};

// Reads everything the cursor has now.
inline std::vector<ReadRecord> Drain(Wal::Cursor* cursor) {
  std::vector<ReadRecord> out;
  LogRecord rec;
  for (;;) {
    Result<bool> more = cursor->Next(&rec);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !more.value()) break;
    out.push_back(
        ReadRecord{rec.seq, rec.ingest_time_us, std::string(rec.stream), std::string(rec.payload)});
  }
  return out;
}

inline std::vector<ReadRecord> ReadAll(Wal* wal, uint64_t from_seq = 0) {
  auto cursor = wal->NewCursor(from_seq);
  return Drain(cursor.get());
}

inline Result<uint64_t> AppendStrings(Wal* wal, std::string_view stream,
                                      const std::vector<std::string>& records) {
  std::vector<std::string_view> views(records.begin(), records.end());
  return wal->Append(stream, views);
}

inline std::unique_ptr<Wal> OpenOrDie(const WalOptions& options, RecoveryReport* report = nullptr) {
  RecoveryReport local;
  auto wal = Wal::Open(options, report != nullptr ? report : &local);
  EXPECT_TRUE(wal.ok()) << wal.status().ToString();
  if (!wal.ok()) return nullptr;
  return std::move(wal).value();
}

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_LOG_WAL_TEST_UTIL_H_
