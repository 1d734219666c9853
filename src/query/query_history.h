// QueryHistory: the queries run on this server — SQL, who, when, how long,
// rows, bytes scanned, error — newest last, like Athena's query history.
//
// The last `capacity` entries are kept in memory and every entry is appended
// to an NDJSON file (<data>/catalog/query_history.ndjson), which is rotated to
// query_history.ndjson.1 past max_file_bytes; on start the newest entries are
// read back. A history that cannot be written is logged, never fatal: a query
// does not fail because its history line could not be kept.
//
// Thread-safety: all methods are safe to call from any thread.
#ifndef GAMELAKE_QUERY_QUERY_HISTORY_H_
#define GAMELAKE_QUERY_QUERY_HISTORY_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"

namespace gamelake {

struct QueryHistoryEntry {
  uint64_t query_id = 0;
  std::string sql;
  std::string user;  // The API key id, or "local" for the CLI on a data dir.
  int64_t started_us = 0;
  double duration_ms = 0;
  uint64_t rows = 0;
  uint64_t bytes_scanned = 0;
  std::string state;  // "succeeded", "failed", "cancelled", "timed_out"
  std::string error;  // Empty when it succeeded.
};

class QueryHistory {
 public:
  // path empty: memory only.
  QueryHistory(Env* env, std::string path, size_t capacity = 1000,
               uint64_t max_file_bytes = 16ull << 20);
  ~QueryHistory();

  void Add(const QueryHistoryEntry& entry) GL_EXCLUDES(mu_);
  // The newest `limit` entries, newest first.
  std::vector<QueryHistoryEntry> List(size_t limit) const GL_EXCLUDES(mu_);
  // The highest query id seen, so ids keep growing across restarts.
  uint64_t max_query_id() const GL_EXCLUDES(mu_);

  static std::string ToJson(const QueryHistoryEntry& e);

 private:
  // Not analysed (nor its parsing lambda): the constructor calls it, before
  // the history is shared.
  void Load() GL_NO_THREAD_SAFETY_ANALYSIS;

  Env* env_;
  std::string path_;
  size_t capacity_;
  uint64_t max_file_bytes_;
  mutable Mutex mu_;
  std::deque<QueryHistoryEntry> entries_ GL_GUARDED_BY(mu_);
  std::unique_ptr<WritableFile> file_ GL_GUARDED_BY(mu_);
  uint64_t max_id_ GL_GUARDED_BY(mu_) = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_QUERY_HISTORY_H_
