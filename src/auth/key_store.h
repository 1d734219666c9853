// KeyStore: the API keys of one gamelake data directory, shared by the CLI
// (`gamelake keys ...`) and the running server through <data>/keys/.
//
// Files (directory 0700, files 0600):
//   keys.json   every key: id, name, scope, streams, rate limits, created_at,
//               revoked_at, salt, SHA-256(salt || secret), and the secret
//               sealed with AES-256-GCM. Format in keys_file.h. Rewritten
//               atomically (Env::WriteFileAtomic) under keys.lock (flock), so
//               concurrent writers in different processes never lose updates.
//   master.key  32 random bytes, created on first use; the AES-256-GCM key.
//
// Why the secret is kept retrievable. Bearer keys need only a one-way hash:
// Authenticate checks SHA-256(salt || secret) with a constant-time compare.
// (A slow KDF such as PBKDF2 would cost milliseconds per request; the secrets
// are 240 random bits, so a fast salted hash is not brute-forceable.) But the
// Firehose API verifies AWS Signature V4, which is an HMAC keyed by the secret
// itself, so the server must be able to recover it: it is also stored
// encrypted under master.key (AWS keeps retrievable secrets for the same
// reason). Someone who can read both keys.json and master.key can recover
// every secret; keep the data directory private and back the two up together.
// Without master.key, Bearer keys still work but SigningSecret fails.
//
// Freshness. Another process may rewrite keys.json at any time. Every
// Authenticate/Lookup/SigningSecret checks keys.json's stat (inode, size,
// mtime) at most once per reload_interval_us (default 200 ms) and re-reads it
// when it changed, so a key created or revoked by the CLI is honoured by a
// running server well within a second, with no background thread. If the new
// file is malformed the store keeps serving the last good keys and reports the
// error from ReloadIfChanged (and logs it once).
//
// Speed. The first successful check of a key runs the salted hash; the store
// then remembers that key's secret in memory (per key id, in the loaded
// snapshot) and later checks are one constant-time compare of 40 bytes. A
// reload keeps a remembered secret only when the key's salt and hash are
// unchanged. Keying the cache by key id with a full compare (rather than by a
// hash of the full key) means no hash collision can ever authenticate.
//
// Errors never contain a secret. They name a key id only when it is
// well-formed.
//
// Thread-safety: all methods are safe to call concurrently.
#ifndef GAMELAKE_AUTH_KEY_STORE_H_
#define GAMELAKE_AUTH_KEY_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/keys_file.h"
#include "auth/principal.h"
#include "auth/private_files.h"
#include "common/env.h"
#include "common/mutex.h"
#include "common/result.h"
#include "common/status.h"

namespace gamelake {

struct KeySpec {
  std::string name;
  Scope scope = Scope::kIngest;
  std::vector<std::string> streams;  // Empty: every stream. Must be empty for admin keys.
  uint64_t rate_records_per_s = 0;   // 0: the server's default.
  uint64_t rate_bytes_per_s = 0;     // 0: the server's default.
};

struct CreatedKey {
  KeyInfo info;
  std::string full_key;  // "<id>.<secret>": shown once, never stored in clear.
};

struct KeyStoreOptions {
  // false: Open fails with NotFound when keys_dir does not exist, and never
  // creates files (for `keys list` / `keys revoke` on a mistyped --data-dir).
  bool create_if_missing = true;
  // How often the request path looks at keys.json's stat. <= 0: every call.
  int64_t reload_interval_us = 200'000;
};

class KeyStore {
 public:
  static constexpr const char* kKeysFile = "keys.json";
  static constexpr const char* kMasterKeyFile = "master.key";
  static constexpr const char* kLockFile = "keys.lock";

  // Opens (creating with options.create_if_missing) the store in keys_dir,
  // normally <data>/keys. Fails, naming the file, on a malformed keys.json
  // or master.key.
  static Result<std::unique_ptr<KeyStore>> Open(Env* env, std::string keys_dir,
                                                KeyStoreOptions options = {});
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // Creates a key. InvalidArgument for a bad name, stream list, or an admin
  // key with streams.
  Result<CreatedKey> Create(const KeySpec& spec) GL_EXCLUDES(write_mu_, reload_mu_, master_mu_);
  // Every key, live and revoked, oldest first (after a fresh reload).
  Result<std::vector<KeyInfo>> List() GL_EXCLUDES(reload_mu_);
  // Marks the key revoked now. NotFound for an unknown id; OK (and unchanged)
  // when it was already revoked.
  Status Revoke(std::string_view id) GL_EXCLUDES(write_mu_, reload_mu_);

  // Checks "<id>.<secret>". Errors (never holding the secret):
  //   InvalidArgument  empty or malformed key ("malformed API key ...")
  //   NotFound         "unknown key id GLK...", "wrong secret for key GLK...",
  //                    "key GLK... was revoked at 2025-01-02T03:04:05Z"
  Result<Principal> Authenticate(std::string_view full_key) GL_EXCLUDES(reload_mu_);
  // The live key with this id: InvalidArgument for a malformed id, NotFound
  // for an unknown or revoked one (same messages as Authenticate).
  Result<Principal> Lookup(std::string_view id) GL_EXCLUDES(reload_mu_);
  // The secret of a live key, for verifying SigV4 signatures. Errors as Lookup,
  // plus Corruption/Unavailable when master.key is missing or does not open it.
  Result<std::string> SigningSecret(std::string_view id) GL_EXCLUDES(reload_mu_, master_mu_);

  // Re-reads keys.json if its stat changed. On a malformed file the store
  // keeps the last good keys and returns the error.
  Status ReloadIfChanged() GL_EXCLUDES(reload_mu_);
  // Bumped whenever a new version of keys.json is loaded.
  uint64_t generation() const;

  Env* env() const { return env_; }
  const std::string& keys_dir() const { return keys_dir_; }
  std::string keys_path() const { return JoinPath(keys_dir_, kKeysFile); }

 private:
  struct Record;
  struct Snapshot;

  KeyStore(Env* env, std::string keys_dir, KeyStoreOptions options);
  std::shared_ptr<const Snapshot> Current() const GL_EXCLUDES(snapshot_mu_);
  void SetSnapshot(std::shared_ptr<const Snapshot> next) GL_EXCLUDES(snapshot_mu_);
  // Reloads when the reload interval has passed (the request path).
  void MaybeReload() GL_EXCLUDES(reload_mu_);
  // ReloadIfChanged; log_failure logs a newly found problem (the request path
  // has no one else to tell).
  Status Reload(bool log_failure) GL_EXCLUDES(reload_mu_);
  // Reads keys.json straight from disk (missing file: no keys).
  Result<std::vector<StoredKey>> ReadKeysFile(FileStamp* stamp);
  Status LoadMasterKey(bool create) GL_EXCLUDES(master_mu_);
  Result<std::string> MasterKey() GL_EXCLUDES(master_mu_);
  // Finds a live key's record in snap, or the NotFound/InvalidArgument error.
  Result<const Record*> FindLive(const Snapshot& snap, std::string_view id) const;
  // Read-modify-write of keys.json under the file lock.
  Status Update(const std::function<Status(std::vector<StoredKey>*)>& change)
      GL_EXCLUDES(write_mu_, reload_mu_);

  Env* const env_;
  const std::string keys_dir_;
  const KeyStoreOptions options_;

  // The published snapshot, swapped whole by Reload. A short mutex rather than
  // std::atomic<std::shared_ptr>: libstdc++ 12's load() unlocks its internal
  // lock bit with a relaxed store, so a load and the next store are not
  // ordered (ThreadSanitizer reports it as a race).
  mutable Mutex snapshot_mu_;
  std::shared_ptr<const Snapshot> snapshot_ GL_GUARDED_BY(snapshot_mu_);
  std::atomic<int64_t> next_check_us_{0};

  // One writer per process (keys.lock excludes other processes); a write
  // ends with a reload.
  Mutex write_mu_ GL_ACQUIRED_BEFORE(reload_mu_);

  Mutex reload_mu_;  // One reload at a time.
  FileStamp failed_stamp_ GL_GUARDED_BY(reload_mu_);
  Status failed_status_ GL_GUARDED_BY(reload_mu_);

  Mutex master_mu_;
  std::string master_key_ GL_GUARDED_BY(master_mu_);  // Empty until loaded.
};

}  // namespace gamelake

#endif  // GAMELAKE_AUTH_KEY_STORE_H_
