// Fuzzes the request-head handling that is gamelake's own, after Beast has
// parsed a request: query strings (QueryParams/QueryParam, server/http_server.h),
// percent-decoding (common/percent_decode.h), stream names taken from the path
// (common/stream_name.h) and CORS decisions on the Origin header
// (server/cors_policy.h). Beast's HTTP parser itself is not ours and not
// fuzzed here.
//
// The input is a request written as in fuzz_request.h. Besides no crash, leak
// or UB: percent-encoding then decoding any path or value gives it back.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/percent_decode.h"
#include "common/stream_name.h"
#include "fuzz/fuzz_request.h"
#include "server/config.h"
#include "server/cors_policy.h"
#include "server/http_server.h"

namespace {

void CheckRoundTrip(std::string_view s, bool keep_slash) {
  std::string encoded;
  gamelake::AppendPercentEncoded(&encoded, s, keep_slash);
  if (gamelake::PercentDecode(encoded) != s || gamelake::PercentDecode(encoded, true) != s) {
    std::fprintf(stderr, "percent-encoding does not decode back\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const gamelake::CorsPolicy cors = [] {
    gamelake::Config config;
    config.cors_origins = {"https://game.example"};
    config.cors_stream_origins["web"] = {"*"};
    return gamelake::CorsPolicy(config);
  }();

  gamelake::FuzzRequest in = gamelake::SplitFuzzRequest(gamelake::AsView(data, size));
  // Beast 1.74 takes boost::string_view.
  auto beast_view = [](std::string_view s) {
    return boost::beast::string_view(s.data(), s.size());
  };
  gamelake::HttpRequest request;
  request.method_string(beast_view(in.method));
  request.target(beast_view(in.target));
  std::string_view origin;
  for (const auto& [name, value] : in.headers) {
    // A copy of the name, so a byte follows it: Beast 1.74's iequals (called by
    // insert to keep equal names together) reads one byte past a name that
    // differs from the previous one only in case. Beast's own parser hands it
    // names inside its buffer, where the ':' follows, so the server is not
    // affected; a bare fuzz input would be.
    std::string name_copy(name);
    request.insert(beast_view(name_copy), beast_view(value));
    if (name == "Origin") origin = value;
  }

  std::string_view target = in.target;
  std::string_view path = target.substr(0, target.find('?'));
  for (const auto& [name, value] : gamelake::QueryParams(request)) {
    CheckRoundTrip(name, false);
    CheckRoundTrip(value, false);
  }
  (void)gamelake::QueryParam(request, "stream");
  std::string decoded = gamelake::PercentDecode(path);
  CheckRoundTrip(decoded, true);

  // /v1/streams/{stream}/records, as the router takes the stream from the path.
  constexpr std::string_view kPrefix = "/v1/streams/";
  std::string_view stream;
  if (path.starts_with(kPrefix)) {
    stream = path.substr(kPrefix.size());
    stream = stream.substr(0, stream.find('/'));
    (void)gamelake::ValidateStreamName(stream);
  }
  (void)cors.AllowedOrigin(stream, origin);
  gamelake::HttpResponse preflight = cors.Preflight(stream, origin);
  cors.Decorate(stream, origin, &preflight);
  return 0;
}
