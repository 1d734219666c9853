// Retention, erasure and the audit log over real Parquet files and a real
// catalog; the maintainer's explicit calls and its erasure bookkeeping.
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../catalog/catalog_test_util.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "common/civil_time.h"
#include "lake/lake_files.h"
#include "lifecycle/eraser.h"
#include "lifecycle/erasure_log.h"
#include "lifecycle/lake_maintainer.h"
#include "lifecycle/retention.h"
#include "query/query_engine.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

int64_t Us(std::string_view iso) { return ParseTime(iso).value(); }

class LifecycleUnitTest : public testing::Test {
 protected:
  void SetUp() override { catalog_ = lake_.Open(); }

  // A written file of `table` in the hour of `iso` with records first..first+n-1:
  // player 'p<id % 3>', score = id.
  std::string Write(const std::string& table, const char* iso, uint64_t first, uint64_t n) {
    LakePartition p = LakePartition::OfTime(Us(iso));
    std::string rel = LakeFilePath(table, p, {first, first + n - 1, 0});
    lake_.Copy(rel, fmt::format("SELECT make_timestamp({} + i) AS _ingest_time, ({} + i)::BIGINT "
                                "AS _record_id, 'p' || (({} + i) % 3) AS player, ({} + i)::BIGINT "
                                "AS score FROM range({}) t(i)",
                                p.start_us(), first, first, first, n));
    return rel;
  }

  std::vector<std::string> Rows(const std::string& table) {
    auto db = DuckDb::Open(DuckDbOptions{});
    std::vector<std::string> out;
    const CatalogTable* t = catalog_->Snapshot()->FindTable(table);
    if (t == nullptr) return out;
    for (const auto& [path, f] : t->files) {
      if (!f.written()) continue;
      auto r = (*db)->Query("SELECT _record_id::VARCHAR || ' ' || player FROM read_parquet(" +
                            QuoteLiteral(lake_.Abs(path)) + ")");
      EXPECT_THAT(r, IsOk());
      for (const auto& row : r->rows) out.push_back(*row[0]);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::unique_ptr<Eraser> NewEraser() {
    EraserOptions o;
    o.lake_dir = lake_.lake();
    o.catalog = catalog_.get();
    auto e = Eraser::Open(o);
    EXPECT_THAT(e, IsOk());
    return std::move(e).value();
  }

  TestLake lake_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(LifecycleUnitTest, RetentionPlansWholePartitionsByTheirEnd) {
  Write("e", "2026-11-20T10:00:00Z", 1, 2);
  Write("e", "2026-11-25T23:00:00Z", 3, 2);
  Write("e", "2026-11-26T00:00:00Z", 5, 2);
  lake_.Write("e/dt=2026-11-01/hand.ndjson", "{\"score\":1}\n");  // Hand-dropped, dt only.
  lake_.Write("e/misc/undated.ndjson", "{\"score\":2}\n");        // No dt: kept forever.
  Write("f", "2026-11-20T10:00:00Z", 1, 2);
  GL_ASSERT_OK(catalog_->Crawl(false));
  RetentionRules rules;
  rules.default_days = 3;
  rules.tables["f"] = 0;
  // Now 2026-11-29 00:30: the cutoff is 2026-11-26 00:30.
  std::vector<RetentionDrop> drops =
      PlanRetention(*catalog_->Snapshot(), rules, Us("2026-11-29T00:30:00Z"));
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].table, "e");
  EXPECT_EQ(drops[0].partitions, (std::vector<std::string>{"dt=2026-11-01", "dt=2026-11-20/hr=10",
                                                           "dt=2026-11-25/hr=23"}));
  EXPECT_EQ(drops[0].rows, 5u);
  EXPECT_EQ(drops[0].floor, 6u);
  GL_ASSERT_OK(ApplyRetention(drops[0], Env::Default(), lake_.lake(), catalog_.get(), nullptr));
  EXPECT_EQ(Rows("e"), (std::vector<std::string>{"5 p2", "6 p0"}));
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->files.size(), 2u);  // + undated.
  EXPECT_FALSE(fs::exists(lake_.Abs("e/dt=2026-11-20")));
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->delivered_seq(), 6u);
  // Everything gone: the floor still says what was delivered.
  rules.default_days = 1;
  drops = PlanRetention(*catalog_->Snapshot(), rules, Us("2026-12-29T00:00:00Z"));
  ASSERT_EQ(drops.size(), 1u);
  GL_ASSERT_OK(ApplyRetention(drops[0], Env::Default(), lake_.lake(), catalog_.get(), nullptr));
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->delivered_seq(), 6u);
  auto wm = ScanWatermarks(Env::Default(), lake_.lake());
  GL_ASSERT_OK(wm);
  EXPECT_EQ(wm->at("e"), 6u);
}

TEST_F(LifecycleUnitTest, EraserRemovesMatchingRowsAsNewVersionsAndKeepsTheRest) {
  std::string a = Write("e", "2026-11-26T10:00:00Z", 1, 6);
  std::string b = Write("e", "2026-11-26T11:00:00Z", 7, 2);  // 7 p1, 8 p2: no p0.
  std::string c = Write("e", "2026-11-26T12:00:00Z", 9, 1);  // Only p0: all of it goes.
  lake_.Write("e/dt=2026-11-26/hand.ndjson",
              "{\"player\":\"p0\",\"score\":1}\n"
              "{\"player\":\"p1\",\"score\":2}\n");
  GL_ASSERT_OK(catalog_->Crawl(false));
  auto eraser = NewEraser();
  auto result = eraser->Erase({"e", "missing"}, "player = 'p0'");
  GL_ASSERT_OK(result);
  EXPECT_EQ(result->at("e").rows_removed, 2u + 1u + 1u);
  EXPECT_EQ(result->at("e").files_rewritten, 3u);
  EXPECT_EQ(result->at("missing").rows_removed, 0u);
  EXPECT_EQ(Rows("e"), (std::vector<std::string>{"1 p1", "2 p2", "4 p1", "5 p2", "7 p1", "8 p2"}));
  auto t = catalog_->Snapshot()->FindTable("e");
  // The rewrites are the next versions; the untouched file keeps its name.
  EXPECT_TRUE(t->files.count(
      LakeFilePath("e", LakePartition::OfTime(Us("2026-11-26T10:00:00Z")), {1, 6, 1})));
  EXPECT_TRUE(t->files.count(b));
  // The emptied file still claims its range: delivery never redelivers 9.
  const CatalogFile& empty =
      t->files.at(LakeFilePath("e", LakePartition::OfTime(Us("2026-11-26T12:00:00Z")), {9, 9, 1}));
  EXPECT_EQ(empty.rows, 0u);
  EXPECT_FALSE(fs::exists(lake_.Abs(a)));
  EXPECT_FALSE(fs::exists(lake_.Abs(c)));
  // The hand-dropped file was replaced in place, in its own format.
  std::string hand = Env::Default()->ReadFile(lake_.Abs("e/dt=2026-11-26/hand.ndjson")).value();
  EXPECT_EQ(hand.find("p0"), std::string::npos) << hand;
  EXPECT_NE(hand.find("p1"), std::string::npos) << hand;
  // Again: nothing left to remove, nothing rewritten.
  result = eraser->Erase({"e"}, "player = 'p0'");
  GL_ASSERT_OK(result);
  EXPECT_EQ(result->at("e").files_rewritten, 0u);
}

TEST_F(LifecycleUnitTest, ConditionsMustBeOneRowLocalExpression) {
  auto eraser = NewEraser();
  GL_EXPECT_OK(eraser->CheckCondition("PlayerID = 42"));
  GL_EXPECT_OK(eraser->CheckCondition("\"Time Played\" > 10 AND dt < '2026-01-01' -- comment"));
  GL_EXPECT_OK(eraser->CheckCondition("lower(name) LIKE 'ann%' OR id IN (1, 2, 3)"));
  for (const char* bad : {"", "  ", "x = 1) UNION SELECT (1", "x = 1) GROUP BY (1",
                          "x IN (SELECT 1)", "EXISTS (SELECT 1)", "x = ?", "x = 1; DROP TABLE t",
                          "x = 1) FROM other WHERE (1", "row_number() OVER () = 1", "x ="}) {
    EXPECT_THAT(eraser->CheckCondition(bad), StatusIs(Status::Code::kInvalidArgument, "")) << bad;
  }
  EXPECT_THAT(eraser->CheckCondition("x = "),
              StatusIs(Status::Code::kInvalidArgument, "does not parse"));
}

TEST(ErasureLogTest, RecordsSurviveAReopenAndATornLastLine) {
  ScratchDir dir;
  Env* env = Env::Default();
  {
    auto log = ErasureLog::Open(env, dir.path());
    GL_ASSERT_OK(log);
    ErasureInfo a;
    a.id = "er-a";
    a.requested_by = "key1";
    a.requested_us = 5;
    a.tables = {"events", "kills"};
    a.where = "PlayerID = \"x\"";
    a.rows_matching = 3;
    GL_ASSERT_OK((*log)->Requested(a));
    GL_ASSERT_OK((*log)->Started("er-a"));
    GL_ASSERT_OK((*log)->Failed("er-a", "disk full", false));
    GL_ASSERT_OK((*log)->Started("er-a"));
    GL_ASSERT_OK((*log)->Finished("er-a", {{"events", {3, 1, 100}}, {"kills", {0, 0, 0}}}));
    ErasureInfo b = a;
    b.id = "er-b";
    GL_ASSERT_OK((*log)->Requested(b));
    GL_ASSERT_OK((*log)->Started("er-b"));
    EXPECT_EQ((*log)->Pending(), std::vector<std::string>{"er-b"});
  }
  // A crash mid-append leaves a torn line: it was never acknowledged.
  std::string path = dir.path() + "/audit.ndjson";
  std::string text = env->ReadFile(path).value();
  GL_ASSERT_OK(env->WriteFileAtomic(path, text + "{\"event\":\"finished\",\"id\":\"er-b\""));
  auto log = ErasureLog::Open(env, dir.path());
  GL_ASSERT_OK(log);
  std::vector<ErasureInfo> all = (*log)->List();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state, ErasureInfo::State::kDone);
  EXPECT_EQ(all[0].attempts, 2);
  EXPECT_EQ(all[0].where, "PlayerID = \"x\"");
  EXPECT_EQ(all[0].tables, (std::vector<std::string>{"events", "kills"}));
  EXPECT_EQ(all[0].results.at("events").rows_removed, 3u);
  EXPECT_EQ(all[0].results.at("events").bytes_rewritten, 100u);
  EXPECT_EQ(all[1].state, ErasureInfo::State::kRunning);  // Interrupted: runs again.
  EXPECT_EQ((*log)->Pending(), std::vector<std::string>{"er-b"});
  EXPECT_THAT((*log)->Get("er-c"), StatusIs(Status::Code::kNotFound, "er-c"));
  GL_ASSERT_OK((*log)->Failed("er-b", "condition no longer binds", true));
  EXPECT_TRUE((*log)->Pending().empty());
  JsonWriter w;
  Result<ErasureInfo> b = (*log)->Get("er-b");
  GL_ASSERT_OK(b);
  WriteErasureJson(&w, b.value());
  EXPECT_NE(w.Take().find("\"state\":\"failed\""), std::string::npos);
}

TEST_F(LifecycleUnitTest, MaintainerRunsExplicitCallsAndErasuresInOrder) {
  Write("e", "2026-11-20T10:00:00Z", 1, 3);
  Write("e", "2026-11-20T10:00:00Z", 4, 3);
  GL_ASSERT_OK(catalog_->Crawl(false));
  QueryEngineOptions q;
  q.max_concurrent = 1;
  q.nice = 0;
  auto engine = QueryEngine::Open(catalog_.get(), nullptr, q);
  GL_ASSERT_OK(engine);
  LakeMaintainerOptions m;
  m.lake_dir = lake_.lake();
  m.erasure_dir = lake_.data() + "/erasures";
  m.catalog = catalog_.get();
  m.background = false;
  m.compaction.settle_us = 0;
  m.compaction.daily = false;
  int flushes = 0;
  m.flush_delivery = [&] {
    ++flushes;
    return Status::OK();
  };
  QueryEngine* e = engine->get();
  m.count_matching = [e](const std::string& t, const std::string& w) {
    return CountRowsMatching(e, t, w);
  };
  auto maintainer = LakeMaintainer::Start(m);
  GL_ASSERT_OK(maintainer);
  auto plan = (*maintainer)->Compact("", /*dry_run=*/true);
  GL_ASSERT_OK(plan);
  ASSERT_EQ(plan->jobs.size(), 1u);
  EXPECT_TRUE(plan->results.empty());
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->files.size(), 2u);
  auto done = (*maintainer)->Compact("e", /*dry_run=*/false);
  GL_ASSERT_OK(done);
  EXPECT_EQ(done->results.size(), 1u);
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->files.size(), 1u);
  // Refused before anything is recorded: the column does not exist.
  EXPECT_THAT((*maintainer)->SubmitErasure({"e"}, "nope = 1", "me"),
              StatusIs(Status::Code::kInvalidArgument, "nope"));
  EXPECT_TRUE((*maintainer)->Erasures().empty());
  auto info = (*maintainer)->SubmitErasure({"e"}, "player = 'p1'", "me");
  GL_ASSERT_OK(info);
  EXPECT_EQ(info->rows_matching, 2u);
  EXPECT_EQ(info->state, ErasureInfo::State::kDone);  // Offline: it ran at once.
  EXPECT_EQ(info->results.at("e").rows_removed, 2u);
  EXPECT_EQ(flushes, 1);
  EXPECT_EQ(Rows("e"), (std::vector<std::string>{"2 p2", "3 p0", "5 p2", "6 p0"}));
}

}  // namespace
}  // namespace gamelake
