#include "server/aws_protocol.h"

#include <random>

#include <fmt/format.h>

#include "common/json_writer.h"

namespace gamelake {

namespace http = boost::beast::http;

std::string NewAwsRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & ~0xF000ull) | 0x4000ull;                         // Version 4.
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // Variant 10.
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFFF,
                     b >> 48, b & 0xFFFFFFFFFFFFull);
}

HttpResponse AwsJsonResponse(unsigned status, std::string body, std::string_view content_type,
                             const std::string& request_id) {
  HttpResponse res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, std::string(content_type));
  res.set("x-amzn-RequestId", request_id);
  res.body() = std::move(body);
  return res;
}

HttpResponse AwsJsonError(unsigned status, std::string_view type, std::string_view message,
                          std::string_view content_type, const std::string& request_id) {
  JsonWriter w;
  w.BeginObject().Key("__type").String(type).Key("message").String(message).EndObject();
  HttpResponse res = AwsJsonResponse(status, w.Take(), content_type, request_id);
  res.set("x-amzn-ErrorType", std::string(type));
  return res;
}

}  // namespace gamelake
