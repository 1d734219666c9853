// Compaction over real Parquet files: what is planned, and that merging
// keeps every record exactly once, in order, with the same values.
#include "lifecycle/compactor.h"

#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../catalog/catalog_test_util.h"
#include "../common/status_matchers.h"
#include "common/civil_time.h"
#include "lake/lake_files.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

int64_t Us(std::string_view iso) { return ParseTime(iso).value(); }

class CompactorTest : public testing::Test {
 protected:
  void SetUp() override { catalog_ = lake_.Open(); }

  // A delivered file of `table` in the hour of `hour_iso` with records
  // [first, first + n): _ingest_time a second apart, x = the record id.
  std::string Deliver(const std::string& table, const char* hour_iso, uint64_t first, uint64_t n,
                      const std::string& extra = "", const std::string& node = "") {
    LakePartition p = LakePartition::OfTime(Us(hour_iso));
    std::string rel = LakeFilePath(table, p, {first, first + n - 1, 0, node});
    lake_.Copy(rel, fmt::format("SELECT make_timestamp({} + ({} + i) * 1000000) AS _ingest_time, "
                                "({} + i)::BIGINT AS _record_id, ({} + i)::BIGINT AS x, "
                                "'p' || (i % 7) AS player{} FROM range({}) t(i)",
                                p.start_us(), first, first, first, extra, n));
    return rel;
  }

  std::unique_ptr<Compactor> NewCompactor(FileReclaimer* reclaimer = nullptr) {
    CompactorOptions o;
    o.lake_dir = lake_.lake();
    o.catalog = catalog_.get();
    o.reclaimer = reclaimer;
    auto c = Compactor::Open(o);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Every record of the table's visible files: "id|x|player", sorted by id,
  // and whether each file's rows are in _ingest_time order.
  std::vector<std::string> Records(const std::string& table, bool* ordered = nullptr) {
    std::vector<std::string> out;
    auto snap = catalog_->Snapshot();
    const CatalogTable* t = snap->FindTable(table);
    if (t == nullptr) return out;
    auto db = DuckDb::Open(DuckDbOptions{});
    for (const auto& [path, f] : t->files) {
      auto rows = (*db)->Query(fmt::format(
          "SELECT _record_id::VARCHAR || '|' || x::VARCHAR || '|' || player, _ingest_time FROM "
          "read_parquet({})",
          QuoteLiteral(lake_.Abs(path))));
      EXPECT_THAT(rows, IsOk());
      std::string previous;
      for (const auto& r : rows->rows) {
        if (ordered != nullptr && !previous.empty() && *r[1] < previous) *ordered = false;
        previous = *r[1];
        out.push_back(*r[0]);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  CompactionOptions Options() const {
    CompactionOptions o;
    o.settle_us = 0;
    o.daily = false;
    return o;
  }

  TestLake lake_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CompactorTest, PlansRunsOfSmallFilesPerClosedHour) {
  Deliver("e", "2026-11-26T10:00:00Z", 1, 10);
  Deliver("e", "2026-11-26T10:00:00Z", 11, 10);
  Deliver("e", "2026-11-26T10:00:00Z", 21, 10);
  Deliver("e", "2026-11-26T11:00:00Z", 31, 10);  // Alone in its hour.
  Deliver("e", "2026-11-26T12:00:00Z", 41, 10);
  Deliver("e", "2026-11-26T12:00:00Z", 51, 10);  // The open hour.
  GL_ASSERT_OK(catalog_->Crawl(false));
  CompactionOptions o = Options();
  o.settle_us = 600'000'000;
  int64_t now = Us("2026-11-26T12:30:00Z");
  std::vector<CompactionJob> jobs = PlanCompaction(*catalog_->Snapshot(), o, now);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].target, LakePartition::OfTime(Us("2026-11-26T10:00:00Z")));
  EXPECT_EQ(jobs[0].inputs.size(), 3u);
  EXPECT_EQ(jobs[0].input_rows(), 30u);
  // A crowded open hour is merged too.
  o.open_hour_min_files = 2;
  EXPECT_EQ(PlanCompaction(*catalog_->Snapshot(), o, now).size(), 2u);
  // A file as large as the target is a barrier; a run stops at the target.
  o.open_hour_min_files = 0;
  o.target_file_bytes = 1;
  EXPECT_TRUE(PlanCompaction(*catalog_->Snapshot(), o, now).empty());
  // Past days become whole-day files.
  o = Options();
  o.daily = true;
  jobs = PlanCompaction(*catalog_->Snapshot(), o, Us("2026-11-28T00:00:00Z"));
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(jobs[0].target.whole_day);
  EXPECT_EQ(jobs[0].inputs.size(), 6u);
  EXPECT_TRUE(PlanCompaction(*catalog_->Snapshot(), o, now, "other").empty());
}

TEST_F(CompactorTest, MergingKeepsEveryRecordOnceInOrderAndDeletesTheInputs) {
  std::vector<std::string> inputs;
  for (uint64_t k = 0; k < 20; ++k)
    inputs.push_back(Deliver("e", "2026-11-26T10:00:00Z", 1 + k * 5, 5));
  Deliver("e", "2026-11-26T11:00:00Z", 101, 5);
  Deliver("e", "2026-11-26T11:00:00Z", 106, 5);
  GL_ASSERT_OK(catalog_->Crawl(false));
  std::vector<std::string> before = Records("e");
  ASSERT_EQ(before.size(), 110u);
  auto compactor = NewCompactor();
  std::vector<CompactionJob> jobs =
      PlanCompaction(*catalog_->Snapshot(), Options(), Us("2026-11-27T00:00:00Z"));
  ASSERT_EQ(jobs.size(), 2u);
  for (const CompactionJob& job : jobs) {
    auto r = compactor->Run(job);
    GL_ASSERT_OK(r);
    EXPECT_EQ(r->rows, job.input_rows());
    EXPECT_GT(r->bytes_out, 0u);
  }
  bool ordered = true;
  EXPECT_EQ(Records("e", &ordered), before);
  EXPECT_TRUE(ordered);
  auto t = catalog_->Snapshot()->FindTable("e");
  ASSERT_EQ(t->files.size(), 2u);
  EXPECT_EQ(t->rows(), 110u);
  EXPECT_EQ(t->delivered_seq(), 110u);
  const CatalogFile& merged = t->files.begin()->second;
  EXPECT_EQ(merged.first_seq, 1u);
  EXPECT_EQ(merged.last_seq, 100u);
  ASSERT_NE(merged.StatsOf("x"), nullptr);
  EXPECT_EQ(merged.StatsOf("x")->min, StatValue::Int(1));
  EXPECT_EQ(merged.StatsOf("x")->max, StatValue::Int(100));
  for (const std::string& in : inputs) EXPECT_FALSE(fs::exists(lake_.Abs(in))) << in;
  // Nothing left to do, and what is on disk says the same as the catalog.
  EXPECT_TRUE(PlanCompaction(*catalog_->Snapshot(), Options(), Us("2026-11-27T00:00:00Z")).empty());
  auto report = RemoveLeftovers(Env::Default(), lake_.lake());
  GL_ASSERT_OK(report);
  EXPECT_TRUE(report->superseded.empty());
}

// On a shared lake (node.id) the merged file carries its inputs' node id, so
// every node that lists it applies the visibility rule of that node's files
// and prefers it to the inputs; files named before the node id was set (no
// node) never share a run with the node's files.
TEST_F(CompactorTest, AMergedFileKeepsItsInputsNodeAndNodesNeverMix) {
  Deliver("e", "2026-11-26T10:00:00Z", 1, 5, "", "n-1");
  Deliver("e", "2026-11-26T10:00:00Z", 6, 5, "", "n-1");
  Deliver("e", "2026-11-26T10:00:00Z", 11, 5);  // Before node.id: no node.
  Deliver("e", "2026-11-26T10:00:00Z", 16, 5);
  Deliver("e", "2026-11-26T10:00:00Z", 21, 5, "", "n-1");
  Deliver("e", "2026-11-26T10:00:00Z", 26, 5, "", "n-1");
  GL_ASSERT_OK(catalog_->Crawl(false));
  std::vector<CompactionJob> jobs =
      PlanCompaction(*catalog_->Snapshot(), Options(), Us("2026-11-27T00:00:00Z"));
  ASSERT_EQ(jobs.size(), 3u);
  for (const CompactionJob& job : jobs) {
    ASSERT_EQ(job.inputs.size(), 2u);
    EXPECT_EQ(job.inputs[0].node, job.inputs[1].node);
  }
  auto compactor = NewCompactor();
  std::set<std::string> outputs;
  for (const CompactionJob& job : jobs) {
    auto r = compactor->Run(job);
    GL_ASSERT_OK(r);
    outputs.insert(r->output);
  }
  const std::string dir = "e/dt=2026-11-26/hr=10/";
  EXPECT_EQ(outputs, (std::set<std::string>{
                         dir + "e-00000000000000000001-00000000000000000010.n-1.parquet",
                         dir + "e-00000000000000000011-00000000000000000020.parquet",
                         dir + "e-00000000000000000021-00000000000000000030.n-1.parquet"}));
  EXPECT_EQ(Records("e").size(), 30u);
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->files.size(), 3u);
}

TEST_F(CompactorTest, DifferentSchemasAreWidenedAsQueriesSeeThem) {
  Deliver("e", "2026-11-26T10:00:00Z", 1, 5);
  // A later file: x as DOUBLE, and a new column.
  LakePartition p = LakePartition::OfTime(Us("2026-11-26T10:00:00Z"));
  lake_.Copy(
      LakeFilePath("e", p, {6, 10, 0}),
      fmt::format("SELECT make_timestamp({} + 9000000) AS _ingest_time, (6 + i)::BIGINT AS "
                  "_record_id, (6 + i) + 0.5 AS x, 'q' AS player, i AS extra FROM range(5) t(i)",
                  p.start_us()));
  GL_ASSERT_OK(catalog_->Crawl(false));
  auto compactor = NewCompactor();
  auto jobs = PlanCompaction(*catalog_->Snapshot(), Options(), Us("2026-11-27T00:00:00Z"));
  ASSERT_EQ(jobs.size(), 1u);
  GL_ASSERT_OK(compactor->Run(jobs[0]));
  auto t = catalog_->Snapshot()->FindTable("e");
  ASSERT_EQ(t->files.size(), 1u);
  EXPECT_EQ(ColumnsText(t->files.begin()->second.columns),
            "_ingest_time TIMESTAMP, _record_id BIGINT, x DOUBLE, player VARCHAR, extra BIGINT");
  EXPECT_EQ(t->rows(), 10u);
}

TEST_F(CompactorTest, InputsStayWhileAnEarlierQueryMayReadThem) {
  std::string a = Deliver("e", "2026-11-26T10:00:00Z", 1, 5);
  std::string b = Deliver("e", "2026-11-26T10:00:00Z", 6, 5);
  GL_ASSERT_OK(catalog_->Crawl(false));
  FileReclaimer reclaimer(Env::Default(), lake_.lake());
  FileReclaimer::Ticket query = reclaimer.Enter();
  auto compactor = NewCompactor(&reclaimer);
  auto jobs = PlanCompaction(*catalog_->Snapshot(), Options(), Us("2026-11-27T00:00:00Z"));
  ASSERT_EQ(jobs.size(), 1u);
  GL_ASSERT_OK(compactor->Run(jobs[0]));
  EXPECT_TRUE(fs::exists(lake_.Abs(a)));  // The query may still open it.
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->files.size(), 1u);
  query.Release();
  EXPECT_FALSE(fs::exists(lake_.Abs(a)));
  EXPECT_FALSE(fs::exists(lake_.Abs(b)));
}

TEST_F(CompactorTest, AMergeCommittedButNotSwitchedIsFinishedAtStart) {
  // The merged file was renamed into place, then the process died: start-up
  // removes the inputs, and a crawl makes the catalog agree.
  std::string a = Deliver("e", "2026-11-26T10:00:00Z", 1, 5);
  std::string b = Deliver("e", "2026-11-26T10:00:00Z", 6, 5);
  GL_ASSERT_OK(catalog_->Crawl(false));
  lake_.Copy(LakeFilePath("e", LakePartition::OfTime(Us("2026-11-26T10:00:00Z")), {1, 10, 0}),
             fmt::format("SELECT * FROM read_parquet([{}, {}])", QuoteLiteral(lake_.Abs(a)),
                         QuoteLiteral(lake_.Abs(b))));
  auto leftovers = RemoveLeftovers(Env::Default(), lake_.lake());
  GL_ASSERT_OK(leftovers);
  EXPECT_EQ(leftovers->superseded.size(), 2u);
  auto crawl = catalog_->Crawl(false);
  GL_ASSERT_OK(crawl);
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->files.size(), 1u);
  EXPECT_EQ(Records("e").size(), 10u);
}

TEST_F(CompactorTest, ACrawlThatStillSeesTheInputsNeverCountsTwice) {
  Deliver("e", "2026-11-26T10:00:00Z", 1, 5);
  Deliver("e", "2026-11-26T10:00:00Z", 6, 5);
  // Both inputs and the merged file on disk; a fresh catalog crawls them all.
  lake_.Copy(LakeFilePath("e", LakePartition::OfTime(Us("2026-11-26T10:00:00Z")), {1, 10, 0}),
             "SELECT make_timestamp(0) AS _ingest_time, i + 1 AS _record_id, i + 1 AS x, 'p' AS "
             "player FROM range(10) t(i)");
  GL_ASSERT_OK(catalog_->Crawl(true));
  auto t = catalog_->Snapshot()->FindTable("e");
  ASSERT_EQ(t->files.size(), 1u);
  EXPECT_EQ(t->rows(), 10u);
  // And the inputs added one by one later (AddFile) are refused as superseded.
  Deliver("e", "2026-11-26T10:00:00Z", 3, 2);
  GL_EXPECT_OK(catalog_->AddFile(
      LakeFilePath("e", LakePartition::OfTime(Us("2026-11-26T10:00:00Z")), {3, 4, 0})));
  EXPECT_EQ(catalog_->Snapshot()->FindTable("e")->files.size(), 1u);
}

}  // namespace
}  // namespace gamelake
