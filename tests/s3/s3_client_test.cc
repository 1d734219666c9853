// S3Client against FakeS3Server (fake_s3_server.h), a scripted HTTP server
// on 127.0.0.1: what goes on the wire (Content-MD5, payload hash, query,
// XML bodies), retries with back-off on 5xx/SlowDown/dropped connections
// and none on 4xx, error Status contents, malformed responses, and the
// operations s3rver lacks (AbortMultipartUpload, ListMultipartUploads).
#include "s3/s3_client.h"

#include <openssl/evp.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "fake_s3_server.h"
#include "s3/s3_error.h"

namespace gamelake {
namespace {

std::string Md5Base64(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  std::string out(64, '\0');
  out.resize(static_cast<size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), md, static_cast<int>(len))));
  return out;
}

std::string ErrorXml(std::string_view code, std::string_view message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + std::string(code) +
         "</Code><Message>" + std::string(message) +
         "</Message><RequestId>REQ1</RequestId></Error>";
}

class S3ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<S3Client> NewClient(const std::string& endpoint, int max_attempts = 4) {
    S3ClientOptions o;
    o.bucket = "gl-bucket";
    o.endpoint = endpoint;
    o.path_style = true;
    S3CredentialsOptions c;
    c.access_key_id = "AKIDTEST";
    c.secret_access_key = "secret";
    o.credentials = std::make_shared<S3CredentialsProvider>(c);
    o.retry = S3RetryOptions{max_attempts, 10, 40};
    o.sleep = [this](int64_t us) { sleeps_.push_back(us); };
    o.jitter_seed = 7;
    o.connect_timeout_ms = 2000;
    o.low_speed_time_s = 5;
    Result<std::unique_ptr<S3Client>> client = S3Client::Create(std::move(o));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  ScratchDir dir_;
  std::vector<int64_t> sleeps_;
};

TEST_F(S3ClientTest, PutObjectSendsContentMd5AndTheSignedPayloadHash) {
  FakeS3Server server([](const RecordedRequest&, int) {
    return FakeResponse{200, {{"ETag", "\"abc123\""}}, ""};
  });
  auto client = NewClient(server.endpoint());
  std::string data(300000, 'x');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i);
  std::string path = dir_.WriteFile("f.parquet", data);
  Result<S3PutResult> put = client->PutObject("lake/dt=2026-01-02/a b+c.parquet", path);
  GL_ASSERT_OK(put);
  EXPECT_EQ(put->etag, "abc123");
  EXPECT_EQ(put->size, data.size());
  std::vector<RecordedRequest> r = server.requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(r[0].target, "/gl-bucket/lake/dt%3D2026-01-02/a%20b%2Bc.parquet");
  EXPECT_EQ(r[0].body, data);
  EXPECT_EQ(r[0].Header("content-md5"), Md5Base64(data));
  EXPECT_EQ(r[0].Header("x-amz-content-sha256"), Sha256Hex(data));
  EXPECT_EQ(r[0].Header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(r[0].Header("expect"), "");
  std::string auth = r[0].Header("authorization");
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/")) << auth;
  EXPECT_NE(auth.find("SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;"
                      "x-amz-date,"),
            std::string::npos)
      << auth;
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_THAT(client->PutObject("k", dir_.path() + "/missing"),
              StatusIs(Status::Code::kIOError, "missing"));
}

TEST_F(S3ClientTest, RetriesSlowDown5xxAndDroppedConnectionsWithBackoff) {
  FakeS3Server server([](const RecordedRequest&, int index) {
    switch (index) {
      case 0:
        return FakeResponse{503, {}, ErrorXml("SlowDown", "Please reduce your request rate.")};
      case 1:
        return FakeResponse{500, {}, ErrorXml("InternalError", "We encountered an error.")};
      case 2:
        return FakeResponse{200, {}, "", /*drop=*/true};
      default:
        return FakeResponse{200, {{"ETag", "\"e\""}}, ""};
    }
  });
  auto client = NewClient(server.endpoint(), /*max_attempts=*/4);
  std::string path = dir_.WriteFile("f", "hello");
  Result<S3PutResult> put = client->PutObject("k", path);
  GL_ASSERT_OK(put);
  std::vector<RecordedRequest> r = server.requests();
  ASSERT_EQ(r.size(), 4u);
  for (const RecordedRequest& q : r) EXPECT_EQ(q.body, "hello");
  ASSERT_EQ(sleeps_.size(), 3u);
  EXPECT_GE(sleeps_[0], 5000);
  EXPECT_LE(sleeps_[0], 10000);
  EXPECT_GE(sleeps_[1], 10000);
  EXPECT_LE(sleeps_[1], 20000);
  EXPECT_GE(sleeps_[2], 20000);
  EXPECT_LE(sleeps_[2], 40000);
}

TEST_F(S3ClientTest, GivesUpAfterMaxAttempts) {
  FakeS3Server server([](const RecordedRequest&, int) {
    return FakeResponse{503, {}, ErrorXml("SlowDown", "Please reduce your request rate.")};
  });
  auto client = NewClient(server.endpoint(), /*max_attempts=*/3);
  Result<S3ObjectInfo> head = client->GetObject("a/b", dir_.path() + "/out");
  EXPECT_THAT(head, StatusIs(Status::Code::kUnavailable, "after 3 attempts"));
  EXPECT_EQ(S3ErrorCode(head.status()), "SlowDown");
  EXPECT_EQ(S3HttpStatus(head.status()), 503);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(sleeps_.size(), 2u);
  // Nothing is left behind: neither the file nor its temporary.
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(S3ClientTest, DoesNotRetry4xxAndReportsCodeMessageStatusAndKey) {
  FakeS3Server server([](const RecordedRequest&, int) {
    return FakeResponse{
        403, {{"x-amz-request-id", "RID42"}}, ErrorXml("AccessDenied", "Access Denied")};
  });
  auto client = NewClient(server.endpoint());
  Status s = client->DeleteObject("lake/x.parquet");
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "S3 error AccessDenied (HTTP 403) on DeleteObject of 'lake/x.parquet': Access Denied "
            "[request id RID42]");
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(S3ClientTest, ConnectionRefusedIsRetriedThenUnavailable) {
  uint16_t port;
  {
    FakeS3Server closed([](const RecordedRequest&, int) { return FakeResponse{}; });
    port = closed.port();
  }
  auto client = NewClient("http://127.0.0.1:" + std::to_string(port), /*max_attempts=*/3);
  Result<S3ObjectInfo> head = client->HeadObject("k");
  EXPECT_THAT(head, StatusIs(Status::Code::kUnavailable, "S3 HeadObject of 'k'"));
  EXPECT_THAT(head, StatusIs(Status::Code::kUnavailable, "after 3 attempts"));
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(S3ClientTest, ExpiredTokenRereadsCredentialsOnce) {
  FakeS3Server server([](const RecordedRequest&, int index) {
    if (index == 0) return FakeResponse{400, {}, ErrorXml("ExpiredToken", "expired")};
    return FakeResponse{200,
                        {},
                        "<ListBucketResult><IsTruncated>false</IsTruncated>"
                        "</ListBucketResult>"};
  });
  auto client = NewClient(server.endpoint());
  GL_ASSERT_OK(client->ListObjectsV2(S3ListRequest{}));
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_TRUE(sleeps_.empty());
  // Not twice: a second ExpiredToken in a row is the caller's.
  FakeS3Server expired([](const RecordedRequest&, int) {
    return FakeResponse{400, {}, ErrorXml("ExpiredToken", "expired")};
  });
  auto client2 = NewClient(expired.endpoint());
  EXPECT_THAT(client2->ListObjectsV2(S3ListRequest{}),
              StatusIs(Status::Code::kInvalidArgument, "ExpiredToken"));
  EXPECT_EQ(expired.requests().size(), 2u);
}

TEST_F(S3ClientTest, HeadAndGetObject) {
  std::string data = "parquet bytes\n\x00\x01 and more";
  FakeS3Server server([&](const RecordedRequest& r, int) {
    if (r.Path() == "/gl-bucket/missing") return FakeResponse{404, {}, ""};
    if (r.Path() == "/gl-bucket/short") {
      return FakeResponse{200, {{"Content-Length", "100"}}, "only a few", /*drop=*/false};
    }
    return FakeResponse{
        200, {{"ETag", "\"0123\""}, {"Last-Modified", "Wed, 12 Oct 2009 17:50:00 GMT"}}, data};
  });
  auto client = NewClient(server.endpoint(), 2);
  Result<S3ObjectInfo> head = client->HeadObject("obj");
  GL_ASSERT_OK(head);
  EXPECT_EQ(head->size, data.size());
  EXPECT_EQ(head->etag, "0123");
  EXPECT_EQ(head->last_modified_us, 1255369800ll * 1000000);
  Result<S3ObjectInfo> missing = client->HeadObject("missing");
  EXPECT_THAT(missing, StatusIs(Status::Code::kNotFound, "HeadObject of 'missing'"));
  EXPECT_EQ(S3ErrorCode(missing.status()), "NotFound");

  std::string out = dir_.path() + "/sub.parquet";
  Result<S3ObjectInfo> got = client->GetObject("obj", out);
  GL_ASSERT_OK(got);
  EXPECT_EQ(got->size, data.size());
  EXPECT_EQ(ReadFileBytes(out), data);
  // A body shorter than its Content-Length is retried, then an error, and
  // leaves no file behind.
  Result<S3ObjectInfo> shortened = client->GetObject("short", dir_.path() + "/short");
  EXPECT_THAT(shortened, StatusIs(Status::Code::kUnavailable, "GetObject of 'short'"));
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
    left.push_back(e.path().filename().string());
  }
  EXPECT_EQ(left, std::vector<std::string>{"sub.parquet"});
}

TEST_F(S3ClientTest, ListObjectsV2QueryPaginationAndUrlDecoding) {
  FakeS3Server server([](const RecordedRequest& r, int index) {
    if (index == 0) {
      return FakeResponse{200,
                          {},
                          "<ListBucketResult><EncodingType>url</EncodingType>"
                          "<Contents><Key>p/a+b%2Bc%3D.parquet</Key><Size>10</Size>"
                          "<ETag>&quot;e1&quot;</ETag>"
                          "<LastModified>2009-10-12T17:50:30.500Z</LastModified></Contents>"
                          "<IsTruncated>true</IsTruncated>"
                          "<NextContinuationToken>tok/+= 1</NextContinuationToken>"
                          "</ListBucketResult>"};
    }
    return FakeResponse{200,
                        {},
                        "<ListBucketResult><Contents><Key>p/z</Key><Size>0</Size></Contents>"
                        "<IsTruncated>false</IsTruncated></ListBucketResult>"};
  });
  auto client = NewClient(server.endpoint());
  Result<std::vector<S3ObjectInfo>> all = client->ListAllObjects("p/", "p/0");
  GL_ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "p/a b+c=.parquet");
  EXPECT_EQ((*all)[0].size, 10u);
  EXPECT_EQ((*all)[0].etag, "e1");
  EXPECT_EQ((*all)[0].last_modified_us, 1255369830ll * 1000000 + 500000);
  EXPECT_EQ((*all)[1].key, "p/z");
  std::vector<RecordedRequest> r = server.requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].target, "/gl-bucket?encoding-type=url&list-type=2&prefix=p%2F&start-after=p%2F0");
  EXPECT_EQ(r[1].target,
            "/gl-bucket?continuation-token=tok%2F%2B%3D%201&encoding-type=url&list-type=2&"
            "prefix=p%2F&start-after=p%2F0");
}

TEST_F(S3ClientTest, MalformedResponsesAreErrorsNotCrashes) {
  std::vector<std::string> bodies = {
      "not xml at all",
      "<ListBucketResult><Contents><Key>k</Key><Size>ten</Size></Contents></ListBucketResult>",
      "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
      "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
      "<Other/>",
      "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key><Size>1",
      std::string("<ListBucketResult>\xff</ListBucketResult>"),
  };
  FakeS3Server server([&](const RecordedRequest&, int index) {
    return FakeResponse{200, {}, bodies[static_cast<size_t>(index) % bodies.size()]};
  });
  auto client = NewClient(server.endpoint());
  for (size_t i = 0; i < bodies.size(); ++i) {
    SCOPED_TRACE(bodies[i]);
    EXPECT_THAT(client->ListObjectsV2(S3ListRequest{}),
                StatusIs(Status::Code::kCorruption, "malformed S3 response to ListObjectsV2"));
  }
  // A listing whose token does not advance would loop forever: refused.
  FakeS3Server stuck([](const RecordedRequest&, int) {
    return FakeResponse{200,
                        {},
                        "<ListBucketResult><IsTruncated>true</IsTruncated>"
                        "<NextContinuationToken>same</NextContinuationToken></ListBucketResult>"};
  });
  auto stuck_client = NewClient(stuck.endpoint());
  EXPECT_THAT(stuck_client->ListAllObjects(""),
              StatusIs(Status::Code::kCorruption, "did not change"));
  EXPECT_EQ(stuck.requests().size(), 2u);
}

TEST_F(S3ClientTest, MultipartUploadCompleteAbortAndList) {
  FakeS3Server server([](const RecordedRequest& r, int index) {
    std::string q = r.Query();
    if (r.method == "POST" && q == "uploads") {
      return FakeResponse{200,
                          {},
                          "<InitiateMultipartUploadResult><Bucket>gl-bucket</Bucket><Key>big</Key>"
                          "<UploadId>up/1+=</UploadId></InitiateMultipartUploadResult>"};
    }
    if (r.method == "PUT") {
      return FakeResponse{200, {{"ETag", "\"part" + q.substr(11, 1) + "\""}}, ""};
    }
    if (r.method == "POST" && index == 4) {
      // S3 may answer 200 and then an error: retried.
      return FakeResponse{200, {}, ErrorXml("InternalError", "try again")};
    }
    if (r.method == "POST") {
      return FakeResponse{200,
                          {},
                          "<CompleteMultipartUploadResult><ETag>\"abc-3\"</ETag>"
                          "</CompleteMultipartUploadResult>"};
    }
    if (r.method == "DELETE") return FakeResponse{204, {}, ""};
    // ListMultipartUploads, two pages.
    if (q.find("key-marker") == std::string::npos) {
      return FakeResponse{200,
                          {},
                          "<ListMultipartUploadsResult><EncodingType>url</EncodingType>"
                          "<Upload><Key>lake/a%20b</Key><UploadId>u1</UploadId>"
                          "<Initiated>2026-01-02T03:04:05.000Z</Initiated></Upload>"
                          "<IsTruncated>true</IsTruncated><NextKeyMarker>lake/a%20b</NextKeyMarker>"
                          "<NextUploadIdMarker>u1</NextUploadIdMarker>"
                          "</ListMultipartUploadsResult>"};
    }
    return FakeResponse{200,
                        {},
                        "<ListMultipartUploadsResult><Upload><Key>lake/c</Key><UploadId>u2"
                        "</UploadId></Upload><IsTruncated>false</IsTruncated>"
                        "</ListMultipartUploadsResult>"};
  });
  auto client = NewClient(server.endpoint());
  std::string data;
  for (int i = 0; i < 25; ++i) data += std::string(1000, static_cast<char>('a' + i));
  std::string path = dir_.WriteFile("big", data);
  // Parts of 10,000 bytes: 10000 + 10000 + 5000.
  S3ClientOptions o = client->options();
  o.multipart_threshold_bytes = 20000;
  o.part_size_bytes = 10000;
  auto mp = S3Client::Create(o);
  GL_ASSERT_OK(mp);
  Result<S3PutResult> up = (*mp)->UploadFile("big", path);
  GL_ASSERT_OK(up);
  EXPECT_EQ(up->etag, "abc-3");
  EXPECT_EQ(up->size, data.size());
  std::vector<RecordedRequest> r = server.requests();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].target, "/gl-bucket/big?uploads");
  for (int part = 1; part <= 3; ++part) {
    const RecordedRequest& q = r[static_cast<size_t>(part)];
    EXPECT_EQ(q.target,
              "/gl-bucket/big?partNumber=" + std::to_string(part) + "&uploadId=up%2F1%2B%3D");
    std::string expected = data.substr(static_cast<size_t>(part - 1) * 10000, 10000);
    EXPECT_EQ(q.body, expected);
    EXPECT_EQ(q.Header("content-md5"), Md5Base64(expected));
  }
  EXPECT_EQ(r[5].body, r[4].body);
  EXPECT_EQ(r[5].body,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>\"part1\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"part2\"</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>\"part3\"</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(r[5].Header("content-md5"), Md5Base64(r[5].body));
  EXPECT_EQ(sleeps_.size(), 1u);

  GL_ASSERT_OK(client->AbortMultipartUpload("big", "up/1+="));
  EXPECT_EQ(server.requests().back().method, "DELETE");
  EXPECT_EQ(server.requests().back().target, "/gl-bucket/big?uploadId=up%2F1%2B%3D");

  Result<std::vector<S3MultipartUpload>> uploads = client->ListMultipartUploads("lake/");
  GL_ASSERT_OK(uploads);
  ASSERT_EQ(uploads->size(), 2u);
  EXPECT_EQ((*uploads)[0].key, "lake/a b");
  EXPECT_EQ((*uploads)[0].upload_id, "u1");
  EXPECT_EQ((*uploads)[0].initiated_us, 1767323045ll * 1000000);
  EXPECT_EQ((*uploads)[1].key, "lake/c");
  r = server.requests();
  EXPECT_EQ(r[r.size() - 2].target, "/gl-bucket?encoding-type=url&prefix=lake%2F&uploads");
  EXPECT_EQ(r.back().target,
            "/gl-bucket?encoding-type=url&key-marker=lake%2Fa%20b&prefix=lake%2F&"
            "upload-id-marker=u1&uploads");

  EXPECT_THAT(client->CompleteMultipartUpload("big", "u", {{2, "a"}, {1, "b"}}),
              StatusIs(Status::Code::kInvalidArgument, "must ascend"));
  EXPECT_THAT(client->UploadPart("big", "u", 10001, path, 0, 1),
              StatusIs(Status::Code::kInvalidArgument, "not in 1..10000"));
}

TEST_F(S3ClientTest, FailedMultipartUploadIsAborted) {
  FakeS3Server server([](const RecordedRequest& r, int) {
    if (r.method == "POST") {
      return FakeResponse{200,
                          {},
                          "<InitiateMultipartUploadResult><UploadId>U</UploadId>"
                          "</InitiateMultipartUploadResult>"};
    }
    if (r.method == "PUT") return FakeResponse{400, {}, ErrorXml("BadDigest", "md5 mismatch")};
    return FakeResponse{204, {}, ""};
  });
  auto client = NewClient(server.endpoint());
  S3ClientOptions o = client->options();
  o.multipart_threshold_bytes = 10;
  o.part_size_bytes = 10;
  auto mp = S3Client::Create(o);
  GL_ASSERT_OK(mp);
  Result<S3PutResult> up = (*mp)->UploadFile("k", dir_.WriteFile("f", std::string(25, 'z')));
  EXPECT_THAT(up, StatusIs(Status::Code::kCorruption, "BadDigest"));
  std::vector<RecordedRequest> r = server.requests();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[2].method, "DELETE");
  EXPECT_EQ(r[2].target, "/gl-bucket/k?uploadId=U");
}

TEST_F(S3ClientTest, DeleteObjectsSendsEscapedKeysAndReportsFailures) {
  FakeS3Server server([](const RecordedRequest&, int) {
    return FakeResponse{200,
                        {},
                        "<DeleteResult><Error><Key>a&amp;b</Key><Code>AccessDenied</Code>"
                        "<Message>Access Denied</Message></Error></DeleteResult>"};
  });
  auto client = NewClient(server.endpoint());
  Status s = client->DeleteObjects({"x/1.parquet", "a&b", "<ü>"});
  EXPECT_THAT(s, StatusIs(Status::Code::kUnavailable,
                          "1 of 3 keys were not deleted: 'a&b': "
                          "AccessDenied Access Denied"));
  std::vector<RecordedRequest> r = server.requests();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method, "POST");
  EXPECT_EQ(r[0].target, "/gl-bucket?delete");
  EXPECT_EQ(r[0].body,
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
            "<Object><Key>x/1.parquet</Key></Object><Object><Key>a&amp;b</Key></Object>"
            "<Object><Key>&lt;ü&gt;</Key></Object></Delete>");
  EXPECT_EQ(r[0].Header("content-md5"), Md5Base64(r[0].body));
  EXPECT_THAT(client->DeleteObjects({"bad\x01key"}),
              StatusIs(Status::Code::kInvalidArgument, "cannot be written in XML"));
}

TEST_F(S3ClientTest, CreateValidatesOptions) {
  S3ClientOptions o;
  o.bucket = "Bad_Bucket";
  EXPECT_THAT(S3Client::Create(o), StatusIs(Status::Code::kInvalidArgument, "bucket name"));
  o.bucket = "good";
  o.endpoint = "http://127.0.0.1:9000";
  EXPECT_THAT(S3Client::Create(o), StatusIs(Status::Code::kInvalidArgument, "path_style"));
  o.path_style = true;
  GL_EXPECT_OK(S3Client::Create(o));
  o.endpoint = "";
  o.region = "eu-central-1";
  o.path_style = false;
  Result<std::unique_ptr<S3Client>> aws = S3Client::Create(o);
  GL_ASSERT_OK(aws);
  EXPECT_EQ((*aws)->endpoint().ToString(), "https://s3.eu-central-1.amazonaws.com");
}

}  // namespace
}  // namespace gamelake
