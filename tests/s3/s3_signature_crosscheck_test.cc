// The requests S3Client really sends, signed again by the AWS SDK's own
// signer (@smithy/signature-v4 through s3_check.js sign): the Authorization
// headers must be equal byte for byte. s3rver does not check signatures;
// this does. The client runs against FakeS3Server, which records what went
// on the wire: a PUT with a body, a GET, an UploadPart (query), a
// CreateMultipartUpload (bare "?uploads"), ListObjectsV2 with a
// continuation token full of special characters, DeleteObjects (POST with
// XML), and keys with spaces, unicode, '+', '=' and the like — with a
// session token, at a fixed time.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <string>
#include <vector>

#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "common/json_writer.h"
#include "common/percent_decode.h"
#include "fake_s3_server.h"
#include "node_tools.h"
#include "s3/s3_client.h"

namespace gamelake {
namespace {

constexpr int64_t kNowSeconds = 1767323045;  // 2026-01-02T03:04:05Z

class FixedClockEnv final : public EnvWrapper {
 public:
  FixedClockEnv() : EnvWrapper(Env::Default()) {}
  int64_t NowMicros() override { return kNowSeconds * 1000000; }
};

std::string Base64(std::string_view data) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kChars[(v >> s) & 63]);
  }
  if (i < data.size()) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<uint8_t>(data[i + 1]) << 8;
    out.push_back(kChars[(v >> 18) & 63]);
    out.push_back(kChars[(v >> 12) & 63]);
    out.push_back(i + 1 < data.size() ? kChars[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::vector<std::string> SignedHeaders(const std::string& authorization) {
  std::vector<std::string> names;
  size_t at = authorization.find("SignedHeaders=");
  if (at == std::string::npos) return names;
  std::string list = authorization.substr(at + 14, authorization.find(',', at) - at - 14);
  size_t start = 0;
  for (;;) {
    size_t semi = list.find(';', start);
    names.push_back(list.substr(start, semi == std::string::npos ? semi : semi - start));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return names;
}

TEST(S3SignatureCrossCheckTest, AuthorizationEqualsTheAwsSdkSigners) {
  std::string missing = S3ToolsMissing();
  if (!missing.empty()) GTEST_SKIP() << missing;
  ScratchDir dir;
  FakeS3Server server([](const RecordedRequest& r, int) {
    std::string q = r.Query();
    if (r.method == "PUT") return FakeResponse{200, {{"ETag", "\"e\""}}, ""};
    if (r.method == "HEAD") return FakeResponse{200, {{"Content-Length", "0"}}, ""};
    if (r.method == "POST" && q == "uploads") {
      return FakeResponse{200,
                          {},
                          "<InitiateMultipartUploadResult><UploadId>U</UploadId>"
                          "</InitiateMultipartUploadResult>"};
    }
    if (r.method == "POST") return FakeResponse{200, {}, "<DeleteResult/>"};
    if (r.method == "GET" && q.find("list-type") != std::string::npos) {
      return FakeResponse{200, {}, "<ListBucketResult/>"};
    }
    return FakeResponse{200, {}, "object bytes"};
  });
  FixedClockEnv env;
  S3ClientOptions o;
  o.bucket = "gl-test";
  o.endpoint = server.endpoint();
  o.path_style = true;
  o.region = "eu-west-1";
  o.env = &env;
  S3CredentialsOptions c;
  c.access_key_id = "ASIAGAMELAKETEST";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY/gamelake=";
  c.session_token = "FwoGZXIvYXdzEJr//////////wEaDM+token/with=specials";
  o.credentials = std::make_shared<S3CredentialsProvider>(c);
  Result<std::unique_ptr<S3Client>> client = S3Client::Create(o);
  GL_ASSERT_OK(client);

  std::string body = "parquet\x00\x01\xff bytes and more";
  body.append(100000, 'b');
  std::string path = dir.WriteFile("body", body);
  const std::string kWeird = "games/lab/a b+c=ü~!'()*,;:@$&[x].parquet";
  GL_ASSERT_OK((*client)->PutObject(kWeird, path));
  GL_ASSERT_OK((*client)->GetObject("events/dt=2026-01-02/hr=03/f 1.parquet", dir.path() + "/got"));
  GL_ASSERT_OK((*client)->HeadObject("ключ/日本語/😀"));
  GL_ASSERT_OK((*client)->CreateMultipartUpload("big file+1.parquet"));
  GL_ASSERT_OK((*client)->UploadPart("big file+1.parquet", "up/id+1==", 2, path, 7, 5000));
  S3ListRequest list;
  list.prefix = "events/dt=2026-01-02/";
  list.continuation_token = "1a/b+c=d e&f%g?h#i~j";
  list.start_after = "events/dt=2026-01-02/a b";
  list.max_keys = 3;
  GL_ASSERT_OK((*client)->ListObjectsV2(list));
  GL_ASSERT_OK((*client)->DeleteObjects({kWeird, "x/y.parquet"}));

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 7u);
  JsonWriter w;
  w.BeginObject().Key("region").String("eu-west-1");
  w.Key("credentials").BeginObject();
  w.Key("accessKeyId").String(c.access_key_id);
  w.Key("secretAccessKey").String(c.secret_access_key);
  w.Key("sessionToken").String(c.session_token);
  w.EndObject();
  w.Key("requests").BeginArray();
  for (const RecordedRequest& r : requests) {
    std::string auth = r.Header("authorization");
    std::vector<std::string> signed_headers = SignedHeaders(auth);
    auto is_signed = [&](std::string_view h) {
      return std::find(signed_headers.begin(), signed_headers.end(), h) != signed_headers.end();
    };
    // What S3 needs signed is signed.
    EXPECT_TRUE(is_signed("host")) << auth;
    EXPECT_TRUE(is_signed("x-amz-date")) << auth;
    EXPECT_TRUE(is_signed("x-amz-content-sha256")) << auth;
    EXPECT_TRUE(is_signed("x-amz-security-token")) << auth;
    if (!r.Header("content-md5").empty()) {
      EXPECT_TRUE(is_signed("content-md5")) << auth;
    }
    EXPECT_EQ(r.Header("x-amz-date"), "20260102T030405Z");
    EXPECT_EQ(r.Header("x-amz-content-sha256"), Sha256Hex(r.body));

    w.BeginObject();
    w.Key("method").String(r.method);
    w.Key("hostname").String(r.Header("host"));
    w.Key("path").String(r.Path());
    w.Key("query").BeginObject();
    std::string query = r.Query();
    size_t start = 0;
    while (start < query.size()) {
      size_t amp = query.find('&', start);
      std::string param = query.substr(start, amp == std::string::npos ? amp : amp - start);
      size_t eq = param.find('=');
      w.Key(PercentDecode(param.substr(0, eq)));
      w.String(eq == std::string::npos ? "" : PercentDecode(param.substr(eq + 1)));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    w.EndObject();
    // The SDK adds x-amz-date, the token and the payload hash (from the
    // body) itself; the other signed headers are given as they were sent.
    w.Key("headers").BeginObject();
    for (const std::string& h : signed_headers) {
      if (h == "x-amz-date" || h == "x-amz-security-token" || h == "x-amz-content-sha256") {
        continue;
      }
      w.Key(h).String(r.Header(h));
    }
    w.EndObject();
    w.Key("body_base64").String(Base64(r.body));
    w.Key("date").String("2026-01-02T03:04:05Z");
    w.EndObject();
  }
  w.EndArray().EndObject();

  simdjson::dom::parser parser;
  simdjson::dom::array signed_by_sdk;
  ASSERT_TRUE(RunS3CheckForArray("sign", w.str(), dir.path(), &parser, &signed_by_sdk));
  ASSERT_EQ(signed_by_sdk.size(), requests.size());
  size_t i = 0;
  for (simdjson::dom::element e : signed_by_sdk) {
    const RecordedRequest& r = requests[i++];
    SCOPED_TRACE(r.method + " " + r.target);
    std::string_view authorization, content_sha256;
    ASSERT_EQ(e["authorization"].get(authorization), simdjson::SUCCESS);
    ASSERT_EQ(e["content_sha256"].get(content_sha256), simdjson::SUCCESS);
    EXPECT_EQ(r.Header("authorization"), authorization);
    EXPECT_EQ(r.Header("x-amz-content-sha256"), content_sha256);
  }
  // The requests cover what the test says they do.
  EXPECT_EQ(
      requests[0].target,
      "/gl-test/games/lab/a%20b%2Bc%3D%C3%BC~%21%27%28%29%2A%2C%3B%3A%40%24%26%5Bx%5D.parquet");
  EXPECT_EQ(requests[4].target,
            "/gl-test/big%20file%2B1.parquet?partNumber=2&uploadId=up%2Fid%2B1%3D%3D");
  EXPECT_NE(requests[5].target.find("continuation-token=1a%2Fb%2Bc%3Dd%20e%26f%25g%3Fh%23i~j"),
            std::string::npos);
}

}  // namespace
}  // namespace gamelake
