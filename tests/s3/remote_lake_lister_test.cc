// RemoteLakeLister against s3rver: node "a" learns node "b"'s files (never
// its own, never names gamelake did not write, never superseded ones), in
// full and incremental listings, and forgets files that left the bucket;
// the copies it inspected are verified and cached.
#include "s3/remote_lake_lister.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "../common/status_matchers.h"
#include "s3/lake_file_cache.h"
#include "s3/s3_client.h"
#include "s3rver_fixture.h"
#include "sql/duck_db.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

class RemoteLakeListerTest : public S3rverFixture {
 protected:
  void SetUp() override {
    S3rverFixture::SetUp();
    if (IsSkipped()) return;
    Result<std::unique_ptr<S3Client>> client =
        S3Client::Create(S3rverClientOptions(S3RetryOptions{2, 20, 50}));
    ASSERT_THAT(client.status(), IsOk());
    client_ = std::move(client).value();
    auto db = DuckDb::Open(DuckDbOptions{});
    ASSERT_THAT(db.status(), IsOk());
    db_ = std::move(db).value();
    CatalogOptions co;
    co.dir = dir_.path() + "/catalog";
    co.lake_dir = dir_.path() + "/lake";
    fs::create_directories(co.lake_dir);
    auto catalog = Catalog::Open(co);
    ASSERT_THAT(catalog.status(), IsOk());
    catalog_ = std::move(catalog).value();
    LakeFileCacheOptions c;
    c.dir = dir_.path() + "/cache";
    S3Client* raw = client_.get();
    c.fetch = [raw](const std::string& path, const std::string& local) {
      return raw->GetObject("lake/" + path, local).status();
    };
    auto cache = LakeFileCache::Open(std::move(c));
    ASSERT_THAT(cache.status(), IsOk());
    cache_ = std::move(cache).value();
    RemoteLakeListerOptions lo;
    lo.location = S3Location::Parse("s3://gl-test/lake").value();
    lo.node_id = "a";
    lo.client = client_.get();
    lo.catalog = catalog_.get();
    lo.cache = cache_.get();
    lister_ = std::make_unique<RemoteLakeLister>(std::move(lo));
  }

  // Uploads a Parquet file of `rows` records as lake/<rel>.
  void Upload(const std::string& rel, int rows) {
    std::string local = dir_.path() + "/src/" + std::to_string(uploads_++) + ".parquet";
    fs::create_directories(dir_.path() + "/src");
    Status s = db_->Execute(
        "COPY (SELECT TIMESTAMP '2026-11-26 10:00:00' AS _ingest_time, range::BIGINT + 1 AS "
        "_record_id FROM range(" +
        std::to_string(rows) + ")) TO " + QuoteLiteral(local) + " (FORMAT parquet)");
    ASSERT_THAT(s, IsOk());
    ASSERT_THAT(client_->PutObject("lake/" + rel, local).status(), IsOk());
  }

  static std::string Name(const std::string& dt, uint64_t first, uint64_t last,
                          const std::string& node, uint32_t version = 0) {
    return "events/dt=" + dt + "/hr=10/" +
           LakeFileName(first, last, version, node).Format("events");
  }

  uint64_t RemoteRows() {
    auto snap = catalog_->Snapshot();
    const CatalogTable* t = snap->FindTable("events");
    uint64_t n = 0;
    if (t == nullptr) return n;
    for (const auto& [path, f] : t->files) n += f.remote ? f.rows : 0;
    return n;
  }
  size_t RemoteFiles() {
    auto snap = catalog_->Snapshot();
    const CatalogTable* t = snap->FindTable("events");
    size_t n = 0;
    if (t == nullptr) return n;
    for (const auto& [path, f] : t->files) n += f.remote ? 1 : 0;
    return n;
  }

  std::unique_ptr<S3Client> client_;
  std::unique_ptr<DuckDb> db_;
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<LakeFileCache> cache_;
  std::unique_ptr<RemoteLakeLister> lister_;
  int uploads_ = 0;
};

TEST_F(RemoteLakeListerTest, LearnsOtherNodesFilesAndForgetsDeletedOnes) {
  const std::string b1 = Name("2026-11-25", 1, 10, "b");
  const std::string b2 = Name("2026-11-26", 11, 15, "b");
  Upload(b1, 10);
  Upload(b2, 5);
  Upload(Name("2026-11-26", 1, 7, "a"), 7);                 // This node's own: never remote.
  Upload(Name("2026-11-26", 1, 3, ""), 3);                  // A node without an id: another node.
  Upload("events/dt=2026-11-26/hr=10/by-hand.parquet", 2);  // Not gamelake's name.
  ASSERT_THAT(lister_->SyncOnce(/*full=*/true), IsOk());
  EXPECT_EQ(RemoteFiles(), 3u);
  EXPECT_EQ(RemoteRows(), 18u);
  EXPECT_EQ(catalog_->Snapshot()->FindTable("events")->delivered_seq(), 0u);
  const CatalogFile& f = catalog_->Snapshot()->FindTable("events")->files.at(b1);
  EXPECT_EQ(f.node, "b");
  EXPECT_FALSE(f.etag.empty());
  EXPECT_TRUE(fs::exists(cache_->LocalPath(b1)));
  EXPECT_EQ(lister_->stats().files_added, 3u);

  // Nothing new: nothing fetched again.
  uint64_t downloads = cache_->stats().downloads;
  ASSERT_THAT(lister_->SyncOnce(/*full=*/false), IsOk());
  EXPECT_EQ(cache_->stats().downloads, downloads);

  // Incremental: a new file in the newest partition is found; b2's
  // removal there is seen; b1's (an older partition) waits for a full one.
  const std::string b3 = Name("2026-11-26", 16, 20, "b");
  Upload(b3, 5);
  ASSERT_THAT(client_->DeleteObject("lake/" + b2), IsOk());
  ASSERT_THAT(client_->DeleteObject("lake/" + b1), IsOk());
  ASSERT_THAT(lister_->SyncOnce(/*full=*/false), IsOk());
  auto snap = catalog_->Snapshot();
  const CatalogTable* t = snap->FindTable("events");
  EXPECT_EQ(t->files.count(b3), 1u);
  EXPECT_EQ(t->files.count(b2), 0u);
  EXPECT_EQ(t->files.count(b1), 1u);
  ASSERT_THAT(lister_->SyncOnce(/*full=*/true), IsOk());
  EXPECT_EQ(catalog_->Snapshot()->FindTable("events")->files.count(b1), 0u);
  EXPECT_FALSE(fs::exists(cache_->LocalPath(b1)));
  EXPECT_EQ(RemoteRows(), 8u);  // b3 and the id-less node's file.
}

TEST_F(RemoteLakeListerTest, SupersededFilesAreNotFetched) {
  // Node b compacted 1-5 and 6-9 into 1-9 but has not deleted the inputs yet.
  Upload(Name("2026-11-26", 1, 5, "b"), 5);
  Upload(Name("2026-11-26", 6, 9, "b"), 4);
  Upload(Name("2026-11-26", 1, 9, "b"), 9);
  ASSERT_THAT(lister_->SyncOnce(/*full=*/true), IsOk());
  EXPECT_EQ(RemoteFiles(), 1u);
  EXPECT_EQ(RemoteRows(), 9u);
  EXPECT_EQ(cache_->stats().downloads, 1u);
}

TEST_F(RemoteLakeListerTest, AListingThatFailsChangesNothingAndIsCounted) {
  Upload(Name("2026-11-26", 1, 5, "b"), 5);
  ASSERT_THAT(lister_->SyncOnce(/*full=*/true), IsOk());
  server_.reset();  // The store goes away.
  EXPECT_FALSE(lister_->SyncOnce(/*full=*/true).ok());
  EXPECT_FALSE(lister_->SyncOnce(/*full=*/false).ok());
  RemoteLakeListerStats st = lister_->stats();
  EXPECT_EQ(st.consecutive_failures, 2u);
  EXPECT_FALSE(st.last_error.empty());
  EXPECT_EQ(RemoteRows(), 5u);
}

}  // namespace
}  // namespace gamelake
