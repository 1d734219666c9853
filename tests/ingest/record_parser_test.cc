#include "ingest/record_parser.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <string_view>
#include <vector>

namespace gamelake {
namespace {

// Gzip-compresses `parts` as if they were one concatenated input.
std::string Gzip(const std::vector<std::string_view>& parts, int level = Z_DEFAULT_COMPRESSION) {
  z_stream s{};
  EXPECT_EQ(deflateInit2(&s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out;
  char chunk[1 << 16];
  for (size_t p = 0; p <= parts.size(); ++p) {
    const bool last = p == parts.size();
    std::string_view in = last ? std::string_view() : parts[p];
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    do {
      s.next_out = reinterpret_cast<Bytef*>(chunk);
      s.avail_out = sizeof(chunk);
      deflate(&s, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(chunk, sizeof(chunk) - s.avail_out);
    } while (s.avail_out == 0);
  }
  deflateEnd(&s);
  return out;
}

std::string Gzip(std::string_view text) { return Gzip(std::vector<std::string_view>{text}); }

class RecordParserTest : public ::testing::Test {
 protected:
  Status Parse(std::string_view body, BodyFormat format, bool gzip = false) {
    return parser_.Parse(body, format, gzip, &out_);
  }
  std::vector<std::string> Records() const {
    return std::vector<std::string>(out_.records.begin(), out_.records.end());
  }

  RecordParser parser_;
  ParsedBody out_;
};

TEST_F(RecordParserTest, SingleObject) {
  ASSERT_TRUE(Parse("  \n{\"a\": 1, \"b\": [true, null]}\n", BodyFormat::kJson).ok());
  EXPECT_EQ(Records(), std::vector<std::string>{"{\"a\": 1, \"b\": [true, null]}"});
  EXPECT_EQ(out_.record_indexes, std::vector<size_t>{0});
  EXPECT_TRUE(out_.errors.empty());
  EXPECT_EQ(out_.total, 1u);
}

TEST_F(RecordParserTest, SkipsUtf8Bom) {
  ASSERT_TRUE(Parse("\xEF\xBB\xBF{\"a\":1}", BodyFormat::kJson).ok());
  EXPECT_EQ(Records(), std::vector<std::string>{"{\"a\":1}"});
  ASSERT_TRUE(Parse("\xEF\xBB\xBF{\"a\":1}\n{\"b\":2}", BodyFormat::kNdjson).ok());
  EXPECT_EQ(Records(), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST_F(RecordParserTest, ArrayOfObjects) {
  ASSERT_TRUE(
      Parse("[{\"a\":1} , {\"b\":\"]}\\\"[{\"},\n{},{\"c\":\"\\\\\"}]", BodyFormat::kJson).ok());
  EXPECT_EQ(Records(), (std::vector<std::string>{"{\"a\":1}", "{\"b\":\"]}\\\"[{\"}", "{}",
                                                 "{\"c\":\"\\\\\"}"}));
  EXPECT_EQ(out_.record_indexes, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(out_.total, 4u);
}

TEST_F(RecordParserTest, ArrayElementsThatAreNotObjectsFailAlone) {
  ASSERT_TRUE(
      Parse("[1, {\"a\":1}, \"x\", [2], {\"b\":tru}, {\"c\":3}, null]", BodyFormat::kJson).ok());
  EXPECT_EQ(Records(), (std::vector<std::string>{"{\"a\":1}", "{\"c\":3}"}));
  EXPECT_EQ(out_.record_indexes, (std::vector<size_t>{1, 5}));
  ASSERT_EQ(out_.errors.size(), 5u);
  EXPECT_EQ(out_.errors[0].index, 0u);
  EXPECT_EQ(out_.errors[0].code, "not_an_object");
  EXPECT_EQ(out_.errors[1].index, 2u);
  EXPECT_EQ(out_.errors[1].code, "not_an_object");
  EXPECT_EQ(out_.errors[2].index, 3u);
  EXPECT_EQ(out_.errors[2].code, "not_an_object");
  // A broken element that can still be split out fails alone.
  EXPECT_EQ(out_.errors[3].index, 4u);
  EXPECT_EQ(out_.errors[3].code, "invalid_json");
  EXPECT_NE(out_.errors[3].message.find("element 4, byte 28: invalid JSON: invalid literal"),
            std::string::npos)
      << out_.errors[3].message;
  EXPECT_EQ(out_.errors[4].index, 6u);
  EXPECT_EQ(out_.errors[4].code, "not_an_object");
  EXPECT_EQ(out_.total, 7u);
}

TEST_F(RecordParserTest, BrokenArrayIsRejectedWithOffset) {
  Status s = Parse("[{\"a\":1}, {\"b\":2]", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "malformed JSON at byte 16: ']' closes an object");

  s = Parse("[{\"a\":1} {\"b\":2}]", BodyFormat::kJson);
  EXPECT_EQ(s.message(), "malformed JSON at byte 9: expected ',' or ']'");

  s = Parse("[{\"a\":1},]", BodyFormat::kJson);
  EXPECT_EQ(s.message(), "malformed JSON at byte 9: expected a value");

  s = Parse("[{\"a\":\"unterminated}]", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("unterminated string"), std::string::npos) << s.message();
}

TEST_F(RecordParserTest, TruncatedJson) {
  Status s = Parse("{\"a\": {\"b\": 1}", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "malformed JSON at byte 14: unexpected end of input inside an object");

  s = Parse("[{\"a\": 1}, {\"b\"", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "malformed JSON at byte 15: unexpected end of input inside an object");

  s = Parse("[{\"a\": 1}", BodyFormat::kJson);
  EXPECT_EQ(s.message(), "malformed JSON at byte 9: unexpected end of input inside an array");
}

TEST_F(RecordParserTest, InvalidSingleObjectNamesTheOffset) {
  Status s = Parse("{\"a\": 1, \"b\" 2}", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "malformed JSON at byte 13: expected ':' after an object key");
}

TEST_F(RecordParserTest, TrailingGarbage) {
  Status s = Parse("{\"a\":1} x", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "malformed JSON at byte 8: unexpected content after the JSON value");

  s = Parse("[{\"a\":1}]]", BodyFormat::kJson);
  EXPECT_EQ(s.message(), "malformed JSON at byte 9: unexpected content after the JSON value");

  EXPECT_TRUE(Parse("{\"a\":1}\r\n\t ", BodyFormat::kJson).ok());
}

TEST_F(RecordParserTest, TopLevelScalarIsRejected) {
  Status s = Parse("42", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "malformed JSON at byte 0: the body must be a JSON object or an array of objects");
  s = Parse(" \"x\"", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  s = Parse("nul", BodyFormat::kJson);
  EXPECT_EQ(s.message(), "malformed JSON at byte 0: invalid literal");
}

TEST_F(RecordParserTest, EmptyBody) {
  for (std::string_view body : {"", "  \n ", "\xEF\xBB\xBF", "[]", "[ ]"}) {
    Status s = Parse(body, BodyFormat::kJson);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << body;
    EXPECT_EQ(s.message(), "empty body") << body;
  }
  for (std::string_view body : {"", "\n\n", " \r\n \t\n"}) {
    Status s = Parse(body, BodyFormat::kNdjson);
    EXPECT_EQ(s.message(), "empty body");
  }
}

TEST_F(RecordParserTest, NdjsonBadLinesFailAlone) {
  const std::string body =
      "{\"a\":1}\r\n"  // line 1, record 0
      "\n"             // line 2, blank
      "   \t\r\n"      // line 3, blank
      "{\"b\":}\n"     // line 4, record 1: invalid
      "[1,2]\r\n"      // line 5, record 2: not an object
      "{\"c\":3}";     // line 6, record 3 (no final newline)
  ASSERT_TRUE(Parse(body, BodyFormat::kNdjson).ok());
  EXPECT_EQ(Records(), (std::vector<std::string>{"{\"a\":1}", "{\"c\":3}"}));
  EXPECT_EQ(out_.record_indexes, (std::vector<size_t>{0, 3}));
  EXPECT_EQ(out_.total, 4u);
  ASSERT_EQ(out_.errors.size(), 2u);
  EXPECT_EQ(out_.errors[0].index, 1u);
  EXPECT_EQ(out_.errors[0].code, "invalid_json");
  EXPECT_EQ(out_.errors[0].message, "line 4, byte 21: invalid JSON: expected a value");
  EXPECT_EQ(out_.errors[1].index, 2u);
  EXPECT_EQ(out_.errors[1].code, "not_an_object");
  EXPECT_EQ(out_.errors[1].message, "line 5: expected a JSON object, got an array");
}

TEST_F(RecordParserTest, InvalidUtf8InOneNdjsonLine) {
  ASSERT_TRUE(
      Parse("{\"a\":\"ok\"}\n{\"a\":\"\xC3\x28\"}\n{\"a\":\"caf\xC3\xA9\"}\n", BodyFormat::kNdjson)
          .ok());
  EXPECT_EQ(Records(), (std::vector<std::string>{"{\"a\":\"ok\"}", "{\"a\":\"caf\xC3\xA9\"}"}));
  ASSERT_EQ(out_.errors.size(), 1u);
  EXPECT_EQ(out_.errors[0].index, 1u);
  EXPECT_EQ(out_.errors[0].code, "invalid_utf8");
  EXPECT_EQ(out_.errors[0].message, "line 2, byte 17: invalid UTF-8");
}

TEST_F(RecordParserTest, InvalidUtf8InSingleObjectRejectsTheBody) {
  Status s = Parse("{\"a\":\"\xFF\"}", BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "malformed JSON at byte 6: invalid UTF-8");
}

TEST_F(RecordParserTest, NulBytes) {
  const char raw[] = "{\"a\":\"x\0y\"}\n{\"a\":1}\0\n{\"a\":\"x\\u0000y\"}";
  const std::string body(raw, sizeof(raw) - 1);
  ASSERT_TRUE(Parse(body, BodyFormat::kNdjson).ok());
  EXPECT_EQ(Records(), std::vector<std::string>{"{\"a\":\"x\\u0000y\"}"});
  ASSERT_EQ(out_.errors.size(), 2u);
  EXPECT_EQ(out_.errors[0].code, "invalid_json");
  EXPECT_EQ(out_.errors[0].message,
            "line 1, byte 7: invalid JSON: unescaped control character in a string");
  EXPECT_EQ(out_.errors[1].code, "invalid_json");
  EXPECT_EQ(out_.errors[1].message,
            "line 2, byte 19: invalid JSON: unexpected content after the JSON value");
}

TEST_F(RecordParserTest, UnicodeKeysWithSpacesArePreservedExactly) {
  const std::string record =
      "{\"Time Played\":1234,\"Caught By\":\"Ghost \xF0\x9F\x91\xBB\",\"\xC3\xA9t\xC3\xA9\":\"x\"}";
  ASSERT_TRUE(Parse(record + "\n", BodyFormat::kNdjson).ok());
  EXPECT_EQ(Records(), std::vector<std::string>{record});
  ASSERT_TRUE(Parse("[" + record + "]", BodyFormat::kJson).ok());
  EXPECT_EQ(Records(), std::vector<std::string>{record});
}

TEST_F(RecordParserTest, DuplicateKeysFailTheRecordAlone) {
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":1,";
  many += "\"k7\":2}";
  ASSERT_TRUE(Parse("{\"a\":1,\"a\":2}\n{\"ok\":1}\n{\"n\":{\"b\":1,\"b\":1}}\n" + many +
                        "\n"
                        "{\"a\":{\"x\":1},\"b\":{\"x\":2}}\n",
                    BodyFormat::kNdjson)
                  .ok());
  EXPECT_EQ(Records(),
            (std::vector<std::string>{"{\"ok\":1}", "{\"a\":{\"x\":1},\"b\":{\"x\":2}}"}));
  ASSERT_EQ(out_.errors.size(), 3u);
  for (const RecordError& e : out_.errors) EXPECT_EQ(e.code, "duplicate_key") << e.message;
  EXPECT_NE(out_.errors[0].message.find("\"a\""), std::string::npos);
  EXPECT_NE(out_.errors[2].message.find("\"k7\""), std::string::npos);
}

TEST_F(RecordParserTest, HugeNumbersAreRejectedConsistently) {
  const std::string body =
      "{\"n\":1e400}\n"
      "{\"n\":123456789012345678901234567890}\n"
      "{\"n\":-9223372036854775809}\n"
      "{\"n\":18446744073709551615}\n"
      "{\"n\":-9223372036854775808}\n"
      "{\"n\":1.7976931348623157e308}\n"
      "{\"n\":1e-400}\n";
  ASSERT_TRUE(Parse(body, BodyFormat::kNdjson).ok());
  EXPECT_EQ(out_.record_indexes, (std::vector<size_t>{3, 4, 5, 6}));
  ASSERT_EQ(out_.errors.size(), 3u);
  for (const RecordError& e : out_.errors) EXPECT_EQ(e.code, "invalid_json") << e.message;
  EXPECT_EQ(out_.errors[0].message, "line 1, byte 5: invalid JSON: number out of double range");
  EXPECT_EQ(out_.errors[1].message,
            "line 2, byte 17: invalid JSON: integer above 2^64-1 (out of 64-bit range)");
  EXPECT_EQ(out_.errors[2].message,
            "line 3, byte 54: invalid JSON: integer below -2^63 (out of 64-bit range)");

  // The same rule for a JSON body.
  Status s = Parse("{\"n\": 1e400}", BodyFormat::kJson);
  EXPECT_EQ(s.message(), "malformed JSON at byte 6: number out of double range");
}

TEST_F(RecordParserTest, RecordTooLargeFailsAlone) {
  RecordParser parser(ParserLimits{.max_record_bytes = 20});
  const std::string big = "{\"a\":\"" + std::string(20, 'x') + "\"}";
  ASSERT_TRUE(
      parser.Parse("{\"a\":1}\n" + big + "\n{\"b\":2}", BodyFormat::kNdjson, false, &out_).ok());
  EXPECT_EQ(out_.record_indexes, (std::vector<size_t>{0, 2}));
  ASSERT_EQ(out_.errors.size(), 1u);
  EXPECT_EQ(out_.errors[0].code, "record_too_large");
  EXPECT_EQ(out_.errors[0].message, "line 2: record is 28 bytes, over the limit of 20");

  ASSERT_TRUE(parser.Parse("[" + big + ",{\"b\":2}]", BodyFormat::kJson, false, &out_).ok());
  EXPECT_EQ(out_.record_indexes, std::vector<size_t>{1});
  ASSERT_EQ(out_.errors.size(), 1u);
  EXPECT_EQ(out_.errors[0].code, "record_too_large");

  ASSERT_TRUE(parser.Parse(big, BodyFormat::kJson, false, &out_).ok());
  EXPECT_TRUE(out_.records.empty());
  ASSERT_EQ(out_.errors.size(), 1u);
  EXPECT_EQ(out_.errors[0].code, "record_too_large");
}

std::string Nested(size_t depth, bool empty_innermost) {
  // Depth 1 is the record object itself.
  std::string s = "{\"a\":";
  for (size_t i = 1; i < depth; ++i) s += "[";
  if (depth == 1) s = "{";
  if (!empty_innermost && depth > 1) s += "1";
  for (size_t i = 1; i < depth; ++i) s += "]";
  s += depth == 1 ? "}" : "}";
  return s;
}

TEST_F(RecordParserTest, TooDeepFailsAlone) {
  for (bool empty : {false, true}) {
    SCOPED_TRACE(empty ? "empty innermost" : "non-empty innermost");
    const std::string ok = Nested(64, empty);
    const std::string deep = Nested(65, empty);
    ASSERT_TRUE(Parse(ok + "\n" + deep + "\n" + ok, BodyFormat::kNdjson).ok());
    EXPECT_EQ(out_.record_indexes, (std::vector<size_t>{0, 2}));
    ASSERT_EQ(out_.errors.size(), 1u);
    EXPECT_EQ(out_.errors[0].index, 1u);
    EXPECT_EQ(out_.errors[0].code, "too_deep");
    EXPECT_EQ(out_.errors[0].message, "line 2: nesting deeper than 64 levels");

    ASSERT_TRUE(Parse("[" + ok + "," + deep + "]", BodyFormat::kJson).ok());
    EXPECT_EQ(out_.record_indexes, std::vector<size_t>{0});
    ASSERT_EQ(out_.errors.size(), 1u);
    EXPECT_EQ(out_.errors[0].code, "too_deep");

    ASSERT_TRUE(Parse(deep, BodyFormat::kJson).ok());
    ASSERT_EQ(out_.errors.size(), 1u);
    EXPECT_EQ(out_.errors[0].code, "too_deep");
    ASSERT_TRUE(Parse(ok, BodyFormat::kJson).ok());
    EXPECT_EQ(out_.records.size(), 1u);
  }
}

TEST_F(RecordParserTest, VeryDeepInputDoesNotOverflowTheStack) {
  const std::string broken = "{\"a\":" + std::string(200000, '[') + "x";
  ASSERT_TRUE(Parse("{\"ok\":1}\n" + broken, BodyFormat::kNdjson).ok());
  ASSERT_EQ(out_.errors.size(), 1u);
  EXPECT_EQ(out_.errors[0].code, "invalid_json");
  EXPECT_EQ(out_.errors[0].message, "line 2, byte 200014: invalid JSON: expected a value");
  Status s = Parse(broken, BodyFormat::kJson);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);

  const std::string deep = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  ASSERT_TRUE(Parse(deep + "\n" + deep, BodyFormat::kNdjson).ok());
  ASSERT_EQ(out_.errors.size(), 2u);
  EXPECT_EQ(out_.errors[1].code, "too_deep");
  ASSERT_TRUE(Parse("[" + deep + "]", BodyFormat::kJson).ok());
  ASSERT_EQ(out_.errors.size(), 1u);
  EXPECT_EQ(out_.errors[0].code, "too_deep");
}

TEST_F(RecordParserTest, MaxRecords) {
  RecordParser parser(ParserLimits{.max_records = 3});
  ASSERT_TRUE(parser.Parse("{}\n{}\n\n{}\n", BodyFormat::kNdjson, false, &out_).ok());
  EXPECT_EQ(out_.total, 3u);
  Status s = parser.Parse("{}\n{}\n{}\n{}", BodyFormat::kNdjson, false, &out_);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(s.message(), "more than 3 records in one request");
  // Rejected records count too.
  s = parser.Parse("[1, 2, 3, {}]", BodyFormat::kJson, false, &out_);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
}

TEST_F(RecordParserTest, BodyOverDecodedLimit) {
  RecordParser parser(ParserLimits{.max_decoded_body_bytes = 10});
  Status s = parser.Parse("{\"a\":\"0123456789\"}", BodyFormat::kJson, false, &out_);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(s.message(), "decoded body exceeds 10 bytes");
}

TEST_F(RecordParserTest, GzipRoundTrip) {
  std::string body;
  for (int i = 0; i < 1000; ++i)
    body += "{\"PlayerID\":\"p" + std::to_string(i) + "\",\"Wins\":2}\n";
  ASSERT_TRUE(Parse(Gzip(body), BodyFormat::kNdjson, true).ok());
  ASSERT_EQ(out_.records.size(), 1000u);
  EXPECT_EQ(out_.records[999], "{\"PlayerID\":\"p999\",\"Wins\":2}");
  EXPECT_EQ(out_.decoded_bytes, body.size());

  // Concatenated gzip members decode as one body.
  ASSERT_TRUE(Parse(Gzip("[{\"a\":1},") + Gzip("{\"b\":2}]"), BodyFormat::kJson, true).ok());
  EXPECT_EQ(Records(), (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST_F(RecordParserTest, CorruptGzip) {
  std::string gz = Gzip("{\"a\":1}\n{\"b\":2}\n");
  std::string corrupt = gz;
  corrupt[12] ^= 0x55;
  corrupt[13] ^= 0xFF;
  Status s = Parse(corrupt, BodyFormat::kNdjson, true);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("gzip stream at compressed byte"), std::string::npos) << s.message();

  s = Parse(std::string_view(gz).substr(0, gz.size() - 5), BodyFormat::kNdjson, true);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "truncated gzip stream at compressed byte " + std::to_string(gz.size() - 5));

  s = Parse("{\"a\":1}", BodyFormat::kJson, true);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "corrupt gzip stream at compressed byte 2: incorrect header check");

  s = Parse(gz + "junk", BodyFormat::kNdjson, true);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
}

TEST_F(RecordParserTest, GzipBombStopsAtTheLimit) {
  // 1 GiB of zeros, compressed in 1 MiB pieces (about 1 MB compressed).
  const std::string zeros(1 << 20, '\0');
  std::vector<std::string_view> parts(1024, zeros);
  const std::string bomb = Gzip(parts, Z_BEST_SPEED);
  ASSERT_LT(bomb.size(), 8u << 20);
  Status s = Parse(bomb, BodyFormat::kNdjson, true);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(s.message(), "decoded body exceeds 8388608 bytes");

  // Exactly at the limit is fine as far as decoding goes.
  RecordParser parser(ParserLimits{.max_decoded_body_bytes = 9});
  EXPECT_TRUE(parser.Parse(Gzip("{\"a\":12}\n"), BodyFormat::kNdjson, true, &out_).ok());
  s = parser.Parse(Gzip("{\"a\":123}\n"), BodyFormat::kNdjson, true, &out_);
  EXPECT_EQ(s.code(), Status::Code::kResourceExhausted);
}

TEST_F(RecordParserTest, RecordsStayValidUntilNextParse) {
  RecordParser parser;
  ParsedBody out;
  {
    std::string body = "{\"a\":1}\n{\"b\":2}";
    ASSERT_TRUE(parser.Parse(body, BodyFormat::kNdjson, false, &out).ok());
    body.assign(body.size(), 'z');  // The caller's body may go away.
  }
  EXPECT_EQ(out.records[1], "{\"b\":2}");
}

}  // namespace
}  // namespace gamelake

namespace gamelake {
namespace {

TEST(RecordParserKeysTest, TooManyKeysFailsTheRecordAlone) {
  ParserLimits limits;
  limits.max_keys = 10;
  RecordParser parser(limits);
  std::string ten = "{";
  for (int i = 0; i < 10; ++i)
    ten += std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\":1";
  ten += "}";
  // 9 keys at the top and 2 nested: 11 in all.
  std::string nested =
      "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":{\"x\":1,\"y\":2}}";
  ParsedBody out;
  ASSERT_TRUE(parser.Parse(ten + "\n" + nested + "\n", BodyFormat::kNdjson, false, &out).ok());
  ASSERT_EQ(out.records.size(), 1u);
  EXPECT_EQ(out.records[0], ten);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].index, 1u);
  EXPECT_EQ(out.errors[0].code, "too_many_keys");
}

}  // namespace
}  // namespace gamelake
