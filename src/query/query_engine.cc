#include "query/query_engine.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/json_writer.h"
#include "query/sql_text.h"
#include "query/view_builder.h"

namespace gamelake {

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The error of a DuckDB statement as a Status with a code a caller can act on.
Status FromDuckError(duckdb_error_type type, std::string_view message) {
  switch (type) {
    case DUCKDB_ERROR_PERMISSION:
      return Status::PermissionDenied(message);
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return Status::ResourceExhausted(message);
    case DUCKDB_ERROR_IO:
      return Status::IOError(message);
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL:
      return Status::Internal(message);
    default:
      return Status::InvalidArgument(message);
  }
}

Status FromPrepareError(std::string_view message) {
  if (message.starts_with("Permission Error")) return Status::PermissionDenied(message);
  if (message.starts_with("Out of Memory Error")) return Status::ResourceExhausted(message);
  if (message.starts_with("IO Error")) return Status::IOError(message);
  return Status::InvalidArgument(message);
}

std::string_view StatementTypeName(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_INSERT:
      return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE:
      return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_DELETE:
      return "DELETE";
    case DUCKDB_STATEMENT_TYPE_PREPARE:
      return "PREPARE";
    case DUCKDB_STATEMENT_TYPE_CREATE:
      return "CREATE (only CREATE VIEW is allowed)";
    case DUCKDB_STATEMENT_TYPE_EXECUTE:
      return "EXECUTE";
    case DUCKDB_STATEMENT_TYPE_ALTER:
      return "ALTER";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION:
      return "a transaction statement";
    case DUCKDB_STATEMENT_TYPE_COPY:
      return "COPY";
    case DUCKDB_STATEMENT_TYPE_ANALYZE:
      return "ANALYZE";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET:
      return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC:
      return "CREATE MACRO/FUNCTION";
    case DUCKDB_STATEMENT_TYPE_DROP:
      return "DROP (only DROP VIEW is allowed)";
    case DUCKDB_STATEMENT_TYPE_EXPORT:
      return "EXPORT DATABASE";
    case DUCKDB_STATEMENT_TYPE_PRAGMA:
      return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_VACUUM:
      return "VACUUM";
    case DUCKDB_STATEMENT_TYPE_CALL:
      return "CALL";
    case DUCKDB_STATEMENT_TYPE_SET:
      return "SET/RESET";
    case DUCKDB_STATEMENT_TYPE_LOAD:
      return "INSTALL/LOAD";
    case DUCKDB_STATEMENT_TYPE_ATTACH:
      return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH:
      return "DETACH";
    default:
      return "this statement";
  }
}

// RAII holders for the C API's handles.
struct Prepared {
  duckdb_prepared_statement p = nullptr;
  ~Prepared() {
    if (p) duckdb_destroy_prepare(&p);
  }
};
struct Extracted {
  duckdb_extracted_statements e = nullptr;
  ~Extracted() {
    if (e) duckdb_destroy_extracted(&e);
  }
};
struct ResultHolder {
  duckdb_result r{};
  bool valid = false;
  ~ResultHolder() {
    if (valid) duckdb_destroy_result(&r);
  }
};
struct ChunkHolder {
  duckdb_data_chunk c = nullptr;
  ~ChunkHolder() {
    if (c) duckdb_destroy_data_chunk(&c);
  }
};

// How a result column is carried to the sink.
enum class Carry {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat,
  kDouble,
  kVarchar,
  kNumberText,
  kJsonText,
  kText
};

// Native columns are read straight from DuckDB's vectors; the others are
// turned into text by DuckDB itself (a wrapping SELECT), as `carry` says.
Carry CarryFor(duckdb_type t) {
  switch (t) {
    case DUCKDB_TYPE_BOOLEAN:
      return Carry::kBool;
    case DUCKDB_TYPE_TINYINT:
      return Carry::kInt8;
    case DUCKDB_TYPE_SMALLINT:
      return Carry::kInt16;
    case DUCKDB_TYPE_INTEGER:
      return Carry::kInt32;
    case DUCKDB_TYPE_BIGINT:
      return Carry::kInt64;
    case DUCKDB_TYPE_UTINYINT:
      return Carry::kUInt8;
    case DUCKDB_TYPE_USMALLINT:
      return Carry::kUInt16;
    case DUCKDB_TYPE_UINTEGER:
      return Carry::kUInt32;
    case DUCKDB_TYPE_UBIGINT:
      return Carry::kUInt64;
    case DUCKDB_TYPE_FLOAT:
      return Carry::kFloat;
    case DUCKDB_TYPE_DOUBLE:
      return Carry::kDouble;
    case DUCKDB_TYPE_VARCHAR:
      return Carry::kVarchar;
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return Carry::kNumberText;
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_UNION:
      return Carry::kJsonText;
    default:
      return Carry::kText;
  }
}

bool ContainsIgnoreCase(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

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

// ---- The tail table function: gamelake_tail(stream VARCHAR, after_seq BIGINT).

// What a running query may read of the tail, by DuckDB connection id, and
// how many bytes of it its scans have read (for bytes_scanned).
struct PinnedTail {
  std::shared_ptr<const TailPin> pin;
  std::shared_ptr<std::atomic<uint64_t>> bytes_read;
};
struct PinRegistry {
  std::mutex mu;
  std::map<idx_t, PinnedTail> pins;
};

struct TailBind {
  std::shared_ptr<const TailPin> pin;  // Keeps the chunks alive.
  std::shared_ptr<std::atomic<uint64_t>> bytes_read;
  const std::vector<std::shared_ptr<const TailChunk>>* chunks = nullptr;
  uint64_t after = 0;
};
// Threads scan the pinned chunks in parallel: each claims the next whole
// chunk (at most kTailChunkRecords records, one output vector) from the
// shared counter, so the JSON parsing above the scan runs on every core.
struct TailScan {
  std::atomic<size_t> next_chunk{0};
};
struct TailLocalScan {
  size_t chunk = SIZE_MAX;  // The chunk this thread is emitting, if any.
  size_t row = 0;
};

void TailBindFn(duckdb_bind_info info) {
  auto* registry = static_cast<PinRegistry*>(duckdb_bind_get_extra_info(info));
  duckdb_value stream_v = duckdb_bind_get_parameter(info, 0);
  duckdb_value after_v = duckdb_bind_get_parameter(info, 1);
  char* stream = duckdb_get_varchar(stream_v);
  int64_t after_signed = duckdb_get_int64(after_v);
  uint64_t after = after_signed < 0 ? 0 : static_cast<uint64_t>(after_signed);
  auto bind = std::make_unique<TailBind>();
  bind->after = after;
  duckdb_client_context ctx = nullptr;
  duckdb_table_function_get_client_context(info, &ctx);
  idx_t conn_id = duckdb_client_context_get_connection_id(ctx);
  duckdb_destroy_client_context(&ctx);
  {
    std::lock_guard lock(registry->mu);
    auto it = registry->pins.find(conn_id);
    if (it != registry->pins.end()) {
      bind->pin = it->second.pin;
      bind->bytes_read = it->second.bytes_read;
    }
  }
  if (bind->pin) {
    auto s = bind->pin->streams.find(std::string_view(stream));
    if (s != bind->pin->streams.end()) bind->chunks = &s->second;
  }
  duckdb_free(stream);
  duckdb_destroy_value(&stream_v);
  duckdb_destroy_value(&after_v);

  duckdb_logical_type ts = duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP);
  duckdb_logical_type bi = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_logical_type vc = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_bind_add_result_column(info, "_ingest_time", ts);
  duckdb_bind_add_result_column(info, "_record_id", bi);
  duckdb_bind_add_result_column(info, "doc", vc);
  duckdb_destroy_logical_type(&ts);
  duckdb_destroy_logical_type(&bi);
  duckdb_destroy_logical_type(&vc);
  duckdb_bind_set_bind_data(info, bind.release(),
                            [](void* p) { delete static_cast<TailBind*>(p); });  // NOLINT
}

void TailInitFn(duckdb_init_info info) {
  auto* bind = static_cast<TailBind*>(duckdb_init_get_bind_data(info));
  size_t chunks = bind->chunks != nullptr ? bind->chunks->size() : 0;
  duckdb_init_set_max_threads(info, std::max<idx_t>(1, chunks));
  duckdb_init_set_init_data(info, new TailScan(),  // NOLINT: owned by DuckDB.
                            [](void* p) { delete static_cast<TailScan*>(p); });
}

void TailLocalInitFn(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new TailLocalScan(),  // NOLINT: owned by DuckDB.
                            [](void* p) { delete static_cast<TailLocalScan*>(p); });
}

void TailScanFn(duckdb_function_info info, duckdb_data_chunk output) {
  auto* bind = static_cast<TailBind*>(duckdb_function_get_bind_data(info));
  auto* scan = static_cast<TailScan*>(duckdb_function_get_init_data(info));
  auto* local = static_cast<TailLocalScan*>(duckdb_function_get_local_init_data(info));
  idx_t n = 0;
  uint64_t bytes = 0;
  if (bind->chunks != nullptr) {
    duckdb_vector tv = duckdb_data_chunk_get_vector(output, 0);
    duckdb_vector rv = duckdb_data_chunk_get_vector(output, 1);
    duckdb_vector dv = duckdb_data_chunk_get_vector(output, 2);
    auto* times = static_cast<int64_t*>(duckdb_vector_get_data(tv));
    auto* ids = static_cast<int64_t*>(duckdb_vector_get_data(rv));
    idx_t capacity = duckdb_vector_size();
    const auto& chunks = *bind->chunks;
    while (n < capacity) {
      if (local->chunk >= chunks.size() || local->row >= chunks[local->chunk]->seqs.size()) {
        // Done with this chunk; an empty output chunk ends this thread's scan,
        // so only claim another while nothing is written yet.
        if (n > 0) break;
        local->chunk = scan->next_chunk.fetch_add(1);
        local->row = 0;
        if (local->chunk >= chunks.size()) break;
        continue;
      }
      const TailChunk& c = *chunks[local->chunk];
      size_t r = local->row++;
      if (c.seqs[r] <= bind->after) continue;
      times[n] = c.ingest_us[r];
      ids[n] = static_cast<int64_t>(c.seqs[r]);
      duckdb_vector_assign_string_element_len(dv, n, c.text.data() + c.offsets[r],
                                              c.offsets[r + 1] - c.offsets[r]);
      bytes += c.offsets[r + 1] - c.offsets[r];
      ++n;
    }
  }
  if (bytes > 0 && bind->bytes_read) bind->bytes_read->fetch_add(bytes);
  duckdb_data_chunk_set_size(output, n);
}

// ---- The engine.

struct Connection {
  duckdb_connection conn = nullptr;
  idx_t id = 0;
  bool busy = false;
};

struct RunningEntry {
  RunningQuery info;
  Connection* conn = nullptr;
  int64_t deadline_us = 0;
  bool timed_out = false;
  bool cancelled = false;
};

class QueryEngineImpl final : public QueryEngine {
 public:
  QueryEngineImpl(Catalog* catalog, LiveTail* tail, const QueryEngineOptions& options)
      : catalog_(catalog),
        tail_(tail),
        options_(options),
        history_(options.env, options.history_path) {
    next_id_ = history_.max_query_id() + 1;
  }

  ~QueryEngineImpl() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    for (auto& c : pool_) duckdb_disconnect(&c->conn);
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
    GL_RETURN_IF_ERROR(Refresh());
    watchdog_ = std::thread([this] { Watchdog(); });
    return Status::OK();
  }

  Status OpenDatabase() {
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
              set("allow_community_extensions", "false");
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
    // The tail function, visible to every connection.
    duckdb_table_function f = duckdb_create_table_function();
    duckdb_table_function_set_name(f, "gamelake_tail");
    duckdb_logical_type vc = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    duckdb_logical_type ub = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    duckdb_table_function_add_parameter(f, vc);
    duckdb_table_function_add_parameter(f, ub);
    duckdb_destroy_logical_type(&vc);
    duckdb_destroy_logical_type(&ub);
    duckdb_table_function_set_extra_info(f, &pins_, nullptr);
    duckdb_table_function_set_bind(f, TailBindFn);
    duckdb_table_function_set_init(f, TailInitFn);
    duckdb_table_function_set_local_init(f, TailLocalInitFn);
    duckdb_table_function_set_function(f, TailScanFn);
    duckdb_state reg = duckdb_register_table_function(admin_, f);
    duckdb_destroy_table_function(&f);
    if (reg != DuckDBSuccess) return Status::Internal("registering gamelake_tail");

    std::string lake = catalog_->lake_dir();
    if (!lake.empty() && lake.back() != '/') lake += '/';
    GL_RETURN_IF_ERROR(Exec(admin_, "CREATE SCHEMA IF NOT EXISTS lake"));
    // Lake files are written once and never change: their footers can be
    // cached across queries (a table's view binds every footer). A Parquet
    // option, so not known to duckdb_open's config.
    GL_RETURN_IF_ERROR(Exec(admin_, "SET GLOBAL parquet_metadata_cache = true"));
    GL_RETURN_IF_ERROR(Exec(admin_, "SET search_path = 'lake'"));
    for (int i = 0; i < std::max(1, options_.max_concurrent); ++i) {
      auto c = std::make_unique<Connection>();
      if (duckdb_connect(db_, &c->conn) != DuckDBSuccess) {
        return Status::Internal("connecting to the SQL engine");
      }
      duckdb_client_context ctx = nullptr;
      duckdb_connection_get_client_context(c->conn, &ctx);
      c->id = duckdb_client_context_get_connection_id(ctx);
      duckdb_destroy_client_context(&ctx);
      GL_RETURN_IF_ERROR(Exec(c->conn, "SET search_path = 'lake'"));
      GL_RETURN_IF_ERROR(Exec(c->conn, "SET enable_profiling = 'no_output'"));
      GL_RETURN_IF_ERROR(
          Exec(c->conn, "SET custom_profiling_settings = '{\"TOTAL_BYTES_READ\": \"true\"}'"));
      pool_.push_back(std::move(c));
    }
    // Lock the sandbox: files under the lake only, no extensions, no changes.
    GL_RETURN_IF_ERROR(
        Exec(admin_, fmt::format("SET allowed_directories = [{}]", QuoteLiteral(lake))));
    GL_RETURN_IF_ERROR(Exec(admin_, "SET enable_external_access = false"));
    GL_RETURN_IF_ERROR(Exec(admin_, "SET lock_configuration = true"));
    return Status::OK();
  }

  static Status Exec(duckdb_connection conn, const std::string& sql) {
    ResultHolder r;
    r.valid = true;
    if (duckdb_query(conn, sql.c_str(), &r.r) != DuckDBSuccess) {
      return FromDuckError(duckdb_result_error_type(&r.r), duckdb_result_error(&r.r));
    }
    return Status::OK();
  }

  // ---- Views.

  Status Refresh() override {
    std::lock_guard publish(publish_mu_);
    std::shared_ptr<const CatalogSnapshot> snap = catalog_->Snapshot();
    uint64_t tail_version = 0;
    std::map<std::string, SqlType> tail_types;
    std::set<std::string> tail_branches;
    if (tail_) {
      tail_types = tail_->Schemas(&tail_version);
      for (const auto& [stream, max_seq] : tail_->MaxSeqs()) {
        const CatalogTable* t = snap->FindTable(stream);
        if (t == nullptr || max_seq > t->delivered_seq()) tail_branches.insert(stream);
      }
    }
    if (published_ && snap->version == published_catalog_ && tail_version == published_tail_ &&
        tail_branches == tail_branches_) {
      return Status::OK();
    }
    ViewPlan plan =
        PlanViews(*snap, tail_types, tail_ ? &tail_branches : nullptr, catalog_->lake_dir());
    std::set<std::string> names;
    for (const auto& v : plan.tables) {
      Status s = Exec(admin_, v.sql);
      if (!s.ok()) {
        spdlog::error("msg=\"cannot publish the view of a table\" table=\"{}\" error=\"{}\"",
                      v.name, s.message());
        continue;
      }
      names.insert(v.name);
    }
    for (const auto& v : plan.views) {
      Status s = Exec(admin_, v.sql);
      if (!s.ok()) {
        spdlog::warn("msg=\"a saved view no longer binds\" view=\"{}\" error=\"{}\"", v.name,
                     s.message());
        continue;
      }
      names.insert(v.name);
    }
    for (const std::string& old : published_names_) {
      if (names.count(old)) continue;
      (void)Exec(admin_, "DROP VIEW IF EXISTS lake." + QuoteIdentifier(old));
    }
    published_names_ = std::move(names);
    {
      std::lock_guard lock(mu_);
      pruned_ = std::make_shared<const std::vector<ViewPlan::View>>(std::move(plan.pruned));
    }
    published_catalog_ = snap->version;
    published_tail_ = tail_version;
    tail_branches_ = std::move(tail_branches);
    published_delivered_ = plan.delivered;
    published_ = true;
    // Views now read files up to each stream's delivered seq: the tail may
    // forget what is below. Pins are taken under the same lock.
    if (tail_) {
      std::lock_guard pin(pin_mu_);
      for (const auto& [stream, seq] : plan.delivered) tail_->Trim(stream, seq);
    }
    return Status::OK();
  }

  // DuckDB's words for a file it was told to read and could not find, about
  // a file of the lake.
  bool MentionsMissingLakeFile(std::string_view message) const {
    const std::string& lake = catalog_->lake_dir();
    return !lake.empty() && message.find(lake) != std::string_view::npos &&
           (message.find("No files found that match the pattern") != std::string_view::npos ||
            message.find("No such file or directory") != std::string_view::npos);
  }

  bool NeedsTailBranch(const TailPin& pin) {
    std::lock_guard publish(publish_mu_);
    for (const auto& [stream, chunks] : pin.streams) {
      if (chunks.empty() || tail_branches_.count(stream)) continue;
      auto w = published_delivered_.find(stream);
      if (chunks.back()->seqs.back() > (w == published_delivered_.end() ? 0 : w->second)) {
        return true;
      }
    }
    return false;
  }

  // ---- Queries.

  Result<QueryStats> Run(const QueryRequest& request, ResultSink* sink) override {
    int64_t started = NowUs();
    QueryHistoryEntry entry;
    entry.query_id = next_id_.fetch_add(1);
    entry.sql = request.sql;
    entry.user = request.user;
    entry.started_us = started;
    QueryStats stats;
    stats.query_id = entry.query_id;
    BeginTracker tracked(sink);
    Status s = RunStatement(request, &tracked, &stats, started);
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
        s = RunStatement(request, &tracked, &stats, started);
      }
    }
    stats.elapsed_ms = static_cast<double>(NowUs() - started) / 1000.0;
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

  Status RunStatement(const QueryRequest& request, ResultSink* sink, QueryStats* stats,
                      int64_t started) {
    std::string_view sql = TrimStatement(request.sql);
    if (sql.empty()) return Status::InvalidArgument("the query is empty");
    GL_ASSIGN_OR_RETURN(SqlShape shape, ParseSqlShape(sql));
    if (tail_ && request.catch_up_us > 0) tail_->CatchUp(request.catch_up_us);
    GL_RETURN_IF_ERROR(Refresh());
    GL_ASSIGN_OR_RETURN(Connection * conn, Acquire());
    struct Release {
      QueryEngineImpl* self;
      Connection* conn;
      ~Release() { self->ReleaseConnection(conn); }
    } release{this, conn};

    if (shape.kind == SqlShape::Kind::kCreateView || shape.kind == SqlShape::Kind::kDropView) {
      return RunViewStatement(shape, request, conn, sink, stats);
    }
    // Pin the tail before anything binds (gamelake_tail reads the pin when
    // bound), consistent with the published views.
    std::shared_ptr<const TailPin> pin;
    if (tail_) {
      std::lock_guard lock(pin_mu_);
      pin = tail_->Pin();
    }
    auto tail_bytes = std::make_shared<std::atomic<uint64_t>>(0);
    {
      std::lock_guard lock(pins_.mu);
      pins_.pins[conn->id] = PinnedTail{pin, tail_bytes};
    }
    // A view without a tail branch (its tail was empty when published) must get
    // one if the pin holds undelivered records of it.
    if (pin && NeedsTailBranch(*pin)) GL_RETURN_IF_ERROR(Refresh());
    struct Unpin {
      PinRegistry* pins;
      idx_t id;
      ~Unpin() {
        std::lock_guard lock(pins->mu);
        pins->pins.erase(id);
      }
    } unpin{&pins_, conn->id};
    // Exactly one statement, of a kind that only reads.
    Extracted ex;
    std::string sql_text(sql);
    idx_t count = duckdb_extract_statements(conn->conn, sql_text.c_str(), &ex.e);
    if (count == 0) {
      const char* err = duckdb_extract_statements_error(ex.e);
      return Status::InvalidArgument(err ? err : "cannot parse the query");
    }
    if (count > 1) {
      return Status::InvalidArgument(
          fmt::format("one statement per query, please: this text holds {}", count));
    }
    // Parsed (which has no effects), but not yet bound (which may have some).
    std::string_view leading =
        shape.kind == SqlShape::Kind::kExplain ? std::string_view(shape.body) : sql;
    if ((shape.kind == SqlShape::Kind::kOther || shape.kind == SqlShape::Kind::kExplain) &&
        !StartsLikeAQuery(leading)) {
      return Status::PermissionDenied(
          "only queries that read may run (SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW), "
          "plus CREATE VIEW and DROP VIEW: the lake is read-only to SQL");
    }
    // A query that filters on _ingest_time reads tables through views that
    // state each partition's hour, so the filter can drop partitions unopened.
    // They are temporary views of this connection, found before lake.*.
    std::vector<std::string> shadowed;
    struct DropShadows {
      duckdb_connection conn;
      std::vector<std::string>* names;
      ~DropShadows() {
        for (const auto& n : *names) {
          (void)Exec(conn, "DROP VIEW IF EXISTS temp.main." + QuoteIdentifier(n));
        }
      }
    } drop_shadows{conn->conn, &shadowed};
    if (ContainsIgnoreCase(sql, "_ingest_time")) {
      std::shared_ptr<const std::vector<ViewPlan::View>> pruned;
      {
        std::lock_guard lock(mu_);
        pruned = pruned_;
      }
      for (const auto& v : pruned ? *pruned : std::vector<ViewPlan::View>{}) {
        Status st = Exec(conn->conn, fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}",
                                                 QuoteIdentifier(v.name), v.sql));
        if (st.ok()) shadowed.push_back(v.name);
      }
    }
    Prepared original;
    if (duckdb_prepare_extracted_statement(conn->conn, ex.e, 0, &original.p) != DuckDBSuccess) {
      return FromPrepareError(duckdb_prepare_error(original.p));
    }
    duckdb_statement_type type = duckdb_prepared_statement_type(original.p);
    if (type == DUCKDB_STATEMENT_TYPE_EXPLAIN) {
      GL_RETURN_IF_ERROR(CheckReadOnly(conn, shape.body));
    } else if (type != DUCKDB_STATEMENT_TYPE_SELECT) {
      return Status::PermissionDenied(
          fmt::format("{} is not allowed: queries read the lake and change nothing but saved views "
                      "(SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, CREATE VIEW, DROP VIEW)",
                      StatementTypeName(type)));
    }

    // Columns DuckDB hands over natively are read from its vectors; others are
    // rendered by DuckDB (a wrapping SELECT) as exact text or JSON.
    idx_t columns = duckdb_prepared_statement_column_count(original.p);
    std::vector<ResultColumn> result_columns(columns);
    std::vector<Carry> carry(columns);
    bool wrap = false;
    for (idx_t i = 0; i < columns; ++i) {
      result_columns[i].name = duckdb_prepared_statement_column_name(original.p, i);
      duckdb_type t = duckdb_prepared_statement_column_type(original.p, i);
      result_columns[i].type = std::string(DuckTypeName(t));
      carry[i] = CarryFor(t);
      if (carry[i] >= Carry::kNumberText) wrap = true;
    }
    Prepared wrapped;
    duckdb_prepared_statement run = original.p;
    if (wrap && type == DUCKDB_STATEMENT_TYPE_SELECT) {
      std::string outer = "SELECT ";
      std::string aliases;
      for (idx_t i = 0; i < columns; ++i) {
        std::string c = fmt::format("c{}", i);
        aliases += (i ? ", " : "") + c;
        outer += i ? ", " : "";
        if (carry[i] == Carry::kJsonText) {
          outer += fmt::format("CAST(to_json({}) AS VARCHAR)", c);
        } else if (carry[i] >= Carry::kNumberText) {
          outer += fmt::format("CAST({} AS VARCHAR)", c);
        } else {
          outer += c;
        }
      }
      outer += fmt::format(" FROM ({}\n) AS _gl_q({})", sql, aliases);
      if (duckdb_prepare(conn->conn, outer.c_str(), &wrapped.p) != DuckDBSuccess) {
        return FromPrepareError(duckdb_prepare_error(wrapped.p));
      }
      run = wrapped.p;
    }

    Register(stats->query_id, request, conn, started);
    struct Unregister {
      QueryEngineImpl* self;
      uint64_t id;
      ~Unregister() { self->Unregister(id); }
    } unregister{this, stats->query_id};

    ResultHolder result;
    result.valid = true;
    if (duckdb_execute_prepared_streaming(run, &result.r) != DuckDBSuccess) {
      return ExecutionError(stats->query_id, &result.r);
    }
    GL_RETURN_IF_ERROR(sink->Begin(result_columns));
    std::vector<bool> is_json(columns, false);
    for (idx_t i = 0; i < columns; ++i) {
      if (carry[i] != Carry::kVarchar) continue;
      duckdb_logical_type lt = duckdb_column_logical_type(&result.r, i);
      char* alias = duckdb_logical_type_get_alias(lt);
      is_json[i] = alias != nullptr && std::string_view(alias) == "JSON";
      duckdb_free(alias);
      duckdb_destroy_logical_type(&lt);
    }
    std::vector<Cell> row(columns);
    while (true) {
      ChunkHolder chunk;
      chunk.c = duckdb_fetch_chunk(result.r);
      if (chunk.c == nullptr) break;
      idx_t n = duckdb_data_chunk_get_size(chunk.c);
      if (n == 0) break;
      std::vector<void*> data(columns);
      std::vector<uint64_t*> validity(columns);
      for (idx_t c = 0; c < columns; ++c) {
        duckdb_vector v = duckdb_data_chunk_get_vector(chunk.c, c);
        data[c] = duckdb_vector_get_data(v);
        validity[c] = duckdb_vector_get_validity(v);
      }
      for (idx_t r = 0; r < n; ++r) {
        for (idx_t c = 0; c < columns; ++c) {
          Cell& cell = row[c];
          if (validity[c] && !duckdb_validity_row_is_valid(validity[c], r)) {
            cell.kind = Cell::Kind::kNull;
            continue;
          }
          switch (carry[c]) {
            case Carry::kBool:
              cell.kind = Cell::Kind::kBool;
              cell.b = static_cast<bool*>(data[c])[r];
              break;
            case Carry::kInt8:
              cell.kind = Cell::Kind::kInt;
              cell.i = static_cast<int8_t*>(data[c])[r];
              break;
            case Carry::kInt16:
              cell.kind = Cell::Kind::kInt;
              cell.i = static_cast<int16_t*>(data[c])[r];
              break;
            case Carry::kInt32:
              cell.kind = Cell::Kind::kInt;
              cell.i = static_cast<int32_t*>(data[c])[r];
              break;
            case Carry::kInt64:
              cell.kind = Cell::Kind::kInt;
              cell.i = static_cast<int64_t*>(data[c])[r];
              break;
            case Carry::kUInt8:
              cell.kind = Cell::Kind::kUInt;
              cell.u = static_cast<uint8_t*>(data[c])[r];
              break;
            case Carry::kUInt16:
              cell.kind = Cell::Kind::kUInt;
              cell.u = static_cast<uint16_t*>(data[c])[r];
              break;
            case Carry::kUInt32:
              cell.kind = Cell::Kind::kUInt;
              cell.u = static_cast<uint32_t*>(data[c])[r];
              break;
            case Carry::kUInt64:
              cell.kind = Cell::Kind::kUInt;
              cell.u = static_cast<uint64_t*>(data[c])[r];
              break;
            case Carry::kFloat:
              cell.kind = Cell::Kind::kDouble;
              cell.d = static_cast<float*>(data[c])[r];
              break;
            case Carry::kDouble:
              cell.kind = Cell::Kind::kDouble;
              cell.d = static_cast<double*>(data[c])[r];
              break;
            default: {
              auto* s = &static_cast<duckdb_string_t*>(data[c])[r];
              cell.text = std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s));
              cell.kind = carry[c] == Carry::kNumberText               ? Cell::Kind::kNumberText
                          : carry[c] == Carry::kJsonText || is_json[c] ? Cell::Kind::kJson
                                                                       : Cell::Kind::kString;
            }
          }
        }
        Status s = sink->AddRow(row);
        if (!s.ok()) {
          duckdb_interrupt(conn->conn);
          return s;
        }
        ++stats->row_count;
      }
    }
    if (duckdb_result_error(&result.r) != nullptr) {
      Status error = ExecutionError(stats->query_id, &result.r);
      sink->Abort(error);
      return error;
    }
    // Parquet bytes DuckDB read, plus the live tail's record bytes.
    stats->bytes_scanned = BytesRead(conn) + tail_bytes->load();
    stats->elapsed_ms = static_cast<double>(NowUs() - started) / 1000.0;
    return sink->Finish(*stats);
  }

  // The statement under an EXPLAIN must itself only read.
  Status CheckReadOnly(Connection* conn, const std::string& body) {
    Prepared inner;
    if (duckdb_prepare(conn->conn, body.c_str(), &inner.p) != DuckDBSuccess) {
      return FromPrepareError(duckdb_prepare_error(inner.p));
    }
    duckdb_statement_type t = duckdb_prepared_statement_type(inner.p);
    if (t != DUCKDB_STATEMENT_TYPE_SELECT) {
      return Status::PermissionDenied(
          fmt::format("EXPLAIN of {} is not allowed: only queries that read can be explained",
                      StatementTypeName(t)));
    }
    return Status::OK();
  }

  Status RunViewStatement(const SqlShape& shape, const QueryRequest& request, Connection* conn,
                          ResultSink* sink, QueryStats* stats) {
    std::string done;
    if (shape.kind == SqlShape::Kind::kCreateView) {
      std::shared_ptr<const CatalogSnapshot> snap = catalog_->Snapshot();
      if (snap->FindTable(shape.name) != nullptr) {
        return Status::AlreadyExists(
            fmt::format("\"{}\" is a table of the lake; a view needs another name", shape.name));
      }
      // The body must be a query that binds now.
      if (!StartsLikeAQuery(shape.body)) {
        return Status::PermissionDenied("a view must be a query (SELECT ...)");
      }
      Prepared body;
      if (duckdb_prepare(conn->conn, shape.body.c_str(), &body.p) != DuckDBSuccess) {
        return FromPrepareError(duckdb_prepare_error(body.p));
      }
      if (duckdb_prepared_statement_type(body.p) != DUCKDB_STATEMENT_TYPE_SELECT) {
        return Status::PermissionDenied("a view must be a query (SELECT ...)");
      }
      CatalogView view;
      view.name = shape.name;
      view.sql = shape.body;
      view.created_by = request.user;
      view.created_us = NowUs();
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

  Status ExecutionError(uint64_t id, duckdb_result* r) {
    duckdb_error_type type = duckdb_result_error_type(r);
    const char* msg = duckdb_result_error(r);
    std::string message = msg ? msg : "the query failed";
    if (type == DUCKDB_ERROR_INTERRUPT) {
      std::lock_guard lock(mu_);
      auto it = running_.find(id);
      if (it != running_.end() && it->second.timed_out) {
        return Status::DeadlineExceeded(fmt::format(
            "the query ran longer than its timeout ({} s; setting sql.query_timeout_s) and was "
            "stopped",
            (it->second.deadline_us - it->second.info.started_us) / 1e6));
      }
      return Status::Cancelled("the query was cancelled");
    }
    return FromDuckError(type, message);
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

  Result<Connection*> Acquire() {
    std::unique_lock lock(mu_);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::microseconds(static_cast<int64_t>(options_.max_wait_s * 1e6));
    while (true) {
      for (auto& c : pool_) {
        if (!c->busy) {
          c->busy = true;
          return c.get();
        }
      }
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        return Status::ResourceExhausted(fmt::format(
            "{} queries are running (sql.max_concurrent_queries); try again later", pool_.size()));
      }
    }
  }

  void ReleaseConnection(Connection* c) {
    {
      std::lock_guard lock(mu_);
      c->busy = false;
    }
    cv_.notify_all();
  }

  void Register(uint64_t id, const QueryRequest& request, Connection* conn, int64_t started) {
    double timeout = options_.timeout_s;
    if (request.timeout_s > 0) timeout = std::min(timeout, request.timeout_s);
    RunningEntry r;
    r.info.query_id = id;
    r.info.sql = request.sql;
    r.info.user = request.user;
    r.info.started_us = started;
    r.conn = conn;
    r.deadline_us = started + static_cast<int64_t>(timeout * 1e6);
    std::lock_guard lock(mu_);
    running_[id] = r;
  }

  void Unregister(uint64_t id) {
    std::lock_guard lock(mu_);
    running_.erase(id);
  }

  Status Cancel(uint64_t query_id) override {
    std::lock_guard lock(mu_);
    auto it = running_.find(query_id);
    if (it == running_.end()) {
      return Status::NotFound(fmt::format("query {} is not running", query_id));
    }
    it->second.cancelled = true;
    duckdb_interrupt(it->second.conn->conn);
    return Status::OK();
  }

  std::vector<RunningQuery> Running() const override {
    std::lock_guard lock(mu_);
    std::vector<RunningQuery> out;
    for (const auto& [id, r] : running_) out.push_back(r.info);
    return out;
  }

  QueryHistory* history() override { return &history_; }

  void RefreshSoon() override { refresh_requested_.store(true); }

  void Watchdog() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(50));
      if (refresh_requested_.exchange(false)) {
        lock.unlock();
        Status s = Refresh();
        if (!s.ok())
          spdlog::warn("msg=\"refreshing the SQL views failed\" error=\"{}\"", s.ToString());
        lock.lock();
      }
      int64_t now = NowUs();
      for (auto& [id, r] : running_) {
        if (!r.timed_out && now >= r.deadline_us) {
          r.timed_out = true;
          duckdb_interrupt(r.conn->conn);
        }
      }
    }
  }

 private:
  Catalog* catalog_;
  LiveTail* tail_;
  QueryEngineOptions options_;
  QueryHistory history_;
  duckdb_database db_ = nullptr;
  duckdb_connection admin_ = nullptr;
  std::vector<std::unique_ptr<Connection>> pool_;
  PinRegistry pins_;

  std::mutex publish_mu_;  // Serialises Refresh().
  std::mutex pin_mu_;      // Tail trims and pins.
  bool published_ = false;
  uint64_t published_catalog_ = 0;
  uint64_t published_tail_ = 0;
  std::set<std::string> published_names_;
  std::set<std::string> tail_branches_;                        // Views reading the tail.
  std::map<std::string, uint64_t> published_delivered_;        // Guarded by publish_mu_.
  std::shared_ptr<const std::vector<ViewPlan::View>> pruned_;  // Guarded by mu_.

  mutable std::mutex mu_;  // Pool, running queries.
  std::condition_variable cv_;
  std::map<uint64_t, RunningEntry> running_;
  std::atomic<uint64_t> next_id_{1};
  bool stop_ = false;
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

Result<std::unique_ptr<QueryEngine>> QueryEngine::Open(Catalog* catalog, LiveTail* tail,
                                                       const QueryEngineOptions& options) {
  auto engine = std::make_unique<QueryEngineImpl>(catalog, tail, options);
  GL_RETURN_IF_ERROR(engine->Init());
  return std::unique_ptr<QueryEngine>(std::move(engine));
}

}  // namespace gamelake
