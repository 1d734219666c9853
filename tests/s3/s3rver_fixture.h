// S3rverFixture: the base of the tests that run the S3 client against
// s3rver: each test gets a scratch directory (dir_) and a fresh s3rver
// storing under it (server_), or is skipped when tests/s3's npm packages are
// not installed; S3rverClientOptions() addresses its bucket "gl-test".
//
// Thread-safety: as a gtest fixture, used from the test's thread.
#ifndef GAMELAKE_TESTS_S3_S3RVER_FIXTURE_H_
#define GAMELAKE_TESTS_S3_S3RVER_FIXTURE_H_

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "../common/scratch_dir.h"
#include "node_tools.h"
#include "s3/s3_client.h"

namespace gamelake {

class S3rverFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string missing = S3ToolsMissing();
    if (!missing.empty()) GTEST_SKIP() << missing;
    server_ = std::make_unique<S3rverProcess>(dir_.path() + "/store");
    ASSERT_GT(server_->port(), 0) << "s3rver did not start";
  }

  // Path-style requests to the bucket "gl-test" on server_, with the one key
  // s3rver knows (it checks no signature) and the given retries.
  S3ClientOptions S3rverClientOptions(S3RetryOptions retry) const {
    S3ClientOptions o;
    o.bucket = "gl-test";
    o.endpoint = server_->endpoint();
    o.path_style = true;
    S3CredentialsOptions c;
    c.access_key_id = "S3RVER";
    c.secret_access_key = "S3RVER";
    o.credentials = std::make_shared<S3CredentialsProvider>(c);
    o.retry = retry;
    return o;
  }

  // A client of server_ with quick retries (2 attempts, 20-50 ms apart), for
  // tests that want an outage to fail fast.
  std::unique_ptr<S3Client> QuickClient() const {
    Result<std::unique_ptr<S3Client>> client =
        S3Client::Create(S3rverClientOptions(S3RetryOptions{2, 20, 50}));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  ScratchDir dir_;
  std::unique_ptr<S3rverProcess> server_;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_S3_S3RVER_FIXTURE_H_
