// The API key format: "<id>.<secret>".
//
//   id      "GLK" + 17 characters of RFC 4648 base32 (A-Z, 2-7): 20 characters,
//           shaped like an AWS access key id because the Firehose API uses it
//           as the SigV4 access key id. 85 random bits. Not secret: it appears
//           in logs, `gamelake keys list` and error messages.
//   secret  40 characters of base64url (A-Z a-z 0-9 - _) from 30 bytes of
//           RAND_bytes: 240 random bits, the length of an AWS secret key.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_AUTH_API_KEY_H_
#define GAMELAKE_AUTH_API_KEY_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace gamelake {

constexpr std::string_view kKeyIdPrefix = "GLK";
constexpr size_t kKeyIdLength = 20;
constexpr size_t kSecretLength = 40;
constexpr size_t kFullKeyLength = kKeyIdLength + 1 + kSecretLength;

struct ApiKeyParts {
  std::string_view id;
  std::string_view secret;
};

// True when id has the key id shape (prefix, length, alphabet).
bool IsValidKeyId(std::string_view id);
// True when secret has the secret shape (length, alphabet).
bool IsValidSecret(std::string_view secret);

// Splits and checks a full key. The error (InvalidArgument) says what is wrong
// in terms of the shape only: it never repeats the secret, and repeats the id
// only when the id is well-formed.
Result<ApiKeyParts> ParseApiKey(std::string_view full_key);

// Fresh random id and secret.
Result<std::string> GenerateKeyId();
Result<std::string> GenerateSecret();

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_API_KEY_H_
