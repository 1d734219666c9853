#include "auth/api_key.h"

#include "auth/crypto_util.h"

namespace gamelake {
namespace {

bool IsBase32(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }
bool IsBase64Url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

}  // namespace

bool IsValidKeyId(std::string_view id) {
  if (id.size() != kKeyIdLength || id.substr(0, kKeyIdPrefix.size()) != kKeyIdPrefix) {
    return false;
  }
  for (char c : id.substr(kKeyIdPrefix.size())) {
    if (!IsBase32(c)) return false;
  }
  return true;
}

bool IsValidSecret(std::string_view secret) {
  if (secret.size() != kSecretLength) return false;
  for (char c : secret) {
    if (!IsBase64Url(c)) return false;
  }
  return true;
}

Result<ApiKeyParts> ParseApiKey(std::string_view full_key) {
  constexpr std::string_view kShape = "expected <GLK + 17 chars>.<40-char secret>";
  if (full_key.empty()) return Status::InvalidArgument("empty API key");
  size_t dot = full_key.find('.');
  if (dot == std::string_view::npos) {
    return Status::InvalidArgument("malformed API key (no '.'): " + std::string(kShape));
  }
  ApiKeyParts parts{full_key.substr(0, dot), full_key.substr(dot + 1)};
  if (!IsValidKeyId(parts.id)) {
    return Status::InvalidArgument("malformed API key id: " + std::string(kShape));
  }
  if (!IsValidSecret(parts.secret)) {
    return Status::InvalidArgument("malformed secret for key " + std::string(parts.id) + ": " +
                                   std::string(kShape));
  }
  return parts;
}

Result<std::string> GenerateKeyId() {
  GL_ASSIGN_OR_RETURN(std::string random, RandomBytes(kKeyIdLength - kKeyIdPrefix.size()));
  std::string id = std::string(kKeyIdPrefix) + Base32Chars(random);
  WipeString(&random);
  return id;
}

Result<std::string> GenerateSecret() {
  static_assert(kSecretLength % 4 == 0, "base64 of whole 3-byte groups");
  GL_ASSIGN_OR_RETURN(std::string random, RandomBytes(kSecretLength / 4 * 3));
  std::string secret = Base64UrlEncode(random);
  WipeString(&random);
  return secret;
}

}  // namespace gamelake
