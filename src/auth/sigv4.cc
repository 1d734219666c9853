#include "auth/sigv4.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "common/ascii.h"

namespace gamelake {
namespace {

constexpr std::string_view kAlgorithm = kSigV4Algorithm;
constexpr std::string_view kTerminator = kSigV4Terminator;

constexpr std::string_view kMissingToken = "MissingAuthenticationTokenException";
constexpr std::string_view kIncomplete = "IncompleteSignatureException";
constexpr std::string_view kUnrecognized = "UnrecognizedClientException";
constexpr std::string_view kInvalidSignature = "InvalidSignatureException";
constexpr std::string_view kInternal = "InternalFailure";

// An error as Verify reports it: "<AwsErrorType>: <message>".
Status AwsError(std::string_view type, std::string_view message) {
  std::string text = fmt::format("{}: {}", type, message);
  if (type == kUnrecognized) return Status::NotFound(text);
  if (type == kInternal) return Status::Internal(text);
  return Status::InvalidArgument(text);
}

const std::string_view* FindHeader(const SigV4Request& request, std::string_view name) {
  for (const auto& h : request.headers) {
    if (EqualsIgnoreCase(h.first, name)) return &h.second;
  }
  return nullptr;
}

struct ParsedAuthorization {
  std::string_view access_key_id;
  std::string_view date8;
  std::string_view region;
  std::string_view service;
  std::string_view scope;  // date8/region/service/aws4_request
  std::string_view signed_headers;
  std::string_view signature;
};

Status ParseAuthorization(std::string_view value, ParsedAuthorization* out) {
  value = SigV4Trim(value);
  size_t space = value.find(' ');
  std::string_view algorithm = value.substr(0, space);
  if (algorithm != kAlgorithm) {
    if (algorithm.starts_with("AWS4-")) {
      return AwsError(kIncomplete, fmt::format("Unsupported AWS 'algorithm': '{}'; use '{}'.",
                                               algorithm, kAlgorithm));
    }
    return AwsError(kIncomplete,
                    fmt::format("Authorization header requires 'Credential' parameter. "
                                "Authorization header requires 'Signature' parameter. "
                                "Authorization header requires 'SignedHeaders' parameter. "
                                "Only AWS Signature Version 4 ({}) is accepted here.",
                                kAlgorithm));
  }
  std::string_view rest = space == std::string_view::npos ? "" : value.substr(space + 1);
  std::string_view credential, signed_headers, signature;
  bool has_credential = false, has_signed = false, has_signature = false;
  for (std::string_view part : SigV4Split(rest, ',')) {
    part = SigV4Trim(part);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return AwsError(kIncomplete, fmt::format("Authorization header component '{}' is not of "
                                               "the form key=value.",
                                               part));
    }
    std::string_view key = part.substr(0, eq);
    std::string_view val = part.substr(eq + 1);
    bool* seen = nullptr;
    std::string_view* dest = nullptr;
    if (key == "Credential") {
      seen = &has_credential;
      dest = &credential;
    } else if (key == "SignedHeaders") {
      seen = &has_signed;
      dest = &signed_headers;
    } else if (key == "Signature") {
      seen = &has_signature;
      dest = &signature;
    } else {
      return AwsError(kIncomplete,
                      fmt::format("Authorization header has an unknown component '{}'.", key));
    }
    if (*seen) {
      return AwsError(kIncomplete,
                      fmt::format("Authorization header has '{}' more than once.", key));
    }
    *seen = true;
    *dest = val;
  }
  std::string missing;
  if (!has_credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) {
    missing.pop_back();
    return AwsError(kIncomplete, missing);
  }

  std::vector<std::string_view> scope = SigV4Split(credential, '/');
  if (scope.size() != 5 || scope[0].empty() || scope[2].empty() || scope[3].empty()) {
    return AwsError(kIncomplete,
                    fmt::format("Credential must have the form "
                                "<access key id>/<YYYYMMDD>/<region>/<service>/{}; got '{}'.",
                                kTerminator, credential));
  }
  if (scope[4] != kTerminator) {
    return AwsError(kIncomplete,
                    fmt::format("Credential should be scoped with a valid terminator: '{}', not "
                                "'{}'.",
                                kTerminator, scope[4]));
  }
  bool date_ok = scope[1].size() == 8 && std::all_of(scope[1].begin(), scope[1].end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
  if (!date_ok) {
    return AwsError(kIncomplete,
                    fmt::format("Credential date '{}' is not of the form YYYYMMDD.", scope[1]));
  }
  if (signed_headers.empty()) {
    return AwsError(kIncomplete, "SignedHeaders must name at least 'host' and 'x-amz-date'.");
  }
  out->access_key_id = scope[0];
  out->date8 = scope[1];
  out->region = scope[2];
  out->service = scope[3];
  out->scope = credential.substr(scope[0].size() + 1);
  out->signed_headers = signed_headers;
  out->signature = signature;
  return Status::OK();
}

}  // namespace

Result<std::string> SigV4Sign(const SigV4Request& request, std::string_view access_key_id,
                              std::string_view secret, std::string_view amz_date,
                              std::string_view region, std::string_view service,
                              std::string_view signed_headers) {
  if (amz_date.size() < 8) return Status::InvalidArgument("amz_date must be YYYYMMDDTHHMMSSZ");
  GL_ASSIGN_OR_RETURN(std::string creq,
                      SigV4CanonicalRequest(request, signed_headers, Sha256Hex(request.body)));
  std::string_view date8 = amz_date.substr(0, 8);
  std::string scope = SigV4Scope(date8, region, service);
  std::string key = SigV4SigningKey(secret, date8, region, service);
  return fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", kAlgorithm,
                     access_key_id, scope, signed_headers,
                     SigV4Signature(key, SigV4StringToSign(amz_date, scope, creq)));
}

SigV4Verifier::SigV4Verifier(SecretLookup secret_lookup, SigV4Options options)
    : secret_lookup_(std::move(secret_lookup)), options_(options) {
  if (options_.env == nullptr) options_.env = Env::Default();
  if (options_.max_replay_entries == 0) options_.max_replay_entries = 1;
}

Result<SigV4Identity> SigV4Verifier::Verify(const SigV4Request& request) {
  const std::string_view* authorization = FindHeader(request, "authorization");
  if (authorization == nullptr) {
    return AwsError(kMissingToken, "Missing Authentication Token");
  }
  ParsedAuthorization auth;
  GL_RETURN_IF_ERROR(ParseAuthorization(*authorization, &auth));

  // Required signed headers.
  bool host_signed = false, date_signed = false;
  for (std::string_view name : SigV4Split(auth.signed_headers, ';')) {
    if (EqualsIgnoreCase(name, "host")) host_signed = true;
    if (EqualsIgnoreCase(name, "x-amz-date")) date_signed = true;
  }
  if (!host_signed) {
    return AwsError(kIncomplete, "'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const std::string_view* amz_date_header = FindHeader(request, "x-amz-date");
  if (amz_date_header == nullptr) {
    return AwsError(kIncomplete,
                    "Authorization header requires existence of a 'X-Amz-Date' header.");
  }
  if (!date_signed) {
    return AwsError(kIncomplete, "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  }
  std::string_view amz_date = SigV4Trim(*amz_date_header);
  int64_t request_s = 0;
  if (!SigV4ParseAmzDate(amz_date, &request_s)) {
    return AwsError(kIncomplete, fmt::format("X-Amz-Date must be in ISO-8601 'basic format' "
                                             "(YYYYMMDD'T'HHMMSS'Z'). Got '{}'.",
                                             amz_date));
  }
  if (amz_date.substr(0, 8) != auth.date8) {
    return AwsError(kInvalidSignature,
                    fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                                "version of date from HTTP: '{}' != '{}', from '{}'.",
                                auth.date8, amz_date.substr(0, 8), amz_date));
  }

  Result<std::string> secret = secret_lookup_(auth.access_key_id);
  if (!secret.ok()) {
    Status::Code code = secret.status().code();
    if (code == Status::Code::kNotFound || code == Status::Code::kInvalidArgument) {
      return AwsError(kUnrecognized, "The security token included in the request is invalid.");
    }
    return AwsError(
        kInternal, fmt::format("could not look up the access key: {}", secret.status().ToString()));
  }

  int64_t now_us = options_.env->NowMicros();
  int64_t now_s = now_us / 1000000;
  int64_t request_us = request_s * 1000000;
  int64_t skew_us = options_.max_skew_s * 1000000;
  int64_t skew_min = options_.max_skew_s / 60;
  std::string skew_text = options_.max_skew_s % 60 == 0 ? fmt::format("{} min.", skew_min)
                                                        : fmt::format("{} s", options_.max_skew_s);
  if (now_us - request_us > skew_us) {
    return AwsError(kInvalidSignature,
                    fmt::format("Signature expired: {} is now earlier than {} ({} - {})", amz_date,
                                SigV4FormatAmzDate(now_s - options_.max_skew_s),
                                SigV4FormatAmzDate(now_s), skew_text));
  }
  if (request_us - now_us > skew_us) {
    return AwsError(kInvalidSignature,
                    fmt::format("Signature not yet current: {} is still later than {} ({} + {})",
                                amz_date, SigV4FormatAmzDate(now_s + options_.max_skew_s),
                                SigV4FormatAmzDate(now_s), skew_text));
  }

  // The payload hash: the body's, which an X-Amz-Content-Sha256 header must repeat.
  std::string payload_hash = Sha256Hex(request.body);
  if (const std::string_view* claimed = FindHeader(request, "x-amz-content-sha256")) {
    if (!EqualsIgnoreCase(SigV4Trim(*claimed), payload_hash)) {
      return AwsError(kInvalidSignature,
                      fmt::format("The provided 'x-amz-content-sha256' header does not match the "
                                  "SHA-256 of the body ('{}'); unsigned and streaming payloads "
                                  "are not accepted.",
                                  SigV4Trim(*claimed)));
    }
    payload_hash.assign(SigV4Trim(*claimed));
  }

  Result<std::string> creq = SigV4CanonicalRequest(request, auth.signed_headers, payload_hash);
  if (!creq.ok()) {
    return AwsError(kIncomplete,
                    fmt::format("Cannot check the signature: {}.", creq.status().message()));
  }
  std::string key = SigV4SigningKey(secret.value(), auth.date8, auth.region, auth.service);
  std::string expected = SigV4Signature(key, SigV4StringToSign(amz_date, auth.scope, creq.value()));
  std::string given(auth.signature);
  for (char& c : given) c = AsciiLower(c);
  bool match = given.size() == expected.size() &&
               CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
  if (!match) {
    return AwsError(kInvalidSignature,
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your AWS Secret Access Key and signing method. Consult the "
                    "service documentation for details.");
  }
  if (!Remember(expected, now_us, request_us + skew_us)) {
    return AwsError(kInvalidSignature,
                    "This request signature has already been used; sign every request anew "
                    "(replayed requests are refused).");
  }

  SigV4Identity id;
  id.access_key_id.assign(auth.access_key_id);
  id.region.assign(auth.region);
  id.service.assign(auth.service);
  id.date.assign(amz_date);
  id.signature = std::move(expected);
  return id;
}

bool SigV4Verifier::Remember(const std::string& signature, int64_t now_us, int64_t expires_us) {
  MutexLock lock(&mu_);
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now_us) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  if (seen_.count(signature) != 0) return false;
  while (seen_.size() >= options_.max_replay_entries && !by_expiry_.empty()) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  seen_.emplace(signature, expires_us);
  by_expiry_.emplace(expires_us, signature);
  return true;
}

void SigV4Verifier::Forget(std::string_view signature) {
  MutexLock lock(&mu_);
  auto it = seen_.find(std::string(signature));
  if (it == seen_.end()) return;
  auto [lo, hi] = by_expiry_.equal_range(it->second);
  for (auto e = lo; e != hi; ++e) {
    if (e->second == it->first) {
      by_expiry_.erase(e);
      break;
    }
  }
  seen_.erase(it);
}

size_t SigV4Verifier::remembered_signatures() const {
  MutexLock lock(&mu_);
  return seen_.size();
}

}  // namespace gamelake
