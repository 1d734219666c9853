// QueryPlanner against hand-made catalog tables: which files each statement
// keeps, and that it keeps every file it cannot rule out.
#include "query/query_planner.h"

#include <duckdb.h>

#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/civil_time.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

DuckType T(const std::string& name) { return DuckType::Scalar(name); }

int64_t Us(std::string_view iso) { return ParseTime(iso).value(); }

class QueryPlannerTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(duckdb_open(nullptr, &db_), DuckDBSuccess);
    ASSERT_EQ(duckdb_connect(db_, &conn_), DuckDBSuccess);
    // events: five hour files 10:00..14:00 on 2026-11-26, x in [10h, 10h+9],
    // one whole-day file for 2026-11-25, and a hand-dropped file without x.
    auto events = std::make_shared<CatalogTable>();
    events->name = "events";
    events->columns = {
        {"_ingest_time", T("TIMESTAMP")}, {"_record_id", T("BIGINT")}, {"x", T("BIGINT")},
        {"name", T("VARCHAR")},           {"s", T("VARCHAR")},         {"late", T("BIGINT")}};
    events->partition_keys = {"dt", "hr"};
    for (int h = 10; h < 15; ++h) {
      uint64_t first = static_cast<uint64_t>(h) * 100, last = first + 99;
      LakePartition p = LakePartition::OfTime(Us(fmt::format("2026-11-26T{}:00:00Z", h)));
      CatalogFile f = File(LakeFilePath("events", p, {first, last, 0}), p, first, last);
      f.columns = {{"_ingest_time", T("TIMESTAMP")},
                   {"_record_id", T("BIGINT")},
                   {"x", T("BIGINT")},
                   {"name", T("VARCHAR")},
                   {"s", T("BIGINT")}};
      f.stats = {
          {StatValue::Int(p.start_us()), StatValue::Int(p.end_us() - 1)},
          {StatValue::Int(static_cast<int64_t>(first)), StatValue::Int(static_cast<int64_t>(last))},
          {StatValue::Int(h * 10), StatValue::Int(h * 10 + 9)},
          {StatValue::Text(fmt::format("n{}a", h)), StatValue::Text(fmt::format("n{}z", h))},
          {StatValue::Int(0), StatValue::Int(1)}};
      if (h == 14) f.columns.push_back({"late", T("BIGINT")}), f.stats.push_back({});
      events->files[f.path] = f;
    }
    LakePartition day = LakePartition::DayOf(Us("2026-11-25T00:00:00Z") / kMicrosPerHour);
    CatalogFile d = File(LakeFilePath("events", day, {1, 99, 0}), day, 1, 99);
    d.columns = {{"_ingest_time", T("TIMESTAMP")}, {"_record_id", T("BIGINT")}, {"x", T("BIGINT")}};
    d.stats = {{StatValue::Int(day.start_us()), StatValue::Int(day.end_us() - 1)},
               {StatValue::Int(1), StatValue::Int(99)},
               {StatValue::Int(0), StatValue::Int(9)}};
    events->files[d.path] = d;
    CatalogFile hand;
    hand.path = "events/misc/hand.parquet";
    hand.columns = {{"name", T("VARCHAR")}};
    events->files[hand.path] = hand;
    events_ = events;
    PlannerTable& t = ctx_.tables["events"];
    t.table = events_.get();
    t.columns = events->columns;
    t.partition_keys = {"dt", "hr"};
    PlannerTable& other = ctx_.tables["other"];
    other.columns = {{"x", T("BIGINT")}};  // A stream only the tail knows.
  }
  void TearDown() override {
    duckdb_disconnect(&conn_);
    duckdb_close(&db_);
  }

  static CatalogFile File(std::string path, LakePartition p, uint64_t first, uint64_t last) {
    CatalogFile f;
    f.path = std::move(path);
    f.first_seq = first;
    f.last_seq = last;
    f.partitions = ParsePartitions(p.Dir());
    return f;
  }

  // The hours (10..14), "day" and "hand" of the files the plan keeps for events.
  std::set<std::string> Kept(const std::string& sql) {
    ScanPlan plan = QueryPlanner::Plan(conn_, sql, ctx_);
    last_ = plan;
    std::set<std::string> out;
    auto it = plan.tables.find("events");
    if (it == plan.tables.end()) return {"<not read>"};
    if (it->second.shape_only) return {"<shape>"};
    std::vector<const CatalogFile*> files;
    if (it->second.all_files) {
      for (const auto& [path, f] : events_->files) files.push_back(&f);
    } else {
      files = it->second.files;
    }
    for (const CatalogFile* f : files) {
      if (!f->written()) {
        out.insert("hand");
      } else if (f->path.find("hr=all") != std::string::npos) {
        out.insert("day");
      } else {
        out.insert(std::to_string(f->first_seq / 100));
      }
    }
    return out;
  }

  using S = std::set<std::string>;
  const S kAll = {"10", "11", "12", "13", "14", "day", "hand"};

  duckdb_database db_ = nullptr;
  duckdb_connection conn_ = nullptr;
  std::shared_ptr<CatalogTable> events_;
  PlannerContext ctx_;
  ScanPlan last_;
};

TEST_F(QueryPlannerTest, ComparisonsOnStatisticsKeepOnlyFilesThatCanMatch) {
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x = 125"), S({"12"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE 125 = x"), S({"12"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x > 129"), S({"13", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x >= 129"), S({"12", "13", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x < 100"), S({"day"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x <= 100"), S({"10", "day"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x BETWEEN 115 AND 131"), S({"11", "12", "13"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x IN (101, 141)"), S({"10", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x = 101 OR x = 5"), S({"10", "day"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x > 100 AND x < 120 AND name = 'n11q'"), S({"11"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x = 1000"), S());
  // Numbers compare as numbers whatever their type: 120.5 is no BIGINT.
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x > 139.5"), S({"14"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x = 1.3e2"), S({"13"}));
  EXPECT_EQ(last_.files_total, 7u);
  EXPECT_EQ(last_.files_pruned, 6u);
}

TEST_F(QueryPlannerTest, TimesDatesAndPartitions) {
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _ingest_time >= '2026-11-26 13:30:00'"),
            S({"13", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _ingest_time < TIMESTAMP '2026-11-26 10:00:00'"),
            S({"day"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _ingest_time >= DATE '2026-11-26' + 1"), S());
  EXPECT_EQ(Kept("SELECT * FROM events WHERE dt = '2026-11-25'"), S({"day"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE hr = '11'"), S({"11", "day"}));  // A day has every hr.
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _record_id BETWEEN 1150 AND 1250"), S({"11", "12"}));
}

TEST_F(QueryPlannerTest, TheClockIsOnlyALowerBound) {
  // now() is later when the query runs than when the planner looks.
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _ingest_time >= now() - INTERVAL 1 HOUR"), S());
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _ingest_time > now() - INTERVAL 3650 DAY"),
            S({"10", "11", "12", "13", "14", "day"}));
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _ingest_time <= now() - INTERVAL 1 HOUR"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events WHERE _ingest_time >= INTERVAL 1 HOUR - now()"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x > random()"), kAll);
}

TEST_F(QueryPlannerTest, ColumnsAFileLacksAreNullThere) {
  // Only the 14:00 file has `late`; the others give NULL, which matches nothing.
  EXPECT_EQ(Kept("SELECT * FROM events WHERE late = 3"), S({"14"}));
  // The hand-dropped file has no x: NULL there too.
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x >= 0"), S({"10", "11", "12", "13", "14", "day"}));
  // s is BIGINT in the files but VARCHAR in the table: the view's CAST
  // compares text, which the numbers' order does not predict.
  EXPECT_EQ(Kept("SELECT * FROM events WHERE s = '5'"), S({"10", "11", "12", "13", "14"}));
}

TEST_F(QueryPlannerTest, EveryReferenceOfATableCounts) {
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x = 101 UNION ALL SELECT * FROM lake.events WHERE "
                 "x = 141"),
            S({"10", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM events a JOIN events b ON a.x = b.x WHERE a.x = 101"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events a JOIN events b ON a.x = b.x WHERE a.x = 101 AND b.x = 141"),
            S({"10", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM events a LEFT JOIN events b ON a.x = b.x WHERE a.x = 101 AND "
                 "b.x = 101"),
            S({"10"}));
  EXPECT_EQ(Kept("SELECT count(*) FROM (SELECT * FROM events) WHERE x = 101"), kAll);
  EXPECT_EQ(Kept("WITH e AS (SELECT * FROM events WHERE x = 131) SELECT * FROM e"), S({"13"}));
  EXPECT_EQ(Kept("SELECT * FROM other WHERE x IN (SELECT x FROM events WHERE x = 111)"), S({"11"}));
  EXPECT_EQ(Kept("SELECT (SELECT max(x) FROM events WHERE x < 100)"), S({"day"}));
}

TEST_F(QueryPlannerTest, WhatItCannotProveKeepsFiles) {
  // Unqualified column with two candidate tables; ASOF and POSITIONAL joins;
  // casts of the column; functions of it; NOT; OR across tables; a CTE that
  // shadows the table; a struct-looking reference.
  EXPECT_EQ(Kept("SELECT * FROM events, other WHERE x = 101"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events e ASOF JOIN other o ON e.x >= o.x WHERE e.x = 101"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events e POSITIONAL JOIN other o WHERE e.x = 101"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events WHERE CAST(x AS VARCHAR) = '101'"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x + 1 = 102"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events WHERE NOT x = 101"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events e, other o WHERE e.x = 101 OR o.x = 1"), kAll);
  EXPECT_EQ(Kept("WITH events AS (SELECT 1 AS x) SELECT * FROM events WHERE x = 101"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events WHERE events.x.y = 1"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x = ?"), kAll);
  EXPECT_EQ(Kept("SELECT * FROM events e(a) WHERE a = 101"), kAll);  // Renamed columns.
  // DuckDB will say why ('abc' is no number); NULL x (hand) matches nothing.
  EXPECT_EQ(Kept("SELECT * FROM events WHERE x = 'abc'"), S({"10", "11", "12", "13", "14", "day"}));
}

TEST_F(QueryPlannerTest, SavedViewsAreExpanded) {
  ctx_.views["recent"] = CatalogView{"Recent", "SELECT * FROM events WHERE x >= 140", "", 0};
  ctx_.views["pair"] = CatalogView{"pair",
                                   "SELECT * FROM recent UNION ALL SELECT * FROM events "
                                   "WHERE x = 101",
                                   "", 1};
  ctx_.views["loop"] = CatalogView{"loop", "SELECT * FROM loop", "", 2};
  EXPECT_EQ(Kept("SELECT count(*) FROM recent"), S({"14"}));
  EXPECT_EQ(Kept("SELECT count(*) FROM Recent WHERE x = 145"), S({"14"}));
  EXPECT_EQ(Kept("SELECT count(*) FROM pair"), S({"10", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM recent, events WHERE events.x = 131"), S({"13", "14"}));
  EXPECT_EQ(Kept("SELECT * FROM loop"), S({"<not read>"}));
}

TEST_F(QueryPlannerTest, StatementsOfOtherKinds) {
  EXPECT_EQ(Kept("DESCRIBE events"), S({"<shape>"}));
  EXPECT_EQ(Kept("DESCRIBE SELECT * FROM events WHERE x = 101"), S({"<shape>"}));
  EXPECT_EQ(Kept("SUMMARIZE events"), kAll);
  EXPECT_EQ(Kept("SHOW TABLES"), S({"<not read>"}));
  // Not serializable: planned by name, whole.
  EXPECT_EQ(Kept("PIVOT events ON name USING count(*)"), kAll);
  EXPECT_FALSE(last_.analyzed);
  EXPECT_EQ(Kept("SELECT * FROM nothing_here"), S({"<not read>"}));
  EXPECT_EQ(Kept("this is not SQL"), S({"<not read>"}));
}

}  // namespace
}  // namespace gamelake
