#include "generator/http_sender.h"

#include "net/client_stream.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "auth/api_key.h"
#include "auth/sigv4.h"
#include "generator/rng.h"
#include "generator/time_format.h"

namespace gamelake {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kQueuedBatchesPerConnection = 2;

std::string Base64(std::string_view in) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out.push_back(kChars[v >> 18]);
    out.push_back(kChars[(v >> 12) & 63]);
    out.push_back(kChars[(v >> 6) & 63]);
    out.push_back(kChars[v & 63]);
  }
  if (i < in.size()) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kChars[v >> 18]);
    out.push_back(kChars[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kChars[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string HostHeader(const Endpoint& e) {
  bool v6 = e.host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", v6 ? "[" : "", e.host, v6 ? "]" : "", e.port);
}

std::string UrlOf(const Endpoint& e) {
  return (e.tls ? "https://" : "http://") + HostHeader(e) + e.prefix;
}

// What an answer body says, as far as the sender cares.
struct Answer {
  uint64_t accepted = 0;
  uint64_t failed = 0;
  bool has_counts = false;
  std::string code;     // "error" (native) or "__type" (Firehose).
  std::string message;  // "message", or the first record error's.
};

Answer ParseAnswer(std::string_view body, bool firehose, size_t records) {
  Answer a;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size(), true).get(root)) {
    a.message = std::string(body.substr(0, 200));
    while (!a.message.empty() && (a.message.back() == '\n' || a.message.back() == '\r')) {
      a.message.pop_back();
    }
    return a;
  }
  std::string_view s;
  if (!root[firehose ? "__type" : "error"].get_string().get(s)) a.code = std::string(s);
  if (!root["message"].get_string().get(s)) a.message = std::string(s);
  if (firehose) {
    uint64_t failed = 0;
    if (!root["FailedPutCount"].get_uint64().get(failed)) {
      a.has_counts = true;
      a.failed = failed;
      a.accepted = records >= failed ? records - failed : 0;
      simdjson::dom::array responses;
      if (!root["RequestResponses"].get_array().get(responses)) {
        for (simdjson::dom::element r : responses) {
          if (!r["ErrorMessage"].get_string().get(s)) {
            a.message = std::string(s);
            break;
          }
        }
      }
    }
  } else {
    uint64_t v = 0;
    if (!root["accepted"].get_uint64().get(v)) {
      a.has_counts = true;
      a.accepted = v;
      if (!root["failed"].get_uint64().get(v)) a.failed = v;
      simdjson::dom::array errors;
      if (!root["errors"].get_array().get(errors)) {
        for (simdjson::dom::element e : errors) {
          if (!e["message"].get_string().get(s)) {
            a.message = std::string(s);
            break;
          }
        }
      }
    }
  }
  return a;
}

}  // namespace

Result<Endpoint> ParseUrl(std::string_view url) {
  Endpoint e;
  std::string_view rest;
  if (url.starts_with("https://")) {
    e.tls = true;
    e.port = 443;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument(
        fmt::format("--url \"{}\" must look like http://HOST:PORT or https://HOST:PORT", url));
  }
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    e.prefix = std::string(rest.substr(slash));
    while (!e.prefix.empty() && e.prefix.back() == '/') e.prefix.pop_back();
  }
  std::string_view port;
  if (hostport.starts_with("[")) {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("--url {}: unterminated [IPv6 address]", url));
    }
    e.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Status::InvalidArgument(fmt::format("--url {}: bad host", url));
      port = after.substr(1);
    }
  } else {
    size_t colon = hostport.rfind(':');
    e.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (e.host.empty()) return Status::InvalidArgument(fmt::format("--url {}: no host", url));
  if (!port.empty()) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) {
      return Status::InvalidArgument(fmt::format("--url {}: bad port \"{}\"", url, port));
    }
    e.port = static_cast<uint16_t>(p);
  }
  return e;
}

// One keep-alive connection, driven with async operations run to completion
// on a private io_context, so every step has a deadline.
class HttpSender::Worker {
 public:
  Worker(const Endpoint& endpoint, std::shared_ptr<TlsContext> tls, double timeout_s)
      : endpoint_(endpoint),
        tls_(std::move(tls)),
        timeout_(static_cast<int64_t>(timeout_s * 1000)) {}

  Status Connect() {
    stream_.reset();
    buffer_.clear();
    GL_ASSIGN_OR_RETURN(stream_, ClientStream::Connect(ioc_, endpoint_.host, endpoint_.port, tls_,
                                                       timeout_, UrlOf(endpoint_)));
    return Status::OK();
  }

  // Sends req and reads the answer; reconnects first if needed. On a
  // transport error the connection is dropped and Unavailable returned.
  Result<http::response<http::string_body>> Exchange(http::request<http::string_body>& req) {
    if (!stream_) GL_RETURN_IF_ERROR(Connect());
    beast::error_code ec;
    stream_->tcp().expires_after(timeout_);
    stream_->Visit(
        [&](auto& s) { http::async_write(s, req, [&](beast::error_code e, size_t) { ec = e; }); });
    RunIo();
    http::response<http::string_body> res;
    if (!ec) {
      http::response_parser<http::string_body> parser;
      parser.body_limit(64u << 20);
      stream_->Visit([&](auto& s) {
        http::async_read(s, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
      });
      RunIo();
      if (!ec) res = parser.release();
    }
    if (ec) {
      stream_.reset();
      buffer_.clear();
      return Status::Unavailable(
          fmt::format("connection to {} failed: {}", UrlOf(endpoint_), ec.message()));
    }
    if (!res.keep_alive()) {
      stream_.reset();
      buffer_.clear();
    }
    return res;
  }

 private:
  void RunIo() {
    ioc_.restart();
    ioc_.run();
  }

  Endpoint endpoint_;
  std::shared_ptr<TlsContext> tls_;  // Null for http://.
  std::chrono::milliseconds timeout_;
  net::io_context ioc_;
  std::unique_ptr<ClientStream> stream_;
  beast::flat_buffer buffer_;
};

HttpSender::HttpSender(SenderOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<HttpSender>> HttpSender::Start(SenderOptions options) {
  if (options.connections < 1 || options.connections > 256) {
    return Status::InvalidArgument("--connections must be within 1..256");
  }
  if (options.api == SendApi::kFirehose) {
    if (options.key.empty()) {
      return Status::InvalidArgument(
          "--api firehose needs --key: its id and secret sign the requests (AWS SigV4)");
    }
    Result<ApiKeyParts> parts = ParseApiKey(options.key);
    if (!parts.ok()) return parts.status().WithContext("--key");
  }
  std::shared_ptr<TlsContext> tls;
  if (options.endpoint.tls) {
    GL_ASSIGN_OR_RETURN(tls, MakeClientTlsContext(options.tls));
  }
  {
    Worker probe(options.endpoint, tls, std::min(options.timeout_s, 5.0));
    GL_RETURN_IF_ERROR(probe.Connect());
  }
  std::unique_ptr<HttpSender> sender(new HttpSender(std::move(options)));
  sender->tls_ = std::move(tls);
  for (int i = 0; i < sender->options_.connections; ++i) {
    sender->threads_.emplace_back([s = sender.get(), i] { s->Run(i); });
  }
  return sender;
}

HttpSender::~HttpSender() { (void)Finish(true); }

Status HttpSender::Send(std::string lines, size_t records) {
  MutexLock lock(&mu_);
  size_t max_queued = kQueuedBatchesPerConnection * static_cast<size_t>(options_.connections);
  space_cv_.Wait(&mu_,
                 [&]() GL_REQUIRES(mu_) { return queue_.size() < max_queued || !fatal_.ok(); });
  if (!fatal_.ok()) return fatal_;
  in_flight_.fetch_add(records, std::memory_order_relaxed);
  queue_.push_back(Batch{std::move(lines), records});
  queue_cv_.Signal();
  return Status::OK();
}

Status HttpSender::Finish(bool abandon) {
  {
    MutexLock lock(&mu_);
    closing_ = true;
    if (abandon) {
      abandon_ = true;
      stop_ = true;
    }
  }
  queue_cv_.SignalAll();
  space_cv_.SignalAll();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  MutexLock lock(&mu_);
  for (const Batch& b : queue_) {
    stats_.unsent += b.records;
    in_flight_.fetch_sub(b.records, std::memory_order_relaxed);
  }
  queue_.clear();
  return fatal_;
}

SenderStats HttpSender::stats() const {
  MutexLock lock(&mu_);
  return stats_;
}

void HttpSender::Fatal(Status s) {
  MutexLock lock(&mu_);
  if (fatal_.ok()) fatal_ = std::move(s);
  stop_ = true;
  queue_cv_.SignalAll();
  space_cv_.SignalAll();
}

void HttpSender::NoteError(std::string_view message) {
  if (stats_.first_error.empty()) stats_.first_error = std::string(message);
}

void HttpSender::Run(int worker_index) {
  Worker conn(options_.endpoint, tls_, options_.timeout_s);
  Rng jitter(0x9e3779b97f4a7c15ull * static_cast<uint64_t>(worker_index + 1) ^
             static_cast<uint64_t>(options_.env->MonotonicMicros()));
  const bool firehose = options_.api == SendApi::kFirehose;
  std::string key_id, secret;
  if (firehose) {
    Result<ApiKeyParts> parts = ParseApiKey(options_.key);
    if (parts.ok()) {
      key_id = std::string(parts->id);
      secret = std::string(parts->secret);
    }
  }
  const std::string host = HostHeader(options_.endpoint);
  const std::string target =
      firehose ? options_.endpoint.prefix + "/"
               : fmt::format("{}/v1/streams/{}/records", options_.endpoint.prefix, options_.stream);
  const TimeFormat amz_date_format = TimeFormat::Compile("YYYYMMDD[T]HHmmss[Z]");

  for (;;) {
    Batch batch;
    {
      MutexLock lock(&mu_);
      queue_cv_.Wait(&mu_, [&]() GL_REQUIRES(mu_) { return !queue_.empty() || closing_ || stop_; });
      if (stop_ || queue_.empty()) return;
      batch = std::move(queue_.front());
      queue_.pop_front();
      space_cv_.Signal();
    }

    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "gamelake-generate");
    req.keep_alive(true);
    if (firehose) {
      std::string body = "{\"DeliveryStreamName\":\"" + options_.stream + "\",\"Records\":[";
      size_t pos = 0;
      bool first = true;
      while (pos < batch.lines.size()) {
        size_t nl = batch.lines.find('\n', pos);
        if (nl == std::string::npos) nl = batch.lines.size();
        if (nl > pos) {
          body += first ? "{\"Data\":\"" : ",{\"Data\":\"";
          body += Base64(std::string_view(batch.lines).substr(pos, nl - pos));
          body += "\"}";
          first = false;
        }
        pos = nl + 1;
      }
      body += "]}";
      req.body() = std::move(body);
      req.set(http::field::content_type, "application/x-amz-json-1.1");
      req.set("X-Amz-Target", "Firehose_20150804.PutRecordBatch");
    } else {
      req.body() = std::move(batch.lines);
      req.set(http::field::content_type, "application/x-ndjson");
      if (!options_.key.empty()) req.set(http::field::authorization, "Bearer " + options_.key);
    }
    req.prepare_payload();

    int attempt = 0;
    std::string last_error;
    bool done = false;
    while (!done) {
      if (stop_.load()) break;
      if (firehose) {
        // A fresh date and invocation id each attempt: a new signature, so the
        // server's replay protection never refuses a retry.
        std::string amz_date = amz_date_format.Format(options_.env->NowMicros());
        std::string invocation = fmt::format("{:016x}{:016x}", jitter.Next(), jitter.Next());
        req.set("X-Amz-Date", amz_date);
        req.set("Amz-Sdk-Invocation-Id", invocation);
        std::string content_type(req[http::field::content_type]);
        std::string target_header(req["X-Amz-Target"]);
        SigV4Request sr;
        sr.method = "POST";
        sr.target = target;
        sr.headers = {{"amz-sdk-invocation-id", invocation},
                      {"content-type", content_type},
                      {"host", host},
                      {"x-amz-date", amz_date},
                      {"x-amz-target", target_header}};
        sr.body = req.body();
        Result<std::string> auth =
            SigV4Sign(sr, key_id, secret, amz_date, options_.region, "firehose",
                      "amz-sdk-invocation-id;content-type;host;x-amz-date;x-amz-target");
        if (!auth.ok()) {
          Fatal(auth.status().WithContext("signing the request"));
          break;
        }
        req.set(http::field::authorization, *auth);
      }
      {
        MutexLock lock(&mu_);
        ++stats_.requests;
      }
      Result<http::response<http::string_body>> res = conn.Exchange(req);
      int64_t retry_after_s = -1;
      bool counts_as_retry = true;
      if (!res.ok()) {
        last_error = res.status().message();
      } else {
        unsigned code = res->result_int();
        Answer a = ParseAnswer(res->body(), firehose, batch.records);
        if (auto it = res->find(http::field::retry_after); it != res->end()) {
          int64_t v = 0;
          std::string_view s(it->value().data(), it->value().size());
          if (std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc()) {
            retry_after_s = std::clamp<int64_t>(v, 0, 60);
          }
        }
        std::string what =
            a.code.empty() ? fmt::format("HTTP {}", code) : fmt::format("HTTP {} {}", code, a.code);
        if (!a.message.empty()) what += ": " + a.message;
        if ((code == 200 || code == 207 || (code == 400 && !firehose)) && a.has_counts) {
          MutexLock lock(&mu_);
          stats_.accepted += a.accepted;
          stats_.rejected += a.failed;
          if (a.failed > 0) NoteError("records rejected: " + a.message);
          done = true;
          break;
        }
        if (code == 401 || code == 403 ||
            (firehose &&
             (a.code == "UnrecognizedClientException" || a.code == "InvalidSignatureException" ||
              a.code == "IncompleteSignatureException" || a.code == "AccessDeniedException"))) {
          Fatal(Status::InvalidArgument(
              fmt::format("{} rejected the key ({}){}", UrlOf(options_.endpoint), what,
                          options_.key.empty() ? "; pass one with --key" : "")));
          break;
        }
        if (code == 413) {
          Fatal(Status::InvalidArgument(fmt::format(
              "a batch of {} records ({} bytes) was too large for the server ({}); lower --batch",
              batch.records, req.body().size(), what)));
          break;
        }
        if (code == 404 || code == 405 ||
            (code >= 400 && code < 500 && code != 408 && code != 429 &&
             (firehose || a.code != "malformed_body"))) {
          Fatal(Status::InvalidArgument(
              fmt::format("{}{} answered {}", UrlOf(options_.endpoint), target, what)));
          break;
        }
        if (code == 400) {  // A body the server could not split: its records are rejected.
          MutexLock lock(&mu_);
          stats_.rejected += batch.records;
          NoteError(what);
          done = true;
          break;
        }
        if (code == 429) counts_as_retry = false;
        last_error = what;
      }
      // Retry: connection errors, 408, 429, 5xx.
      if (counts_as_retry) ++attempt;
      if (attempt > options_.max_retries) break;
      int64_t backoff_ms =
          std::min<int64_t>(options_.max_backoff_ms, 100ll << std::min(attempt, 20));
      backoff_ms = backoff_ms / 2 + static_cast<int64_t>(jitter.Below(backoff_ms / 2 + 1));
      if (retry_after_s >= 0) backoff_ms = std::max<int64_t>(backoff_ms, retry_after_s * 1000);
      MutexLock lock(&mu_);
      ++stats_.retries;
      queue_cv_.WaitFor(&mu_, std::chrono::milliseconds(backoff_ms), [&] { return stop_.load(); });
    }
    if (!done) {
      MutexLock lock(&mu_);
      stats_.unsent += batch.records;
      if (!last_error.empty()) {
        NoteError(fmt::format("gave up on {} records after {} retries: {}", batch.records,
                              options_.max_retries, last_error));
      }
    }
    in_flight_.fetch_sub(batch.records, std::memory_order_relaxed);
  }
}

}  // namespace gamelake
