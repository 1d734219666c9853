// ServerProcess: runs the real `gamelake serve` binary on 127.0.0.1 for
// integration tests, and a small blocking HTTP/1.1 client to talk to it.
//
// Thread-safety: one ServerProcess per test; HttpClient objects are not shared;
// NumberedPosters runs its own threads and is driven from one test thread.
#ifndef GAMELAKE_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define GAMELAKE_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace gamelake::testing {

// A fresh, empty directory under $TMPDIR, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick;
// another process may take it before the caller binds it).
uint16_t FreePort();

struct HttpResult {
  int status = 0;  // 0: the connection failed (see error).
  std::string body;
  std::map<std::string, std::string> headers;  // Lower-case names.
  std::string error;
};

// A keep-alive connection to 127.0.0.1:port; reconnects when the server closed it.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();
  HttpResult Request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  HttpResult Post(const std::string& target, const std::string& body,
                  const std::string& content_type = "application/json");
  HttpResult Get(const std::string& target) { return Request("GET", target); }
  // Sends bytes as they are and reads whatever comes back until the server
  // closes or timeout_ms passes (for malformed-HTTP tests).
  std::string RawExchange(const std::string& bytes, int timeout_ms = 5000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ServerProcess {
 public:
  // Starts `gamelake serve --data-dir <data_dir> --listen 127.0.0.1:<free port>`
  // plus extra_args, and waits until /v1/health answers.
  ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();  // SIGKILLs the process if it still runs.

  bool Start();  // Returns false if the server did not come up.
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM and wait; returns the exit status (-1 if it had to be killed).
  int Stop();
  void Kill();  // SIGKILL and reap.
  bool running() const { return pid_ > 0; }
  const std::string& data_dir() const { return data_dir_; }
  // What the server wrote to stderr (structured logs) so far.
  std::string Logs() const;

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string log_path_;
};

// The rows of a /v1/query answer as text (strings unquoted, "null" for NULL).
struct QueryAnswer {
  int status = 0;
  std::string body;
  std::vector<std::vector<std::string>> rows;
  std::string Value() const { return rows.empty() || rows[0].empty() ? "<none>" : rows[0][0]; }
};
// POSTs {"sql": sql} to /v1/query.
QueryAnswer Query(HttpClient& client, const std::string& sql,
                  const std::map<std::string, std::string>& headers = {});

// Runs SQL in an in-memory DuckDB and returns every value as text ("NULL" for null).
std::vector<std::vector<std::string>> DuckQuery(const std::string& sql);
// The lake's Parquet files of a stream, as a DuckDB glob string.
std::string LakeGlob(const std::string& data_dir, const std::string& stream);
// `in` compressed as one gzip member (for Content-Encoding: gzip bodies).
std::string Gzip(const std::string& in);
// Paths of every *.parquet file under dir, recursively.
std::vector<std::string> FindFiles(const std::string& dir, const std::string& suffix);

// NDJSON records numbered first .. first + n - 1, one a line:
// {"n":<number>,"pad":"<40 x>"}.
std::string NumberedRecords(int64_t first, int n);

// Client threads that each post batches of `batch` numbered records to
// 127.0.0.1:port `target` (as application/x-ndjson), the numbers of each
// batch drawn from *counter, until Stop(); after a post that is not
// acknowledged (not 200) a thread pauses 5 ms. For crash and exactly-once
// tests: the server may be killed under them.
class NumberedPosters {
 public:
  using MakeBody = std::function<std::string(int64_t first, int n)>;

  NumberedPosters(uint16_t port, std::string target, std::atomic<int64_t>* counter, int batch,
                  MakeBody make_body = NumberedRecords, int threads = 2);
  ~NumberedPosters();  // Stop()s.
  NumberedPosters(const NumberedPosters&) = delete;
  NumberedPosters& operator=(const NumberedPosters&) = delete;

  // Stops and joins the threads; returns the numbers of every acknowledged
  // batch (empty when called again).
  std::set<int64_t> Stop();

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::set<int64_t>> acked_by_;  // One per thread, written only by it.
  std::vector<std::thread> threads_;
};

}  // namespace gamelake::testing

#endif  // GAMELAKE_TESTS_INTEGRATION_SERVER_PROCESS_H_
