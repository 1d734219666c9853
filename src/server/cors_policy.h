// CorsPolicy: which browser origins may POST records, per stream.
//
// WebGL and other browser builds of a game send CORS requests. An origin is
// allowed when the stream's list (cors.streams.<stream>) — or, without one, the
// global list (cors.origins) — holds it exactly or holds "*". Preflight
// (OPTIONS) answers are built here too.
//
// Thread-safety: immutable after construction; safe to share.
#ifndef GAMELAKE_SERVER_CORS_POLICY_H_
#define GAMELAKE_SERVER_CORS_POLICY_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.h"
#include "server/http_server.h"

namespace gamelake {

class CorsPolicy {
 public:
  explicit CorsPolicy(const Config& config);

  // The Access-Control-Allow-Origin value for origin on stream, if allowed.
  std::optional<std::string> AllowedOrigin(std::string_view stream, std::string_view origin) const;
  // Adds the CORS headers to an answer for a request from origin (if allowed).
  void Decorate(std::string_view stream, std::string_view origin, HttpResponse* response) const;
  // Answers an OPTIONS preflight for stream: 204 with the allowed methods and
  // headers, or 403 when the origin is not allowed.
  HttpResponse Preflight(std::string_view stream, std::string_view origin) const;

 private:
  const std::vector<std::string>& OriginsFor(std::string_view stream) const;

  std::vector<std::string> global_;
  std::map<std::string, std::vector<std::string>, std::less<>> per_stream_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CORS_POLICY_H_
