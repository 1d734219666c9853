// The lake over months, on the real binary: compaction under kill -9 with
// ingest and queries running, a lake of tens of thousands of small files
// compacted while queries keep their answers, retention, erasure (also
// across kill -9), and event-id dedupe after restarts and compaction.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../common/run_command.h"
#include "common/civil_time.h"
#include "common/env.h"
#include "lake/lake_layout.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kHourUs = 3'600'000'000;

// Writes `files` Parquet files of `rows` records each into <lake>/<table>,
// named and placed as delivery names and places them: file f holds records
// f*rows+1 .. (f+1)*rows, ingested at start_us + f * step_us (+1 us a row).
// Columns: _ingest_time, _record_id, n (= record id), PlayerID 'p<n % 7>',
// CaughtBy (n % 5). Made with one DuckDB COPY, then renamed into place.
void WriteSmallFiles(const std::string& lake, const std::string& table, int files, int rows,
                     int64_t start_us, int64_t step_us, uint64_t first_id = 1) {
  const std::string stage = lake + "/.stage";
  fs::create_directories(lake);
  DuckQuery(fmt::format(
      "COPY (SELECT make_timestamp({} + (i // {}) * {} + i % {}) AS _ingest_time, "
      "(i + {})::BIGINT AS _record_id, (i + {})::BIGINT AS n, 'p' || ((i + {}) % 7) AS PlayerID, "
      "((i + {}) % 5)::BIGINT AS CaughtBy, i // {} AS f FROM range({}) t(i)) TO '{}' "
      "(FORMAT parquet, PARTITION_BY (f), COMPRESSION zstd)",
      start_us, rows, step_us, rows, first_id, first_id, first_id, first_id, rows,
      static_cast<int64_t>(files) * rows, stage));
  for (int f = 0; f < files; ++f) {
    LakePartition p = LakePartition::OfTime(start_us + f * step_us);
    uint64_t first = static_cast<uint64_t>(f) * rows + first_id;
    std::string dir = lake + "/" + table + "/" + p.Dir();
    fs::create_directories(dir);
    fs::rename(fmt::format("{}/f={}/data_0.parquet", stage, f),
               dir + "/" + LakeFileName{first, first + rows - 1, 0}.Format(table));
  }
  // DuckDB wrote each partition as one file (data_0): nothing else is left.
  for (const auto& e : fs::recursive_directory_iterator(stage)) {
    ASSERT_FALSE(e.is_regular_file()) << e.path();
  }
  fs::remove_all(stage);
}

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A number from the server's /metrics page (0 if absent).
double Metric(HttpClient& client, const std::string& name) {
  HttpResult r = client.Get("/metrics");
  size_t at = r.body.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::strtod(r.body.c_str() + at + name.size() + 2, nullptr);
}

std::string Numbered(int64_t first, int n, int pad = 30) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    body += fmt::format("{{\"n\":{},\"PlayerID\":\"p{}\",\"pad\":\"{}\"}}\n", first + i,
                        (first + i) % 7, std::string(pad, 'x'));
  }
  return body;
}

TEST(LifecycleTest, CompactionUnderKillNineKeepsEveryRecordOnceAndQueriesSeeEachOnce) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  // Deliveries every 50 ms, a compaction pass every 100 ms that merges the
  // open hour as soon as it has two files: kills land in every step.
  const std::vector<std::string> args = {
      "--set", "delivery.buffer_interval_s=0.05", "--set", "delivery.buffer_size_bytes=20000",
      "--set", "log.segment_bytes=65536",         "--set", "compaction.interval_s=0.1",
      "--set", "compaction.settle_s=0",           "--set", "compaction.open_hour_min_files=2",
      "--set", "compaction.max_bytes_per_s=0",    "--set", "compaction.daily=false"};
  std::mt19937 rng(2026);
  std::set<int64_t> acked;
  std::atomic<int64_t> counter{0};
  std::atomic<int> duplicate_answers{0};
  std::atomic<int> answers{0};
  for (int cycle = 0; cycle < 6; ++cycle) {
    ServerProcess server(data, args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    NumberedPosters posters(server.port(), "/v1/streams/crash/records", &counter, 40,
                            [](int64_t first, int n) { return Numbered(first, n); });
    std::atomic<bool> stop{false};
    std::thread querier([&] {
      // Whatever compaction does, a query never sees a record twice.
      HttpClient client(server.port());
      while (!stop.load()) {
        QueryAnswer a = Query(client, "SELECT count(*) - count(DISTINCT n) FROM crash");
        if (a.status != 200) continue;
        ++answers;
        if (a.Value() != "0") ++duplicate_answers;
      }
    });
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(600, 1500)(rng)));
    if (cycle < 5) server.Kill();
    std::set<int64_t> acked_now = posters.Stop();
    acked.insert(acked_now.begin(), acked_now.end());
    stop.store(true);
    querier.join();
    if (cycle == 5) {
      ASSERT_EQ(server.Stop(), 0) << server.Logs();
    }
  }
  ASSERT_GT(acked.size(), 1000u);
  EXPECT_GT(answers.load(), 0);
  EXPECT_EQ(duplicate_answers.load(), 0);
  {
    // Recovers, delivers what is left, cleans up; and, however slow the
    // machine was, merges what is left to merge (bounded wait).
    ServerProcess server(data, args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (FindFiles(data + "/lake/crash", ".parquet").size() >= 40 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // The small files the cycles left are merged — by this process, or by one
    // before the last kill whose superseded inputs this start cleaned up (so
    // this process's own compaction counter may rightly stay 0).
    EXPECT_LT(FindFiles(data + "/lake/crash", ".parquet").size(), 40u) << "nothing was compacted";
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }
  std::map<int64_t, int64_t> copies;
  for (const auto& row : DuckQuery("SELECT n, count(*) FROM read_parquet('" +
                                   LakeGlob(data, "crash") + "') GROUP BY n")) {
    copies[std::stoll(row[0])] = std::stoll(row[1]);
  }
  for (int64_t n : acked) EXPECT_EQ(copies.count(n), 1u) << "acknowledged record " << n << " lost";
  for (const auto& [n, c] : copies)
    EXPECT_EQ(c, 1) << "record " << n << " stored " << c << " times";
  // Fewer files than deliveries: compaction ran between the kills.
  EXPECT_LT(FindFiles(data + "/lake/crash", ".parquet").size(), 40u);
}

TEST(LifecycleTest, TensOfThousandsOfSmallFilesAreCompactedWhileQueriesKeepTheirAnswers) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  // 20,000 five-record files, one every 10 s over 55 hours that ended days ago.
  const int64_t start = (NowUs() / kHourUs - 24 * 5) * kHourUs;
  WriteSmallFiles(data + "/lake", "kills", 20000, 5, start, 10'000'000);
  const std::string glob = LakeGlob(data, "kills");
  const std::string q_all = "SELECT count(*), sum(n), count(DISTINCT PlayerID) FROM kills";
  const std::string hour = fmt::format(
      "_ingest_time >= make_timestamp({0}) AND _ingest_time < make_timestamp({0} + {1})",
      start + 30 * kHourUs, kHourUs);
  const std::string q_hour =
      "SELECT CaughtBy, count(*), sum(n) FROM kills WHERE " + hour + " GROUP BY 1 ORDER BY 1";
  auto direct = [&](const std::string& sql) {
    std::string from = "read_parquet('" + glob + "', hive_partitioning = false)";
    std::string text = sql;
    text.replace(text.find("kills"), 5, from);
    std::string out;
    for (const auto& row : DuckQuery(text)) out += fmt::format("{}\n", fmt::join(row, "|"));
    return out;
  };
  auto served = [&](HttpClient& client, const std::string& sql) {
    QueryAnswer a = Query(client, sql);
    EXPECT_EQ(a.status, 200) << a.body;
    std::string out;
    for (const auto& row : a.rows) out += fmt::format("{}\n", fmt::join(row, "|"));
    return out;
  };
  // The answers, from how WriteSmallFiles numbers and times the records.
  const std::string want_all = "100000|5000050000|7\n";
  std::map<int64_t, std::pair<int64_t, int64_t>> hour_groups;  // CaughtBy -> count, sum(n)
  for (int64_t n = 1; n <= 100000; ++n) {
    int64_t t = start + (n - 1) / 5 * 10'000'000 + (n - 1) % 5;
    if (t < start + 30 * kHourUs || t >= start + 31 * kHourUs) continue;
    ++hour_groups[n % 5].first;
    hour_groups[n % 5].second += n;
  }
  std::string want_hour;
  for (const auto& [by, g] : hour_groups)
    want_hour += fmt::format("{}|{}|{}\n", by, g.first, g.second);
  ASSERT_EQ(hour_groups.size(), 5u);

  // The first crawl reads 20,000 footers; done offline, so the server starts
  // at once from catalog.json.
  CommandResult crawl = RunGamelake("crawl --data-dir " + data);
  ASSERT_EQ(crawl.exit_code, 0) << crawl.output;
  EXPECT_NE(crawl.output.find("20000 files"), std::string::npos) << crawl.output;
  // Compaction runs when asked, so queries surely run before and during it.
  const std::vector<std::string> args = {"--set", "compaction.enabled=false", "--set",
                                         "compaction.daily_after_s=0"};
  ServerProcess server(data, args);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  EXPECT_EQ(served(client, q_all), want_all);
  EXPECT_EQ(served(client, q_hour), want_hour);
  std::atomic<bool> compacted{false};
  HttpResult compact;
  std::thread compactor([&] {
    HttpClient c(server.port());
    compact = c.Post("/v1/lake/compact", "{}");
    compacted.store(true);
  });
  int during = 0;
  while (!compacted.load()) {
    EXPECT_EQ(served(client, q_hour), want_hour);
    if (during++ % 4 == 0) {
      EXPECT_EQ(served(client, q_all), want_all);
    }
  }
  compactor.join();
  ASSERT_EQ(compact.status, 200) << compact.body;
  EXPECT_GE(during, 1);
  // One file a day now.
  const int64_t days = LakePartition::OfTime(start + int64_t{19999} * 10'000'000).day() -
                       LakePartition::OfTime(start).day() + 1;
  EXPECT_EQ(Metric(client, "gamelake_lake_files"), days);
  EXPECT_EQ(served(client, q_all), want_all);
  EXPECT_EQ(served(client, q_hour), want_hour);
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  EXPECT_EQ(static_cast<int64_t>(FindFiles(data + "/lake/kills", ".parquet").size()), days);
  // Plain DuckDB over the compacted files agrees.
  EXPECT_EQ(direct(q_all), want_all);
  EXPECT_EQ(direct(q_hour), want_hour);
  ServerProcess again(data, args);
  ASSERT_TRUE(again.Start()) << again.Logs();
  HttpClient client2(again.port());
  EXPECT_EQ(served(client2, q_all), want_all);
  EXPECT_EQ(served(client2, q_hour), want_hour);
  ASSERT_EQ(again.Stop(), 0) << again.Logs();
}

TEST(LifecycleTest, RetentionDropsExactlyThePartitionsPastTheirRule) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string lake = data + "/lake";
  const int64_t now = NowUs();
  // One file a day for 8 days, in three tables: file d is d days and 2 hours
  // old, so its hour ended more than d days ago whatever the time of day
  // (a fixed hour of the day made the rule's cut depend on when the test
  // ran); it holds records (9-d)*10 .. (9-d)*10+2.
  for (const char* table : {"old", "keep", "_errors"}) {
    for (int d = 1; d <= 8; ++d) {
      WriteSmallFiles(lake, table, 1, 3, now - d * 24 * kHourUs - 2 * kHourUs, 1,
                      static_cast<uint64_t>(9 - d) * 10);
    }
  }
  const std::vector<std::string> args = {"--set", "retention.days=3",
                                         "--set", "retention.streams.keep.days=0",
                                         "--set", "retention.streams._errors.days=6"};
  // What would go, told offline: partitions that ended more than 3 (6) days ago.
  std::string settings;
  for (const std::string& a : args) settings += " " + a;
  CommandResult show_cli = RunGamelake("retention show --data-dir " + data + settings);
  EXPECT_EQ(show_cli.exit_code, 0) << show_cli.output;
  EXPECT_NE(show_cli.output.find("would drop old: 6 partitions"), std::string::npos)
      << show_cli.output;
  EXPECT_NE(show_cli.output.find("would drop _errors: 3 partitions"), std::string::npos)
      << show_cli.output;
  EXPECT_EQ(show_cli.output.find("would drop keep"), std::string::npos) << show_cli.output;
  ServerProcess server(data, args);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  // The server applies retention by itself when it starts; what is left
  // then is past no rule.
  HttpResult apply = client.Post("/v1/lake/retention/apply", "{}");
  ASSERT_EQ(apply.status, 200) << apply.body;
  EXPECT_NE(apply.body.find("\"drops\":[]"), std::string::npos) << apply.body;
  HttpResult show = client.Get("/v1/lake/retention");
  EXPECT_NE(show.body.find("\"streams\":{\"_errors\":6,\"keep\":0}"), std::string::npos)
      << show.body;
  EXPECT_EQ(Query(client, "SELECT count(*) FROM old").Value(), "6");    // Days 1 and 2.
  EXPECT_EQ(Query(client, "SELECT count(*) FROM keep").Value(), "24");  // Forever.
  EXPECT_EQ(Query(client, "SELECT count(*) FROM _errors").Value(), "15");
  EXPECT_EQ(Query(client, "SELECT min(_record_id) FROM old").Value(), "70");
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  EXPECT_EQ(FindFiles(lake + "/old", ".parquet").size(), 2u);
  EXPECT_EQ(FindFiles(lake + "/keep", ".parquet").size(), 8u);
  EXPECT_EQ(FindFiles(lake + "/_errors", ".parquet").size(), 5u);
  // Dropped partitions leave no folders; the floor keeps old's watermark.
  EXPECT_FALSE(fs::exists(lake + "/old/" +
                          LakePartition::OfTime(now - 8 * 24 * kHourUs - 2 * kHourUs).Dir()));
  Result<std::string> floors = Env::Default()->ReadFile(lake + "/.gamelake/watermarks");
  ASSERT_TRUE(floors.ok());
  EXPECT_NE(floors->find("old 82"), std::string::npos) << *floors;
}

// Every row of `table` as "n|PlayerID", sorted, from the lake's files.
std::vector<std::string> LakeRows(const std::string& data, const std::string& table) {
  std::vector<std::string> out;
  for (const auto& row : DuckQuery("SELECT n::VARCHAR || '|' || PlayerID FROM read_parquet('" +
                                   LakeGlob(data, table) + "') ORDER BY n")) {
    out.push_back(row[0]);
  }
  return out;
}

TEST(LifecycleTest, ErasureRemovesExactlyTheMatchingRowsFromFilesLogAndTailAndIsAudited) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  {
    // Delivered in several files...
    ServerProcess server(data, {"--set", "delivery.buffer_interval_s=0.05"});
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    for (int b = 0; b < 5; ++b) {
      ASSERT_EQ(
          client.Post("/v1/streams/events/records", Numbered(b * 20, 20, 0), "application/x-ndjson")
              .status,
          200);
      std::this_thread::sleep_for(std::chrono::milliseconds(120));
    }
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }
  ASSERT_GE(FindFiles(data + "/lake/events", ".parquet").size(), 3u);
  std::vector<std::string> before = LakeRows(data, "events");
  // ...and more still in the log and the live tail (a one-hour buffer).
  ServerProcess server(data, {"--set", "delivery.buffer_interval_s=3600"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  ASSERT_EQ(client.Post("/v1/streams/events/records", Numbered(100, 30, 0), "application/x-ndjson")
                .status,
            200);
  ASSERT_EQ(Query(client, "SELECT count(*) FROM events WHERE PlayerID = 'p3'").Value(), "19");
  // Bad requests are refused before anything is touched.
  HttpResult bad = client.Post("/v1/erasures", R"({"stream":"events","where":"Nope = 1"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("Nope"), std::string::npos) << bad.body;
  bad = client.Post("/v1/erasures", R"({"stream":"events","where":"1=1) UNION SELECT (1"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  bad = client.Post("/v1/erasures", R"({"stream":"nosuch","where":"PlayerID = 'p3'"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  HttpResult accepted =
      client.Post("/v1/erasures", R"({"stream":"events","where":"PlayerID = 'p3'"})");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_NE(accepted.body.find("\"rows_matching\":19"), std::string::npos) << accepted.body;
  std::string id = accepted.body.substr(accepted.body.find("\"id\":\"") + 6, 25);
  HttpResult done = client.Get("/v1/erasures/" + id + "?wait_s=60");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("\"state\":\"done\""), std::string::npos) << done.body;
  EXPECT_NE(done.body.find("\"rows_removed\":19"), std::string::npos) << done.body;
  EXPECT_EQ(Query(client, "SELECT count(*) FROM events WHERE PlayerID = 'p3'").Value(), "0");
  EXPECT_EQ(Query(client, "SELECT count(*) FROM events").Value(), "111");
  HttpResult list = client.Get("/v1/erasures");
  EXPECT_NE(list.body.find(id), std::string::npos);
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  // The rest is unchanged, row for row; nothing of p3 came back from the log.
  std::vector<std::string> after = LakeRows(data, "events");
  std::vector<std::string> expected;
  for (const std::string& r : before) {
    if (!r.ends_with("|p3")) expected.push_back(r);
  }
  for (int n = 100; n < 130; ++n) {
    if (n % 7 != 3) expected.push_back(fmt::format("{}|p{}", n, n % 7));
  }
  std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
    return std::stoll(a) < std::stoll(b);
  });
  EXPECT_EQ(after, expected);
  std::string audit = Env::Default()->ReadFile(data + "/erasures/audit.ndjson").value();
  EXPECT_NE(audit.find("\"event\":\"requested\""), std::string::npos);
  EXPECT_NE(audit.find("\"event\":\"finished\""), std::string::npos);
  // Running it again is harmless, also offline from the command line.
  CommandResult again =
      RunGamelake("erase --data-dir " + data + " --stream events --where \"PlayerID = 'p3'\"");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("removed 0 rows"), std::string::npos) << again.output;
  EXPECT_EQ(LakeRows(data, "events"), expected);
}

TEST(LifecycleTest, AnErasureInterruptedByKillNineFinishesAfterRestartExactlyOnce) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  const int64_t start = (NowUs() / kHourUs - 48) * kHourUs;
  // 600 files, every one with rows of p3: the rewrite takes a while.
  WriteSmallFiles(data + "/lake", "kills", 600, 14, start, 60'000'000);
  std::vector<std::string> before = LakeRows(data, "kills");
  const std::vector<std::string> args = {"--set", "compaction.enabled=false"};
  std::mt19937 rng(7);
  std::string id;
  {
    ServerProcess server(data, args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    HttpResult accepted =
        client.Post("/v1/erasures", R"({"stream":"kills","where":"PlayerID = 'p3'"})");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    id = accepted.body.substr(accepted.body.find("\"id\":\"") + 6, 25);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 900)(rng)));
    server.Kill();
  }
  ServerProcess server(data, args);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  HttpResult done = client.Get("/v1/erasures/" + id + "?wait_s=120");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("\"state\":\"done\""), std::string::npos) << done.body;
  EXPECT_EQ(Query(client, "SELECT count(*) FROM kills WHERE PlayerID = 'p3'").Value(), "0");
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  std::vector<std::string> expected;
  for (const std::string& r : before) {
    if (!r.ends_with("|p3")) expected.push_back(r);
  }
  EXPECT_EQ(LakeRows(data, "kills"), expected);
}

TEST(LifecycleTest, RetriesAreRecognisedAfterRestartAndCompactionWhateverTheIdsSpelling) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  // The escaped key spells event_id; 12.5 is no id but widens the column to
  // DOUBLE; "12" is a string id, not the integer 12.
  const std::string originals =
      "{\"event\\u005fid\":\"esc\",\"v\":1}\n"
      "{\"event_id\":12,\"v\":2}\n"
      "{\"event_id\":12.5,\"v\":3}\n"
      "{\"event_id\":\"12\",\"v\":4}\n"
      "{\"event_id\":\"caf\\u00e9\",\"v\":5}\n";
  const std::string retries =
      "{\"event_id\":\"esc\",\"v\":1}\n"
      "{\"event_id\":12,\"v\":2}\n"
      "{\"event_id\":\"12\",\"v\":4}\n"
      "{\"event_id\":\"café\",\"v\":5}\n";
  const std::vector<std::string> args = {
      "--set", "delivery.buffer_interval_s=0.05",  "--set", "compaction.settle_s=0",
      "--set", "compaction.open_hour_min_files=2", "--set", "compaction.interval_s=0.1"};
  auto rows = [&] {
    return DuckQuery("SELECT count(*) FROM read_parquet('" + LakeGlob(data, "game") + "')")[0][0];
  };
  {
    ServerProcess server(data, args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    ASSERT_EQ(client.Post("/v1/streams/game/records", originals, "application/x-ndjson").status,
              200);
    // The same batch again before any restart: only the float (no id) is stored twice.
    ASSERT_EQ(client.Post("/v1/streams/game/records", originals, "application/x-ndjson").status,
              200);
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }
  EXPECT_EQ(rows(), "6");
  for (int round = 0; round < 2; ++round) {
    // After a restart (ids from the index), then after compaction merged the files.
    ServerProcess server(data, args);
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    HttpResult r = client.Post("/v1/streams/game/records", retries, "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"accepted\":4"), std::string::npos) << r.body;
    // Never a false duplicate: 12.0 is no id, and "13"/13 are new.
    r = client.Post("/v1/streams/game/records",
                    "{\"event_id\":12.0,\"v\":6}\n{\"event_id\":\"13\",\"v\":7}\n"
                    "{\"event_id\":13,\"v\":8}\n",
                    "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
    // Let deliveries and a compaction pass happen.
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
    EXPECT_EQ(rows(), round == 0 ? "9" : "10") << round;
  }
  auto ids = DuckQuery("SELECT v, count(*) FROM read_parquet('" + LakeGlob(data, "game") +
                       "') GROUP BY v ORDER BY v");
  std::map<std::string, std::string> by_v;
  for (const auto& row : ids) by_v[row[0]] = row[1];
  EXPECT_EQ(by_v, (std::map<std::string, std::string>{{"1", "1"},
                                                      {"2", "1"},
                                                      {"3", "2"},
                                                      {"4", "1"},
                                                      {"5", "1"},
                                                      {"6", "2"},
                                                      {"7", "1"},
                                                      {"8", "1"}}));
}

}  // namespace
}  // namespace gamelake::testing
