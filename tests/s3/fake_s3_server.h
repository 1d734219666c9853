// FakeS3Server: a blocking HTTP/1.1 server on 127.0.0.1 (an ephemeral port)
// that records every request the S3 client sends (method, target, headers,
// body) and answers each with what the test's handler returns — a scripted
// status, headers and body, or a dropped connection. One request per
// connection (it answers "Connection: close").
//
// Thread-safety: requests() may be called from any thread while the server's
// own thread serves; the handler runs on the server's thread.
#ifndef GAMELAKE_TESTS_S3_FAKE_S3_SERVER_H_
#define GAMELAKE_TESTS_S3_FAKE_S3_SERVER_H_

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../common/loopback_listener.h"
#include "common/ascii.h"

namespace gamelake {

struct RecordedRequest {
  std::string method;
  std::string target;                                        // As on the wire: path and "?query".
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;

  std::string Header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers) {
      if (n == lower_name) return v;
    }
    return "";
  }
  std::string Path() const { return target.substr(0, target.find('?')); }
  std::string Query() const {
    size_t q = target.find('?');
    return q == std::string::npos ? "" : target.substr(q + 1);
  }
};

struct FakeResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool drop = false;  // Close the connection without answering.
};

class FakeS3Server {
 public:
  using Handler = std::function<FakeResponse(const RecordedRequest& request, int index)>;

  explicit FakeS3Server(Handler handler) : handler_(std::move(handler)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeS3Server() {
    stop_ = true;
    listener_.Shutdown();
    thread_.join();
  }
  FakeS3Server(const FakeS3Server&) = delete;
  FakeS3Server& operator=(const FakeS3Server&) = delete;

  uint16_t port() const { return listener_.port(); }
  std::string endpoint() const { return listener_.http_origin(); }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }

 private:
  // Reads one request; false if the connection closed first.
  static bool ReadRequest(int c, RecordedRequest* r) {
    std::string in;
    char buf[65536];
    size_t head_end = std::string::npos;
    size_t need = std::string::npos;
    while (need == std::string::npos || in.size() < need) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos) {
        head_end = in.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        size_t line_end = in.find("\r\n");
        std::string line = in.substr(0, line_end);
        size_t sp1 = line.find(' ');
        size_t sp2 = line.find(' ', sp1 + 1);
        r->method = line.substr(0, sp1);
        r->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        size_t pos = line_end + 2;
        size_t content_length = 0;
        while (pos < head_end) {
          size_t e = in.find("\r\n", pos);
          std::string h = in.substr(pos, e - pos);
          size_t colon = h.find(':');
          std::string name = AsciiLowered(h.substr(0, colon));
          std::string value = colon == std::string::npos ? "" : h.substr(colon + 1);
          while (!value.empty() && value.front() == ' ') value.erase(0, 1);
          if (name == "content-length") content_length = std::stoul(value);
          r->headers.emplace_back(std::move(name), std::move(value));
          pos = e + 2;
        }
        need = head_end + 4 + content_length;
      }
    }
    r->body = in.substr(head_end + 4);
    return true;
  }

  void Serve() {
    while (!stop_) {
      int c = accept(listener_.fd(), nullptr, nullptr);
      if (c < 0) return;
      RecordedRequest request;
      if (!ReadRequest(c, &request)) {
        close(c);
        continue;
      }
      int index;
      {
        std::lock_guard<std::mutex> l(mu_);
        requests_.push_back(request);
        index = static_cast<int>(requests_.size()) - 1;
      }
      FakeResponse response = handler_(request, index);
      if (!response.drop) {
        std::string out = "HTTP/1.1 " + std::to_string(response.status) + " X\r\n";
        bool has_length = false;
        for (const auto& [n, v] : response.headers) {
          out += n + ": " + v + "\r\n";
          has_length |= EqualsIgnoreCase(n, "content-length");
        }
        if (!has_length) out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
        out += "Connection: close\r\n\r\n";
        if (request.method != "HEAD") out += response.body;
        (void)!write(c, out.data(), out.size());
      }
      close(c);
    }
  }

  Handler handler_;
  LoopbackListener listener_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_S3_FAKE_S3_SERVER_H_
