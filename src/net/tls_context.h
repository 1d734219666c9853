// TLS policy, in one place: how gamelake's server and its clients (the CLI,
// the generator) build their OpenSSL contexts.
//
// Both sides speak TLS 1.2 and 1.3 only, with forward-secret AEAD cipher
// suites for 1.2 (OpenSSL's defaults for 1.3), compression and renegotiation
// off, and ALPN "http/1.1". A server context holds one certificate chain and
// its key (PEM), and optionally the CAs whose client certificates it accepts.
// A client context verifies the server against the system's CAs or a CA file,
// and the host name it dialled (see ClientStream); `insecure` skips both, for
// tests against a self-signed certificate only.
//
// Thread-safety: the functions are thread-safe; a context, once built, is
// shared read-only by the connections that use it.
#ifndef GAMELAKE_NET_TLS_CONTEXT_H_
#define GAMELAKE_NET_TLS_CONTEXT_H_

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "common/result.h"

namespace gamelake {

using TlsContext = boost::asio::ssl::context;

enum class ClientCertMode {
  kNone,      // No client certificate is asked for.
  kOptional,  // Asked for; one that is sent must verify against the client CAs.
  kRequire,   // A verified client certificate is required to connect.
};

struct TlsServerFiles {
  std::string cert_file;       // PEM: the leaf first, then its intermediates.
  std::string key_file;        // PEM private key (RSA or EC) of the leaf.
  std::string client_ca_file;  // PEM CAs for client certificates; "" = none.
  ClientCertMode client_certs = ClientCertMode::kNone;
};

struct TlsServerContext {
  std::shared_ptr<TlsContext> context;
  // When the leaf certificate stops being valid (its notAfter).
  std::chrono::system_clock::time_point not_after;
  std::string subject;  // The leaf's subject, for logs.
  // The bytes of the files as read just before the context was built: a
  // reload is due when they differ.
  std::string fingerprint;
};

// The files' bytes now ("" for a missing one), to compare with a context's
// fingerprint.
std::string TlsFilesFingerprint(const TlsServerFiles& files);

// Reads and checks the files: the chain parses, the key matches the leaf.
// InvalidArgument naming the file and OpenSSL's reason otherwise.
Result<TlsServerContext> MakeServerTlsContext(const TlsServerFiles& files);

struct TlsClientOptions {
  std::string ca_file;    // PEM CAs to trust instead of the system's; "" = system.
  bool insecure = false;  // Skip verification (tests against self-signed certs only).
  std::string cert_file;  // Client certificate (mutual TLS); "" = none.
  std::string key_file;
};

Result<std::shared_ptr<TlsContext>> MakeClientTlsContext(const TlsClientOptions& options);

// "none", "optional", "require".
Result<ClientCertMode> ParseClientCertMode(std::string_view text);

}  // namespace gamelake

#endif  // GAMELAKE_NET_TLS_CONTEXT_H_
