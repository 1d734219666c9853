// The lake on S3, end to end: the real server on 127.0.0.1 delivers into
// s3rver (tests/s3's launcher), then the AWS SDK's own S3 client
// (@aws-sdk/client-s3) lists and downloads every object and DuckDB counts
// the records in the downloads — every acknowledged record exactly once.
// Also: kill -9 of the server again and again while it ingests and uploads,
// and the store going away and coming back (health degraded meanwhile,
// nothing lost). Skipped when tests/s3's npm packages are not installed.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../common/eventually.h"
#include "../s3/node_tools.h"
#include "lake/lake_layout.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kStream[] = "s3events";

// Where records of kStream are posted.
std::string RecordsTarget() { return std::string("/v1/streams/") + kStream + "/records"; }

class S3LakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = S3ToolsMissing();
    if (!missing.empty()) GTEST_SKIP() << missing;
    store_dir_ = dir_.path() + "/store";
    StartStore(0);
    data_ = dir_.path() + "/data";
  }

  void StartStore(int port) {
    store_ = std::make_unique<S3rverProcess>(store_dir_, port);
    ASSERT_GT(store_->port(), 0) << "s3rver did not start";
    port_ = store_->port();
  }

  std::vector<std::string> Args(const std::string& node = "n1") {
    return {"--set", "lake.location=s3://gl-test/lake/", "--set",
            "lake.s3.endpoint=http://127.0.0.1:" + std::to_string(port_), "--set",
            "lake.s3.path_style=true", "--set", "lake.s3.access_key_id=S3RVER", "--set",
            "lake.s3.secret_access_key=S3RVER", "--set", "node.id=" + node, "--set",
            "delivery.buffer_interval_s=0.1", "--set", "delivery.buffer_size_bytes=20000", "--set",
            "log.segment_bytes=65536",
            // Delivery's tests count the bucket as an outside engine would; a
            // background compaction caught mid-way would leave inputs beside
            // the merged object (the compaction test asks for it by name).
            "--set", "compaction.enabled=false"};
  }

  // Posts records numbered [first, first + n) in one request; true if acknowledged.
  static bool Post(HttpClient& client, int64_t first, int n) {
    return client.Post(RecordsTarget(), NumberedRecords(first, n), "application/x-ndjson").status ==
           200;
  }

  // Downloads the bucket's lake with the AWS SDK into a fresh folder; returns it.
  std::string Download() {
    std::string out = dir_.path() + "/download-" + std::to_string(downloads_++);
    fs::create_directories(out);
    CommandResult r = RunS3Check(
        "download http://127.0.0.1:" + std::to_string(port_) + " gl-test lake/ '" + out + "'", "",
        dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
  }

  // The bucket's objects written by `node` (lake-relative paths), as the AWS
  // SDK downloads them.
  std::set<std::string> ObjectsOfNode(const std::string& node) {
    std::set<std::string> out;
    std::string download = Download();
    for (const std::string& f : FindFiles(download + "/lake", "." + node + ".parquet")) {
      out.insert(fs::relative(f, download + "/lake").string());
    }
    return out;
  }

  // Per record number n, how many times the downloaded lake holds it.
  static std::map<int64_t, int64_t> Copies(const std::string& download) {
    std::map<int64_t, int64_t> copies;
    std::string glob = download + "/lake/" + kStream + "/**/*.parquet";
    if (FindFiles(download + "/lake", ".parquet").empty()) return copies;
    for (auto& row : DuckQuery("SELECT n, count(*) FROM read_parquet('" + glob +
                               "', union_by_name=true) GROUP BY n")) {
      copies[std::stoll(row[0])] = std::stoll(row[1]);
    }
    return copies;
  }

  // Every number in `acked` is there exactly once, and nothing else twice.
  static void ExpectExactlyOnce(const std::set<int64_t>& acked,
                                const std::map<int64_t, int64_t>& copies) {
    int64_t missing = 0, duplicated = 0;
    for (int64_t n : acked) missing += copies.count(n) == 0 ? 1 : 0;
    for (const auto& [n, c] : copies) duplicated += c != 1 ? 1 : 0;
    EXPECT_EQ(missing, 0) << "acknowledged records missing from the bucket";
    EXPECT_EQ(duplicated, 0) << "records in the bucket more than once";
  }

  TempDir dir_;
  std::string store_dir_;
  std::string data_;
  std::unique_ptr<S3rverProcess> store_;
  int port_ = 0;
  int downloads_ = 0;
};

TEST_F(S3LakeTest, DeliversEveryRecordOnceIntoTheBucket) {
  constexpr int kRecords = 3000;
  {
    ServerProcess server(data_, Args());
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    for (int i = 0; i < kRecords; i += 100) ASSERT_TRUE(Post(client, i, 100));
    ASSERT_EQ(server.Stop(), 0) << server.Logs();  // Delivers what is buffered.
  }
  std::string download = Download();
  std::set<int64_t> all;
  for (int64_t i = 0; i < kRecords; ++i) all.insert(i);
  std::map<int64_t, int64_t> copies = Copies(download);
  EXPECT_EQ(copies.size(), static_cast<size_t>(kRecords));
  ExpectExactlyOnce(all, copies);
  // The objects are the local lake's files under the prefix, same names,
  // each carrying the node id.
  std::set<std::string> local, remote;
  for (const std::string& f : FindFiles(data_ + "/lake/" + kStream, ".parquet")) {
    local.insert(fs::relative(f, data_ + "/lake").string());
  }
  for (const std::string& f : FindFiles(download + "/lake", ".parquet")) {
    std::string rel = fs::relative(f, download + "/lake").string();
    EXPECT_TRUE(rel.ends_with(".n1.parquet")) << rel;
    remote.insert(rel);
  }
  EXPECT_FALSE(remote.empty());
  EXPECT_EQ(local, remote);
}

TEST_F(S3LakeTest, LostLocalLakeDeliversNothingTwice) {
  // The objects are in the store; the node's local lake is gone (a new disk)
  // but its log still holds records: the store's listing is the checkpoint.
  {
    ServerProcess server(data_, Args());
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    for (int i = 0; i < 500; i += 100) ASSERT_TRUE(Post(client, i, 100));
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }
  fs::remove_all(data_ + "/lake");
  fs::remove_all(data_ + "/catalog");
  {
    ServerProcess server(data_, Args());
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    ASSERT_TRUE(Post(client, 500, 100));
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }
  std::set<int64_t> all;
  for (int64_t i = 0; i < 600; ++i) all.insert(i);
  std::map<int64_t, int64_t> copies = Copies(Download());
  EXPECT_EQ(copies.size(), 600u);
  ExpectExactlyOnce(all, copies);
}

TEST_F(S3LakeTest, KillNineDuringUploadsLosesAndDuplicatesNothing) {
  std::mt19937 rng(4242);
  std::set<int64_t> acked;
  std::atomic<int64_t> counter{0};
  constexpr int kCycles = 5;
  constexpr int kBatch = 50;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    ServerProcess server(data_, Args());
    ASSERT_TRUE(server.Start()) << server.Logs();
    NumberedPosters posters(server.port(), RecordsTarget(), &counter, kBatch);
    std::uniform_int_distribution<int> wait_ms(300, 900);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms(rng)));
    server.Kill();
    std::set<int64_t> acked_now = posters.Stop();
    acked.insert(acked_now.begin(), acked_now.end());
  }
  ASSERT_GT(acked.size(), 500u) << "too few acknowledgements to prove anything";
  {
    // A clean start and stop: recovery uploads what the store lacks, and the
    // log's rest is delivered.
    ServerProcess server(data_, Args());
    ASSERT_TRUE(server.Start()) << server.Logs();
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }
  ExpectExactlyOnce(acked, Copies(Download()));
}

TEST_F(S3LakeTest, StoreGoingAwayDegradesHealthAndLosesNothing) {
  store_.reset();
  StartStore(FreePort());  // A fixed port, so the store can come back on it.
  ServerProcess server(data_, Args());
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  std::set<int64_t> acked;
  auto post = [&](int64_t first) {
    if (Post(client, first, 100)) {
      for (int64_t i = first; i < first + 100; ++i) acked.insert(i);
    }
  };
  for (int i = 0; i < 500; i += 100) post(i);

  store_.reset();  // The store goes away.
  for (int i = 500; i < 1000; i += 100) post(i);
  HttpResult health;
  EXPECT_TRUE(Eventually(
      [&] {
        health = client.Get("/v1/health");
        return health.body.find("\"status\":\"degraded\"") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << health.body;
  EXPECT_EQ(acked.size(), 1000u) << "ingest keeps acknowledging while the store is down";

  StartStore(port_);  // It comes back: delivery resumes.
  for (int i = 1000; i < 1200; i += 100) post(i);
  EXPECT_TRUE(Eventually(
      [&] {
        health = client.Get("/v1/health");
        return health.body.find("lake delivery has failed") == std::string::npos;
      },
      std::chrono::seconds(90)))
      << health.body;
  ASSERT_EQ(server.Stop(), 0) << server.Logs();
  std::map<int64_t, int64_t> copies = Copies(Download());
  EXPECT_EQ(copies.size(), 1200u);
  ExpectExactlyOnce(acked, copies);
}

// Compaction on an S3 lake (issue 17, part 5), two nodes sharing the
// bucket: node a merges its files, uploads the merged object before its
// catalog switches, and deletes the replaced objects only after
// lake.s3.delete_grace_s — here after a restart between the upload and the
// deletion, which finds them again from the listing. Throughout, both
// nodes' SQL counts every acknowledged record exactly once, and in the end
// the bucket holds a's merged object and not its inputs. Erasure stays
// refused on S3 (409 not_supported, saying why); offline maintenance too.
TEST_F(S3LakeTest, CompactionReplacesObjectsAfterTheGraceAndBothNodesCountOnce) {
  auto args = [&](const std::string& node, const std::string& grace) {
    std::vector<std::string> a = Args(node);
    for (const std::string& s : std::vector<std::string>{
             "lake.s3.list_interval_s=1", "compaction.interval_s=1",
             "compaction.open_hour_min_files=2", "lake.s3.delete_grace_s=" + grace}) {
      a.push_back("--set");
      a.push_back(s);
    }
    return a;
  };
  const std::string data_a = dir_.path() + "/a", data_b = dir_.path() + "/b";
  // a's objects in the bucket (lake-relative paths).
  auto local_of_a = [&] {
    std::set<std::string> out;
    for (const std::string& f : FindFiles(data_a + "/lake/" + kStream, ".parquet")) {
      out.insert(fs::relative(f, data_a + "/lake").string());
    }
    return out;
  };
  const std::string count_sql =
      std::string("SELECT count(*), count(DISTINCT n) FROM lake.") + kStream;
  auto counts_all = [&](HttpClient& c) {
    QueryAnswer q = Query(c, count_sql);
    return q.status == 200 && !q.rows.empty() && q.rows[0][0] == "600" && q.rows[0][1] == "600";
  };
  auto refused = [](const HttpResult& r) {
    return r.status == 409 && r.body.find("\"not_supported\"") != std::string::npos &&
           r.body.find("not supported on an S3 lake") != std::string::npos;
  };

  ServerProcess b(data_b, args("b", "0"));
  ASSERT_TRUE(b.Start()) << b.Logs();
  HttpClient client_b(b.port());
  std::set<std::string> inputs;
  {
    ServerProcess a(data_a, args("a", "3600"));
    ASSERT_TRUE(a.Start()) << a.Logs();
    HttpClient client_a(a.port());
    for (int i = 0; i < 400; i += 100) {
      ASSERT_TRUE(Post(client_a, i, 100));
      // One delivered file per request.
      ASSERT_TRUE(
          Eventually([&] { return local_of_a().size() == static_cast<size_t>(i / 100 + 1); },
                     std::chrono::seconds(30)));
    }
    for (int i = 400; i < 600; i += 100) ASSERT_TRUE(Post(client_b, i, 100));
    ASSERT_TRUE(Eventually([&] { return counts_all(client_a) && counts_all(client_b); },
                           std::chrono::seconds(60)));
    inputs = local_of_a();
    ASSERT_EQ(inputs.size(), 4u);
    ASSERT_TRUE(Eventually([&] { return ObjectsOfNode("a") == inputs; }, std::chrono::seconds(30)));

    HttpResult r =
        client_a.Post("/v1/lake/compact", std::string("{\"stream\":\"") + kStream + "\"}");
    ASSERT_EQ(r.status, 200) << r.body;
    std::set<std::string> merged = local_of_a();
    ASSERT_EQ(merged.size(), 1u) << r.body;
    // Uploaded before the switch; the inputs wait for their grace period.
    std::set<std::string> expected = inputs;
    expected.insert(*merged.begin());
    EXPECT_EQ(ObjectsOfNode("a"), expected);
    EXPECT_TRUE(counts_all(client_a));
    // b lists the merged object and prefers it to the inputs: still once.
    EXPECT_TRUE(Eventually(
        [&] {
          QueryAnswer q = Query(client_b, std::string("SELECT count(*) FROM lake.") + kStream);
          EXPECT_TRUE(q.status != 200 || q.rows.empty() || q.rows[0][0] == "600") << q.body;
          return counts_all(client_b) && fs::exists(data_b + "/lake-cache/" + *merged.begin());
        },
        std::chrono::seconds(30)));
    EXPECT_TRUE(counts_all(client_b));

    r = client_a.Post("/v1/erasures",
                      std::string("{\"stream\":\"") + kStream + "\",\"where\":\"n = 7\"}");
    EXPECT_TRUE(refused(r)) << r.status << " " << r.body;
    r = client_a.Post("/v1/lake/retention/apply", "{\"dry_run\":true}");
    EXPECT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(a.Stop(), 0) << a.Logs();
  }
  const std::string merged = *local_of_a().begin();
  // Restarted between the upload and the deletion, with no grace left: the
  // first pass finds the replaced objects in the listing and deletes them.
  ServerProcess a(data_a, args("a", "0"));
  ASSERT_TRUE(a.Start()) << a.Logs();
  HttpClient client_a(a.port());
  EXPECT_TRUE(Eventually([&] { return ObjectsOfNode("a") == std::set<std::string>{merged}; },
                         std::chrono::seconds(60)))
      << a.Logs();
  // b had listed the inputs; once they are gone its SQL still counts once.
  EXPECT_TRUE(Eventually([&] { return counts_all(client_a) && counts_all(client_b); },
                         std::chrono::seconds(60)));
  // Offline, the CLI refuses to rewrite an S3 lake (the server sweeps its objects).
  ASSERT_EQ(a.Stop(), 0) << a.Logs();
  std::string settings;
  for (const std::string& s : args("a", "0")) settings += " '" + s + "'";
  CommandResult cli = RunGamelake("compact --data-dir " + data_a + settings);
  EXPECT_EQ(cli.exit_code, 1) << cli.output;
  EXPECT_NE(cli.output.find("without its server"), std::string::npos) << cli.output;
  ASSERT_EQ(b.Stop(), 0) << b.Logs();
  // The bucket holds every record once.
  std::set<int64_t> all;
  for (int64_t i = 0; i < 600; ++i) all.insert(i);
  std::map<int64_t, int64_t> copies = Copies(Download());
  EXPECT_EQ(copies.size(), 600u);
  ExpectExactlyOnce(all, copies);
}

// Retention on an S3 lake (issue 17, part 5): node a's files of 8 past days
// are in the bucket (uploaded while a kept everything). Node b, sharing the
// bucket with retention.days=3, never counts the 6 days past its rule though
// they are listed; node a, restarted with the same rule, drops them from its
// local lake and the bucket.
TEST_F(S3LakeTest, RetentionDropsExpiredObjectsAndOtherNodesNeverCountThem) {
  auto args = [&](const std::string& node, const std::string& days) {
    std::vector<std::string> a = Args(node);
    for (const std::string& s : {std::string("lake.s3.list_interval_s=1"), "retention.days=" + days,
                                 std::string("retention.interval_s=1")}) {
      a.push_back("--set");
      a.push_back(s);
    }
    return a;
  };
  const std::string data_a = dir_.path() + "/a", data_b = dir_.path() + "/b";
  const int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  constexpr int64_t kHourUs = 3'600'000'000;
  // File d (1..8) is d days and 2 hours old and holds n = 10d .. 10d+2.
  std::set<std::string> all, recent;
  for (int d = 1; d <= 8; ++d) {
    const int64_t t = now_us - d * 24 * kHourUs - 2 * kHourUs;
    const uint64_t first = static_cast<uint64_t>(9 - d) * 10;
    const std::string rel = std::string(kStream) + "/" + LakePartition::OfTime(t).Dir() + "/" +
                            LakeFileName{first, first + 2, 0, "a"}.Format(kStream);
    fs::create_directories(fs::path(data_a + "/lake/" + rel).parent_path());
    DuckQuery(fmt::format(
        "COPY (SELECT make_timestamp({} + i) AS _ingest_time, ({} + i)::BIGINT AS _record_id, "
        "({} + i)::BIGINT AS n FROM range(3) t(i)) TO '{}' (FORMAT parquet, COMPRESSION zstd)",
        t, first, d * 10, data_a + "/lake/" + rel));
    all.insert(rel);
    if (d <= 2) recent.insert(rel);
  }
  auto counts = [&](HttpClient& c, const std::string& rows, const std::string& min_n) {
    QueryAnswer q = Query(c, std::string("SELECT count(*), min(n) FROM lake.") + kStream);
    return q.status == 200 && !q.rows.empty() && q.rows[0][0] == rows && q.rows[0][1] == min_n;
  };
  {
    // Kept forever: start-up uploads the 8 local files the store lacks.
    ServerProcess a(data_a, args("a", "0"));
    ASSERT_TRUE(a.Start()) << a.Logs();
    HttpClient client_a(a.port());
    ASSERT_TRUE(Eventually([&] { return ObjectsOfNode("a") == all; }, std::chrono::seconds(60)))
        << a.Logs();
    EXPECT_TRUE(counts(client_a, "24", "10"));
    ASSERT_EQ(a.Stop(), 0) << a.Logs();
  }
  ServerProcess b(data_b, args("b", "3"));
  ASSERT_TRUE(b.Start()) << b.Logs();
  HttpClient client_b(b.port());
  ASSERT_TRUE(Eventually([&] { return counts(client_b, "6", "10"); }, std::chrono::seconds(30)))
      << b.Logs();
  EXPECT_EQ(ObjectsOfNode("a"), all) << "b never deletes a's objects";
  ServerProcess a(data_a, args("a", "3"));
  ASSERT_TRUE(a.Start()) << a.Logs();
  HttpClient client_a(a.port());
  EXPECT_TRUE(Eventually([&] { return ObjectsOfNode("a") == recent; }, std::chrono::seconds(60)))
      << a.Logs();
  EXPECT_EQ(FindFiles(data_a + "/lake/" + kStream, ".parquet").size(), 2u);
  EXPECT_TRUE(Eventually([&] { return counts(client_a, "6", "10"); }, std::chrono::seconds(30)));
  EXPECT_TRUE(counts(client_b, "6", "10"));
  ASSERT_EQ(a.Stop(), 0) << a.Logs();
  ASSERT_EQ(b.Stop(), 0) << b.Logs();
}

// One column of a CREATE TABLE statement: `name` type or "name" type.
struct DdlColumn {
  std::string name;
  std::string type;
};

// The columns of the statement creating `table` in `ddl` (the lines between
// "<table>` (" / "<table>\" (" and the closing ")").
std::vector<DdlColumn> DdlColumns(const std::string& ddl, const std::string& quoted_table) {
  std::vector<DdlColumn> out;
  size_t start = ddl.find(quoted_table + " (\n");
  if (start == std::string::npos) return out;
  size_t end = ddl.find("\n)\n", start);
  std::string body =
      ddl.substr(start + quoted_table.size() + 3, end - start - quoted_table.size() - 3);
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? body.size() : nl + 1;
    if (line.size() < 4) continue;
    char q = line[2];
    size_t close = line.find(q, 3);
    std::string type = line.substr(close + 2);
    if (!type.empty() && type.back() == ',') type.pop_back();
    out.push_back({line.substr(3, close - 3), type});
  }
  return out;
}

// What each engine must declare for a top-level Parquet column, from the
// file's own schema (DuckDB's parquet_schema): the type whose reader accepts
// that physical/logical type. Hive names (Athena, Spark) unless trino.
std::string ExpectedType(const std::vector<std::string>& schema_row, bool trino) {
  // name, type (physical), logical_type, converted_type, num_children
  const std::string& physical = schema_row[1];
  const std::string& logical = schema_row[2];
  const std::string& converted = schema_row[3];
  if (schema_row[4] != "0" && schema_row[4] != "NULL") {
    return converted == "LIST" ? (trino ? "ARRAY(" : "array<") : (trino ? "ROW(" : "struct<");
  }
  if (physical == "INT64" && logical.find("TimestampType") != std::string::npos) {
    return "timestamp";
  }
  if (physical == "INT64") return "bigint";
  if (physical == "INT32") return trino ? "integer" : "int";
  if (physical == "DOUBLE") return "double";
  if (physical == "BOOLEAN") return "boolean";
  if (physical == "BYTE_ARRAY") return trino ? "varchar" : "string";
  return "?" + physical;
}

// `gamelake catalog ddl` on an S3 lake points each engine at the bucket —
// the prefix the objects are under, Athena's projection template matching
// every object key — and declares each column with the type each engine
// reads from the delivered files.
TEST_F(S3LakeTest, DdlPointsAthenaTrinoAndSparkAtTheBucket) {
  {
    ServerProcess server(data_, Args());
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    std::string body;
    for (int i = 0; i < 200; ++i) {
      body += "{\"n\":" + std::to_string(i) + ",\"player\":\"p" + std::to_string(i % 7) +
              "\",\"score\":" + std::to_string(i) + ".5,\"won\":" + (i % 2 ? "true" : "false") +
              ",\"at\":\"2026-11-26T10:00:00Z\",\"gear\":{\"slot\":\"head\",\"level\":" +
              std::to_string(i % 5) + "},\"items\":[1,2," + std::to_string(i) + "]}\n";
    }
    // An object of more than 256 fields is one JSON column (as _overflow is).
    std::string wide = "{\"n\":200,\"wide\":{";
    for (int k = 0; k < 300; ++k) wide += (k ? ",\"k" : "\"k") + std::to_string(k) + "\":1";
    body += wide + "}}\n";
    body += "[1,2]\n";  // A dead letter: the _errors table.
    HttpResult r = client.Post(RecordsTarget(), body, "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(server.Stop(), 0) << server.Logs();
  }
  std::string settings;
  for (const std::string& a : Args()) settings += " '" + a + "'";
  std::string download = Download();
  std::vector<std::string> objects = FindFiles(download + "/lake/" + kStream, ".parquet");
  ASSERT_FALSE(objects.empty());
  // The earliest day the bucket holds of the table.
  std::string first_day = "9999";
  for (const std::string& f : objects) {
    std::string rel = fs::relative(f, download + "/lake/" + kStream).string();
    ASSERT_EQ(rel.substr(0, 3), "dt=") << rel;
    first_day = std::min(first_day, rel.substr(3, 10));
  }
  // The files' top-level columns as Parquet declares them (a column comes
  // before its children in the schema), over every object of the table.
  std::map<std::string, std::vector<std::string>> file_columns;
  std::set<std::string> top;
  for (const std::string& object : objects) {
    std::set<std::string> names;
    for (auto& row : DuckQuery("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('" +
                               object + "', hive_partitioning=false))")) {
      names.insert(row[0]);
    }
    for (auto& row : DuckQuery("SELECT name, type, logical_type::VARCHAR, converted_type, "
                               "coalesce(num_children, 0) FROM parquet_schema('" +
                               object + "')")) {
      if (names.count(row[0]) && !file_columns.count(row[0])) file_columns[row[0]] = row;
    }
    top.insert(names.begin(), names.end());
  }
  std::string schema_text;
  for (const auto& [name, row] : file_columns) {
    for (const std::string& v : row) schema_text += v + " | ";
    schema_text += "\n";
  }
  ASSERT_EQ(file_columns.size(), top.size()) << schema_text;
  // gamelake writes _ingest_time as INT64 TIMESTAMP(MICROS), which all three read as timestamp.
  ASSERT_TRUE(file_columns.count("_ingest_time"));
  EXPECT_EQ(file_columns["_ingest_time"][1], "INT64");
  EXPECT_NE(file_columns["_ingest_time"][2].find("MICROS=MicroSeconds()"), std::string::npos)
      << file_columns["_ingest_time"][2];
  EXPECT_NE(file_columns["_ingest_time"][2].find("isAdjustedToUTC=0"), std::string::npos)
      << file_columns["_ingest_time"][2];

  // The JSON column is JSON-annotated text, which the engines read as strings.
  ASSERT_TRUE(file_columns.count("wide"));
  EXPECT_EQ(file_columns["wide"][1], "BYTE_ARRAY");
  EXPECT_NE((file_columns["wide"][2] + file_columns["wide"][3]).find("JSON"), std::string::npos)
      << file_columns["wide"][2] << " " << file_columns["wide"][3];

  struct Dialect {
    std::string name;
    bool trino;
    std::string table;
    std::vector<std::string> expected;
  };
  const std::string loc = std::string("'s3://gl-test/lake/") + kStream + "/'";
  std::string hours;
  for (int h = 0; h < 24; ++h) hours += (h < 10 ? "0" : "") + std::to_string(h) + ",";
  std::vector<Dialect> dialects = {
      {"athena",
       false,
       std::string("`lake`.`") + kStream + "`",
       {"PARTITIONED BY (`dt` string, `hr` string)\nSTORED AS PARQUET\nLOCATION " + loc + "\n",
        "'projection.enabled' = 'true'", "'projection.dt.type' = 'date'",
        "'projection.dt.range' = '" + first_day + ",NOW'", "'projection.dt.format' = 'yyyy-MM-dd'",
        "'projection.hr.type' = 'enum'", "'projection.hr.values' = '" + hours + "all'",
        std::string("'storage.location.template' = 's3://gl-test/lake/") + kStream +
            "/dt=${dt}/hr=${hr}/'",
        "CREATE EXTERNAL TABLE IF NOT EXISTS `lake`.`_errors` ("}},
      {"trino",
       true,
       std::string("hive.\"lake\".\"") + kStream + "\"",
       {"format = 'PARQUET'", "external_location = " + loc, "partitioned_by = ARRAY['dt', 'hr']",
        std::string("CALL hive.system.sync_partition_metadata(schema_name => 'lake', "
                    "table_name => '") +
            kStream + "', mode => 'FULL');",
        "CREATE TABLE IF NOT EXISTS hive.\"lake\".\"_errors\" ("}},
      {"spark",
       false,
       std::string("`lake`.`") + kStream + "`",
       {"USING PARQUET\nPARTITIONED BY (`dt`, `hr`)\nLOCATION " + loc + ";\n",
        std::string("MSCK REPAIR TABLE `lake`.`") + kStream + "`;",
        "CREATE TABLE IF NOT EXISTS `lake`.`_errors` ("}},
  };
  for (const Dialect& d : dialects) {
    SCOPED_TRACE(d.name);
    CommandResult r =
        RunGamelake("catalog ddl --dialect " + d.name + " --data-dir " + data_ + settings);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    for (const std::string& part : d.expected) {
      EXPECT_NE(r.output.find(part), std::string::npos) << "'" << part << "' not in\n" << r.output;
    }
    EXPECT_NE(r.output.find("-- Location: s3://gl-test/lake\n"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("file://"), std::string::npos) << r.output;
    // _errors' files start with '_': the DDL says engines skip them.
    EXPECT_NE(r.output.find("in _errors/ have names starting with '_'"), std::string::npos)
        << r.output;
    // Every column of the files, declared with the type the engine reads it as.
    std::vector<DdlColumn> columns = DdlColumns(r.output, d.table);
    size_t matched = 0;
    for (const DdlColumn& c : columns) {
      if (c.name == "dt" || c.name == "hr") continue;  // Partition keys (Trino, Spark).
      ASSERT_TRUE(file_columns.count(c.name))
          << c.name << " is not a column of the delivered files";
      std::string expected = ExpectedType(file_columns[c.name], d.trino);
      EXPECT_TRUE(c.type.starts_with(expected))
          << c.name << ": declared " << c.type << ", the file has " << file_columns[c.name][1]
          << " " << file_columns[c.name][2];
      ++matched;
    }
    EXPECT_EQ(matched, file_columns.size()) << r.output;
  }
  // Every object is where Athena's projection looks: dt >= the range's start,
  // hr one of the enum's values.
  for (const std::string& f : objects) {
    std::string rel = fs::relative(f, download + "/lake/" + kStream).string();
    std::string hr = rel.substr(17, rel.find('/', 17) - 17);
    EXPECT_EQ(rel.substr(13, 4), "/hr=") << rel;
    EXPECT_NE(("," + hours + "all,").find("," + hr + ","), std::string::npos) << rel;
    EXPECT_GE(rel.substr(3, 10), first_day) << rel;
  }
}

}  // namespace
}  // namespace gamelake::testing
