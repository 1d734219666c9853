#include "auth/sigv4_signer.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "common/ascii.h"

namespace gamelake {
namespace {

// Headers an intermediary may add, drop or rewrite: never signed (the AWS
// SDKs leave out the same ones).
bool Unsignable(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 15> kNames = {
      "authorization", "cache-control",     "connection", "expect",     "from",
      "keep-alive",    "max-forwards",      "pragma",     "referer",    "te",
      "trailer",       "transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id"};
  if (lower_name.starts_with("proxy-")) return true;
  return std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end();
}

void RemoveHeader(SigV4HeaderList* headers, std::string_view name) {
  headers->erase(std::remove_if(headers->begin(), headers->end(),
                                [&](const auto& h) { return EqualsIgnoreCase(h.first, name); }),
                 headers->end());
}

void SetHeader(SigV4HeaderList* headers, std::string_view lower_name, std::string value) {
  RemoveHeader(headers, lower_name);
  headers->emplace_back(std::string(lower_name), std::move(value));
}

}  // namespace

SigV4Signer::SigV4Signer(std::string region, std::string service, SigV4UriRule uri_rule)
    : region_(std::move(region)), service_(std::move(service)), uri_rule_(uri_rule) {}

Status SigV4Signer::Sign(std::string_view method, std::string_view target,
                         std::string_view payload_hash, const SigV4Credentials& credentials,
                         int64_t unix_seconds, SigV4HeaderList* headers) const {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("cannot sign: the access key id or secret key is empty");
  }
  if (payload_hash.empty()) return Status::InvalidArgument("cannot sign: no payload hash");
  std::string amz_date = SigV4FormatAmzDate(unix_seconds);
  RemoveHeader(headers, "authorization");
  SetHeader(headers, "x-amz-date", amz_date);
  if (uri_rule_ == SigV4UriRule::kS3) {
    SetHeader(headers, "x-amz-content-sha256", std::string(payload_hash));
  }
  if (!credentials.session_token.empty()) {
    SetHeader(headers, "x-amz-security-token", credentials.session_token);
  }

  std::vector<std::string> names;
  bool has_host = false;
  for (const auto& [name, value] : *headers) {
    std::string lower = AsciiLowered(name);
    if (Unsignable(lower)) continue;
    if (lower == "host") has_host = true;
    names.push_back(std::move(lower));
  }
  if (!has_host) return Status::InvalidArgument("cannot sign: the request has no host header");
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_headers;
  for (const std::string& n : names) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += n;
  }

  SigV4Request request;
  request.method = method;
  request.target = target;
  for (const auto& [name, value] : *headers) request.headers.emplace_back(name, value);
  GL_ASSIGN_OR_RETURN(std::string creq,
                      SigV4CanonicalRequest(request, signed_headers, payload_hash, uri_rule_));
  std::string_view date8 = std::string_view(amz_date).substr(0, 8);
  std::string scope = SigV4Scope(date8, region_, service_);
  std::string key = SigV4SigningKey(credentials.secret_access_key, date8, region_, service_);
  std::string signature = SigV4Signature(key, SigV4StringToSign(amz_date, scope, creq));
  headers->emplace_back(
      "authorization",
      fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", kSigV4Algorithm,
                  credentials.access_key_id, scope, signed_headers, signature));
  return Status::OK();
}

}  // namespace gamelake
