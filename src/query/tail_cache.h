// TailCache: the live tail parsed once. Each stream's undelivered records are
// kept typed, in columns, in a DuckDB table of the engine's in-memory
// database (memory.gl_tail.t<N>): the tail branch of a query's view reads
// that table instead of parsing every record's JSON again.
//
// The table holds exactly what TailSelect (view_builder.h) gives for the
// records — the same from_json, casts and overflow column — plus each
// record's seq, so a value read from it is bit for bit the value the
// JSON-parsing branch (and so delivery) gives. A query asks for its tail
// branch with its pin: the records the pin holds above what the table has
// are parsed then, once, on the query's connection (lazily: keeping the tail
// costs ingest nothing more), and the branch reads the rows with
// delivered_seq < seq <= the pin's last seq. Records are each seen once: the
// seq range is the same one gamelake_tail would read.
//
// When a stream's shape changes (a new key, a widened type, a key past the
// column limit), the TailSelect text changes and the stream gets a new table,
// filled from the pin's records; the old one is retired. A table is also
// retired as soon as any of its rows is delivered (Forget, on every refresh,
// and Branch): delivered rows may be erased from the lake next, and the typed
// copy must not outlive them; the next query types the (then small) tail again.
// Retired tables are dropped only while no query is between defining its
// views and starting its statement (Enter() holds that off); a statement that
// has started keeps its snapshot of a dropped table.
//
// Memory: per record, the typed row (about the size of its values) next to
// the tail's copy of its JSON; the tables live in the engine's memory, under
// sql.memory_limit. If filling a table fails (memory, a DuckDB error), the
// stream falls back to parsing the JSON in each query until its shape changes.
//
// Thread-safety: all methods are safe to call from any thread; a stream's
// table is filled by one query at a time.
#ifndef GAMELAKE_QUERY_TAIL_CACHE_H_
#define GAMELAKE_QUERY_TAIL_CACHE_H_

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "query/live_tail.h"
#include "query/tail_function.h"
#include "query/view_builder.h"

namespace gamelake {

class TailCache {
 public:
  // pins: the engine's registry, through which the fill reads the pin.
  explicit TailCache(TailPins* pins);

  // Held by a query from before it defines its views until its statement has
  // started: no table its views name is dropped meanwhile.
  class Hold {
   public:
    explicit Hold(std::shared_mutex* mu) : lock_(*mu) {}

   private:
    std::shared_lock<std::shared_mutex> lock_;
  };
  Hold Enter() { return Hold(&use_mu_); }

  // The tail branch of `shape` for a query whose connection is conn (its id
  // conn_id, its pin registered in pins as `entry`) and whose pin holds
  // `chunks` of the stream: a SELECT of the typed copy. nullopt when the
  // stream cannot be cached (the caller parses the JSON: TailSelect).
  // *record_bytes gets the JSON bytes of the records the branch reads.
  // Cancelled if the query was interrupted (its timeout, a cancel) while it
  // filled the copy: the copy is as before (DuckDB rolled the fill back), and
  // the next query fills it. Needs a Hold.
  Result<std::optional<std::string>> Branch(
      duckdb_connection conn, idx_t conn_id, const TailPins::Entry& entry, const TableShape& shape,
      const std::vector<std::shared_ptr<const TailChunk>>& chunks, uint64_t* record_bytes);

  // Retires the table of `stream` if it holds a record at or below
  // delivered_seq (now in the lake). False if a query is filling it (then
  // nothing is done: ask again later).
  bool Forget(const std::string& stream, uint64_t delivered_seq);

  // Drops retired tables on conn if no query holds Enter(); call without
  // holding it.
  void DropRetired(duckdb_connection conn);

 private:
  struct Stream {
    std::mutex mu;
    std::string key;    // TailSelect's text for the table's rows (after = 0).
    std::string table;  // Empty: none yet (or filling failed for this key).
    bool failed = false;
    uint64_t filled_to = 0;  // Every pinned record with seq <= this was added.
    uint64_t first_seq = 0;  // The table holds no record below this seq.
  };
  std::shared_ptr<Stream> StreamOf(const std::string& name);
  void Retire(Stream* s);
  Status Fill(duckdb_connection conn, idx_t conn_id, const TailPins::Entry& entry,
              const TableShape& shape, uint64_t last_seq, Stream* s);

  TailPins* pins_;
  std::shared_mutex use_mu_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Stream>> streams_;  // Guarded by mu_.
  std::vector<std::string> retired_;                        // Guarded by mu_.
  uint64_t next_table_ = 0;                                 // Guarded by mu_.
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_TAIL_CACHE_H_
