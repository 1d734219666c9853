#include "server/cors_policy.h"

#include <algorithm>

#include <fmt/format.h>

namespace gamelake {

namespace http = boost::beast::http;

CorsPolicy::CorsPolicy(const Config& config) : global_(config.cors_origins) {
  for (const auto& [stream, origins] : config.cors_stream_origins) per_stream_[stream] = origins;
}

const std::vector<std::string>& CorsPolicy::OriginsFor(std::string_view stream) const {
  auto it = per_stream_.find(stream);
  return it == per_stream_.end() ? global_ : it->second;
}

std::optional<std::string> CorsPolicy::AllowedOrigin(std::string_view stream,
                                                     std::string_view origin) const {
  if (origin.empty()) return std::nullopt;
  for (const std::string& allowed : OriginsFor(stream)) {
    if (allowed == "*") return std::string("*");
    if (allowed == origin) return std::string(origin);
  }
  return std::nullopt;
}

void CorsPolicy::Decorate(std::string_view stream, std::string_view origin,
                          HttpResponse* response) const {
  std::optional<std::string> allowed = AllowedOrigin(stream, origin);
  if (!allowed) return;
  response->set(http::field::access_control_allow_origin, *allowed);
  response->set(http::field::access_control_expose_headers, "Retry-After");
  response->set(http::field::vary, "Origin");
}

HttpResponse CorsPolicy::Preflight(std::string_view stream, std::string_view origin) const {
  std::optional<std::string> allowed = AllowedOrigin(stream, origin);
  if (!allowed) {
    return JsonError(403, "cors_origin_not_allowed",
                     fmt::format("origin '{}' may not send to stream '{}'; allow it with "
                                 "cors.origins or cors.streams.{}",
                                 origin, stream, stream));
  }
  HttpResponse res{http::status::no_content, 11};
  res.set(http::field::access_control_allow_origin, *allowed);
  res.set(http::field::access_control_allow_methods, "POST, OPTIONS");
  res.set(http::field::access_control_allow_headers,
          "Content-Type, Content-Encoding, Authorization, X-Api-Key");
  res.set(http::field::access_control_max_age, "600");
  res.set(http::field::vary, "Origin");
  return res;
}

}  // namespace gamelake
