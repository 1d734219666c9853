// /v1/health and /v1/ready against real faults — a lake path delivery cannot
// write, a disk under the guard, a full live tail, a streaming application
// stopped on an error — each reached and left
// again; and the front door's refusals: 413/431 kept in _errors, 408 for a
// slow client, and what the CLI says about a data dir it cannot use.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "../common/eventually.h"
#include "../common/run_command.h"
#include "common/env.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

std::string Records(int n, const std::string& tag) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    body += "{\"event_id\":\"" + tag + std::to_string(i) + "\",\"n\":" + std::to_string(i) +
            ",\"pad\":\"" + std::string(200, 'x') + "\"}\n";
  }
  return body;
}

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST(HealthTest, UndeliverableLakeIsDegradedUntilDeliveryRecovers) {
  TempDir tmp;
  ServerProcess server(tmp.path(), {"--set", "delivery.buffer_interval_s=1"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult ok = client.Get("/v1/health");
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(Has(ok.body, "\"status\":\"ok\"")) << ok.body;
  EXPECT_EQ(client.Get("/v1/ready").status, 200);

  // A file where the stream's lake folder must go: every delivery fails.
  Env* env = Env::Default();
  ASSERT_TRUE(env->CreateDirs(tmp.path() + "/lake").ok());
  ASSERT_TRUE(env->WriteFileAtomic(tmp.path() + "/lake/stuck", "in the way").ok());
  ASSERT_EQ(
      client.Post("/v1/streams/stuck/records", Records(100, "s"), "application/x-ndjson").status,
      200);
  HttpResult degraded;
  EXPECT_TRUE(Eventually([&] {
    degraded = client.Get("/v1/health");
    return Has(degraded.body, "\"status\":\"degraded\"");
  })) << degraded.body;
  EXPECT_EQ(degraded.status, 200);  // Still serving, nothing lost.
  EXPECT_TRUE(Has(degraded.body, "\"check\":\"delivery\"")) << degraded.body;
  EXPECT_TRUE(Has(degraded.body, "\"since\":\"")) << degraded.body;
  EXPECT_EQ(client.Get("/v1/ready").status, 200);
  HttpResult metrics = client.Get("/metrics");
  EXPECT_TRUE(Has(metrics.body, "gamelake_health_state 1")) << metrics.body;
  EXPECT_TRUE(Has(metrics.body, "gamelake_health_state_check{check=\"delivery\"} 1"));

  ASSERT_TRUE(env->RemoveFile(tmp.path() + "/lake/stuck").ok());
  EXPECT_TRUE(Eventually([&] { return Has(client.Get("/v1/health").body, "\"status\":\"ok\""); }));
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  auto rows = DuckQuery("SELECT count(*) FROM read_parquet('" + LakeGlob(tmp.path(), "stuck") +
                        "', union_by_name=true)");
  EXPECT_EQ(rows[0][0], "100");
}

TEST(HealthTest, ADiskUnderTheGuardIsFailingAndNotReady) {
  TempDir tmp;
  Result<uint64_t> free_bytes = Env::Default()->FreeDiskBytes(tmp.path());
  ASSERT_TRUE(free_bytes.ok());
  constexpr uint64_t kGiB = 1ull << 30;
  if (*free_bytes < 5 * kGiB) GTEST_SKIP() << "needs 5 GiB free to move around the guard";
  // The guard 1.5 GiB under what is free now; a 2 GiB file crosses it.
  uint64_t guard = *free_bytes - 3 * kGiB / 2;
  ServerProcess server(tmp.path() + "/data",
                       {"--set", "log.min_free_disk_bytes=" + std::to_string(guard)});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  EXPECT_TRUE(Eventually([&] { return client.Get("/v1/health").status == 200; }));

  std::string filler = tmp.path() + "/filler";
  int fd = ::open(filler.c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::posix_fallocate(fd, 0, static_cast<off_t>(2 * kGiB)), 0);
  ::close(fd);
  HttpResult failing;
  EXPECT_TRUE(Eventually([&] {
    failing = client.Get("/v1/health");
    return failing.status == 503;
  })) << failing.body;
  EXPECT_TRUE(Has(failing.body, "\"status\":\"failing\"")) << failing.body;
  EXPECT_TRUE(Has(failing.body, "\"check\":\"disk\"")) << failing.body;
  HttpResult ready = client.Get("/v1/ready");
  EXPECT_EQ(ready.status, 503);
  EXPECT_TRUE(Has(ready.body, "\"ready\":false")) << ready.body;
  EXPECT_EQ(client.Post("/v1/streams/s/records", Records(1, "d"), "application/x-ndjson").status,
            503);

  ASSERT_TRUE(Env::Default()->RemoveFile(filler).ok());
  EXPECT_TRUE(Eventually([&] {
    return client.Get("/v1/ready").status == 200 && client.Get("/v1/health").status == 200;
  }));
}

TEST(HealthTest, AFullLiveTailIsDegradedUntilDelivered) {
  TempDir tmp;
  ServerProcess server(
      tmp.path(), {"--set", "sql.tail_max_bytes=65536", "--set", "delivery.buffer_interval_s=3"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  ASSERT_EQ(client.Post("/v1/streams/t/records", Records(500, "t"), "application/x-ndjson").status,
            200);
  // The tail takes the records in just after they are acknowledged.
  HttpResult degraded;
  EXPECT_TRUE(Eventually([&] {
    degraded = client.Get("/v1/health");
    return Has(degraded.body, "\"check\":\"sql_tail\"");
  })) << degraded.body;
  EXPECT_EQ(degraded.status, 200);
  // Delivered, the tail empties; the check clears 10 s after its last drop.
  EXPECT_TRUE(Eventually([&] { return Has(client.Get("/v1/health").body, "\"status\":\"ok\""); }));
}

// A GROUP BY window over more keys than streaming.max_state_bytes holds: the
// application stops (FAILED), health is degraded and names it; stopping the
// application clears it.
TEST(HealthTest, AFailedStreamingAppIsDegradedUntilStopped) {
  TempDir tmp;
  ServerProcess server(tmp.path(), {"--set", "streaming.max_state_bytes=1048576"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  std::string first;
  // The input schema is inferred from these: k as VARCHAR(60), long enough for
  // every key below.
  for (int i = 0; i < 5; ++i) {
    first += "{\"k\":\"" + std::string(59, 'f') + std::to_string(i) + "\",\"n\":1}\n";
  }
  ASSERT_EQ(client.Post("/v1/streams/keys/records", first, "application/x-ndjson").status, 200);
  const std::string sql =
      "CREATE OR REPLACE STREAM \\\"per_key\\\" (\\\"k\\\" VARCHAR(64), \\\"c\\\" BIGINT);\\n"
      "CREATE OR REPLACE PUMP \\\"p\\\" AS INSERT INTO \\\"per_key\\\" SELECT STREAM \\\"k\\\", "
      "COUNT(*) AS \\\"c\\\" FROM \\\"SOURCE_SQL_STREAM_001\\\" GROUP BY \\\"k\\\", "
      "STEP(\\\"SOURCE_SQL_STREAM_001\\\".ROWTIME BY INTERVAL '1' HOUR);";
  HttpResult created = client.Request(
      "POST", "/v1/apps", "{\"name\":\"wide\",\"source\":\"keys\",\"sql\":\"" + sql + "\"}",
      {{"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201) << created.body;
  ASSERT_TRUE(Has(created.body, "\"state\":\"RUNNING\"")) << created.body;
  ASSERT_TRUE(Has(created.body, "VARCHAR(60)")) << created.body;
  EXPECT_TRUE(Has(client.Get("/v1/health").body, "\"status\":\"ok\""));

  // 40,000 distinct keys in one hour's window: well over 1 MiB of state.
  for (int batch = 0; batch < 80; ++batch) {
    std::string body;
    for (int i = 0; i < 500; ++i) {
      body += "{\"k\":\"key-" + std::to_string(batch) + "-" + std::to_string(i) + "-" +
              std::string(24, 'k') + "\",\"n\":1}\n";
    }
    ASSERT_EQ(client.Post("/v1/streams/keys/records", body, "application/x-ndjson").status, 200);
  }
  HttpResult degraded;
  EXPECT_TRUE(Eventually([&] {
    degraded = client.Get("/v1/health");
    return Has(degraded.body, "\"check\":\"streaming_apps\"");
  })) << degraded.body;
  EXPECT_EQ(degraded.status, 200);
  EXPECT_TRUE(Has(degraded.body, "\"status\":\"degraded\"")) << degraded.body;
  EXPECT_TRUE(Has(degraded.body, "wide (")) << degraded.body;
  EXPECT_TRUE(Has(degraded.body, "over its bound of 1048576 bytes")) << degraded.body;
  EXPECT_TRUE(Has(client.Get("/v1/apps/wide").body, "\"state\":\"FAILED\""));
  EXPECT_EQ(client.Get("/v1/ready").status, 200);  // Ingest is unaffected.
  HttpResult metrics = client.Get("/metrics");
  EXPECT_TRUE(Has(metrics.body, "gamelake_health_state_check{check=\"streaming_apps\"} 1"))
      << metrics.body;

  // Stopped on purpose, the application is READY, not a problem.
  HttpResult stopped = client.Request("POST", "/v1/apps/wide/stop", "", {});
  EXPECT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_TRUE(Eventually([&] { return Has(client.Get("/v1/health").body, "\"status\":\"ok\""); }));
  EXPECT_TRUE(Has(client.Get("/v1/apps/wide").body, "\"state\":\"READY\""));
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
}

TEST(HardeningTest, RefusalsBeforeReadingAreCountedAndKeptInErrors) {
  TempDir tmp;
  ServerProcess server(tmp.path(), {"--set", "delivery.buffer_interval_s=1"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  std::string big = client.RawExchange(
      "POST /v1/streams/game/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer SECRETKEY\r\n"
      "Content-Type: application/x-ndjson\r\nContent-Length: 999999999\r\n\r\n",
      3000);
  EXPECT_TRUE(Has(big, "413")) << big;
  std::string many = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  std::string headers = client.RawExchange(many + "\r\n", 3000);
  EXPECT_TRUE(Has(headers, "431")) << headers;

  HttpResult metrics = client.Get("/metrics");
  EXPECT_TRUE(Has(metrics.body, "gamelake_http_refused_total{code=\"body_too_large\"} 1"))
      << metrics.body;
  EXPECT_TRUE(Has(metrics.body, "gamelake_http_refused_total{code=\"too_many_headers\"} 1"));
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  auto rows = DuckQuery("SELECT stream, code, raw FROM read_parquet('" +
                        LakeGlob(tmp.path(), "_errors") + "', union_by_name=true) ORDER BY code");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "game");
  EXPECT_EQ(rows[0][1], "body_too_large");
  EXPECT_TRUE(Has(rows[0][2], "Content-Length: 999999999")) << rows[0][2];
  EXPECT_TRUE(Has(rows[0][2], "Authorization: [redacted]")) << rows[0][2];
  EXPECT_FALSE(Has(rows[0][2], "SECRETKEY"));
  EXPECT_EQ(rows[1][1], "too_many_headers");
}

TEST(HardeningTest, ASlowClientGets408AndAnIdleOneIsClosedQuietly) {
  TempDir tmp;
  ServerProcess server(tmp.path(),
                       {"--set", "server.request_timeout_s=1", "--set", "server.idle_timeout_s=1"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  // The body never finishes.
  std::string body = client.RawExchange(
      "POST /v1/streams/s/records HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\":", 5000);
  EXPECT_TRUE(Has(body, "408")) << body;
  EXPECT_TRUE(Has(body, "request_timeout")) << body;
  // The headers never finish.
  std::string head = client.RawExchange("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ", 5000);
  EXPECT_TRUE(Has(head, "408")) << head;
  // Nothing sent at all: closed without an answer.
  std::string idle = client.RawExchange("", 5000);
  EXPECT_EQ(idle, "");
  EXPECT_EQ(client.Get("/v1/health").status, 200);
}

TEST(HardeningTest, TheCliSaysWhyItCannotUseADataDir) {
  TempDir tmp;
  CommandResult missing = RunGamelake("query --data-dir " + tmp.path() + "/nope \"SELECT 1\"");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(Has(missing.output, "there is no data dir")) << missing.output;
  EXPECT_TRUE(Has(missing.output, "--url")) << missing.output;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(tmp.path() + "/afile", "x").ok());
  CommandResult not_dir = RunGamelake("query --data-dir " + tmp.path() + "/afile \"SELECT 1\"");
  EXPECT_NE(not_dir.exit_code, 0);
  EXPECT_TRUE(Has(not_dir.output, "cannot use the data dir")) << not_dir.output;
  EXPECT_FALSE(Has(not_dir.output, "a server is using")) << not_dir.output;
}

}  // namespace
}  // namespace gamelake::testing
