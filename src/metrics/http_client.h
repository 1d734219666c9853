// HttpClient: a small blocking HTTP/1.1 client (plain TCP, Boost.Beast) for
// the alarm webhooks: one request per connection, `Connection: close`, with a
// deadline on every step (resolve, connect, send, receive) so a dead or
// hostile endpoint cannot hold the caller, and the answer's size bounded.
// No TLS, no redirects, no proxies.
//
// Thread-safety: HttpPost may be called concurrently (each call has its own
// io_context and socket).
#ifndef GAMELAKE_METRICS_HTTP_CLIENT_H_
#define GAMELAKE_METRICS_HTTP_CLIENT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace gamelake {

struct HttpUrl {
  std::string host;
  uint16_t port = 80;
  std::string target = "/";  // Path and query.
};

// "http://host[:port][/path]" (host a name, an IPv4 address or [IPv6]).
// InvalidArgument saying what is wrong otherwise (https included).
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct HttpClientOptions {
  int64_t connect_timeout_ms = 2'000;  // Resolve and connect.
  int64_t io_timeout_ms = 5'000;       // Send the request and read the whole answer.
  size_t max_response_bytes = 64 * 1024;
};

struct HttpClientResponse {
  int status = 0;
  std::string body;  // At most max_response_bytes.
};

// POSTs `body`. Any HTTP answer is a value (check status); the error cases are
// Unavailable (resolve or connect failed, connection reset), DeadlineExceeded
// (a timeout) and Corruption (not HTTP, or an answer over the size bound).
Result<HttpClientResponse> HttpPost(const HttpUrl& url, std::string_view content_type,
                                    std::string body, const HttpClientOptions& options = {});

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_HTTP_CLIENT_H_
