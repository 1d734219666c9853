#include "auth/dev_keys.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "auth/private_files.h"
#include "auth_test_util.h"

namespace gamelake {
namespace {

// Runs EnsureDevKeys and returns what it printed.
std::string RunDevKeys(KeyStore* store, const std::string& data_dir, bool always_print,
                       Status* status) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* out = open_memstream(&buf, &len);
  *status = EnsureDevKeys(store, data_dir, always_print, out);
  std::fclose(out);
  std::string text(buf, len);
  free(buf);
  return text;
}

// The full keys ("GLK...") found in text.
std::vector<std::string> KeysIn(const std::string& text) {
  std::vector<std::string> keys;
  for (size_t pos = text.find("GLK"); pos != std::string::npos; pos = text.find("GLK", pos + 1)) {
    if (pos + 61 <= text.size() && text[pos + 20] == '.') keys.push_back(text.substr(pos, 61));
  }
  return keys;
}

TEST(DevKeysTest, CreatedOnceOnAnEmptyStoreThenOnlyThePathIsPrinted) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  auto store = KeyStore::Open(Env::Default(), data + "/keys");
  ASSERT_TRUE(store.ok());
  Status s;
  std::string first = RunDevKeys(store->get(), data, false, &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> printed = KeysIn(first);
  ASSERT_EQ(printed.size(), 2u) << first;
  EXPECT_NE(first.find("Authorization: Bearer"), std::string::npos);

  auto admin = (*store)->Authenticate(printed[0]);
  auto ingest = (*store)->Authenticate(printed[1]);
  ASSERT_TRUE(admin.ok() && ingest.ok());
  EXPECT_EQ(admin->name, "dev-admin");
  EXPECT_TRUE(admin->IsAdmin());
  EXPECT_EQ(ingest->name, "dev-ingest");
  EXPECT_EQ(ingest->scope, Scope::kIngest);
  EXPECT_TRUE(ingest->streams.empty());

  const std::string file = data + "/dev-keys.txt";
  auto mode = FileMode(file);
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, 0600u);
  auto text = Env::Default()->ReadFile(file);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(KeysIn(*text), printed);

  // Idempotent: a second start creates nothing and prints no key.
  std::string second = RunDevKeys(store->get(), data, false, &s);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(KeysIn(second).empty()) << second;
  EXPECT_NE(second.find(file), std::string::npos);
  auto list = (*store)->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);

  // --demo prints the same keys again, still creating nothing.
  std::string demo = RunDevKeys(store->get(), data, true, &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(KeysIn(demo), printed);
  list = (*store)->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
}

TEST(DevKeysTest, StoreWithOtherKeysGetsNoneUnlessDemo) {
  TempDir tmp;
  const std::string data = tmp.path() + "/data";
  auto store = KeyStore::Open(Env::Default(), data + "/keys");
  ASSERT_TRUE(store.ok());
  KeySpec spec;
  spec.name = "prod";
  ASSERT_TRUE((*store)->Create(spec).ok());
  Status s;
  std::string out = RunDevKeys(store->get(), data, false, &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(out, "");
  EXPECT_FALSE(Env::Default()->FileExists(data + "/dev-keys.txt"));

  out = RunDevKeys(store->get(), data, true, &s);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(KeysIn(out).size(), 2u);
  EXPECT_TRUE(Env::Default()->FileExists(data + "/dev-keys.txt"));
  auto list = (*store)->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u);
  RunDevKeys(store->get(), data, true, &s);
  list = (*store)->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u);
}

}  // namespace
}  // namespace gamelake
