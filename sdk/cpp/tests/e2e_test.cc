// End to end: the real gamelake server on 127.0.0.1 (its binary from $GAMELAKE_BINARY
// or the build's GAMELAKE_SDK_SERVER_BINARY; skipped when neither exists), a Client
// with an ingest key, and the lake read back through /v1/query with an admin key.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <thread>

#include "gamelake/client.h"
#include "test_util.h"

namespace gamelake {
namespace {

using gamelake::testing::TempDir;

std::string ServerBinary() {
  if (const char* env = std::getenv("GAMELAKE_BINARY"); env != nullptr && *env != '\0') return env;
  return GAMELAKE_SDK_SERVER_BINARY;
}

std::string Run(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof(buf), p)) out += buf;
    pclose(p);
  }
  return out;
}

std::string LastLine(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') == std::string::npos ? 0 : s.rfind('\n') + 1);
}

size_t Collect(char* p, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(p, s * n);
  return s * n;
}

// The real server in a temp data dir, with an admin and an ingest key.
class Server {
 public:
  bool Start(const std::string& binary) {
    const std::string d = data_.path();
    admin_ = LastLine(
        Run(binary + " keys create --name a --scope admin --data-dir " + d + " 2>/dev/null"));
    ingest_ = LastLine(
        Run(binary + " keys create --name g --scope ingest --data-dir " + d + " 2>/dev/null"));
    const std::string log = d + "/server.out";
    pid_ = fork();
    if (pid_ == 0) {
      freopen(log.c_str(), "w", stdout);
      freopen(log.c_str(), "a", stderr);
      execl(binary.c_str(), binary.c_str(), "serve", "--data-dir", d.c_str(), "--listen",
            "127.0.0.1:0", static_cast<char*>(nullptr));
      _exit(127);
    }
    const std::regex re("listening on (http://127\\.0\\.0\\.1:[0-9]+)");
    for (int i = 0; i < 300; ++i) {
      std::ifstream in(log);
      const std::string text((std::istreambuf_iterator<char>(in)), {});
      std::smatch m;
      if (std::regex_search(text, m, re)) {
        url_ = m[1];
        return !admin_.empty() && !ingest_.empty();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  ~Server() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  // One value of a one-row, one-column query.
  std::string Query(const std::string& sql) {
    CURL* c = curl_easy_init();
    std::string body = "{\"sql\":\"" + sql + "\"}", out;
    curl_slist* h = curl_slist_append(nullptr, ("Authorization: Bearer " + admin_).c_str());
    curl_easy_setopt(c, CURLOPT_URL, (url_ + "/v1/query").c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    curl_easy_perform(c);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    std::smatch m;
    static const std::regex row("\"rows\":\\[\\[([^\\]]*)\\]\\]");
    return std::regex_search(out, m, row) ? std::string(m[1]) : out;
  }
  const std::string& url() const { return url_; }
  const std::string& ingest() const { return ingest_; }

 private:
  TempDir data_;
  pid_t pid_ = -1;
  std::string url_, admin_, ingest_;
};

TEST(EndToEndTest, EveryEventLandsExactlyOnce) {
  const std::string binary = ServerBinary();
  if (binary.empty() || access(binary.c_str(), X_OK) != 0)
    GTEST_SKIP() << "no gamelake binary: set GAMELAKE_BINARY";
  Server server;
  ASSERT_TRUE(server.Start(binary));
  TempDir queue;
  Config c;
  c.base_url = server.url();
  c.api_key = server.ingest();
  c.queue_dir = queue.path();
  c.stream = "sdk_cpp_e2e";
  c.flush_interval_ms = 50;
  c.max_batch_events = 400;
  std::atomic<int> dropped{0};
  c.on_dropped = [&](DropReason, uint64_t n, std::string_view) { dropped += static_cast<int>(n); };
  const int n = 3000;
  {
    Client client(c);
    ASSERT_TRUE(client.ok()) << client.error();
    client.SetPlayerId("p-7");
    Properties p;
    for (int i = 0; i < n; ++i) {
      p.Clear();
      p.SetInt("seq", i).Set("Time Played", 1.5 * i).Set("where", "Kitchen \"K\" \xC3\xA9");
      ASSERT_EQ(client.Track("death", p, i % 100 == 0).size(), 36u);
    }
    ASSERT_TRUE(client.Shutdown(std::chrono::seconds(60)));
  }
  // The same queue folder again: nothing is left to send twice.
  {
    Client again(c);
    EXPECT_EQ(again.PendingEvents(), 0u);
  }
  EXPECT_EQ(dropped.load(), 0);
  const std::string expect =
      std::to_string(n) + "," + std::to_string(n) + "," + std::to_string(n - 1);
  std::string got;
  for (int i = 0; i < 100; ++i) {
    got = server.Query(
        "SELECT count(*), count(DISTINCT event_id), max(seq) FROM sdk_cpp_e2e WHERE event_type = "
        "'death' AND "
        "player_id = 'p-7'");
    if (got == expect) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(got, expect);
  EXPECT_EQ(
      server.Query(
          "SELECT count(*) FROM sdk_cpp_e2e WHERE event_type IN ('session_start','session_end')"),
      "2");
  EXPECT_EQ(server.Query("SELECT \\\"where\\\" FROM sdk_cpp_e2e WHERE seq = 5"),
            "\"Kitchen \\\"K\\\" \xC3\xA9\"");
}

}  // namespace
}  // namespace gamelake
