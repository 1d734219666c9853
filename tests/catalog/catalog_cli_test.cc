// Runs the built gamelake binary: crawl, catalog tables, catalog ddl.
#include <stdio.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "catalog_test_util.h"
#include "common/file_lock.h"

namespace gamelake {
namespace {

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
  CommandResult r = RunGamelake("crawl" + DataDir());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 tables, 1 files"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad file events/dt=2026-11-26/hr=10/broken.parquet: "),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(std::filesystem::exists(lake_.data() + "/catalog/catalog.json"));

  r = RunGamelake("catalog tables" + DataDir());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("events"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 bad files"), std::string::npos) << r.output;

  r = RunGamelake("catalog ddl --dialect trino --location s3://b/lake --database g" + DataDir());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("CREATE TABLE IF NOT EXISTS hive.\"g\".\"events\""), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("external_location = 's3://b/lake/events/'"), std::string::npos)
      << r.output;
}

TEST_F(CatalogCliTest, ReadCommandsWithoutCatalogCrawlInMemory) {
  CommandResult r = RunGamelake("catalog ddl --dialect athena" + DataDir());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::string abs_lake = std::filesystem::canonical(lake_.lake()).string();
  EXPECT_NE(r.output.find("LOCATION 'file://" + abs_lake + "/events/'"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("`lake`.`events`"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no catalog.json"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(lake_.data() + "/catalog/catalog.json"));
  EXPECT_NE(RunGamelake("catalog ddl --dialect oracle" + DataDir()).exit_code, 0);
}

TEST_F(CatalogCliTest, CrawlRefusesWhileAServerHoldsTheLock) {
  Result<FileLock> lock = FileLock::TryAcquire(lake_.data() + "/LOCK");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  CommandResult r = RunGamelake("crawl" + DataDir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("a server is running on"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("curl -X POST http://<server>/v1/catalog/crawl"), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(lake_.data() + "/catalog/catalog.json"));
}

TEST_F(CatalogCliTest, CrawlFailsWithoutALake) {
  CommandResult r = RunGamelake("crawl --data-dir '" + lake_.data() + "/nowhere'");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("no lake at"), std::string::npos) << r.output;
}

TEST_F(CatalogCliTest, DdlPointsAtTheS3LakeOfTheConfig) {
  std::string toml = lake_.data() + "/gamelake.toml";
  {
    std::ofstream f(toml);
    f << "data_dir = '" << lake_.data() << "'\n[lake]\nlocation = 's3://studio-lake/gamelake'\n"
      << "[lake.s3]\nregion = 'eu-west-1'\n";
  }
  // From --config (its data_dir too): the bucket, with Athena's projection.
  CommandResult r = RunGamelake("catalog ddl --dialect athena --config '" + toml + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("-- Location: s3://studio-lake/gamelake\n"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("LOCATION 's3://studio-lake/gamelake/events/'\nTBLPROPERTIES (\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("'projection.dt.range' = '2026-11-26,NOW'"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("'storage.location.template' = "
                          "'s3://studio-lake/gamelake/events/dt=${dt}/hr=${hr}/'"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("MSCK REPAIR TABLE `lake`"), std::string::npos) << r.output;
  // From --set, as serve takes it.
  r = RunGamelake("catalog ddl --dialect spark --set lake.location=s3://b22/p/q" + DataDir());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("LOCATION 's3://b22/p/q/events/';\nMSCK REPAIR TABLE `lake`.`events`;"),
            std::string::npos)
      << r.output;
  // --location wins over the config (s3a:// for Spark on plain Hadoop).
  r = RunGamelake("catalog ddl --dialect spark --location s3a://b3/x --config '" + toml + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("LOCATION 's3a://b3/x/events/'"), std::string::npos) << r.output;
  // A bad setting is refused with its key, as serve refuses it.
  r = RunGamelake("catalog ddl --dialect trino --set lake.location=s3://Bad_Bucket/x" + DataDir());
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("lake.location: "), std::string::npos) << r.output;
}

}  // namespace
}  // namespace gamelake
