// gamelake::Transport — how the SDK's worker sends one HTTP request. The default is
// libcurl (MakeCurlTransport); an engine supplies its own (README: Unreal FHttpModule).
// Thread-safety: Send is called from the SDK's worker thread only, one request at a
// time (Send or SendMany); Cancel may be called from any thread while they run.
#ifndef GAMELAKE_TRANSPORT_H_
#define GAMELAKE_TRANSPORT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gamelake {

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string_view body;
  uint32_t timeout_ms = 30000;
};

struct HttpResponse {
  int status = 0;             // 0: no answer (network_error says why)
  std::string network_error;  // non-empty when the request got no answer
  std::string retry_after;    // the Retry-After header's value, if any
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one POST and waits for the whole answer (or a network error / timeout).
  virtual HttpResponse Send(const HttpRequest& request) = 0;
  // Sends several requests at once (the SDK keeps up to Config::max_requests_in_flight
  // batches in flight) and returns their answers in the same order. The default sends
  // them one after another; libcurl's runs them in parallel, one connection each.
  virtual std::vector<HttpResponse> SendMany(const std::vector<HttpRequest>& requests) {
    std::vector<HttpResponse> out;
    out.reserve(requests.size());
    for (const auto& r : requests) out.push_back(Send(r));
    return out;
  }
  // Makes a running Send (and every later one) give up soon: the SDK is stopping.
  virtual void Cancel() {}
};

// libcurl, one easy handle reused (keep-alive), no signals. Never null.
std::shared_ptr<Transport> MakeCurlTransport();

}  // namespace gamelake

#endif  // GAMELAKE_TRANSPORT_H_
