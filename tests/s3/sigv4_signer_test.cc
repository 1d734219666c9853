// SigV4Signer against the worked examples of the S3 API reference
// ("Examples: Signature Calculations in AWS Signature Version 4": key
// AKIAIOSFODNN7EXAMPLE, bucket examplebucket, 2013-05-24T00:00:00Z), and a
// signed request checked by the project's verifier. Also the XML reader, the
// S3 error Status and the retry back-off.
#include "auth/sigv4_signer.h"

#include <gtest/gtest.h>

#include <string>

#include "../common/status_matchers.h"
#include "auth/sigv4.h"
#include "common/xml_escape.h"
#include "s3/s3_error.h"
#include "s3/s3_retry_policy.h"
#include "s3/xml_element.h"

namespace gamelake {
namespace {

constexpr int64_t kDocTime = 1369353600;  // 20130524T000000Z
const SigV4Credentials kDocCredentials{"AKIAIOSFODNN7EXAMPLE",
                                       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr std::string_view kEmptySha =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Header(const SigV4HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<none>";
}

std::string Expected(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
         "SignedHeaders=" +
         std::string(signed_headers) + ", Signature=" + std::string(signature);
}

TEST(SigV4SignerTest, AwsDocumentationGetObject) {
  SigV4Signer signer = SigV4Signer::ForS3("us-east-1");
  SigV4HeaderList headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
  GL_ASSERT_OK(signer.Sign("GET", "/test.txt", kEmptySha, kDocCredentials, kDocTime, &headers));
  EXPECT_EQ(Header(headers, "authorization"),
            Expected("host;range;x-amz-content-sha256;x-amz-date",
                     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
  EXPECT_EQ(Header(headers, "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(Header(headers, "x-amz-content-sha256"), kEmptySha);
  EXPECT_EQ(Header(headers, "x-amz-security-token"), "<none>");

  // The documented intermediate values, through the shared building blocks.
  SigV4Request r{"GET",
                 "/test.txt",
                 {{"host", "examplebucket.s3.amazonaws.com"},
                  {"range", "bytes=0-9"},
                  {"x-amz-content-sha256", kEmptySha},
                  {"x-amz-date", "20130524T000000Z"}},
                 ""};
  Result<std::string> creq = SigV4CanonicalRequest(r, "host;range;x-amz-content-sha256;x-amz-date",
                                                   kEmptySha, SigV4UriRule::kS3);
  GL_ASSERT_OK(creq);
  EXPECT_EQ(SigV4StringToSign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", *creq),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

TEST(SigV4SignerTest, AwsDocumentationPutObject) {
  std::string body = "Welcome to Amazon S3.";
  std::string hash = Sha256Hex(body);
  EXPECT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Signer signer = SigV4Signer::ForS3("us-east-1");
  // The key "test$file.text" goes on the wire encoded once; either spelling
  // of the path signs the same.
  for (const char* path : {"/test%24file.text", "/test$file.text"}) {
    SCOPED_TRACE(path);
    SigV4HeaderList headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
    GL_ASSERT_OK(signer.Sign("PUT", path, hash, kDocCredentials, kDocTime, &headers));
    EXPECT_EQ(Header(headers, "authorization"),
              Expected("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                       "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
  }
  // S3 does not normalize: a path with "//" or "/./" is signed as it is.
  EXPECT_EQ(SigV4CanonicalUri("/a//b/./c", SigV4UriRule::kS3), "/a//b/./c");
  EXPECT_EQ(SigV4CanonicalUri("/a%20b+c", SigV4UriRule::kS3), "/a%20b%2Bc");
  EXPECT_EQ(SigV4CanonicalUri("/a%20b", SigV4UriRule::kNormalizeAndEncodeTwice), "/a%2520b");
}

TEST(SigV4SignerTest, AwsDocumentationBucketRequests) {
  SigV4Signer signer = SigV4Signer::ForS3("us-east-1");
  SigV4HeaderList lifecycle = {{"host", "examplebucket.s3.amazonaws.com"}};
  GL_ASSERT_OK(signer.Sign("GET", "/?lifecycle", kEmptySha, kDocCredentials, kDocTime, &lifecycle));
  EXPECT_EQ(Header(lifecycle, "authorization"),
            Expected("host;x-amz-content-sha256;x-amz-date",
                     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
  SigV4HeaderList list = {{"host", "examplebucket.s3.amazonaws.com"}};
  GL_ASSERT_OK(
      signer.Sign("GET", "/?prefix=J&max-keys=2", kEmptySha, kDocCredentials, kDocTime, &list));
  EXPECT_EQ(Header(list, "authorization"),
            Expected("host;x-amz-content-sha256;x-amz-date",
                     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

TEST(SigV4SignerTest, SessionTokenUnsignableHeadersAndErrors) {
  SigV4Signer signer = SigV4Signer::ForS3("eu-west-1");
  SigV4Credentials temp{"ASIAEXAMPLE", "secret", "token/with+chars="};
  SigV4HeaderList headers = {{"host", "h"},
                             {"User-Agent", "gamelake"},
                             {"authorization", "stale"},
                             {"X-Amz-Date", "stale"},
                             {"content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="}};
  GL_ASSERT_OK(signer.Sign("PUT", "/b/k", kSigV4UnsignedPayload, temp, kDocTime, &headers));
  std::string auth = Header(headers, "authorization");
  EXPECT_NE(auth.find("Credential=ASIAEXAMPLE/20130524/eu-west-1/s3/aws4_request, "),
            std::string::npos);
  EXPECT_NE(
      auth.find(
          "SignedHeaders=content-md5;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
      std::string::npos)
      << auth;
  EXPECT_EQ(Header(headers, "x-amz-security-token"), "token/with+chars=");
  EXPECT_EQ(Header(headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(Header(headers, "x-amz-date"), "20130524T000000Z");
  int authorizations = 0;
  for (const auto& h : headers) authorizations += h.first == "authorization";
  EXPECT_EQ(authorizations, 1);

  SigV4HeaderList no_host = {{"x", "y"}};
  EXPECT_THAT(signer.Sign("GET", "/", kEmptySha, temp, kDocTime, &no_host),
              StatusIs(Status::Code::kInvalidArgument, "no host"));
  SigV4HeaderList h = {{"host", "h"}};
  EXPECT_THAT(signer.Sign("GET", "/", kEmptySha, SigV4Credentials{}, kDocTime, &h),
              StatusIs(Status::Code::kInvalidArgument, "empty"));
}

// A request the signer signs for another service verifies with the
// project's verifier: the two share one canonicalization.
TEST(SigV4SignerTest, VerifierAcceptsWhatTheSignerSigns) {
  class FixedClock final : public EnvWrapper {
   public:
    FixedClock() : EnvWrapper(Env::Default()) {}
    int64_t NowMicros() override { return kDocTime * 1000000; }
  } clock;
  SigV4Signer signer("us-east-1", "firehose", SigV4UriRule::kNormalizeAndEncodeTwice);
  std::string body = R"({"DeliveryStreamName":"events"})";
  SigV4HeaderList headers = {{"Host", "127.0.0.1:8080"},
                             {"Content-Type", "application/x-amz-json-1.1"},
                             {"X-Amz-Target", "Firehose_20150804.PutRecord"}};
  GL_ASSERT_OK(signer.Sign("POST", "/", Sha256Hex(body), SigV4Credentials{"KEYID", "s3cr3t", ""},
                           kDocTime, &headers));
  SigV4Verifier verifier(
      [](std::string_view id) -> Result<std::string> {
        if (id == "KEYID") return std::string("s3cr3t");
        return Status::NotFound("no");
      },
      SigV4Options{&clock});
  SigV4Request request{"POST", "/", {}, body};
  for (const auto& [n, v] : headers) request.headers.emplace_back(n, v);
  Result<SigV4Identity> id = verifier.Verify(request);
  GL_ASSERT_OK(id);
  EXPECT_EQ(id->access_key_id, "KEYID");
  EXPECT_EQ(id->service, "firehose");
  request.body = "tampered";
  EXPECT_FALSE(verifier.Verify(request).ok());
}

TEST(XmlElementTest, ParsesS3Documents) {
  Result<XmlElement> xml = XmlElement::Parse(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Contents><Key>a &amp; b &lt;&#233;&gt;</Key><Size>12</Size></Contents>"
      "<Contents><Key><![CDATA[x<y]]></Key></Contents><s3:IsTruncated>false</s3:IsTruncated>"
      "</ListBucketResult>");
  GL_ASSERT_OK(xml);
  EXPECT_EQ(xml->name(), "ListBucketResult");
  std::vector<const XmlElement*> contents = xml->Children("Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[0]->ChildText("Key"), "a & b <\xC3\xA9>");
  EXPECT_EQ(contents[0]->ChildText("Size"), "12");
  EXPECT_EQ(contents[1]->ChildText("Key"), "x<y");
  EXPECT_EQ(xml->ChildText("IsTruncated"), "false");
  EXPECT_EQ(xml->ChildText("Missing", "dflt"), "dflt");
  EXPECT_EQ(xml->Child("Missing"), nullptr);
}

TEST(XmlElementTest, RefusesMalformedDocuments) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("not xml"), std::string_view("<a><b></a>"),
        std::string_view("<a>"), std::string_view("<a></a><b></b>"),
        std::string_view("<a>&unknown;</a>"), std::string_view("<a>\xff\xfe</a>"),
        std::string_view("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
        std::string_view("<a>\0</a>", 8)}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(XmlElement::Parse(bad), StatusIs(Status::Code::kCorruption, "malformed XML"));
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  EXPECT_THAT(XmlElement::Parse(deep), StatusIs(Status::Code::kCorruption, "nested too deeply"));
  EXPECT_THAT(XmlElement::Parse("<a>\n<b>\n</c></a>"),
              StatusIs(Status::Code::kCorruption, "(line 3, column"));
}

// What the S3 client escapes into its request bodies (common/xml_escape.h,
// tested in tests/common) parses back to the same text, in content and in
// attributes' company.
TEST(XmlElementTest, EscapedTextParsesBackUnchanged) {
  for (std::string text : {"a&b<c>d\"e'f\tg", "ünïcode", "line\r\nend\n", "  spaced  ", "]]>"}) {
    Result<std::string> escaped = XmlEscape(text);
    GL_ASSERT_OK(escaped);
    Result<XmlElement> parsed = XmlElement::Parse("<a><Key>" + *escaped + "</Key></a>");
    GL_ASSERT_OK(parsed);
    EXPECT_EQ(parsed->ChildText("Key"), text);
  }
  EXPECT_THAT(XmlEscape("a\x01"), StatusIs(Status::Code::kInvalidArgument, "0x01"));
}

TEST(S3ErrorTest, ParsesErrorDocumentsIntoStatus) {
  Status s = S3ErrorFromResponse(
      "GetObject", "a/b.parquet", 404,
      "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>The specified key does not "
      "exist.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>",
      "");
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(S3ErrorCode(s), "NoSuchKey");
  EXPECT_EQ(S3HttpStatus(s), 404);
  EXPECT_EQ(s.message(),
            "S3 error NoSuchKey (HTTP 404) on GetObject of 'a/b.parquet': The specified key does "
            "not exist. [request id 4442587FB7D0A2F9]");
  Status ctx = s.WithContext("delivery");
  EXPECT_EQ(S3ErrorCode(ctx), "NoSuchKey");
  EXPECT_EQ(S3HttpStatus(ctx), 404);

  EXPECT_EQ(S3ErrorFromResponse("PutObject", "k", 400,
                                "<Error><Code>BadDigest</Code><Message>m</Message></Error>", "")
                .code(),
            Status::Code::kCorruption);
  EXPECT_EQ(S3ErrorFromResponse("PutObject", "k", 403, "", "").code(),
            Status::Code::kPermissionDenied);
  Status slow = S3ErrorFromResponse(
      "PutObject", "k", 503, "<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>", "");
  EXPECT_EQ(slow.code(), Status::Code::kUnavailable);
  EXPECT_EQ(S3ErrorCode(slow), "SlowDown");
  // A HEAD has no body: the code comes from the status.
  EXPECT_EQ(S3ErrorCode(S3ErrorFromResponse("HeadObject", "k", 404, "", "")), "NotFound");
  // A body that is not an error document is quoted, not trusted.
  Status html = S3ErrorFromResponse("PutObject", "k", 502, "<html>bad gateway\x01</html>", "");
  EXPECT_EQ(S3ErrorCode(html), "HttpError");
  EXPECT_NE(html.message().find("not an S3 error document"), std::string::npos);
  EXPECT_EQ(S3ErrorCode(Status::IOError("x")), "");
  EXPECT_EQ(S3HttpStatus(Status::IOError("x")), 0);

  EXPECT_TRUE(S3IsRetryable(500, "InternalError"));
  EXPECT_TRUE(S3IsRetryable(503, "SlowDown"));
  EXPECT_TRUE(S3IsRetryable(429, ""));
  EXPECT_TRUE(S3IsRetryable(400, "RequestTimeout"));
  EXPECT_TRUE(S3IsRetryable(400, "Throttling"));
  EXPECT_FALSE(S3IsRetryable(400, "InvalidArgument"));
  EXPECT_FALSE(S3IsRetryable(403, "AccessDenied"));
  EXPECT_FALSE(S3IsRetryable(404, "NoSuchKey"));
}

TEST(S3RetryPolicyTest, BackoffGrowsWithJitterWithinBounds) {
  S3RetryPolicy policy(S3RetryOptions{5, 100, 1000});
  EXPECT_EQ(policy.max_attempts(), 5);
  for (uint64_t r : {0ull, 1ull, 12345678901ull, ~0ull}) {
    EXPECT_GE(policy.BackoffMicros(1, r), 50000);
    EXPECT_LE(policy.BackoffMicros(1, r), 100000);
    EXPECT_GE(policy.BackoffMicros(2, r), 100000);
    EXPECT_LE(policy.BackoffMicros(2, r), 200000);
    EXPECT_GE(policy.BackoffMicros(10, r), 500000);
    EXPECT_LE(policy.BackoffMicros(10, r), 1000000);
    EXPECT_LE(policy.BackoffMicros(1000, r), 1000000);
  }
  EXPECT_NE(policy.BackoffMicros(3, 1), policy.BackoffMicros(3, 2));
  EXPECT_EQ(S3RetryPolicy(S3RetryOptions{0, 1, 1}).max_attempts(), 1);
}

}  // namespace
}  // namespace gamelake
