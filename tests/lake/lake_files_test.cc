#include "lake/lake_files.h"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "common/civil_time.h"
#include "lake/file_reclaimer.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

std::vector<size_t> Sorted(std::vector<size_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ResolveVisibilityTest, DisjointFilesAreAllVisible) {
  std::vector<LakeFileName> names = {{11, 20, 0}, {1, 10, 0}, {21, 21, 0}};
  Visibility v = ResolveVisibility(names);
  EXPECT_EQ(v.visible, (std::vector<size_t>{1, 0, 2}));  // In record id order.
  EXPECT_TRUE(v.superseded.empty());
  EXPECT_TRUE(v.conflicts.empty());
}

TEST(ResolveVisibilityTest, AMergedFileSupersedesItsInputs) {
  // Compaction wrote [1..30] from three hour files; a later file stays.
  std::vector<LakeFileName> names = {{1, 10, 0}, {11, 20, 0}, {21, 30, 0}, {1, 30, 0}, {31, 40, 0}};
  Visibility v = ResolveVisibility(names);
  EXPECT_EQ(v.visible, (std::vector<size_t>{3, 4}));
  EXPECT_EQ(v.superseded, (std::vector<size_t>{0, 1, 2}));
  // A day file over merged hour files and an erased original: all one copy.
  names = {{1, 30, 0}, {1, 30, 2}, {1, 30, 1}, {1, 100, 0}, {31, 100, 0}};
  v = ResolveVisibility(names);
  EXPECT_EQ(v.visible, (std::vector<size_t>{3}));
  EXPECT_EQ(Sorted(v.superseded), (std::vector<size_t>{0, 1, 2, 4}));
}

TEST(ResolveVisibilityTest, TheNewestVersionOfARangeWins) {
  std::vector<LakeFileName> names = {{1, 10, 0}, {1, 10, 2}, {1, 10, 1}};
  Visibility v = ResolveVisibility(names);
  EXPECT_EQ(v.visible, (std::vector<size_t>{1}));
  EXPECT_EQ(v.superseded, (std::vector<size_t>{0, 2}));
}

TEST(ResolveVisibilityTest, PartialOverlapsAreConflictsNotDeletions) {
  std::vector<LakeFileName> names = {{1, 10, 0}, {5, 15, 0}};
  Visibility v = ResolveVisibility(names);
  ASSERT_EQ(v.visible.size(), 1u);
  EXPECT_TRUE(v.superseded.empty());
  ASSERT_EQ(v.conflicts.size(), 1u);
  EXPECT_NE(v.conflicts[0].first, v.visible[0]);
  EXPECT_EQ(v.conflicts[0].second, v.visible[0]);
}

class LakeFilesTest : public ::testing::Test {
 protected:
  std::string lake() const { return dir_.path() + "/lake"; }
  // Writes an empty file at the lake-relative path.
  void Touch(const std::string& rel) {
    fs::create_directories(fs::path(lake() + "/" + rel).parent_path());
    GL_ASSERT_OK(Env::Default()->WriteFileAtomic(lake() + "/" + rel, "x"));
  }
  std::string Path(const std::string& table, const char* hour_iso, LakeFileName name) {
    return LakeFilePath(table, LakePartition::OfTime(ParseTime(hour_iso).value()), name);
  }
  bool Exists(const std::string& rel) const { return fs::exists(lake() + "/" + rel); }

  ScratchDir dir_;
  Env* env_ = Env::Default();
};

TEST_F(LakeFilesTest, ListsWrittenFilesOfATableOnly) {
  std::string a = Path("s", "2026-11-26T10:00:00Z", {1, 5, 0});
  std::string b = LakeFilePath(
      "s", LakePartition::DayOf(ParseTime("2026-11-25T00:00:00Z").value() / kMicrosPerHour),
      {6, 9, 1});
  Touch(a);
  Touch(b);
  Touch("s/dt=2026-11-26/hr=10/.tmpfile.tmp");
  Touch("s/dt=2026-11-26/hr=10/hand-dropped.parquet");
  Touch(Path("t", "2026-11-26T10:00:00Z", {2, 3, 0}));
  auto files = ListWrittenFiles(env_, lake(), "s");
  GL_ASSERT_OK(files);
  ASSERT_EQ(files->size(), 2u);
  std::set<std::string> paths = {(*files)[0].path, (*files)[1].path};
  EXPECT_EQ(paths, (std::set<std::string>{a, b}));
  auto tables = ListTables(env_, lake());
  GL_ASSERT_OK(tables);
  EXPECT_EQ(*tables, (std::vector<std::string>{"s", "t"}));
}

TEST_F(LakeFilesTest, WatermarksAreTheHighestNameOrTheFloor) {
  Touch(Path("s", "2026-11-26T10:00:00Z", {1, 5, 0}));
  Touch(Path("s", "2026-11-26T11:00:00Z", {6, 9, 0}));
  Touch(Path("t", "2026-11-26T10:00:00Z", {2, 3, 0}));
  auto wm = ScanWatermarks(env_, lake());
  GL_ASSERT_OK(wm);
  EXPECT_EQ(*wm, (std::map<std::string, uint64_t>{{"s", 9}, {"t", 3}}));
  // Retention dropped t's files and u's: the floor keeps their watermarks.
  GL_ASSERT_OK(RaiseWatermarkFloors(env_, lake(), {{"t", 7}, {"u", 4}, {"s", 2}}));
  GL_ASSERT_OK(RaiseWatermarkFloors(env_, lake(), {{"t", 6}}));  // Never lowers.
  fs::remove_all(lake() + "/t");
  wm = ScanWatermarks(env_, lake());
  GL_ASSERT_OK(wm);
  EXPECT_EQ(*wm, (std::map<std::string, uint64_t>{{"s", 9}, {"t", 7}, {"u", 4}}));
  // The floor file is the lake's own state, not a table.
  auto tables = ListTables(env_, lake());
  GL_ASSERT_OK(tables);
  EXPECT_EQ(*tables, (std::vector<std::string>{"s"}));
}

TEST_F(LakeFilesTest, AFloorFileThatCannotBeReadIsAnError) {
  fs::create_directories(lake() + "/.gamelake");
  GL_ASSERT_OK(env_->WriteFileAtomic(lake() + "/.gamelake/watermarks", "s 12\nbroken\n"));
  EXPECT_THAT(ScanWatermarks(env_, lake()), StatusIs(Status::Code::kCorruption, "watermarks:2"));
}

TEST_F(LakeFilesTest, LeftoversOfACrashAreRemovedAndConflictsKept) {
  std::string in1 = Path("s", "2026-11-26T10:00:00Z", {1, 5, 0});
  std::string in2 = Path("s", "2026-11-26T10:00:00Z", {6, 9, 0});
  std::string day = LakeFilePath(
      "s", LakePartition::DayOf(ParseTime("2026-11-26T00:00:00Z").value() / kMicrosPerHour),
      {1, 9, 0});
  std::string erased = Path("s", "2026-11-26T11:00:00Z", {10, 12, 0});
  std::string rewrite = Path("s", "2026-11-26T11:00:00Z", {10, 12, 1});
  std::string odd = Path("s", "2026-11-26T12:00:00Z", {12, 13, 0});  // Never written so.
  std::string tmp = "s/dt=2026-11-26/hr=12/.s-x.parquet.tmp";
  for (const std::string& p : {in1, in2, day, erased, rewrite, odd, tmp}) Touch(p);
  auto report = RemoveLeftovers(env_, lake());
  GL_ASSERT_OK(report);
  EXPECT_EQ(report->temporary, (std::vector<std::string>{tmp}));
  std::set<std::string> gone(report->superseded.begin(), report->superseded.end());
  EXPECT_EQ(gone, (std::set<std::string>{in1, in2, erased}));
  EXPECT_EQ(report->conflicts, (std::vector<std::string>{odd}));
  EXPECT_TRUE(Exists(day));
  EXPECT_TRUE(Exists(rewrite));
  EXPECT_TRUE(Exists(odd));
  EXPECT_FALSE(Exists(in1));
  EXPECT_FALSE(Exists(tmp));
  // hr=10 held only replaced files: its folder went with them.
  EXPECT_FALSE(fs::exists(lake() + "/s/dt=2026-11-26/hr=10"));
  EXPECT_TRUE(fs::exists(lake() + "/s"));
}

TEST_F(LakeFilesTest, ReclaimerWaitsForEarlierReaders) {
  std::string a = Path("s", "2026-11-26T10:00:00Z", {1, 5, 0});
  std::string b = Path("s", "2026-11-26T11:00:00Z", {6, 9, 0});
  Touch(a);
  Touch(b);
  FileReclaimer reclaimer(env_, lake());
  FileReclaimer::Ticket early = reclaimer.Enter();
  reclaimer.Retire({a});
  FileReclaimer::Ticket late = reclaimer.Enter();  // Entered after: never sees a.
  EXPECT_TRUE(Exists(a));
  EXPECT_EQ(reclaimer.pending_files(), 1u);
  early.Release();
  EXPECT_FALSE(Exists(a));  // The late reader does not hold it back.
  EXPECT_FALSE(fs::exists(lake() + "/s/dt=2026-11-26/hr=10"));
  reclaimer.Retire({b});
  EXPECT_TRUE(Exists(b));  // late entered before this retire.
  FileReclaimer::Ticket moved = std::move(late);
  EXPECT_TRUE(Exists(b));
  moved.Release();
  EXPECT_FALSE(Exists(b));
  EXPECT_EQ(reclaimer.pending_files(), 0u);
  EXPECT_EQ(reclaimer.readers(), 0u);
}

TEST_F(LakeFilesTest, ReclaimerUnderConcurrentReadersDeletesEachFileOnce) {
  constexpr int kFiles = 200;
  std::vector<std::string> paths;
  for (int i = 0; i < kFiles; ++i) {
    paths.push_back(
        Path("s", "2026-11-26T10:00:00Z",
             {static_cast<uint64_t>(i * 10 + 1), static_cast<uint64_t>(i * 10 + 9), 0}));
    Touch(paths.back());
  }
  FileReclaimer reclaimer(env_, lake());
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) FileReclaimer::Ticket ticket = reclaimer.Enter();
    });
  }
  for (const std::string& p : paths) reclaimer.Retire({p});
  stop.store(true);
  for (auto& r : readers) r.join();
  FileReclaimer::Ticket last = reclaimer.Enter();
  last.Release();
  EXPECT_EQ(reclaimer.pending_files(), 0u);
  for (const std::string& p : paths) EXPECT_FALSE(Exists(p)) << p;
}

}  // namespace
}  // namespace gamelake
