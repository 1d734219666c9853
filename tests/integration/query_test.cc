// SQL against the real server over HTTP: freshness (a record is queryable as
// soon as it is acknowledged, exactly once, also while deliveries happen),
// views across restarts, the catalog endpoints, the sandbox, concurrent
// queries during ingest, streamed large results, and who may query.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../common/eventually.h"
#include "../common/run_command.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

std::string Batch(int batch, int n) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    body += fmt::format("{{\"batch\":{},\"i\":{},\"PlayerID\":\"p{}\",\"Time Played\":{}}}\n",
                        batch, i, i % 7, i * 100);
  }
  return body;
}

TEST(QueryTest, AcknowledgedRecordsAreQueryableAtOnceExactlyOnceWhileDeliveriesRun) {
  TempDir data;
  // Deliveries every 200 ms: reads keep crossing from the live tail to the files.
  ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=0.2"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  constexpr int kMinBatches = 40, kMaxBatches = 2000, kPerBatch = 25;
  int batches = 0;
  // Until some batches were read across a delivery (bounded in count).
  for (int b = 0; b < kMaxBatches; ++b, ++batches) {
    if (b >= kMinBatches && !FindFiles(data.path() + "/lake/events", ".parquet").empty() &&
        b % 10 == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    HttpResult r = client.Post("/v1/events", Batch(b, kPerBatch), "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
    // Read-your-writes: the query right after the acknowledgement sees the batch.
    QueryAnswer a = Query(client, fmt::format("SELECT count(*), count(DISTINCT _record_id) FROM "
                                              "events WHERE batch = {}",
                                              b));
    ASSERT_EQ(a.status, 200) << a.body;
    ASSERT_EQ(a.rows.size(), 1u);
    EXPECT_EQ(a.rows[0][0], std::to_string(kPerBatch)) << "batch " << b;
    EXPECT_EQ(a.rows[0][1], std::to_string(kPerBatch)) << "batch " << b;
  }
  QueryAnswer all = Query(client, "SELECT count(*), count(DISTINCT _record_id) FROM events");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.rows[0][0], std::to_string(batches * kPerBatch));
  EXPECT_EQ(all.rows[0][1], std::to_string(batches * kPerBatch));
  // Some of them were read from delivered files by now.
  EXPECT_FALSE(FindFiles(data.path() + "/lake/events", ".parquet").empty());
}

TEST(QueryTest, ViewsAndCatalogSurviveARestart) {
  TempDir data;
  {
    ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=0.2"});
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    ASSERT_EQ(client.Post("/v1/events", Batch(1, 10), "application/x-ndjson").status, 200);
    QueryAnswer v = Query(client,
                          "CREATE VIEW \"data-view\" AS SELECT PlayerID, \"time played\" "
                          "FROM events WHERE \"Time Played\" >= 500");
    ASSERT_EQ(v.status, 200) << v.body;
    EXPECT_EQ(Query(client, "SELECT count(*) FROM \"data-view\"").Value(), "5");
    EXPECT_EQ(server.Stop(), 0);
  }
  ServerProcess server(data.path());
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  EXPECT_EQ(Query(client, "SELECT count(*) FROM lake.\"data-view\"").Value(), "5");

  HttpResult tables = client.Get("/v1/catalog/tables");
  ASSERT_EQ(tables.status, 200);
  EXPECT_NE(tables.body.find("\"name\":\"events\""), std::string::npos) << tables.body;
  EXPECT_NE(tables.body.find("\"rows\":10"), std::string::npos) << tables.body;
  HttpResult events = client.Get("/v1/catalog/tables/events");
  ASSERT_EQ(events.status, 200);
  for (const char* part : {"\"schema_history\"", "added column", "\"Time Played\"",
                           "\"partitions\"", "\"dt\"", ".parquet"}) {
    EXPECT_NE(events.body.find(part), std::string::npos) << part << " in " << events.body;
  }
  EXPECT_EQ(client.Get("/v1/catalog/tables/nope").status, 404);
  HttpResult views = client.Get("/v1/catalog/views");
  EXPECT_NE(views.body.find("data-view"), std::string::npos) << views.body;
  HttpResult history = client.Get("/v1/queries?limit=50");
  ASSERT_EQ(history.status, 200);
  EXPECT_NE(history.body.find("CREATE VIEW"), std::string::npos) << history.body;
  HttpResult ddl = client.Get("/v1/catalog/ddl?dialect=athena&location=s3%3A%2F%2Fb%2Flake");
  ASSERT_EQ(ddl.status, 200);
  EXPECT_NE(ddl.body.find("s3://b/lake/events"), std::string::npos) << ddl.body;
  EXPECT_NE(ddl.body.find("STORED AS PARQUET"), std::string::npos) << ddl.body;
}

TEST(QueryTest, BadAndForbiddenSqlGetClearErrorsAndTheServerKeepsServing) {
  TempDir data;
  ServerProcess server(data.path());
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  ASSERT_EQ(client.Post("/v1/events", Batch(1, 3), "application/x-ndjson").status, 200);
  QueryAnswer syntax = Query(client, "SELEC * FROM events");
  EXPECT_EQ(syntax.status, 400);
  EXPECT_NE(syntax.body.find("LINE 1"), std::string::npos) << syntax.body;
  QueryAnswer column = Query(client, "SELECT nope FROM events");
  EXPECT_EQ(column.status, 400);
  EXPECT_NE(column.body.find("nope"), std::string::npos) << column.body;
  for (const char* sql :
       {"SELECT * FROM read_csv('/etc/passwd')", "COPY events TO 'x.csv'", "ATTACH ':memory:' AS x",
        "INSTALL httpfs", "SET threads = 64", "CREATE TABLE t AS SELECT 1", "PRAGMA version"}) {
    QueryAnswer a = Query(client, sql);
    EXPECT_TRUE(a.status == 403 || a.status == 400) << sql << ": " << a.body;
    EXPECT_NE(a.status, 200) << sql;
  }
  HttpResult no_sql = client.Post("/v1/query", "{\"query\":\"SELECT 1\"}");
  EXPECT_EQ(no_sql.status, 400);
  EXPECT_EQ(client.Post("/v1/query", "not json").status, 400);
  EXPECT_EQ(client.Request("GET", "/v1/query").status, 405);
  EXPECT_EQ(Query(client, "SELECT count(*) FROM events").Value(), "3");
}

TEST(QueryTest, TimeoutAndCancelOverHttp) {
  TempDir data;
  ServerProcess server(data.path(), {"--set", "sql.query_timeout_s=0.5"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  QueryAnswer slow = Query(client, "SELECT count(*) FROM range(100000000000)");
  EXPECT_EQ(slow.status, 408) << slow.body;
  EXPECT_NE(slow.body.find("timeout"), std::string::npos) << slow.body;
  EXPECT_EQ(Query(client, "SELECT 42").Value(), "42");
  EXPECT_EQ(client.Request("DELETE", "/v1/queries/999999").status, 404);
}

TEST(QueryTest, ConcurrentQueriesDuringIngestAllSucceed) {
  TempDir data;
  ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=0.3"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  constexpr int kWriters = 3, kBatches = 30, kPerBatch = 50;
  {
    // The table exists before the readers start (until then, "no such table" is right).
    HttpClient client(server.port());
    ASSERT_EQ(client.Post("/v1/events", Batch(-1, kPerBatch), "application/x-ndjson").status, 200);
  }
  std::atomic<int> writers_done{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      HttpClient client(server.port());
      for (int b = 0; b < kBatches; ++b) {
        if (client.Post("/v1/events", Batch(w * 1000 + b, kPerBatch), "application/x-ndjson")
                .status != 200) {
          failures++;
        }
      }
      writers_done++;
    });
  }
  std::atomic<int> queries{0};
  for (int q = 0; q < 2; ++q) {
    threads.emplace_back([&] {
      HttpClient client(server.port());
      long last = 0;
      while (writers_done.load() < kWriters) {
        QueryAnswer a = Query(client,
                              "SELECT count(*), count(DISTINCT _record_id), "
                              "sum(\"Time Played\") FROM events");
        if (a.status != 200 || a.rows.empty()) {
          ADD_FAILURE() << a.status << " " << a.body;
          failures++;
          continue;
        }
        long n = std::stol(a.rows[0][0]);
        if (n < last || a.rows[0][0] != a.rows[0][1]) failures++;  // Never back, never twice.
        last = n;
        queries++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(queries.load(), 0);
  HttpClient client(server.port());
  EXPECT_EQ(Query(client, "SELECT count(*) FROM events").Value(),
            std::to_string((kWriters * kBatches + 1) * kPerBatch));
}

TEST(QueryTest, LargeResultsStreamAsJsonAndCsv) {
  TempDir data;
  ServerProcess server(data.path());
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  for (int b = 0; b < 20; ++b) {
    ASSERT_EQ(client.Post("/v1/events", Batch(b, 250), "application/x-ndjson").status, 200);
  }
  // About 1 MB of JSON: more than the 64 KiB buffered before streaming starts.
  QueryAnswer a =
      Query(client, "SELECT *, repeat('x', 100) AS pad FROM events ORDER BY _record_id");
  ASSERT_EQ(a.status, 200) << a.body.substr(0, 200);
  EXPECT_GT(a.body.size(), 500'000u);
  EXPECT_EQ(a.rows.size(), 5000u);
  EXPECT_NE(a.body.find("\"row_count\":5000"), std::string::npos);
  HttpResult csv = client.Request("POST", "/v1/query",
                                  "{\"sql\":\"SELECT batch, i, PlayerID FROM events ORDER BY "
                                  "_record_id\"}",
                                  {{"Content-Type", "application/json"}, {"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers["content-type"].rfind("text/csv", 0), 0u);
  size_t lines = 0;
  for (char c : csv.body) lines += c == '\n';
  EXPECT_EQ(lines, 5001u);
  EXPECT_EQ(csv.body.rfind("batch,i,PlayerID\r\n0,0,p0\r\n", 0), 0u);
}

TEST(QueryTest, OnlyAdminKeysMayQuery) {
  TempDir data;
  ServerProcess server(data.path(), {"--set", "auth.enabled=true"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  std::ifstream keys(data.path() + "/dev-keys.txt");
  std::string line, admin, ingest;
  while (std::getline(keys, line)) {
    std::istringstream fields(line);
    std::string name, scope, key;
    if (!(fields >> name >> scope >> key)) continue;
    if (name == "dev-admin") admin = key;
    if (name == "dev-ingest") ingest = key;
  }
  ASSERT_FALSE(admin.empty());
  HttpClient client(server.port());
  EXPECT_EQ(Query(client, "SELECT 1").status, 401);
  EXPECT_EQ(Query(client, "SELECT 1", {{"Authorization", "Bearer " + ingest}}).status, 403);
  EXPECT_EQ(client.Get("/v1/catalog/tables").status, 401);
  QueryAnswer ok = Query(client, "SELECT 1", {{"Authorization", "Bearer " + admin}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Value(), "1");
}

TEST(QueryTest, CliQueriesARunningServerAndAnOfflineDataDir) {
  TempDir data;
  auto run = [](const std::string& args) {
    CommandResult r = RunGamelake(args);
    return std::make_pair(r.exit_code, r.output);
  };
  {
    ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=0.2"});
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    ASSERT_EQ(client.Post("/v1/events", Batch(7, 12), "application/x-ndjson").status, 200);
    // Found through <data>/server.url; fresh records included.
    auto [rc, out] = run("query --data-dir " + data.path() +
                         " --format csv \"SELECT count(*) AS n FROM events\"");
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("n\r\n12"), std::string::npos) << out;
    auto [rc2, out2] = run("query --url http://127.0.0.1:" + std::to_string(server.port()) +
                           " \"SELECT nope FROM events\"");
    EXPECT_NE(rc2, 0);
    EXPECT_NE(out2.find("nope"), std::string::npos) << out2;
    EXPECT_EQ(server.Stop(), 0);
  }
  // Offline: straight on the lake.
  auto [rc, out] = run("query --data-dir " + data.path() +
                       " \"SELECT count(*) AS n, max(batch) AS b FROM events\"");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("12"), std::string::npos) << out;
  EXPECT_NE(out.find("(1 row"), std::string::npos) << out;
  auto [rc3, out3] = run("query --data-dir " + data.path() + " --format json \"SELECT 1 AS x\"");
  EXPECT_EQ(rc3, 0);
  EXPECT_NE(out3.find("\"rows\":[[1]]"), std::string::npos) << out3;
}

TEST(QueryTest, HandDroppedFilesAreCrawledIntoTheirTable) {
  TempDir data;
  ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=0.2"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  ASSERT_EQ(client.Post("/v1/streams/scores/records", Batch(1, 4), "application/x-ndjson").status,
            200);
  std::filesystem::create_directories(data.path() + "/lake/scores/dt=2020-01-01");
  {
    std::ofstream f(data.path() + "/lake/scores/dt=2020-01-01/old.ndjson");
    f << "{\"batch\":99,\"i\":1,\"PlayerID\":\"old\",\"extra\":\"x\"}\n"
         "{\"batch\":99,\"i\":2,\"PlayerID\":\"old\",\"extra\":\"y\"}\n";
  }
  {
    std::ofstream f(data.path() + "/lake/scores/legacy.csv");
    f << "batch,i,PlayerID\n98,1,csv\n";
  }
  HttpResult crawl = client.Post("/v1/catalog/crawl", "");
  ASSERT_EQ(crawl.status, 200) << crawl.body;
  QueryAnswer a = Query(client,
                        "SELECT batch, count(*), max(extra) FROM scores GROUP BY batch ORDER BY "
                        "batch");
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(a.rows.size(), 3u) << a.body;
  EXPECT_EQ(a.rows[0], (std::vector<std::string>{"1", "4", "null"}));
  EXPECT_EQ(a.rows[1], (std::vector<std::string>{"98", "1", "null"}));
  EXPECT_EQ(a.rows[2], (std::vector<std::string>{"99", "2", "y"}));
}

TEST(QueryTest, WithTheTailOffSqlSeesRecordsOnceDelivered) {
  TempDir data;
  ServerProcess server(
      data.path(), {"--set", "sql.tail_max_bytes=0", "--set", "delivery.buffer_interval_s=0.5"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  ASSERT_EQ(client.Post("/v1/events", Batch(1, 40), "application/x-ndjson").status, 200);
  // Nothing is held for SQL: the records appear with their file, all at once.
  ASSERT_TRUE(Eventually([&] {
    QueryAnswer a = Query(client, "SELECT count(*) FROM events");
    return a.status == 200 && a.Value() != "0";
  })) << Query(client, "SELECT count(*) FROM events").body;
  EXPECT_EQ(Query(client, "SELECT count(*) FROM events").Value(), "40");
  EXPECT_FALSE(FindFiles(data.path() + "/lake/events", ".parquet").empty());
  HttpResult metrics = client.Get("/metrics");
  EXPECT_EQ(metrics.body.find("gamelake_sql_tail_records"), std::string::npos);
}

// Records in the live tail are parsed once into a typed copy (tail_cache.h);
// what SQL reads from it must be what the delivered file gives, value for
// value, while the shape changes under it: a new key, a widened type, a
// nested one, a record past the column bound.
std::string TypedBatch(int step, int n, int first) {
  std::string body;
  for (int i = first; i < first + n; ++i) {
    switch (step) {
      case 1:
        body += fmt::format("{{\"a\":{},\"b\":\"s{}\",\"f\":{}}}\n", i, i, i * 0.25 + 1e-7);
        break;
      case 2:  // A new key.
        body +=
            fmt::format("{{\"a\":{},\"b\":\"s{}\",\"c\":{}}}\n", i, i, i % 2 ? "true" : "false");
        break;
      case 3:  // a widened to DOUBLE; a nested key.
        body += fmt::format("{{\"a\":{}.5,\"n\":{{\"x\":{},\"y\":[{},{}]}}}}\n", i, i, i, -i);
        break;
      default: {  // Past the column bound: 3 records of 400 keys, 1,200 in all.
        std::string rec = fmt::format("{{\"a\":{}", i);
        for (int k = 0; k < 400; ++k) rec += fmt::format(",\"k{}_{}\":{}", i - first, k, k * 3);
        body += rec + "}\n";
      }
    }
  }
  return body;
}

TEST(QueryTest, TheTypedTailAnswersAsTheDeliveredLakeAcrossShapeChangesAndKill9) {
  TempDir data;
  const std::string kRows =
      "SELECT _record_id, _ingest_time, a, b, f, c, n, k0_0, k1_399, _overflow, dt, hr "
      "FROM events ORDER BY _record_id";
  std::vector<std::vector<std::string>> in_tail;
  int total = 0;
  {
    // Nothing is delivered while this server runs.
    ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=900", "--set",
                                       "delivery.buffer_size_bytes=1000000000"});
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    struct Step {
      int step, n;
      const char* binds;  // Polled until the tail's shape has it.
    };
    for (Step s :
         {Step{1, 300, "SELECT count(f) FROM events"}, Step{2, 300, "SELECT count(c) FROM events"},
          Step{3, 300, "SELECT count(n) FROM events WHERE typeof(a) = 'DOUBLE'"},
          Step{4, 3, "SELECT count(k0_0) + count(_overflow) FROM events"},
          Step{1, 300, "SELECT count(*) FROM events"}}) {
      ASSERT_EQ(
          client.Post("/v1/events", TypedBatch(s.step, s.n, total), "application/x-ndjson").status,
          200);
      total += s.n;
      ASSERT_TRUE(Eventually([&] { return Query(client, s.binds).status == 200; }))
          << s.binds << ": " << Query(client, s.binds).body;
      // Read twice: the first fills the typed copy, the second reads it.
      QueryAnswer first = Query(client, "SELECT count(*), count(DISTINCT _record_id) FROM events");
      QueryAnswer second = Query(client, "SELECT count(*), count(DISTINCT _record_id) FROM events");
      ASSERT_EQ(first.status, 200) << first.body;
      EXPECT_EQ(first.rows, second.rows);
      ASSERT_EQ(first.rows.size(), 1u);
      EXPECT_EQ(first.rows[0][0], std::to_string(total));
      EXPECT_EQ(first.rows[0][1], std::to_string(total));
    }
    QueryAnswer tail = Query(client, kRows);
    ASSERT_EQ(tail.status, 200) << tail.body;
    ASSERT_EQ(tail.rows.size(), static_cast<size_t>(total));
    EXPECT_EQ(Query(client, kRows).rows, tail.rows);
    in_tail = tail.rows;
    EXPECT_TRUE(FindFiles(data.path() + "/lake/events", ".parquet").empty());
    server.Kill();
  }
  // After kill -9 the tail is rebuilt from the log, then delivered.
  ServerProcess server(data.path(), {"--set", "delivery.buffer_interval_s=0.2"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  QueryAnswer again = Query(client, kRows);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.rows, in_tail);
  ASSERT_TRUE(Eventually([&] {
    auto files = FindFiles(data.path() + "/lake/events", ".parquet");
    if (files.empty()) return false;
    auto n = DuckQuery(fmt::format("SELECT count(*) FROM read_parquet('{}', union_by_name=true)",
                                   LakeGlob(data.path(), "events")));
    return n[0][0] == std::to_string(total);
  }));
  QueryAnswer delivered = Query(client, kRows);
  ASSERT_EQ(delivered.status, 200) << delivered.body;
  ASSERT_EQ(delivered.rows.size(), in_tail.size());
  for (size_t i = 0; i < in_tail.size(); ++i) {
    ASSERT_EQ(delivered.rows[i], in_tail[i]) << "row " << i;
  }
}

}  // namespace
}  // namespace gamelake::testing
