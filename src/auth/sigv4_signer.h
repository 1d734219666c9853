// SigV4Signer: signs outgoing HTTP requests with AWS Signature Version 4
// (AWS4-HMAC-SHA256, Authorization header), as the AWS SDKs do, for
// gamelake's own clients of AWS-compatible services (the S3 client in src/s3).
//
// Sign() adds to the request's headers:
//   x-amz-date            the given time, "20130524T000000Z"
//   x-amz-content-sha256  the payload hash (S3 rules only; S3 requires it)
//   x-amz-security-token  the session token, when the credentials carry one
//   authorization         "AWS4-HMAC-SHA256 Credential=<id>/<scope>,
//                          SignedHeaders=<h1;h2;...>, Signature=<hex>"
// and signs every header of the request (lower-cased, sorted) except those
// proxies and HTTP stacks may change (authorization, user-agent, expect,
// connection, transfer-encoding and the like), which must therefore be added
// after signing if at all. `host` must be among the headers.
//
// With S3 rules (SigV4UriRule::kS3) the path is signed encoded once and not
// normalized, and the payload hash is the hex SHA-256 of the body or the
// literal "UNSIGNED-PAYLOAD". The canonical request, string to sign and
// signing key are auth/sigv4_canonical.h's, the same the verifier uses.
//
// Thread-safety: immutable after construction; Sign() may be called
// concurrently.
#ifndef GAMELAKE_AUTH_SIGV4_SIGNER_H_
#define GAMELAKE_AUTH_SIGV4_SIGNER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/sigv4_canonical.h"
#include "common/status.h"

namespace gamelake {

// An AWS access key pair, with the session token of temporary credentials.
struct SigV4Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // Empty for long-term credentials.
};

// Header fields of a request being signed, in the order they will be sent.
using SigV4HeaderList = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kSigV4UnsignedPayload = "UNSIGNED-PAYLOAD";

class SigV4Signer {
 public:
  // `region` and `service` make the credential scope ("us-east-1", "s3").
  SigV4Signer(std::string region, std::string service, SigV4UriRule uri_rule);
  // A signer with S3's rules.
  static SigV4Signer ForS3(std::string region) {
    return SigV4Signer(std::move(region), "s3", SigV4UriRule::kS3);
  }

  // Signs a request for `target` (path and optional "?query", as sent on the
  // wire) at `unix_seconds`, adding the headers listed in the file comment to
  // `headers` (replacing any earlier x-amz-date, x-amz-content-sha256,
  // x-amz-security-token and authorization). `payload_hash` is the hex
  // SHA-256 of the body (Sha256Hex), or kSigV4UnsignedPayload.
  // InvalidArgument when the credentials are empty or a header is missing.
  Status Sign(std::string_view method, std::string_view target, std::string_view payload_hash,
              const SigV4Credentials& credentials, int64_t unix_seconds,
              SigV4HeaderList* headers) const;

  const std::string& region() const { return region_; }
  const std::string& service() const { return service_; }

 private:
  std::string region_;
  std::string service_;
  SigV4UriRule uri_rule_;
};

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_SIGV4_SIGNER_H_
