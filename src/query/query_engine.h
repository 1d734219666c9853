// QueryEngine: SQL over the lake, the way Athena queries what Glue catalogued
// — but in-process, through DuckDB, and seconds fresh.
//
// Every catalog table is a view in the schema "lake" (so `events`,
// `lake.events` and `"Events"` all work: identifiers match ignoring case),
// and every stream the live tail knows is one too. Each query gets the rows
// of just what it needs: QueryPlanner reads the statement's syntax tree and,
// from partition values and the catalog's per-file statistics, keeps the
// files its conditions can match; the query's own connection then defines,
// for each table it reads, a view over those files plus — while the tail
// holds undelivered records of the stream — the live tail above the
// delivered seq, each record exactly once (view_builder.h). Planning and
// binding cost what the query reads, not what the lake holds; a table of
// 40,000 files costs a query bounded to one hour that hour's files. A
// connection keeps its last query's views and re-creates only those whose
// definition changed (a new file, a new shape), so a small query repeated on
// an unchanged lake pays for neither.
// Saved views (CREATE [OR REPLACE] VIEW, DROP VIEW) are kept in the catalog
// and re-created here; they survive restarts.
//
// A query holds a FileReclaimer ticket from before it plans until its last
// row: files a compaction or an erasure replaces meanwhile stay readable.
// In a shared lake, the other nodes' files a statement reads are fetched
// into the remote file store (lake/remote_file_store.h) after planning and
// before DuckDB binds, and pinned there until its last row; a file that
// cannot be fetched fails the query with an error naming it (never a
// result without it).
//
// Sandbox, by construction: DuckDB may read files only under the lake dir
// and the remote file store's dir (allowed_directories, enable_external_access = false), cannot
// load extensions, and its configuration is locked; and only one read-only statement runs per
// query: SELECT (and WITH, VALUES, DESCRIBE, SUMMARIZE, SHOW), EXPLAIN of one, and the view
// statements. COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, CREATE TABLE, INSERT... are refused with
// PermissionDenied. Each query has a timeout (DeadlineExceeded) and can be
// cancelled (Cancelled); memory is bounded by the engine's memory limit, and
// the engine's threads run at a lower CPU priority than ingest.
//
// Thread-safety: all public methods are safe to call from any thread; up to
// max_concurrent queries run at once, others wait for a connection.
#ifndef GAMELAKE_QUERY_QUERY_ENGINE_H_
#define GAMELAKE_QUERY_QUERY_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/result.h"
#include "common/status.h"
#include "lake/file_reclaimer.h"
#include "lake/remote_file_store.h"
#include "query/live_tail.h"
#include "query/query_history.h"
#include "query/result_sink.h"

namespace gamelake {

struct QueryEngineOptions {
  std::string temp_dir;  // Where DuckDB may spill; empty: no spilling.
  int threads = 2;
  std::string memory_limit = "2GB";
  double timeout_s = 300;
  int max_concurrent = 4;
  double max_wait_s = 10;    // For a free connection, before ResourceExhausted.
  std::string history_path;  // Empty: history kept in memory only.
  Env* env = Env::Default();
  int nice = 5;  // Added CPU niceness of the engine's threads.
  // DuckDB 1.4 keeps the footer of every Parquet file it ever read, by path,
  // with no bound (the cache is LRU only from 1.5): queries then skip reading
  // footers, but a lake that keeps getting new files (delivery, compaction)
  // grows the process by ~7-55 KB per file ever read. Off by default.
  bool parquet_metadata_cache = false;
  // Where compaction and erasure retire the files they replace (null: none
  // does, e.g. a data dir queried offline). Must outlive the engine.
  FileReclaimer* reclaimer = nullptr;
  // Where other nodes' files of a shared lake are fetched to before a query
  // reads them (null: the lake is not shared). Must outlive the engine.
  RemoteFileStore* remote_files = nullptr;
  // Called when another node's file a query wanted is gone from the store
  // (its node compacted, erased or expired it): brings the catalog's remote
  // files up to date (a full listing); the query then runs once more. Null:
  // the query fails naming the object.
  std::function<Status()> resync_remote_files;
};

struct QueryRequest {
  std::string sql;
  std::string user = "local";
  double timeout_s = 0;  // 0: the engine's default. Never above it.
  // Wait until the tail holds every record durable when the query starts
  // (read-your-writes), at most this long.
  int64_t catch_up_us = 200'000;
};

struct RunningQuery {
  uint64_t query_id = 0;
  std::string sql;
  std::string user;
  int64_t started_us = 0;
};

class QueryEngine {
 public:
  // tail may be null (a data dir queried offline: only delivered files).
  static Result<std::unique_ptr<QueryEngine>> Open(Catalog* catalog, LiveTail* tail,
                                                   const QueryEngineOptions& options);
  virtual ~QueryEngine() = default;

  // Runs one statement, streaming its rows into sink. Errors carry DuckDB's
  // message (with its LINE/caret position) and a code: InvalidArgument (syntax,
  // binding, unknown table or column), PermissionDenied, DeadlineExceeded,
  // Cancelled, ResourceExhausted (memory, too many queries), NotFound /
  // AlreadyExists (views). sink->Begin() is called only once the statement
  // is known to be valid.
  virtual Result<QueryStats> Run(const QueryRequest& request, ResultSink* sink) = 0;

  // Interrupts a running query; NotFound if it is not running.
  virtual Status Cancel(uint64_t query_id) = 0;
  virtual std::vector<RunningQuery> Running() const = 0;
  virtual QueryHistory* history() = 0;

  // Publishes the catalog's and the tail's current state now if either
  // changed (queries do this themselves; the server calls it after
  // deliveries so the tail is trimmed).
  virtual Status Refresh() = 0;
  // Asks for a Refresh() on the engine's own thread, soon (within ~50 ms);
  // cheap and non-blocking, for catalog and tail listeners.
  virtual void RefreshSoon() = 0;
};

// Rows of `table` matching `where` (a condition over its columns), counted
// by the engine as SQL sees them — `SELECT count(*) FROM table WHERE
// (where)`, sandbox and all. InvalidArgument with DuckDB's message and
// position when the condition does not bind, or the table does not exist.
Result<uint64_t> CountRowsMatching(QueryEngine* engine, const std::string& table,
                                   const std::string& where);

// Adds `nice` to the calling thread's CPU niceness (Linux: per thread, and
// inherited by threads it starts). For the threads that run queries.
void LowerThreadPriority(int nice);

}  // namespace gamelake

#endif  // GAMELAKE_QUERY_QUERY_ENGINE_H_
