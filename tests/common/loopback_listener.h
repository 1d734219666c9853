// LoopbackListener: a listening TCP socket on 127.0.0.1, on a free port the
// kernel picks, for the fake servers of tests (WebhookReceiver, FakeS3Server).
// The owner accepts on fd() from its own thread; Shutdown() wakes that
// accept() (it then fails) so the thread can be joined, and the destructor
// closes the socket.
//
// Thread-safety: fd() and port() are fixed at construction and may be read
// from any thread; Shutdown() may be called from any thread while another
// blocks in accept(); the destructor must run after that thread is joined.
#ifndef GAMELAKE_TESTS_COMMON_LOOPBACK_LISTENER_H_
#define GAMELAKE_TESTS_COMMON_LOOPBACK_LISTENER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace gamelake {

class LoopbackListener {
 public:
  // Binds 127.0.0.1:0 (with SO_REUSEADDR) and listens with a backlog of
  // `backlog`; a failed bind is a test failure.
  explicit LoopbackListener(int backlog = 16) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    listen(fd_, backlog);
  }
  ~LoopbackListener() {
    Shutdown();
    close(fd_);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  // Stops listening: a blocked or later accept() on fd() fails.
  void Shutdown() { shutdown(fd_, SHUT_RDWR); }

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>".
  std::string http_origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_COMMON_LOOPBACK_LISTENER_H_
