// Authenticator: turns a request's key headers into a Principal and decides
// whether that principal may do what the request asks.
//
// Keys arrive as "Authorization: Bearer <id>.<secret>" or
// "X-Api-Key: <id>.<secret>". The HTTP mapping is by method, not by status
// code: every error from FromHeaders means 401 (no, malformed, unknown, wrong
// or revoked key), every error from Authorize means 403 (a good key without
// the scope or stream). Check() does both and fills an AuthError with the
// status, a stable machine code and a message; messages never hold a secret.
//
// With auth disabled (auth.enabled = false) every request is the admin
// principal "anonymous", whatever its headers say.
//
// Thread-safety: const methods, safe to call concurrently; the KeyStore must
// outlive the Authenticator.
#ifndef GAMELAKE_AUTH_AUTHENTICATOR_H_
#define GAMELAKE_AUTH_AUTHENTICATOR_H_

#include <string>
#include <string_view>

#include "auth/key_store.h"
#include "auth/principal.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

// What a route needs: ingest into a stream, putting metrics (an ingest or
// admin key: metrics belong to no stream), reading metrics (an admin or
// metrics:read key), or administration.
enum class Need { kIngest, kPutMetrics, kReadMetrics, kAdmin };

struct AuthError {
  int http_status = 0;  // 401 or 403.
  std::string code;     // "unauthenticated" (401) or "forbidden" (403).
  std::string message;  // E.g. "unknown key id GLK...", never a secret.
};

class Authenticator {
 public:
  static constexpr std::string_view kAnonymous = "anonymous";

  // store may be null only when enabled is false.
  Authenticator(KeyStore* store, bool enabled) : store_(store), enabled_(enabled) {}

  bool enabled() const { return enabled_; }

  // The principal named by the headers (each may be empty when absent).
  // InvalidArgument: no key, an Authorization scheme other than Bearer, both
  // headers holding different keys, or a malformed key; NotFound: unknown id,
  // wrong secret, revoked (KeyStore::Authenticate's messages).
  Result<Principal> FromHeaders(std::string_view authorization, std::string_view x_api_key) const;

  // OK when principal may do `need` (on `stream`, for kIngest); otherwise
  // InvalidArgument saying what the key lacks.
  static Status Authorize(const Principal& principal, Need need, std::string_view stream);

  // FromHeaders then Authorize. Returns true and sets *principal, or returns
  // false and sets *error (401 or 403).
  bool Check(std::string_view authorization, std::string_view x_api_key, Need need,
             std::string_view stream, Principal* principal, AuthError* error) const;

  static Principal AnonymousAdmin();

 private:
  KeyStore* const store_;
  const bool enabled_;
};

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_AUTHENTICATOR_H_
