#include "cli/query_command.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "auth/dev_keys.h"
#include "catalog/catalog.h"
#include "common/env.h"
#include "common/file_lock.h"
#include "common/json_writer.h"
#include "generator/http_sender.h"
#include "query/query_engine.h"
#include "query/result_sink.h"

namespace gamelake {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

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

// The admin key of a data dir's dev-keys.txt ("<name> <scope> <key>" lines).
std::string DevAdminKey(const std::string& data_dir) {
  Result<std::string> text = Env::Default()->ReadFile(JoinPath(data_dir, kDevKeysFile));
  if (!text.ok()) return "";
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    std::string line = text->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text->size() : nl + 1;
    if (line.rfind(std::string(kDevAdminName) + " ", 0) == 0) {
      size_t last = line.find_last_of(' ');
      return line.substr(last + 1);
    }
  }
  return "";
}

// Feeds a /v1/query JSON document to a result writer (for --format table).
Status RenderJson(const std::string& body, ResultSink* sink) {
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

int RunRemote(const QueryCommand& c, const std::string& url, const std::string& key,
              ResultFormat format) {
  Result<Endpoint> endpoint = ParseUrl(url);
  if (!endpoint.ok()) return Fail(endpoint.status().message());
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.connect(resolver.resolve(endpoint->host, std::to_string(endpoint->port)));
    http::request<http::string_body> req{http::verb::post, endpoint->prefix + "/v1/query", 11};
    req.set(http::field::host, endpoint->host);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, format == ResultFormat::kCsv ? "text/csv" : "application/json");
    if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
    JsonWriter body;
    body.BeginObject().Key("sql").String(c.sql);
    if (c.timeout_s > 0) body.Key("timeout_s").Double(c.timeout_s);
    body.EndObject();
    req.body() = body.Take();
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    http::read(stream, buffer, parser);
    auto& res = parser.get();
    if (res.result_int() != 200) {
      simdjson::dom::parser p;
      simdjson::dom::element doc;
      std::string_view message = res.body();
      if (p.parse(res.body()).get(doc) == simdjson::SUCCESS &&
          doc["message"].get(message) != simdjson::SUCCESS) {
        message = res.body();
      }
      return Fail(fmt::format("{} (HTTP {})", message, res.result_int()));
    }
    if (format != ResultFormat::kTable) {
      WriteStdout(res.body());
      return 0;
    }
    auto sink = NewResultWriter(ResultFormat::kTable, WriteStdout);
    Status s = RenderJson(res.body(), sink.get());
    if (!s.ok()) return Fail(s.message());
    return 0;
  } catch (const std::exception& e) {
    return Fail(fmt::format("cannot reach {}: {}", url, e.what()));
  }
}

int RunLocal(const QueryCommand& c, const std::string& data_dir, ResultFormat format) {
  Env* env = Env::Default();
  std::string lake = JoinPath(data_dir, "lake");
  if (!env->FileExists(lake))
    return Fail(fmt::format("no lake in {} (is it a data dir?)", data_dir));
  auto lock = FileLock::TryAcquire(JoinPath(data_dir, "LOCK"));
  if (!lock.ok()) return Fail(lock.status().message());
  CatalogOptions o;
  o.dir = JoinPath(data_dir, "catalog");
  o.lake_dir = lake;
  auto catalog = Catalog::Open(o);
  if (!catalog.ok()) return Fail(catalog.status().ToString());
  auto crawl = (*catalog)->Crawl(false);
  if (!crawl.ok()) return Fail(crawl.status().ToString());
  for (const BadFile& b : crawl->bad_files) {
    std::fprintf(stderr, "gamelake query: skipping unreadable file %s: %s\n", b.path.c_str(),
                 b.reason.c_str());
  }
  QueryEngineOptions q;
  q.max_concurrent = 1;
  q.nice = 0;
  q.history_path = JoinPath(data_dir, "catalog/query_history.ndjson");
  if (c.timeout_s > 0) q.timeout_s = c.timeout_s;
  auto engine = QueryEngine::Open(catalog->get(), nullptr, q);
  if (!engine.ok()) return Fail(engine.status().ToString());
  QueryRequest request;
  request.sql = c.sql;
  request.user = "local";
  auto sink = NewResultWriter(format, WriteStdout);
  Result<QueryStats> stats = (*engine)->Run(request, sink.get());
  std::fflush(stdout);
  if (!stats.ok()) return Fail(stats.status().message());
  return 0;
}

}  // namespace

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
  std::string key = c.key;
  if (key.empty()) {
    if (const char* k = std::getenv("GAMELAKE_KEY")) key = k;
  }
  if (key.empty()) key = DevAdminKey(data_dir);
  if (!c.url.empty()) return RunRemote(c, c.url, key, *format);
  Env* env = Env::Default();
  if (!FileLock::TryAcquire(JoinPath(data_dir, "LOCK")).ok()) {
    Result<std::string> url = env->ReadFile(JoinPath(data_dir, "server.url"));
    if (!url.ok() || url->empty()) {
      return Fail(fmt::format("a server is using {}; give its address with --url", data_dir));
    }
    std::string u = *url;
    while (!u.empty() && (u.back() == '\n' || u.back() == ' ')) u.pop_back();
    return RunRemote(c, u, key, *format);
  }
  return RunLocal(c, data_dir, *format);
}

}  // namespace gamelake
