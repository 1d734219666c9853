#include "server_process.h"

#include <simdjson.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <zlib.h>

#include "duckdb.h"

namespace gamelake::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/gamelake-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

struct HttpClient::Impl {
  uint16_t port;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  bool Connect(std::string* error) {
    stream.emplace(ioc);
    beast::error_code ec;
    stream->socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    if (ec) {
      *error = ec.message();
      stream.reset();
      return false;
    }
    buffer.clear();
    return true;
  }
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
HttpClient::~HttpClient() = default;

HttpResult HttpClient::Request(const std::string& method, const std::string& target,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  HttpResult result;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->stream && !impl_->Connect(&result.error)) return result;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    beast::error_code ec;
    impl_->stream->expires_after(std::chrono::seconds(60));
    http::write(*impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 30);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->stream.reset();
      result.error = ec.message();
      // A kept-alive connection the server closed meanwhile: retry once on a new one.
      if (attempt == 0 && (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
                           ec == net::error::broken_pipe)) {
        continue;
      }
      return result;
    }
    auto res = parser.release();
    result.status = res.result_int();
    result.body = res.body();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(c));
      result.headers[name] = std::string(f.value());
    }
    result.error.clear();
    if (!res.keep_alive()) impl_->stream.reset();
    return result;
  }
  return result;
}

HttpResult HttpClient::Post(const std::string& target, const std::string& body,
                            const std::string& content_type) {
  return Request("POST", target, body, {{"Content-Type", content_type}});
}

std::string HttpClient::RawExchange(const std::string& bytes, int timeout_ms) {
  std::string error;
  if (!impl_->Connect(&error)) return "";
  beast::error_code ec;
  net::write(impl_->stream->socket(), net::buffer(bytes), ec);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    impl_->stream->expires_at(deadline);
    size_t n = impl_->stream->read_some(net::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  impl_->stream.reset();
  return out;
}

uint16_t FreePort() {
  net::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {
  log_path_ = data_dir_ + ".server.log";
}

ServerProcess::~ServerProcess() {
  Kill();
  ::unlink(log_path_.c_str());
}

namespace {
size_t CountListening(const std::string& logs) {
  size_t n = 0;
  for (size_t pos = logs.find(" listening on "); pos != std::string::npos;
       pos = logs.find(" listening on ", pos + 1)) {
    ++n;
  }
  return n;
}

// Starts argv with stdout and stderr appended to log_path. posix_spawn rather
// than fork: a fork runs the atfork handlers of every library loaded in the
// test (DuckDB's jemalloc takes dozens of locks in its handler, more than
// ThreadSanitizer's deadlock detector can track), and a spawn runs none.
pid_t Spawn(std::vector<std::string>& args, const std::string& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

}  // namespace

bool ServerProcess::Start() {
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    const size_t listening_before = CountListening(Logs());
    std::vector<std::string> args = {GAMELAKE_BINARY, "serve",
                                     "--data-dir",    data_dir_,
                                     "--listen",      "127.0.0.1:" + std::to_string(port_)};
    // Tests that are not about API keys run without them, explicitly; those
    // that are pass --set auth.enabled=true, which comes later and wins.
    args.insert(args.end(), {"--set", "auth.enabled=false"});
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    pid_ = Spawn(args, log_path_);
    if (pid_ < 0) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // Exited (port taken?): try again.
      }
      // Up once it prints where it listens (a TLS listener does not answer
      // plain HTTP; a failing node answers /v1/health with 503).
      if (CountListening(Logs()) > listening_before) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Kill();
  }
  return false;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
  return -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServerProcess::Logs() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::vector<std::string>> DuckQuery(const std::string& sql) {
  duckdb_database db;
  duckdb_connection con;
  std::vector<std::vector<std::string>> rows;
  if (duckdb_open(nullptr, &db) != DuckDBSuccess) throw std::runtime_error("duckdb_open");
  duckdb_connect(db, &con);
  duckdb_result res;
  if (duckdb_query(con, sql.c_str(), &res) != DuckDBSuccess) {
    std::string err = duckdb_result_error(&res);
    duckdb_destroy_result(&res);
    duckdb_disconnect(&con);
    duckdb_close(&db);
    throw std::runtime_error("DuckDB: " + err + " in: " + sql);
  }
  idx_t ncols = duckdb_column_count(&res);
  idx_t nrows = duckdb_row_count(&res);
  for (idx_t r = 0; r < nrows; ++r) {
    std::vector<std::string> row;
    for (idx_t c = 0; c < ncols; ++c) {
      char* v = duckdb_value_varchar(&res, c, r);
      row.push_back(v ? v : "NULL");
      duckdb_free(v);
    }
    rows.push_back(std::move(row));
  }
  duckdb_destroy_result(&res);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  return rows;
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(in.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string LakeGlob(const std::string& data_dir, const std::string& stream) {
  return data_dir + "/lake/" + stream + "/**/*.parquet";
}

std::vector<std::string> FindFiles(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    std::string p = e.path().string();
    if (e.is_regular_file() && p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(p);
    }
  }
  return out;
}

QueryAnswer Query(HttpClient& client, const std::string& sql,
                  const std::map<std::string, std::string>& headers) {
  std::string body;
  body += "{\"sql\":\"";
  for (char c : sql) {
    if (c == '"' || c == '\\') body += '\\';
    body += c;
  }
  body += "\"}";
  std::map<std::string, std::string> h = headers;
  h["Content-Type"] = "application/json";
  HttpResult r = client.Request("POST", "/v1/query", body, h);
  QueryAnswer a;
  a.status = r.status;
  a.body = r.body;
  if (r.status != 200) return a;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS) return a;
  simdjson::dom::array rows;
  if (doc["rows"].get(rows) != simdjson::SUCCESS) return a;
  for (simdjson::dom::element row : rows) {
    std::vector<std::string> out;
    for (simdjson::dom::element v : row.get_array()) {
      std::string_view s;
      if (v.get(s) == simdjson::SUCCESS) {
        out.emplace_back(s);
      } else {
        out.push_back(simdjson::minify(v));
      }
    }
    a.rows.push_back(std::move(out));
  }
  return a;
}

std::string NumberedRecords(int64_t first, int n) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    body += "{\"n\":" + std::to_string(first + i) + ",\"pad\":\"" + std::string(40, 'x') + "\"}\n";
  }
  return body;
}

NumberedPosters::NumberedPosters(uint16_t port, std::string target, std::atomic<int64_t>* counter,
                                 int batch, MakeBody make_body, int threads)
    : acked_by_(static_cast<size_t>(threads)) {
  for (int t = 0; t < threads; ++t) {
    threads_.emplace_back([this, port, target, counter, batch, make_body, t] {
      HttpClient client(port);
      while (!stop_.load()) {
        int64_t first = counter->fetch_add(batch);
        if (client.Post(target, make_body(first, batch), "application/x-ndjson").status == 200) {
          for (int i = 0; i < batch; ++i) acked_by_[static_cast<size_t>(t)].insert(first + i);
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
      }
    });
  }
}

NumberedPosters::~NumberedPosters() { Stop(); }

std::set<int64_t> NumberedPosters::Stop() {
  stop_.store(true);
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  std::set<int64_t> acked;
  for (std::set<int64_t>& s : acked_by_) {
    acked.insert(s.begin(), s.end());
    s.clear();
  }
  return acked;
}

}  // namespace gamelake::testing
