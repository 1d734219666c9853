#include <string>

#include <gtest/gtest.h>

#include "common/crc32c.h"
#include "common/env.h"
#include "common/json_unescape.h"
#include "common/json_writer.h"
#include "common/metrics.h"
#include "common/percent_decode.h"
#include "common/status.h"

namespace gamelake {
namespace {

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 (iSCSI) test vectors.
  EXPECT_EQ(crc32c::Value(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(crc32c::Value(std::string(32, '\xff')), 0x62a8ab43u);
  EXPECT_EQ(crc32c::Value("123456789"), 0xe3069283u);
  std::string s = "hello, gamelake";
  uint32_t whole = crc32c::Value(s);
  uint32_t split = crc32c::Extend(crc32c::Value(s.substr(0, 5)), s.data() + 5, s.size() - 5);
  EXPECT_EQ(whole, split);
}

TEST(StatusTest, CodesAndContext) {
  Status s = Status::IOError("disk").WithContext("writing log");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "IOError: writing log: disk");
  EXPECT_EQ(Status::FromErrno("write x", ENOSPC).code(), Status::Code::kResourceExhausted);
  EXPECT_TRUE(Status::OK().ok());
}

TEST(JsonWriterTest, EscapesAndReplacesInvalidUtf8) {
  JsonWriter w;
  w.BeginObject().Key("a\"b").String("line\nnext\x01").Key("bad").String("\xff ok").Key("n");
  w.Int(-3).Key("list").BeginArray().Bool(true).Null().Double(1.5).EndArray().EndObject();
  EXPECT_EQ(w.str(),
            "{\"a\\\"b\":\"line\\nnext\\u0001\",\"bad\":\"\xEF\xBF\xBD ok\",\"n\":-3,"
            "\"list\":[true,null,1.5]}");
  EXPECT_EQ(JsonEscape("Time Played \xC3\xA9"), "Time Played \xC3\xA9");
}

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m;
  m.AddCounter("x_total", "Xs", {{"code", "200"}})->Add(3);
  m.AddCounter("x_total", "Xs", {{"code", "200"}})->Add(1);  // Same series.
  m.AddGauge("g", "A gauge")->Set(2.5);
  Histogram* h = m.AddHistogram("lat_seconds", "Latency", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.5);
  h->Observe(5);
  std::string out = m.Render();
  EXPECT_NE(out.find("# TYPE x_total counter\nx_total{code=\"200\"} 4\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("g 2.5\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_count 3\n"), std::string::npos) << out;
}

TEST(EnvTest, AtomicWriteAndList) {
  Env* env = Env::Default();
  char tmpl[] = "/tmp/gamelake-env-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ASSERT_TRUE(env->CreateDirs(JoinPath(dir, "a/b")).ok());
  ASSERT_TRUE(env->WriteFileAtomic(JoinPath(dir, "a/b/f"), "hello").ok());
  auto data = env->ReadFile(JoinPath(dir, "a/b/f"));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "hello");
  auto names = env->ListDir(JoinPath(dir, "a/b"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"f"});
  auto missing = env->ReadFile(JoinPath(dir, "nope"));
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("c"), ".");
  std::system(("rm -rf " + dir).c_str());
}

TEST(JsonUnescapeTest, DecodesEscapesAndSurrogatePairs) {
  std::string out;
  EXPECT_EQ(JsonUnescape(R"(a\"b\\c\/d\n\t\u00e9\u20ac\ud83d\ude00\')", &out),
            std::string_view::npos);
  EXPECT_EQ(out, "a\"b\\c/d\n\t\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80'");
  // A lone high surrogate is kept as its own (CESU-like) code point, not dropped.
  EXPECT_EQ(JsonUnescape(R"(\ud83dx)", &out), std::string_view::npos);
  EXPECT_EQ(out, "\xED\xA0\xBDx");
  // A bad \u names where it is.
  EXPECT_EQ(JsonUnescape(R"(ok\u12G4)", &out), 2u);
  EXPECT_EQ(JsonUnescape(R"(ok\u12)", &out), 2u);
}

TEST(PercentDecodeTest, DecodesAndKeepsBadEscapes) {
  EXPECT_EQ(PercentDecode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz+x"), "%zz+x");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
}

}  // namespace
}  // namespace gamelake
