#include "auth/key_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unordered_map>
#include <utility>

#include "auth/api_key.h"
#include "auth/crypto_util.h"
#include "common/file_lock.h"

namespace gamelake {

// One key as loaded, plus the lazily remembered secret (see the header).
struct KeyStore::Record {
  StoredKey stored;
  Principal principal;

  // The verified secret, published once: written under mu while secret_known
  // is false, never changed after secret_known becomes true. Not
  // GL_GUARDED_BY(mu): Known() reads it without mu once published.
  mutable Mutex mu;
  mutable std::atomic<bool> secret_known{false};
  mutable std::string secret;

  ~Record() { WipeString(&secret); }

  void Remember(std::string_view verified) const GL_EXCLUDES(mu) {
    MutexLock lock(&mu);
    if (secret_known.load(std::memory_order_relaxed)) return;
    secret.assign(verified);
    secret_known.store(true, std::memory_order_release);
  }
  // The remembered secret, or nullptr.
  const std::string* Known() const {
    return secret_known.load(std::memory_order_acquire) ? &secret : nullptr;
  }
};

// An immutable version of keys.json.
struct KeyStore::Snapshot {
  std::vector<std::unique_ptr<Record>> records;               // File order.
  std::unordered_map<std::string_view, const Record*> by_id;  // Views into records.
  FileStamp stamp;
  uint64_t generation = 0;
};

namespace {

Status UnknownKey(std::string_view id) {
  return Status::NotFound("unknown key id " + std::string(id));
}
Status WrongSecret(std::string_view id) {
  return Status::NotFound("wrong secret for key " + std::string(id));
}
Status Revoked(const KeyInfo& info) {
  return Status::NotFound("key " + info.id + " was revoked at " + info.revoked_at);
}

}  // namespace

KeyStore::KeyStore(Env* env, std::string keys_dir, KeyStoreOptions options)
    : env_(env),
      keys_dir_(std::move(keys_dir)),
      options_(options),
      snapshot_(std::make_shared<const Snapshot>()) {}

KeyStore::~KeyStore() { WipeString(&master_key_); }

Result<std::unique_ptr<KeyStore>> KeyStore::Open(Env* env, std::string keys_dir,
                                                 KeyStoreOptions options) {
  if (keys_dir.empty()) return Status::InvalidArgument("key store directory is empty");
  if (options.create_if_missing) {
    GL_RETURN_IF_ERROR(EnsurePrivateDir(env, keys_dir));
  } else if (!env->FileExists(keys_dir)) {
    return Status::NotFound("no key store at " + keys_dir +
                            " (no key was created in this data directory; check --data-dir)");
  }
  std::unique_ptr<KeyStore> store(new KeyStore(env, std::move(keys_dir), options));
  GL_RETURN_IF_ERROR(store->ReloadIfChanged());
  bool empty = store->Current()->records.empty();
  GL_RETURN_IF_ERROR(store->LoadMasterKey(options.create_if_missing && empty));
  bool no_master_key = false;
  {
    MutexLock lock(&store->master_mu_);
    no_master_key = store->master_key_.empty();
  }
  if (!empty && no_master_key) {
    spdlog::warn("keys: {} is missing; Bearer keys work but SigV4 signing secrets cannot be read",
                 JoinPath(store->keys_dir_, kMasterKeyFile));
  }
  return store;
}

std::shared_ptr<const KeyStore::Snapshot> KeyStore::Current() const {
  MutexLock l(&snapshot_mu_);
  return snapshot_;
}

void KeyStore::SetSnapshot(std::shared_ptr<const Snapshot> next) {
  std::shared_ptr<const Snapshot> old;  // Freed after the lock, not under it.
  MutexLock l(&snapshot_mu_);
  old = std::exchange(snapshot_, std::move(next));
}

uint64_t KeyStore::generation() const { return Current()->generation; }

void KeyStore::MaybeReload() {
  int64_t now = env_->MonotonicMicros();
  int64_t next = next_check_us_.load(std::memory_order_relaxed);
  if (now < next) return;
  // One caller per interval does the check; the others go on with what is loaded.
  if (!next_check_us_.compare_exchange_strong(next, now + options_.reload_interval_us,
                                              std::memory_order_relaxed)) {
    return;
  }
  (void)Reload(/*log_failure=*/true);
}

Status KeyStore::ReloadIfChanged() { return Reload(/*log_failure=*/false); }

Status KeyStore::Reload(bool log_failure) {
  MutexLock lock(&reload_mu_);
  std::shared_ptr<const Snapshot> current = Current();
  const std::string path = keys_path();
  for (int attempt = 0;; ++attempt) {
    GL_ASSIGN_OR_RETURN(FileStamp before, StatFile(path));
    if (before == current->stamp) return Status::OK();
    if (!failed_status_.ok() && before == failed_stamp_) return failed_status_;
    FileStamp unused;
    Result<std::vector<StoredKey>> keys = ReadKeysFile(&unused);
    GL_ASSIGN_OR_RETURN(FileStamp after, StatFile(path));
    // Rewritten while we read it: what we read may be a mix; read again.
    if (!(after == before) && attempt < 5) continue;
    if (!keys.ok()) {
      failed_stamp_ = before;
      failed_status_ = keys.status();
      if (log_failure) {
        spdlog::error("keys: cannot reload, still using the keys loaded before: {}",
                      failed_status_.ToString());
      }
      return failed_status_;
    }
    failed_status_ = Status::OK();

    auto next = std::make_shared<Snapshot>();
    next->stamp = before;
    next->generation = current->generation + 1;
    for (StoredKey& stored : *keys) {
      auto record = std::make_unique<Record>();
      record->principal = stored.info.ToPrincipal();
      record->stored = std::move(stored);
      // Keep a remembered secret only for the very same key material.
      auto old = current->by_id.find(record->stored.info.id);
      if (old != current->by_id.end() && old->second->stored.salt == record->stored.salt &&
          old->second->stored.secret_sha256 == record->stored.secret_sha256) {
        if (const std::string* known = old->second->Known()) record->Remember(*known);
      }
      next->by_id.emplace(record->stored.info.id, record.get());
      next->records.push_back(std::move(record));
    }
    SetSnapshot(std::move(next));
    return Status::OK();
  }
}

Result<std::vector<StoredKey>> KeyStore::ReadKeysFile(FileStamp* stamp) {
  const std::string path = keys_path();
  GL_ASSIGN_OR_RETURN(*stamp, StatFile(path));
  if (!stamp->exists) return std::vector<StoredKey>();
  GL_ASSIGN_OR_RETURN(std::string text, env_->ReadFile(path));
  return ParseKeysFile(text, path);
}

Status KeyStore::LoadMasterKey(bool create) {
  MutexLock lock(&master_mu_);
  if (!master_key_.empty()) return Status::OK();
  const std::string path = JoinPath(keys_dir_, kMasterKeyFile);
  if (!env_->FileExists(path)) {
    if (!create) return Status::OK();
    GL_ASSIGN_OR_RETURN(std::string fresh, RandomBytes(kAesKeyBytes));
    Result<bool> created = CreatePrivateFileIfMissing(env_, path, fresh);
    WipeString(&fresh);
    GL_RETURN_IF_ERROR(created.status());
    // Created or not (another process may have won the race), read what is there.
  }
  GL_ASSIGN_OR_RETURN(std::string key, env_->ReadFile(path));
  if (key.size() != kAesKeyBytes) {
    size_t size = key.size();
    WipeString(&key);
    return Status::Corruption(path + ": expected " + std::to_string(kAesKeyBytes) +
                              " bytes (the AES-256 master key), found " + std::to_string(size));
  }
  master_key_ = std::move(key);
  return Status::OK();
}

Result<std::string> KeyStore::MasterKey() {
  GL_RETURN_IF_ERROR(LoadMasterKey(/*create=*/false));
  MutexLock lock(&master_mu_);
  if (master_key_.empty()) {
    return Status::Unavailable(JoinPath(keys_dir_, kMasterKeyFile) +
                               " is missing: signing secrets cannot be recovered (Bearer keys "
                               "still work; create new keys for SigV4 clients)");
  }
  return master_key_;
}

Result<const KeyStore::Record*> KeyStore::FindLive(const Snapshot& snap,
                                                   std::string_view id) const {
  if (!IsValidKeyId(id)) {
    return Status::InvalidArgument("malformed API key id (expected GLK + 17 of A-Z2-7)");
  }
  auto it = snap.by_id.find(id);
  if (it == snap.by_id.end()) return UnknownKey(id);
  if (it->second->stored.info.revoked()) return Revoked(it->second->stored.info);
  return it->second;
}

Result<Principal> KeyStore::Authenticate(std::string_view full_key) {
  GL_ASSIGN_OR_RETURN(ApiKeyParts parts, ParseApiKey(full_key));
  MaybeReload();
  std::shared_ptr<const Snapshot> snap = Current();
  auto it = snap->by_id.find(parts.id);
  if (it == snap->by_id.end()) return UnknownKey(parts.id);
  const Record& record = *it->second;
  // The secret is checked before revocation so that only its holder learns
  // the key was revoked.
  if (const std::string* known = record.Known()) {
    if (!ConstantTimeEquals(*known, parts.secret)) return WrongSecret(parts.id);
  } else {
    std::string digest = Sha256(record.stored.salt, parts.secret);
    if (!ConstantTimeEquals(digest, record.stored.secret_sha256)) return WrongSecret(parts.id);
    record.Remember(parts.secret);
  }
  if (record.stored.info.revoked()) return Revoked(record.stored.info);
  return record.principal;
}

Result<Principal> KeyStore::Lookup(std::string_view id) {
  MaybeReload();
  std::shared_ptr<const Snapshot> snap = Current();
  GL_ASSIGN_OR_RETURN(const Record* record, FindLive(*snap, id));
  return record->principal;
}

Result<std::string> KeyStore::SigningSecret(std::string_view id) {
  MaybeReload();
  std::shared_ptr<const Snapshot> snap = Current();
  GL_ASSIGN_OR_RETURN(const Record* record, FindLive(*snap, id));
  if (const std::string* known = record->Known()) return *known;
  GL_ASSIGN_OR_RETURN(std::string master, MasterKey());
  Result<std::string> secret = OpenAesGcm(master, record->stored.secret_enc, id);
  WipeString(&master);
  if (!secret.ok()) {
    return Status::Corruption("secret of key " + std::string(id) + " cannot be decrypted with " +
                              JoinPath(keys_dir_, kMasterKeyFile) + ": " +
                              secret.status().message());
  }
  if (!ConstantTimeEquals(Sha256(record->stored.salt, *secret), record->stored.secret_sha256)) {
    WipeString(&secret.value());
    return Status::Corruption("decrypted secret of key " + std::string(id) +
                              " does not match its hash in " + keys_path());
  }
  record->Remember(*secret);
  return secret;
}

Status KeyStore::Update(const std::function<Status(std::vector<StoredKey>*)>& change) {
  MutexLock lock(&write_mu_);
  GL_ASSIGN_OR_RETURN(FileLock file_lock, FileLock::Acquire(JoinPath(keys_dir_, kLockFile)));
  // Start from the file, not from what is loaded: another process may have
  // written since.
  FileStamp stamp;
  GL_ASSIGN_OR_RETURN(std::vector<StoredKey> keys, ReadKeysFile(&stamp));
  GL_RETURN_IF_ERROR(change(&keys));
  GL_RETURN_IF_ERROR(WritePrivateFileAtomic(env_, keys_path(), SerializeKeysFile(keys)));
  return ReloadIfChanged();
}

Result<CreatedKey> KeyStore::Create(const KeySpec& spec) {
  GL_RETURN_IF_ERROR(ValidateKeyName(spec.name));
  GL_RETURN_IF_ERROR(ValidateStreamList(spec.streams));
  if (spec.scope != Scope::kIngest && !spec.streams.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{} keys take no streams; streams apply to ingest keys", ScopeName(spec.scope)));
  }
  GL_RETURN_IF_ERROR(LoadMasterKey(/*create=*/true));
  GL_ASSIGN_OR_RETURN(std::string master, MasterKey());
  GL_ASSIGN_OR_RETURN(std::string secret, GenerateSecret());
  CreatedKey created;
  Status s = Update([&](std::vector<StoredKey>* keys) -> Status {
    StoredKey key;
    for (;;) {  // 85 random bits: a collision is practically impossible, but cheap to rule out.
      GL_ASSIGN_OR_RETURN(key.info.id, GenerateKeyId());
      bool taken = false;
      for (const StoredKey& k : *keys) taken = taken || k.info.id == key.info.id;
      if (!taken) break;
    }
    key.info.name = spec.name;
    key.info.scope = spec.scope;
    key.info.streams = spec.streams;
    key.info.rate_records_per_s = spec.rate_records_per_s;
    key.info.rate_bytes_per_s = spec.rate_bytes_per_s;
    key.info.created_at = FormatTimestamp(env_->NowMicros());
    GL_ASSIGN_OR_RETURN(key.salt, RandomBytes(kSaltBytes));
    key.secret_sha256 = Sha256(key.salt, secret);
    GL_ASSIGN_OR_RETURN(key.secret_enc, SealAesGcm(master, secret, key.info.id));
    created.info = key.info;
    keys->push_back(std::move(key));
    return Status::OK();
  });
  WipeString(&master);
  if (!s.ok()) {
    WipeString(&secret);
    return s;
  }
  created.full_key = created.info.id + "." + secret;
  WipeString(&secret);
  return created;
}

Result<std::vector<KeyInfo>> KeyStore::List() {
  GL_RETURN_IF_ERROR(ReloadIfChanged());
  std::shared_ptr<const Snapshot> snap = Current();
  std::vector<KeyInfo> out;
  out.reserve(snap->records.size());
  for (const auto& record : snap->records) out.push_back(record->stored.info);
  return out;
}

Status KeyStore::Revoke(std::string_view id) {
  if (!IsValidKeyId(id)) {
    return Status::InvalidArgument("malformed key id (expected GLK + 17 of A-Z2-7)");
  }
  return Update([&](std::vector<StoredKey>* keys) -> Status {
    for (StoredKey& k : *keys) {
      if (k.info.id != id) continue;
      if (!k.info.revoked()) k.info.revoked_at = FormatTimestamp(env_->NowMicros());
      return Status::OK();
    }
    return UnknownKey(id);
  });
}

}  // namespace gamelake
