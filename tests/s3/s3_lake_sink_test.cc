// S3LakeSink against s3rver: Publish puts a local lake file under
// <prefix>/<lake path>; Recover counts only this node's objects for the
// watermarks, returns the local files the store lacks (or holds with another
// size), and treats s3rver's missing ListMultipartUploads (501
// NotImplemented) as "no uploads in progress".
#include "s3/s3_lake_sink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../common/status_matchers.h"
#include "s3/s3_client.h"
#include "s3rver_fixture.h"

namespace gamelake {
namespace {

namespace fs = std::filesystem;

class S3LakeSinkTest : public S3rverFixture {
 protected:
  void SetUp() override {
    S3rverFixture::SetUp();
    lake_ = dir_.path() + "/lake";
  }

  std::unique_ptr<S3LakeSink> Sink(const std::string& node) {
    S3LakeSinkOptions o;
    o.location = S3Location::Parse("s3://gl-test/lake").value();
    o.lake_dir = lake_;
    o.node_id = node;
    return std::make_unique<S3LakeSink>(QuickClient(), std::move(o));
  }

  // Writes a local lake file; returns its lake-relative path.
  std::string LocalFile(uint64_t first, uint64_t last, const std::string& node,
                        const std::string& bytes) {
    std::string rel =
        "events/dt=2026-01-02/hr=10/" + LakeFileName(first, last, 0, node).Format("events");
    fs::create_directories(fs::path(lake_ + "/" + rel).parent_path());
    std::ofstream(lake_ + "/" + rel, std::ios::binary) << bytes;
    return rel;
  }

  std::string lake_;
};

TEST_F(S3LakeSinkTest, PublishRecoverAndOtherNodesFiles) {
  std::unique_ptr<S3LakeSink> a = Sink("a");
  std::string a1 = LocalFile(1, 10, "a", "first file of a");
  std::string a2 = LocalFile(11, 20, "a", "second file of a");
  // Nothing in the store yet: both are missing, no watermark.
  Result<LakeSinkRecovery> r = a->Recover();
  GL_ASSERT_OK(r);
  EXPECT_TRUE(r->watermarks.empty());
  EXPECT_EQ(r->missing, (std::vector<std::string>{a1, a2}));

  GL_ASSERT_OK(a->Publish(a1));
  Result<S3ObjectInfo> head = QuickClient()->HeadObject("lake/" + a1);
  GL_ASSERT_OK(head);
  EXPECT_EQ(head->size, std::string("first file of a").size());

  // Another node's object with a higher range does not count for node a.
  {
    std::unique_ptr<S3LakeSink> b = Sink("b");
    std::string b1 = LocalFile(1, 500, "b", "b's file");
    GL_ASSERT_OK(b->Publish(b1));
    fs::remove(lake_ + "/" + b1);
  }
  r = a->Recover();
  GL_ASSERT_OK(r);
  EXPECT_EQ(r->watermarks, (std::map<std::string, uint64_t>{{"events", 10}}));
  EXPECT_EQ(r->missing, (std::vector<std::string>{a2}));

  // A local file whose object has another size (a torn upload elsewhere) is
  // published again; a lost local lake still gets the watermark.
  std::ofstream(lake_ + "/" + a1, std::ios::binary) << "first file of a, longer";
  GL_ASSERT_OK(a->Publish(a2));
  r = a->Recover();
  GL_ASSERT_OK(r);
  EXPECT_EQ(r->missing, (std::vector<std::string>{a1}));
  fs::remove_all(lake_);
  r = a->Recover();
  GL_ASSERT_OK(r);
  EXPECT_TRUE(r->missing.empty());
  EXPECT_EQ(r->watermarks, (std::map<std::string, uint64_t>{{"events", 20}}));

  // ParseOwnKey: only this node's written names under the prefix.
  EXPECT_TRUE(a->ParseOwnKey("lake/" + a1).has_value());
  EXPECT_FALSE(a->ParseOwnKey("other/" + a1).has_value());
  EXPECT_FALSE(a->ParseOwnKey("lake/events/dt=2026-01-02/hr=10/x.parquet").has_value());
  EXPECT_FALSE(Sink("")->ParseOwnKey("lake/" + a1).has_value());
}

}  // namespace
}  // namespace gamelake
