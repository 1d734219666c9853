#include "query/query_engine.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/mutex.h"
#include "query/query_planner.h"
#include "query/result_reader.h"
#include "query/sql_text.h"
#include "query/statement_guard.h"
#include "query/tail_cache.h"
#include "query/tail_function.h"
#include "query/view_builder.h"
#include "query/view_publisher.h"
#include "sql/duck_handles.h"

namespace gamelake {

namespace {

// Passes a query's result on, remembering whether it got as far as Begin()
// (before that, a failed query can run again without the client noticing).
class BeginTracker final : public ResultSink {
 public:
  explicit BeginTracker(ResultSink* sink) : sink_(sink) {}
  Status Begin(const std::vector<ResultColumn>& columns) override {
    begun_ = true;
    return sink_->Begin(columns);
  }
  Status AddRow(std::span<const Cell> row) override { return sink_->AddRow(row); }
  Status Finish(const QueryStats& stats) override { return sink_->Finish(stats); }
  void Abort(const Status& error) override { sink_->Abort(error); }
  bool begun() const { return begun_; }

 private:
  ResultSink* sink_;
  bool begun_ = false;
};

// A connection's last statement, kept prepared for the next query of the same
// text: preparing (binding, optimizing) costs a small query most of its time.
// It is run again only if nothing it was bound against can have changed: the
// same text, the same published catalog snapshot (saved views, tables) and
// every view it read left as it was (QueryViews::changed()). DuckDB itself
// rebinds a prepared statement whose catalog changed; these conditions keep
// the result's columns, and so `reader`, the ones it was prepared with.
struct LastStatement {
  std::string sql;
  std::shared_ptr<const CatalogSnapshot> snapshot;  // Held: the identity cannot be reused.
  DuckPrepared prepared;
  std::unique_ptr<ResultReader> reader;
};

struct Connection {
  duckdb_connection conn = nullptr;
  idx_t id = 0;
  bool busy = false;  // Guarded by the engine's mu_.
  // The temporary views defined on it now: name -> their SELECT. Used only
  // by the query holding the connection (QueryViews).
  std::map<std::string, std::string> views;
  LastStatement last;  // Used only by the query holding the connection.
};

struct RunningEntry {
  RunningQuery info;
  Connection* conn = nullptr;
  int64_t deadline_us = 0;
  bool timed_out = false;
  bool cancelled = false;
};

// The temporary views a query defines on its connection. Creating a view
// binds it (the schema of its files), which a small query would otherwise pay
// for every table on every run; so a connection keeps the views of its last
// query, and a query re-creates only those whose text differs. The text says
// everything a view reads — the files, their shape, the tail branch — and
// anything the catalog or the tail changes changes the text, so an equal text
// is an equal view. When a query ends, the views it did not define are
// dropped: the connection holds exactly its last query's views, so that no
// later query reads another table's by mistake.
class QueryViews {
 public:
  explicit QueryViews(Connection* conn) : conn_(conn) {}
  ~QueryViews() { DropOthers(); }
  QueryViews(const QueryViews&) = delete;
  QueryViews& operator=(const QueryViews&) = delete;

  // Drops the connection's views this query did not define, so a statement
  // never reads an earlier query's view (a table the planner missed fails
  // to bind instead).
  void DropOthers() {
    for (auto it = conn_->views.begin(); it != conn_->views.end();) {
      if (defined_.count(it->first)) {
        ++it;
        continue;
      }
      (void)ExecOn(conn_->conn, "DROP VIEW IF EXISTS temp.main." + QuoteIdentifier(it->first));
      it = conn_->views.erase(it);
      changed_ = true;
    }
  }

  // True if this query created, replaced or dropped any view so far.
  bool changed() const { return changed_; }

  Status Define(const std::string& name, const std::string& select) {
    defined_.insert(name);
    auto it = conn_->views.find(name);
    if (it != conn_->views.end() && it->second == select) return Status::OK();
    changed_ = true;
    Status s = ExecOn(conn_->conn, fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}",
                                               QuoteIdentifier(name), select));
    if (s.ok()) {
      conn_->views[name] = select;
    } else {
      // What is left under the name is not this query's view, and dropping it
      // may fail too (a query interrupted here is interrupted again): it is
      // kept as no query's view (no SELECT is empty), which the next query on
      // the connection replaces or drops.
      conn_->views[name] = std::string();
    }
    return s;
  }

 private:
  Connection* conn_;
  std::set<std::string> defined_;
  bool changed_ = false;
};

// Where a query's tail branches come from: the engine's typed copy of the
// tail, filled on the query's connection from its pin.
struct TailSource {
  const TailPin* pin = nullptr;
  TailCache* cache = nullptr;
  duckdb_connection conn = nullptr;
  idx_t conn_id = 0;
  TailPins::Entry entry;
};

// The files of shape's table a scan reads.
std::vector<const CatalogFile*> FilesRead(const TableScan& scan, const TableShape& shape) {
  if (!scan.all_files || shape.table == nullptr) return scan.files;
  std::vector<const CatalogFile*> files;
  for (const auto& [path, f] : shape.table->files) files.push_back(&f);
  return files;
}

// Defines, on the query's connection, a view per table the statement reads
// (see view_builder.h): the files the planner kept, and the tail branch
// when the pin holds undelivered records of the stream.
Status DefineQueryViews(const ScanPlan& plan, const ViewPublisher::Published& published,
                        const TailSource& tail, const FileRoots& roots, QueryViews* views) {
  for (const auto& [name, scan] : plan.tables) {
    const TableShape& shape = published.shapes.at(name);
    if (scan.shape_only) {
      GL_RETURN_IF_ERROR(views->Define(name, ShapeSelect(shape)));
      continue;
    }
    std::optional<std::string> tail_branch;
    if (tail.pin != nullptr) {
      auto s = tail.pin->streams.find(name);
      uint64_t after = TailFloor(shape);
      if (s != tail.pin->streams.end() && !s->second.empty() &&
          s->second.back()->seqs.back() > after) {
        uint64_t bytes = 0;
        if (tail.cache != nullptr) {
          GL_ASSIGN_OR_RETURN(tail_branch, tail.cache->Branch(tail.conn, tail.conn_id, tail.entry,
                                                              shape, s->second, &bytes));
        }
        if (tail_branch) {
          if (tail.entry.bytes_read) tail.entry.bytes_read->fetch_add(bytes);
        } else {
          tail_branch = TailSelect(shape, after);
        }
      }
    }
    std::vector<const CatalogFile*> files = FilesRead(scan, shape);
    GL_RETURN_IF_ERROR(views->Define(
        name, DataSelect(shape, files, tail_branch ? &*tail_branch : nullptr, roots)));
  }
  return Status::OK();
}

// Other nodes' files among those the statement reads, as the remote file
// store fetches them.
std::vector<RemoteObject> RemoteFilesRead(const ScanPlan& plan,
                                          const ViewPublisher::Published& published) {
  std::vector<RemoteObject> out;
  for (const auto& [name, scan] : plan.tables) {
    if (scan.shape_only) continue;
    for (const CatalogFile* f : FilesRead(scan, published.shapes.at(name))) {
      if (f->remote) out.push_back(RemoteObject{f->path, f->bytes, f->etag});
    }
  }
  return out;
}

class QueryEngineImpl final : public QueryEngine {
 public:
  QueryEngineImpl(Catalog* catalog, LiveTail* tail, const QueryEngineOptions& options)
      : catalog_(catalog),
        tail_(tail),
        options_(options),
        env_(options.env),
        history_(options.env, options.history_path) {
    next_id_ = history_.max_query_id() + 1;
  }

  ~QueryEngineImpl() override {
    {
      MutexLock lock(&mu_);
      stop_ = true;
    }
    cv_.SignalAll();
    if (watchdog_.joinable()) watchdog_.join();
    publisher_.reset();
    for (auto& c : pool_) {
      c->last = LastStatement{};  // Its statements before their connection.
      duckdb_disconnect(&c->conn);
    }
    if (admin_) duckdb_disconnect(&admin_);
    if (db_) duckdb_close(&db_);
  }

  Status Init() {
    // Open from a thread with lowered priority: DuckDB's workers inherit it.
    Status opened;
    std::thread opener([&] {
      LowerThreadPriority(options_.nice);
      opened = OpenDatabase();
    });
    opener.join();
    GL_RETURN_IF_ERROR(opened);
    publisher_ = std::make_unique<ViewPublisher>(admin_, catalog_, tail_);
    GL_RETURN_IF_ERROR(Refresh());
    watchdog_ = std::thread([this] { Watchdog(); });
    return Status::OK();
  }

  Status OpenDatabase() {
    // DuckDB creates only the last folder of its spill path, and only when a
    // query first spills: a missing parent failed that query (a KPI over
    // 10M events), not the start.
    if (!options_.temp_dir.empty()) {
      GL_RETURN_IF_ERROR(env_->CreateDirs(options_.temp_dir)
                             .WithContext("creating the SQL engine's spill folder"));
    }
    duckdb_config config;
    if (duckdb_create_config(&config) != DuckDBSuccess) {
      return Status::Internal("cannot create a DuckDB config");
    }
    auto set = [&](const char* name, const std::string& value) {
      return duckdb_set_config(config, name, value.c_str()) == DuckDBSuccess;
    };
    bool ok = set("threads", std::to_string(std::max(1, options_.threads))) &&
              set("memory_limit", options_.memory_limit) &&
              set("autoinstall_known_extensions", "false") &&
              set("autoload_known_extensions", "false") &&
              set("allow_community_extensions", "false") &&
              // DuckDB's cache of file bytes read keeps the bytes of files
              // long deleted (compaction's inputs, retired deliveries) until
              // the memory limit evicts them: the process grew towards
              // sql.memory_limit. The OS page cache serves rereads of local
              // files; other nodes' files are already local copies.
              set("enable_external_file_cache", "false");
    if (ok && !options_.temp_dir.empty()) ok = set("temp_directory", options_.temp_dir);
    if (!ok) {
      duckdb_destroy_config(&config);
      return Status::InvalidArgument(
          fmt::format("bad SQL engine setting (sql.threads {}, sql.memory_limit \"{}\")",
                      options_.threads, options_.memory_limit));
    }
    char* error = nullptr;
    duckdb_state state = duckdb_open_ext(nullptr, &db_, config, &error);
    duckdb_destroy_config(&config);
    if (state != DuckDBSuccess) {
      std::string msg = error ? error : "unknown error";
      duckdb_free(error);
      return Status::Internal("opening the SQL engine: " + msg);
    }
    if (duckdb_connect(db_, &admin_) != DuckDBSuccess) {
      return Status::Internal("connecting to the SQL engine");
    }
    GL_RETURN_IF_ERROR(RegisterTailFunction(admin_, &pins_));
    auto as_dir = [](std::string dir) {
      if (!dir.empty() && dir.back() != '/') dir += '/';
      return dir;
    };
    std::string allowed = QuoteLiteral(as_dir(catalog_->lake_dir()));
    if (options_.remote_files != nullptr) {
      allowed += ", " + QuoteLiteral(as_dir(options_.remote_files->dir()));
    }
    GL_RETURN_IF_ERROR(ExecOn(admin_, "CREATE SCHEMA IF NOT EXISTS lake"));
    // The typed copy of the live tail (tail_cache.h).
    GL_RETURN_IF_ERROR(ExecOn(admin_, "CREATE SCHEMA IF NOT EXISTS memory.gl_tail"));
    // Lake files are written once and never change: their footers could be
    // cached across queries, but the cache has no bound (query_engine.h). A
    // Parquet option, so not known to duckdb_open's config.
    GL_RETURN_IF_ERROR(ExecOn(admin_, fmt::format("SET GLOBAL parquet_metadata_cache = {}",
                                                  options_.parquet_metadata_cache)));
    GL_RETURN_IF_ERROR(ExecOn(admin_, "SET search_path = 'lake'"));
    for (int i = 0; i < std::max(1, options_.max_concurrent); ++i) {
      GL_RETURN_IF_ERROR(AddConnection());
    }
    // Lock the sandbox: files under the lake (and the copies of other nodes'
    // files) only, no extensions, no changes.
    GL_RETURN_IF_ERROR(ExecOn(admin_, fmt::format("SET allowed_directories = [{}]", allowed)));
    GL_RETURN_IF_ERROR(ExecOn(admin_, "SET enable_external_access = false"));
    GL_RETURN_IF_ERROR(ExecOn(admin_, "SET lock_configuration = true"));
    return Status::OK();
  }

  Status AddConnection() {
    auto c = std::make_unique<Connection>();
    if (duckdb_connect(db_, &c->conn) != DuckDBSuccess) {
      return Status::Internal("connecting to the SQL engine");
    }
    duckdb_client_context ctx = nullptr;
    duckdb_connection_get_client_context(c->conn, &ctx);
    c->id = duckdb_client_context_get_connection_id(ctx);
    duckdb_destroy_client_context(&ctx);
    GL_RETURN_IF_ERROR(ExecOn(c->conn, "SET search_path = 'lake'"));
    GL_RETURN_IF_ERROR(ExecOn(c->conn, "SET enable_profiling = 'no_output'"));
    GL_RETURN_IF_ERROR(
        ExecOn(c->conn, "SET custom_profiling_settings = '{\"TOTAL_BYTES_READ\": \"true\"}'"));
    pool_.push_back(std::move(c));
    return Status::OK();
  }

  Status Refresh() override {
    GL_RETURN_IF_ERROR(publisher_->Refresh());
    // Once per catalog version (deliveries move it), typed copies of the tail
    // holding delivered rows go (tail_cache.h).
    std::shared_ptr<const CatalogSnapshot> snap = catalog_->Snapshot();
    if (snap->version == tail_forgotten_version_.load()) return Status::OK();
    bool all = true;
    for (const auto& [name, table] : snap->tables) {
      all = tail_cache_.Forget(name, table->delivered_seq()) && all;
    }
    if (all) tail_forgotten_version_.store(snap->version);
    return Status::OK();
  }

  // The context of a failure to fetch another node's file.
  static constexpr std::string_view kRemoteReadContext =
      "the query reads another node's files of the shared lake";

  // True when `s` says another node's file was not in the store (404).
  static bool IsRemoteFileGone(const Status& s) {
    return s.code() == Status::Code::kNotFound && s.message().starts_with(kRemoteReadContext);
  }

  // DuckDB's words for a file it was told to read and could not find, about
  // a file of the lake.
  bool MentionsMissingLakeFile(std::string_view message) const {
    const std::string& lake = catalog_->lake_dir();
    return !lake.empty() && message.find(lake) != std::string_view::npos &&
           (message.find("No files found that match the pattern") != std::string_view::npos ||
            message.find("No such file or directory") != std::string_view::npos);
  }

  // ---- Queries.

  Result<QueryStats> Run(const QueryRequest& request, ResultSink* sink) override {
    int64_t started = env_->NowMicros();
    QueryHistoryEntry entry;
    entry.query_id = next_id_.fetch_add(1);
    entry.sql = request.sql;
    entry.user = request.user;
    entry.started_us = started;
    QueryStats stats;
    stats.query_id = entry.query_id;
    BeginTracker tracked(sink);
    Status s = RunOnce(request, &tracked, &stats, started);
    if (!s.ok() && MentionsMissingLakeFile(s.message())) {
      // Files were removed from the lake behind the catalog's back (by hand,
      // say a retention job): a crawl forgets them, and a query that has not
      // sent anything yet runs once more over what is there.
      spdlog::warn(
          "msg=\"a query met a lake file that is gone; re-crawling the lake\" error=\"{}\"",
          s.message());
      Result<CrawlReport> crawled = catalog_->Crawl(false);
      if (crawled.ok() && !tracked.begun()) {
        stats = QueryStats{};
        stats.query_id = entry.query_id;
        s = RunOnce(request, &tracked, &stats, started);
      }
    } else if (IsRemoteFileGone(s) && options_.resync_remote_files && !tracked.begun()) {
      // Another node replaced or dropped a file after this node listed it:
      // a full listing swaps it for what replaced it, then one more run.
      spdlog::warn(
          "msg=\"a query met another node's file that is gone; listing again\" error=\"{}\"",
          s.message());
      Status resynced = options_.resync_remote_files();
      if (resynced.ok()) {
        stats = QueryStats{};
        stats.query_id = entry.query_id;
        s = RunOnce(request, &tracked, &stats, started);
      }
    }
    stats.elapsed_ms = static_cast<double>(env_->NowMicros() - started) / 1000.0;
    entry.duration_ms = stats.elapsed_ms;
    entry.rows = stats.row_count;
    entry.bytes_scanned = stats.bytes_scanned;
    entry.state = s.ok()                                        ? "succeeded"
                  : s.code() == Status::Code::kDeadlineExceeded ? "timed_out"
                  : s.code() == Status::Code::kCancelled        ? "cancelled"
                                                                : "failed";
    entry.error = s.ok() ? "" : s.message();
    history_.Add(entry);
    if (!s.ok()) return s;
    return stats;
  }

  // One attempt: checks, plans, binds and streams the statement.
  Status RunOnce(const QueryRequest& request, ResultSink* sink, QueryStats* stats,
                 int64_t started) {
    std::string_view sql = TrimStatement(request.sql);
    if (sql.empty()) return Status::InvalidArgument("the query is empty");
    GL_ASSIGN_OR_RETURN(SqlShape shape, ParseSqlShape(sql));
    GL_RETURN_IF_ERROR(CheckNoInternalNames(sql));  // Queries and view bodies alike.
    // Held until the last file is read: files a compaction or an erasure
    // replaces meanwhile stay on disk for this query (lake/file_reclaimer.h).
    FileReclaimer::Ticket ticket;
    if (options_.reclaimer != nullptr) ticket = options_.reclaimer->Enter();
    if (tail_ && request.catch_up_us > 0) tail_->CatchUp(request.catch_up_us);
    GL_RETURN_IF_ERROR(Refresh());
    GL_ASSIGN_OR_RETURN(Connection * conn, Acquire());
    struct Release {
      QueryEngineImpl* self;
      Connection* conn;
      ~Release() { self->ReleaseConnection(conn); }
    } release{this, conn};
    tail_cache_.DropRetired(conn->conn);
    QueryViews views(conn);

    if (shape.kind == SqlShape::Kind::kCreateView || shape.kind == SqlShape::Kind::kDropView) {
      return RunViewStatement(shape, request, conn, &views, sink, stats);
    }
    std::string sql_text(sql);
    GL_RETURN_IF_ERROR(CheckOneStatement(conn->conn, sql_text));
    // Parsed (which has no effects), but not yet bound (which may have some).
    GL_RETURN_IF_ERROR(CheckStartsLikeAQuery(shape, sql));
    // From here the query's timeout and Cancel() apply: defining its views may
    // type the live tail (TailCache::Branch), which takes a while.
    Register(stats->query_id, request, conn, started);
    struct Unregister {
      QueryEngineImpl* self;
      uint64_t id;
      ~Unregister() { self->Unregister(id); }
    } unregister{this, stats->query_id};

    auto tail_bytes = std::make_shared<std::atomic<uint64_t>>(0);
    struct Unpin {
      TailPins* pins;
      idx_t id;
      ~Unpin() { pins->Clear(id); }
    } unpin{&pins_, conn->id};
    ResultReader* reader = nullptr;  // Owned by conn->last.
    // Other nodes' files the statement reads stay in the cache until its
    // last row (declared before the result, so it ends after it).
    std::unique_ptr<RemoteFileStore::Lease> remote_lease;
    DuckResult result;
    {
      // Plan, bind and start against one published state (view_publisher.h).
      ViewPublisher::Reading reading = publisher_->Read();
      TailCache::Hold hold = tail_cache_.Enter();
      TailSource tail;
      std::shared_ptr<const TailPin> pin;
      if (tail_) pin = tail_->Pin();
      tail.entry = TailPins::Entry{pin, tail_bytes};
      pins_.Set(conn->id, tail.entry);
      tail.pin = pin.get();
      tail.cache = &tail_cache_;
      tail.conn = conn->conn;
      tail.conn_id = conn->id;
      std::string_view planned = shape.kind == SqlShape::Kind::kExplain ? shape.body : sql;
      ScanPlan plan = QueryPlanner::Plan(conn->conn, planned, reading.state().planner);
      GL_ASSIGN_OR_RETURN(remote_lease, AcquireRemote(plan, reading.state()));
      Status defined = DefineQueryViews(plan, reading.state(), tail, Roots(), &views);
      if (!defined.ok()) return StoppedOr(stats->query_id, std::move(defined));
      views.DropOthers();
      GL_ASSIGN_OR_RETURN(reader, PrepareOn(conn, sql_text, shape, reading.state(), views));
      if (duckdb_execute_prepared_streaming(reader->statement(), result.get()) != DuckDBSuccess) {
        return ExecutionError(stats->query_id, result.get());
      }
    }
    Status s = reader->Read(result.get(), sink, &stats->row_count);
    if (!s.ok()) {
      duckdb_interrupt(conn->conn);
      return s;
    }
    if (duckdb_result_error(result.get()) != nullptr) {
      Status error = ExecutionError(stats->query_id, result.get());
      sink->Abort(error);
      return error;
    }
    // Parquet bytes DuckDB read, plus the live tail's record bytes.
    stats->bytes_scanned = BytesRead(conn) + tail_bytes->load();
    stats->elapsed_ms = static_cast<double>(env_->NowMicros() - started) / 1000.0;
    return sink->Finish(*stats);
  }

  // The statement `sql` prepared on conn, checked to only read, with its
  // reader: the connection's last one if nothing it was bound against changed
  // (LastStatement), else prepared now and kept as the last one.
  Result<ResultReader*> PrepareOn(Connection* conn, const std::string& sql, const SqlShape& shape,
                                  const ViewPublisher::Published& published,
                                  const QueryViews& views) {
    LastStatement& last = conn->last;
    if (last.reader != nullptr && last.sql == sql && last.snapshot == published.snapshot &&
        !views.changed()) {
      return last.reader.get();
    }
    last = LastStatement{};
    DuckPrepared prepared;
    if (duckdb_prepare(conn->conn, sql.c_str(), prepared.out()) != DuckDBSuccess) {
      return FromPrepareError(duckdb_prepare_error(prepared.get()));
    }
    GL_RETURN_IF_ERROR(CheckReadOnly(conn->conn, prepared.get(), shape));
    bool select = duckdb_prepared_statement_type(prepared.get()) == DUCKDB_STATEMENT_TYPE_SELECT;
    GL_ASSIGN_OR_RETURN(std::unique_ptr<ResultReader> reader,
                        ResultReader::Prepare(conn->conn, prepared.get(), sql, select));
    last.sql = sql;
    last.snapshot = published.snapshot;
    last.prepared = std::move(prepared);
    last.reader = std::move(reader);
    return last.reader.get();
  }

  Status RunViewStatement(const SqlShape& shape, const QueryRequest& request, Connection* conn,
                          QueryViews* views, ResultSink* sink, QueryStats* stats) {
    std::string done;
    if (shape.kind == SqlShape::Kind::kCreateView) {
      GL_RETURN_IF_ERROR(CheckViewBody(shape, conn, views));
      CatalogView view;
      view.name = shape.name;
      view.sql = shape.body;
      view.created_by = request.user;
      view.created_us = env_->NowMicros();
      GL_RETURN_IF_ERROR(catalog_->CreateView(view, shape.or_replace));
      done = "CREATE VIEW";
    } else {
      GL_RETURN_IF_ERROR(catalog_->DropView(shape.name, shape.if_exists));
      done = "DROP VIEW";
    }
    GL_RETURN_IF_ERROR(Refresh());
    GL_RETURN_IF_ERROR(sink->Begin({{"status", "VARCHAR"}}));
    Cell cell;
    cell.kind = Cell::Kind::kString;
    cell.text = done;
    GL_RETURN_IF_ERROR(sink->AddRow(std::span<const Cell>(&cell, 1)));
    stats->row_count = 1;
    return sink->Finish(*stats);
  }

  // A view's body must be one query that binds now.
  Status CheckViewBody(const SqlShape& shape, Connection* conn, QueryViews* views) {
    if (catalog_->Snapshot()->FindTable(shape.name) != nullptr) {
      return Status::AlreadyExists(
          fmt::format("\"{}\" is a table of the lake; a view needs another name", shape.name));
    }
    if (!StartsLikeAQuery(shape.body)) {
      return Status::PermissionDenied("a view must be a query (SELECT ...)");
    }
    GL_RETURN_IF_ERROR(CheckOneStatement(conn->conn, shape.body));
    ViewPublisher::Reading reading = publisher_->Read();
    ScanPlan plan = QueryPlanner::Plan(conn->conn, shape.body, reading.state().planner);
    for (auto& [name, scan] : plan.tables) scan.shape_only = true;  // Binding needs no rows.
    GL_RETURN_IF_ERROR(DefineQueryViews(plan, reading.state(), TailSource{}, Roots(), views));
    views->DropOthers();
    DuckPrepared body;
    if (duckdb_prepare(conn->conn, shape.body.c_str(), body.out()) != DuckDBSuccess) {
      return FromPrepareError(duckdb_prepare_error(body.get()));
    }
    if (duckdb_prepared_statement_type(body.get()) != DUCKDB_STATEMENT_TYPE_SELECT) {
      return Status::PermissionDenied("a view must be a query (SELECT ...)");
    }
    return Status::OK();
  }

  FileRoots Roots() const {
    FileRoots roots;
    roots.lake_dir = catalog_->lake_dir();
    if (options_.remote_files != nullptr) roots.remote_dir = options_.remote_files->dir();
    return roots;
  }

  // Fetches (and pins) the other nodes' files the plan reads; an error names
  // the object that could not be fetched. Null when there are none.
  Result<std::unique_ptr<RemoteFileStore::Lease>> AcquireRemote(
      const ScanPlan& plan, const ViewPublisher::Published& published) {
    std::vector<RemoteObject> remote = RemoteFilesRead(plan, published);
    if (remote.empty()) return std::unique_ptr<RemoteFileStore::Lease>();
    if (options_.remote_files == nullptr) {
      return Status::Unavailable("the query reads " + remote.front().path +
                                 ", another node's file, and this engine has no store to fetch "
                                 "it from");
    }
    Result<std::unique_ptr<RemoteFileStore::Lease>> lease = options_.remote_files->Acquire(remote);
    if (!lease.ok()) {
      return lease.status().WithContext(kRemoteReadContext);
    }
    return lease;
  }

  Status ExecutionError(uint64_t id, duckdb_result* r) {
    const char* msg = duckdb_result_error(r);
    return StoppedOr(id,
                     FromDuckError(duckdb_result_error_type(r), msg ? msg : "the query failed"));
  }

  // An interrupted statement (Cancelled) of query `id`, said as why it was
  // stopped: its timeout or a cancel. Any other error as it is.
  Status StoppedOr(uint64_t id, Status s) GL_EXCLUDES(mu_) {
    if (s.code() != Status::Code::kCancelled) return s;
    MutexLock lock(&mu_);
    auto it = running_.find(id);
    if (it != running_.end() && it->second.timed_out) {
      return Status::DeadlineExceeded(fmt::format(
          "the query ran longer than its timeout ({} s; setting sql.query_timeout_s) and was "
          "stopped",
          (it->second.deadline_us - it->second.info.started_us) / 1e6));
    }
    return Status::Cancelled("the query was cancelled");
  }

  uint64_t BytesRead(Connection* conn) {
    duckdb_profiling_info info = duckdb_get_profiling_info(conn->conn);
    if (info == nullptr) return 0;
    duckdb_value v = duckdb_profiling_info_get_value(info, "TOTAL_BYTES_READ");
    if (v == nullptr) return 0;
    char* text = duckdb_get_varchar(v);
    uint64_t bytes = text ? std::strtoull(text, nullptr, 10) : 0;
    duckdb_free(text);
    duckdb_destroy_value(&v);
    return bytes;
  }

  // ---- Connections, running queries, cancellation.

  Result<Connection*> Acquire() GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto wait = std::chrono::microseconds(static_cast<int64_t>(options_.max_wait_s * 1e6));
    auto free_connection = [&]() -> Connection* {
      for (auto& c : pool_) {
        if (!c->busy) return c.get();
      }
      return nullptr;
    };
    if (!cv_.WaitFor(&mu_, wait, [&]() GL_REQUIRES(mu_) { return free_connection() != nullptr; })) {
      return Status::ResourceExhausted(fmt::format(
          "{} queries are running (sql.max_concurrent_queries); try again later", pool_.size()));
    }
    Connection* c = free_connection();
    c->busy = true;
    return c;
  }

  void ReleaseConnection(Connection* c) GL_EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      c->busy = false;
    }
    cv_.SignalAll();
  }

  void Register(uint64_t id, const QueryRequest& request, Connection* conn, int64_t started)
      GL_EXCLUDES(mu_) {
    double timeout = options_.timeout_s;
    if (request.timeout_s > 0) timeout = std::min(timeout, request.timeout_s);
    RunningEntry r;
    r.info.query_id = id;
    r.info.sql = request.sql;
    r.info.user = request.user;
    r.info.started_us = started;
    r.conn = conn;
    r.deadline_us = started + static_cast<int64_t>(timeout * 1e6);
    MutexLock lock(&mu_);
    running_[id] = r;
  }

  void Unregister(uint64_t id) GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    running_.erase(id);
  }

  Status Cancel(uint64_t query_id) override GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = running_.find(query_id);
    if (it == running_.end()) {
      return Status::NotFound(fmt::format("query {} is not running", query_id));
    }
    it->second.cancelled = true;
    duckdb_interrupt(it->second.conn->conn);
    return Status::OK();
  }

  std::vector<RunningQuery> Running() const override GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    std::vector<RunningQuery> out;
    for (const auto& [id, r] : running_) out.push_back(r.info);
    return out;
  }

  QueryHistory* history() override { return &history_; }

  void RefreshSoon() override { refresh_requested_.store(true); }

  void Watchdog() GL_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (!stop_) {
      cv_.WaitFor(&mu_, std::chrono::milliseconds(50));
      if (refresh_requested_.exchange(false)) {
        lock.Unlock();
        Status s = Refresh();
        if (!s.ok())
          spdlog::warn("msg=\"refreshing the SQL views failed\" error=\"{}\"", s.ToString());
        lock.Lock();
      }
      int64_t now = env_->NowMicros();
      for (auto& [id, r] : running_) {
        if (!r.timed_out && now >= r.deadline_us) r.timed_out = true;
        // On every tick, not once: DuckDB clears an interrupt when a statement
        // starts, so one that falls between two statements of a query (its
        // views, the tail's fill, its SELECT) would be lost.
        if (r.timed_out || r.cancelled) duckdb_interrupt(r.conn->conn);
      }
    }
  }

 private:
  Catalog* catalog_;
  LiveTail* tail_;
  QueryEngineOptions options_;
  Env* env_;
  QueryHistory history_;
  duckdb_database db_ = nullptr;
  duckdb_connection admin_ = nullptr;
  std::vector<std::unique_ptr<Connection>> pool_;
  TailPins pins_;
  TailCache tail_cache_{&pins_};
  std::atomic<uint64_t> tail_forgotten_version_{UINT64_MAX};  // See Refresh().
  std::unique_ptr<ViewPublisher> publisher_;

  mutable Mutex mu_;  // Pool (each Connection's busy), running queries.
  CondVar cv_;
  std::map<uint64_t, RunningEntry> running_ GL_GUARDED_BY(mu_);
  std::atomic<uint64_t> next_id_{1};
  bool stop_ GL_GUARDED_BY(mu_) = false;
  std::atomic<bool> refresh_requested_{false};
  std::thread watchdog_;
};

}  // namespace

void LowerThreadPriority(int nice) {
  if (nice <= 0) return;
  pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  int current = ::getpriority(PRIO_PROCESS, tid);
  (void)::setpriority(PRIO_PROCESS, tid, std::min(19, current + nice));
}

Result<uint64_t> CountRowsMatching(QueryEngine* engine, const std::string& table,
                                   const std::string& where) {
  class One final : public ResultSink {
   public:
    Status Begin(const std::vector<ResultColumn>&) override { return Status::OK(); }
    Status AddRow(std::span<const Cell> row) override {
      if (row.size() == 1 && row[0].kind == Cell::Kind::kInt) n = static_cast<uint64_t>(row[0].i);
      return Status::OK();
    }
    Status Finish(const QueryStats&) override { return Status::OK(); }
    void Abort(const Status&) override {}
    uint64_t n = 0;
  } sink;
  QueryRequest request;
  request.sql =
      fmt::format("SELECT count(*) FROM {} WHERE (\n{}\n)", QuoteIdentifier(table), where);
  request.user = "erasure";
  Result<QueryStats> stats = engine->Run(request, &sink);
  if (!stats.ok()) {
    if (stats.status().message().find("does not exist") != std::string::npos) {
      return Status::InvalidArgument("no table named " + table + " in the lake");
    }
    return stats.status();
  }
  return sink.n;
}

Result<std::unique_ptr<QueryEngine>> QueryEngine::Open(Catalog* catalog, LiveTail* tail,
                                                       const QueryEngineOptions& options) {
  auto engine = std::make_unique<QueryEngineImpl>(catalog, tail, options);
  GL_RETURN_IF_ERROR(engine->Init());
  return std::unique_ptr<QueryEngine>(std::move(engine));
}

}  // namespace gamelake
