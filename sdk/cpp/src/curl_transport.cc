// The default Transport: libcurl's multi interface over easy handles kept for the SDK's
// life, so connections are kept alive between batches and several batches can be in
// flight. Thread-safety: Send/SendMany run on the SDK's worker only; Cancel is an
// atomic flag the transfer loop checks every 100 ms.
#include <curl/curl.h>

#include <array>
#include <atomic>
#include <cctype>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "gamelake/transport.h"

namespace gamelake {
namespace {

// The curl results that are TLS failures (the certificate, its name, the handshake, the
// CA file), as opposed to the connection or the server.
bool IsTlsError(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TlsOptions tls) : tls_(std::move(tls)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    multi_ = curl_multi_init();
  }
  ~CurlTransport() override {
    for (CURL* h : handles_) {
      if (h != nullptr) curl_easy_cleanup(h);
    }
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
  }

  HttpResponse Send(const HttpRequest& request) override {
    std::vector<HttpRequest> one;
    one.push_back(request);
    return std::move(SendMany(one).front());
  }

  // Runs the requests in parallel with curl's multi interface; each handle (and so
  // each kept-alive connection) is reused by the same slot next time.
  std::vector<HttpResponse> SendMany(const std::vector<HttpRequest>& requests) override {
    std::vector<HttpResponse> responses(requests.size());
    if (multi_ == nullptr) {
      for (auto& r : responses) r.network_error = "curl_multi_init failed";
      return responses;
    }
    while (handles_.size() < requests.size()) handles_.push_back(curl_easy_init());
    errors_.resize(handles_.size());
    std::vector<curl_slist*> lists(requests.size(), nullptr);
    for (size_t i = 0; i < requests.size(); ++i) {
      if (handles_[i] == nullptr || cancelled_.load()) {
        responses[i].network_error = handles_[i] == nullptr ? "curl_easy_init failed" : "cancelled";
        continue;
      }
      lists[i] = Prepare(handles_[i], errors_[i].data(), requests[i], &responses[i]);
      curl_multi_add_handle(multi_, handles_[i]);
    }
    int running = 0;
    do {
      if (curl_multi_perform(multi_, &running) != CURLM_OK) break;
      if (running > 0) curl_multi_poll(multi_, nullptr, 0, 100, nullptr);
    } while (running > 0 && !cancelled_.load());
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      for (size_t i = 0; i < requests.size(); ++i) {
        if (handles_[i] != msg->easy_handle) continue;
        if (msg->data.result != CURLE_OK) {
          // The error buffer has the detail ("SSL certificate problem: unable to get
          // local issuer certificate"); curl_easy_strerror only the category.
          const char* detail = errors_[i].data();
          responses[i].network_error =
              detail[0] != '\0' ? std::string(detail) : curl_easy_strerror(msg->data.result);
          responses[i].tls_error = IsTlsError(msg->data.result);
        } else {
          long status = 0;
          curl_easy_getinfo(handles_[i], CURLINFO_RESPONSE_CODE, &status);
          responses[i].status = static_cast<int>(status);
        }
      }
    }
    for (size_t i = 0; i < requests.size(); ++i) {
      if (lists[i] == nullptr) continue;
      curl_multi_remove_handle(multi_, handles_[i]);
      curl_slist_free_all(lists[i]);
      if (responses[i].status == 0 && responses[i].network_error.empty()) {
        responses[i].network_error = "cancelled";
      }
      if (responses[i].status == 0) responses[i].body.clear();
    }
    return responses;
  }

  void Cancel() override { cancelled_.store(true); }

 private:
  static size_t OnBody(char* data, size_t size, size_t n, void* user) {
    auto* response = static_cast<HttpResponse*>(user);
    if (response->body.size() < (1u << 20)) response->body.append(data, size * n);
    return size * n;
  }

  static size_t OnHeader(char* data, size_t size, size_t n, void* user) {
    auto* response = static_cast<HttpResponse*>(user);
    const std::string_view line(data, size * n);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() > kName.size()) {
      bool match = true;
      for (size_t i = 0; i < kName.size() && match; ++i) {
        match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
      }
      if (match) {
        std::string_view value = line.substr(kName.size());
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
          value.remove_suffix(1);
        response->retry_after.assign(value);
      }
    }
    if (line.rfind("HTTP/", 0) == 0) response->retry_after.clear();  // a new answer (after 100)
    return size * n;
  }

  // Sets up one handle for one request; returns its header list (freed by the caller).
  curl_slist* Prepare(CURL* h, char* error_buffer, const HttpRequest& request,
                      HttpResponse* response) {
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_reset(h);                               // keeps the handle's connection
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &CurlTransport::OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, response);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &CurlTransport::OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, response);
    error_buffer[0] = '\0';
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    if (!tls_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls_.ca_file.c_str());
    if (tls_.insecure) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return headers;
  }

  const TlsOptions tls_;
  CURLM* multi_ = nullptr;
  std::vector<CURL*> handles_;
  std::vector<std::array<char, CURL_ERROR_SIZE>> errors_;  // one per handle
  std::atomic<bool> cancelled_{false};
};

}  // namespace

std::shared_ptr<Transport> MakeCurlTransport() { return MakeCurlTransport(TlsOptions()); }

std::shared_ptr<Transport> MakeCurlTransport(const TlsOptions& tls) {
  return std::make_shared<CurlTransport>(tls);
}

}  // namespace gamelake
