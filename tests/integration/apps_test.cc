// Streaming applications end to end on the real binary: the lab's Task 9 SQL,
// verbatim, over records shaped like the lab's (with "Time Played"):
// `apps discover` names the column COL_TimePlayed, the live SSE and a stream:
// destination get exactly the records with Losses > 10 in order, the metrics
// destination publishes the lab's six metrics, a restart resumes without
// repeating or losing a row; bad SQL, too many apps and an
// ingest-only key get clear errors and the server stays healthy.
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/eventually.h"
#include "../common/run_command.h"
#include "server_process.h"
#include "streaming/lab_task9.h"

namespace gamelake::testing {
namespace {

using ::testing::HasSubstr;

// Records like the lab generator's; PlayerID counts from `first`. Returns the
// NDJSON body and appends the PlayerIDs with Losses > 10 to *losers.
std::string LabBatch(int first, int n, std::vector<int>* losers) {
  std::string body;
  for (int id = first; id < first + n; ++id) {
    int losses = (id * 7) % 23;
    body += fmt::format(
        R"({{"PlayerID":{},"Wins":{},"Losses":{},"Time Played":{},"CaughtAt":{},"CaughtBy":{}}})"
        "\n",
        id, id % 9, losses, 500 + id, id % 4, id % 6);
    if (losses > 10) losers->push_back(id);
  }
  return body;
}

// The PlayerIDs of the SSE data: lines, in order.
std::vector<int> SsePlayers(const std::string& text) {
  std::vector<int> out;
  std::regex data("data: \\{\"ROWTIME\":\"[0-9 :.-]+\",\"PlayerID\":([0-9]+),\"Wins\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), data); it != std::sregex_iterator();
       ++it) {
    out.push_back(std::stoi((*it)[1]));
  }
  return out;
}

// Each row's values joined with '|'.
std::vector<std::string> Joined(const QueryAnswer& a) {
  std::vector<std::string> out;
  for (const auto& row : a.rows) out.push_back(fmt::format("{}", fmt::join(row, "|")));
  return out;
}

std::vector<int> Ints(const QueryAnswer& a) {
  std::vector<int> out;
  for (const auto& row : a.rows) out.push_back(std::stoi(row[0]));
  return out;
}

class AppsTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--set", "auth.enabled=true"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(data_.path(), args);
    ASSERT_TRUE(server_->Start()) << server_->Logs();
    auto keys = DevKeys(data_.path());
    admin_ = keys["dev-admin"];
    ingest_ = keys["dev-ingest"];
    ASSERT_FALSE(admin_.empty());
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  std::map<std::string, std::string> Admin() { return {{"Authorization", "Bearer " + admin_}}; }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "") {
    auto h = Admin();
    if (!body.empty()) h["Content-Type"] = "application/json";
    return client_->Request(method, target, body, h);
  }
  std::string Cli(const std::string& args) {
    CommandResult r = RunGamelake(
        fmt::format("apps {} --url http://127.0.0.1:{} --key {}", args, server_->port(), admin_));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.output;
    return r.output;
  }
  void Post(const std::string& ndjson) {
    auto h = Admin();
    h["Content-Type"] = "application/x-ndjson";
    HttpResult r = client_->Request("POST", "/v1/streams/events/records", ndjson, h);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // The status of application `name` as the JSON of GET /v1/apps/NAME.
  std::string Describe(const std::string& name) { return Call("GET", "/v1/apps/" + name).body; }
  // Reads the live rows of app's stream into *sse on a connection of its own
  // until the server ends it (its stop); returns once subscribed.
  std::thread FollowLive(const std::string& app, const std::string& stream, std::string* sse) {
    std::thread follower([this, app, stream, sse] {
      HttpClient live(server_->port());
      *sse = live.RawExchange(fmt::format("GET /v1/apps/{}/streams/{}/live HTTP/1.1\r\nHost: "
                                          "t\r\nAuthorization: Bearer {}\r\nConnection: "
                                          "close\r\n\r\n",
                                          app, stream, admin_),
                              120'000);
    });
    EXPECT_TRUE(Eventually(
        [&] { return Describe(app).find("\"live_subscribers\":1") != std::string::npos; }));
    return follower;
  }
  std::vector<int> Losers() {
    QueryAnswer a = Query(*client_, "SELECT \"PlayerID\" FROM losers ORDER BY _record_id", Admin());
    return a.status == 200 ? Ints(a) : std::vector<int>{};
  }

  TempDir data_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  std::string admin_, ingest_;
};

TEST_F(AppsTest, TheLabsTask9RunsVerbatimAndResumesAfterARestart) {
  Start();
  std::vector<int> losers;
  Post(LabBatch(0, 50, &losers));  // Discovery's sample; before the app, so not replayed.
  std::string discovered = Cli("discover --source events");
  EXPECT_THAT(discovered, HasSubstr("COL_TimePlayed"));
  EXPECT_THAT(discovered, HasSubstr("$.Time Played"));

  std::string sql_file = data_.path() + "/lab.sql";
  std::ofstream(sql_file) << kLabTask9Sql;
  std::string created =
      Cli(fmt::format("create lab --source events --sql-file {} --destination "
                      "data_stream=stream:losers --destination '{}'",
                      sql_file, kLabTask9Destination));
  EXPECT_THAT(created, HasSubstr("RUNNING"));
  losers.clear();

  // Follow the live rows on a connection of its own, closed by the server's stop.
  std::string sse;
  std::thread follower = FollowLive("lab", "data_stream", &sse);
  Post(LabBatch(1000, 300, &losers));
  ASSERT_TRUE(Eventually([&] { return Losers().size() >= losers.size(); }));
  EXPECT_EQ(Losers(), losers);
  // The lab's function, as configuration: six metrics in serverless-analytics-demo.
  HttpResult metrics = Call("GET", "/v1/metrics?namespace=serverless-analytics-demo");
  for (const char* name : {"playerID", "wins", "losses", "timePlayed", "caughtAt", "CaughtBy"}) {
    EXPECT_THAT(metrics.body, HasSubstr(fmt::format("\"MetricName\":\"{}\"", name)));
  }
  // The application's own metrics, KDA's in CloudWatch (written each second).
  ASSERT_TRUE(Eventually([&] {
    return Call("GET", "/v1/metrics?namespace=gamelake/Apps").body.find("\"InputRecords\"") !=
           std::string::npos;
  }));
  HttpResult app_metrics = Call("GET", "/v1/metrics?namespace=gamelake/Apps");
  EXPECT_THAT(app_metrics.body, HasSubstr("\"MillisBehindLatest\""));
  EXPECT_THAT(app_metrics.body, HasSubstr("{\"Name\":\"Application\",\"Value\":\"lab\"}"));
  EXPECT_EQ(server_->Stop(), 0);  // Ends the live stream; the app checkpoints.
  follower.join();
  EXPECT_THAT(sse, HasSubstr("text/event-stream"));
  EXPECT_EQ(SsePlayers(sse), losers) << sse.substr(0, 2000);

  // A restart resumes from the checkpoint: the rows before it are not sent
  // again, the ones after are, once. One app is the most now.
  Start({"--set", "streaming.max_apps=1"});
  Post(LabBatch(5000, 200, &losers));
  // All 500 records since the app's creation consumed (the count survives
  // restarts) and their rows delivered:
  ASSERT_TRUE(Eventually([&] {
    return Call("GET", "/v1/apps/lab").body.find("\"records_in\":500,") != std::string::npos;
  })) << Call("GET", "/v1/apps/lab").body;
  EXPECT_EQ(Losers(), losers);
  EXPECT_THAT(Call("GET", "/v1/apps/lab").body, HasSubstr("\"state\":\"RUNNING\""));

  HttpResult second = Call("POST", "/v1/apps",
                           fmt::format(R"({{"name":"two","source":"events","sql":{}}})",
                                       "\"CREATE STREAM \\\"s\\\" (\\\"a\\\" INTEGER);\""));
  EXPECT_EQ(second.status, 429) << second.body;
  EXPECT_THAT(second.body, HasSubstr("too many apps"));
}

TEST_F(AppsTest, BadSqlAndForbiddenKeysGetClearErrors) {
  Start();
  std::vector<int> ignored;
  Post(LabBatch(0, 5, &ignored));
  HttpResult bad = Call("POST", "/v1/apps",
                        R"({"name":"bad","source":"events","sql":"CREATE OR REPLACE STREAM \"s\" )"
                        R"((\"a\" INTEGER);\nCREATE PUMP \"p\" AS INSERT INTO \"s\" SELECT STREAM )"
                        R"(\"nope\" FROM \"SOURCE_SQL_STREAM_001\";"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("\"error\":\"invalid_application\""));
  EXPECT_TRUE(std::regex_search(bad.body, std::regex("2:[0-9]+: "))) << bad.body;
  EXPECT_EQ(Call("GET", "/v1/apps/bad").status, 404);
  EXPECT_EQ(Call("GET", "/v1/health").status, 200);

  HttpResult as_ingest =
      client_->Request("GET", "/v1/apps", "", {{"Authorization", "Bearer " + ingest_}});
  EXPECT_EQ(as_ingest.status, 403) << as_ingest.body;
  EXPECT_EQ(client_->Request("GET", "/v1/apps").status, 401);
  HttpResult live = client_->Request("GET", "/v1/apps/x/streams/s/live", "",
                                     {{"Authorization", "Bearer " + ingest_}});
  EXPECT_EQ(live.status, 403);
  EXPECT_EQ(Call("GET", "/v1/apps/nope/streams/s/live").status, 404);
}

// The lab's generator template (builtin:lab) through Task 9, replayed from the
// earliest record (the lake, then the log): the stream destination holds the
// records with Losses > 10 — all of them, in order, nothing else — exactly
// as SQL over the source finds them.
TEST_F(AppsTest, TheLabsGeneratorThroughTask9FromTheEarliestRecord) {
  Start();
  CommandResult g = RunGamelake(
      fmt::format("generate --url http://127.0.0.1:{} --key {} --template builtin:lab --count 3000 "
                  "--batch 250 --seed 12 --stream events",
                  server_->port(), ingest_));
  ASSERT_EQ(g.exit_code, 0) << g.output;
  std::string sql_file = data_.path() + "/lab.sql";
  std::ofstream(sql_file) << kLabTask9Sql;
  Cli(
      fmt::format("create lab --source events --from earliest --sql-file {} --destination "
                  "data_stream=stream:losers",
                  sql_file));
  ASSERT_TRUE(Eventually([&] {
    return Describe("lab").find("\"records_in\":3000,") != std::string::npos;
  })) << Describe("lab");
  QueryAnswer want = Query(*client_,
                           "SELECT \"PlayerID\", \"Wins\", \"Losses\", \"Time Played\", "
                           "\"CaughtAt\", \"CaughtBy\" FROM events WHERE \"Losses\" > 10 "
                           "ORDER BY _record_id",
                           Admin());
  ASSERT_EQ(want.status, 200) << want.body;
  ASSERT_GT(want.rows.size(), 1000u);  // About 39 of 50 values of Losses.
  ASSERT_TRUE(Eventually([&] {
    return Query(*client_, "SELECT count(*) FROM losers", Admin()).Value() ==
           std::to_string(want.rows.size());
  }));
  QueryAnswer got = Query(*client_,
                          "SELECT \"PlayerID\", \"Wins\", \"Losses\", \"COL_TimePlayed\", "
                          "\"CaughtAt\", \"CaughtBy\" FROM losers ORDER BY _record_id",
                          Admin());
  EXPECT_EQ(Joined(got), Joined(want));
}

// A 1-minute tumbling aggregate on event time (--rowtime-field ts, epoch ms)
// into a stream destination, with the server killed (SIGKILL) twice while
// windows are open: afterwards the destination holds each window's row once,
// with the values an uninterrupted run gives.
TEST_F(AppsTest, KillNineMidWindowLosesAndRepeatsNothing) {
  constexpr char kSql[] = R"(
CREATE OR REPLACE STREAM "agg" ("w" TIMESTAMP, "k" VARCHAR(8), "n" INTEGER, "total" BIGINT);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "agg"
SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE), "k", COUNT(*), SUM("v")
FROM "SOURCE_SQL_STREAM_001"
GROUP BY "k", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
)";
  const std::vector<std::string> flags = {"--set", "streaming.checkpoint_interval_ms=100"};
  Start(flags);
  constexpr int64_t kBase = 1'700'000'040'000;  // A minute boundary (ms).
  auto batch = [&](int from, int to) {
    std::string body;
    for (int i = from; i < to; ++i) {
      body += fmt::format(R"({{"ts":{},"k":"k{}","v":{}}})"
                          "\n",
                          kBase + i * 1000LL, i % 3, i);
    }
    return body;
  };
  Post(batch(0, 1));  // For discovery; before the app, so not read by it.
  std::string sql_file = data_.path() + "/agg.sql";
  std::ofstream(sql_file) << kSql;
  Cli(
      fmt::format("create agg --source events --rowtime-field ts --sql-file {} --destination "
                  "agg=stream:agg_out",
                  sql_file));
  // 600 records, one a second of event time: 10 minutes, 3 keys. The server
  // dies twice, each time just after a batch was acknowledged.
  int next = 0;
  for (int kill_after : {170, 420}) {
    for (; next < kill_after; next += 50) Post(batch(next, std::min(next + 50, kill_after)));
    next = kill_after;
    server_->Kill();
    Start(flags);
  }
  Post(batch(next, 600));
  Post(batch(700, 701));  // Closes every window up to minute 10.
  ASSERT_TRUE(Eventually([&] {
    return Query(*client_, "SELECT count(*) FROM agg_out", Admin()).Value() == "30";
  })) << Describe("agg");
  // Every record read (the stats say the app reached the log's end) before
  // the final look, so a late duplicate would show.
  ASSERT_TRUE(Eventually([&] {
    return Describe("agg").find("\"lag_records\":0,") != std::string::npos;
  })) << Describe("agg");
  std::vector<std::string> want;
  for (int minute = 0; minute < 10; ++minute) {
    for (int k = 0; k < 3; ++k) {
      int64_t total = 0;
      for (int i = minute * 60; i < minute * 60 + 60; ++i) total += i % 3 == k ? i : 0;
      want.push_back(fmt::format("{}|k{}|20|{}", minute, k, total));
    }
  }
  QueryAnswer got = Query(*client_,
                          fmt::format("SELECT (epoch_ms(\"w\"::TIMESTAMP) - {}) // 60000 "
                                      "AS minute, \"k\", \"n\", \"total\" FROM agg_out "
                                      "ORDER BY minute, \"k\"",
                                      kBase),
                          Admin());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Joined(got), want);
}

// A worked example of the KDA documentation, fed through a stream: records
// whose ROWTIME comes from the field "rt" (ISO 8601), the documented output
// rows (with their ROWTIMEs) expected on the live SSE.
struct KdaExample {
  const char* name;  // Also the app's and the source stream's name.
  const char* schema;
  const char* sql;
  const char* stream;  // The in-application stream to follow.
  std::vector<std::string> records;
  std::vector<std::string> want;
};

std::vector<KdaExample> KdaExamples() {
  return {
      {"stagger",  // Developer guide, "Stagger Windows": EVENT_TIME in the record.
       R"j({"RecordColumns":[{"Name":"EVENT_TIME","SqlType":"TIMESTAMP","Mapping":"$.EVENT_TIME"},
           {"Name":"TICKER_SYMBOL","SqlType":"VARCHAR(4)","Mapping":"$.TICKER_SYMBOL"}]})j",
       R"(
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), event_time TIMESTAMP, ticker_count INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM TICKER_SYMBOL, FLOOR(EVENT_TIME TO MINUTE), COUNT(TICKER_SYMBOL) AS ticker_count
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);
)",
       "DESTINATION_SQL_STREAM",
       {R"({"rt":"2018-08-01T11:00:20Z","EVENT_TIME":"2018-08-01 11:00:10","TICKER_SYMBOL":"AMZN"})",
        R"({"rt":"2018-08-01T11:00:30Z","EVENT_TIME":"2018-08-01 11:00:20","TICKER_SYMBOL":"AMZN"})",
        R"({"rt":"2018-08-01T11:01:05Z","EVENT_TIME":"2018-08-01 11:00:55","TICKER_SYMBOL":"AMZN"})",
        R"({"rt":"2018-08-01T11:01:15Z","EVENT_TIME":"2018-08-01 11:01:05","TICKER_SYMBOL":"AMZN"})",
        // Only moves time past both windows.
        R"({"rt":"2018-08-01T11:05:00Z","EVENT_TIME":"2018-08-01 11:05:00","TICKER_SYMBOL":"MSFT"})"},
       {R"({"ROWTIME":"2018-08-01 11:01:20.000","TICKER_SYMBOL":"AMZN","EVENT_TIME":"2018-08-01 11:00:00.000","TICKER_COUNT":3})",
        R"({"ROWTIME":"2018-08-01 11:02:15.000","TICKER_SYMBOL":"AMZN","EVENT_TIME":"2018-08-01 11:01:00.000","TICKER_COUNT":1})"}},
      {"joins",  // SQL reference, JOIN clause, example 2: windows on both sides, INNER.
       R"j({"RecordColumns":[{"Name":"kind","SqlType":"VARCHAR(8)","Mapping":"$.kind"},
           {"Name":"orderid","SqlType":"INTEGER","Mapping":"$.orderid"}]})j",
       R"(
CREATE OR REPLACE STREAM "ORDERS" ("orderid" INTEGER);
CREATE OR REPLACE STREAM "SHIPMENTS" ("orderid" INTEGER);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "ORDERS"
  SELECT STREAM "orderid" FROM "SOURCE_SQL_STREAM_001" WHERE "kind" = 'order';
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "SHIPMENTS"
  SELECT STREAM "orderid" FROM "SOURCE_SQL_STREAM_001" WHERE "kind" = 'shipment';
CREATE OR REPLACE STREAM "OUT" ("o_id" INTEGER, "o_time" TIMESTAMP, "s_id" INTEGER, "s_time" TIMESTAMP);
CREATE OR REPLACE PUMP "P3" AS INSERT INTO "OUT"
  SELECT STREAM o."orderid", o.ROWTIME, s."orderid", s.ROWTIME
  FROM "ORDERS" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
  JOIN "SHIPMENTS" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS s
  ON o."orderid" = s."orderid";
)",
       "OUT",
       {R"({"rt":"2018-08-01T10:00:00Z","kind":"order","orderid":101})",
        R"({"rt":"2018-08-01T10:00:00Z","kind":"shipment","orderid":100})",
        R"({"rt":"2018-08-01T10:00:20Z","kind":"order","orderid":102})",
        R"({"rt":"2018-08-01T10:00:30Z","kind":"order","orderid":103})",
        R"({"rt":"2018-08-01T10:00:40Z","kind":"order","orderid":104})",
        R"({"rt":"2018-08-01T10:00:45Z","kind":"shipment","orderid":104})",
        R"({"rt":"2018-08-01T10:00:45Z","kind":"order","orderid":100})",
        R"({"rt":"2018-08-01T10:00:50Z","kind":"shipment","orderid":105})"},
       {R"({"ROWTIME":"2018-08-01 10:00:45.000","o_id":104,"o_time":"2018-08-01 10:00:40.000","s_id":104,"s_time":"2018-08-01 10:00:45.000"})",
        R"({"ROWTIME":"2018-08-01 10:00:45.000","o_id":100,"o_time":"2018-08-01 10:00:45.000","s_id":100,"s_time":"2018-08-01 10:00:00.000"})"}},
      {"sliding",  // A row per row, at once; RANGE '1' DAY includes a row exactly a day older.
       R"j({"RecordColumns":[{"Name":"k","SqlType":"VARCHAR(4)","Mapping":"$.k"},
           {"Name":"v","SqlType":"INTEGER","Mapping":"$.v"}]})j",
       R"(
CREATE OR REPLACE STREAM "OUT" ("k" VARCHAR(4), "n" INTEGER, "total" INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM "k", COUNT(*) OVER w, SUM("v") OVER w FROM "SOURCE_SQL_STREAM_001"
WINDOW w AS (PARTITION BY "k" RANGE INTERVAL '1' DAY PRECEDING);
)",
       "OUT",
       {R"({"rt":"2018-08-01T10:00:00Z","k":"a","v":1})",
        R"({"rt":"2018-08-02T09:00:00Z","k":"a","v":2})",
        R"({"rt":"2018-08-02T10:00:00Z","k":"a","v":4})",
        R"({"rt":"2018-08-02T10:00:00.001Z","k":"a","v":8})"},
       {R"({"ROWTIME":"2018-08-01 10:00:00.000","k":"a","n":1,"total":1})",
        R"({"ROWTIME":"2018-08-02 09:00:00.000","k":"a","n":2,"total":3})",
        R"({"ROWTIME":"2018-08-02 10:00:00.000","k":"a","n":3,"total":7})",
        R"({"ROWTIME":"2018-08-02 10:00:00.001","k":"a","n":3,"total":14})"}},
      {"tumbling",  // Emits once time passes the window's end, stamped with the end.
       R"j({"RecordColumns":[{"Name":"k","SqlType":"VARCHAR(4)","Mapping":"$.k"}]})j",
       R"(
CREATE OR REPLACE STREAM "OUT" ("k" VARCHAR(4), "n" INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
SELECT STREAM "k", COUNT(*) FROM "SOURCE_SQL_STREAM_001"
GROUP BY "k", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);
)",
       "OUT",
       {R"({"rt":"2018-08-01T10:00:10Z","k":"a"})", R"({"rt":"2018-08-01T10:00:50Z","k":"a"})",
        R"({"rt":"2018-08-01T10:00:59.999Z","k":"b"})", R"({"rt":"2018-08-01T10:01:05Z","k":"a"})"},
       {R"({"ROWTIME":"2018-08-01 10:01:00.000","k":"a","n":2})",
        R"({"ROWTIME":"2018-08-01 10:01:00.000","k":"b","n":1})"}},
  };
}

TEST_F(AppsTest, KdaWorkedExamplesThroughAStreamWithARowtimeField) {
  Start();
  const std::vector<KdaExample> examples = KdaExamples();
  std::vector<std::string> sse(examples.size());
  std::vector<std::thread> followers;
  for (size_t i = 0; i < examples.size(); ++i) {
    const KdaExample& e = examples[i];
    std::string schema_file = fmt::format("{}/{}.json", data_.path(), e.name);
    std::string sql_file = fmt::format("{}/{}.sql", data_.path(), e.name);
    std::ofstream(schema_file) << e.schema;
    std::ofstream(sql_file) << e.sql;
    Cli(fmt::format("create {0} --source {0} --rowtime-field rt --schema-file {1} --sql-file {2}",
                    e.name, schema_file, sql_file));
    followers.push_back(FollowLive(e.name, e.stream, &sse[i]));
  }
  auto h = Admin();
  h["Content-Type"] = "application/x-ndjson";
  for (const KdaExample& e : examples) {
    std::string body = fmt::format("{}\n", fmt::join(e.records, "\n"));
    HttpResult r = client_->Request("POST", fmt::format("/v1/streams/{}/records", e.name), body, h);
    ASSERT_EQ(r.status, 200) << e.name << ": " << r.body;
  }
  for (const KdaExample& e : examples) {
    ASSERT_TRUE(Eventually([&] {
      return Describe(e.name).find(fmt::format("\"records_in\":{},", e.records.size())) !=
             std::string::npos;
    })) << Describe(e.name);
  }
  EXPECT_EQ(server_->Stop(), 0);  // Ends the live streams.
  for (std::thread& t : followers) t.join();
  for (size_t i = 0; i < examples.size(); ++i) {
    std::vector<std::string> rows;
    std::regex data("data: (\\{.*\\})");
    for (auto it = std::sregex_iterator(sse[i].begin(), sse[i].end(), data);
         it != std::sregex_iterator(); ++it) {
      rows.push_back((*it)[1]);
    }
    EXPECT_EQ(rows, examples[i].want) << examples[i].name << ":\n" << sse[i];
  }
}

struct HostileApp {
  const char* what;
  const char* body;     // POST /v1/apps
  int status;           // The answer's HTTP status,
  const char* message;  // and a part of its message.
};

// Bad applications over HTTP: each a clear error (with line:column for
// code), nothing stored, the server healthy and the good app untouched.
TEST_F(AppsTest, HostileApplicationsGetClearErrorsAndTheServerKeepsServing) {
  Start({"--set", "streaming.max_apps=2"});
  std::vector<int> losers;
  Post(LabBatch(0, 20, &losers));
  std::string sql_file = data_.path() + "/lab.sql";
  std::ofstream(sql_file) << kLabTask9Sql;
  Cli(
      fmt::format("create lab --source events --sql-file {} --destination "
                  "data_stream=stream:losers",
                  sql_file));
  losers.clear();  // Those came before the app: not read (it starts at now).
  const std::vector<HostileApp> table = {
      {"syntax",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);\nCREATE PUMPP"})", 400,
       "2:8: "},
      {"unknown column",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM \"Lossess\" FROM SOURCE_SQL_STREAM_001;"})",
       400, "2:46: column \\\"Lossess\\\" not found"},
      {"unknown function",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM NOPE(\"Wins\") FROM SOURCE_SQL_STREAM_001;"})",
       400, "2:46: "},
      {"type error",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x TIMESTAMP);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM \"Losses\" > 1 FROM SOURCE_SQL_STREAM_001;"})",
       400, "2:46: cannot insert BOOLEAN"},
      {"huge window",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM SUM(\"Losses\") OVER (RANGE INTERVAL '30' DAY PRECEDING) FROM SOURCE_SQL_STREAM_001;"})",
       400, "longer than the limit"},
      {"pump cycle",
       R"({"name":"a","source":"events","sql":"CREATE STREAM a (x INTEGER);\nCREATE STREAM b (x INTEGER);\nCREATE PUMP p1 AS INSERT INTO b SELECT STREAM x FROM a;\nCREATE PUMP p2 AS INSERT INTO a SELECT STREAM x FROM b;"})",
       400, "4:13: pump \\\"P2\\\" makes a cycle"},
      {"random cut forest",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x DOUBLE);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM RANDOM_CUT_FOREST(\"Losses\") FROM SOURCE_SQL_STREAM_001;"})",
       400, "RANDOM_CUT_FOREST is not supported"},
      {"no monotonic key",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);\nCREATE PUMP p AS INSERT INTO s SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY \"Losses\";"})",
       400, "monotonic"},
      {"destination of a stream the code lacks",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);","destinations":["nope=stream:x"]})",
       400, "nope"},
      {"destination into its own source",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);","destinations":["S=stream:events"]})",
       400, "events"},
      {"metrics of a column the stream lacks",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);","destinations":["S=metrics:ns,NOPE=m"]})",
       400, "NOPE"},
      {"bad destination kind",
       R"({"name":"a","source":"events","sql":"CREATE STREAM s (x INTEGER);","destinations":["s=ftp:x"]})",
       400, "ftp"},
      {"bad name", R"({"name":"../x","source":"events","sql":"CREATE STREAM s (x INTEGER);"})", 400,
       "name"},
      {"not JSON", R"({"name":)", 400, ""},
      {"missing sql", R"({"name":"a","source":"events"})", 400, "sql"},
      {"unknown source",
       R"({"name":"a","source":"nothing_here","sql":"CREATE STREAM s (x INTEGER);"})", 400,
       "nothing_here"},
      {"duplicate", R"({"name":"lab","source":"events","sql":"CREATE STREAM s (x INTEGER);"})", 409,
       "lab"},
  };
  for (const HostileApp& t : table) {
    HttpResult r = Call("POST", "/v1/apps", t.body);
    EXPECT_EQ(r.status, t.status) << t.what << ": " << r.body;
    EXPECT_THAT(r.body, HasSubstr(t.message)) << t.what;
    EXPECT_EQ(Call("GET", "/v1/health").status, 200) << t.what;
  }
  EXPECT_EQ(Call("GET", "/v1/apps/a").status, 404);
  // The one more that fits, then too many.
  EXPECT_EQ(Call("POST", "/v1/apps",
                 R"({"name":"b","source":"events","sql":"CREATE STREAM s (x INTEGER);"})")
                .status,
            201);
  HttpResult full = Call("POST", "/v1/apps",
                         R"({"name":"c","source":"events","sql":"CREATE STREAM s (x INTEGER);"})");
  EXPECT_EQ(full.status, 429) << full.body;
  // The lab app kept running through all of it.
  Post(LabBatch(100, 100, &losers));
  ASSERT_TRUE(Eventually([&] { return Losers().size() >= losers.size(); }));
  EXPECT_EQ(Losers(), losers);
}

// Reference data (KDA's "Add reference data"): a CSV given with the
// application, joined to the stream by name; it survives a restart with the
// definition; bad CSV is refused with its line and column.
TEST_F(AppsTest, AReferenceTableJoinsTheStreamAndBadCsvIsRefusedWhere) {
  Start();
  std::vector<int> ignored;
  Post(LabBatch(0, 3, &ignored));
  std::string csv_file = data_.path() + "/caught.csv";
  std::ofstream(csv_file) << "CaughtBy,Name\n1,\"Net, small\"\n2,Trap\n3,Hook\n";
  std::string sql_file = data_.path() + "/names.sql";
  std::ofstream(sql_file) << R"(
CREATE OR REPLACE STREAM "named" ("PlayerID" INTEGER, "Name" VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "named"
SELECT STREAM s."PlayerID", c."Name" FROM "SOURCE_SQL_STREAM_001" AS s
LEFT JOIN "Catchers" AS c ON s."CaughtBy" = c."CaughtBy";
)";
  std::string created =
      Cli(fmt::format("create names --source events --sql-file {} --reference Catchers={} "
                      "--destination named=stream:named_out",
                      sql_file, csv_file));
  EXPECT_THAT(created, HasSubstr("Catchers (43 bytes of CSV)"));
  // CaughtBy is PlayerID % 6: 1, 2, 3 have names; 0, 4, 5 do not (LEFT JOIN: NULL).
  Post(LabBatch(100, 12, &ignored));
  auto rows = [&] {
    return Joined(Query(
        *client_, "SELECT \"PlayerID\", \"Name\" FROM named_out ORDER BY _record_id", Admin()));
  };
  const std::vector<std::string> want = {"100|null", "101|null",       "102|null", "103|Net, small",
                                         "104|Trap", "105|Hook",       "106|null", "107|null",
                                         "108|null", "109|Net, small", "110|Trap", "111|Hook"};
  ASSERT_TRUE(Eventually([&] { return rows().size() >= want.size(); }));
  EXPECT_EQ(rows(), want);
  ASSERT_EQ(server_->Stop(), 0);
  Start();
  Post(LabBatch(200, 2, &ignored));  // 200: CaughtBy 2, 201: 3.
  ASSERT_TRUE(Eventually([&] { return rows().size() >= want.size() + 2; }));
  EXPECT_EQ(rows().back(), "201|Hook");

  std::ofstream(csv_file) << "CaughtBy,Name\n1,\"Net\n";
  CommandResult bad = RunGamelake(
      fmt::format("apps update names --reference Catchers={} --url http://127.0.0.1:{} --key {}",
                  csv_file, server_->port(), admin_));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.output, HasSubstr("reference_data[0] (\"Catchers\"): line 2, column 3: the "
                                    "quoted field never ends"));
  EXPECT_THAT(Describe("names"), HasSubstr("\"state\":\"RUNNING\""));
}

}  // namespace
}  // namespace gamelake::testing
