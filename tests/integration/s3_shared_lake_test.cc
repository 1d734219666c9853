// SQL over a shared S3 lake on any node (issue 17, part 3): two gamelake
// servers on 127.0.0.1, node ids "a" and "b", one s3rver bucket, each
// listing the other's files every second. Records posted to either node
// (unique event ids) become visible in both nodes' SQL, each exactly once —
// a node's own undelivered tail once, plus every delivered file of every
// node once — and the bucket holds each record once. Skipped when tests/s3's
// npm packages are not installed.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../common/eventually.h"
#include "../s3/node_tools.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kStream[] = "matches";
// The issue asks for 100k records; posted 500 a request, alternating nodes.
constexpr int kRecords = 100'000;
constexpr int kBatch = 500;

// Generator-like records numbered [first, first + n): a unique event id each.
std::string GameEvents(int64_t first, int n) {
  std::string out;
  for (int64_t i = first; i < first + n; ++i) {
    out += fmt::format(
        "{{\"event_id\":\"ev-{}\",\"n\":{},\"player\":\"p{}\",\"kind\":\"{}\",\"score\":{}}}\n", i,
        i, i % 97, i % 3 == 0 ? "win" : "loss", (i * 7) % 1000);
  }
  return out;
}

class S3SharedLakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = S3ToolsMissing();
    if (!missing.empty()) GTEST_SKIP() << missing;
    store_ = std::make_unique<S3rverProcess>(dir_.path() + "/store");
    ASSERT_GT(store_->port(), 0) << "s3rver did not start";
  }

  std::vector<std::string> Args(const std::string& node) const {
    return {"--set", "lake.location=s3://gl-test/lake/",
            "--set", "lake.s3.endpoint=http://127.0.0.1:" + std::to_string(store_->port()),
            "--set", "lake.s3.path_style=true",
            "--set", "lake.s3.access_key_id=S3RVER",
            "--set", "lake.s3.secret_access_key=S3RVER",
            "--set", "lake.s3.list_interval_s=1",
            "--set", "node.id=" + node,
            "--set", "delivery.buffer_interval_s=0.5",
            "--set", "delivery.buffer_size_bytes=1000000"};
  }

  // Per record number n, how many times the bucket holds it (read back with
  // the AWS SDK's S3 client and DuckDB).
  std::map<int64_t, int64_t> BucketCopies() {
    std::string out = dir_.path() + "/download";
    fs::create_directories(out);
    CommandResult r = RunS3Check("download http://127.0.0.1:" + std::to_string(store_->port()) +
                                     " gl-test lake/ '" + out + "'",
                                 "", dir_.path());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::map<int64_t, int64_t> copies;
    if (FindFiles(out + "/lake", ".parquet").empty()) return copies;
    for (auto& row : DuckQuery("SELECT n, count(*) FROM read_parquet('" + out + "/lake/" + kStream +
                               "/**/*.parquet', union_by_name=true) GROUP BY n")) {
      copies[std::stoll(row[0])] = std::stoll(row[1]);
    }
    return copies;
  }

  TempDir dir_;
  std::unique_ptr<S3rverProcess> store_;
};

TEST_F(S3SharedLakeTest, EachNodesSqlSeesEveryRecordOfBothNodesExactlyOnce) {
  ServerProcess a(dir_.path() + "/a", Args("a"));
  ServerProcess b(dir_.path() + "/b", Args("b"));
  ASSERT_TRUE(a.Start()) << a.Logs();
  ASSERT_TRUE(b.Start()) << b.Logs();
  HttpClient client_a(a.port());
  HttpClient client_b(b.port());
  const std::string target = std::string("/v1/streams/") + kStream + "/records";
  const std::string count_sql =
      std::string("SELECT count(*), count(DISTINCT event_id) FROM lake.") + kStream;
  // While records arrive, neither node ever counts a record twice.
  int duplicates_seen = 0;
  auto check_no_duplicates = [&](HttpClient& c, const char* node) {
    QueryAnswer q = Query(c, count_sql);
    if (q.status != 200 || q.rows.empty()) return;  // The stream may not exist yet.
    if (q.rows[0][0] != q.rows[0][1]) {
      ++duplicates_seen;
      ADD_FAILURE() << "node " << node << " counts " << q.rows[0][0] << " rows of " << q.rows[0][1]
                    << " distinct events";
    }
  };
  for (int first = 0, k = 0; first < kRecords; first += kBatch, ++k) {
    HttpClient& c = k % 2 == 0 ? client_a : client_b;
    HttpResult r = c.Post(target, GameEvents(first, kBatch), "application/x-ndjson");
    ASSERT_EQ(r.status, 200) << r.body;
    if (k % 40 == 0) {
      check_no_duplicates(client_a, "a");
      check_no_duplicates(client_b, "b");
    }
  }
  const std::string all = std::to_string(kRecords);
  for (auto [client, node] : {std::pair<HttpClient*, const char*>{&client_a, "a"},
                              std::pair<HttpClient*, const char*>{&client_b, "b"}}) {
    QueryAnswer q;
    EXPECT_TRUE(Eventually(
        [&] {
          q = Query(*client, count_sql);
          if (q.status == 200 && !q.rows.empty() && q.rows[0][0] != q.rows[0][1]) {
            ++duplicates_seen;
          }
          return q.status == 200 && !q.rows.empty() && q.rows[0][0] == all && q.rows[0][1] == all;
        },
        std::chrono::seconds(180), std::chrono::milliseconds(500)))
        << "node " << node << ": " << q.body;
  }
  EXPECT_EQ(duplicates_seen, 0);
  // Each node's SQL reads both nodes' records (not just its own), and no
  // event of the other node twice.
  QueryAnswer per_node =
      Query(client_a, std::string("SELECT count(DISTINCT n % 1000 < 500) FROM lake.") + kStream);
  EXPECT_EQ(per_node.Value(), "2") << per_node.body;
  QueryAnswer sum = Query(client_b, std::string("SELECT sum(n) FROM lake.") + kStream);
  EXPECT_EQ(sum.Value(), std::to_string(int64_t{kRecords} * (kRecords - 1) / 2)) << sum.body;

  ASSERT_EQ(a.Stop(), 0) << a.Logs();
  ASSERT_EQ(b.Stop(), 0) << b.Logs();
  // The bucket holds every record once.
  std::map<int64_t, int64_t> copies = BucketCopies();
  EXPECT_EQ(copies.size(), static_cast<size_t>(kRecords));
  int64_t twice = 0;
  for (const auto& [n, c] : copies) twice += c != 1 ? 1 : 0;
  EXPECT_EQ(twice, 0);
  // Each node's lake folder holds only its own files; the other's copies are
  // in its cache.
  for (const char* node : {"a", "b"}) {
    for (const std::string& f : FindFiles(dir_.path() + "/" + node + "/lake", ".parquet")) {
      EXPECT_TRUE(f.ends_with(std::string(".") + node + ".parquet")) << f;
    }
  }
  EXPECT_FALSE(FindFiles(dir_.path() + "/a/lake-cache/" + kStream, ".b.parquet").empty());
}

TEST_F(S3SharedLakeTest, AfterARestartTheOtherNodesFilesAreStillSeenOnce) {
  const std::string target = std::string("/v1/streams/") + kStream + "/records";
  const std::string count_sql =
      std::string("SELECT count(*), count(DISTINCT event_id) FROM lake.") + kStream;
  ServerProcess b(dir_.path() + "/b", Args("b"));
  ASSERT_TRUE(b.Start()) << b.Logs();
  {
    HttpClient client_b(b.port());
    for (int first = 0; first < 2000; first += kBatch) {
      ASSERT_EQ(client_b.Post(target, GameEvents(first, kBatch), "application/x-ndjson").status,
                200);
    }
  }
  {
    ServerProcess a(dir_.path() + "/a", Args("a"));
    ASSERT_TRUE(a.Start()) << a.Logs();
    HttpClient client_a(a.port());
    ASSERT_EQ(client_a.Post(target, GameEvents(2000, kBatch), "application/x-ndjson").status, 200);
    QueryAnswer q;
    EXPECT_TRUE(Eventually(
        [&] {
          q = Query(client_a, count_sql);
          return q.status == 200 && !q.rows.empty() && q.rows[0][0] == "2500" &&
                 q.rows[0][1] == "2500";
        },
        std::chrono::seconds(120), std::chrono::milliseconds(500)))
        << q.body;
    ASSERT_EQ(a.Stop(), 0) << a.Logs();
  }
  // Restarted with the copies evicted: the catalog still knows b's files and
  // fetches them again for the query; a's own records are not counted twice.
  fs::remove_all(dir_.path() + "/a/lake-cache");
  ServerProcess a(dir_.path() + "/a", Args("a"));
  ASSERT_TRUE(a.Start()) << a.Logs();
  HttpClient client_a(a.port());
  QueryAnswer q = Query(client_a, count_sql);
  ASSERT_EQ(q.status, 200) << q.body;
  ASSERT_FALSE(q.rows.empty()) << q.body;
  EXPECT_EQ(q.rows[0][0], "2500") << q.body;
  EXPECT_EQ(q.rows[0][1], "2500") << q.body;
  ASSERT_EQ(a.Stop(), 0) << a.Logs();
  ASSERT_EQ(b.Stop(), 0) << b.Logs();
}

}  // namespace
}  // namespace gamelake::testing
