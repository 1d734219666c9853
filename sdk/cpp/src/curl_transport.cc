// The default Transport: libcurl with one easy handle kept for the SDK's life, so the
// connection is kept alive between batches. Thread-safety: Send runs on the SDK's
// worker only; Cancel is an atomic flag read by curl's progress callback.
#include <curl/curl.h>

#include <atomic>
#include <cctype>
#include <mutex>

#include "gamelake/transport.h"

namespace gamelake {
namespace {

class CurlTransport final : public Transport {
 public:
  CurlTransport() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }

  HttpResponse Send(const HttpRequest& request) override {
    HttpResponse response;
    if (curl_ == nullptr) {
      response.network_error = "curl_easy_init failed";
      return response;
    }
    if (cancelled_.load()) {
      response.network_error = "cancelled";
      return response;
    }
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_reset(curl_);  // keeps the connection cache
    curl_easy_setopt(curl_, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POST, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout_ms));
    curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &CurlTransport::OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &CurlTransport::OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response);
    curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, &CurlTransport::OnProgress);
    curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, this);
    const CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      response.status = 0;
      response.network_error = curl_easy_strerror(rc);
      return response;
    }
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
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
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
        response->retry_after.assign(value);
      }
    }
    if (line.rfind("HTTP/", 0) == 0) response->retry_after.clear();  // a new answer (after 100)
    return size * n;
  }

  static int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<CurlTransport*>(user)->cancelled_.load() ? 1 : 0;
  }

  CURL* curl_ = nullptr;
  std::atomic<bool> cancelled_{false};
};

}  // namespace

std::shared_ptr<Transport> MakeCurlTransport() { return std::make_shared<CurlTransport>(); }

}  // namespace gamelake
