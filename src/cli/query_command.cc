#include "cli/query_command.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <simdjson.h>

#include "catalog/catalog.h"
#include "cli/server_client.h"
#include "common/env.h"
#include "common/file_lock.h"
#include "common/json_writer.h"
#include "query/query_engine.h"
#include "query/result_sink.h"

namespace gamelake {

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "gamelake query: %s\n", message.c_str());
  return 1;
}

bool WriteStdout(std::string_view bytes) {
  return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
}

Result<ResultFormat> ParseFormat(const std::string& name) {
  if (name.empty() || name == "table") return ResultFormat::kTable;
  if (name == "csv") return ResultFormat::kCsv;
  if (name == "json") return ResultFormat::kJson;
  return Status::InvalidArgument(fmt::format("--format is table, csv or json (got \"{}\")", name));
}

int RunRemote(const QueryCommand& c, const std::string& url, const std::string& key,
              ResultFormat format) {
  JsonWriter body;
  body.BeginObject().Key("sql").String(c.sql);
  if (c.timeout_s > 0) body.Key("timeout_s").Double(c.timeout_s);
  body.EndObject();
  Result<ServerReply> reply =
      CallServer(url, key, "POST", "/v1/query", body.Take(),
                 format == ResultFormat::kCsv ? "text/csv" : "application/json");
  if (!reply.ok()) return Fail(reply.status().message());
  if (reply->status != 200) {
    return Fail(fmt::format("{} (HTTP {})", reply->ErrorMessage(), reply->status));
  }
  if (format != ResultFormat::kTable) {
    WriteStdout(reply->body);
    return 0;
  }
  auto sink = NewResultWriter(ResultFormat::kTable, WriteStdout);
  Status s = RenderQueryJson(reply->body, sink.get());
  if (!s.ok()) return Fail(s.message());
  return 0;
}

int RunLocal(const QueryCommand& c, const std::string& data_dir, ResultFormat format) {
  Result<LocalQueryEngine> local = OpenLocalQueryEngine(data_dir, c.timeout_s, "query");
  if (!local.ok()) return Fail(local.status().message());
  QueryRequest request;
  request.sql = c.sql;
  request.user = "local";
  auto sink = NewResultWriter(format, WriteStdout);
  Result<QueryStats> stats = local->engine->Run(request, sink.get());
  std::fflush(stdout);
  if (!stats.ok()) return Fail(stats.status().message());
  return 0;
}

}  // namespace

Result<LocalQueryEngine> OpenLocalQueryEngine(const std::string& data_dir, double timeout_s,
                                              const std::string& command) {
  Env* env = Env::Default();
  std::string lake = JoinPath(data_dir, "lake");
  if (!env->FileExists(lake)) {
    return Status::NotFound(fmt::format("no lake in {} (is it a data dir?)", data_dir));
  }
  LocalQueryEngine local;
  GL_ASSIGN_OR_RETURN(FileLock lock, FileLock::TryAcquire(JoinPath(data_dir, "LOCK")));
  local.lock.emplace(std::move(lock));
  CatalogOptions o;
  o.dir = JoinPath(data_dir, "catalog");
  o.lake_dir = lake;
  GL_ASSIGN_OR_RETURN(local.catalog, Catalog::Open(o));
  GL_ASSIGN_OR_RETURN(CrawlReport crawl, local.catalog->Crawl(false));
  for (const BadFile& b : crawl.bad_files) {
    std::fprintf(stderr, "gamelake %s: skipping unreadable file %s: %s\n", command.c_str(),
                 b.path.c_str(), b.reason.c_str());
  }
  QueryEngineOptions q;
  q.max_concurrent = 1;
  q.nice = 0;
  q.history_path = JoinPath(data_dir, "catalog/query_history.ndjson");
  if (timeout_s > 0) q.timeout_s = timeout_s;
  GL_ASSIGN_OR_RETURN(local.engine, QueryEngine::Open(local.catalog.get(), nullptr, q));
  return local;
}

Status RenderQueryJson(const std::string& body, ResultSink* sink) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the server's answer is not JSON");
  }
  std::vector<ResultColumn> columns;
  simdjson::dom::array cols;
  if (doc["columns"].get(cols) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the server's answer has no columns");
  }
  for (simdjson::dom::element c : cols) {
    std::string_view name, type;
    if (c["name"].get(name) != simdjson::SUCCESS) name = "?";
    if (c["type"].get(type) != simdjson::SUCCESS) type = "";
    columns.push_back({std::string(name), std::string(type)});
  }
  GL_RETURN_IF_ERROR(sink->Begin(columns));
  simdjson::dom::array rows;
  if (doc["rows"].get(rows) == simdjson::SUCCESS) {
    std::vector<Cell> cells;
    std::vector<std::string> texts;
    for (simdjson::dom::element row : rows) {
      cells.clear();
      texts.clear();
      simdjson::dom::array values;
      if (row.get(values) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element v : values) texts.push_back(simdjson::minify(v));
      size_t i = 0;
      for (simdjson::dom::element v : values) {
        Cell cell;
        std::string_view s;
        if (v.is_null()) {
          cell.kind = Cell::Kind::kNull;
        } else if (v.get(s) == simdjson::SUCCESS) {
          cell.kind = Cell::Kind::kString;
          cell.text = s;
        } else if (v.is_bool()) {
          cell.kind = Cell::Kind::kBool;
          cell.b = v.get_bool().value_unsafe();
        } else if (v.is_number()) {
          cell.kind = Cell::Kind::kNumberText;
          cell.text = texts[i];
        } else {
          cell.kind = Cell::Kind::kJson;
          cell.text = texts[i];
        }
        cells.push_back(cell);
        ++i;
      }
      GL_RETURN_IF_ERROR(sink->AddRow(cells));
    }
  }
  QueryStats stats;
  uint64_t u = 0;
  double d = 0;
  if (doc["row_count"].get(u) == simdjson::SUCCESS) stats.row_count = u;
  if (doc["bytes_scanned"].get(u) == simdjson::SUCCESS) stats.bytes_scanned = u;
  if (doc["elapsed_ms"].get(d) == simdjson::SUCCESS) stats.elapsed_ms = d;
  simdjson::dom::element error;
  if (doc["error"].get(error) == simdjson::SUCCESS) {
    std::string_view message;
    if (error["message"].get(message) != simdjson::SUCCESS) message = "the query failed";
    sink->Abort(Status::Internal(message));
    return Status::Internal(std::string(message));
  }
  return sink->Finish(stats);
}

void AddQueryCommand(CLI::App* app, QueryCommand* c) {
  c->query = app->add_subcommand("query", "Run one SQL statement over the lake");
  c->query->add_option("sql", c->sql, "The SQL, e.g. \"SELECT count(*) FROM events\"")->required();
  c->query->add_option("--url", c->url, "A running server, e.g. http://127.0.0.1:8080");
  c->query->add_option("--key", c->key, "Admin API key (default: $GAMELAKE_KEY or dev-admin)");
  c->query->add_option("--data-dir", c->data_dir, "Data directory (default ./gamelake-data)");
  c->query->add_option("--format", c->format, "table (default), csv or json");
  c->query->add_option("--timeout", c->timeout_s, "Seconds before the query is stopped");
}

int RunQueryCommand(const QueryCommand& c) {
  Result<ResultFormat> format = ParseFormat(c.format);
  if (!format.ok()) return Fail(format.status().message());
  std::string data_dir = c.data_dir.empty() ? "gamelake-data" : c.data_dir;
  Result<std::optional<std::string>> url = ServerUrl(c.url, data_dir);
  if (!url.ok()) return Fail(url.status().message());
  if (url->has_value()) return RunRemote(c, **url, AdminKey(c.key, data_dir), *format);
  return RunLocal(c, data_dir, *format);
}

}  // namespace gamelake
