// QueryEngine over a real lake (Parquet written by DuckDB), a real catalog
// and a real log with its live tail: SQL, schema evolution, views that
// persist, partition pruning, the sandbox, timeouts, cancellation, and
// exactly-once visibility of records not yet delivered.
#include "query/query_engine.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

#include "../catalog/catalog_test_util.h"
#include "log/wal.h"
#include "query/live_tail.h"

namespace gamelake {
namespace {

// Keeps every row as text ("NULL" for NULL), for assertions.
class Collect : public ResultSink {
 public:
  Status Begin(const std::vector<ResultColumn>& columns) override {
    this->columns = columns;
    return Status::OK();
  }
  Status AddRow(std::span<const Cell> row) override {
    std::vector<std::string> r;
    for (const Cell& c : row) {
      switch (c.kind) {
        case Cell::Kind::kNull:
          r.push_back("NULL");
          break;
        case Cell::Kind::kBool:
          r.push_back(c.b ? "true" : "false");
          break;
        case Cell::Kind::kInt:
          r.push_back(std::to_string(c.i));
          break;
        case Cell::Kind::kUInt:
          r.push_back(std::to_string(c.u));
          break;
        case Cell::Kind::kDouble:
          r.push_back(fmt::format("{}", c.d));
          break;
        default:
          r.push_back(std::string(c.text));
      }
    }
    rows.push_back(std::move(r));
    return Status::OK();
  }
  Status Finish(const QueryStats& s) override {
    stats = s;
    finished = true;
    return Status::OK();
  }
  void Abort(const Status&) override { aborted = true; }

  std::vector<ResultColumn> columns;
  std::vector<std::vector<std::string>> rows;
  QueryStats stats;
  bool finished = false;
  bool aborted = false;
};

class QueryEngineTest : public testing::Test {
 protected:
  void SetUp() override {
    // Two delivered files in two hours; the second adds a column and widens one.
    lake_.Copy(
        "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000003.parquet",
        "SELECT TIMESTAMP '2026-11-26 10:00:00' + to_seconds(i) AS _ingest_time, "
        "i + 1 AS _record_id, 'p' || i AS PlayerID, (i * 2000)::BIGINT AS \"Time Played\", "
        "i::BIGINT AS Wins FROM range(3) t(i)");
    lake_.Copy(
        "events/dt=2026-11-26/hr=11/events-00000000000000000004-00000000000000000005.parquet",
        "SELECT TIMESTAMP '2026-11-26 11:00:00' + to_seconds(i) AS _ingest_time, "
        "i + 4 AS _record_id, 'q' || i AS PlayerID, 4000.5 AS \"Time Played\", "
        "i::BIGINT AS Wins, 'cat' AS CaughtBy FROM range(2) t(i)");
    Reopen();
  }

  void Reopen(LiveTail* tail = nullptr, double timeout_s = 300, bool footer_cache = false) {
    engine_.reset();
    catalog_ = lake_.Open();
    ASSERT_NE(catalog_, nullptr);
    ASSERT_TRUE(catalog_->Crawl(false).ok());
    QueryEngineOptions o;
    o.timeout_s = timeout_s;
    o.parquet_metadata_cache = footer_cache;
    o.history_path = lake_.data() + "/catalog/query_history.ndjson";
    auto e = QueryEngine::Open(catalog_.get(), tail, o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }

  // timeout_s: the query's own timeout (0: the engine's).
  Result<std::vector<std::vector<std::string>>> Rows(const std::string& sql, double timeout_s = 0) {
    Collect sink;
    QueryRequest r;
    r.sql = sql;
    r.timeout_s = timeout_s;
    Result<QueryStats> s = engine_->Run(r, &sink);
    if (!s.ok()) return s.status();
    EXPECT_TRUE(sink.finished);
    return sink.rows;
  }

  std::string One(const std::string& sql) {
    auto rows = Rows(sql);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
    if (!rows.ok() || rows->empty() || rows->front().empty()) return "<none>";
    return rows->front().front();
  }

  // The log of this test's data dir (no fsync), for the live tail.
  Result<std::unique_ptr<Wal>> OpenLog() {
    WalOptions wo;
    wo.dir = lake_.data() + "/log";
    wo.durability = Durability::kNone;
    RecoveryReport report;
    return Wal::Open(wo, &report);
  }

  // A stream the tail just learnt becomes a table once the engine republishes
  // its views (asynchronously): waits, boundedly, until `sql` binds.
  void WaitUntilItBinds(const std::string& sql) {
    for (int i = 0; i < 100 && !Rows(sql).ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  TestLake lake_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<QueryEngine> engine_;
};

TEST_F(QueryEngineTest, TablesAreQueryableByStreamNameIgnoringCase) {
  EXPECT_EQ(One("SELECT count(*) FROM events"), "5");
  EXPECT_EQ(One("SELECT count(*) FROM lake.events"), "5");
  EXPECT_EQ(One("SELECT count(*) FROM \"EVENTS\""), "5");
  // Athena-style: a quoted lower-case name finds "Time Played".
  EXPECT_EQ(One("SELECT count(*) FROM events WHERE \"time played\" > 3600"), "3");
  EXPECT_EQ(One("SELECT string_agg(DISTINCT dt, ',') FROM events"), "2026-11-26");
}

// The caches DuckDB 1.4 keeps per file read, with no bound but the memory
// limit (file bytes) or none at all (footers), are off unless asked for: a
// lake that keeps getting new files made a long-running server grow.
TEST_F(QueryEngineTest, PerFileCachesThatNeverShrinkAreOffUnlessAskedFor) {
  EXPECT_EQ(One("SELECT current_setting('enable_external_file_cache')"), "false");
  EXPECT_EQ(One("SELECT current_setting('parquet_metadata_cache')"), "false");
  EXPECT_EQ(One("SELECT count(*) FROM events"), "5");
  Reopen(nullptr, 300, true);
  EXPECT_EQ(One("SELECT current_setting('parquet_metadata_cache')"), "true");
  EXPECT_EQ(One("SELECT count(*) FROM events"), "5");
}

// DuckDB creates only the last folder of its spill path, when a query first
// spills: the engine makes the whole path, so the first query too big for
// the memory limit spills instead of failing.
TEST_F(QueryEngineTest, AQueryBeyondTheMemoryLimitSpillsIntoAFolderTheEngineMade) {
  engine_.reset();
  QueryEngineOptions o;
  o.temp_dir = lake_.data() + "/tmp/sql";
  o.memory_limit = "128MB";
  o.threads = 1;
  auto e = QueryEngine::Open(catalog_.get(), nullptr, o);
  ASSERT_THAT(e.status(), IsOk());
  engine_ = std::move(e).value();
  EXPECT_TRUE(std::filesystem::is_directory(o.temp_dir));
  EXPECT_EQ(One("SELECT max(n) FROM (SELECT row_number() OVER (ORDER BY k) AS n FROM "
                "(SELECT 'player-' || (i * 7919 % 4000000) || '-' || i AS k FROM range(4000000) "
                "t(i)))"),
            "4000000");
}

TEST_F(QueryEngineTest, SchemaEvolutionWidensAndAddsColumns) {
  Collect sink;
  QueryRequest r;
  r.sql = "SELECT \"Time Played\", CaughtBy FROM events ORDER BY _record_id";
  ASSERT_TRUE(engine_->Run(r, &sink).ok());
  ASSERT_EQ(sink.rows.size(), 5u);
  EXPECT_EQ(sink.columns[0].type, "DOUBLE");  // BIGINT in one file, DOUBLE in the other.
  EXPECT_EQ(sink.rows[1][0], "2000");
  EXPECT_EQ(sink.rows[1][1], "NULL");  // The first file has no CaughtBy.
  EXPECT_EQ(sink.rows[4][0], "4000.5");
  EXPECT_EQ(sink.rows[4][1], "cat");
}

TEST_F(QueryEngineTest, DuckDbSqlWorks) {
  EXPECT_EQ(One("WITH w AS (SELECT Wins, row_number() OVER (ORDER BY _record_id DESC) AS n "
                "FROM events) SELECT Wins FROM w WHERE n = 1"),
            "1");
  EXPECT_EQ(One("SELECT approx_quantile(Wins, 0.5)::BIGINT FROM events"), "1");
  EXPECT_EQ(One("SELECT count(DISTINCT date_trunc('hour', _ingest_time)) FROM events"), "2");
  EXPECT_EQ(One("SELECT json_extract_string('{\"a\":\"b\"}', '$.a')"), "b");
  EXPECT_EQ(One("SELECT {'a': 1, 'b': [1, 2]}"), "{\"a\":1,\"b\":[1,2]}");
  EXPECT_EQ(One("SELECT 1.50::DECIMAL(10,2)"), "1.50");
}

TEST_F(QueryEngineTest, SqlErrorsCarryTheEngineMessageAndPosition) {
  auto r = Rows("SELECT nope FROM events");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
  EXPECT_NE(r.status().message().find("LINE 1"), std::string::npos);
  r = Rows("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos);
  r = Rows("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_table"), std::string::npos);
  EXPECT_EQ(One("SELECT 1"), "1");  // Still serving.
}

TEST_F(QueryEngineTest, SandboxRefusesEveryEscape) {
  const std::vector<std::string> refused = {
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_text('" + lake_.data() + "/catalog/catalog.json')",
      "SELECT * FROM glob('/etc/*')",
      "COPY events TO '" + lake_.lake() + "/x.csv'",
      "COPY (SELECT 1) TO '/tmp/gl_sandbox_escape.csv'",
      "EXPORT DATABASE '" + lake_.lake() + "/export'",
      "ATTACH ':memory:' AS other",
      "ATTACH '" + lake_.lake() + "/x.duckdb' AS other",
      "INSTALL httpfs",
      "LOAD httpfs",
      "SET memory_limit = '100GB'",
      "SET enable_external_access = true",
      "RESET lock_configuration",
      "PRAGMA enable_external_access",
      "CREATE TABLE t AS SELECT 1",
      "CREATE TABLE lake.t (a INT)",
      "CREATE MACRO m(a) AS a",
      "INSERT INTO events (Wins) VALUES (1)",
      "DROP TABLE events",
      "CALL pragma_version()",
      "EXPLAIN ANALYZE COPY events TO '" + lake_.lake() + "/y.csv'",
      "SELECT 1; SELECT 2",
      "BEGIN TRANSACTION",
      "CHECKPOINT",
  };
  for (const std::string& sql : refused) {
    auto r = Rows(sql);
    EXPECT_FALSE(r.ok()) << sql;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().code() == Status::Code::kPermissionDenied ||
                  r.status().code() == Status::Code::kInvalidArgument)
          << sql << ": " << r.status().ToString();
    }
  }
  EXPECT_FALSE(std::filesystem::exists(lake_.lake() + "/x.csv"));
  EXPECT_FALSE(std::filesystem::exists(lake_.lake() + "/y.csv"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/gl_sandbox_escape.csv"));
  EXPECT_FALSE(std::filesystem::exists(lake_.lake() + "/export"));
  EXPECT_EQ(One("SELECT current_setting('memory_limit') = '100.0 GiB'"), "false");
  // Reading the lake itself is fine.
  EXPECT_EQ(One("SELECT count(*) FROM read_parquet('" + lake_.lake() + "/events/**/*.parquet')"),
            "5");
  EXPECT_EQ(One("SELECT count(*) FROM events"), "5");
}

TEST_F(QueryEngineTest, ViewsPersistAcrossRestartsAndCannotShadowTables) {
  EXPECT_EQ(One("CREATE VIEW winners AS SELECT PlayerID FROM events WHERE Wins >= 1"),
            "CREATE VIEW");
  EXPECT_EQ(One("SELECT count(*) FROM winners"), "3");
  auto again = Rows("CREATE VIEW winners AS SELECT 1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(One("CREATE OR REPLACE VIEW Winners AS SELECT PlayerID FROM events WHERE Wins >= 2"),
            "CREATE VIEW");
  auto shadow = Rows("CREATE VIEW events AS SELECT 1");
  EXPECT_FALSE(shadow.ok());
  auto bad = Rows("CREATE VIEW broken AS SELECT nope FROM events");
  EXPECT_FALSE(bad.ok());
  auto not_query = Rows("CREATE VIEW v2 AS COPY events TO '/tmp/x'");
  EXPECT_FALSE(not_query.ok());

  Reopen();  // A new engine over a catalog loaded from disk.
  EXPECT_EQ(One("SELECT count(*) FROM lake.winners"), "1");
  EXPECT_EQ(One("DROP VIEW winners"), "DROP VIEW");
  EXPECT_FALSE(Rows("SELECT * FROM winners").ok());
  EXPECT_FALSE(Rows("DROP VIEW winners").ok());
  EXPECT_EQ(One("DROP VIEW IF EXISTS winners"), "DROP VIEW");
  Reopen();
  EXPECT_FALSE(Rows("SELECT * FROM winners").ok());
}

TEST_F(QueryEngineTest, IngestTimeFiltersPruneWholePartitions) {
  // The hr=10 branch cannot match: it disappears from the plan.
  auto plan =
      Rows("EXPLAIN SELECT count(*) FROM events WHERE _ingest_time >= '2026-11-26 11:00:00'");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::string text;
  for (const auto& row : *plan) text += row.back();
  EXPECT_EQ(text.find("hr=10"), std::string::npos) << text;
  EXPECT_EQ(One("SELECT count(*) FROM events WHERE _ingest_time >= '2026-11-26 11:00:00'"), "2");
  // Partition columns prune too, for every query, at no cost.
  plan = Rows("EXPLAIN SELECT count(*) FROM events WHERE hr = '11'");
  ASSERT_TRUE(plan.ok());
  text.clear();
  for (const auto& row : *plan) text += row.back();
  EXPECT_EQ(text.find("hr=10"), std::string::npos) << text;
  EXPECT_EQ(One("SELECT count(*) FROM events WHERE hr = '11'"), "2");
  // Queries that do not mention _ingest_time do not pay for reading it.
  EXPECT_EQ(One("SELECT sum(Wins) FROM events"), "4");

  Collect all, some;
  QueryRequest r;
  r.sql = "SELECT sum(Wins) FROM events WHERE _ingest_time >= '2000-01-01'";
  ASSERT_TRUE(engine_->Run(r, &all).ok());
  r.sql = "SELECT sum(Wins) FROM events WHERE _ingest_time < '2026-11-26 11:00:00'";
  ASSERT_TRUE(engine_->Run(r, &some).ok());
  EXPECT_GT(all.stats.bytes_scanned, 0u);
  EXPECT_LT(some.stats.bytes_scanned, all.stats.bytes_scanned);
}

TEST_F(QueryEngineTest, FileStatisticsReachTheOptimizer) {
  // Several files in one branch: the optimizer still learns each column's
  // range from the footers, so two small integer keys group by perfect hash.
  for (int f = 0; f < 3; ++f) {
    lake_.Copy(fmt::format("kills/dt=2026-11-26/hr=10/kills-{:020}-{:020}.parquet", f * 100 + 1,
                           f * 100 + 100),
               fmt::format("SELECT TIMESTAMP '2026-11-26 10:00:00' AS _ingest_time, "
                           "i + {} AS _record_id, (i % 6 + 1)::BIGINT AS CaughtAt, "
                           "(i % 5 + 1)::BIGINT AS CaughtBy FROM range(100) t(i)",
                           f * 100 + 1));
  }
  Reopen();
  auto plan =
      Rows("EXPLAIN SELECT CaughtAt, CaughtBy, count(*) FROM kills GROUP BY CaughtAt, CaughtBy");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::string text;
  for (const auto& row : *plan) text += row.back();
  EXPECT_NE(text.find("PERFECT_HASH_GROUP_BY"), std::string::npos) << text;
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT DISTINCT CaughtAt, CaughtBy FROM kills)"), "30");
  EXPECT_EQ(One("SELECT count(*) FROM kills"), "300");
}

TEST_F(QueryEngineTest, FilesRemovedByHandAreForgottenNotAnError) {
  // A retention job deletes an old partition while the engine runs: the next
  // query re-crawls and answers from what is left, and the catalog agrees.
  ASSERT_EQ(One("SELECT count(*) FROM events"), "5");
  std::filesystem::remove_all(lake_.lake() + "/events/dt=2026-11-26/hr=10");
  EXPECT_EQ(One("SELECT count(*) FROM events"), "2");
  EXPECT_EQ(catalog_->Snapshot()->FindTable("events")->files.size(), 1u);
  EXPECT_EQ(One("SELECT min(PlayerID) FROM events"), "q0");
}

// A connection keeps the temporary views of its last query and the planner
// keeps the syntax trees of statements it parsed (query_engine.cc,
// query_planner.cc): the same statement again must still see every change
// of the catalog in between.
TEST_F(QueryEngineTest, RepeatedQueriesSeeNewFilesAndReplacedFiles) {
  const std::string count = "SELECT count(*) FROM events";
  ASSERT_EQ(One(count), "5");
  ASSERT_EQ(One(count), "5");
  // A file delivered between two runs of one statement.
  lake_.Copy("events/dt=2026-11-26/hr=12/events-00000000000000000006-00000000000000000009.parquet",
             "SELECT TIMESTAMP '2026-11-26 12:00:00' AS _ingest_time, i + 6 AS _record_id, "
             "'r' || i AS PlayerID, 1::BIGINT AS Wins FROM range(4) t(i)");
  ASSERT_TRUE(catalog_->Crawl(false).ok());
  EXPECT_EQ(One(count), "9");
  // A pruned scan, then the whole table again: each gets its own files.
  EXPECT_EQ(One("SELECT count(*) FROM events WHERE hr = '12'"), "4");
  EXPECT_EQ(One(count), "9");
  // A file replaced by one of another name (as an erasure rewrites one).
  std::filesystem::remove_all(lake_.lake() + "/events/dt=2026-11-26/hr=12");
  lake_.Copy(
      "events/dt=2026-11-26/hr=12/events-00000000000000000006-00000000000000000009-v1.parquet",
      "SELECT TIMESTAMP '2026-11-26 12:00:00' AS _ingest_time, i + 6 AS _record_id, "
      "'s' || i AS PlayerID, 1::BIGINT AS Wins FROM range(2) t(i)");
  ASSERT_TRUE(catalog_->Crawl(false).ok());
  EXPECT_EQ(One(count), "7");
  EXPECT_EQ(One("SELECT string_agg(PlayerID, ',' ORDER BY PlayerID) FROM events WHERE hr = '12'"),
            "s0,s1");
  // Another table read in between, then this one alone again.
  lake_.Copy("kills/dt=2026-11-26/hr=10/kills-00000000000000000001-00000000000000000002.parquet",
             "SELECT TIMESTAMP '2026-11-26 10:00:00' AS _ingest_time, i + 1 AS _record_id, "
             "i::BIGINT AS CaughtAt FROM range(2) t(i)");
  ASSERT_TRUE(catalog_->Crawl(false).ok());
  EXPECT_EQ(One("SELECT (SELECT count(*) FROM kills) + (SELECT count(*) FROM events)"), "9");
  EXPECT_EQ(One(count), "7");
  EXPECT_EQ(One("SELECT count(*) FROM kills"), "2");
}

TEST_F(QueryEngineTest, RepeatedQueriesSeeAReplacedSavedView) {
  EXPECT_EQ(One("CREATE VIEW winners AS SELECT PlayerID FROM events WHERE Wins >= 1"),
            "CREATE VIEW");
  const std::string count = "SELECT count(*) FROM winners";
  EXPECT_EQ(One(count), "3");
  EXPECT_EQ(One(count), "3");
  EXPECT_EQ(One("CREATE OR REPLACE VIEW winners AS SELECT PlayerID FROM events WHERE Wins >= 2"),
            "CREATE VIEW");
  EXPECT_EQ(One(count), "1");
  EXPECT_EQ(One("DROP VIEW winners"), "DROP VIEW");
  EXPECT_FALSE(Rows(count).ok());
  EXPECT_EQ(One("CREATE VIEW winners AS SELECT PlayerID FROM events"), "CREATE VIEW");
  EXPECT_EQ(One(count), "5");
  // A statement run again is not prepared again, unless what it was bound
  // against changed: the same text over a view replaced with a column of
  // another type reads that type.
  const std::string first = "SELECT x FROM w ORDER BY x LIMIT 1";
  EXPECT_EQ(One("CREATE VIEW w AS SELECT Wins AS x FROM events"), "CREATE VIEW");
  EXPECT_EQ(One(first), "0");
  EXPECT_EQ(One(first), "0");
  EXPECT_EQ(One("CREATE OR REPLACE VIEW w AS SELECT PlayerID AS x FROM events"), "CREATE VIEW");
  EXPECT_EQ(One(first), "p0");
  EXPECT_EQ(One(first), "p0");
  EXPECT_EQ(One("CREATE OR REPLACE VIEW w AS SELECT _ingest_time AS x FROM events"), "CREATE VIEW");
  EXPECT_EQ(One(first), "2026-11-26 10:00:00");
  EXPECT_EQ(One(first), "2026-11-26 10:00:00");
}

TEST_F(QueryEngineTest, CorruptFilesAreReportedAndSkipped) {
  lake_.Write("events/dt=2026-11-26/hr=12/garbage.parquet", "this is not parquet at all");
  lake_.Copy("events/dt=2026-11-26/hr=12/cut.parquet", "SELECT 1 AS Wins FROM range(1000)");
  lake_.Truncate("events/dt=2026-11-26/hr=12/cut.parquet", 100);
  Reopen();
  auto snap = catalog_->Snapshot();
  EXPECT_EQ(snap->bad_files.size(), 2u);
  EXPECT_EQ(One("SELECT count(*) FROM events"), "5");
}

TEST_F(QueryEngineTest, TimeoutStopsALongQueryAndTheEngineKeepsServing) {
  // The query's own timeout: the next query runs under the engine's (300 s),
  // so a slow build (ThreadSanitizer) does not time it out too.
  auto r = Rows("SELECT count(*) FROM range(100000000000) a", 0.3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kDeadlineExceeded) << r.status().ToString();
  EXPECT_EQ(One("SELECT count(*) FROM events"), "5");
  auto history = engine_->history()->List(10);
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(history[1].state, "timed_out");
  EXPECT_EQ(history[0].state, "succeeded");
  EXPECT_EQ(history[0].rows, 1u);
}

TEST_F(QueryEngineTest, CancelStopsARunningQuery) {
  std::atomic<bool> done{false};
  Status result;
  std::thread t([&] {
    Collect sink;
    QueryRequest r;
    r.sql = "SELECT count(*) FROM range(100000000000) a";
    result = engine_->Run(r, &sink).status();
    done = true;
  });
  uint64_t id = 0;
  for (int i = 0; i < 500 && id == 0; ++i) {
    for (const auto& q : engine_->Running()) id = q.query_id;
    if (id == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_NE(id, 0u);
  EXPECT_TRUE(engine_->Cancel(id).ok());
  t.join();
  EXPECT_EQ(result.code(), Status::Code::kCancelled) << result.ToString();
  EXPECT_EQ(engine_->Cancel(id).code(), Status::Code::kNotFound);
}

TEST_F(QueryEngineTest, LiveTailRecordsAreVisibleExactlyOnce) {
  auto wal = OpenLog();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  // Records 1-5 are "delivered" (the files above); the log starts at 1 too.
  std::vector<std::string> records;
  for (int i = 0; i < 8; ++i) {
    records.push_back(fmt::format("{{\"PlayerID\":\"t{}\",\"Wins\":{},\"Fresh\":\"yes\"}}", i, i));
  }
  std::vector<std::string_view> views(records.begin(), records.end());
  ASSERT_TRUE((*wal)->Append("events", views).ok());  // seqs 1..8
  auto snap = catalog_->Snapshot();
  LiveTail tail(wal->get(), {{"events", snap->FindTable("events")->delivered_seq()}}, {});
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  Reopen(&tail);
  // Seqs 1..5 come from files, 6..8 from the tail: 8 rows, ids unique.
  EXPECT_EQ(One("SELECT count(*) FROM events"), "8");
  EXPECT_EQ(One("SELECT count(DISTINCT _record_id) FROM events"), "8");
  EXPECT_EQ(One("SELECT string_agg(PlayerID, ',' ORDER BY _record_id) FROM events WHERE "
                "_record_id > 5"),
            "t5,t6,t7");
  // A column only the tail has so far is there, typed.
  EXPECT_EQ(One("SELECT count(*) FROM events WHERE Fresh = 'yes'"), "3");
  // A stream nothing was delivered for yet is a table too.
  std::string_view one = "{\"level\":3}";
  ASSERT_TRUE((*wal)->Append("other", std::span<const std::string_view>(&one, 1)).ok());
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  WaitUntilItBinds("SELECT level FROM other");
  EXPECT_EQ(One("SELECT level FROM other"), "3");
  engine_.reset();
  tail.Stop();
  ASSERT_TRUE((*wal)->Close().ok());
}

TEST_F(QueryEngineTest, RepeatedQueriesSeeTheTailGrowExactlyOnce) {
  auto wal = OpenLog();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  auto append = [&](int from, int n) {
    std::vector<std::string> records;
    for (int i = from; i < from + n; ++i) {
      records.push_back(fmt::format("{{\"PlayerID\":\"t{}\",\"Wins\":{}}}", i, i));
    }
    std::vector<std::string_view> views(records.begin(), records.end());
    ASSERT_TRUE((*wal)->Append("events", views).ok());
  };
  append(0, 7);  // Seqs 1..7: 1..5 are delivered (the files), 6..7 only in the tail.
  auto snap = catalog_->Snapshot();
  LiveTail tail(wal->get(), {{"events", snap->FindTable("events")->delivered_seq()}}, {});
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  Reopen(&tail);
  const std::string count = "SELECT count(*), count(DISTINCT _record_id) FROM events";
  auto rows = Rows(count);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"7", "7"}));
  append(7, 3);  // Seqs 8..10.
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  rows = Rows(count);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"10", "10"}));
  // Delivered meanwhile: seqs 6..8 now in a file, the tail still holds 9..10.
  lake_.Copy("events/dt=2026-11-26/hr=12/events-00000000000000000006-00000000000000000008.parquet",
             "SELECT TIMESTAMP '2026-11-26 12:00:00' AS _ingest_time, i + 6 AS _record_id, "
             "'t' || (i + 5) AS PlayerID, (i + 5)::BIGINT AS Wins FROM range(3) t(i)");
  ASSERT_TRUE(catalog_->Crawl(false).ok());
  rows = Rows(count);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"10", "10"}));
  // The typed copy of the tail keeps no delivered record (it may be erased
  // next): one table is left, holding the two records above seq 8. (SQL
  // cannot read the copy itself; the catalog lists it with its row count.)
  EXPECT_EQ(One("SELECT string_agg(estimated_size::VARCHAR, ',') FROM duckdb_tables() "
                "WHERE schema_name = 'gl_' || 'tail'"),
            "2");
  engine_.reset();
  tail.Stop();
  ASSERT_TRUE((*wal)->Close().ok());
}

TEST_F(QueryEngineTest, ATailOfManyChunksIsScannedInParallelExactlyOnce) {
  auto wal = OpenLog();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  // 20,000 records: about ten chunks of the tail, claimed by both threads.
  std::vector<std::string> records;
  for (int i = 0; i < 20000; ++i) records.push_back(fmt::format("{{\"n\":{}}}", i));
  std::vector<std::string_view> views(records.begin(), records.end());
  ASSERT_TRUE((*wal)->Append("many", views).ok());
  LiveTail tail(wal->get(), {}, {});
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  Reopen(&tail);
  WaitUntilItBinds("SELECT count(*) FROM many");
  for (int round = 0; round < 5; ++round) {
    EXPECT_EQ(One("SELECT count(*) || ' ' || count(DISTINCT _record_id) || ' ' || sum(n) || ' ' "
                  "|| min(_record_id) || ' ' || max(_record_id) FROM many"),
              "20000 20000 199990000 1 20000");
  }
  // bytes_scanned counts the tail's record bytes: 20,000 times {"n":} plus the digits.
  Collect sink;
  QueryRequest r;
  r.sql = "SELECT sum(n) FROM many";
  ASSERT_TRUE(engine_->Run(r, &sink).ok());
  EXPECT_EQ(sink.stats.bytes_scanned, 20000u * 6 + 10 + 180 + 2700 + 36000 + 50000);
  engine_.reset();
  tail.Stop();
  ASSERT_TRUE((*wal)->Close().ok());
}

TEST_F(QueryEngineTest, TailKeysBeyondTheColumnLimitAreInOverflowAsDeliveryWillPutThem) {
  auto wal = OpenLog();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  // 3 records of 400 distinct keys each: 1,200 keys, over the 1,000 columns
  // a file (and so the table) may have.
  std::vector<std::string> records;
  for (int r = 0; r < 3; ++r) {
    std::string rec = "{";
    for (int k = 0; k < 400; ++k) rec += fmt::format("{}\"k{}_{}\":{}", k ? "," : "", r, k, k);
    records.push_back(rec + "}");
  }
  std::vector<std::string_view> views(records.begin(), records.end());
  ASSERT_TRUE((*wal)->Append("wide", views).ok());
  LiveTail tail(wal->get(), {}, {});
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  Reopen(&tail);
  WaitUntilItBinds("SELECT count(*) FROM wide");
  // _ingest_time, _record_id, 1,000 keys, _overflow, dt, hr.
  EXPECT_EQ(One("SELECT count(*) FROM (DESCRIBE wide)"), "1005");
  EXPECT_EQ(One("SELECT count(*) FROM wide WHERE _overflow IS NOT NULL"), "1");
  EXPECT_FALSE(Rows("SELECT k2_399 FROM wide").ok());  // Not a column: in _overflow.
  EXPECT_EQ(One("SELECT _overflow->>'k2_399' FROM wide WHERE _record_id = 3"), "399");
  EXPECT_EQ(One("SELECT k0_0 + k1_399 + k2_199 FROM (SELECT max(k0_0) AS k0_0, max(k1_399) AS "
                "k1_399, max(k2_199) AS k2_199 FROM wide)"),
            "598");
  engine_.reset();
  tail.Stop();
  ASSERT_TRUE((*wal)->Close().ok());
}

TEST_F(QueryEngineTest, TheTailIsParsedOnceIntoATypedCopyThatFollowsItsShape) {
  auto wal = OpenLog();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  auto append = [&](int from, int to, const char* extra) {
    std::vector<std::string> records;
    for (int i = from; i < to; ++i) records.push_back(fmt::format("{{\"n\":{}{}}}", i, extra));
    std::vector<std::string_view> views(records.begin(), records.end());
    ASSERT_TRUE((*wal)->Append("typed", views).ok());
  };
  append(0, 5000, "");
  LiveTail tail(wal->get(), {}, {});
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  Reopen(&tail);
  WaitUntilItBinds("SELECT sum(n) FROM typed");
  const std::string kTables =
      "SELECT string_agg(table_name, ',') FROM duckdb_tables() WHERE schema_name = 'gl_' || "
      "'tail'";
  EXPECT_EQ(One("SELECT count(*) || ' ' || sum(n) FROM typed"), "5000 12497500");
  std::string table = One(kTables);
  EXPECT_NE(table, "NULL");  // The query filled a typed copy ...
  EXPECT_EQ(One("SELECT count(*) || ' ' || sum(n) FROM typed"), "5000 12497500");
  EXPECT_EQ(One(kTables), table);  // ... that the next one reads.
  // New records are added to it.
  append(5000, 6000, "");
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  EXPECT_EQ(One("SELECT count(*) || ' ' || sum(n) || ' ' || count(DISTINCT _record_id) FROM typed"),
            "6000 17997000 6000");
  EXPECT_EQ(One(kTables), table);
  // A new key changes the shape: a new copy, the old one dropped.
  append(6000, 6010, ",\"m\":\"x\"");
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  WaitUntilItBinds("SELECT m FROM typed");
  EXPECT_EQ(One("SELECT count(*) || ' ' || count(m) || ' ' || sum(n) FROM typed"),
            "6010 10 18057045");
  EXPECT_EQ(One("SELECT count(*) || ' ' || count(m) || ' ' || sum(n) FROM typed"),
            "6010 10 18057045");
  std::string retyped = One(kTables);
  EXPECT_NE(retyped, table);
  EXPECT_EQ(retyped.find(','), std::string::npos) << retyped;  // One copy left.
  // The copy and the raw tail are the engine's own: SQL reads them only
  // through the stream's table, which reads each record once.
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"SELECT count(*) FROM gl_tail." + retyped, "line 1, column 22: \"gl_tail\" is internal"},
      {"SELECT count(*)\n  FROM memory.\"GL_TAIL\"." + retyped, "line 2, column 15"},
      {"SELECT * FROM gamelake_tail('typed', 0)", "line 1, column 15: \"gamelake_tail\""},
      {"SELECT * FROM query_table('memory.gl_' || 'tail." + retyped + "')",
       "line 1, column 15: query_table() is not available"},
      {"SELECT * FROM \"query\" ('SELECT 1')", "line 1, column 15: query() is not available"},
      {"CREATE VIEW sneaky AS SELECT * FROM query_table('typed')", "query_table() is not"},
      {"EXPLAIN SELECT * FROM gl_tail." + retyped, "is internal to gamelake"},
  };
  for (const auto& [sql, says] : refused) {
    EXPECT_THAT(Rows(sql).status(), StatusIs(Status::Code::kPermissionDenied, says)) << sql;
  }
  EXPECT_EQ(One("SELECT 'query(' || count(*) AS query FROM typed"), "query(6010");
  engine_.reset();
  tail.Stop();
  ASSERT_TRUE((*wal)->Close().ok());
}

TEST_F(QueryEngineTest, ATimeoutStopsTheTailsTypingAndTheNextQueryTypesItAfresh) {
  auto wal = OpenLog();
  ASSERT_TRUE(wal.ok()) << wal.status().ToString();
  constexpr int kRecords = 300'000;  // Far more than a watchdog tick (50 ms) of typing.
  std::vector<std::string> records;
  for (int i = 0; i < kRecords; ++i) {
    records.push_back(fmt::format("{{\"n\":{},\"who\":\"player-{}\"}}", i, i % 977));
  }
  std::vector<std::string_view> views(records.begin(), records.end());
  ASSERT_TRUE((*wal)->Append("slow", views).ok());
  LiveTail tail(wal->get(), {}, {});
  ASSERT_TRUE(tail.CatchUp(5'000'000));
  Reopen(&tail);
  WaitUntilItBinds("DESCRIBE slow");
  const std::string kTables =
      "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'gl_' || 'tail'";
  // The deadline passes while the first query types the tail: the query is
  // stopped there, and the copy it was filling is rolled back, not kept.
  Collect sink;
  QueryRequest r;
  r.sql = "SELECT count(*) FROM slow";
  r.timeout_s = 0.001;
  Result<QueryStats> stopped = engine_->Run(r, &sink);
  EXPECT_THAT(stopped.status(), StatusIs(Status::Code::kDeadlineExceeded, "timeout"));
  EXPECT_EQ(engine_->history()->List(1).front().state, "timed_out");
  EXPECT_EQ(One(kTables), "0");
  // The stream is not given up on: the next query types it and answers.
  EXPECT_EQ(One("SELECT count(*) || ' ' || sum(n) || ' ' || count(DISTINCT who) FROM slow"),
            fmt::format("{} {} 977", kRecords, int64_t{kRecords} * (kRecords - 1) / 2));
  EXPECT_EQ(One(kTables), "1");
  engine_.reset();
  tail.Stop();
  ASSERT_TRUE((*wal)->Close().ok());
}

}  // namespace
}  // namespace gamelake
