// Development keys: so a first `gamelake serve` (and every --demo) works
// without reading the key docs first.
//
// On a key store with no keys at all, or with always_print (--demo) when
// <data>/dev-keys.txt does not exist yet, EnsureDevKeys creates an admin key
// "dev-admin" and an all-streams ingest key "dev-ingest", writes both full
// keys to <data>/dev-keys.txt (mode 0600 from its creation) and prints them
// once to `out` with a short explanation. Later calls create nothing: they
// print only the file's path, or with always_print the keys from the file.
// When the store has other keys and no dev-keys.txt, it prints nothing.
//
// Thread-safety: call once at start-up.
#ifndef GAMELAKE_AUTH_DEV_KEYS_H_
#define GAMELAKE_AUTH_DEV_KEYS_H_

#include <cstdio>
#include <string>

#include "auth/key_store.h"
#include "common/env.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

constexpr const char* kDevKeysFile = "dev-keys.txt";
constexpr const char* kDevAdminName = "dev-admin";
constexpr const char* kDevIngestName = "dev-ingest";

// The full key named kDevAdminName in <data>/dev-keys.txt (its lines are
// "<name> <scope> <key>"); NotFound when the file or the line is missing.
// For the console's demo sign-in (server/console_api.h).
[[nodiscard]] Result<std::string> ReadDevAdminKey(Env* env, const std::string& data_dir);

[[nodiscard]] Status EnsureDevKeys(KeyStore* store, const std::string& data_dir, bool always_print,
                                   std::FILE* out = stdout);

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_DEV_KEYS_H_
