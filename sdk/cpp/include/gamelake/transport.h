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
  // The failure was TLS (certificate not trusted, wrong host name, expired, handshake
  // refused, unreadable CA file): network_error has the TLS library's reason.
  bool tls_error = false;
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

// How libcurl checks the server's certificate on https:// URLs.
struct TlsOptions {
  // A PEM file of the CAs to trust (CURLOPT_CAINFO: replaces libcurl's default CA
  // bundle file). Empty: the system's CAs.
  std::string ca_file;
  // FOR TESTS ONLY: do not verify the certificate or the host name at all
  // (CURLOPT_SSL_VERIFYPEER/VERIFYHOST = 0). Anyone on the path can then read the key
  // and the events and answer in the server's place. Never in a shipped game.
  bool insecure = false;
};

// libcurl, one easy handle reused (keep-alive), no signals. Never null.
std::shared_ptr<Transport> MakeCurlTransport();
std::shared_ptr<Transport> MakeCurlTransport(const TlsOptions& tls);

}  // namespace gamelake

#endif  // GAMELAKE_TRANSPORT_H_
