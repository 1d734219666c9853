// CurlHttpClient: one HTTP/1.1 request at a time per call, over libcurl, for
// the S3 client. Bodies come from memory or from a byte range of a file (read
// through Env's RandomAccessFile); a successful (2xx) response body can be
// streamed into a WritableFile instead of memory. TLS verifies the peer
// against the system's CA store, or `ca_file`; `insecure` turns verification
// off (tests only). Connections are kept and reused between requests (a small
// pool of curl handles).
//
// Send() returns the response for any HTTP status; it fails only when no
// complete response arrived: Unavailable for what a retry may cure (connect
// refused, DNS, timeouts, a reset or truncated transfer), IOError when the
// local file could not be read or written, InvalidArgument for what will
// not change (a malformed URL, a TLS certificate that does not verify).
//
// curl's own additions are controlled: no "Expect: 100-continue", no
// default Content-Type on POST; it adds Content-Length (and Accept).
//
// Thread-safety: Send() may be called concurrently; each call uses its own
// curl handle.
#ifndef GAMELAKE_S3_CURL_HTTP_CLIENT_H_
#define GAMELAKE_S3_CURL_HTTP_CLIENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

struct CurlHttpClientOptions {
  std::string ca_file;                 // PEM bundle to verify servers with; "": system store.
  bool insecure = false;               // Skip TLS verification (tests only).
  int64_t connect_timeout_ms = 10000;  // TCP + TLS handshake.
  // A transfer slower than low_speed_bytes_per_s for low_speed_time_s fails
  // (Unavailable): a stalled connection, not a slow one, ends the request.
  int64_t low_speed_bytes_per_s = 1024;
  int64_t low_speed_time_s = 30;
  int64_t request_timeout_ms = 0;  // Whole request; 0: none (large files).
  // Largest body kept in memory (error and listing responses); larger is
  // Corruption, not an allocation.
  size_t max_memory_body_bytes = 16u << 20;
  // "HOST:PORT" to connect to instead of the URL's (curl's CONNECT_TO), e.g.
  // tests that send virtual-hosted requests to a local server. "": none.
  std::string connect_to;
};

struct CurlRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE.
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Sent as given.
  // The body: `body`, or when body_file is set, body_length bytes of it from
  // body_offset (read on the fly; read again on a retry).
  std::string body;
  const RandomAccessFile* body_file = nullptr;
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  // When set, a 2xx response body is appended here instead of to
  // CurlResponse::body (other statuses' bodies still go to memory).
  WritableFile* response_file = nullptr;
};

struct CurlResponse {
  int status = 0;
  // Header fields of the final response, names lower-cased.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  uint64_t body_bytes = 0;  // Bytes of body received (to memory or file).

  // The first value of header `lower_name`, or "".
  std::string Header(std::string_view lower_name) const;
  bool HasHeader(std::string_view lower_name) const;
};

class CurlHttpClient {
 public:
  explicit CurlHttpClient(CurlHttpClientOptions options);
  ~CurlHttpClient();
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<CurlResponse> Send(const CurlRequest& request) GL_EXCLUDES(mu_);

 private:
  void* Acquire() GL_EXCLUDES(mu_);
  void Release(void* handle) GL_EXCLUDES(mu_);

  CurlHttpClientOptions options_;
  Mutex mu_;
  std::vector<void*> idle_ GL_GUARDED_BY(mu_);  // CURL* handles, connections kept.
};

}  // namespace gamelake

#endif  // GAMELAKE_S3_CURL_HTTP_CLIENT_H_
