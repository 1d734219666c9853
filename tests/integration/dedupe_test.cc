// End-to-end: idempotent retries (event_id) and dead letters (_errors), on the
// real binary, read back from the lake with DuckDB.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server_process.h"

namespace gamelake::testing {
namespace {

// Rows per event_id in the lake of `stream`: {{id, count}, ...} by id.
std::vector<std::vector<std::string>> CountsById(const std::string& data_dir,
                                                 const std::string& stream) {
  return DuckQuery("SELECT event_id, count(*) FROM read_parquet('" + LakeGlob(data_dir, stream) +
                   "') GROUP BY event_id ORDER BY event_id");
}

std::string Batch(int from, int to) {
  std::string body = "[";
  for (int i = from; i < to; ++i) {
    if (i > from) body += ",";
    body += "{\"event_id\":\"e" + std::to_string(i) + "\",\"n\":" + std::to_string(i) + "}";
  }
  return body + "]";
}

TEST(DedupeTest, RetriesAreStoredOnceAlsoConcurrently) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult first = client.Post("/v1/streams/game/records", "{\"event_id\":\"solo\",\"n\":1}");
  ASSERT_EQ(first.status, 200) << first.body;
  HttpResult retry = client.Post("/v1/streams/game/records", "{\"event_id\":\"solo\",\"n\":1}");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_NE(retry.body.find("\"accepted\":1"), std::string::npos) << retry.body;
  // The retry is answered with the original's _record_id.
  auto id_of = [](const std::string& body) {
    size_t at = body.find("\"first_record_id\":");
    return at == std::string::npos ? std::string()
                                   : body.substr(at, body.find_first_of(",}", at) - at);
  };
  EXPECT_EQ(id_of(retry.body), id_of(first.body));
  EXPECT_FALSE(id_of(first.body).empty());

  // Two clients send the same 100 records at the same time, three times each.
  std::vector<std::thread> threads;
  std::vector<int> statuses(2, 0);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c(server.port());
      for (int round = 0; round < 3; ++round) {
        HttpResult r = c.Post("/v1/streams/game/records", Batch(0, 100));
        if (r.status != 200 || r.body.find("\"accepted\":100") == std::string::npos) {
          statuses[t] = r.status == 200 ? -1 : r.status;
          return;
        }
      }
      statuses[t] = 200;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
  ASSERT_EQ(server.Stop(), 0) << server.Logs();

  auto counts = CountsById(data, "game");
  ASSERT_EQ(counts.size(), 101u);
  for (const auto& row : counts) EXPECT_EQ(row[1], "1") << row[0];
  auto e42 = DuckQuery("SELECT count(*) FROM read_parquet('" + LakeGlob(data, "game") +
                       "') WHERE event_id = 'e42' AND n = 42");
  EXPECT_EQ(e42[0][0], "1");
}

TEST(DedupeTest, RetryAfterRestartWhenTheOriginalIsInTheLake) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  {
    ServerProcess server(data);
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    ASSERT_EQ(client.Post("/v1/streams/game/records", Batch(0, 10)).status, 200);
    ASSERT_EQ(server.Stop(), 0) << server.Logs();  // Flushes into the lake.
  }
  ASSERT_FALSE(FindFiles(data + "/lake/game", ".parquet").empty());
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult r = client.Post("/v1/streams/game/records", Batch(5, 15));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"accepted\":10"), std::string::npos) << r.body;
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  auto counts = CountsById(data, "game");
  ASSERT_EQ(counts.size(), 15u);
  for (const auto& row : counts) EXPECT_EQ(row[1], "1") << row[0];
}

TEST(DedupeTest, RetryAfterACrashWhenTheOriginalIsOnlyInTheLog) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::vector<std::string> slow = {"--set", "delivery.buffer_interval_s=3600"};
  {
    ServerProcess server(data, slow);
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    ASSERT_EQ(client.Post("/v1/streams/game/records", Batch(0, 10)).status, 200);
    server.Kill();  // kill -9: the records are durable in the log only.
  }
  ASSERT_TRUE(FindFiles(data + "/lake/game", ".parquet").empty());
  ServerProcess server(data, slow);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult r = client.Post("/v1/streams/game/records", Batch(0, 12));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"accepted\":12"), std::string::npos) << r.body;
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  auto counts = CountsById(data, "game");
  ASSERT_EQ(counts.size(), 12u);
  for (const auto& row : counts) EXPECT_EQ(row[1], "1") << row[0];
}

TEST(DeadLetterTest, RejectedRecordsAndBodiesLandInTheErrorsTable) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult r = client.Post("/v1/streams/game/records",
                             "{\"ok\":1}\n{\"broken\":\n[1,2]\n\"\xff\"\n", "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"failed\":3"), std::string::npos) << r.body;
  EXPECT_EQ(client.Post("/v1/streams/other/records", "[{\"a\":1},").status, 400);
  // Users cannot write into the errors table themselves.
  EXPECT_EQ(client.Post("/v1/streams/_errors/records", "{\"a\":1}").status, 400);
  ASSERT_EQ(server.Stop(), 0) << server.Logs();

  auto rows = DuckQuery(
      "SELECT stream, key_id, code, \"index\", raw, raw_truncated, raw_base64, "
      "received_at LIKE '____-__-__T__:__:__.______Z' FROM read_parquet('" +
      LakeGlob(data, "_errors") + "') ORDER BY _record_id");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"game", "anonymous", "invalid_json", "1",
                                      "{\"broken\":", "false", "eyJicm9rZW4iOg==", "true"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"game", "anonymous", "not_an_object", "2", "[1,2]",
                                               "false", "WzEsMl0=", "true"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"game", "anonymous", "invalid_utf8", "3",
                                               "\"\xEF\xBF\xBD\"", "false", "Iv8i", "true"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"other", "anonymous", "malformed_body", "NULL",
                                               "[{\"a\":1},", "false", "W3siYSI6MX0s", "true"}));
  // The good record went where it belongs, alone.
  EXPECT_EQ(DuckQuery("SELECT count(*) FROM read_parquet('" + LakeGlob(data, "game") + "')")[0][0],
            "1");
}

}  // namespace
}  // namespace gamelake::testing
