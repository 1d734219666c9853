// ClientStream: one client connection to an HTTP server, over plain TCP or
// TLS, for the CLI and the generator. Connect resolves, connects and, with a
// TLS context, handshakes — sending the host name (SNI) and checking that the
// server's certificate names it — each step within a deadline. After that the
// caller drives Beast's HTTP operations on the stream through Visit.
//
// Thread-safety: a ClientStream is used by one thread at a time.
#ifndef GAMELAKE_NET_CLIENT_STREAM_H_
#define GAMELAKE_NET_CLIENT_STREAM_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/result.h"
#include "net/tls_context.h"

namespace gamelake {

class ClientStream {
 public:
  using Plain = boost::beast::tcp_stream;
  using Tls = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // `tls` null: plain TCP. Runs `ioc` until each step completes. Unavailable
  // saying which step failed (naming the server as `label`, default
  // host:port) and, for a refused certificate, what to pass.
  static Result<std::unique_ptr<ClientStream>> Connect(boost::asio::io_context& ioc,
                                                       const std::string& host, uint16_t port,
                                                       std::shared_ptr<TlsContext> tls,
                                                       std::chrono::milliseconds timeout,
                                                       std::string label = "");

  // Calls f(stream) with the Plain or Tls stream.
  template <class F>
  decltype(auto) Visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }
  // The TCP layer: deadlines (expires_after), the socket.
  Plain& tcp() {
    return stream_.index() == 0 ? std::get<0>(stream_) : std::get<1>(stream_).next_layer();
  }
  bool tls() const { return stream_.index() == 1; }

 private:
  explicit ClientStream(boost::asio::io_context& ioc);
  ClientStream(boost::asio::io_context& ioc, std::shared_ptr<TlsContext> tls);

  std::shared_ptr<TlsContext> tls_;  // Outlives stream_, which refers to it.
  std::variant<Plain, Tls> stream_;
};

}  // namespace gamelake

#endif  // GAMELAKE_NET_CLIENT_STREAM_H_
