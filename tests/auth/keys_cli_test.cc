// Runs the built `gamelake keys ...` binary against a temporary data dir.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "auth/key_store.h"
#include "auth_test_util.h"

namespace gamelake {
namespace {

// Only its stdout.
CommandResult GamelakeStdout(const std::string& args) {
  return RunCommand(std::string(GAMELAKE_BINARY) + " " + args + " 2>/dev/null");
}

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
  CommandResult created = GamelakeStdout(
      "keys create --name mobile --scope ingest --streams events,clicks "
      "--rate-records 50 --data-dir " +
      data());
  ASSERT_EQ(created.exit_code, 0) << created.output;
  std::vector<std::string> lines = Lines(created.output);
  ASSERT_GE(lines.size(), 2u);
  const std::string key = lines.back();
  ASSERT_EQ(key.size(), 61u) << created.output;

  auto store = KeyStore::Open(Env::Default(), data() + "/keys");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto p = (*store)->Authenticate(key);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "mobile");
  EXPECT_EQ(p->scope, Scope::kIngest);
  EXPECT_EQ(p->streams, (std::vector<std::string>{"events", "clicks"}));
  EXPECT_EQ(p->rate_records_per_s, 50u);
  const std::string id = key.substr(0, 20);

  CommandResult admin = GamelakeStdout("keys create --name ops --scope admin --data-dir " + data());
  ASSERT_EQ(admin.exit_code, 0) << admin.output;
  const std::string admin_key = Lines(admin.output).back();

  CommandResult list = RunGamelake("keys list --data-dir " + data());
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find(id), std::string::npos);
  EXPECT_NE(list.output.find("mobile"), std::string::npos);
  EXPECT_NE(list.output.find("events,clicks"), std::string::npos);
  EXPECT_NE(list.output.find("ops"), std::string::npos);
  EXPECT_NE(list.output.find("admin"), std::string::npos);
  EXPECT_EQ(list.output.find(key.substr(21)), std::string::npos) << "list shows a secret";
  EXPECT_EQ(list.output.find(admin_key.substr(21)), std::string::npos) << "list shows a secret";
  EXPECT_EQ(Lines(list.output).size(), 3u) << list.output;

  CommandResult revoke = RunGamelake("keys revoke " + id + " --data-dir " + data());
  ASSERT_EQ(revoke.exit_code, 0) << revoke.output;
  EXPECT_NE(revoke.output.find("Revoked key " + id), std::string::npos) << revoke.output;
  ASSERT_TRUE((*store)->ReloadIfChanged().ok());
  auto refused = (*store)->Authenticate(key);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("revoked"), std::string::npos);
  EXPECT_TRUE((*store)->Authenticate(admin_key).ok());

  list = RunGamelake("keys list --data-dir " + data());
  ASSERT_EQ(list.exit_code, 0);
  std::vector<std::string> rows = Lines(list.output);
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
    CommandResult run = RunGamelake(c.args);
    EXPECT_NE(run.exit_code, 0) << c.args << "\n" << run.output;
    EXPECT_NE(run.output.find(c.expect), std::string::npos) << c.args << "\n" << run.output;
    EXPECT_LE(Lines(run.output).size(), 2u) << c.args << "\n" << run.output;
  }
  // Nothing was created by the failed commands, and the mistyped dir stays absent.
  EXPECT_FALSE(Env::Default()->FileExists(tmp_.path() + "/nowhere"));
  CommandResult list = RunGamelake("keys list --data-dir " + data());
  EXPECT_NE(list.output.find(list.exit_code == 0 ? "No keys" : "no key store"), std::string::npos)
      << list.output;

  CommandResult create = RunGamelake("keys create --name x --scope ingest --data-dir " + data());
  ASSERT_EQ(create.exit_code, 0);
  CommandResult unknown = RunGamelake("keys revoke GLKAAAAAAAAAAAAAAAAA --data-dir " + data());
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("unknown key id GLKAAAAAAAAAAAAAAAAA"), std::string::npos);
  CommandResult malformed = RunGamelake("keys revoke not-a-key --data-dir " + data());
  EXPECT_NE(malformed.exit_code, 0);
  EXPECT_NE(malformed.output.find("malformed key id"), std::string::npos) << malformed.output;
}

TEST_F(KeysCliTest, MalformedKeysJsonIsReportedNotIgnored) {
  ASSERT_EQ(RunGamelake("keys create --name x --scope ingest --data-dir " + data()).exit_code, 0);
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(data() + "/keys/keys.json", "{oops").ok());
  CommandResult list = RunGamelake("keys list --data-dir " + data());
  EXPECT_NE(list.exit_code, 0);
  EXPECT_NE(list.output.find("keys.json: not valid JSON"), std::string::npos) << list.output;
  CommandResult create = RunGamelake("keys create --name y --scope ingest --data-dir " + data());
  EXPECT_NE(create.exit_code, 0);
  auto text = Env::Default()->ReadFile(data() + "/keys/keys.json");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "{oops");
}

}  // namespace
}  // namespace gamelake
