// `gamelake generate` against the real server on 127.0.0.1: exactly N records
// acknowledged and stored, the native and the Firehose API, rate-limit
// retries, a rejected key, an unreachable server.
#include <sys/wait.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

CommandResult Generate(const std::string& args) { return RunGamelake("generate " + args); }

std::string Url(const ServerProcess& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }

int64_t LakeCount(const std::string& data_dir, const std::string& stream) {
  auto rows = DuckQuery("SELECT count(*) FROM read_parquet('" + LakeGlob(data_dir, stream) + "')");
  return std::stoll(rows[0][0]);
}

TEST(GenerateEndToEndTest, SendsExactlyNRecordsThatLandInTheLake) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.Logs();
  CommandResult r =
      Generate("--url " + Url(server) +
               " --template builtin:lab --count 5000 --batch 300 --seed 1 --stream lab");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("5,000 accepted, 0 rejected, 0 not sent"), std::string::npos) << r.output;
  // The server's own count.
  HttpClient client(server.port());
  HttpResult metrics = client.Get("/metrics");
  EXPECT_NE(metrics.body.find("gamelake_records_accepted_total 5000\n"), std::string::npos)
      << metrics.body.substr(0, 2000);

  r = Generate(
      "--url " + Url(server) +
      " --template builtin:sessions --count 3000 --connections 2 --seed 2 --stream sessions");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  EXPECT_EQ(LakeCount(data, "lab"), 5000);
  auto columns = DuckQuery("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('" +
                           LakeGlob(data, "lab") + "')) ORDER BY column_name");
  std::vector<std::string> names;
  for (auto& row : columns) names.push_back(row[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"CaughtAt", "CaughtBy", "Losses", "PlayerID",
                                             "Time Played", "Wins", "_ingest_time", "_record_id",
                                             "dt", "hr"}));  // dt, hr: hive partitions.
  EXPECT_EQ(LakeCount(data, "sessions"), 3000);
  // The sessions' ids join: every event's session has its session_start.
  auto orphans = DuckQuery("WITH e AS (SELECT * FROM read_parquet('" + LakeGlob(data, "sessions") +
                           "')) SELECT count(*) FROM e WHERE session_id NOT IN "
                           "(SELECT session_id FROM e WHERE event_type = 'session_start')");
  EXPECT_EQ(orphans[0][0], "0");
}

TEST(GenerateEndToEndTest, KeysFirehoseAndRateLimits) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  ServerProcess server(data, {"--set", "auth.enabled=true"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  auto keys = DevKeys(data);
  ASSERT_FALSE(keys["dev-ingest"].empty());

  CommandResult r = Generate("--url " + Url(server) + " --key " + keys["dev-ingest"] +
                             " --count 1200 --seed 3 --stream native");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1,200 accepted"), std::string::npos) << r.output;

  r = Generate("--url " + Url(server) + " --api firehose --key " + keys["dev-ingest"] +
               " --count 1100 --batch 500 --seed 4 --stream firehose");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1,100 accepted"), std::string::npos) << r.output;

  // A wrong secret: one line, exit 1.
  std::string bad = keys["dev-ingest"];
  bad.back() = bad.back() == 'A' ? 'B' : 'A';
  for (const std::string api : {"native", "firehose"}) {
    r = Generate("--url " + Url(server) + " --api " + api + " --key " + bad + " --count 10");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("rejected the key"), std::string::npos) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
  r = Generate("--url " + Url(server) + " --count 10");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("pass one with --key"), std::string::npos) << r.output;

  // A key limited to 1000 records a second: 429s are waited out, nothing is lost.
  CommandResult created =
      RunCommand(std::string(GAMELAKE_BINARY) + " keys create --data-dir " + data +
                 " --name slow --scope ingest --rate-records 1000 | tail -n 1");
  ASSERT_EQ(created.exit_code, 0);
  while (!created.output.empty() && created.output.back() == '\n') created.output.pop_back();
  // The server reads new keys within a second; until then it answers 401.
  for (int i = 0; i < 50; ++i) {
    r = Generate("--url " + Url(server) + " --key " + created.output + " --count 1 --stream slow");
    if (r.exit_code == 0) break;
    ::usleep(100000);
  }
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Generate("--url " + Url(server) + " --key " + created.output +
               " --count 2500 --batch 250 --stream slow");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2,500 accepted, 0 rejected, 0 not sent"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(" 0 retries"), std::string::npos) << "expected 429s: " << r.output;

  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  EXPECT_EQ(LakeCount(data, "native"), 1200);
  EXPECT_EQ(LakeCount(data, "firehose"), 1100);
  EXPECT_EQ(LakeCount(data, "slow"), 2501);
}

TEST(GenerateEndToEndTest, ServeDemoRunsTheLabTemplateIntoEvents) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  ServerProcess server(data, {"--demo", "--set", "demo.rate=500"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  bool arrived = false;
  for (int i = 0; i < 100 && !arrived; ++i) {
    HttpResult health = client.Get("/v1/health");
    size_t at = health.body.find("\"next_record_id\":");
    arrived = at != std::string::npos && std::atoll(health.body.c_str() + at + 17) > 100;
    if (!arrived) ::usleep(100000);
  }
  ASSERT_TRUE(arrived);
  // The lab's Task 9 runs as the demo application and publishes the lab's
  // six metrics (a bound of 30 s on the polling, not a timing assertion).
  HttpResult app = client.Get("/v1/apps/serverless-analytics-stream");
  EXPECT_EQ(app.status, 200) << app.body;
  EXPECT_NE(app.body.find("\"state\":\"RUNNING\""), std::string::npos) << app.body;
  EXPECT_NE(app.body.find("\"sql\":\"-- ** Continuous Filter **\\nCREATE OR REPLACE STREAM"),
            std::string::npos)
      << app.body;
  HttpResult metrics;
  for (int i = 0; i < 300; ++i) {
    metrics = client.Get("/v1/metrics?namespace=serverless-analytics-demo");
    if (metrics.body.find("\"MetricName\":\"CaughtBy\"") != std::string::npos) break;
    ::usleep(100000);
  }
  for (const char* name : {"playerID", "wins", "losses", "timePlayed", "caughtAt", "CaughtBy"}) {
    EXPECT_NE(metrics.body.find(std::string("\"MetricName\":\"") + name + "\""), std::string::npos)
        << name << ": " << metrics.body;
  }
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  auto rows = DuckQuery(
      "SELECT count(*), min(Wins), max(Wins), min(CaughtAt), max(CaughtAt) FROM read_parquet('" +
      LakeGlob(data, "events") + "')");
  EXPECT_GT(std::stoll(rows[0][0]), 0);
  EXPECT_GE(std::stoll(rows[0][1]), 0);
  EXPECT_LE(std::stoll(rows[0][2]), 5);
  EXPECT_GE(std::stoll(rows[0][3]), 1);
  EXPECT_LE(std::stoll(rows[0][4]), 6);
}

TEST(GenerateEndToEndTest, UnreachableServerAndBadInput) {
  // A port nothing listens on: bind one, then close it.
  uint16_t port;
  {
    TempDir dir;
    ServerProcess server(dir.path() + "/data");
    ASSERT_TRUE(server.Start());
    port = server.port();
    ASSERT_EQ(server.Stop(), 0);
  }
  CommandResult r = Generate("--url http://127.0.0.1:" + std::to_string(port) + " --count 10");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "gamelake generate: cannot connect to http://127.0.0.1:" +
                          std::to_string(port) + ": Connection refused\n");

  r = Generate("--output - --count 1 --template-text '{\"a\": {{random.number(5}}}'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output,
            "gamelake generate: template line 1, column 24: expected ',' or ')' after an "
            "argument, found '}'\n");
  r = Generate("--output - --count 1 --template /nonexistent.tmpl");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("/nonexistent.tmpl"), std::string::npos) << r.output;
  r = Generate("--output - --count 1 --rate fast");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--rate \"fast\""), std::string::npos) << r.output;
  r = Generate("--url ftp://example.com --count 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("http://HOST:PORT or https://HOST:PORT"), std::string::npos) << r.output;
  r = Generate("--url https://127.0.0.1:1 --ca-file /nonexistent.pem --count 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("--ca-file /nonexistent.pem: no such file"), std::string::npos)
      << r.output;
  r = Generate("--count 2 --seed 9 --output - --quiet");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, Generate("--count 2 --seed 9 --output - --quiet").output);
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 2) << r.output;
}

}  // namespace
}  // namespace gamelake::testing
