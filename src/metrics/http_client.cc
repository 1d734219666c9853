#include "metrics/http_client.h"

#include <charconv>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gamelake {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Status BadUrl(std::string_view url, std::string_view why) {
  return Status::InvalidArgument(fmt::format("'{}': {}", url.substr(0, 300), why));
}

// One request's asynchronous steps, run to completion on a private io_context.
class Exchange {
 public:
  Exchange(const HttpUrl& url, http::request<http::string_body> request,
           const HttpClientOptions& options)
      : url_(url), request_(std::move(request)), options_(options), resolver_(ioc_), stream_(ioc_) {
    parser_.body_limit(options.max_response_bytes);
    parser_.header_limit(16 * 1024);
  }

  Result<HttpClientResponse> Run() {
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [this](beast::error_code ec, tcp::resolver::results_type results) {
                              OnResolve(ec, std::move(results));
                            });
    // Every stream step has its own expiry; this bounds the resolve as well.
    ioc_.run_for(std::chrono::milliseconds(options_.connect_timeout_ms + options_.io_timeout_ms));
    if (!result_) {
      resolver_.cancel();
      beast::error_code ignored;
      stream_.socket().close(ignored);
      ioc_.restart();
      ioc_.run();
      return Status::DeadlineExceeded(
          fmt::format("{}:{}: no answer in time", url_.host, url_.port));
    }
    return std::move(*result_);
  }

 private:
  void Fail(beast::error_code ec, std::string_view step) {
    std::string what = fmt::format("{}:{}: {}: {}", url_.host, url_.port, step, ec.message());
    if (ec == beast::error::timeout) {
      result_ = Status::DeadlineExceeded(what);
    } else if (step == "read" &&
               ec.category() == http::make_error_code(http::error::bad_version).category()) {
      result_ = Status::Corruption(what);
    } else {
      result_ = Status::Unavailable(what);
    }
  }

  void OnResolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return Fail(ec, "resolve");
    stream_.expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
    stream_.async_connect(results, [this](beast::error_code ec, const tcp::endpoint&) {
      if (ec) return Fail(ec, "connect");
      stream_.expires_after(std::chrono::milliseconds(options_.io_timeout_ms));
      http::async_write(stream_, request_, [this](beast::error_code ec, size_t) {
        if (ec) return Fail(ec, "send");
        http::async_read(stream_, buffer_, parser_, [this](beast::error_code ec, size_t) {
          if (ec) return Fail(ec, "read");
          HttpClientResponse r;
          r.status = static_cast<int>(parser_.get().result_int());
          r.body = std::move(parser_.get().body());
          result_ = std::move(r);
          beast::error_code ignored;
          stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
      });
    });
  }

  const HttpUrl& url_;
  http::request<http::string_body> request_;
  const HttpClientOptions& options_;
  net::io_context ioc_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  std::optional<Result<HttpClientResponse>> result_;
};

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://")) {
    return BadUrl(url, "https is not supported; use a plain http:// URL");
  }
  if (!url.starts_with(kScheme)) return BadUrl(url, "must start with http://");
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target[0] == '?') out.target = "/" + out.target;
  if (authority.find('@') != std::string_view::npos) {
    return BadUrl(url, "user information in URLs is not supported");
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "unterminated [IPv6] host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') return BadUrl(url, "bad text after the [IPv6] host");
    if (!after.empty()) port = after.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return BadUrl(url, "no host");
  for (char c : out.host) {
    if (c <= ' ' || c > '~') return BadUrl(url, "the host has a character URLs do not allow");
  }
  for (char c : out.target) {
    if (c <= ' ' || c > '~') return BadUrl(url, "the path has a character URLs do not allow");
  }
  if (!port.empty() || authority.ends_with(":")) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || end != port.data() + port.size() || v == 0 || v > 65535) {
      return BadUrl(url, "the port must be 1 to 65535");
    }
    out.port = static_cast<uint16_t>(v);
  }
  return out;
}

Result<HttpClientResponse> HttpPost(const HttpUrl& url, std::string_view content_type,
                                    std::string body, const HttpClientOptions& options) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  bool default_port = url.port == 80;
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  req.set(http::field::host, default_port ? host : fmt::format("{}:{}", host, url.port));
  req.set(http::field::user_agent, "gamelake-alarms/1");
  req.set(http::field::content_type, std::string(content_type));
  req.set(http::field::connection, "close");
  req.body() = std::move(body);
  req.prepare_payload();
  Exchange exchange(url, std::move(req), options);
  return exchange.Run();
}

}  // namespace gamelake
