// The pieces of AWS Signature Version 4 (AWS4-HMAC-SHA256) that signing and
// verifying share: the canonical request, the credential scope, the string to
// sign, the derived signing key and the signature. SigV4Verifier
// (auth/sigv4.h) checks requests with them; SigV4Signer (auth/sigv4_signer.h)
// and SigV4Sign sign requests with them, so both sides compute one algorithm.
//
// Two URI rules exist: every AWS service but S3 normalizes the path (dot and
// empty segments removed) and encodes it twice ("%20" on the wire is signed as
// "%2520"); S3 signs the path as it is, encoded once (SigV4UriRule::kS3).
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_AUTH_SIGV4_CANONICAL_H_
#define GAMELAKE_AUTH_SIGV4_CANONICAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

inline constexpr std::string_view kSigV4Algorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kSigV4Terminator = "aws4_request";

// The parts of an HTTP request SigV4 covers. All views must stay valid for the
// call they are passed to.
struct SigV4Request {
  std::string_view method;  // "POST"
  std::string_view target;  // Request target as on the wire: path, optionally "?query".
  // Header fields as received, names in any case; a name may repeat (values
  // are then joined with ',' in received order, as SigV4 says).
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
};

// How the path of the request target becomes the canonical URI.
enum class SigV4UriRule {
  // Every service but S3: dot and empty segments removed, then each byte but
  // unreserved ones and '/' encoded as %XX (so the wire's "%20" is "%2520").
  kNormalizeAndEncodeTwice,
  // S3: no normalization; the path is percent-decoded and encoded once
  // (unreserved bytes and '/' kept), so "/a%20b" and "/a b" both sign "/a%20b".
  kS3,
};

// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);
// Canonical URI of a wire path under `rule`.
std::string SigV4CanonicalUri(std::string_view path,
                              SigV4UriRule rule = SigV4UriRule::kNormalizeAndEncodeTwice);
// Canonical query string: parameters percent-decoded, re-encoded strictly,
// sorted by name then value, joined with '&'; X-Amz-Signature is left out.
std::string SigV4CanonicalQuery(std::string_view query);
// The canonical request; fails if a signed header is missing from the request.
// `signed_headers` is the lower-case, ';'-separated, sorted list.
Result<std::string> SigV4CanonicalRequest(
    const SigV4Request& request, std::string_view signed_headers, std::string_view payload_hash,
    SigV4UriRule rule = SigV4UriRule::kNormalizeAndEncodeTwice);

// "20130524/us-east-1/s3/aws4_request".
std::string SigV4Scope(std::string_view date8, std::string_view region, std::string_view service);
// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex SHA-256 of the canonical request>".
std::string SigV4StringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request);
// The derived key (raw 32 bytes): HMAC chain over "AWS4"+secret, date8,
// region, service and "aws4_request".
std::string SigV4SigningKey(std::string_view secret, std::string_view date8,
                            std::string_view region, std::string_view service);
// Lower-case hex HMAC-SHA256(signing_key, string_to_sign).
std::string SigV4Signature(std::string_view signing_key, std::string_view string_to_sign);

// "20150830T123600Z" <-> seconds since the epoch. Parse is strict (16 bytes,
// a valid calendar date); false when malformed.
bool SigV4ParseAmzDate(std::string_view s, int64_t* seconds);
std::string SigV4FormatAmzDate(int64_t seconds);

// The small text helpers both sides parse header lists with: spaces and tabs
// trimmed at both ends; `s` split at every `sep` (empty parts kept).
std::string_view SigV4Trim(std::string_view s);
std::vector<std::string_view> SigV4Split(std::string_view s, char sep);

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_SIGV4_CANONICAL_H_
