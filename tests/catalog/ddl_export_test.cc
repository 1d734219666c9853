#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog_test_util.h"

namespace gamelake {
namespace {

class DdlExportTest : public testing::Test {
 protected:
  void SetUp() override {
    lake_.Copy(
        "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000001.parquet",
        "SELECT TIMESTAMP '2026-11-26 10:00:00' AS _ingest_time, 1::BIGINT AS _record_id, "
        "'p' AS Player, 2 AS lvl, 1.5::DOUBLE AS score, true AS won, DATE '2026-11-26' AS day, "
        "1.25::DECIMAL(10,2) AS price, {'x': 1::BIGINT, 'y': ['a']} AS s, MAP {'k': 1.0::DOUBLE} "
        "AS m, '{}'::JSON AS j");
    lake_.Write("events/dt=2026-11-26/hr=11/hand.json", "{\"extra_text_col\":1}\n");
    lake_.Copy("_errors/_errors-00000000000000000001-00000000000000000001.parquet",
               "SELECT 'x' AS code");
    lake_.Write("textonly/a.csv", "a\n1\n");
    catalog_ = lake_.Open();
    ASSERT_TRUE(catalog_->Crawl(false).ok());
  }

  std::string Ddl(DdlDialect d) {
    return ExportDdl(*catalog_->Snapshot(), d, "s3://bucket/game/lake/", "analytics");
  }

  TestLake lake_;
  std::unique_ptr<Catalog> catalog_;
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(DdlExportTest, Athena) {
  std::string ddl = Ddl(DdlDialect::kAthena);
  EXPECT_TRUE(Has(ddl, "CREATE DATABASE IF NOT EXISTS `analytics`;")) << ddl;
  EXPECT_TRUE(Has(ddl,
                  "CREATE EXTERNAL TABLE IF NOT EXISTS `analytics`.`events` (\n"
                  "  `_ingest_time` timestamp,\n  `_record_id` bigint,\n"
                  "  `Player` string,\n  `lvl` int,\n  `score` double,\n"
                  "  `won` boolean,\n  `day` date,\n  `price` decimal(10,2),\n"
                  "  `s` struct<`x`:bigint,`y`:array<string>>,\n"
                  "  `m` map<string,double>,\n  `j` string\n)\n"
                  "PARTITIONED BY (`dt` string, `hr` string)\n"
                  "STORED AS PARQUET\n"
                  "LOCATION 's3://bucket/game/lake/events/'\n"
                  "TBLPROPERTIES (\n"))
      << ddl;
  // On S3, partition projection instead of MSCK REPAIR (see AthenaProjection).
  EXPECT_FALSE(Has(ddl, "MSCK REPAIR TABLE `analytics`.`events`")) << ddl;
  // Text files' columns are not declared; the table warns about them.
  EXPECT_FALSE(Has(ddl, "extra_text_col")) << ddl;
  EXPECT_TRUE(Has(ddl, "-- Warning: 1 NDJSON/CSV file(s) in events/")) << ddl;
  // Unpartitioned _errors: no PARTITIONED BY, no MSCK.
  EXPECT_TRUE(Has(ddl,
                  "CREATE EXTERNAL TABLE IF NOT EXISTS `analytics`.`_errors` (\n"
                  "  `code` string\n)\nSTORED AS PARQUET\n"
                  "LOCATION 's3://bucket/game/lake/_errors/';\n\n"))
      << ddl;
  EXPECT_FALSE(Has(ddl, "MSCK REPAIR TABLE `analytics`.`_errors`")) << ddl;
  EXPECT_TRUE(Has(ddl, "-- Warning: 1 file(s) in _errors/ have names starting with '_'")) << ddl;
  EXPECT_FALSE(Has(ddl, "file(s) in events/ have names")) << ddl;
  EXPECT_TRUE(Has(ddl, "-- Table textonly has no readable Parquet files yet; skipped.")) << ddl;
  EXPECT_FALSE(Has(ddl, "`textonly` (")) << ddl;
}

// Athena over an S3 lake: partition projection on dt (a date from the
// earliest day to NOW) and hr (00..23 and "all"), with the objects' template,
// so no crawler or MSCK REPAIR is needed.
TEST_F(DdlExportTest, AthenaProjectsPartitionsOnS3) {
  lake_.Copy("events/dt=2026-11-24/hr=all/events-00000000000000000002-00000000000000000009.parquet",
             "SELECT TIMESTAMP '2026-11-24 03:00:00' AS _ingest_time, 2::BIGINT AS _record_id");
  lake_.Copy("handmade/region=eu/x.parquet", "SELECT 1 AS a");
  ASSERT_TRUE(catalog_->Crawl(false).ok());
  std::string ddl = Ddl(DdlDialect::kAthena);
  std::string hours;
  for (int h = 0; h < 24; ++h) hours += (h < 10 ? "0" : "") + std::to_string(h) + ",";
  EXPECT_TRUE(Has(ddl,
                  "LOCATION 's3://bucket/game/lake/events/'\n"
                  "TBLPROPERTIES (\n"
                  "  'projection.enabled' = 'true',\n"
                  "  'projection.dt.type' = 'date',\n"
                  "  'projection.dt.format' = 'yyyy-MM-dd',\n"
                  "  'projection.dt.range' = '2026-11-24,NOW',\n"
                  "  'projection.dt.interval' = '1',\n"
                  "  'projection.dt.interval.unit' = 'DAYS',\n"
                  "  'projection.hr.type' = 'enum',\n"
                  "  'projection.hr.values' = '" +
                      hours +
                      "all',\n"
                      "  'storage.location.template' = "
                      "'s3://bucket/game/lake/events/dt=${dt}/hr=${hr}/'\n"
                      ");\n"
                      "-- Partition projection: "))
      << ddl;
  EXPECT_EQ(hours.size(), 24u * 3u);
  // A table with other partition keys keeps MSCK REPAIR.
  EXPECT_TRUE(Has(ddl,
                  "PARTITIONED BY (`region` string)\nSTORED AS PARQUET\n"
                  "LOCATION 's3://bucket/game/lake/handmade/';\n"
                  "MSCK REPAIR TABLE `analytics`.`handmade`;\n"
                  "-- New files in known partitions are read at once;"))
      << ddl;
  // Not on S3 (a local lake, HDFS): no projection, MSCK REPAIR.
  std::string local =
      ExportDdl(*catalog_->Snapshot(), DdlDialect::kAthena, "file:///data/lake", "analytics");
  EXPECT_FALSE(Has(local, "projection.")) << local;
  EXPECT_TRUE(Has(local,
                  "LOCATION 'file:///data/lake/events/';\n"
                  "MSCK REPAIR TABLE `analytics`.`events`;\n"))
      << local;
}

TEST_F(DdlExportTest, Trino) {
  std::string ddl = Ddl(DdlDialect::kTrino);
  EXPECT_TRUE(Has(ddl, "CREATE SCHEMA IF NOT EXISTS hive.\"analytics\";")) << ddl;
  EXPECT_TRUE(Has(ddl,
                  "CREATE TABLE IF NOT EXISTS hive.\"analytics\".\"events\" (\n"
                  "  \"_ingest_time\" timestamp,\n  \"_record_id\" bigint,\n"
                  "  \"Player\" varchar,\n  \"lvl\" integer,\n"))
      << ddl;
  EXPECT_TRUE(Has(ddl,
                  "  \"s\" ROW(\"x\" bigint, \"y\" ARRAY(varchar)),\n"
                  "  \"m\" MAP(varchar, double),\n  \"j\" varchar,\n"
                  "  \"dt\" varchar,\n  \"hr\" varchar\n)\nWITH (\n"
                  "  format = 'PARQUET',\n"
                  "  external_location = 's3://bucket/game/lake/events/',\n"
                  "  partitioned_by = ARRAY['dt', 'hr']\n);\n"
                  "CALL hive.system.sync_partition_metadata(schema_name => 'analytics', "
                  "table_name => 'events', mode => 'FULL');\n"
                  "-- New files in known partitions are read at once; a new hour"))
      << ddl;
  EXPECT_TRUE(Has(ddl, "hive.timestamp-precision=MICROSECONDS")) << ddl;
}

TEST_F(DdlExportTest, Spark) {
  std::string ddl = Ddl(DdlDialect::kSpark);
  EXPECT_TRUE(Has(ddl, "CREATE DATABASE IF NOT EXISTS `analytics`;")) << ddl;
  EXPECT_TRUE(Has(ddl,
                  "CREATE TABLE IF NOT EXISTS `analytics`.`events` (\n"
                  "  `_ingest_time` timestamp,\n"))
      << ddl;
  EXPECT_TRUE(Has(ddl,
                  "  `j` string,\n  `dt` string,\n  `hr` string\n)\nUSING PARQUET\n"
                  "PARTITIONED BY (`dt`, `hr`)\n"
                  "LOCATION 's3://bucket/game/lake/events/';\n"
                  "MSCK REPAIR TABLE `analytics`.`events`;\n-- New files"))
      << ddl;
  EXPECT_TRUE(Has(ddl, "SET spark.sql.session.timeZone = UTC")) << ddl;
}

TEST_F(DdlExportTest, QuotesIdentifiersAndParsesDialects) {
  lake_.Copy("odd`name/x.parquet", "SELECT 1 AS \"we\"\"ird`col\"");
  ASSERT_TRUE(catalog_->Crawl(false).ok());
  std::string athena = Ddl(DdlDialect::kAthena);
  EXPECT_TRUE(Has(athena, "`analytics`.`odd``name`")) << athena;
  EXPECT_TRUE(Has(athena, "`we\"ird``col` int")) << athena;
  std::string trino = Ddl(DdlDialect::kTrino);
  EXPECT_TRUE(Has(trino, "\"we\"\"ird`col\" integer")) << trino;

  EXPECT_EQ(ParseDdlDialect("athena").value(), DdlDialect::kAthena);
  EXPECT_EQ(ParseDdlDialect("Trino").value(), DdlDialect::kTrino);
  EXPECT_EQ(ParseDdlDialect("SPARK").value(), DdlDialect::kSpark);
  EXPECT_FALSE(ParseDdlDialect("hive").ok());
}

}  // namespace
}  // namespace gamelake
