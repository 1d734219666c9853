#include "s3/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "common/ascii.h"

namespace gamelake {
namespace {

constexpr size_t kMaxPooledHandles = 16;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State of one transfer, shared with curl's callbacks.
struct Transfer {
  const CurlRequest* request = nullptr;
  size_t max_memory = 0;
  uint64_t read_pos = 0;  // Of the body, from its start.
  CurlResponse response;
  bool in_final_headers = false;
  Status local_error;  // A callback's failure (file read/write, too large).
};

size_t ReadBody(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const CurlRequest& r = *t->request;
  size_t room = size * nitems;
  if (r.body_file == nullptr) {
    size_t n = std::min<size_t>(room, r.body.size() - static_cast<size_t>(t->read_pos));
    std::copy_n(r.body.data() + t->read_pos, n, buffer);
    t->read_pos += n;
    return n;
  }
  uint64_t left = r.body_length - t->read_pos;
  size_t want = static_cast<size_t>(std::min<uint64_t>(room, left));
  if (want == 0) return 0;
  Result<size_t> got = r.body_file->Read(r.body_offset + t->read_pos, want, buffer);
  if (!got.ok()) {
    t->local_error = got.status();
    return CURL_READFUNC_ABORT;
  }
  if (*got != want) {
    t->local_error = Status::IOError(
        fmt::format("the file to upload is shorter than expected (read {} of {} bytes at {})", *got,
                    want, r.body_offset + t->read_pos));
    return CURL_READFUNC_ABORT;
  }
  t->read_pos += *got;
  return *got;
}

int SeekBody(void* userdata, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(userdata);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  t->read_pos = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  size_t n = size * nmemb;
  int status = t->response.status;
  if (t->request->response_file != nullptr && status >= 200 && status < 300) {
    Status s = t->request->response_file->Append(std::string_view(data, n));
    if (!s.ok()) {
      t->local_error = s;
      return 0;  // Aborts the transfer (CURLE_WRITE_ERROR).
    }
  } else {
    if (t->response.body.size() + n > t->max_memory) {
      t->local_error = Status::Corruption(fmt::format(
          "the response body is larger than {} bytes, more than any S3 answer of this kind",
          t->max_memory));
      return 0;
    }
    t->response.body.append(data, n);
  }
  t->response.body_bytes += n;
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nitems, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  size_t n = size * nitems;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new response (after a 100 Continue, say): start over.
    t->response.headers.clear();
    size_t sp = line.find(' ');
    int status = 0;
    if (sp != std::string_view::npos) {
      for (size_t i = sp + 1; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) {
        status = status * 10 + (line[i] - '0');
      }
    }
    t->response.status = status;
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = AsciiLowered(line.substr(0, colon));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->response.headers.emplace_back(std::move(name), std::string(value));
  return n;
}

bool Retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string CurlResponse::Header(std::string_view lower_name) const {
  for (const auto& [n, v] : headers) {
    if (n == lower_name) return v;
  }
  return "";
}

bool CurlResponse::HasHeader(std::string_view lower_name) const {
  for (const auto& h : headers) {
    if (h.first == lower_name) return true;
  }
  return false;
}

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options) : options_(std::move(options)) {
  GlobalInit();
}

CurlHttpClient::~CurlHttpClient() {
  MutexLock lock(&mu_);
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
  idle_.clear();
}

void* CurlHttpClient::Acquire() {
  {
    MutexLock lock(&mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlHttpClient::Release(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));
  MutexLock lock(&mu_);
  if (idle_.size() < kMaxPooledHandles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Result<CurlResponse> CurlHttpClient::Send(const CurlRequest& request) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  Transfer t;
  t.request = &request;
  t.max_memory = options_.max_memory_body_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  headers = curl_slist_append(headers, "Expect:");
  bool has_content_type =
      std::any_of(request.headers.begin(), request.headers.end(),
                  [](const auto& h) { return EqualsIgnoreCase(h.first, "content-type"); });
  if (!has_content_type) headers = curl_slist_append(headers, "Content-Type:");

  uint64_t body_size = request.body_file != nullptr ? request.body_length : request.body.size();
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT,
                   static_cast<long>(options_.low_speed_bytes_per_s));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time_s));
  if (options_.request_timeout_ms > 0) {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms));
  }
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (options_.insecure) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_slist* connect_to = nullptr;
  if (!options_.connect_to.empty()) {
    connect_to = curl_slist_append(nullptr, ("::" + options_.connect_to).c_str());
    curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
  }

  const std::string& m = request.method;
  if (m == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (m == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (m == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_size));
  } else if (m == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_size));
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
  if (m == "PUT" || m == "POST") {
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, &SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);
  }

  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (connect_to != nullptr) curl_slist_free_all(connect_to);
  if (code != CURLE_OK) {
    // A transfer that failed leaves its connection closed; the handle is fine.
    Release(curl);
    if (!t.local_error.ok()) return t.local_error;
    std::string what = fmt::format("{} {}: {}", m, request.url,
                                   error_buffer[0] != 0 ? error_buffer : curl_easy_strerror(code));
    if (Retryable(code)) return Status::Unavailable(what);
    return Status::InvalidArgument(what);
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  Release(curl);
  t.response.status = static_cast<int>(status);
  return std::move(t.response);
}

}  // namespace gamelake
