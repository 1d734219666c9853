#include "catalog/catalog.h"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "catalog_test_util.h"

namespace gamelake {
namespace {

const char* kEvents1 =
    "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000002.parquet";
const char* kEvents2 =
    "events/dt=2026-11-26/hr=11/events-00000000000000000003-00000000000000000005.parquet";

std::string FirstDelivered(TestLake* lake) {
  lake->Copy(kEvents1,
             "SELECT TIMESTAMP '2026-11-26 10:00:00' AS _ingest_time, range::BIGINT + 1 AS "
             "_record_id, 'p' || range AS player, range::BIGINT AS score, {'x': 1::BIGINT} AS s "
             "FROM range(2)");
  return kEvents1;
}

std::vector<std::string> Changes(const CatalogTable& t) {
  std::vector<std::string> out;
  for (const SchemaChange& c : t.history) {
    out.push_back(std::to_string(c.version) + " " + c.change + " @" + c.file);
  }
  return out;
}

TEST(CatalogTest, CrawlsDeliveredParquet) {
  TestLake lake;
  FirstDelivered(&lake);
  auto catalog = lake.Open();
  ASSERT_NE(catalog, nullptr);
  auto report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->files_seen, 1u);
  EXPECT_EQ(report->files_inspected, 1u);
  EXPECT_TRUE(report->bad_files.empty());
  EXPECT_EQ(report->tables, std::vector<std::string>{"events"});

  auto snap = catalog->Snapshot();
  const CatalogTable* t = snap->FindTable("events");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(ColumnsText(t->columns),
            "_ingest_time TIMESTAMP, _record_id BIGINT, player VARCHAR, score BIGINT, "
            "s STRUCT(\"x\" BIGINT)");
  EXPECT_EQ(t->partition_keys, (std::vector<std::string>{"dt", "hr"}));
  ASSERT_EQ(t->files.size(), 1u);
  const CatalogFile& f = t->files.at(kEvents1);
  EXPECT_EQ(f.format, FileFormat::kParquet);
  EXPECT_FALSE(f.gzip);
  EXPECT_EQ(f.rows, 2u);
  EXPECT_EQ(f.bytes, std::filesystem::file_size(lake.Abs(kEvents1)));
  EXPECT_EQ(f.first_seq, 1u);
  EXPECT_EQ(f.last_seq, 2u);
  EXPECT_EQ(f.partitions,
            (std::vector<std::pair<std::string, std::string>>{{"dt", "2026-11-26"}, {"hr", "10"}}));
  EXPECT_EQ(t->rows(), 2u);
  EXPECT_EQ(t->delivered_seq(), 2u);
  EXPECT_EQ(t->schema_version, 1);
  // The first file records its columns as "added" too, all in version 1.
  ASSERT_EQ(t->history.size(), 5u);
  EXPECT_EQ(t->history[0].change, "added column \"_ingest_time\" TIMESTAMP");
  EXPECT_EQ(t->history[4].change, "added column \"s\" STRUCT(\"x\" BIGINT)");
  for (const SchemaChange& c : t->history) {
    EXPECT_EQ(c.version, 1);
    EXPECT_EQ(c.file, kEvents1);
  }
  EXPECT_GT(snap->version, 0u);
}

TEST(CatalogTest, SchemaEvolvesAcrossFiles) {
  TestLake lake;
  FirstDelivered(&lake);
  lake.Copy(kEvents2,
            "SELECT TIMESTAMP '2026-11-26 11:00:00' AS _ingest_time, 3::BIGINT AS _record_id, "
            "42 AS Player, 1.5::DOUBLE AS SCORE, {'X': 2.5::DOUBLE, 'y': 'hi'} AS s, "
            "true AS wins");
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  auto snap = catalog->Snapshot();
  const CatalogTable* t = snap->FindTable("events");
  ASSERT_NE(t, nullptr);
  // First spelling wins; BIGINT+DOUBLE -> DOUBLE, VARCHAR+INTEGER -> VARCHAR,
  // structs merge field by field.
  EXPECT_EQ(ColumnsText(t->columns),
            "_ingest_time TIMESTAMP, _record_id BIGINT, player VARCHAR, score DOUBLE, "
            "s STRUCT(\"x\" DOUBLE, \"y\" VARCHAR), wins BOOLEAN");
  EXPECT_EQ(t->schema_version, 2);
  std::vector<std::string> changes = Changes(*t);
  ASSERT_EQ(changes.size(), 8u);
  EXPECT_EQ(changes[5], std::string("2 widened \"score\" BIGINT -> DOUBLE @") + kEvents2);
  EXPECT_EQ(changes[6], std::string("2 widened \"s\" STRUCT(\"x\" BIGINT) -> "
                                    "STRUCT(\"x\" DOUBLE, \"y\" VARCHAR) @") +
                            kEvents2);
  EXPECT_EQ(changes[7], std::string("2 added column \"wins\" BOOLEAN @") + kEvents2);
  // The file keeps its own columns and spelling.
  EXPECT_EQ(ColumnsText(t->files.at(kEvents2).columns),
            "_ingest_time TIMESTAMP, _record_id BIGINT, Player INTEGER, SCORE DOUBLE, "
            "s STRUCT(\"X\" DOUBLE, \"y\" VARCHAR), wins BOOLEAN");
  EXPECT_EQ(t->rows(), 3u);
  EXPECT_EQ(t->delivered_seq(), 5u);
}

TEST(CatalogTest, BigintAndVarcharGiveVarchar) {
  TestLake lake;
  lake.Copy("t/a.parquet", "SELECT 1::BIGINT AS v");
  lake.Copy("t/b.parquet", "SELECT 'x' AS v");
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  const CatalogTable* t = catalog->Snapshot()->FindTable("t");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(ColumnsText(t->columns), "v VARCHAR");
  EXPECT_EQ(Changes(*t).back(), "2 widened \"v\" BIGINT -> VARCHAR @t/b.parquet");
  EXPECT_TRUE(t->partition_keys.empty());
}

TEST(CatalogTest, ArbitraryHivePartitions) {
  TestLake lake;
  lake.Copy("game/region=eu/platform=pc%2Fmac/x.parquet", "SELECT 1 AS a");
  lake.Copy("game/region=us/y.parquet", "SELECT 2 AS a");
  lake.Copy("game/misc/z.parquet", "SELECT 3 AS a");
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  auto snap = catalog->Snapshot();
  const CatalogTable* t = snap->FindTable("game");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->partition_keys, (std::vector<std::string>{"region", "platform"}));
  EXPECT_EQ(
      t->files.at("game/region=eu/platform=pc%2Fmac/x.parquet").partitions,
      (std::vector<std::pair<std::string, std::string>>{{"region", "eu"}, {"platform", "pc/mac"}}));
  EXPECT_TRUE(t->files.at("game/misc/z.parquet").partitions.empty());
  EXPECT_EQ(t->files.at("game/misc/z.parquet").first_seq, 0u);
  // Columns never include partition keys (hive_partitioning is off).
  EXPECT_EQ(ColumnsText(t->columns), "a INTEGER");
  EXPECT_EQ(t->rows(), 3u);
}

TEST(CatalogTest, HandDroppedTextFilesAndIgnoredNames) {
  TestLake lake;
  lake.Write("manual/a.json", "{\"id\":1,\"day\":\"2026-11-26\",\"tags\":[\"x\"]}\n{\"id\":2}\n");
  lake.Write("manual/b.csv", "id,name\n3,carol\n4,dave\n5,erin\n");
  lake.Copy("manual/c.ndjson.gz", "SELECT 6::BIGINT AS id, 1.5 AS score",
            "FORMAT json, COMPRESSION gzip");
  lake.Copy("manual/sub/d.csv.gz", "SELECT 7 AS id UNION ALL SELECT 8",
            "FORMAT csv, HEADER true, COMPRESSION gzip");
  lake.Write("manual/e.jsonl", "{\"id\":9}\n");
  lake.Write("manual/.f.parquet.tmp", "partial");
  lake.Write("manual/_SUCCESS", "");
  lake.Write("manual/readme.txt", "hello");
  lake.Write("manual/.hidden/g.json", "{\"id\":10}\n");
  lake.Write("manual/_temporary/h.json", "{\"id\":11}\n");
  lake.Write(".trash/i.json", "{\"id\":12}\n");
  auto catalog = lake.Open();
  auto report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->files_seen, 5u);
  EXPECT_TRUE(report->bad_files.empty());
  EXPECT_EQ(report->tables, std::vector<std::string>{"manual"});
  auto snap = catalog->Snapshot();
  const CatalogTable* t = snap->FindTable("manual");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->files.size(), 5u);
  EXPECT_EQ(t->files.at("manual/a.json").format, FileFormat::kNdjson);
  EXPECT_EQ(t->files.at("manual/a.json").rows, 2u);
  EXPECT_EQ(t->files.at("manual/b.csv").format, FileFormat::kCsv);
  EXPECT_EQ(t->files.at("manual/b.csv").rows, 3u);
  EXPECT_TRUE(t->files.at("manual/c.ndjson.gz").gzip);
  EXPECT_EQ(t->files.at("manual/c.ndjson.gz").format, FileFormat::kNdjson);
  EXPECT_EQ(t->files.at("manual/sub/d.csv.gz").rows, 2u);
  EXPECT_TRUE(t->files.at("manual/sub/d.csv.gz").gzip);
  EXPECT_EQ(t->files.at("manual/e.jsonl").rows, 1u);
  // A date-looking string stays VARCHAR, as delivery stores it.
  EXPECT_EQ(ColumnsText(t->files.at("manual/a.json").columns),
            "id BIGINT, day VARCHAR, tags VARCHAR[]");
  EXPECT_EQ(ColumnsText(t->columns),
            "id BIGINT, day VARCHAR, tags VARCHAR[], name VARCHAR, score DOUBLE");
  EXPECT_EQ(t->rows(), 9u);
}

TEST(CatalogTest, ErrorsTableKeepsItsDeliveredFiles) {
  TestLake lake;
  lake.Copy("_errors/dt=2026-11-26/hr=10/_errors-00000000000000000007-00000000000000000009.parquet",
            "SELECT 'events' AS stream, 'bad_json' AS code");
  lake.Write("_errors/_SUCCESS", "");
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  const CatalogTable* t = catalog->Snapshot()->FindTable("_errors");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->files.size(), 1u);
  EXPECT_EQ(t->delivered_seq(), 9u);
  EXPECT_EQ(t->rows(), 1u);
}

TEST(CatalogTest, CorruptAndTruncatedParquetAreBadFiles) {
  TestLake lake;
  FirstDelivered(&lake);
  lake.Copy("events/dt=2026-11-26/hr=12/trunc.parquet", "SELECT range AS score FROM range(1000)");
  lake.Truncate("events/dt=2026-11-26/hr=12/trunc.parquet", 100);
  lake.Write("events/dt=2026-11-26/hr=12/garbage.parquet", std::string(4096, 'x'));
  lake.Write("events/broken.json", "{\"a\":1}\n{\"a\":\n");
  auto catalog = lake.Open();
  auto report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->bad_files.size(), 3u);
  auto snap = catalog->Snapshot();
  ASSERT_EQ(snap->bad_files.size(), 3u);
  const BadFile& trunc = snap->bad_files.at("events/dt=2026-11-26/hr=12/trunc.parquet");
  EXPECT_NE(trunc.reason.find("trunc.parquet"), std::string::npos) << trunc.reason;
  EXPECT_EQ(trunc.reason.find('\n'), std::string::npos);
  EXPECT_FALSE(snap->bad_files.at("events/dt=2026-11-26/hr=12/garbage.parquet").reason.empty());
  EXPECT_NE(snap->bad_files.at("events/broken.json").reason.find("JSON"), std::string::npos);
  // The rest of the table works.
  const CatalogTable* t = snap->FindTable("events");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->files.size(), 1u);
  EXPECT_EQ(t->rows(), 2u);

  // Unchanged bad files are not retried by an incremental crawl...
  report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_inspected, 0u);
  EXPECT_EQ(report->bad_files.size(), 3u);
  // ...but are once they change; a repaired file joins its table.
  lake.Copy("events/dt=2026-11-26/hr=12/trunc.parquet", "SELECT range AS score FROM range(1000)");
  report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_inspected, 1u);
  EXPECT_EQ(report->bad_files.size(), 2u);
  EXPECT_EQ(catalog->Snapshot()->FindTable("events")->rows(), 1002u);
  // A bad file that disappears is forgotten.
  lake.Remove("events/broken.json");
  ASSERT_TRUE(catalog->Crawl(false).ok());
  EXPECT_EQ(catalog->Snapshot()->bad_files.count("events/broken.json"), 0u);
}

TEST(CatalogTest, AddFileInspectsOneFileSavesAndNotifies) {
  TestLake lake;
  FirstDelivered(&lake);
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  std::mutex mu;
  std::vector<uint64_t> versions;
  catalog->SetListener([&](uint64_t v) {
    std::lock_guard<std::mutex> lock(mu);
    versions.push_back(v);
  });
  uint64_t before = catalog->Snapshot()->version;
  lake.Copy(kEvents2,
            "SELECT TIMESTAMP '2026-11-26 11:00:00' AS _ingest_time, 3::BIGINT AS _record_id, "
            "'p9' AS player, 7::BIGINT AS score, {'x': 1::BIGINT} AS s, 1 AS level");
  ASSERT_TRUE(catalog->AddFile(kEvents2).ok());
  auto snap = catalog->Snapshot();
  EXPECT_EQ(snap->version, before + 1);
  EXPECT_EQ(versions, std::vector<uint64_t>{before + 1});
  const CatalogTable* t = snap->FindTable("events");
  EXPECT_EQ(t->files.size(), 2u);
  EXPECT_EQ(t->delivered_seq(), 5u);
  EXPECT_EQ(ColumnsText(t->columns).substr(ColumnsText(t->columns).rfind(',') + 2),
            "level INTEGER");
  // A new table appears with its first file.
  lake.Copy("clicks/dt=2026-11-26/hr=10/clicks-00000000000000000010-00000000000000000010.parquet",
            "SELECT 1 AS x");
  ASSERT_TRUE(
      catalog
          ->AddFile(
              "clicks/dt=2026-11-26/hr=10/clicks-00000000000000000010-00000000000000000010.parquet")
          .ok());
  EXPECT_NE(catalog->Snapshot()->FindTable("clicks"), nullptr);
  // Saved: a fresh Open sees both.
  auto reopened = lake.Open();
  EXPECT_EQ(reopened->Snapshot()->FindTable("events")->files.size(), 2u);
  EXPECT_NE(reopened->Snapshot()->FindTable("clicks"), nullptr);

  // Errors.
  lake.Write("events/bad.parquet", "nope");
  Status s = catalog->AddFile("events/bad.parquet");
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("events/bad.parquet"), std::string::npos) << s.ToString();
  EXPECT_EQ(catalog->Snapshot()->bad_files.count("events/bad.parquet"), 1u);
  EXPECT_EQ(catalog->AddFile("events/missing.parquet").code(), Status::Code::kNotFound);
  EXPECT_EQ(catalog->AddFile("../etc/passwd.csv").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(catalog->AddFile("/abs/x.parquet").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(catalog->AddFile("top.parquet").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(catalog->AddFile("events/readme.txt").code(), Status::Code::kInvalidArgument);
}

TEST(CatalogTest, IncrementalCrawlInspectsOnlyChangedFiles) {
  TestLake lake;
  FirstDelivered(&lake);
  lake.Copy("other/a.parquet", "SELECT 1 AS a");
  lake.Copy("other/b.parquet", "SELECT 2 AS a");
  auto catalog = lake.Open();
  auto report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_inspected, 3u);
  uint64_t version = catalog->Snapshot()->version;

  report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_seen, 3u);
  EXPECT_EQ(report->files_inspected, 0u);
  EXPECT_EQ(catalog->Snapshot()->version, version);  // Nothing changed, nothing saved.

  // A new file and a changed file (different size).
  lake.Copy("other/c.parquet", "SELECT 3 AS a");
  lake.Copy("other/a.parquet", "SELECT range AS a FROM range(500)");
  report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_inspected, 2u);
  auto snap = catalog->Snapshot();
  EXPECT_EQ(snap->FindTable("other")->rows(), 502u);
  EXPECT_EQ(ColumnsText(snap->FindTable("other")->columns), "a BIGINT");

  // A full crawl inspects everything but changes nothing.
  report = catalog->Crawl(true);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_inspected, 4u);
  EXPECT_EQ(catalog->Snapshot()->version, snap->version);

  // A reopened catalog knows what it inspected.
  auto reopened = lake.Open();
  report = reopened->Crawl(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_inspected, 0u);

  // Removed files and tables are dropped; the schema keeps its columns.
  lake.Remove("other/b.parquet");
  lake.Remove("events");
  report = reopened->Crawl(false);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->files_removed, 2u);
  EXPECT_EQ(report->tables, std::vector<std::string>{"other"});
  snap = reopened->Snapshot();
  EXPECT_EQ(snap->FindTable("events"), nullptr);
  EXPECT_EQ(snap->FindTable("other")->files.count("other/b.parquet"), 0u);
  EXPECT_EQ(snap->FindTable("other")->files.size(), 2u);
  EXPECT_EQ(ColumnsText(snap->FindTable("other")->columns), "a BIGINT");
}

TEST(CatalogTest, EmptyTableFolderIsATableAndMissingLakeIsEmpty) {
  TestLake lake;
  std::filesystem::create_directories(lake.Abs("newstream"));
  auto catalog = lake.Open();
  auto report = catalog->Crawl(false);
  ASSERT_TRUE(report.ok());
  const CatalogTable* t = catalog->Snapshot()->FindTable("newstream");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->columns.empty());
  EXPECT_EQ(t->rows(), 0u);

  CatalogOptions options = lake.Options();
  options.lake_dir = lake.data() + "/no-such-lake";
  options.dir = lake.data() + "/catalog2";
  auto empty = Catalog::Open(options);
  ASSERT_TRUE(empty.ok());
  report = (*empty)->Crawl(false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->tables.empty());
}

TEST(CatalogTest, CaseInsensitiveLookupsAndViews) {
  TestLake lake;
  FirstDelivered(&lake);
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  std::vector<uint64_t> versions;
  catalog->SetListener([&](uint64_t v) { versions.push_back(v); });

  auto snap = catalog->Snapshot();
  EXPECT_NE(snap->FindTable("EVENTS"), nullptr);
  EXPECT_NE(snap->FindTable("Events"), nullptr);
  EXPECT_EQ(snap->FindTable("event"), nullptr);

  CatalogView v{"TopPlayers", "SELECT player FROM events ORDER BY score DESC LIMIT 10", "key1",
                123};
  ASSERT_TRUE(catalog->CreateView(v, false).ok());
  snap = catalog->Snapshot();
  const CatalogView* found = snap->FindView("topplayers");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->name, "TopPlayers");
  EXPECT_EQ(found->sql, v.sql);
  EXPECT_EQ(found->created_by, "key1");
  EXPECT_EQ(found->created_us, 123);

  CatalogView again{"TOPPLAYERS", "SELECT 1", "key2", 456};
  Status s = catalog->CreateView(again, false);
  EXPECT_EQ(s.code(), Status::Code::kAlreadyExists);
  EXPECT_NE(s.message().find("already exists"), std::string::npos);
  EXPECT_EQ(catalog->Snapshot()->FindView("topplayers")->sql, v.sql);
  ASSERT_TRUE(catalog->CreateView(again, true).ok());
  EXPECT_EQ(catalog->Snapshot()->FindView("topplayers")->sql, "SELECT 1");
  EXPECT_EQ(catalog->Snapshot()->views.size(), 1u);

  // A view may not be named like a table.
  EXPECT_EQ(catalog->CreateView(CatalogView{"Events", "SELECT 1", "", 0}, true).code(),
            Status::Code::kAlreadyExists);
  EXPECT_FALSE(catalog->CreateView(CatalogView{"", "SELECT 1", "", 0}, true).ok());

  EXPECT_EQ(catalog->DropView("nope", false).code(), Status::Code::kNotFound);
  EXPECT_TRUE(catalog->DropView("nope", true).ok());
  ASSERT_TRUE(catalog->DropView("topPLAYERS", false).ok());
  EXPECT_EQ(catalog->Snapshot()->FindView("TopPlayers"), nullptr);
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_LT(versions[0], versions[1]);
  EXPECT_LT(versions[1], versions[2]);
  EXPECT_EQ(lake.Open()->Snapshot()->views.size(), 0u);
}

void ExpectSameType(const DuckType& a, const DuckType& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.field_names, b.field_names);
  EXPECT_EQ(a.array_size, b.array_size);
  ASSERT_EQ(a.children.size(), b.children.size());
  for (size_t i = 0; i < a.children.size(); ++i) ExpectSameType(a.children[i], b.children[i]);
}

void ExpectSameColumns(const std::vector<ColumnInfo>& a, const std::vector<ColumnInfo>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, b[i].name);
    ExpectSameType(a[i].type, b[i].type);
  }
}

void ExpectSameSnapshot(const CatalogSnapshot& a, const CatalogSnapshot& b) {
  EXPECT_EQ(a.version, b.version);
  ASSERT_EQ(a.tables.size(), b.tables.size());
  for (const auto& [name, ta] : a.tables) {
    ASSERT_EQ(b.tables.count(name), 1u) << name;
    const CatalogTable& tb = *b.tables.at(name);
    EXPECT_EQ(ta->name, tb.name);
    ExpectSameColumns(ta->columns, tb.columns);
    EXPECT_EQ(ta->partition_keys, tb.partition_keys);
    EXPECT_EQ(ta->schema_version, tb.schema_version);
    EXPECT_EQ(ta->created_us, tb.created_us);
    EXPECT_EQ(ta->updated_us, tb.updated_us);
    ASSERT_EQ(ta->history.size(), tb.history.size());
    for (size_t i = 0; i < ta->history.size(); ++i) {
      EXPECT_EQ(ta->history[i].version, tb.history[i].version);
      EXPECT_EQ(ta->history[i].time_us, tb.history[i].time_us);
      EXPECT_EQ(ta->history[i].change, tb.history[i].change);
      EXPECT_EQ(ta->history[i].file, tb.history[i].file);
    }
    ASSERT_EQ(ta->files.size(), tb.files.size());
    for (const auto& [path, fa] : ta->files) {
      ASSERT_EQ(tb.files.count(path), 1u) << path;
      const CatalogFile& fb = tb.files.at(path);
      EXPECT_EQ(fa.path, fb.path);
      EXPECT_EQ(fa.format, fb.format);
      EXPECT_EQ(fa.gzip, fb.gzip);
      EXPECT_EQ(fa.bytes, fb.bytes);
      EXPECT_EQ(fa.mtime_us, fb.mtime_us);
      EXPECT_EQ(fa.rows, fb.rows);
      EXPECT_EQ(fa.partitions, fb.partitions);
      EXPECT_EQ(fa.first_seq, fb.first_seq);
      EXPECT_EQ(fa.last_seq, fb.last_seq);
      EXPECT_EQ(fa.version, fb.version);
      EXPECT_EQ(fa.node, fb.node);
      EXPECT_EQ(fa.remote, fb.remote);
      EXPECT_EQ(fa.etag, fb.etag);
      EXPECT_EQ(fa.stats, fb.stats);
      ExpectSameColumns(fa.columns, fb.columns);
    }
  }
  ASSERT_EQ(a.views.size(), b.views.size());
  for (const auto& [key, va] : a.views) {
    ASSERT_EQ(b.views.count(key), 1u);
    EXPECT_EQ(va.name, b.views.at(key).name);
    EXPECT_EQ(va.sql, b.views.at(key).sql);
    EXPECT_EQ(va.created_by, b.views.at(key).created_by);
    EXPECT_EQ(va.created_us, b.views.at(key).created_us);
  }
  ASSERT_EQ(a.bad_files.size(), b.bad_files.size());
  for (const auto& [path, ba] : a.bad_files) {
    ASSERT_EQ(b.bad_files.count(path), 1u);
    EXPECT_EQ(ba.reason, b.bad_files.at(path).reason);
    EXPECT_EQ(ba.seen_us, b.bad_files.at(path).seen_us);
  }
}

TEST(CatalogTest, PersistenceRoundTrip) {
  TestLake lake;
  FirstDelivered(&lake);
  lake.Copy(kEvents2,
            "SELECT 5::BIGINT AS _record_id, MAP {'k': [1, 2]} AS m, 1.25::DECIMAL(10,2) AS d, "
            "[{'a b': 1, 'c\"': [true]}] AS nested, '\"x\"'::JSON AS j, "
            "union_value(n := 1)::UNION(n INTEGER, s VARCHAR) AS u");
  lake.Copy("events/dt=2026-11-26/hr=11/other.parquet",
            "SELECT 6::BIGINT AS _record_id, MAP {'k': [3]} AS m");
  lake.Copy("events/dt=2026-11-26/hr=11/other2.parquet",
            "SELECT 7::BIGINT AS _record_id, MAP {'k': [4]} AS m");
  lake.Write("manual/a.json", "{\"id\":1}\n");
  lake.Write("events/bad.parquet", "junk");
  // Another node's file of a shared lake: remote, its ETag and node kept.
  const std::string remote =
      "events/dt=2026-11-26/hr=12/events-00000000000000000001-00000000000000000004.b.parquet";
  RemoteFileChange change;
  change.added.push_back(
      lake.RemoteCopy(remote, "SELECT range::BIGINT + 1 AS _record_id FROM range(4)"));
  {
    auto catalog = lake.Open();
    ASSERT_TRUE(catalog->Crawl(false).ok());
    ASSERT_TRUE(catalog->ApplyRemote(change).ok());
    const CatalogFile& rf = catalog->Snapshot()->FindTable("events")->files.at(remote);
    EXPECT_TRUE(rf.remote);
    EXPECT_EQ(rf.node, "b");
    EXPECT_EQ(rf.etag, "0123456789abcdef0123456789abcdef");
    ASSERT_TRUE(
        catalog->CreateView(CatalogView{"V1", "SELECT \"it's\" FROM events", "k", 7}, false).ok());
    auto snap = catalog->Snapshot();
    auto reopened = lake.Open();
    ExpectSameSnapshot(*snap, *reopened->Snapshot());
    // Same-schema files share one schema entry on disk.
    auto text = Env::Default()->ReadFile(lake.data() + "/catalog/catalog.json");
    ASSERT_TRUE(text.ok());
    EXPECT_NE(text->find("\"kind\":\"map\""), std::string::npos);
    // "m": the table's column, kEvents2's schema, and one schema shared by
    // other.parquet and other2.parquet.
    size_t count = 0;
    for (size_t pos = text->find("\"name\":\"m\""); pos != std::string::npos;
         pos = text->find("\"name\":\"m\"", pos + 1)) {
      ++count;
    }
    EXPECT_EQ(count, 3u) << *text;
  }
}

TEST(CatalogTest, CorruptCatalogJsonIsSetAsideAndRebuilt) {
  TestLake lake;
  FirstDelivered(&lake);
  std::filesystem::create_directories(lake.data() + "/catalog");
  {
    std::ofstream out(lake.data() + "/catalog/catalog.json");
    out << "{\"format\":1,\"version\":3,\"tables\":[{\"name\":";  // Torn.
  }
  auto catalog = lake.Open();
  ASSERT_NE(catalog, nullptr);
  EXPECT_TRUE(catalog->Snapshot()->tables.empty());
  EXPECT_FALSE(std::filesystem::exists(lake.data() + "/catalog/catalog.json"));
  int corrupt = 0;
  for (const auto& e : std::filesystem::directory_iterator(lake.data() + "/catalog")) {
    if (e.path().filename().string().rfind("catalog.json.corrupt-", 0) == 0) ++corrupt;
  }
  EXPECT_EQ(corrupt, 1);
  ASSERT_TRUE(catalog->Crawl(false).ok());
  EXPECT_NE(catalog->Snapshot()->FindTable("events"), nullptr);
  EXPECT_TRUE(std::filesystem::exists(lake.data() + "/catalog/catalog.json"));

  // Valid JSON that is not a catalog is corrupt too.
  {
    std::ofstream out(lake.data() + "/catalog/catalog.json", std::ios::trunc);
    out << "[1,2,3]";
  }
  EXPECT_TRUE(lake.Open()->Snapshot()->tables.empty());
}

TEST(CatalogTest, AddFileAndCrawlConcurrently) {
  TestLake lake;
  FirstDelivered(&lake);
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  constexpr int kFiles = 6;
  std::vector<std::string> paths;
  for (int i = 0; i < kFiles; ++i) {
    std::string seq = std::to_string(100 + i);
    std::string pad = std::string(20 - seq.size(), '0') + seq;
    paths.push_back("events/dt=2026-11-27/hr=00/events-" + pad + "-" + pad + ".parquet");
    lake.Copy(paths.back(), "SELECT " + seq + "::BIGINT AS _record_id");
  }
  std::thread adder([&] {
    for (const std::string& p : paths) EXPECT_TRUE(catalog->AddFile(p).ok()) << p;
  });
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(catalog->Crawl(i == 1).ok());
    EXPECT_NE(catalog->Snapshot()->FindTable("events"), nullptr);
  }
  adder.join();
  auto snap = catalog->Snapshot();
  EXPECT_EQ(snap->FindTable("events")->files.size(), static_cast<size_t>(kFiles + 1));
  EXPECT_EQ(snap->FindTable("events")->delivered_seq(), 105u);
  ExpectSameSnapshot(*snap, *lake.Open()->Snapshot());
}

TEST(CatalogTest, FooterStatisticsForEveryScalarColumnSurviveASave) {
  TestLake lake;
  // Nested columns first (a list of structs and a map take several Parquet
  // leaves), then scalars; two row groups; a long text; an all-NULL column.
  lake.Copy("t/dt=2026-11-26/hr=10/" + LakeFileName{1, 300, 0}.Format("t"),
            "SELECT [{'a': i, 'b': i}] AS l, MAP {'k': i} AS m, "
            "TIMESTAMP '2026-11-26 10:00:00' + to_seconds(i) AS _ingest_time, "
            "(i + 1)::BIGINT AS _record_id, i * 1.5::DOUBLE AS d, (i - 100)::INTEGER AS n, "
            "CASE WHEN i = 7 THEN repeat('z', 300) ELSE 'p' || (i % 10) END AS s, "
            "NULL::BIGINT AS nothing, DATE '2026-01-01' + i::INT AS day, {'x': i} AS st "
            "FROM range(300) t(i)",
            "FORMAT parquet, ROW_GROUP_SIZE 128");
  auto catalog = lake.Open();
  ASSERT_TRUE(catalog->Crawl(false).ok());
  auto check = [](const CatalogFile& f) {
    EXPECT_EQ(f.rows, 300u);
    auto stats = [&](const char* c) {
      const ColumnStats* s = f.StatsOf(c);
      EXPECT_NE(s, nullptr) << c;
      return s != nullptr ? *s : ColumnStats{};
    };
    EXPECT_EQ(stats("_record_id").min, StatValue::Int(1));
    EXPECT_EQ(stats("_record_id").max, StatValue::Int(300));
    EXPECT_EQ(stats("_ingest_time").min, StatValue::Int(1795687200000000));
    EXPECT_EQ(stats("_ingest_time").max, StatValue::Int(1795687200000000 + 299'000'000));
    EXPECT_EQ(stats("d").min, StatValue::Double(0));
    EXPECT_EQ(stats("d").max, StatValue::Double(448.5));
    EXPECT_EQ(stats("n").min, StatValue::Int(-100));
    EXPECT_EQ(stats("n").max, StatValue::Int(199));
    EXPECT_EQ(stats("s").min, StatValue::Text("p0"));
    // The 300-byte text is the maximum, and the footer could only cut it short.
    EXPECT_FALSE(stats("s").max.known());
    EXPECT_FALSE(stats("nothing").min.known());
    EXPECT_EQ(stats("day").min, StatValue::Int(1767225600000000));
    EXPECT_FALSE(stats("l").min.known());
    EXPECT_FALSE(stats("st").max.known());
  };
  const CatalogFile& f = catalog->Snapshot()->FindTable("t")->files.begin()->second;
  check(f);
  catalog.reset();
  catalog = lake.Open();  // From catalog.json.
  check(catalog->Snapshot()->FindTable("t")->files.begin()->second);
}

}  // namespace
}  // namespace gamelake
