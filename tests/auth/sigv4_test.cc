// SigV4Verifier against vectors of the AWS SigV4 test suite and documentation
// (example key AKIDEXAMPLE, 20150830T123600Z, us-east-1), and round trips
// through SigV4Sign for the failure modes.
#include "auth/sigv4.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sigv4_test_util.h"

namespace gamelake {
namespace {

constexpr std::string_view kSuiteDate = "20150830T123600Z";
constexpr std::string_view kSuiteScope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

std::string SuiteAuthorization(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=" + std::string(kSuiteScope) +
         ", SignedHeaders=" + std::string(signed_headers) + ", Signature=" + std::string(signature);
}

class SigV4Test : public ::testing::Test {
 protected:
  SigV4Test() : env_(kExampleTimeUs) {}

  std::unique_ptr<SigV4Verifier> NewVerifier(SigV4Options options = {}) {
    options.env = &env_;
    return std::make_unique<SigV4Verifier>(
        MapLookup({{std::string(kExampleKeyId), std::string(kExampleSecret)},
                   {"GLKOTHER", "other-secret"}}),
        options);
  }

  // A POST signed now (per env_) for service "firehose", like an SDK sends it.
  SigV4Request SignedPost(std::string_view secret = kExampleSecret,
                          std::string_view key_id = kExampleKeyId) {
    SigV4Request r;
    r.method = "POST";
    r.target = "/";
    r.body = body_;
    r.headers = {{"Host", "127.0.0.1:8080"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "Firehose_20150804.PutRecord"},
                 {"X-Amz-Date", date_}};
    Result<std::string> auth = SigV4Sign(r, key_id, secret, date_, "eu-west-1", "firehose",
                                         "content-type;host;x-amz-date;x-amz-target");
    EXPECT_TRUE(auth.ok()) << auth.status().ToString();
    authorization_ = auth.ok() ? auth.value() : "";
    r.headers.emplace_back("Authorization", authorization_);
    return r;
  }

  static void ExpectError(const Result<SigV4Identity>& r, std::string_view type,
                          std::string_view message_part = "") {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(AwsAuthErrorType(r.status()), type) << r.status().ToString();
    EXPECT_NE(std::string(AwsAuthErrorMessage(r.status())).find(message_part), std::string::npos)
        << r.status().ToString();
  }

  ClockEnv env_;
  std::string body_ = R"({"DeliveryStreamName":"events","Record":{"Data":"e30="}})";
  std::string date_ = std::string(kSuiteDate);
  std::string authorization_;
};

// ---- The AWS test suite (aws-sig-v4-test-suite), each a full Verify. ----

struct SuiteCase {
  const char* name;
  const char* method;
  const char* target;
  const char* signature;
};

TEST_F(SigV4Test, AwsTestSuiteVectorsVerify) {
  const SuiteCase cases[] = {
      {"get-vanilla", "GET", "/",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"post-vanilla", "POST", "/",
       "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"get-vanilla-empty-query-key", "GET", "/?Param1=value1",
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-slashes", "GET", "//example//",
       "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
      {"get-space", "GET", "/example space/",
       "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"get-slash-pointless-dot", "GET", "/./example",
       "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
      {"get-utf8", "GET", "/\xE1\x88\xB4",
       "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
  };
  for (const SuiteCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto verifier = NewVerifier();
    std::string auth = SuiteAuthorization("host;x-amz-date", c.signature);
    SigV4Request r;
    r.method = c.method;
    r.target = c.target;
    r.headers = {
        {"Host", "example.amazonaws.com"}, {"X-Amz-Date", kSuiteDate}, {"Authorization", auth}};
    Result<SigV4Identity> id = verifier->Verify(r);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(id->access_key_id, "AKIDEXAMPLE");
    EXPECT_EQ(id->region, "us-east-1");
    EXPECT_EQ(id->service, "service");
    EXPECT_EQ(id->date, "20150830T123600Z");
    EXPECT_EQ(id->signature, c.signature);

    // Our signer produces the same header.
    Result<std::string> signed_auth =
        SigV4Sign(SigV4Request{r.method, r.target, {r.headers[0], r.headers[1]}, ""}, kExampleKeyId,
                  kExampleSecret, kSuiteDate, "us-east-1", "service", "host;x-amz-date");
    ASSERT_TRUE(signed_auth.ok());
    EXPECT_EQ(signed_auth.value(), auth);
  }
}

// The example of the AWS General Reference ("Create a signed AWS API request"):
// IAM ListUsers with a signed Content-Type.
TEST_F(SigV4Test, AwsDocumentationIamExample) {
  auto verifier = NewVerifier();
  SigV4Request r;
  r.method = "GET";
  r.target = "/?Action=ListUsers&Version=2010-05-08";
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"X-Amz-Date", kSuiteDate},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date, "
                "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"}};
  Result<SigV4Identity> id = verifier->Verify(r);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->service, "iam");
}

TEST(SigV4CanonicalTest, HeaderValuesAreTrimmedCollapsedAndJoined) {
  // get-header-value-trim and get-header-value-order of the test suite.
  SigV4Request r;
  r.method = "GET";
  r.target = "/";
  r.headers = {{"Host", "example.amazonaws.com"}, {"My-Header1", " value4"},
               {"My-Header1", "value1"},          {"my-header1", "value3"},
               {"My-Header1", "value2"},          {"My-Header2", "    \"a   b   c\"  "},
               {"X-Amz-Date", "20150830T123600Z"}};
  Result<std::string> creq =
      SigV4CanonicalRequest(r, "host;my-header1;my-header2;x-amz-date", Sha256Hex(""));
  ASSERT_TRUE(creq.ok());
  EXPECT_EQ(creq.value(),
            "GET\n/\n\n"
            "host:example.amazonaws.com\n"
            "my-header1:value4,value1,value3,value2\n"
            "my-header2:\"a b c\"\n"
            "x-amz-date:20150830T123600Z\n\n"
            "host;my-header1;my-header2;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  // A signed header missing from the request is an error, not an empty value.
  EXPECT_FALSE(SigV4CanonicalRequest(r, "host;x-missing", Sha256Hex("")).ok());
}

TEST(SigV4CanonicalTest, UriAndQueryEncoding) {
  EXPECT_EQ(SigV4CanonicalUri("/"), "/");
  EXPECT_EQ(SigV4CanonicalUri(""), "/");
  EXPECT_EQ(SigV4CanonicalUri("/a/../b/./c//d/"), "/b/c/d/");
  // Non-S3 services sign the wire path encoded once more.
  EXPECT_EQ(SigV4CanonicalUri("/example%20space"), "/example%2520space");
  EXPECT_EQ(SigV4CanonicalUri("/a:b*c~d"), "/a%3Ab%2Ac~d");

  EXPECT_EQ(SigV4CanonicalQuery(""), "");
  EXPECT_EQ(SigV4CanonicalQuery("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(SigV4CanonicalQuery("Param1"), "Param1=");
  EXPECT_EQ(SigV4CanonicalQuery("k=a%20b&x=%2a&y=a+b"), "k=a%20b&x=%2A&y=a%2Bb");
  EXPECT_EQ(SigV4CanonicalQuery("a=1&X-Amz-Signature=abc"), "a=1");
}

TEST(SigV4CanonicalTest, Sha256Hex) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// ---- Round trips through our signer. ----

TEST_F(SigV4Test, SignedRequestVerifiesWithScopeFromCredential) {
  auto verifier = NewVerifier();
  SigV4Request r = SignedPost();
  Result<SigV4Identity> id = verifier->Verify(r);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(id->region, "eu-west-1");
  EXPECT_EQ(id->service, "firehose");
  EXPECT_EQ(id->signature.size(), 64u);
}

TEST_F(SigV4Test, WrongSecretIsInvalidSignature) {
  auto verifier = NewVerifier();
  Result<SigV4Identity> id = verifier->Verify(SignedPost("not-the-secret"));
  ExpectError(id, "InvalidSignatureException",
              "The request signature we calculated does not match the signature you provided");
  EXPECT_EQ(AwsAuthErrorHttpStatus(AwsAuthErrorType(id.status())), 400u);
}

TEST_F(SigV4Test, UnknownKeyIsUnrecognizedClient) {
  auto verifier = NewVerifier();
  Result<SigV4Identity> id = verifier->Verify(SignedPost(kExampleSecret, "AKIDUNKNOWN"));
  ExpectError(id, "UnrecognizedClientException",
              "The security token included in the request is invalid.");
  EXPECT_EQ(id.status().code(), Status::Code::kNotFound);
}

TEST_F(SigV4Test, LookupFailureIsInternal) {
  SigV4Options options;
  options.env = &env_;
  SigV4Verifier verifier(
      [](std::string_view) -> Result<std::string> { return Status::IOError("disk gone"); },
      options);
  Result<SigV4Identity> id = verifier.Verify(SignedPost());
  ExpectError(id, "InternalFailure", "disk gone");
  EXPECT_EQ(AwsAuthErrorHttpStatus("InternalFailure"), 500u);
}

TEST_F(SigV4Test, TamperedRequestsFail) {
  auto verifier = NewVerifier();
  {
    SigV4Request r = SignedPost();
    std::string other_body = body_ + " ";
    r.body = other_body;
    ExpectError(verifier->Verify(r), "InvalidSignatureException");
  }
  {
    SigV4Request r = SignedPost();
    r.headers[2].second = "Firehose_20150804.PutRecordBatch";  // A signed header.
    ExpectError(verifier->Verify(r), "InvalidSignatureException");
  }
  {
    SigV4Request r = SignedPost();
    r.target = "/?a=1";
    ExpectError(verifier->Verify(r), "InvalidSignatureException");
  }
  {
    SigV4Request r = SignedPost();
    r.method = "PUT";
    ExpectError(verifier->Verify(r), "InvalidSignatureException");
  }
  {
    // An unsigned header may change freely (proxies add them).
    SigV4Request r = SignedPost();
    r.headers.emplace_back("User-Agent", "changed");
    EXPECT_TRUE(verifier->Verify(r).ok());
  }
}

TEST_F(SigV4Test, ClockSkewIsBounded) {
  auto verifier = NewVerifier();
  // Exactly 5 minutes old still passes; a second more does not.
  env_.SetNowMicros(kExampleTimeUs + 300 * 1000000ll);
  EXPECT_TRUE(verifier->Verify(SignedPost()).ok());
  env_.SetNowMicros(kExampleTimeUs + 301 * 1000000ll);
  ExpectError(verifier->Verify(SignedPost()), "InvalidSignatureException",
              "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z "
              "(20150830T124101Z - 5 min.)");
  env_.SetNowMicros(kExampleTimeUs - 301 * 1000000ll);
  ExpectError(verifier->Verify(SignedPost()), "InvalidSignatureException",
              "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
              "(20150830T123059Z + 5 min.)");
}

TEST_F(SigV4Test, ReplayIsRejectedUntilForgottenOrExpired) {
  SigV4Options options;
  options.max_skew_s = 60;
  auto verifier = NewVerifier(options);
  SigV4Request r = SignedPost();
  // r's views point into body_ and authorization_, which SignedPost() rewrites.
  const std::string first_body = body_, first_auth = authorization_;
  r.body = first_body;
  r.headers.back().second = first_auth;
  Result<SigV4Identity> first = verifier->Verify(r);
  ASSERT_TRUE(first.ok());
  ExpectError(verifier->Verify(r), "InvalidSignatureException", "already been used");

  // A different request in the same second has its own signature.
  std::string other = body_ + "\n";
  body_ = other;
  EXPECT_TRUE(verifier->Verify(SignedPost()).ok());
  EXPECT_EQ(verifier->remembered_signatures(), 2u);

  verifier->Forget(first->signature);
  EXPECT_EQ(verifier->remembered_signatures(), 1u);
  EXPECT_TRUE(verifier->Verify(r).ok());
  ExpectError(verifier->Verify(r), "InvalidSignatureException", "already been used");

  // Once the request could no longer pass the skew check, it is forgotten.
  env_.SetNowMicros(kExampleTimeUs + 61 * 1000000ll);
  date_ = "20150830T123701Z";
  EXPECT_TRUE(verifier->Verify(SignedPost()).ok());
  EXPECT_EQ(verifier->remembered_signatures(), 1u);
}

TEST_F(SigV4Test, ReplayMemoryIsBounded) {
  SigV4Options options;
  options.max_replay_entries = 3;
  auto verifier = NewVerifier(options);
  for (int i = 0; i < 10; ++i) {
    body_ = "{\"i\":" + std::to_string(i) + "}";
    ASSERT_TRUE(verifier->Verify(SignedPost()).ok());
    EXPECT_LE(verifier->remembered_signatures(), 3u);
  }
}

TEST_F(SigV4Test, MissingOrMalformedAuthorization) {
  auto verifier = NewVerifier();
  {
    SigV4Request r = SignedPost();
    r.headers.pop_back();
    Result<SigV4Identity> id = verifier->Verify(r);
    ExpectError(id, "MissingAuthenticationTokenException", "Missing Authentication Token");
    EXPECT_EQ(AwsAuthErrorHttpStatus(AwsAuthErrorType(id.status())), 403u);
  }
  struct Bad {
    const char* authorization;
    const char* message_part;
  };
  const Bad bad[] = {
      {"Bearer abc", "requires 'Credential' parameter"},
      {"AWS4-HMAC-SHA1 Credential=a/20150830/r/s/aws4_request", "Unsupported AWS 'algorithm'"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/firehose/aws4_request",
       "requires 'Signature' parameter"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, "
       "SignedHeaders=host;x-amz-date, Signature=00",
       "Credential must have the form"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/firehose/aws5_request, "
       "SignedHeaders=host;x-amz-date, Signature=00",
       "valid terminator"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015083/us-east-1/firehose/aws4_request, "
       "SignedHeaders=host;x-amz-date, Signature=00",
       "YYYYMMDD"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/firehose/aws4_request, "
       "SignedHeaders=x-amz-date, Signature=00",
       "'Host' must be a 'SignedHeader'"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/firehose/aws4_request, "
       "SignedHeaders=host, Signature=00",
       "'X-Amz-Date' must be a 'SignedHeader'"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/firehose/aws4_request, "
       "SignedHeaders=host;x-amz-date;x-absent, Signature=00",
       "signed header 'x-absent' is not in the request"},
      {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/firehose/aws4_request, "
       "SignedHeaders=host;x-amz-date, Signature=00, Signature=01",
       "more than once"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.authorization);
    SigV4Request r = SignedPost();
    r.headers.back().second = b.authorization;
    ExpectError(verifier->Verify(r), "IncompleteSignatureException", b.message_part);
  }
}

TEST_F(SigV4Test, DateHeaderRules) {
  auto verifier = NewVerifier();
  {
    SigV4Request r = SignedPost();
    r.headers.erase(r.headers.begin() + 3);  // X-Amz-Date
    ExpectError(verifier->Verify(r), "IncompleteSignatureException", "'X-Amz-Date' header");
  }
  {
    SigV4Request r = SignedPost();
    r.headers[3].second = "2015-08-30T12:36:00Z";
    ExpectError(verifier->Verify(r), "IncompleteSignatureException", "ISO-8601");
  }
  {
    // The credential scope's date must be the X-Amz-Date's day.
    date_ = "20150831T000000Z";
    env_.SetNowMicros(kExampleTimeUs + 41040ll * 1000000);
    SigV4Request r = SignedPost();
    std::string auth = authorization_;
    size_t at = auth.find("/20150831/");
    ASSERT_NE(at, std::string::npos);
    auth.replace(at, 10, "/20150830/");
    r.headers.back().second = auth;
    ExpectError(verifier->Verify(r), "InvalidSignatureException",
                "Date in Credential scope does not match");
  }
}

TEST_F(SigV4Test, ContentSha256HeaderMustMatchTheBody) {
  auto verifier = NewVerifier();
  std::string good = Sha256Hex(body_);
  auto signed_with = [&](std::string_view claimed) {
    SigV4Request r;
    r.method = "POST";
    r.target = "/";
    r.body = body_;
    r.headers = {{"Host", "localhost"}, {"X-Amz-Content-Sha256", claimed}, {"X-Amz-Date", date_}};
    Result<std::string> auth = SigV4Sign(r, kExampleKeyId, kExampleSecret, date_, "us-east-1",
                                         "firehose", "host;x-amz-content-sha256;x-amz-date");
    EXPECT_TRUE(auth.ok());
    authorization_ = auth.value();
    r.headers.emplace_back("Authorization", authorization_);
    return r;
  };
  EXPECT_TRUE(verifier->Verify(signed_with(good)).ok());
  ExpectError(verifier->Verify(signed_with("UNSIGNED-PAYLOAD")), "InvalidSignatureException",
              "x-amz-content-sha256");
  ExpectError(verifier->Verify(signed_with(Sha256Hex("other"))), "InvalidSignatureException",
              "x-amz-content-sha256");
}

TEST(AwsAuthErrorTest, SplitsTypeAndMessage) {
  Status s = Status::InvalidArgument("InvalidSignatureException: bad: very");
  EXPECT_EQ(AwsAuthErrorType(s), "InvalidSignatureException");
  EXPECT_EQ(AwsAuthErrorMessage(s), "bad: very");
  Status plain = Status::InvalidArgument("no type here: really");
  EXPECT_EQ(AwsAuthErrorType(plain), "");
  EXPECT_EQ(AwsAuthErrorMessage(plain), "no type here: really");
  EXPECT_EQ(AwsAuthErrorType(Status::OK()), "");
}

}  // namespace
}  // namespace gamelake
