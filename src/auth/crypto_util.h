// Small wrappers over OpenSSL's libcrypto for the key store: random bytes,
// SHA-256, AES-256-GCM, constant-time comparison and text encodings.
//
// Every function reports OpenSSL failures as Status::Internal and never puts
// key material into a message.
//
// Thread-safety: all functions are safe to call concurrently (OpenSSL 3 is
// thread-safe without set-up).
#ifndef GAMELAKE_AUTH_CRYPTO_UTIL_H_
#define GAMELAKE_AUTH_CRYPTO_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

constexpr size_t kAesKeyBytes = 32;
constexpr size_t kGcmNonceBytes = 12;
constexpr size_t kGcmTagBytes = 16;

// n bytes from OpenSSL's CSPRNG (RAND_bytes).
Result<std::string> RandomBytes(size_t n);

// The 32-byte SHA-256 digest of a || b (a salt and a secret, usually).
std::string Sha256(std::string_view a, std::string_view b = {});

// True when a and b hold the same bytes. The time taken depends only on the
// lengths, not on where the bytes differ (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// AES-256-GCM with a fresh random nonce. Returns nonce || ciphertext || tag.
// `aad` is authenticated but not stored: Open must be given the same.
Result<std::string> SealAesGcm(std::string_view key, std::string_view plaintext,
                               std::string_view aad);
// Inverse of SealAesGcm. Corruption when the tag does not verify (wrong key,
// wrong aad, or tampered bytes).
Result<std::string> OpenAesGcm(std::string_view key, std::string_view sealed, std::string_view aad);

// Lower-case hex, and its strict inverse (even length, [0-9a-f] only).
std::string HexEncode(std::string_view bytes);
Result<std::string> HexDecode(std::string_view hex);

// RFC 4648 base32 (A-Z2-7) of the low 5 bits of each byte: one char per byte.
std::string Base32Chars(std::string_view bytes);
// RFC 4648 §5 base64url without padding (A-Za-z0-9-_).
std::string Base64UrlEncode(std::string_view bytes);

// Overwrites s with zeros (OPENSSL_cleanse, not optimised away) and clears it.
void WipeString(std::string* s);

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_CRYPTO_UTIL_H_
