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
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kLabSql[] = R"(-- ** Continuous Filter **
CREATE OR REPLACE STREAM "data_stream" ("PlayerID" INTEGER, "Wins" INTEGER, "Losses" INTEGER, "COL_TimePlayed" INTEGER, "CaughtAt" INTEGER, "CaughtBy" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "data_stream"
SELECT STREAM "PlayerID", "Wins", "Losses", "COL_TimePlayed", "CaughtAt", "CaughtBy"
FROM "SOURCE_SQL_STREAM_001"
WHERE "Losses" > 10;
)";

constexpr char kLabMetrics[] =
    "data_stream=metrics:serverless-analytics-demo,PlayerID=playerID,Wins=wins,Losses=losses,"
    "COL_TimePlayed=timePlayed,CaughtAt=caughtAt,CaughtBy=CaughtBy";

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

std::vector<int> Ints(const QueryAnswer& a) {
  std::vector<int> out;
  for (const auto& row : a.rows) out.push_back(std::stoi(row[0]));
  return out;
}

// Polls (at most 60 s: a bound, not a timing assertion).
template <typename F>
bool Eventually(F what) {
  for (int i = 0; i < 600; ++i) {
    if (what()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return what();
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
  std::ofstream(sql_file) << kLabSql;
  std::string created =
      Cli(fmt::format("create lab --source events --sql-file {} --destination "
                      "data_stream=stream:losers --destination '{}'",
                      sql_file, kLabMetrics));
  EXPECT_THAT(created, HasSubstr("RUNNING"));
  losers.clear();

  // Follow the live rows on a connection of its own, closed by the server's stop.
  std::string sse;
  std::thread follower([&] {
    HttpClient live(server_->port());
    sse = live.RawExchange(
        fmt::format("GET /v1/apps/lab/streams/data_stream/live HTTP/1.1\r\nHost: t\r\n"
                    "Authorization: Bearer {}\r\nConnection: close\r\n\r\n",
                    admin_),
        120'000);
  });
  ASSERT_TRUE(Eventually([&] {
    return Call("GET", "/v1/apps/lab").body.find("\"live_subscribers\":1") != std::string::npos;
  }));
  Post(LabBatch(1000, 300, &losers));
  ASSERT_TRUE(Eventually([&] { return Losers().size() >= losers.size(); }));
  EXPECT_EQ(Losers(), losers);
  // The lab's function, as configuration: six metrics in serverless-analytics-demo.
  HttpResult metrics = Call("GET", "/v1/metrics?namespace=serverless-analytics-demo");
  for (const char* name : {"playerID", "wins", "losses", "timePlayed", "caughtAt", "CaughtBy"}) {
    EXPECT_THAT(metrics.body, HasSubstr(fmt::format("\"MetricName\":\"{}\"", name)));
  }
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

}  // namespace
}  // namespace gamelake::testing
