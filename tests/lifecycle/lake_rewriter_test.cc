// LakeRewriter: a new lake file is committed only whole and with the rows the
// caller expects; the catalog switch retires what it replaces.
#include "lifecycle/lake_rewriter.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "../catalog/catalog_test_util.h"
#include "../common/status_matchers.h"
#include "lake/lake_layout.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

// A sink that records what it was given and fails while told to.
class RecordingSink final : public LakeSink {
 public:
  std::string Describe() const override { return "recording"; }
  Result<LakeSinkRecovery> Recover() override { return LakeSinkRecovery{}; }
  Status Publish(const std::string& lake_path) override {
    published.push_back(lake_path);
    if (fail) return Status::Unavailable("the store is down (test)");
    return Status::OK();
  }
  bool fail = false;
  std::vector<std::string> published;
};

class LakeRewriterTest : public testing::Test {
 protected:
  void SetUp() override {
    catalog_ = lake_.Open();
    LakeRewriterOptions o;
    o.lake_dir = lake_.lake();
    o.catalog = catalog_.get();
    auto r = LakeRewriter::Open(o);
    ASSERT_THAT(r, IsOk());
    rewriter_ = std::move(r).value();
  }

  // The files in the folder of `abs` (temporary ones included).
  static std::vector<std::string> FolderOf(const std::string& abs) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(fs::path(abs).parent_path())) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TestLake lake_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<LakeRewriter> rewriter_;
};

TEST_F(LakeRewriterTest, OpensOnlyWithACatalogAndALake) {
  LakeRewriterOptions o;
  o.lake_dir = lake_.lake();
  EXPECT_THAT(LakeRewriter::Open(o), StatusIs(Status::Code::kInvalidArgument, "catalog"));
}

// DuckDB creates only the last folder of its spill path, when it first
// spills: opening makes the whole path, so a rewrite that spills can.
TEST_F(LakeRewriterTest, OpeningMakesTheWholeSpillPath) {
  LakeRewriterOptions o = rewriter_->options();
  o.temp_dir = lake_.data() + "/tmp/lifecycle";
  ASSERT_FALSE(fs::exists(lake_.data() + "/tmp"));
  ASSERT_THAT(LakeRewriter::Open(o), IsOk());
  EXPECT_TRUE(fs::is_directory(o.temp_dir));
}

TEST_F(LakeRewriterTest, WritesTheFileWhenTheRowCountIsTheExpectedOne) {
  const std::string rel =
      "t/dt=2026-11-26/hr=10/t-00000000000000000001-00000000000000000005.parquet";
  auto size = rewriter_->WriteFile("SELECT range AS x FROM range(5)",
                                   "FORMAT parquet, COMPRESSION zstd", lake_.Abs(rel), 5);
  ASSERT_THAT(size, IsOk());
  EXPECT_EQ(*size, fs::file_size(lake_.Abs(rel)));
  EXPECT_EQ(FolderOf(lake_.Abs(rel)), std::vector<std::string>{fs::path(rel).filename()});
  auto sum =
      rewriter_->Count("SELECT sum(x) FROM read_parquet(" + QuoteLiteral(lake_.Abs(rel)) + ")");
  ASSERT_THAT(sum, IsOk());
  EXPECT_EQ(*sum, 10u);
}

TEST_F(LakeRewriterTest, LeavesNothingWhenTheRowCountIsWrongOrTheSelectFails) {
  const std::string abs = lake_.Abs("t/dt=2026-11-26/hr=10/out.parquet");
  EXPECT_THAT(rewriter_->WriteFile("SELECT range AS x FROM range(5)", "FORMAT parquet", abs, 6),
              StatusIs(Status::Code::kInternal, "wrote 5 rows where 6 were expected"));
  EXPECT_THAT(rewriter_->WriteFile("SELECT nope FROM range(5)", "FORMAT parquet", abs, 5),
              StatusIs(Status::Code::kInternal, "\"nope\" not found"));
  EXPECT_TRUE(FolderOf(abs).empty());
  EXPECT_THAT(rewriter_->Count("SELECT 'many'"),
              StatusIs(Status::Code::kInternal, "expected a row count, got \"many\""));
}

TEST_F(LakeRewriterTest, CommitSwitchesTheCatalogAndRetiresOnlyWhatItIsTold) {
  const std::string a = "t/dt=2026-11-26/hr=10/t-00000000000000000001-00000000000000000002.parquet";
  const std::string b = "t/dt=2026-11-26/hr=10/t-00000000000000000003-00000000000000000004.parquet";
  const std::string merged =
      "t/dt=2026-11-26/hr=10/t-00000000000000000001-00000000000000000004.parquet";
  for (const auto& [rel, first] : {std::pair{a, 1}, std::pair{b, 3}}) {
    lake_.Copy(rel, "SELECT make_timestamp(1795000000000000 + i) AS _ingest_time, (" +
                        std::to_string(first) + " + i)::BIGINT AS _record_id FROM range(2) t(i)");
  }
  ASSERT_THAT(catalog_->Crawl(true), IsOk());
  ASSERT_THAT(rewriter_->WriteFile("SELECT * FROM read_parquet([" + QuoteLiteral(lake_.Abs(a)) +
                                       ", " + QuoteLiteral(lake_.Abs(b)) + "])",
                                   "FORMAT parquet", lake_.Abs(merged), 4),
              IsOk());
  FileSwitch change{"t", {a, b}, {merged}};
  // Only `a` is retired: `b` stays on disk (as a file replaced in place would).
  ASSERT_THAT(rewriter_->Commit(change, {a}), IsOk());
  const CatalogTable* t = catalog_->Snapshot()->FindTable("t");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->files.size(), 1u);
  EXPECT_EQ(t->files.begin()->first, merged);
  EXPECT_FALSE(fs::exists(lake_.Abs(a)));
  EXPECT_TRUE(fs::exists(lake_.Abs(b)));
  // A switch the catalog refuses retires nothing.
  EXPECT_FALSE(rewriter_->Commit(FileSwitch{"t", {}, {"t/missing.parquet"}}, {merged}).ok());
  EXPECT_TRUE(fs::exists(lake_.Abs(merged)));
}

TEST_F(LakeRewriterTest, ANewFileIsPublishedAndAFailedPublishUndoesTheCommit) {
  RecordingSink sink;
  LakeRewriterOptions o = rewriter_->options();
  o.sink = &sink;
  auto opened = LakeRewriter::Open(o);
  ASSERT_THAT(opened, IsOk());
  std::unique_ptr<LakeRewriter> rewriter = std::move(opened).value();
  const std::string rel =
      "t/dt=2026-11-26/hr=10/t-00000000000000000001-00000000000000000005.parquet";
  sink.fail = true;
  EXPECT_THAT(
      rewriter->WriteFile("SELECT range AS x FROM range(5)", "FORMAT parquet", lake_.Abs(rel), 5),
      StatusIs(Status::Code::kUnavailable, "the store is down"));
  EXPECT_EQ(sink.published, std::vector<std::string>{rel}) << "lake-relative, after the commit";
  EXPECT_TRUE(FolderOf(lake_.Abs(rel)).empty()) << "the file is removed: the job never ran";
  sink.fail = false;
  ASSERT_THAT(
      rewriter->WriteFile("SELECT range AS x FROM range(5)", "FORMAT parquet", lake_.Abs(rel), 5),
      IsOk());
  EXPECT_EQ(sink.published, (std::vector<std::string>{rel, rel}));
  EXPECT_EQ(FolderOf(lake_.Abs(rel)), std::vector<std::string>{fs::path(rel).filename()});
  // A file that is not written is not published.
  EXPECT_FALSE(
      rewriter->WriteFile("SELECT nope FROM range(5)", "FORMAT parquet", lake_.Abs(rel), 5).ok());
  EXPECT_EQ(sink.published.size(), 2u);
}

}  // namespace
}  // namespace gamelake
