// WebhookReceiver: a blocking HTTP/1.1 server on 127.0.0.1 (an ephemeral
// port) for tests of code that POSTs notifications. It answers each request
// with the next status of its script (the last one repeating) — or with what
// its Responder returns for the request's body — closes the connection, and
// keeps the bodies it got.
//
// Thread-safety: bodies() and Count() may be called from any thread while
// the receiver's own thread serves.
#ifndef GAMELAKE_TESTS_COMMON_WEBHOOK_RECEIVER_H_
#define GAMELAKE_TESTS_COMMON_WEBHOOK_RECEIVER_H_

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "loopback_listener.h"

namespace gamelake {

class WebhookReceiver {
 public:
  struct Answer {
    int status = 200;
    std::string body;
  };
  // Called on the receiver's thread with each request's body (and its index
  // from 0); its answer is sent back.
  using Responder = std::function<Answer(const std::string& body, int index)>;

  explicit WebhookReceiver(Responder responder) : WebhookReceiver(std::vector<int>{200}) {
    std::lock_guard<std::mutex> l(mu_);
    responder_ = std::move(responder);
  }
  explicit WebhookReceiver(std::vector<int> statuses = {200}) : statuses_(std::move(statuses)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    listener_.Shutdown();
    thread_.join();
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  uint16_t port() const { return listener_.port(); }
  std::string url(const std::string& path = "/hook") const {
    return listener_.http_origin() + path;
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> l(mu_);
    return bodies_;
  }
  // How many bodies hold `text`.
  int Count(const std::string& text) {
    int n = 0;
    for (const std::string& b : bodies()) n += b.find(text) != std::string::npos;
    return n;
  }

 private:
  // One request: the bytes up to the end of its Content-Length body.
  static std::string ReadRequest(int c) {
    std::string in;
    char buf[4096];
    size_t need = std::string::npos;
    while (need == std::string::npos || in.size() < need) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      size_t end = in.find("\r\n\r\n");
      if (need == std::string::npos && end != std::string::npos) {
        size_t cl = in.find("Content-Length: ");
        need = end + 4 + (cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16)));
      }
    }
    return in;
  }

  void Serve() {
    while (!stop_) {
      int c = accept(listener_.fd(), nullptr, nullptr);
      if (c < 0) return;
      std::string in = ReadRequest(c);
      Answer answer{0, "ok"};
      Responder responder;
      std::string body;
      int index = 0;
      {
        std::lock_guard<std::mutex> l(mu_);
        size_t end = in.find("\r\n\r\n");
        body = end == std::string::npos ? "" : in.substr(end + 4);
        bodies_.push_back(body);
        index = static_cast<int>(bodies_.size()) - 1;
        answer.status = statuses_[std::min(bodies_.size(), statuses_.size()) - 1];
        responder = responder_;
      }
      if (responder) answer = responder(body, index);
      std::string out = "HTTP/1.1 " + std::to_string(answer.status) +
                        " X\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(answer.body.size()) + "\r\nConnection: close\r\n\r\n" +
                        answer.body;
      (void)!write(c, out.data(), out.size());
      close(c);
    }
  }

  LoopbackListener listener_;
  std::vector<int> statuses_;
  Responder responder_;  // Guarded by mu_.
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_COMMON_WEBHOOK_RECEIVER_H_
