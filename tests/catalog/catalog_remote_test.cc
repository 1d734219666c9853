// The catalog's remote files (other nodes' files of a shared lake):
// ApplyRemote adds and removes them, a crawl of the local folder keeps them,
// delivered_seq() counts only this node's files, and visibility compares
// only files of one node.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "catalog/catalog.h"
#include "catalog_test_util.h"

namespace gamelake {
namespace {

// This node ("a") delivered records 1..2; node "b" records 1..9 (its own ids).
const char* kOwn =
    "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000002.a.parquet";
const char* kRemote =
    "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000009.b.parquet";

std::string Rows(int n) {
  return "SELECT TIMESTAMP '2026-11-26 10:00:00' AS _ingest_time, range::BIGINT + 1 AS "
         "_record_id FROM range(" +
         std::to_string(n) + ")";
}

class CatalogRemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_.Copy(kOwn, Rows(2));
    catalog_ = lake_.Open();
    ASSERT_NE(catalog_, nullptr);
    ASSERT_THAT(catalog_->Crawl(false).status(), IsOk());
  }

  const CatalogTable* Table(const std::string& name) {
    snap_ = catalog_->Snapshot();
    return snap_->FindTable(name);
  }

  TestLake lake_;
  std::unique_ptr<Catalog> catalog_;
  std::shared_ptr<const CatalogSnapshot> snap_;
};

TEST_F(CatalogRemoteTest, RemoteFilesSurviveCrawlsAndNeverCountAsDelivered) {
  RemoteFileChange change;
  change.added.push_back(lake_.RemoteCopy(kRemote, Rows(9)));
  Result<RemoteApplyReport> report = catalog_->ApplyRemote(change);
  ASSERT_THAT(report.status(), IsOk());
  EXPECT_EQ(report->added, 1u);
  EXPECT_GT(report->version, 0u);
  EXPECT_TRUE(report->unreadable.empty());

  const CatalogTable* t = Table("events");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->files.size(), 2u);  // Overlapping ids, two nodes: both visible.
  const CatalogFile& f = t->files.at(kRemote);
  EXPECT_TRUE(f.remote);
  EXPECT_EQ(f.node, "b");
  EXPECT_EQ(f.rows, 9u);
  EXPECT_EQ(f.last_seq, 9u);
  EXPECT_EQ(f.mtime_us, 1'700'000'000'000'000);
  EXPECT_EQ(f.partitions,
            (std::vector<std::pair<std::string, std::string>>{{"dt", "2026-11-26"}, {"hr", "10"}}));
  EXPECT_EQ(t->files.at(kOwn).node, "a");
  EXPECT_FALSE(t->files.at(kOwn).remote);
  EXPECT_EQ(t->rows(), 11u);
  EXPECT_EQ(t->delivered_seq(), 2u) << "node b's record ids are not this node's";

  // The copy is evicted; crawls of the local folder keep the file.
  std::filesystem::remove_all(lake_.data() + "/cache");
  ASSERT_THAT(catalog_->Crawl(false).status(), IsOk());
  ASSERT_THAT(catalog_->Crawl(true).status(), IsOk());
  t = Table("events");
  ASSERT_EQ(t->files.count(kRemote), 1u);
  EXPECT_EQ(t->delivered_seq(), 2u);
  // Reopened from catalog.json: the same.
  catalog_ = lake_.Open();
  t = Table("events");
  ASSERT_EQ(t->files.count(kRemote), 1u);
  EXPECT_TRUE(t->files.at(kRemote).remote);
  EXPECT_EQ(t->delivered_seq(), 2u);
}

TEST_F(CatalogRemoteTest, ATableOnlyOtherNodesWroteSurvivesACrawl) {
  const std::string quests =
      "quests/dt=2026-11-26/hr=10/quests-00000000000000000001-00000000000000000003.b.parquet";
  RemoteFileChange change;
  change.added.push_back(lake_.RemoteCopy(quests, Rows(3)));
  ASSERT_THAT(catalog_->ApplyRemote(change).status(), IsOk());
  ASSERT_THAT(catalog_->Crawl(false).status(), IsOk());
  const CatalogTable* t = Table("quests");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->files.size(), 1u);
  EXPECT_EQ(t->delivered_seq(), 0u);
  EXPECT_EQ(t->rows(), 3u);
}

TEST_F(CatalogRemoteTest, RemovesOnlyRemoteFiles) {
  RemoteFileChange add;
  add.added.push_back(lake_.RemoteCopy(kRemote, Rows(9)));
  ASSERT_THAT(catalog_->ApplyRemote(add).status(), IsOk());
  RemoteFileChange remove;
  remove.removed = {kRemote, kOwn, "events/nothing.parquet"};
  Result<RemoteApplyReport> report = catalog_->ApplyRemote(remove);
  ASSERT_THAT(report.status(), IsOk());
  EXPECT_EQ(report->removed, 1u);
  const CatalogTable* t = Table("events");
  EXPECT_EQ(t->files.count(kRemote), 0u);
  EXPECT_EQ(t->files.count(kOwn), 1u) << "a listing never removes this node's files";
}

TEST_F(CatalogRemoteTest, UnreadableCopiesAndForeignNamesAreLeftOut) {
  RemoteFileChange change;
  RemoteFileAddition bad = lake_.RemoteCopy(kRemote, Rows(9));
  std::filesystem::resize_file(bad.local_path, 10);
  change.added.push_back(bad);
  RemoteFileAddition hand = lake_.RemoteCopy("events/by-hand.parquet", Rows(1));
  change.added.push_back(hand);
  Result<RemoteApplyReport> report = catalog_->ApplyRemote(change);
  ASSERT_THAT(report.status(), IsOk());
  EXPECT_EQ(report->added, 0u);
  ASSERT_EQ(report->unreadable.size(), 2u);
  const CatalogTable* t = Table("events");
  EXPECT_EQ(t->files.size(), 1u);
  EXPECT_TRUE(Table("events")->files.count(kOwn));
}

TEST_F(CatalogRemoteTest, VisibilityComparesFilesOfOneNodeOnly) {
  // Node b rewrote its range (an erasure, version 1): it supersedes b's
  // original, never this node's file of overlapping ids.
  const std::string rewrite =
      "events/dt=2026-11-26/hr=10/events-00000000000000000001-00000000000000000009-v1.b.parquet";
  RemoteFileChange change;
  change.added.push_back(lake_.RemoteCopy(kRemote, Rows(9)));
  ASSERT_THAT(catalog_->ApplyRemote(change).status(), IsOk());
  change.added = {lake_.RemoteCopy(rewrite, Rows(8))};
  ASSERT_THAT(catalog_->ApplyRemote(change).status(), IsOk());
  const CatalogTable* t = Table("events");
  EXPECT_EQ(t->files.count(kRemote), 0u);
  EXPECT_EQ(t->files.count(rewrite), 1u);
  EXPECT_EQ(t->files.count(kOwn), 1u);
  EXPECT_EQ(t->rows(), 10u);
}

}  // namespace
}  // namespace gamelake
