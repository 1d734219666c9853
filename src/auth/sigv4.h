// SigV4Verifier: checks AWS Signature Version 4 (AWS4-HMAC-SHA256, signed
// Authorization header) on an HTTP request, so AWS SDKs and tools (Firehose
// clients, Fluent Bit, Vector) can authenticate to gamelake unchanged.
//
// Verify() parses
//   Authorization: AWS4-HMAC-SHA256 Credential=<id>/<yyyymmdd>/<region>/<service>/aws4_request,
//                  SignedHeaders=<h1;h2;...>, Signature=<64 hex>
// requires X-Amz-Date (signed) and host among the signed headers, rebuilds the
// canonical request (normalized, URI-encoded path as for every service but S3;
// sorted, re-encoded query; signed headers lower-cased with trimmed and
// collapsed values; hex SHA-256 of the body — an X-Amz-Content-Sha256 header
// must equal it), the string to sign and the derived signing key, and compares
// signatures in constant time. Region and service are taken from the
// credential scope as given (any region; the service is reported, not
// enforced). The timestamp must be within `max_skew_s` of the Env's clock.
//
// Replay protection: every verified signature is remembered until its
// timestamp leaves the skew window; an exact replay is rejected. Memory is
// bounded (max_replay_entries; when full the entry closest to expiry is
// dropped). A caller that answered a request with "nothing stored, retry" may
// Forget() its signature so an identical retry (same second, same body) passes.
//
// Errors are AWS-compatible: the Status message is "<AwsErrorType>: <message>",
// the type being what AWS JSON services put in `__type` and x-amzn-ErrorType:
//   MissingAuthenticationTokenException (HTTP 403)  no Authorization header
//   IncompleteSignatureException        (HTTP 400)  malformed or incomplete header
//   UnrecognizedClientException         (HTTP 400)  unknown access key id
//   InvalidSignatureException           (HTTP 400)  wrong signature, clock skew, replay
//   InternalFailure                     (HTTP 500)  the secret lookup failed otherwise
// See AwsAuthErrorType() / AwsAuthErrorHttpStatus() for the split.
//
// Thread-safety: Verify/Forget are safe to call concurrently; the secret
// callback is called concurrently too.
#ifndef GAMELAKE_AUTH_SIGV4_H_
#define GAMELAKE_AUTH_SIGV4_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/sigv4_canonical.h"
#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

// Who signed a verified request.
struct SigV4Identity {
  std::string access_key_id;
  std::string region;     // From the credential scope, e.g. "us-east-1".
  std::string service;    // From the credential scope, e.g. "firehose".
  std::string date;       // X-Amz-Date, "20150830T123600Z".
  std::string signature;  // Lower-case hex; pass to Forget().
};

struct SigV4Options {
  Env* env = Env::Default();  // Clock.
  int64_t max_skew_s = 300;   // Accepted |now - X-Amz-Date|.
  size_t max_replay_entries = 1u << 16;
};

class SigV4Verifier {
 public:
  // Returns the secret access key of an access key id. NotFound (or any
  // InvalidArgument) means "no such key" -> UnrecognizedClientException; other
  // errors -> InternalFailure.
  using SecretLookup = std::function<Result<std::string>(std::string_view access_key_id)>;

  explicit SigV4Verifier(SecretLookup secret_lookup, SigV4Options options = {});
  SigV4Verifier(const SigV4Verifier&) = delete;
  SigV4Verifier& operator=(const SigV4Verifier&) = delete;

  // The signer of `request`, or an error "<AwsErrorType>: <message>" (see the
  // file comment). On success the signature is remembered (replay protection).
  Result<SigV4Identity> Verify(const SigV4Request& request) GL_EXCLUDES(mu_);

  // Drops a remembered signature, so the identical request verifies again.
  void Forget(std::string_view signature) GL_EXCLUDES(mu_);

  size_t remembered_signatures() const GL_EXCLUDES(mu_);

 private:
  // Remembers signature until expires_us; false if it was already there.
  bool Remember(const std::string& signature, int64_t now_us, int64_t expires_us) GL_EXCLUDES(mu_);

  SecretLookup secret_lookup_;
  SigV4Options options_;

  mutable Mutex mu_;
  std::unordered_map<std::string, int64_t> seen_ GL_GUARDED_BY(mu_);  // signature -> expiry (us).
  std::multimap<int64_t, std::string> by_expiry_ GL_GUARDED_BY(mu_);  // expiry -> signature.
};

// The AWS error type of a Status returned by Verify ("InvalidSignatureException"),
// or "" if its message carries none. Inline, so users need not link gl_auth.
// The view points into `status`: keep it alive (not a temporary Result::status()).
inline std::string_view AwsAuthErrorType(const Status& status) {
  std::string_view m = status.message();
  size_t colon = m.find(": ");
  if (status.ok() || colon == std::string_view::npos || colon == 0) return {};
  std::string_view type = m.substr(0, colon);
  for (char c : type) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum) return {};
  }
  if (type.front() < 'A' || type.front() > 'Z') return {};
  return type;
}
// The message after the type prefix (the whole message if there is none).
inline std::string_view AwsAuthErrorMessage(const Status& status) {
  std::string_view type = AwsAuthErrorType(status);
  std::string_view m = status.message();
  return type.empty() ? m : m.substr(type.size() + 2);
}
// The HTTP status AWS JSON services answer with for that type.
inline unsigned AwsAuthErrorHttpStatus(std::string_view aws_error_type) {
  if (aws_error_type == "MissingAuthenticationTokenException") return 403;
  if (aws_error_type == "InternalFailure") return 500;
  return 400;
}

// The canonical request, string to sign and signing key (and Sha256Hex) are in
// auth/sigv4_canonical.h, shared with SigV4Signer (auth/sigv4_signer.h).

// Signs `request` as an AWS SDK would and returns the Authorization header
// value. The request must already carry every header in signed_headers
// (lower-case, ';'-separated, sorted), including x-amz-date = amz_date.
// For tests and for gamelake's own clients.
Result<std::string> SigV4Sign(const SigV4Request& request, std::string_view access_key_id,
                              std::string_view secret, std::string_view amz_date,
                              std::string_view region, std::string_view service,
                              std::string_view signed_headers);

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_SIGV4_H_
