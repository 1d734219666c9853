// The on-disk form of the key store, <data>/keys/keys.json:
//
//   {"version":1,"keys":[
//   {"id":"GLK...","name":"web","scope":"ingest","streams":["events"],
//    "rate_records_per_s":0,"rate_bytes_per_s":0,
//    "created_at":"2025-01-02T03:04:05Z","revoked_at":null,
//    "salt":"<16 bytes hex>","secret_sha256":"<32 bytes hex>",
//    "secret_enc":"<hex of AES-256-GCM nonce||ciphertext||tag>"}
//   ]}
//
// One key per line so the file diffs well. The secret never appears in clear:
// secret_sha256 = SHA-256(salt || secret) verifies it; secret_enc holds it
// encrypted under master.key (with the key id as associated data) for the
// SigV4 verifier, which needs the secret itself. Parsing is strict: a missing
// or mistyped field, a bad id or a duplicate id is an error naming the file,
// the key and the field; unknown fields are ignored (forward compatibility).
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_AUTH_KEYS_FILE_H_
#define GAMELAKE_AUTH_KEYS_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

constexpr size_t kSaltBytes = 16;

// What `gamelake keys list` shows: everything but secret material.
struct KeyInfo {
  std::string id;
  std::string name;
  Scope scope = Scope::kIngest;
  std::vector<std::string> streams;  // Empty: every stream.
  uint64_t rate_records_per_s = 0;   // 0: the server's default.
  uint64_t rate_bytes_per_s = 0;     // 0: the server's default.
  std::string created_at;            // RFC 3339 UTC, seconds: "2025-01-02T03:04:05Z".
  std::string revoked_at;            // Same format; empty while the key is live.

  bool revoked() const { return !revoked_at.empty(); }
  Principal ToPrincipal() const;
};

struct StoredKey {
  KeyInfo info;
  std::string salt;           // kSaltBytes raw bytes.
  std::string secret_sha256;  // SHA-256(salt || secret), 32 raw bytes.
  std::string secret_enc;     // SealAesGcm(master key, secret, aad = id), raw bytes.
};

// Parses the file's text; `path` only names the file in errors (Corruption).
Result<std::vector<StoredKey>> ParseKeysFile(std::string_view text, const std::string& path);
std::string SerializeKeysFile(const std::vector<StoredKey>& keys);

// Key names: 1-64 bytes, no control characters.
[[nodiscard]] Status ValidateKeyName(std::string_view name);
// Stream names as the server accepts them (1-64 of [A-Za-z0-9_-], not
// starting with '_'), no duplicates, at most 256 of them.
[[nodiscard]] Status ValidateStreamList(const std::vector<std::string>& streams);

// Unix microseconds -> "2025-01-02T03:04:05Z".
std::string FormatTimestamp(int64_t unix_micros);

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_KEYS_FILE_H_
