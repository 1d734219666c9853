#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>
#include <ctime>

#include <fmt/format.h>
#include <boost/asio/ssl/error.hpp>

#include "common/env.h"

namespace gamelake {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites with forward secrecy and AEAD (the "intermediate" profile of
// Mozilla's server-side TLS guide); TLS 1.3 keeps OpenSSL's own list.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kSessionIdContext[] = "gamelake";

std::string OpenSslReason(const boost::system::error_code& ec) {
  std::string reason = ec.message();
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    reason = buf;
  }
  ERR_clear_error();
  return reason;
}

Status Policy(TlsContext& ctx) {
  SSL_CTX* native = ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Status::Internal("OpenSSL refused gamelake's TLS version or cipher settings");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  return Status::OK();
}

// The server's answer to the client's ALPN list: http/1.1 when offered, else
// no ALPN at all (an HTTP/2-only client then fails on its own terms).
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  for (unsigned i = 0; i < inlen;) {
    unsigned len = in[i];
    if (i + 1 + len > inlen) break;
    if (len == 8 && std::memcmp(in + i + 1, "http/1.1", 8) == 0) {
      *out = in + i + 1;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

Status NeedFile(const std::string& path, std::string_view setting) {
  if (path.empty()) return Status::InvalidArgument(fmt::format("{} is not set", setting));
  if (!Env::Default()->FileExists(path)) {
    return Status::InvalidArgument(fmt::format("{} {}: no such file", setting, path));
  }
  return Status::OK();
}

std::chrono::system_clock::time_point NotAfter(X509* leaf) {
  std::tm tm{};
  if (leaf == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string Subject(X509* leaf) {
  if (leaf == nullptr) return "";
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(leaf), buf, sizeof(buf));
  return buf;
}

}  // namespace

Result<ClientCertMode> ParseClientCertMode(std::string_view text) {
  if (text == "none") return ClientCertMode::kNone;
  if (text == "optional") return ClientCertMode::kOptional;
  if (text == "require") return ClientCertMode::kRequire;
  return Status::InvalidArgument(
      fmt::format("\"{}\": expected one of none, optional, require", text));
}

std::string TlsFilesFingerprint(const TlsServerFiles& files) {
  std::string out;
  for (const std::string* path : {&files.cert_file, &files.key_file, &files.client_ca_file}) {
    Result<std::string> bytes =
        path->empty() ? Result<std::string>(std::string()) : Env::Default()->ReadFile(*path);
    out += bytes.ok() ? *bytes : std::string();
    out.push_back('\0');
  }
  return out;
}

Result<TlsServerContext> MakeServerTlsContext(const TlsServerFiles& files) {
  std::string fingerprint = TlsFilesFingerprint(files);
  GL_RETURN_IF_ERROR(NeedFile(files.cert_file, "server.tls_cert_file"));
  GL_RETURN_IF_ERROR(NeedFile(files.key_file, "server.tls_key_file"));
  auto ctx = std::make_shared<TlsContext>(TlsContext::tls_server);
  GL_RETURN_IF_ERROR(Policy(*ctx));
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(files.cert_file, ec);
  if (ec) {
    return Status::InvalidArgument(
        fmt::format("server.tls_cert_file {}: not a PEM certificate "
                    "chain ({})",
                    files.cert_file, OpenSslReason(ec)));
  }
  ctx->use_private_key_file(files.key_file, TlsContext::pem, ec);
  if (ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH) {
    ERR_clear_error();
    return Status::InvalidArgument(
        fmt::format("server.tls_key_file {} is not the key of the certificate in {}",
                    files.key_file, files.cert_file));
  }
  if (ec) {
    return Status::InvalidArgument(fmt::format("server.tls_key_file {}: not a PEM private key ({})",
                                               files.key_file, OpenSslReason(ec)));
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(
        fmt::format("server.tls_key_file {} is not the key of the certificate in {}",
                    files.key_file, files.cert_file));
  }
  SSL_CTX_set_alpn_select_cb(ctx->native_handle(), SelectAlpn, nullptr);
  // Session resumption with client certificates needs a context id.
  SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionIdContext,
                                 sizeof(kSessionIdContext) - 1);
  if (files.client_certs != ClientCertMode::kNone) {
    GL_RETURN_IF_ERROR(NeedFile(files.client_ca_file, "server.tls_client_ca_file"));
    ctx->load_verify_file(files.client_ca_file, ec);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str());
    if (ec || names == nullptr) {
      return Status::InvalidArgument(fmt::format("server.tls_client_ca_file {}: no PEM CA ({})",
                                                 files.client_ca_file, OpenSslReason(ec)));
    }
    SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    ctx->set_verify_mode(files.client_certs == ClientCertMode::kRequire
                             ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                             : ssl::verify_peer);
  }
  X509* leaf = SSL_CTX_get0_certificate(ctx->native_handle());
  return TlsServerContext{ctx, NotAfter(leaf), Subject(leaf), std::move(fingerprint)};
}

Result<std::shared_ptr<TlsContext>> MakeClientTlsContext(const TlsClientOptions& options) {
  auto ctx = std::make_shared<TlsContext>(TlsContext::tls_client);
  GL_RETURN_IF_ERROR(Policy(*ctx));
  boost::system::error_code ec;
  if (!options.ca_file.empty()) {
    GL_RETURN_IF_ERROR(NeedFile(options.ca_file, "--ca-file"));
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) {
      return Status::InvalidArgument(
          fmt::format("--ca-file {}: no PEM certificate ({})", options.ca_file, OpenSslReason(ec)));
    }
  } else {
    ctx->set_default_verify_paths(ec);
  }
  ctx->set_verify_mode(options.insecure ? ssl::verify_none : ssl::verify_peer);
  SSL_CTX_set_alpn_protos(ctx->native_handle(), kAlpnHttp11, sizeof(kAlpnHttp11));
  if (!options.cert_file.empty()) {
    ctx->use_certificate_chain_file(options.cert_file, ec);
    if (!ec) ctx->use_private_key_file(options.key_file, TlsContext::pem, ec);
    if (ec) {
      return Status::InvalidArgument(fmt::format("client certificate {} / key {}: {}",
                                                 options.cert_file, options.key_file,
                                                 OpenSslReason(ec)));
    }
  }
  return ctx;
}

}  // namespace gamelake
