// S3LakeKeeper against s3rver: after a compaction or an erasure of node a's
// local files, a sweep uploads the new file and deletes the replaced
// objects only once their grace period is over (a new keeper — a restart —
// starts the grace again, and with 0 deletes them at once); objects past
// retention and orphaned rewrites are deleted at once; objects of another
// node, and own objects that touch no local file, are never deleted.
#include "s3/s3_lake_keeper.h"

#include <gtest/gtest.h>

#include <climits>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "../common/status_matchers.h"
#include "s3/s3_client.h"
#include "s3rver_fixture.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

constexpr char kHour[] = "events/dt=2026-01-02/hr=10/";

class S3LakeKeeperTest : public S3rverFixture {
 protected:
  void SetUp() override {
    S3rverFixture::SetUp();
    lake_ = dir_.path() + "/lake";
  }

  S3LakeSinkOptions SinkOptions(const std::string& node) {
    S3LakeSinkOptions o;
    o.location = S3Location::Parse("s3://gl-test/lake").value();
    o.lake_dir = lake_;
    o.node_id = node;
    return o;
  }

  std::unique_ptr<S3LakeKeeper> Keeper(int64_t grace_us) {
    S3LakeKeeperOptions o;
    o.sink = SinkOptions("a");
    o.delete_grace_us = grace_us;
    return std::make_unique<S3LakeKeeper>(QuickClient(), o);
  }

  static std::string Path(uint64_t first, uint64_t last, const std::string& node,
                          uint32_t version = 0, const std::string& dir = kHour) {
    return dir + LakeFileName(first, last, version, node).Format("events");
  }

  void Write(const std::string& rel, const std::string& bytes) {
    fs::create_directories(fs::path(lake_ + "/" + rel).parent_path());
    std::ofstream(lake_ + "/" + rel, std::ios::binary) << bytes;
  }
  void Remove(const std::string& rel) { fs::remove(lake_ + "/" + rel); }

  // Uploads `rel` (written locally for the purpose, then removed again
  // unless keep) as node `node`'s object.
  void Put(const std::string& rel, const std::string& node, bool keep = false) {
    Write(rel, "object " + rel);
    S3LakeSink sink(QuickClient(), SinkOptions(node));
    GL_ASSERT_OK(sink.Publish(rel));
    if (!keep) Remove(rel);
  }

  // The lake-relative paths in the bucket.
  std::set<std::string> Bucket() {
    Result<std::vector<S3ObjectInfo>> all = QuickClient()->ListAllObjects("lake/");
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::set<std::string> out;
    if (all.ok()) {
      for (const S3ObjectInfo& o : *all) out.insert(o.key.substr(5));
    }
    return out;
  }

  static int64_t NoRetention(const std::string&) { return INT64_MIN; }

  std::string lake_;
};

TEST_F(S3LakeKeeperTest, CompactionObjectsGoAfterTheGraceAndARestartKeepsThemPending) {
  const std::string in1 = Path(1, 10, "a"), in2 = Path(11, 20, "a");
  Put(in1, "a", /*keep=*/true);
  Put(in2, "a", /*keep=*/true);
  const std::string other = Path(1, 500, "b");
  Put(other, "b");
  // A compaction merged the two locally and retired the inputs.
  const std::string merged = Path(1, 20, "a");
  Write(merged, "merged");
  Remove(in1);
  Remove(in2);

  std::unique_ptr<S3LakeKeeper> keeper = Keeper(/*grace_us=*/3'600'000'000);
  Result<S3LakeKeeperSweep> sweep = keeper->Sweep(NoRetention);
  GL_ASSERT_OK(sweep);
  EXPECT_EQ(sweep->uploaded, (std::vector<std::string>{merged}));
  EXPECT_TRUE(sweep->deleted_superseded.empty());
  EXPECT_EQ(sweep->waiting, 2u);
  EXPECT_EQ(Bucket(), (std::set<std::string>{in1, in2, merged, other}));
  // Nothing changes while the grace runs.
  sweep = keeper->Sweep(NoRetention);
  GL_ASSERT_OK(sweep);
  EXPECT_TRUE(sweep->uploaded.empty());
  EXPECT_EQ(sweep->waiting, 2u);

  // A restart (a new keeper) knows nothing but the listing: the replaced
  // objects are found again; with no grace they go at once.
  keeper = Keeper(/*grace_us=*/0);
  sweep = keeper->Sweep(NoRetention);
  GL_ASSERT_OK(sweep);
  EXPECT_EQ(sweep->deleted_superseded.size(), 2u);
  EXPECT_EQ(sweep->waiting, 0u);
  EXPECT_EQ(Bucket(), (std::set<std::string>{merged, other}));
}

TEST_F(S3LakeKeeperTest, ErasureOriginalsOrphansAndExpiredObjects) {
  // An erasure rewrote [21,30] to version 1 locally.
  const std::string original = Path(21, 30, "a");
  Put(original, "a");
  const std::string rewritten = Path(21, 30, "a", 1);
  Write(rewritten, "without the erased rows");
  // A merge whose upload was reported failed and rolled back locally, yet
  // reached the store: it would hide the rewrite from other nodes.
  const std::string orphan = Path(21, 40, "a");
  Put(orphan, "a");
  // Past retention, its local file long gone.
  const std::string expired = Path(1, 5, "a", 0, "events/dt=2021-03-04/hr=05/");
  Put(expired, "a");
  // Own objects that touch no local file (a node rebuilt without its lake)
  // and other nodes' objects stay, even past retention.
  const std::string unrelated = Path(100, 110, "a", 0, "events/dt=2026-01-02/hr=11/");
  Put(unrelated, "a");
  const std::string other_old = Path(1, 5, "b", 0, "events/dt=2021-03-04/hr=05/");
  Put(other_old, "b");

  std::unique_ptr<S3LakeKeeper> keeper = Keeper(/*grace_us=*/0);
  const int64_t cutoff = 1'640'995'200'000'000;  // 2022-01-01.
  Result<S3LakeKeeperSweep> sweep =
      keeper->Sweep([&](const std::string& table) { return table == "events" ? cutoff : 0; });
  GL_ASSERT_OK(sweep);
  EXPECT_EQ(sweep->uploaded, (std::vector<std::string>{rewritten}));
  EXPECT_EQ(sweep->deleted_superseded, (std::vector<std::string>{original}));
  EXPECT_EQ(sweep->deleted_orphans, (std::vector<std::string>{orphan}));
  EXPECT_EQ(sweep->deleted_expired, (std::vector<std::string>{expired}));
  EXPECT_EQ(Bucket(), (std::set<std::string>{rewritten, unrelated, other_old}));
  // Idempotent.
  sweep = keeper->Sweep(NoRetention);
  GL_ASSERT_OK(sweep);
  EXPECT_TRUE(sweep->uploaded.empty());
  EXPECT_TRUE(sweep->deleted_superseded.empty() && sweep->deleted_orphans.empty() &&
              sweep->deleted_expired.empty());
}

}  // namespace
}  // namespace gamelake
