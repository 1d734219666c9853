// Runs the built `gamelake keys ...` binary against a temporary data dir.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/key_store.h"
#include "auth_test_util.h"

namespace gamelake {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr.
};

CliRun Gamelake(const std::string& args) {
  CliRun run;
  std::string cmd = std::string(GAMELAKE_BINARY) + " " + args + " 2>&1";
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

CliRun GamelakeStdout(const std::string& args) { return Gamelake(args + " 2>/dev/null"); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class KeysCliTest : public ::testing::Test {
 protected:
  std::string data() const { return tmp_.path() + "/data"; }
  TempDir tmp_;
};

TEST_F(KeysCliTest, CreateListRevoke) {
  CliRun created = GamelakeStdout(
      "keys create --name mobile --scope ingest --streams events,clicks "
      "--rate-records 50 --data-dir " +
      data());
  ASSERT_EQ(created.exit_code, 0) << created.out;
  std::vector<std::string> lines = Lines(created.out);
  ASSERT_GE(lines.size(), 2u);
  const std::string key = lines.back();
  ASSERT_EQ(key.size(), 61u) << created.out;

  auto store = KeyStore::Open(Env::Default(), data() + "/keys");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto p = (*store)->Authenticate(key);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "mobile");
  EXPECT_EQ(p->scope, Scope::kIngest);
  EXPECT_EQ(p->streams, (std::vector<std::string>{"events", "clicks"}));
  EXPECT_EQ(p->rate_records_per_s, 50u);
  const std::string id = key.substr(0, 20);

  CliRun admin = GamelakeStdout("keys create --name ops --scope admin --data-dir " + data());
  ASSERT_EQ(admin.exit_code, 0) << admin.out;
  const std::string admin_key = Lines(admin.out).back();

  CliRun list = Gamelake("keys list --data-dir " + data());
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_NE(list.out.find(id), std::string::npos);
  EXPECT_NE(list.out.find("mobile"), std::string::npos);
  EXPECT_NE(list.out.find("events,clicks"), std::string::npos);
  EXPECT_NE(list.out.find("ops"), std::string::npos);
  EXPECT_NE(list.out.find("admin"), std::string::npos);
  EXPECT_EQ(list.out.find(key.substr(21)), std::string::npos) << "list shows a secret";
  EXPECT_EQ(list.out.find(admin_key.substr(21)), std::string::npos) << "list shows a secret";
  EXPECT_EQ(Lines(list.out).size(), 3u) << list.out;

  CliRun revoke = Gamelake("keys revoke " + id + " --data-dir " + data());
  ASSERT_EQ(revoke.exit_code, 0) << revoke.out;
  EXPECT_NE(revoke.out.find("Revoked key " + id), std::string::npos) << revoke.out;
  ASSERT_TRUE((*store)->ReloadIfChanged().ok());
  auto refused = (*store)->Authenticate(key);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("revoked"), std::string::npos);
  EXPECT_TRUE((*store)->Authenticate(admin_key).ok());

  list = Gamelake("keys list --data-dir " + data());
  ASSERT_EQ(list.exit_code, 0);
  std::vector<std::string> rows = Lines(list.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].substr(0, 20), id);
  EXPECT_EQ(rows[1].find(" -"), std::string::npos) << rows[1];  // Has a revoked time.
}

TEST_F(KeysCliTest, BadArgumentsFailWithAClearMessage) {
  struct Case {
    std::string args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"keys create --name x --scope root --data-dir " + data(), "scope"},
      {"keys create --scope ingest --data-dir " + data(), "--name"},
      {"keys create --name x --scope admin --streams a --data-dir " + data(), "admin"},
      {"keys create --name x --scope ingest --streams a,,b --data-dir " + data(), "--streams"},
      {"keys create --name x --scope ingest --streams 'bad name' --data-dir " + data(), "bad name"},
      {"keys create --name x --scope ingest --rate-records -5 --data-dir " + data(),
       "--rate-records"},
      {"keys create --name x --scope ingest --rate-bytes 12x --data-dir " + data(), "--rate-bytes"},
      {"keys list --data-dir " + tmp_.path() + "/nowhere", "no key store"},
      {"keys revoke GLKAAAAAAAAAAAAAAAAA --data-dir " + tmp_.path() + "/nowhere", "no key store"},
      {"keys revoke", "id"},
      {"keys", "subcommand"},
  };
  for (const Case& c : cases) {
    CliRun run = Gamelake(c.args);
    EXPECT_NE(run.exit_code, 0) << c.args << "\n" << run.out;
    EXPECT_NE(run.out.find(c.expect), std::string::npos) << c.args << "\n" << run.out;
    EXPECT_LE(Lines(run.out).size(), 2u) << c.args << "\n" << run.out;
  }
  // Nothing was created by the failed commands, and the mistyped dir stays absent.
  EXPECT_FALSE(Env::Default()->FileExists(tmp_.path() + "/nowhere"));
  CliRun list = Gamelake("keys list --data-dir " + data());
  EXPECT_NE(list.out.find(list.exit_code == 0 ? "No keys" : "no key store"), std::string::npos)
      << list.out;

  CliRun create = Gamelake("keys create --name x --scope ingest --data-dir " + data());
  ASSERT_EQ(create.exit_code, 0);
  CliRun unknown = Gamelake("keys revoke GLKAAAAAAAAAAAAAAAAA --data-dir " + data());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.out.find("unknown key id GLKAAAAAAAAAAAAAAAAA"), std::string::npos);
  CliRun malformed = Gamelake("keys revoke not-a-key --data-dir " + data());
  EXPECT_NE(malformed.exit_code, 0);
  EXPECT_NE(malformed.out.find("malformed key id"), std::string::npos) << malformed.out;
}

TEST_F(KeysCliTest, MalformedKeysJsonIsReportedNotIgnored) {
  ASSERT_EQ(Gamelake("keys create --name x --scope ingest --data-dir " + data()).exit_code, 0);
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(data() + "/keys/keys.json", "{oops").ok());
  CliRun list = Gamelake("keys list --data-dir " + data());
  EXPECT_NE(list.exit_code, 0);
  EXPECT_NE(list.out.find("keys.json: not valid JSON"), std::string::npos) << list.out;
  CliRun create = Gamelake("keys create --name y --scope ingest --data-dir " + data());
  EXPECT_NE(create.exit_code, 0);
  auto text = Env::Default()->ReadFile(data() + "/keys/keys.json");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "{oops");
}

}  // namespace
}  // namespace gamelake
