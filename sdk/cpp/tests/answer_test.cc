// Tests of the answer reader, Retry-After, back-off bounds, UUID v7 and timestamps.
#include "answer.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "uuid.h"

namespace gamelake::internal {
namespace {

TEST(AnswerTest, ReadsPerRecordErrors) {
  const auto a = ParseIngestAnswer(
      R"({"accepted": 2, "failed": 2, "first_record_id": 1042, "extra": {"n": [1, {"x": null}]},
          "errors": [{"index": 1, "code": "not_an_object", "message": "record 1 (line 2): \"x\" \u00e9"},
                     {"message": "m", "code": "log_unavailable", "index": 3}]})");
  ASSERT_TRUE(a.parsed);
  ASSERT_TRUE(a.has_errors);
  ASSERT_EQ(a.errors.size(), 2u);
  EXPECT_EQ(a.errors[0].index, 1u);
  EXPECT_EQ(a.errors[0].code, "not_an_object");
  EXPECT_EQ(a.errors[0].message, "record 1 (line 2): \"x\" \xC3\xA9");
  EXPECT_EQ(a.errors[1].index, 3u);
  EXPECT_EQ(a.errors[1].code, "log_unavailable");
}

TEST(AnswerTest, ReadsABodyError) {
  const auto a = ParseIngestAnswer(R"({"error":"malformed_body","message":"at byte 7"})");
  EXPECT_TRUE(a.parsed);
  EXPECT_FALSE(a.has_errors);
  EXPECT_EQ(a.error, "malformed_body");
  EXPECT_EQ(a.message, "at byte 7");
  EXPECT_FALSE(ParseIngestAnswer("<html>bad gateway</html>").parsed);
  EXPECT_FALSE(ParseIngestAnswer(R"({"errors":[{"index":1,)").parsed);
}

TEST(RetryAfterTest, SecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfterMs("3", 0), 3000);
  EXPECT_EQ(ParseRetryAfterMs(" 0 ", 0), 0);
  // 1994-11-06T08:49:37Z is 784111777 s after the epoch.
  const int64_t now = 784111777LL * 1000 - 5000;
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", now), 5000);
  EXPECT_EQ(ParseRetryAfterMs("Sunday, 06-Nov-94 08:49:37 GMT", now), 5000);
  EXPECT_EQ(ParseRetryAfterMs("Sun Nov  6 08:49:37 1994", now), 5000);
  EXPECT_EQ(ParseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", now + 60000), 0);  // past: no wait
  EXPECT_FALSE(ParseRetryAfterMs("soon", 0).has_value());
  EXPECT_FALSE(ParseRetryAfterMs("", 0).has_value());
  EXPECT_FALSE(ParseRetryAfterMs("-5", 0).has_value());
}

TEST(BackoffTest, DoublesUpToTheMax) {
  EXPECT_EQ(BackoffCeilingMs(0, 500, 60000), 500);
  EXPECT_EQ(BackoffCeilingMs(1, 500, 60000), 1000);
  EXPECT_EQ(BackoffCeilingMs(6, 500, 60000), 32000);
  EXPECT_EQ(BackoffCeilingMs(7, 500, 60000), 60000);
  EXPECT_EQ(BackoffCeilingMs(62, 500, 60000), 60000);
  Rng rng(1);
  for (int i = 0; i < 10000; ++i) {
    const uint64_t v = rng.Uniform(1000);
    ASSERT_LE(v, 1000u);
  }
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

TEST(UuidTest, Version7VariantAndOrder) {
  Rng rng;
  UuidV7Generator gen(&rng);
  std::set<std::string> seen;
  std::string last;
  const int64_t ms = 1764522303123;  // 2025-11-30T17:05:03.123Z
  for (int i = 0; i < 20000; ++i) {
    char id[36];
    gen.Make(ms + i / 5000, id);  // 5000 ids per ms: more than the 12-bit counter holds
    const std::string s(id, 36);
    ASSERT_EQ(s[8], '-');
    ASSERT_EQ(s[13], '-');
    ASSERT_EQ(s[18], '-');
    ASSERT_EQ(s[23], '-');
    ASSERT_EQ(s[14], '7') << s;
    ASSERT_TRUE(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b') << s;
    for (int k : {0, 9, 15, 20, 35}) ASSERT_TRUE(IsHex(s[k])) << s;
    ASSERT_GT(s, last);
    last = s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 20000u);
  char first[36];
  UuidV7Generator fresh(&rng);
  fresh.Make(ms, first);
  EXPECT_EQ(std::string(first, 13), "019ad5b9-9e93");  // 48 bits of the Unix ms, in hex
}

TEST(TimestampTest, IsoUtcWithMilliseconds) {
  TimestampFormatter f;
  std::string out;
  f.Append(1764522303123, out);
  EXPECT_EQ(out, "2025-11-30T17:05:03.123Z");
  out.clear();
  f.Append(1764522303007, out);
  EXPECT_EQ(out, "2025-11-30T17:05:03.007Z");
  out.clear();
  f.Append(0, out);
  EXPECT_EQ(out, "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace gamelake::internal
