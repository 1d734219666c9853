// The AWS SDK for JavaScript v3 (@aws-sdk/client-firehose, pinned in
// tests/firehose_sdk) signs real PutRecordBatch and PutRecord requests; our
// SigV4Verifier must accept them, and refuse them with another secret, a
// changed body, or a second time.
//
// Needs node and tests/firehose_sdk/node_modules (scripts/setup.sh installs
// them); skipped otherwise.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <simdjson.h>

#include "../common/run_command.h"
#include "auth/sigv4.h"
#include "sigv4_test_util.h"

namespace gamelake {
namespace {

constexpr std::string_view kKeyId = "GLKSDKTEST0001";
constexpr std::string_view kSecret = "sdk-secret/with+symbols=";

std::string SdkDir() { return std::string(GAMELAKE_SOURCE_DIR) + "/tests/firehose_sdk"; }

struct CapturedRequest {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;

  SigV4Request View() const {
    SigV4Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    for (const auto& [n, v] : headers) r.headers.emplace_back(n, v);
    return r;
  }
  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "";
  }
};

class SigV4SdkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RunCommand("/usr/bin/env node --version >/dev/null 2>&1").exit_code != 0) {
      GTEST_SKIP() << "node is not installed";
    }
    if (!std::filesystem::exists(SdkDir() + "/node_modules/@aws-sdk/client-firehose")) {
      GTEST_SKIP() << "run scripts/setup.sh (npm ci in tests/firehose_sdk) first";
    }
    CommandResult signer = RunCommand(
        "cd '" + SdkDir() + "' && /usr/bin/env node firehose_sdk.js sign " + std::string(kKeyId) +
        " '" + std::string(kSecret) + "' game_events 3 2>/dev/null");
    ASSERT_EQ(signer.exit_code, 0) << signer.output;
    const std::string& out = signer.output;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(out).get(root), simdjson::SUCCESS) << out;
    simdjson::dom::array requests;
    ASSERT_EQ(root["requests"].get(requests), simdjson::SUCCESS) << out;
    for (simdjson::dom::element r : requests) {
      CapturedRequest c;
      std::string_view s;
      ASSERT_EQ(r["method"].get(s), simdjson::SUCCESS);
      c.method = s;
      ASSERT_EQ(r["path"].get(s), simdjson::SUCCESS);
      c.target = s;
      simdjson::dom::object query;
      ASSERT_EQ(r["query"].get(query), simdjson::SUCCESS);
      ASSERT_EQ(query.size(), 0u) << "Firehose requests carry no query string";
      ASSERT_EQ(r["body"].get(s), simdjson::SUCCESS);
      c.body = s;
      simdjson::dom::object headers;
      ASSERT_EQ(r["headers"].get(headers), simdjson::SUCCESS);
      for (auto field : headers) {
        ASSERT_EQ(field.value.get(s), simdjson::SUCCESS);
        c.headers.emplace_back(std::string(field.key), std::string(s));
      }
      requests_.push_back(std::move(c));
    }
    ASSERT_EQ(requests_.size(), 2u);
  }

  // A verifier whose clock is the request's X-Amz-Date, as if it had just arrived.
  std::unique_ptr<SigV4Verifier> VerifierAt(const CapturedRequest& r, std::string secret) {
    // X-Amz-Date is YYYYMMDDTHHMMSSZ; the credential scope's date is its day.
    std::string date = r.Header("x-amz-date");
    EXPECT_EQ(date.size(), 16u);
    std::tm tm{};
    tm.tm_year = std::stoi(date.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(date.substr(4, 2)) - 1;
    tm.tm_mday = std::stoi(date.substr(6, 2));
    tm.tm_hour = std::stoi(date.substr(9, 2));
    tm.tm_min = std::stoi(date.substr(11, 2));
    tm.tm_sec = std::stoi(date.substr(13, 2));
    env_ = std::make_unique<ClockEnv>(static_cast<int64_t>(::timegm(&tm)) * 1000000 + 250000);
    SigV4Options options;
    options.env = env_.get();
    return std::make_unique<SigV4Verifier>(MapLookup({{std::string(kKeyId), std::move(secret)}}),
                                           options);
  }

  std::vector<CapturedRequest> requests_;
  std::unique_ptr<ClockEnv> env_;
};

TEST_F(SigV4SdkTest, SdkSignedRequestsVerify) {
  for (const CapturedRequest& r : requests_) {
    SCOPED_TRACE(r.Header("x-amz-target"));
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/");
    EXPECT_EQ(r.Header("content-type"), "application/x-amz-json-1.1");
    EXPECT_TRUE(r.Header("x-amz-target").starts_with("Firehose_20150804.PutRecord"));
    auto verifier = VerifierAt(r, std::string(kSecret));
    Result<SigV4Identity> id = verifier->Verify(r.View());
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(id->access_key_id, kKeyId);
    EXPECT_EQ(id->region, "us-east-1");
    EXPECT_EQ(id->service, "firehose");

    // The same request again is a replay.
    Result<SigV4Identity> again = verifier->Verify(r.View());
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(AwsAuthErrorType(again.status()), "InvalidSignatureException");
  }
}

TEST_F(SigV4SdkTest, SdkSignedRequestsFailWithAnotherSecretOrBody) {
  for (const CapturedRequest& r : requests_) {
    SCOPED_TRACE(r.Header("x-amz-target"));
    auto wrong = VerifierAt(r, "not-the-secret");
    Result<SigV4Identity> id = wrong->Verify(r.View());
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(AwsAuthErrorType(id.status()), "InvalidSignatureException") << id.status().ToString();

    auto verifier = VerifierAt(r, std::string(kSecret));
    CapturedRequest changed = r;
    changed.body.replace(changed.body.find("game_events"), 11, "game_eventz");
    Result<SigV4Identity> tampered = verifier->Verify(changed.View());
    ASSERT_FALSE(tampered.ok());
    // The SDK sends X-Amz-Content-Sha256, so the body check fails first.
    EXPECT_EQ(AwsAuthErrorType(tampered.status()), "InvalidSignatureException");
    EXPECT_TRUE(verifier->Verify(r.View()).ok());
  }
}

}  // namespace
}  // namespace gamelake
