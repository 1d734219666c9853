// End-to-end: the real server on 127.0.0.1, real HTTP, real Parquet read back by DuckDB.
#include <zlib.h>

#include <string>

#include <gtest/gtest.h>

#include "server_process.h"

namespace gamelake::testing {
namespace {

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data");
    ASSERT_TRUE(server_->Start()) << server_->Logs();
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(IngestTest, LabRecordsLandInParquetWithTypes) {
  HttpClient client(server_->port());
  // The lab's PutData.cs shape, one object per POST, on the lab's route.
  for (int i = 0; i < 3; ++i) {
    std::string body = "{\"PlayerID\":\"p" + std::to_string(i) +
                       "\",\"Time Played\":" + std::to_string(100 * i) +
                       ",\"Wins\":" + std::to_string(i) + ",\"Losses\":1,\"ratio\":0.5}";
    HttpResult r = client.Post("/v1/events", body);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"accepted\":1"), std::string::npos) << r.body;
  }
  ASSERT_EQ(server_->Stop(), 0) << server_->Logs();  // Clean shutdown flushes the buffers.

  auto files = FindFiles(dir_.path() + "/data/lake/events", ".parquet");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    EXPECT_NE(f.find("/dt="), std::string::npos) << f;
    EXPECT_NE(f.find("/hr="), std::string::npos) << f;
  }
  std::string glob = LakeGlob(dir_.path() + "/data", "events");
  auto types =
      DuckQuery("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('" +
                glob + "')) ORDER BY column_name");
  std::map<std::string, std::string> type_of;
  for (auto& row : types) type_of[row[0]] = row[1];
  EXPECT_EQ(type_of["PlayerID"], "VARCHAR");
  EXPECT_EQ(type_of["Time Played"], "BIGINT");
  EXPECT_EQ(type_of["Wins"], "BIGINT");
  EXPECT_EQ(type_of["ratio"], "DOUBLE");
  EXPECT_EQ(type_of["_ingest_time"], "TIMESTAMP");
  EXPECT_EQ(type_of["_record_id"], "BIGINT");

  auto rows = DuckQuery("SELECT PlayerID, \"Time Played\", Wins FROM read_parquet('" + glob +
                        "') ORDER BY PlayerID");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2], (std::vector<std::string>{"p2", "200", "2"}));
  auto ids =
      DuckQuery("SELECT count(DISTINCT _record_id), count(*) FROM read_parquet('" + glob + "')");
  EXPECT_EQ(ids[0][0], "3");
  EXPECT_EQ(ids[0][1], "3");
}

TEST_F(IngestTest, ArrayNdjsonGzipAndMixedShapes) {
  HttpClient client(server_->port());
  HttpResult a =
      client.Post("/v1/streams/game-2/records", R"([{"a":1},{"a":2,"b":"x"},{"c":{"d":[1,2]}}])");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("\"accepted\":3"), std::string::npos) << a.body;

  HttpResult n = client.Post("/v1/streams/game-2/records", "{\"a\":\"text\"}\n\n{\"a\":4}\r\n",
                             "application/x-ndjson");
  ASSERT_EQ(n.status, 200) << n.body;
  EXPECT_NE(n.body.find("\"accepted\":2"), std::string::npos) << n.body;

  HttpResult g =
      client.Request("POST", "/v1/streams/game-2/records", Gzip("{\"a\":5}\n{\"a\":6}\n"),
                     {{"Content-Type", "application/x-ndjson"}, {"Content-Encoding", "gzip"}});
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_NE(g.body.find("\"accepted\":2"), std::string::npos) << g.body;
  ASSERT_EQ(server_->Stop(), 0) << server_->Logs();

  std::string glob = LakeGlob(dir_.path() + "/data", "game-2");
  auto count = DuckQuery("SELECT count(*), count(DISTINCT _record_id) FROM read_parquet('" + glob +
                         "', union_by_name=true)");
  EXPECT_EQ(count[0][0], "7");
  EXPECT_EQ(count[0][1], "7");
  // "a" was a number and a string: kept, never a failed file.
  auto a_text = DuckQuery("SELECT count(*) FROM read_parquet('" + glob +
                          "', union_by_name=true) WHERE CAST(a AS VARCHAR) LIKE '%text%'");
  EXPECT_EQ(a_text[0][0], "1");
}

TEST_F(IngestTest, PartlyBadBatchKeepsTheGoodRecords) {
  HttpClient client(server_->port());
  HttpResult r =
      client.Post("/v1/streams/s1/records", "{\"ok\":1}\n{bad json\n[1,2]\n{\"ok\":2}\n\"str\"\n",
                  "application/x-ndjson");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"accepted\":2"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"failed\":3"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"index\":1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"index\":2"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"index\":4"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("not_an_object"), std::string::npos) << r.body;
  ASSERT_EQ(server_->Stop(), 0);
  auto rows = DuckQuery("SELECT string_agg(ok::VARCHAR, ',' ORDER BY ok) FROM read_parquet('" +
                        LakeGlob(dir_.path() + "/data", "s1") + "')");
  EXPECT_EQ(rows[0][0], "1,2");
}

// Bodies larger than one read, one after another and pipelined on one
// connection, with small requests between them: each whole, none mixed up.
TEST_F(IngestTest, LargeAndSmallBodiesShareAKeepAliveConnection) {
  auto ndjson = [](int from, int count) {
    std::string body;
    for (int i = from; i < from + count; ++i) {
      body += "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(1000, 'x') + "\"}\n";
    }
    return body;
  };
  HttpClient client(server_->port());
  int sent = 0;
  for (int count : {500, 1, 400, 2, 120}) {  // 500 KB to 1 KB (500 records at most).
    HttpResult r =
        client.Post("/v1/streams/big/records", ndjson(sent, count), "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"accepted\":" + std::to_string(count) + ","), std::string::npos)
        << r.body;
    sent += count;
  }
  // Two requests in one write: the second arrives with the first's body.
  std::string first = ndjson(sent, 300), second = ndjson(sent + 300, 3);
  std::string raw =
      "POST /v1/streams/big/records HTTP/1.1\r\nHost: x\r\nContent-Type: "
      "application/x-ndjson\r\nContent-Length: " +
      std::to_string(first.size()) + "\r\n\r\n" + first +
      "POST /v1/streams/big/records HTTP/1.1\r\nHost: x\r\nConnection: "
      "close\r\nContent-Type: application/x-ndjson\r\nContent-Length: " +
      std::to_string(second.size()) + "\r\n\r\n" + second;
  std::string answers = HttpClient(server_->port()).RawExchange(raw, 20000);
  EXPECT_NE(answers.find("\"accepted\":300,"), std::string::npos) << answers;
  EXPECT_NE(answers.find("\"accepted\":3,"), std::string::npos) << answers;
  sent += 303;
  ASSERT_EQ(server_->Stop(), 0);
  auto rows = DuckQuery(
      "SELECT count(*), count(DISTINCT n), min(n), max(n), sum(length(pad)) FROM "
      "read_parquet('" +
      LakeGlob(dir_.path() + "/data", "big") + "')");
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{std::to_string(sent), std::to_string(sent), "0",
                                      std::to_string(sent - 1), std::to_string(sent * 1000)}));
}

TEST_F(IngestTest, BadRequestsGetJsonErrorsAndServerKeepsServing) {
  HttpClient client(server_->port());
  struct Case {
    std::string method, target, body, content_type;
    int status;
    std::string code;
  };
  std::vector<Case> cases = {
      {"GET", "/nope", "", "", 404, "not_found"},
      {"GET", "/v1/events", "", "", 405, "method_not_allowed"},
      {"DELETE", "/v1/streams/a/records", "", "", 405, "method_not_allowed"},
      {"POST", "/v1/events", "{\"a\":1}", "text/plain", 415, "unsupported_media_type"},
      {"POST", "/v1/events", "{\"a\":", "application/json", 400, "malformed_body"},
      {"POST", "/v1/events", "", "application/json", 400, "malformed_body"},
      {"POST", "/v1/events", "{\"a\":\"\xff\xfe\"}", "application/json", 400, ""},
      {"POST", "/v1/events", "[1,2,3]", "application/json", 400, ""},
      {"POST", "/v1/streams/bad.name/records", "{}", "application/json", 400,
       "invalid_stream_name"},
      {"POST", "/v1/streams/_errors/records", "{}", "application/json", 400, "invalid_stream_name"},
      {"POST", "/v1/events", std::string(7 << 20, ' '), "application/json", 413, "body_too_large"},
  };
  for (const Case& c : cases) {
    std::map<std::string, std::string> headers;
    if (!c.content_type.empty()) headers["Content-Type"] = c.content_type;
    HttpResult r = client.Request(c.method, c.target, c.body, headers);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << ": " << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json") << c.target;
    EXPECT_EQ(r.body.front(), '{') << r.body;
    if (!c.code.empty()) {
      EXPECT_NE(r.body.find("\"" + c.code + "\""), std::string::npos) << r.body;
    }
  }
  HttpResult raw = client.Post("/v1/events", "{\"still\":\"alive\"}");
  EXPECT_EQ(raw.status, 200) << raw.body;
  std::string garbage = client.RawExchange("NOT HTTP AT ALL\r\n\r\n", 2000);
  EXPECT_NE(garbage.find("400"), std::string::npos) << garbage;
  EXPECT_EQ(HttpClient(server_->port()).Get("/v1/health").status, 200);
}

TEST_F(IngestTest, HealthAndMetrics) {
  HttpClient client(server_->port());
  ASSERT_EQ(client.Post("/v1/events", "[{\"a\":1},{\"a\":2}]").status, 200);
  HttpResult h = client.Get("/v1/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_NE(h.body.find("\"status\":\"ok\""), std::string::npos) << h.body;
  HttpResult m = client.Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.headers["content-type"].find("text/plain"), std::string::npos);
  EXPECT_NE(m.body.find("gamelake_records_accepted_total 2"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("gamelake_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("gamelake_log_pending_bytes"), std::string::npos);
  EXPECT_NE(m.body.find("gamelake_delivery_files_total"), std::string::npos);
}

}  // namespace
}  // namespace gamelake::testing

namespace gamelake::testing {
namespace {

TEST(CorsTest, AllowedOriginsGetCorsHeadersAndPreflightAnswers) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data", {"--set", "cors.origins=[\"https://game.example\"]",
                                              "--set", "cors.streams.open=[\"*\"]"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient c(server.port());
  HttpResult pre =
      c.Request("OPTIONS", "/v1/events", "",
                {{"Origin", "https://game.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(pre.status, 204) << pre.body;
  EXPECT_EQ(pre.headers["access-control-allow-origin"], "https://game.example");
  EXPECT_NE(pre.headers["access-control-allow-methods"].find("POST"), std::string::npos);
  EXPECT_NE(pre.headers["access-control-allow-headers"].find("Authorization"), std::string::npos);

  HttpResult post =
      c.Request("POST", "/v1/events", "{\"a\":1}",
                {{"Origin", "https://game.example"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(post.status, 200) << post.body;
  EXPECT_EQ(post.headers["access-control-allow-origin"], "https://game.example");

  HttpResult other =
      c.Request("POST", "/v1/events", "{\"a\":1}",
                {{"Origin", "https://evil.example"}, {"Content-Type", "application/json"}});
  EXPECT_EQ(other.status, 200);  // CORS is the browser's guard; the answer just lacks the header.
  EXPECT_EQ(other.headers.count("access-control-allow-origin"), 0u);

  HttpResult any =
      c.Request("OPTIONS", "/v1/streams/open/records", "", {{"Origin", "https://anyone.example"}});
  EXPECT_EQ(any.status, 204);
  EXPECT_EQ(any.headers["access-control-allow-origin"], "*");
}

}  // namespace
}  // namespace gamelake::testing
