#include "auth/key_store.h"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "auth/api_key.h"
#include "auth/private_files.h"
#include "auth_test_util.h"

namespace gamelake {
namespace {

class KeyStoreTest : public ::testing::Test {
 protected:
  std::string keys_dir() const { return tmp_.path() + "/data/keys"; }

  std::unique_ptr<KeyStore> OpenStore(KeyStoreOptions options = {}) {
    auto store = KeyStore::Open(Env::Default(), keys_dir(), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  CreatedKey MustCreate(KeyStore* store, std::string name, Scope scope,
                        std::vector<std::string> streams = {}) {
    KeySpec spec;
    spec.name = std::move(name);
    spec.scope = scope;
    spec.streams = std::move(streams);
    auto created = store->Create(spec);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? std::move(created).value() : CreatedKey{};
  }

  std::string ReadKeysJson() {
    auto text = Env::Default()->ReadFile(keys_dir() + "/keys.json");
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    return text.ok() ? *text : "";
  }

  void WriteKeysJson(const std::string& text) {
    ASSERT_TRUE(Env::Default()->WriteFileAtomic(keys_dir() + "/keys.json", text).ok());
  }

  TempDir tmp_;
};

TEST_F(KeyStoreTest, CreateAuthenticateRevoke) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CreatedKey key = MustCreate(store.get(), "web game", Scope::kIngest, {"events", "clicks"});
  ASSERT_EQ(key.full_key.size(), kFullKeyLength);
  EXPECT_EQ(key.full_key.substr(0, kKeyIdLength), key.info.id);
  EXPECT_TRUE(IsValidKeyId(key.info.id)) << key.info.id;
  EXPECT_EQ(key.full_key[kKeyIdLength], '.');
  EXPECT_TRUE(IsValidSecret(key.full_key.substr(kKeyIdLength + 1)));
  EXPECT_FALSE(key.info.created_at.empty());
  EXPECT_FALSE(key.info.revoked());

  auto principal = store->Authenticate(key.full_key);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->key_id, key.info.id);
  EXPECT_EQ(principal->name, "web game");
  EXPECT_EQ(principal->scope, Scope::kIngest);
  EXPECT_EQ(principal->streams, (std::vector<std::string>{"events", "clicks"}));
  // Second time: the cached path.
  ASSERT_TRUE(store->Authenticate(key.full_key).ok());

  auto list = store->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, key.info.id);

  ASSERT_TRUE(store->Revoke(key.info.id).ok());
  auto refused = store->Authenticate(key.full_key);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kNotFound);
  EXPECT_NE(refused.status().message().find("key " + key.info.id + " was revoked at "),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(refused.status().message().find(key.full_key.substr(kKeyIdLength + 1)),
            std::string::npos);

  // Revoking again is fine and keeps the first time.
  list = store->List();
  ASSERT_TRUE(list.ok());
  std::string revoked_at = (*list)[0].revoked_at;
  EXPECT_FALSE(revoked_at.empty());
  ASSERT_TRUE(store->Revoke(key.info.id).ok());
  list = store->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)[0].revoked_at, revoked_at);

  EXPECT_FALSE(store->Lookup(key.info.id).ok());
  EXPECT_FALSE(store->SigningSecret(key.info.id).ok());
  EXPECT_EQ(store->Revoke("GLKAAAAAAAAAAAAAAAAA").code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Revoke("nope").code(), Status::Code::kInvalidArgument);
}

TEST_F(KeyStoreTest, WrongSecretAndUnknownId) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CreatedKey key = MustCreate(store.get(), "k", Scope::kAdmin);
  std::string wrong = key.full_key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';

  // Before and after the key's secret is cached.
  for (int round = 0; round < 2; ++round) {
    auto r = store->Authenticate(wrong);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
    EXPECT_EQ(r.status().message(), "wrong secret for key " + key.info.id);
    ASSERT_TRUE(store->Authenticate(key.full_key).ok());
  }
  auto unknown = store->Authenticate("GLKAAAAAAAAAAAAAAAAA" + key.full_key.substr(kKeyIdLength));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "unknown key id GLKAAAAAAAAAAAAAAAAA");
}

TEST_F(KeyStoreTest, MalformedKeysAreRefusedWithoutEchoingThem) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CreatedKey key = MustCreate(store.get(), "k", Scope::kIngest);
  std::string secret = key.full_key.substr(kKeyIdLength + 1);
  std::string garbage(10 * 1024, 'x');
  for (size_t i = 0; i < garbage.size(); i += 7) garbage[i] = static_cast<char>(i * 31);
  std::string with_nul = key.full_key;
  with_nul[kKeyIdLength + 5] = '\0';
  std::string nul_in_id = key.full_key;
  nul_in_id[5] = '\0';
  const std::vector<std::string> bad = {
      "",
      key.info.id + secret,                  // No dot.
      "glk" + key.full_key.substr(3),        // Bad id (lower case).
      "AKIA" + key.full_key.substr(4),       // Bad prefix.
      key.info.id + "." + secret.substr(1),  // Short secret.
      key.info.id + "." + secret + "x",      // Long secret.
      key.info.id + "." + secret + ".",      // Two dots.
      key.info.id + ".." + secret,           // Secret with a dot.
      garbage,                               // 10 KB of garbage.
      with_nul,                              // NUL byte in the secret.
      nul_in_id,                             // NUL byte in the id.
      std::string(kFullKeyLength, '\0'),
  };
  for (const std::string& k : bad) {
    auto r = store->Authenticate(k);
    ASSERT_FALSE(r.ok()) << "accepted: " << k.size() << " bytes";
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << r.status().ToString();
    EXPECT_EQ(r.status().message().find(secret), std::string::npos);
    EXPECT_LT(r.status().message().size(), 200u);
  }
  // The real key still works after all that.
  EXPECT_TRUE(store->Authenticate(key.full_key).ok());
}

TEST_F(KeyStoreTest, SecretsNeverStoredInClearAndFilesArePrivate) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::vector<CreatedKey> keys;
  for (int i = 0; i < 5; ++i) {
    keys.push_back(MustCreate(store.get(), "k" + std::to_string(i), Scope::kIngest));
  }
  std::string json = ReadKeysJson();
  for (const CreatedKey& k : keys) {
    std::string secret = k.full_key.substr(kKeyIdLength + 1);
    EXPECT_NE(json.find(k.info.id), std::string::npos);
    EXPECT_EQ(json.find(secret), std::string::npos);
    EXPECT_EQ(json.find(secret.substr(0, 16)), std::string::npos);
  }
  auto mode = [](const std::string& p) {
    auto m = FileMode(p);
    EXPECT_TRUE(m.ok()) << p;
    return m.ok() ? *m : 0u;
  };
  EXPECT_EQ(mode(keys_dir()), 0700u);
  EXPECT_EQ(mode(keys_dir() + "/keys.json"), 0600u);
  EXPECT_EQ(mode(keys_dir() + "/master.key"), 0600u);
  EXPECT_FALSE(Env::Default()->FileExists(keys_dir() + "/keys.json.tmp"));
  auto master_size = Env::Default()->GetFileSize(keys_dir() + "/master.key");
  ASSERT_TRUE(master_size.ok());
  EXPECT_EQ(*master_size, 32u);
}

TEST_F(KeyStoreTest, ExistingLooseDirectoryIsTightened) {
  ASSERT_TRUE(Env::Default()->CreateDirs(keys_dir()).ok());
  ASSERT_EQ(::chmod(keys_dir().c_str(), 0755), 0);
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto mode = FileMode(keys_dir());
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, 0700u);
}

TEST_F(KeyStoreTest, SigningSecretRoundTripAndMasterKeyReuse) {
  CreatedKey key;
  std::string master_before;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    key = MustCreate(store.get(), "firehose", Scope::kIngest, {"events"});
    auto secret = store->SigningSecret(key.info.id);
    ASSERT_TRUE(secret.ok()) << secret.status().ToString();
    EXPECT_EQ(*secret, key.full_key.substr(kKeyIdLength + 1));
    auto master = Env::Default()->ReadFile(keys_dir() + "/master.key");
    ASSERT_TRUE(master.ok());
    master_before = *master;
  }
  // A new process (a new store) reuses the master key and decrypts the secret
  // without having seen the key authenticate.
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto master = Env::Default()->ReadFile(keys_dir() + "/master.key");
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(*master, master_before);
  auto secret = store->SigningSecret(key.info.id);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(*secret, key.full_key.substr(kKeyIdLength + 1));
  // A key created now is sealed under the same master key.
  CreatedKey second = MustCreate(store.get(), "second", Scope::kAdmin);
  master = Env::Default()->ReadFile(keys_dir() + "/master.key");
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(*master, master_before);

  auto principal = store->Lookup(key.info.id);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->name, "firehose");
  EXPECT_EQ(store->Lookup("GLKAAAAAAAAAAAAAAAAA").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store->Lookup("bad").status().code(), Status::Code::kInvalidArgument);
}

TEST_F(KeyStoreTest, SigningSecretFailsClearlyWithAWrongMasterKey) {
  CreatedKey key;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    key = MustCreate(store.get(), "k", Scope::kIngest);
  }
  ASSERT_TRUE(
      Env::Default()->WriteFileAtomic(keys_dir() + "/master.key", std::string(32, 'z')).ok());
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto secret = store->SigningSecret(key.info.id);
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().code(), Status::Code::kCorruption);
  EXPECT_NE(secret.status().message().find("master.key"), std::string::npos);
  // Bearer authentication does not need the master key.
  EXPECT_TRUE(store->Authenticate(key.full_key).ok());

  ASSERT_TRUE(Env::Default()->WriteFileAtomic(keys_dir() + "/master.key", "short").ok());
  auto reopened = KeyStore::Open(Env::Default(), keys_dir());
  ASSERT_FALSE(reopened.ok());
  EXPECT_NE(reopened.status().message().find("master.key: expected 32 bytes"), std::string::npos)
      << reopened.status().ToString();
}

TEST_F(KeyStoreTest, ReloadAcrossTwoStoresWithinASecond) {
  KeyStoreOptions options;
  options.reload_interval_us = 200'000;
  auto server = OpenStore(options);
  auto cli = OpenStore(options);
  ASSERT_NE(server, nullptr);
  ASSERT_NE(cli, nullptr);
  CreatedKey key = MustCreate(cli.get(), "from-cli", Scope::kIngest);

  // The server notices the new key through the request path alone. The
  // deadline is generous (the contract is 1s; the check runs every 200ms).
  auto poll_until = [&](auto pred) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  };
  EXPECT_TRUE(poll_until([&] { return server->Authenticate(key.full_key).ok(); }));
  ASSERT_TRUE(cli->Revoke(key.info.id).ok());
  EXPECT_TRUE(poll_until([&] {
    auto r = server->Authenticate(key.full_key);
    return !r.ok() && r.status().message().find("revoked") != std::string::npos;
  }));
  // Lookup and SigningSecret see it too.
  EXPECT_FALSE(server->Lookup(key.info.id).ok());
  EXPECT_FALSE(server->SigningSecret(key.info.id).ok());
}

TEST_F(KeyStoreTest, ConcurrentWritersInTwoStoresLoseNothing) {
  auto a = OpenStore();
  auto b = OpenStore();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  constexpr int kPerStore = 10;
  std::vector<std::string> keys_a, keys_b;
  std::thread ta([&] {
    for (int i = 0; i < kPerStore; ++i)
      keys_a.push_back(MustCreate(a.get(), "a", Scope::kIngest).full_key);
  });
  std::thread tb([&] {
    for (int i = 0; i < kPerStore; ++i)
      keys_b.push_back(MustCreate(b.get(), "b", Scope::kIngest).full_key);
  });
  ta.join();
  tb.join();
  auto list = a->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u * kPerStore);
  ASSERT_TRUE(a->ReloadIfChanged().ok());
  ASSERT_TRUE(b->ReloadIfChanged().ok());
  for (const auto& k : keys_a) EXPECT_TRUE(b->Authenticate(k).ok());
  for (const auto& k : keys_b) EXPECT_TRUE(a->Authenticate(k).ok());
}

TEST_F(KeyStoreTest, ManyThreadsAuthenticate) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CreatedKey good = MustCreate(store.get(), "k", Scope::kIngest);
  std::string wrong = good.full_key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (!store->Authenticate(good.full_key).ok()) failures++;
        if (store->Authenticate(wrong).ok()) failures++;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 5; ++i) MustCreate(store.get(), "other", Scope::kIngest);
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(KeyStoreTest, MalformedKeysJsonIsAnErrorNamingFileAndProblem) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    MustCreate(store.get(), "k", Scope::kIngest);
  }
  std::string good = ReadKeysJson();
  struct Case {
    std::string text;
    std::string expect;
  };
  std::string missing_scope = good;
  missing_scope.replace(missing_scope.find("\"scope\""), 7, "\"scop\"");
  std::string bad_salt = good;
  bad_salt.replace(bad_salt.find("\"salt\":\"") + 8, 2, "zz");
  std::string bad_id = good;
  bad_id.replace(bad_id.find("\"GLK") + 1, 3, "XYZ");
  std::string dup = good;
  size_t start = dup.find("{\"id\"");
  size_t end = dup.find("}\n", start);
  dup.insert(end + 1, "," + dup.substr(start, end + 1 - start));
  const std::vector<Case> cases = {
      {"", "file is empty"},
      {"{\"version\":1,\"keys\":[", "not valid JSON"},
      {"[]", "top level is not an object"},
      {"{\"keys\":[]}", "\"version\""},
      {"{\"version\":2,\"keys\":[]}", "version 2 is not supported"},
      {"{\"version\":1}", "\"keys\" is missing"},
      {"{\"version\":1,\"keys\":[3]}", "key #0: is not a JSON object"},
      {missing_scope, "field \"scope\" is missing"},
      {bad_salt, "field \"salt\""},
      {bad_id, "field \"id\""},
      {dup, "duplicate id GLK"},
  };
  for (const Case& c : cases) {
    WriteKeysJson(c.text);
    auto store = KeyStore::Open(Env::Default(), keys_dir());
    ASSERT_FALSE(store.ok()) << c.expect;
    EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
    EXPECT_NE(store.status().message().find(keys_dir() + "/keys.json: "), std::string::npos)
        << store.status().message();
    EXPECT_NE(store.status().message().find(c.expect), std::string::npos)
        << store.status().message();
  }
  WriteKeysJson(good);
  EXPECT_NE(OpenStore(), nullptr);
}

TEST_F(KeyStoreTest, MalformedRewriteKeepsServingTheLastGoodKeys) {
  KeyStoreOptions options;
  options.reload_interval_us = 0;  // Check on every call.
  auto store = OpenStore(options);
  ASSERT_NE(store, nullptr);
  CreatedKey key = MustCreate(store.get(), "k", Scope::kIngest);
  std::string good = ReadKeysJson();
  WriteKeysJson("{ not json");
  EXPECT_TRUE(store->Authenticate(key.full_key).ok());
  Status s = store->ReloadIfChanged();
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_FALSE(store->List().ok());
  // Writers refuse to overwrite a file they cannot read.
  KeySpec spec;
  spec.name = "x";
  EXPECT_FALSE(store->Create(spec).ok());
  WriteKeysJson(good);
  EXPECT_TRUE(store->ReloadIfChanged().ok());
  EXPECT_TRUE(store->Authenticate(key.full_key).ok());
}

TEST_F(KeyStoreTest, CreateValidatesItsInput) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  KeySpec spec;
  spec.name = "";
  EXPECT_EQ(store->Create(spec).status().code(), Status::Code::kInvalidArgument);
  spec.name = std::string(65, 'n');
  EXPECT_EQ(store->Create(spec).status().code(), Status::Code::kInvalidArgument);
  spec.name = "tab\there";
  EXPECT_EQ(store->Create(spec).status().code(), Status::Code::kInvalidArgument);
  spec.name = "ok";
  spec.streams = {"good", "bad name"};
  EXPECT_EQ(store->Create(spec).status().code(), Status::Code::kInvalidArgument);
  spec.streams = {"a", "a"};
  EXPECT_EQ(store->Create(spec).status().code(), Status::Code::kInvalidArgument);
  spec.streams = {"_reserved"};
  EXPECT_EQ(store->Create(spec).status().code(), Status::Code::kInvalidArgument);
  spec.streams = {"events"};
  spec.scope = Scope::kAdmin;
  EXPECT_EQ(store->Create(spec).status().code(), Status::Code::kInvalidArgument);
  auto list = store->List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(KeyStoreTest, OpenWithoutCreateNeedsAnExistingStore) {
  KeyStoreOptions options;
  options.create_if_missing = false;
  auto store = KeyStore::Open(Env::Default(), keys_dir(), options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(Env::Default()->FileExists(keys_dir()));
}

TEST_F(KeyStoreTest, RateLimitsAndTimestampsSurviveReopen) {
  CreatedKey key;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    KeySpec spec;
    spec.name = "limited";
    spec.streams = {"s1"};
    spec.rate_records_per_s = 100;
    spec.rate_bytes_per_s = 5000;
    auto created = store->Create(spec);
    ASSERT_TRUE(created.ok());
    key = *created;
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto p = store->Authenticate(key.full_key);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->rate_records_per_s, 100u);
  EXPECT_EQ(p->rate_bytes_per_s, 5000u);
  auto list = store->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].created_at, key.info.created_at);
  EXPECT_EQ((*list)[0].streams, std::vector<std::string>{"s1"});
}

}  // namespace
}  // namespace gamelake
