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
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
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
  // Not analysed: the hold outlives the scope that takes it (Enter returns it).
  class Hold {
   public:
    explicit Hold(SharedMutex* mu) GL_NO_THREAD_SAFETY_ANALYSIS : mu_(mu) { mu_->ReaderLock(); }
    ~Hold() GL_NO_THREAD_SAFETY_ANALYSIS { mu_->ReaderUnlock(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    SharedMutex* const mu_;
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
      const std::vector<std::shared_ptr<const TailChunk>>& chunks, uint64_t* record_bytes)
      GL_EXCLUDES(mu_);

  // Retires the table of `stream` if it holds a record at or below
  // delivered_seq (now in the lake). False if a query is filling it (then
  // nothing is done: ask again later).
  bool Forget(const std::string& stream, uint64_t delivered_seq) GL_EXCLUDES(mu_);

  // Drops retired tables on conn if no query holds Enter(); call without
  // holding it.
  void DropRetired(duckdb_connection conn) GL_EXCLUDES(use_mu_, mu_);

 private:
  struct Stream {
    Mutex mu;  // Taken before the cache's mu_.
    // TailSelect's text for the table's rows (after = 0).
    std::string key GL_GUARDED_BY(mu);
    // Empty: none yet (or filling failed for this key).
    std::string table GL_GUARDED_BY(mu);
    bool failed GL_GUARDED_BY(mu) = false;
    // Every pinned record with seq <= this was added.
    uint64_t filled_to GL_GUARDED_BY(mu) = 0;
    // The table holds no record below this seq.
    uint64_t first_seq GL_GUARDED_BY(mu) = 0;
  };
  std::shared_ptr<Stream> StreamOf(const std::string& name) GL_EXCLUDES(mu_);
  void Retire(Stream* s) GL_REQUIRES(s->mu) GL_EXCLUDES(mu_);
  Status Fill(duckdb_connection conn, idx_t conn_id, const TailPins::Entry& entry,
              const TableShape& shape, uint64_t last_seq, Stream* s) GL_REQUIRES(s->mu)
      GL_EXCLUDES(mu_);

  TailPins* pins_;
  SharedMutex use_mu_;
  mutable Mutex mu_ GL_ACQUIRED_AFTER(use_mu_);
  std::map<std::string, std::shared_ptr<Stream>> streams_ GL_GUARDED_BY(mu_);
  std::vector<std::string> retired_ GL_GUARDED_BY(mu_);
  uint64_t next_table_ GL_GUARDED_BY(mu_) = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_TAIL_CACHE_H_
