#include "net/client_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fmt/format.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace gamelake {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

void RunToCompletion(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

bool IsAddress(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

ClientStream::ClientStream(net::io_context& ioc) : stream_(std::in_place_index<0>, ioc) {}

ClientStream::ClientStream(net::io_context& ioc, std::shared_ptr<TlsContext> tls)
    : tls_(std::move(tls)), stream_(std::in_place_index<1>, ioc, *tls_) {}

Result<std::unique_ptr<ClientStream>> ClientStream::Connect(net::io_context& ioc,
                                                            const std::string& host, uint16_t port,
                                                            std::shared_ptr<TlsContext> tls,
                                                            std::chrono::milliseconds timeout,
                                                            std::string label) {
  std::string where = label.empty() ? fmt::format("{}:{}", host, port) : std::move(label);
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Status::Unavailable(fmt::format("cannot resolve {}: {}", host, ec.message()));
  std::unique_ptr<ClientStream> s(tls ? new ClientStream(ioc, std::move(tls))
                                      : new ClientStream(ioc));
  s->tcp().expires_after(timeout);
  s->tcp().async_connect(endpoints,
                         [&](boost::system::error_code e, const tcp::endpoint&) { ec = e; });
  RunToCompletion(ioc);
  if (ec) return Status::Unavailable(fmt::format("cannot connect to {}: {}", where, ec.message()));
  s->tcp().socket().set_option(tcp::no_delay(true), ec);
  if (!s->tls()) return s;
  Tls& t = std::get<1>(s->stream_);
  // SNI carries names only, never addresses (RFC 6066).
  if (!IsAddress(host)) SSL_set_tlsext_host_name(t.native_handle(), host.c_str());
  t.set_verify_callback(net::ssl::host_name_verification(host));
  t.async_handshake(net::ssl::stream_base::client, [&](boost::system::error_code e) { ec = e; });
  RunToCompletion(ioc);
  if (ec) {
    std::string hint;
    if (ec.category() == net::error::get_ssl_category() &&
        ERR_GET_REASON(ec.value()) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      long result = SSL_get_verify_result(t.native_handle());
      hint = fmt::format(" ({})", X509_verify_cert_error_string(result));
      if (result == X509_V_ERR_CERT_HAS_EXPIRED) {
        hint += "; the server's certificate has expired: it must be renewed";
      } else {
        hint +=
            "; the server's certificate is not trusted for this name: pass --ca-file with the CA "
            "that signed it (or --insecure, for a test server only)";
      }
    }
    return Status::Unavailable(
        fmt::format("TLS handshake with {} failed: {}{}", where, ec.message(), hint));
  }
  return s;
}

}  // namespace gamelake
