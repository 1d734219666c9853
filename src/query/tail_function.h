// TailFunction: the table function gamelake_tail(stream VARCHAR, after_seq
// BIGINT), through which a table's view reads the live tail: the records of
// `stream` with seq > after_seq that the calling query pinned. Columns:
// _ingest_time TIMESTAMP, _record_id BIGINT, doc VARCHAR (the record's JSON).
//
// A query registers its pin (and a counter of the bytes its scans read)
// under its DuckDB connection id before it binds; the function finds it when
// bound. Scans run on every SQL thread: each claims whole tail chunks from a
// shared counter, so the JSON parsing above the scan is spread across cores.
//
// Thread-safety: TailPins is safe to use from any thread; DuckDB calls the
// function's callbacks from its own threads.
#ifndef GAMELAKE_QUERY_TAIL_FUNCTION_H_
#define GAMELAKE_QUERY_TAIL_FUNCTION_H_

#include <duckdb.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>

#include "common/mutex.h"
#include "common/status.h"
#include "query/live_tail.h"

namespace gamelake {

class TailPins {
 public:
  struct Entry {
    std::shared_ptr<const TailPin> pin;
    std::shared_ptr<std::atomic<uint64_t>> bytes_read;
  };
  void Set(idx_t connection_id, Entry entry) GL_EXCLUDES(mu_);
  void Clear(idx_t connection_id) GL_EXCLUDES(mu_);
  Entry Get(idx_t connection_id) const GL_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<idx_t, Entry> pins_ GL_GUARDED_BY(mu_);
};

// Registers gamelake_tail on conn's database; pins must outlive it.
Status RegisterTailFunction(duckdb_connection conn, TailPins* pins);

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_TAIL_FUNCTION_H_
