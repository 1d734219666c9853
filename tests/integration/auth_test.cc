// API keys end to end: the auth matrix over every endpoint, keys made by the
// CLI honoured by a running server, and the Firehose API driven by the real
// AWS SDK for JavaScript with a gamelake key as its credentials.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

std::string Field(const std::string& json, const std::string& name) {
  size_t at = json.find("\"" + name + "\":\"");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return json.substr(at, json.find('"', at) - at);
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.path() + "/data";
    server_ = std::make_unique<ServerProcess>(
        data_, std::vector<std::string>{"--set", "auth.enabled=true"});
    ASSERT_TRUE(server_->Start()) << server_->Logs();
    auto dev = DevKeys(data_);
    admin_ = dev["dev-admin"];
    ASSERT_FALSE(admin_.empty()) << "no dev admin key in dev-keys.txt";
    ASSERT_FALSE(dev["dev-ingest"].empty());
  }

  HttpResult Call(const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body = "") {
    std::map<std::string, std::string> h = {{"Content-Type", "application/json"}};
    if (!key.empty()) h["Authorization"] = "Bearer " + key;
    return HttpClient(server_->port()).Request(method, target, body, h);
  }

  std::string CreateKey(const std::string& spec) {
    HttpResult r = Call("POST", "/v1/keys", admin_, spec);
    EXPECT_EQ(r.status, 201) << r.body;
    return Field(r.body, "key");
  }

  TempDir dir_;
  std::string data_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_;
};

TEST_F(AuthTest, EveryEndpointAgainstEveryKind) {
  std::string ingest_a = CreateKey(R"({"name":"a","scope":"ingest","streams":["a"]})");
  std::string ingest_b = CreateKey(R"({"name":"b","scope":"ingest","streams":["b"]})");
  std::string revoked = CreateKey(R"({"name":"gone","scope":"admin"})");
  std::string revoked_id = revoked.substr(0, revoked.find('.'));
  ASSERT_EQ(Call("DELETE", "/v1/keys/" + revoked_id, admin_).status, 200);
  std::string victim = CreateKey(R"({"name":"victim","scope":"ingest"})");
  std::string victim_id = victim.substr(0, victim.find('.'));

  struct Endpoint {
    std::string method, target, body;
  };
  std::vector<Endpoint> endpoints = {
      {"POST", "/v1/streams/a/records", "{\"x\":1}"},
      {"POST", "/v1/events", "{\"x\":1}"},
      {"GET", "/metrics", ""},
      {"GET", "/v1/keys", ""},
      {"POST", "/v1/keys", "{\"name\":\"n\",\"scope\":\"ingest\"}"},
      {"DELETE", "/v1/keys/GLKAAAAAAAAAAAAAAAAA", ""},
      {"GET", "/v1/health", ""},
  };
  // Expected status per endpoint for: none, ingest(a), ingest(b), admin, revoked, garbage.
  std::vector<std::vector<int>> expected = {
      {401, 200, 403, 200, 401, 401}, {401, 403, 403, 200, 401, 401},
      {401, 403, 403, 200, 401, 401}, {401, 403, 403, 200, 401, 401},
      {401, 403, 403, 201, 401, 401}, {401, 403, 403, 404, 401, 401},
      {200, 200, 200, 200, 200, 200},
  };
  std::vector<std::string> keys = {"", ingest_a, ingest_b, admin_, revoked, "GLK.garbage"};
  std::vector<std::string> names = {"none",  "ingest(a)", "ingest(b)",
                                    "admin", "revoked",   "garbage"};
  for (size_t e = 0; e < endpoints.size(); ++e) {
    for (size_t k = 0; k < keys.size(); ++k) {
      HttpResult r = Call(endpoints[e].method, endpoints[e].target, keys[k], endpoints[e].body);
      EXPECT_EQ(r.status, expected[e][k]) << endpoints[e].method << " " << endpoints[e].target
                                          << " with " << names[k] << ": " << r.body;
      if (r.status == 401 || r.status == 403) {
        EXPECT_NE(r.body.find(r.status == 401 ? "unauthenticated" : "forbidden"), std::string::npos)
            << r.body;
      }
    }
  }
  // X-Api-Key works as well as Bearer; revoking through the API takes effect.
  HttpClient c(server_->port());
  EXPECT_EQ(c.Request("POST", "/v1/streams/v/records", "{\"x\":1}",
                      {{"Content-Type", "application/json"}, {"X-Api-Key", victim}})
                .status,
            200);
  ASSERT_EQ(Call("DELETE", "/v1/keys/" + victim_id, admin_).status, 200);
  EXPECT_EQ(Call("POST", "/v1/streams/v/records", victim, "{\"x\":1}").status, 401);
}

TEST_F(AuthTest, CliKeysAreHonouredByTheRunningServer) {
  std::string out = RunCommand(std::string(GAMELAKE_BINARY) + " keys create --data-dir " + data_ +
                               " --name cli --scope ingest --streams cli 2>/dev/null")
                        .output;
  std::string key = out.substr(0, out.find_last_not_of("\n") + 1);
  key = key.substr(key.rfind('\n') + 1);
  ASSERT_NE(key.find('.'), std::string::npos) << out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = Call("POST", "/v1/streams/cli/records", key, "{\"x\":1}").status;
    if (status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);
  std::string id = key.substr(0, key.find('.'));
  RunCommand(std::string(GAMELAKE_BINARY) + " keys revoke --data-dir " + data_ + " " + id);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    status = Call("POST", "/v1/streams/cli/records", key, "{\"x\":1}").status;
    if (status == 401) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 401);
}

TEST_F(AuthTest, MetricsReadKeysReadMetricsAndNothingElse) {
  std::string reader = CreateKey(R"({"name":"producer","scope":"metrics:read"})");
  std::string ingest = CreateKey(R"({"name":"game","scope":"ingest","streams":["a"]})");
  HttpResult with_streams =
      Call("POST", "/v1/keys", admin_, R"({"name":"x","scope":"metrics:read","streams":["a"]})");
  EXPECT_EQ(with_streams.status, 400) << with_streams.body;
  const std::string put = R"({"Namespace":"game","MetricData":[{"MetricName":"wins","Value":1}]})";
  const std::string query =
      R"({"Namespace":"game","MetricName":"wins","StartTime":0,"EndTime":1,"Period":60,)"
      R"("Statistics":["Sum"]})";
  struct Case {
    std::string method, target, key, body;
    int status;
  };
  const std::vector<Case> cases = {
      {"POST", "/v1/metrics", ingest, put, 200},  // Any ingest key may put metrics.
      {"POST", "/v1/metrics", reader, put, 403},
      {"GET", "/v1/metrics", reader, "", 200},
      {"GET", "/v1/metrics", ingest, "", 403},
      {"POST", "/v1/metrics/statistics", reader, query, 200},
      {"GET", "/v1/dashboards", reader, "", 200},
      {"PUT", "/v1/dashboards/d", reader, R"({"widgets":[]})", 403},
      {"PUT", "/v1/dashboards/d", admin_, R"({"widgets":[]})", 200},
      {"GET", "/v1/dashboards/d", reader, "", 200},
      {"GET", "/v1/alarms", reader, "", 200},
      {"PUT", "/v1/alarms/a", reader, "{}", 403},
      {"POST", "/v1/streams/a/records", reader, "{\"x\":1}", 403},
      {"POST", "/v1/query", reader, R"({"sql":"SELECT 1"})", 403},
      {"GET", "/v1/keys", reader, "", 403},
  };
  for (const Case& c : cases) {
    HttpResult r = Call(c.method, c.target, c.key, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << ": " << r.body;
  }
}

TEST_F(AuthTest, RateLimitAnswers429WithRetryAfter) {
  std::string slow = CreateKey(R"({"name":"slow","scope":"ingest","rate_records_per_s":5})");
  int ok = 0, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 20; ++i) {
    HttpResult r = HttpClient(server_->port())
                       .Request("POST", "/v1/streams/rl/records", "{\"x\":1}\n{\"x\":2}\n",
                                {{"Content-Type", "application/x-ndjson"},
                                 {"Authorization", "Bearer " + slow}});
    if (r.status == 200) ++ok;
    if (r.status == 429) {
      ++limited;
      retry_after = r.headers["retry-after"];
      EXPECT_NE(r.body.find("rate_limited"), std::string::npos) << r.body;
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(limited, 0);
  EXPECT_FALSE(retry_after.empty());
}

TEST_F(AuthTest, FirehoseApiWithTheRealAwsSdk) {
  std::string script = std::string(GAMELAKE_SOURCE_DIR) + "/tests/firehose_sdk/firehose_sdk.js";
  if (RunCommand("command -v node").output.empty()) GTEST_SKIP() << "node is not installed";
  std::string key = CreateKey(R"({"name":"sdk","scope":"ingest","streams":["sdk"]})");
  std::string id = key.substr(0, key.find('.')), secret = key.substr(key.find('.') + 1);
  std::string endpoint = "http://127.0.0.1:" + std::to_string(server_->port());
  std::string out = RunCommand("node " + script + " send " + endpoint + " " + id + " " + secret +
                               " sdk 1200 2>&1")
                        .output;
  EXPECT_NE(out.find("\"failed\":0"), std::string::npos) << out;
  std::string wrong = RunCommand("node " + script + " wrong-secret " + endpoint + " " + id + " " +
                                 "WRONGSECRETWRONGSECRETWRONGSECRETWRONGSE sdk 2>&1")
                          .output;
  EXPECT_NE(wrong.find("InvalidSignatureException"), std::string::npos) << wrong;
  // A key for another stream is refused for this one.
  std::string other = CreateKey(R"({"name":"other","scope":"ingest","streams":["elsewhere"]})");
  std::string denied =
      RunCommand("node " + script + " send " + endpoint + " " + other.substr(0, other.find('.')) +
                 " " + other.substr(other.find('.') + 1) + " sdk 1 2>&1")
          .output;
  EXPECT_EQ(denied.find("\"failed\":0"), std::string::npos) << denied;
  ASSERT_EQ(server_->Stop(), 0) << server_->Logs();
  auto rows = DuckQuery("SELECT count(*), count(DISTINCT _record_id) FROM read_parquet('" +
                        LakeGlob(data_, "sdk") + "', union_by_name=true)");
  EXPECT_EQ(rows[0][0], "1201");  // 1,200 by PutRecordBatch and 1 by PutRecord.
  EXPECT_EQ(rows[0][1], "1201");
}

}  // namespace
}  // namespace gamelake::testing
