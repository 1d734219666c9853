// The web console served by the real server: its files (as built, gzipped,
// cached by ETag, nothing outside them reachable), and the demo sign-in that
// hands the dev admin key to a browser only under --demo on loopback. The
// console itself is tested in a browser by web/tests (scripts/test.sh).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "../common/status_matchers.h"
#include "auth/dev_keys.h"
#include "common/env.h"
#include "server/console_api.h"
#include "server_process.h"

namespace gamelake {
namespace {

using ::gamelake::testing::HttpClient;
using ::gamelake::testing::HttpResult;
using ::gamelake::testing::ServerProcess;
using ::gamelake::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kIndex =
    "<!doctype html><title>gamelake console</title><script src=\"./assets/app-1a2b.js\">"
    "</script>\n";
// Long and repetitive, so gzip makes it smaller.
const std::string kScript = [] {
  std::string s;
  for (int i = 0; i < 200; ++i)
    s += "console.log('gamelake console line " + std::to_string(i) + "');\n";
  return s;
}();

void WriteFile(const std::string& path, const std::string& text) {
  ASSERT_TRUE(Env::Default()->CreateDirs(path.substr(0, path.rfind('/'))).ok());
  std::ofstream(path, std::ios::binary) << text;
}

// A built console: index.html, a hashed asset, a public file in a subfolder.
std::string MakeConsole(const TempDir& dir) {
  std::string root = dir.path() + "/dist";
  WriteFile(root + "/index.html", kIndex);
  WriteFile(root + "/assets/app-1a2b.js", kScript);
  WriteFile(root + "/favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  WriteFile(root + "/analyses/lab.json", "{\"format\":1,\"name\":\"lab\"}");
  return root;
}

TEST(ConsoleTest, ServesTheBuiltFilesWithCachingAndGzip) {
  TempDir data, files;
  ServerProcess server(data.path(), {"--set", "console.dir=" + MakeConsole(files)});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());

  HttpResult index = client.Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, kIndex);
  EXPECT_THAT(index.headers["content-type"], HasSubstr("text/html"));
  EXPECT_THAT(index.headers["content-security-policy"], HasSubstr("default-src 'self'"));
  EXPECT_EQ(index.headers["cache-control"], "no-cache");
  EXPECT_EQ(client.Get("/index.html").body, kIndex);

  HttpResult script = client.Get("/assets/app-1a2b.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, kScript);
  EXPECT_THAT(script.headers["content-type"], HasSubstr("text/javascript"));
  EXPECT_THAT(script.headers["cache-control"], HasSubstr("immutable"));
  EXPECT_EQ(script.headers.count("content-encoding"), 0u);

  HttpResult gz = client.Request("GET", "/assets/app-1a2b.js", "", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.headers["content-encoding"], "gzip");
  EXPECT_LT(gz.body.size(), kScript.size());
  EXPECT_EQ(testing::Gzip(kScript).substr(0, 2), gz.body.substr(0, 2));  // The gzip magic.

  HttpResult again =
      client.Request("GET", "/assets/app-1a2b.js", "", {{"If-None-Match", script.headers["etag"]}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  EXPECT_EQ(client.Get("/analyses/lab.json").body, "{\"format\":1,\"name\":\"lab\"}");
  EXPECT_THAT(client.Get("/favicon.svg").headers["content-type"], HasSubstr("image/svg+xml"));
}

TEST(ConsoleTest, NothingOutsideTheBuiltFilesIsReachable) {
  TempDir data, files;
  std::string root = MakeConsole(files);
  WriteFile(files.path() + "/secret.txt", "not for the web");
  ServerProcess server(data.path(), {"--set", "console.dir=" + root});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  for (const char* target : {"/../secret.txt", "/assets/../../secret.txt", "/assets/missing.js",
                             "/%2e%2e/secret.txt", "/dev-keys.txt", "/assets/"}) {
    HttpResult r = client.Get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_THAT(r.body, Not(HasSubstr("not for the web"))) << target;
  }
  // Only GET and HEAD reach the files; a POST to / that is no AWS call is no route.
  EXPECT_EQ(client.Post("/", "{}").status, 404);
  HttpResult head = client.Request("HEAD", "/");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(ConsoleTest, DemoOnLoopbackHandsTheDevAdminKeyToTheConsole) {
  TempDir data, files;
  ServerProcess server(data.path(), {"--demo", "--set", "auth.enabled=true", "--set",
                                     "console.dir=" + MakeConsole(files)});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult session = client.Get("/v1/console/session");
  ASSERT_EQ(session.status, 200) << session.body;
  Result<std::string> dev_key = ReadDevAdminKey(Env::Default(), data.path());
  GL_ASSERT_OK(dev_key.status());
  const std::string key = *dev_key;
  EXPECT_EQ(session.body, "{\"demo\":true,\"key\":\"" + key + "\"}\n");
  EXPECT_EQ(session.headers["cache-control"], "no-store");
  // A page from another domain that resolves to 127.0.0.1 (DNS rebinding) gets no key.
  HttpResult rebound =
      client.Request("GET", "/v1/console/session", "", {{"Host", "evil.example:8080"}});
  EXPECT_EQ(rebound.body, "{\"demo\":false}\n");
  EXPECT_EQ(client.Request("GET", "/v1/console/session", "", {{"Host", "localhost:1234"}}).body,
            session.body);
  // The key is the admin key: it lists keys.
  EXPECT_EQ(client.Request("GET", "/v1/keys", "", {{"Authorization", "Bearer " + key}}).status,
            200);
  // The demo installed the lab's Athena view.
  EXPECT_THAT(
      client.Request("GET", "/v1/catalog/views", "", {{"Authorization", "Bearer " + key}}).body,
      HasSubstr("data-view"));
}

TEST(ConsoleTest, WithoutDemoTheConsoleAsksForAKey) {
  TempDir data, files;
  ServerProcess server(data.path(), {"--set", "console.dir=" + MakeConsole(files)});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult session = client.Get("/v1/console/session");
  EXPECT_EQ(session.status, 200);
  EXPECT_EQ(session.body, "{\"demo\":false}\n");
}

TEST(ConsoleTest, AConsoleDirWithoutIndexIsRefusedAtStart) {
  TempDir data, files;
  WriteFile(files.path() + "/other.js", "x");
  ServerProcess server(data.path(), {"--set", "console.dir=" + files.path()});
  EXPECT_FALSE(server.Start());
  EXPECT_THAT(server.Logs(), HasSubstr("index.html"));
}

TEST(ConsoleTest, NoBuiltConsoleExplainsHowToBuildIt) {
  TempDir data;
  ServerProcess server(data.path(), {"--set", "console.dir=" + data.path() + "/missing"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult r = client.Get("/");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(r.body, HasSubstr("scripts/build.sh"));
}

TEST(ConsoleTest, LoopbackHosts) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("1270.0.0.1"));
}

}  // namespace
}  // namespace gamelake
