// Runs the built gamelake binary: crawl, catalog tables, catalog ddl.
#include <stdio.h>
#include <sys/wait.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "catalog_test_util.h"
#include "common/file_lock.h"

namespace gamelake {
namespace {

struct CliRun {
  int code = -1;
  std::string out;
};

CliRun Gamelake(const std::string& args) {
  CliRun r;
  std::string cmd = std::string(GAMELAKE_BINARY) + " " + args + " 2>&1";
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class CatalogCliTest : public testing::Test {
 protected:
  void SetUp() override {
    lake_.Copy(
        "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000003.parquet",
        "SELECT range::BIGINT AS _record_id, 'p' AS player FROM range(3)");
    lake_.Write("events/dt=2026-11-26/hr=10/broken.parquet", "not parquet");
  }
  std::string DataDir() const { return " --data-dir '" + lake_.data() + "'"; }

  TestLake lake_;
};

TEST_F(CatalogCliTest, CrawlSavesAndReportsBadFiles) {
  CliRun r = Gamelake("crawl" + DataDir());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("1 tables, 1 files"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad file events/dt=2026-11-26/hr=10/broken.parquet: "), std::string::npos)
      << r.out;
  EXPECT_TRUE(std::filesystem::exists(lake_.data() + "/catalog/catalog.json"));

  r = Gamelake("catalog tables" + DataDir());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("events"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 bad files"), std::string::npos) << r.out;

  r = Gamelake("catalog ddl --dialect trino --location s3://b/lake --database g" + DataDir());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("CREATE TABLE IF NOT EXISTS hive.\"g\".\"events\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("external_location = 's3://b/lake/events/'"), std::string::npos) << r.out;
}

TEST_F(CatalogCliTest, ReadCommandsWithoutCatalogCrawlInMemory) {
  CliRun r = Gamelake("catalog ddl --dialect athena" + DataDir());
  EXPECT_EQ(r.code, 0) << r.out;
  std::string abs_lake = std::filesystem::canonical(lake_.lake()).string();
  EXPECT_NE(r.out.find("LOCATION 'file://" + abs_lake + "/events/'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("`lake`.`events`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no catalog.json"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(lake_.data() + "/catalog/catalog.json"));
  EXPECT_NE(Gamelake("catalog ddl --dialect oracle" + DataDir()).code, 0);
}

TEST_F(CatalogCliTest, CrawlRefusesWhileAServerHoldsTheLock) {
  Result<FileLock> lock = FileLock::TryAcquire(lake_.data() + "/LOCK");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  CliRun r = Gamelake("crawl" + DataDir());
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("a server is running on"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("curl -X POST http://<server>/v1/catalog/crawl"), std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(lake_.data() + "/catalog/catalog.json"));
}

TEST_F(CatalogCliTest, CrawlFailsWithoutALake) {
  CliRun r = Gamelake("crawl --data-dir '" + lake_.data() + "/nowhere'");
  EXPECT_NE(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("no lake at"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace gamelake
