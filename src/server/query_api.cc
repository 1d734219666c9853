#include "server/query_api.h"

#include <charconv>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <simdjson.h>

#include "catalog/catalog_json.h"
#include "common/env.h"
#include "common/json_writer.h"
#include "common/percent_decode.h"

namespace gamelake {

namespace http = boost::beast::http;

namespace {

constexpr size_t kBufferBeforeStreaming = 64 * 1024;

}  // namespace

HttpResponse QueryErrorResponse(const Status& s, std::string_view invalid_code,
                                std::string_view failed_code) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return JsonError(400, invalid_code, s.message());
    case Status::Code::kPermissionDenied:
      return JsonError(403, "statement_not_allowed", s.message());
    case Status::Code::kNotFound:
      return JsonError(404, "not_found", s.message());
    case Status::Code::kAlreadyExists:
      return JsonError(409, "already_exists", s.message());
    case Status::Code::kDeadlineExceeded:
      return JsonError(408, "query_timeout", s.message());
    case Status::Code::kCancelled:
      return JsonError(409, "query_cancelled", s.message());
    case Status::Code::kResourceExhausted:
      return JsonError(429, "resource_exhausted", s.message());
    case Status::Code::kUnavailable:
      return JsonError(503, "unavailable", s.message());
    default:
      return JsonError(500, failed_code, s.message());
  }
}

namespace {

std::string_view Header(const HttpRequest& request, http::field f) {
  auto it = request.find(f);
  return it == request.end() ? std::string_view()
                             : std::string_view(it->value().data(), it->value().size());
}

void WriteColumns(JsonWriter& w, const std::vector<ColumnInfo>& columns) {
  w.BeginArray();
  for (const auto& c : columns) {
    w.BeginObject().Key("name").String(c.name).Key("type").String(c.type.ToString()).EndObject();
  }
  w.EndArray();
}

void WriteTableSummary(JsonWriter& w, const CatalogTable& t) {
  w.Key("name").String(t.name);
  w.Key("database").String(kLakeDatabase);
  w.Key("columns");
  WriteColumns(w, t.columns);
  w.Key("partition_keys").BeginArray();
  for (const auto& k : t.partition_keys) w.String(k);
  w.EndArray();
  w.Key("files").UInt(t.files.size());
  w.Key("rows").UInt(t.rows());
  w.Key("bytes").UInt(t.bytes());
  w.Key("schema_version").Int(t.schema_version);
  w.Key("created_us").Int(t.created_us);
  w.Key("updated_us").Int(t.updated_us);
}

}  // namespace

QueryApi::QueryApi(QueryEngine* engine, Catalog* catalog, int workers, size_t max_queued,
                   QueryCounts* counts)
    : engine_(engine), catalog_(catalog), counts_(counts), pool_(workers, max_queued, /*nice=*/5) {}

QueryApi::~QueryApi() { Stop(); }

void QueryApi::Stop() {
  // Idempotent: the engine may be gone by the second call (the destructor).
  if (stopped_.exchange(true)) return;
  // Running queries end at once; queued ones then fail fast.
  for (const RunningQuery& q : engine_->Running()) (void)engine_->Cancel(q.query_id);
  pool_.Stop();
}

bool QueryApi::Matches(std::string_view path) {
  return path == "/v1/query" || path == "/v1/queries" || path.starts_with("/v1/queries/") ||
         path.starts_with("/v1/catalog/");
}

bool QueryApi::Submit(std::function<void()> task) { return pool_.Submit(std::move(task)); }

void QueryApi::Handle(std::string_view path, const Principal& principal, HttpRequest&& request,
                      Respond respond) {
  http::verb method = request.method();
  auto not_allowed = [&](std::string_view allow) {
    HttpResponse res =
        JsonError(405, "method_not_allowed", fmt::format("{} allows {}", path, allow));
    res.set(http::field::allow, std::string(allow));
    respond(std::move(res));
  };
  auto busy = [&] {
    respond(JsonError(429, "too_many_queries",
                      "the query queue is full (sql.max_concurrent_queries); try again later"));
  };
  if (path == "/v1/query") {
    if (method != http::verb::post) return not_allowed("POST");
    auto shared = std::make_shared<HttpRequest>(std::move(request));
    if (!Submit([this, principal, shared, respond] { Query(principal, *shared, respond); })) {
      busy();
    }
    return;
  }
  if (path == "/v1/queries") {
    if (method != http::verb::get) return not_allowed("GET");
    return Queries(request, respond);
  }
  if (path.starts_with("/v1/queries/")) {
    if (method != http::verb::delete_) return not_allowed("DELETE");
    std::string_view id_text = path.substr(std::string_view("/v1/queries/").size());
    uint64_t id = 0;
    auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || p != id_text.data() + id_text.size()) {
      return respond(JsonError(400, "bad_query_id", "a query id is a number"));
    }
    Status s = engine_->Cancel(id);
    if (!s.ok()) return respond(QueryErrorResponse(s));
    return respond(JsonResponse(200, fmt::format("{{\"query_id\":{},\"cancelled\":true}}", id)));
  }
  if (path == "/v1/catalog/tables" || path.starts_with("/v1/catalog/tables/")) {
    if (method != http::verb::get) return not_allowed("GET");
    std::string_view name;
    if (path.size() > std::string_view("/v1/catalog/tables/").size()) {
      name = path.substr(std::string_view("/v1/catalog/tables/").size());
    }
    return Tables(PercentDecode(name), request, respond);
  }
  if (path == "/v1/catalog/views") {
    if (method != http::verb::get) return not_allowed("GET");
    return Views(request, respond);
  }
  if (path == "/v1/catalog/ddl") {
    if (method != http::verb::get) return not_allowed("GET");
    return Ddl(request, respond);
  }
  if (path == "/v1/catalog/crawl") {
    if (method != http::verb::post) return not_allowed("POST");
    if (!Submit([this, respond] {
          Result<CrawlReport> report = catalog_->Crawl(true);
          if (!report.ok()) return respond(QueryErrorResponse(report.status()));
          (void)engine_->Refresh();
          JsonWriter w;
          w.BeginObject();
          w.Key("tables").BeginArray();
          for (const auto& t : report->tables) w.String(t);
          w.EndArray();
          w.Key("files_seen").UInt(report->files_seen);
          w.Key("files_inspected").UInt(report->files_inspected);
          w.Key("files_removed").UInt(report->files_removed);
          w.Key("bad_files").BeginArray();
          for (const auto& b : report->bad_files) {
            w.BeginObject().Key("path").String(b.path).Key("reason").String(b.reason).EndObject();
          }
          w.EndArray();
          w.EndObject();
          respond(JsonResponse(200, w.Take()));
        })) {
      busy();
    }
    return;
  }
  respond(JsonError(404, "not_found", fmt::format("no route for {}", path)));
}

void QueryApi::Query(const Principal& principal, const HttpRequest& request,
                     const Respond& respond) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string& body = request.body();
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return respond(
        JsonError(400, "bad_request", "the body must be a JSON object: {\"sql\": \"SELECT ...\"}"));
  }
  QueryRequest q;
  std::string_view sql;
  if (doc["sql"].get(sql) != simdjson::SUCCESS) {
    return respond(JsonError(400, "bad_request", "\"sql\" (a string) is required"));
  }
  q.sql = std::string(sql);
  q.user = principal.key_id;
  double timeout = 0;
  if (auto t = doc["timeout_s"]; t.error() == simdjson::SUCCESS) {
    if (t.get(timeout) != simdjson::SUCCESS || timeout <= 0) {
      return respond(JsonError(400, "bad_request", "\"timeout_s\" must be a positive number"));
    }
    q.timeout_s = timeout;
  }
  bool csv = Header(request, http::field::accept).find("text/csv") != std::string_view::npos;
  std::string_view format;
  if (doc["format"].get(format) == simdjson::SUCCESS) {
    if (format != "csv" && format != "json") {
      return respond(JsonError(400, "bad_request", "\"format\" is \"json\" or \"csv\""));
    }
    csv = format == "csv";
  }
  // Buffer the start; stream once the result outgrows the buffer.
  std::string buffer;
  std::unique_ptr<ChunkWriter> writer;
  bool streaming_refused = false;
  auto content_type = csv ? "text/csv; charset=utf-8" : "application/json";
  Output output = [&](std::string_view bytes) -> bool {
    if (writer) return writer->Write(bytes);
    buffer.append(bytes);
    if (buffer.size() < kBufferBeforeStreaming || streaming_refused) return true;
    HttpResponse head{http::status::ok, 11};
    head.set(http::field::content_type, content_type);
    writer = respond.Stream(std::move(head));
    if (!writer) {
      streaming_refused = true;  // This transport cannot stream: keep buffering.
      return true;
    }
    bool ok = writer->Write(buffer);
    buffer.clear();
    return ok;
  };
  std::unique_ptr<ResultSink> sink =
      NewResultWriter(csv ? ResultFormat::kCsv : ResultFormat::kJson, output);
  const int64_t started_us = Env::Default()->MonotonicMicros();
  Result<QueryStats> stats = engine_->Run(q, sink.get());
  if (counts_ != nullptr) {
    counts_->Record((Env::Default()->MonotonicMicros() - started_us) / 1e3, stats.ok());
  }
  if (writer) {
    if (stats.ok()) writer->Finish();
    return;  // On failure the writer's destructor cuts the transfer short.
  }
  if (!stats.ok()) {
    // The error went in-band only if the document had started; answer properly instead.
    return respond(QueryErrorResponse(stats.status()));
  }
  HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, content_type);
  res.body() = std::move(buffer);
  respond(std::move(res));
}

void QueryApi::Queries(const HttpRequest& request, const Respond& respond) {
  size_t limit = 100;
  std::string l = QueryParam(request, "limit");
  if (!l.empty()) {
    auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
    if (ec != std::errc() || p != l.data() + l.size() || limit == 0) {
      return respond(JsonError(400, "bad_request", "limit must be a positive number"));
    }
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("running").BeginArray();
  for (const RunningQuery& q : engine_->Running()) {
    w.BeginObject()
        .Key("query_id")
        .UInt(q.query_id)
        .Key("sql")
        .String(q.sql)
        .Key("user")
        .String(q.user)
        .Key("started_us")
        .Int(q.started_us)
        .EndObject();
  }
  w.EndArray();
  w.Key("history").BeginArray();
  for (const QueryHistoryEntry& e : engine_->history()->List(limit)) {
    w.Raw(QueryHistory::ToJson(e));
  }
  w.EndArray();
  w.EndObject();
  respond(JsonResponse(200, w.Take()));
}

void QueryApi::Tables(std::string_view name, const HttpRequest& request, const Respond& respond) {
  std::shared_ptr<const CatalogSnapshot> snap = catalog_->Snapshot();
  JsonWriter w;
  if (name.empty()) {
    w.BeginObject().Key("tables").BeginArray();
    for (const auto& [n, t] : snap->tables) {
      w.BeginObject();
      WriteTableSummary(w, *t);
      w.EndObject();
    }
    w.EndArray();
    w.Key("bad_files").UInt(snap->bad_files.size());
    w.EndObject();
    return respond(JsonResponse(200, w.Take()));
  }
  const CatalogTable* t = snap->FindTable(name);
  if (t == nullptr) {
    return respond(JsonError(404, "table_not_found", fmt::format("no table named \"{}\"", name)));
  }
  w.BeginObject();
  WriteTableSummary(w, *t);
  // Partitions: the distinct partition values, with their files, rows, bytes.
  std::map<std::string, std::tuple<const CatalogFile*, uint64_t, uint64_t, uint64_t>> parts;
  for (const auto& [path, f] : t->files) {
    std::string key;
    for (const auto& [k, v] : f.partitions) key += k + "=" + v + "/";
    auto& [first, files, rows, bytes] = parts[key];
    if (first == nullptr) first = &f;
    ++files;
    rows += f.rows;
    bytes += f.bytes;
  }
  w.Key("partitions").BeginArray();
  for (const auto& [key, p] : parts) {
    const auto& [first, files, rows, bytes] = p;
    w.BeginObject().Key("values").BeginObject();
    for (const auto& [k, v] : first->partitions) w.Key(k).String(v);
    w.EndObject();
    w.Key("files").UInt(files).Key("rows").UInt(rows).Key("bytes").UInt(bytes).EndObject();
  }
  w.EndArray();
  w.Key("files").BeginArray();
  for (const auto& [path, f] : t->files) {
    w.BeginObject()
        .Key("path")
        .String(f.path)
        .Key("format")
        .String(FileFormatName(f.format))
        .Key("rows")
        .UInt(f.rows)
        .Key("bytes")
        .UInt(f.bytes);
    if (f.last_seq > 0)
      w.Key("first_record_id").UInt(f.first_seq).Key("last_record_id").UInt(f.last_seq);
    if (!f.node.empty()) w.Key("node").String(f.node);
    if (f.remote) w.Key("remote").Bool(true);
    w.EndObject();
  }
  w.EndArray();
  w.Key("schema_history").BeginArray();
  for (const auto& h : t->history) {
    w.BeginObject()
        .Key("version")
        .Int(h.version)
        .Key("time_us")
        .Int(h.time_us)
        .Key("change")
        .String(h.change)
        .Key("file")
        .String(h.file)
        .EndObject();
  }
  w.EndArray();
  w.Key("bad_files").BeginArray();
  std::string prefix = t->name + "/";
  for (const auto& [path, b] : snap->bad_files) {
    if (!path.starts_with(prefix)) continue;
    w.BeginObject().Key("path").String(b.path).Key("reason").String(b.reason).EndObject();
  }
  w.EndArray();
  w.EndObject();
  respond(JsonResponse(200, w.Take()));
}

void QueryApi::Views(const HttpRequest&, const Respond& respond) {
  std::shared_ptr<const CatalogSnapshot> snap = catalog_->Snapshot();
  JsonWriter w;
  w.BeginObject().Key("views").BeginArray();
  for (const auto& [key, v] : snap->views) {
    WriteViewJson(&w, v);
  }
  w.EndArray().EndObject();
  respond(JsonResponse(200, w.Take()));
}

void QueryApi::Ddl(const HttpRequest& request, const Respond& respond) {
  std::string dialect_name = QueryParam(request, "dialect");
  Result<DdlDialect> dialect = ParseDdlDialect(dialect_name.empty() ? "athena" : dialect_name);
  if (!dialect.ok()) return respond(JsonError(400, "bad_request", dialect.status().message()));
  std::string location = QueryParam(request, "location");
  if (location.empty()) location = "file://" + catalog_->lake_dir();
  std::string database = QueryParam(request, "database");
  if (database.empty()) database = std::string(kLakeDatabase);
  HttpResponse res{http::status::ok, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = ExportDdl(*catalog_->Snapshot(), *dialect, location, database);
  respond(std::move(res));
}

}  // namespace gamelake
