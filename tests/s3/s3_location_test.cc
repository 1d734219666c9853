// S3Location (s3://bucket/prefix) and S3Endpoint (endpoint, addressing).
#include "s3/s3_location.h"

#include <gtest/gtest.h>

#include <string>

#include "../common/status_matchers.h"
#include "s3/s3_endpoint.h"

namespace gamelake {
namespace {

TEST(S3LocationTest, ParsesAndNormalizes) {
  Result<S3Location> a = S3Location::Parse("s3://my-lake");
  GL_ASSERT_OK(a);
  EXPECT_EQ(a->bucket(), "my-lake");
  EXPECT_EQ(a->prefix(), "");
  EXPECT_EQ(a->ToString(), "s3://my-lake");

  Result<S3Location> b = S3Location::Parse("s3://my.lake-01/games//lab/events");
  GL_ASSERT_OK(b);
  EXPECT_EQ(b->bucket(), "my.lake-01");
  EXPECT_EQ(b->prefix(), "games/lab/events/");
  EXPECT_EQ(b->ToString(), "s3://my.lake-01/games/lab/events/");
  EXPECT_EQ(b->Key("events/dt=2026-01-02/x.parquet"),
            "games/lab/events/events/dt=2026-01-02/x.parquet");

  Result<S3Location> c = S3Location::Parse("s3://abc/");
  GL_ASSERT_OK(c);
  EXPECT_EQ(c->prefix(), "");
  Result<S3Location> d = S3Location::Parse("s3://abc//a/");
  GL_ASSERT_OK(d);
  EXPECT_EQ(d->prefix(), "a/");
}

TEST(S3LocationTest, RoundTrips) {
  for (const char* uri :
       {"s3://abc", "s3://abc/", "s3://a-b.c/x", "s3://a-b.c/x/", "s3://bucket/a//b///c",
        "s3://bucket/ünïcode space/+=,;:@$&!'()*~_-", "s3://123/0"}) {
    SCOPED_TRACE(uri);
    Result<S3Location> once = S3Location::Parse(uri);
    GL_ASSERT_OK(once);
    Result<S3Location> twice = S3Location::Parse(once->ToString());
    GL_ASSERT_OK(twice);
    EXPECT_EQ(*twice, *once);
    EXPECT_EQ(twice->ToString(), once->ToString());
  }
  Result<S3Location> made = S3Location::Make("bucket", "/p/q");
  GL_ASSERT_OK(made);
  EXPECT_EQ(made->ToString(), "s3://bucket/p/q/");
}

TEST(S3LocationTest, RefusesBadLocations) {
  const Status::Code kBad = Status::Code::kInvalidArgument;
  EXPECT_THAT(S3Location::Parse("bucket/prefix"), StatusIs(kBad, "must start with 's3://'"));
  EXPECT_THAT(S3Location::Parse("s3:/bucket"), StatusIs(kBad, "s3://"));
  EXPECT_THAT(S3Location::Parse("s3://"), StatusIs(kBad, "no bucket"));
  EXPECT_THAT(S3Location::Parse("s3:///prefix"), StatusIs(kBad, "no bucket"));
  EXPECT_THAT(S3Location::Parse("s3://ab"), StatusIs(kBad, "3 to 63"));
  EXPECT_THAT(S3Location::Parse("s3://" + std::string(64, 'a')), StatusIs(kBad, "3 to 63"));
  EXPECT_THAT(S3Location::Parse("s3://My-Bucket"), StatusIs(kBad, "lower-case"));
  EXPECT_THAT(S3Location::Parse("s3://my_bucket"), StatusIs(kBad, "lower-case"));
  EXPECT_THAT(S3Location::Parse("s3://-bucket"), StatusIs(kBad, "begin and end"));
  EXPECT_THAT(S3Location::Parse("s3://bucket-"), StatusIs(kBad, "begin and end"));
  EXPECT_THAT(S3Location::Parse("s3://my..bucket"), StatusIs(kBad, "'..'"));
  EXPECT_THAT(S3Location::Parse("s3://192.168.5.4"), StatusIs(kBad, "IP address"));
  EXPECT_THAT(S3Location::Parse("s3://xn--bucket"), StatusIs(kBad, "reserved"));
  EXPECT_THAT(S3Location::Parse("s3://sthree-bucket"), StatusIs(kBad, "reserved"));
  EXPECT_THAT(S3Location::Parse("s3://bucket-s3alias"), StatusIs(kBad, "reserved"));
  EXPECT_THAT(S3Location::Parse("s3://bucket--ol-s3"), StatusIs(kBad, "reserved"));
  EXPECT_THAT(S3Location::Parse("s3://bucket/a/../b"), StatusIs(kBad, "'..'"));
  EXPECT_THAT(S3Location::Parse("s3://bucket/./b"), StatusIs(kBad, "'.'"));
  EXPECT_THAT(S3Location::Parse("s3://bucket/a\nb"), StatusIs(kBad, "control"));
  EXPECT_THAT(S3Location::Parse("s3://bucket/a%20b"), StatusIs(kBad, "'%'"));
  EXPECT_THAT(S3Location::Parse("s3://bucket/a?b"), StatusIs(kBad, "'?'"));
  EXPECT_THAT(S3Location::Parse("s3://bucket/a#b"), StatusIs(kBad, "'#'"));
  EXPECT_THAT(S3Location::Parse("s3://bucket/" + std::string(800, 'x')), StatusIs(kBad, "at most"));
  // The bad location is named.
  EXPECT_THAT(S3Location::Parse("s3://B"), StatusIs(kBad, "s3://B"));
  GL_EXPECT_OK(S3Location::ValidateBucketName("a.b-c.123"));
}

TEST(S3EndpointTest, ParsesAndFormats) {
  Result<S3Endpoint> aws = S3Endpoint::ForAwsRegion("eu-west-1");
  GL_ASSERT_OK(aws);
  EXPECT_EQ(aws->ToString(), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_TRUE(aws->tls());
  Result<S3Endpoint> cn = S3Endpoint::ForAwsRegion("cn-north-1");
  GL_ASSERT_OK(cn);
  EXPECT_EQ(cn->host(), "s3.cn-north-1.amazonaws.com.cn");
  EXPECT_FALSE(S3Endpoint::ForAwsRegion("EU WEST").ok());
  EXPECT_FALSE(S3Endpoint::ForAwsRegion("").ok());

  struct Case {
    const char* in;
    const char* out;
    const char* authority;
  } cases[] = {
      {"http://127.0.0.1:9000", "http://127.0.0.1:9000", "127.0.0.1:9000"},
      {"https://MinIO.example.com/", "https://minio.example.com", "minio.example.com"},
      {"https://minio.example.com:443", "https://minio.example.com", "minio.example.com"},
      {"http://minio:80", "http://minio", "minio"},
      {"minio.local:9000", "https://minio.local:9000", "minio.local:9000"},
      {"http://[::1]:9000", "http://[::1]:9000", "[::1]:9000"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    Result<S3Endpoint> e = S3Endpoint::Parse(c.in);
    GL_ASSERT_OK(e);
    EXPECT_EQ(e->ToString(), c.out);
    EXPECT_EQ(e->Authority(), c.authority);
    Result<S3Endpoint> again = S3Endpoint::Parse(e->ToString());
    GL_ASSERT_OK(again);
    EXPECT_EQ(*again, *e);
  }
  for (const char* bad : {"", "ftp://x", "http://", "http://host/path", "http://host?x",
                          "http://user@host", "http://host:0", "http://host:65536",
                          "http://host:abc", "http://host:", "http://[::1", "http://ho st"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(S3Endpoint::Parse(bad), StatusIs(Status::Code::kInvalidArgument, "endpoint"));
  }
  EXPECT_TRUE(S3Endpoint::Parse("http://127.0.0.1:1")->HostIsIpAddress());
  EXPECT_TRUE(S3Endpoint::Parse("http://[::1]:1")->HostIsIpAddress());
  EXPECT_FALSE(S3Endpoint::Parse("http://localhost:1")->HostIsIpAddress());
}

TEST(S3EndpointTest, AddressesPathStyleAndVirtualHosted) {
  S3Endpoint aws = S3Endpoint::ForAwsRegion("us-east-1").value();
  S3Endpoint::Target v = aws.ObjectTarget("lake", "a b/ü+=.parquet", "", /*path_style=*/false);
  EXPECT_EQ(v.host, "lake.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(v.target, "/a%20b/%C3%BC%2B%3D.parquet");
  EXPECT_EQ(v.url, "https://lake.s3.us-east-1.amazonaws.com/a%20b/%C3%BC%2B%3D.parquet");

  S3Endpoint local = S3Endpoint::Parse("http://127.0.0.1:9000").value();
  S3Endpoint::Target p = local.ObjectTarget("lake", "k/x", "uploads", /*path_style=*/true);
  EXPECT_EQ(p.host, "127.0.0.1:9000");
  EXPECT_EQ(p.target, "/lake/k/x?uploads");
  EXPECT_EQ(p.url, "http://127.0.0.1:9000/lake/k/x?uploads");

  // The bucket itself.
  EXPECT_EQ(local.ObjectTarget("lake", "", "list-type=2", true).target, "/lake?list-type=2");
  EXPECT_EQ(aws.ObjectTarget("lake", "", "list-type=2", false).target, "/?list-type=2");
  EXPECT_EQ(S3Endpoint::EncodeKey("a~b-c_d.e/f!'()*"), "a~b-c_d.e/f%21%27%28%29%2A");
}

}  // namespace
}  // namespace gamelake
