// HttpServer: the transport of the front door, HTTP/1.1 over Boost.Beast.
//
// Accepts connections (HTTP, or HTTPS with a TLS context, optionally with a
// plain listener beside it), reads requests within limits (header size, body size,
// idle and whole-request timeouts, a connection cap), hands each request to a
// Handler, and writes the response the handler gives back — possibly later
// and from another thread (the ingest path answers after the group commit).
// It knows nothing of routes or records. Errors it detects itself (413 for a
// body over the limit, 431 for headers over the limit, 400 for malformed HTTP,
// 503 past the connection cap) are answered as JSON {"error","message"} and
// the connection is closed.
//
// Thread-safety: Start/Shutdown from one controlling thread; the handler runs
// on the I/O threads concurrently; Respond may be called from any thread.
#ifndef GAMELAKE_SERVER_HTTP_SERVER_H_
#define GAMELAKE_SERVER_HTTP_SERVER_H_

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/beast/http.hpp>

#include "common/metrics.h"
#include "common/result.h"
#include "common/status.h"
#include "net/tls_context.h"

namespace gamelake {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;
// The body of a streamed response (chunked transfer encoding), produced on a
// worker thread while the connection's I/O thread sends it.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  // Queues bytes for sending. Blocks while about 1 MiB is queued and unsent
  // (a slow reader slows the producer). False once the client has gone or the
  // connection failed: stop producing.
  virtual bool Write(std::string_view bytes) = 0;
  // Ends the body. Destroying a writer without Finish() aborts the response:
  // the connection is closed without the last chunk, so the client sees a
  // truncated transfer rather than a short, seemingly complete answer.
  virtual void Finish() = 0;
};

// Sends the response for one request: call it (or Stream()) exactly once,
// from any thread.
class Respond {
 public:
  using SendFn = std::function<void(HttpResponse)>;
  using StreamFn = std::function<std::unique_ptr<ChunkWriter>(HttpResponse head)>;

  Respond() = default;
  template <typename F>
  requires(!std::same_as<std::remove_cvref_t<F>, Respond> && std::invocable<F&, HttpResponse>)
      Respond(F send)
      : send_(std::move(send)) {}  // NOLINT: implicit, like the function it was.
  Respond(SendFn send, StreamFn stream) : send_(std::move(send)), stream_(std::move(stream)) {}

  void operator()(HttpResponse response) const { send_(std::move(response)); }
  // Sends `head` (status and headers; its body is ignored) and returns the
  // writer of the body. Null if this Respond cannot stream (then call it
  // with a whole response instead).
  std::unique_ptr<ChunkWriter> Stream(HttpResponse head) const {
    return stream_ ? stream_(std::move(head)) : nullptr;
  }
  // The same streaming ability behind another send function (to wrap one).
  Respond WithSend(SendFn send) const { return Respond(std::move(send), stream_); }
  const StreamFn& stream_fn() const { return stream_; }

 private:
  SendFn send_;
  StreamFn stream_;
};
using HttpHandler = std::function<void(HttpRequest&& request, Respond respond)>;

// A request the server refused before reading it (413 body too large, 431
// headers too large or too many): its head as far as it was parsed.
struct HttpRefusal {
  unsigned status = 0;
  std::string code;
  std::string message;
  const boost::beast::http::request_header<>* head = nullptr;  // Valid during the call.
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port().
  int threads = 1;
  uint64_t max_body_bytes = 4ull << 20;
  uint64_t max_header_bytes = 16ull << 10;
  double idle_timeout_s = 60;
  double request_timeout_s = 30;
  uint64_t max_connections = 10000;
  uint64_t max_header_count = 100;
  // TLS on the main listener (host:port): the context each new connection
  // uses (see TlsCertificates). Unset: plain HTTP.
  std::function<std::shared_ptr<TlsContext>()> tls;
  // Told of every HttpRefusal, on the I/O thread, before the answer is sent.
  std::function<void(const HttpRefusal&)> on_refused;
  // With tls: a plain-HTTP listener beside it ("" = none; port 0 = a free one).
  std::string plain_host;
  uint16_t plain_port = 0;
};

// The request line and header fields as they came, for a dead letter; the
// values of Authorization, Cookie and X-Amz-Security-Token are redacted.
std::string RedactedHead(const boost::beast::http::request_header<>& head);

// A JSON error response: {"error": code, "message": message}.
HttpResponse JsonError(unsigned status, std::string_view code, std::string_view message,
                       unsigned http_version = 11, bool keep_alive = true);
// A JSON response with `body` (a newline is added).
HttpResponse JsonResponse(unsigned status, std::string body);
// The value of ?name=... in the request target, percent-decoded; "" if absent.
std::string QueryParam(const HttpRequest& request, std::string_view name);
// Every parameter of the query string, names and values percent-decoded ('+'
// as space), in order; a name may repeat, a parameter without '=' has "".
std::vector<std::pair<std::string, std::string>> QueryParams(const HttpRequest& request);

class HttpServer {
 public:
  // Binds and starts the I/O threads. Fails if the address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler, Metrics* metrics);
  virtual ~HttpServer() = default;

  virtual uint16_t port() const = 0;
  // The plain listener beside a TLS one; 0 if there is none.
  virtual uint16_t plain_port() const = 0;
  // Stops accepting, closes idle connections, waits up to timeout_s for the
  // requests in flight to be answered, then stops the I/O threads.
  virtual void Shutdown(double timeout_s) = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_HTTP_SERVER_H_
