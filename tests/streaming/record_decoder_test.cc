#include "streaming/record_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "../common/status_matchers.h"
#include "common/civil_time.h"
#include "streaming/sql_parser.h"

namespace gamelake {
namespace {

using ::testing::HasSubstr;

SqlType TypeOf(const std::string& text) {
  Result<SqlType> t = ParseSqlType(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? t.value() : SqlType();
}

InputSchema OneColumn(const std::string& type) {
  return InputSchema{{InputColumn{"c", TypeOf(type), "v"}}};
}

InputSchema LabSchema() {
  return InputSchema{{
      {"PlayerID", TypeOf("INTEGER"), "PlayerID"},
      {"COL_TimePlayed", TypeOf("INTEGER"), "Time Played"},
      {"Wins", TypeOf("INTEGER"), "Wins"},
      {"Losses", TypeOf("INTEGER"), "Losses"},
      {"CaughtAt", TypeOf("INTEGER"), "CaughtAt"},
      {"CaughtBy", TypeOf("INTEGER"), "CaughtBy"},
  }};
}

int64_t Ms(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
  return DaysFromCivil(y, mo, d) * 86'400'000 + ((h * 60 + mi) * 60 + s) * 1000LL + ms;
}

SqlValue Bytes(std::string b) {
  SqlValue v = SqlValue::String(std::move(b));
  v.type = ValueType::kBinary;
  return v;
}

// One case of the developer guide's "Mapping JSON Data Types to SQL Data
// Types": a JSON value (as it appears in the record) into a column type.
struct MappingCase {
  std::string type;
  std::string json;
  std::optional<SqlValue> want;  // nullopt: a conversion error...
  std::string error = "";        // ...whose message holds this.
};

SqlValue Null(ValueType t) { return SqlValue::Null(t); }

TEST(RecordDecoderTest, KdaJsonToSqlMapping) {
  const MappingCase cases[] = {
      // Null literal: SQL NULL whatever the type.
      {"INTEGER", "null", Null(ValueType::kInteger)},
      {"VARCHAR(4)", "null", Null(ValueType::kString)},
      {"TIMESTAMP", "null", Null(ValueType::kTimestamp)},
      // Boolean literal.
      {"INTEGER", "true", SqlValue::Integer(1)},
      {"DECIMAL(5,2)", "false", SqlValue::Decimal(0)},
      {"DOUBLE", "true", SqlValue::Double(1)},
      {"BOOLEAN", "true", SqlValue::Boolean(true)},
      {"VARCHAR(8)", "true", SqlValue::String("true")},
      {"VARCHAR(3)", "false", SqlValue::String("fal")},  // Truncated to the field.
      {"VARBINARY(4)", "true", Bytes(std::string("\x01", 1))},
      {"BINARY(2)", "true", Bytes(std::string("\x00\x01", 2))},
      {"VARBINARY(4)", "false", Bytes(std::string("\x00", 1))},
      {"TIMESTAMP", "true", std::nullopt, "not a timestamp"},
      {"DATE", "false", std::nullopt, "not a date"},
      // Number.
      {"INTEGER", "67321", SqlValue::Integer(67321)},
      {"INTEGER", "-2147483648", SqlValue::Integer(-2147483648LL)},
      {"INTEGER", "2147483648", std::nullopt, "out of range"},
      {"INTEGER", "123.4", std::nullopt, "not an integer"},
      {"INTEGER", "5.0", std::nullopt, "not an integer"},
      {"INTEGER", "1e3", std::nullopt, "not an integer"},
      {"TINYINT", "127", SqlValue::Integer(127)},
      {"TINYINT", "128", std::nullopt, "out of range"},
      {"SMALLINT", "-32769", std::nullopt, "out of range"},
      {"BIGINT", "9223372036854775807", SqlValue::Integer(9223372036854775807LL)},
      {"BIGINT", "9223372036854775808", std::nullopt, "out of range"},
      {"DOUBLE", "1.5e3", SqlValue::Double(1500)},
      {"DOUBLE", "-7", SqlValue::Double(-7)},
      {"REAL", "3.5e38", std::nullopt, "out of range"},
      {"REAL", "0.1", SqlValue::Double(static_cast<double>(0.1f))},
      {"DECIMAL(5,2)", "123.45", SqlValue::Decimal(123.45)},
      {"DECIMAL(5,2)", "1.50", SqlValue::Decimal(1.5)},
      {"DECIMAL(5,2)", "123.456", std::nullopt, "scale"},
      {"DECIMAL(5,2)", "1234.5", std::nullopt, "out of range"},
      {"DECIMAL(5,2)", "12345e-4", std::nullopt, "scale"},
      {"DECIMAL(5,2)", "1.2e2", SqlValue::Decimal(120)},
      {"BOOLEAN", "0", SqlValue::Boolean(false)},
      {"BOOLEAN", "-2.5", SqlValue::Boolean(true)},
      {"VARCHAR(16)", "12.50", SqlValue::String("12.50")},  // As written.
      {"VARCHAR(2)", "12345", SqlValue::String("12")},
      {"VARBINARY(4)", "5", std::nullopt, "binary literal"},
      {"TIMESTAMP", "1.5", std::nullopt, "milliseconds"},
      {"TIME", "5", std::nullopt, "not a time"},
      // String.
      {"INTEGER", "\"42\"", SqlValue::Integer(42)},
      {"INTEGER", "\" 42 \"", SqlValue::Integer(42)},
      {"INTEGER", "\"+42\"", SqlValue::Integer(42)},
      {"INTEGER", "\"4x\"", std::nullopt, "not a number"},
      {"INTEGER", "\"12.5\"", std::nullopt, "not an integer"},
      {"BIGINT", "\"\"", std::nullopt, "not a number"},
      {"DOUBLE", "\"2.5\"", SqlValue::Double(2.5)},
      {"DOUBLE", "\".5\"", SqlValue::Double(0.5)},
      {"DOUBLE", "\"nan\"", std::nullopt, "not a number"},
      {"DECIMAL(5,2)", "\"-1.25\"", SqlValue::Decimal(-1.25)},
      {"VARBINARY(8)", "\"X'3F67A23A'\"", Bytes("\x3F\x67\xA2\x3A")},
      {"VARBINARY(2)", "\"X'3F67A23A'\"", Bytes("\x3F\x67")},
      {"VARBINARY(8)", "\"X'3F6'\"", std::nullopt, "even number"},
      {"VARBINARY(8)", "\"3F67\"", std::nullopt, "binary literal"},
      {"BOOLEAN", "\"TRUE\"", SqlValue::Boolean(true)},
      {"BOOLEAN", "\"true\"", SqlValue::Boolean(true)},
      {"BOOLEAN", "\"yes\"", SqlValue::Boolean(false)},
      {"VARCHAR(4)", "\"John Doe\"", SqlValue::String("John")},           // Truncated, no error.
      {"VARCHAR(3)", "\"h\\u00e9llo\"", SqlValue::String("h\xC3\xA9l")},  // Characters, not bytes.
      {"CHAR(4)", "\"ab\"", SqlValue::String("ab  ")},
      {"VARCHAR(40)", "\"a \\\"quoted\\\" word\"", SqlValue::String("a \"quoted\" word")},
      {"TIMESTAMP", "\"1992-02-14 18:35:44.0\"", SqlValue::Timestamp(Ms(1992, 2, 14, 18, 35, 44))},
      {"TIMESTAMP", "\"1992-02-14\"", SqlValue::Timestamp(Ms(1992, 2, 14))},
      {"TIMESTAMP", "\"2024-01-02T03:04:05.678Z\"",
       SqlValue::Timestamp(Ms(2024, 1, 2, 3, 4, 5, 678))},
      {"TIMESTAMP", "\"2024-01-02T05:04:05.678912+02:00\"",
       SqlValue::Timestamp(Ms(2024, 1, 2, 3, 4, 5, 678))},
      {"TIMESTAMP", "\"2024-01-02 03:04\"", SqlValue::Timestamp(Ms(2024, 1, 2, 3, 4))},
      {"TIMESTAMP", "1704164645678", SqlValue::Timestamp(Ms(2024, 1, 2, 3, 4, 5, 678))},
      {"TIMESTAMP", "\"2024-02-30 00:00:00\"", std::nullopt, "not a timestamp"},
      {"TIMESTAMP", "\"yesterday\"", std::nullopt, "not a timestamp"},
      {"DATE", "\"1992-02-14\"", SqlValue::Make(ValueType::kDate, DaysFromCivil(1992, 2, 14))},
      {"TIME", "\"18:35:44.123\"",
       SqlValue::Make(ValueType::kTime, Ms(1970, 1, 1, 18, 35, 44, 123))},
      {"TIME", "\"25:00:00\"", std::nullopt, "not a time"},
      // Array or object: character columns take their source text.
      {"VARCHAR(32)", "{\"a\": [1, 2]}", SqlValue::String("{\"a\": [1, 2]}")},
      {"VARCHAR(32)", "[1,\"x\",null]", SqlValue::String("[1,\"x\",null]")},
      {"VARCHAR(4)", "[1,2,3]", SqlValue::String("[1,2")},
      {"INTEGER", "{\"a\":1}", std::nullopt, "not a scalar"},
      {"BOOLEAN", "[true]", std::nullopt, "not a scalar"},
      {"TIMESTAMP", "{}", std::nullopt, "not a timestamp"},
  };
  for (const MappingCase& c : cases) {
    SCOPED_TRACE(c.type + " <- " + c.json);
    auto decoder = RecordDecoder::Create(OneColumn(c.type), "");
    GL_ASSERT_OK(decoder);
    StreamRow row;
    Status s = (*decoder)->Decode("{\"v\":" + c.json + "}", 0, &row);
    if (c.want.has_value()) {
      GL_ASSERT_OK(s);
      ASSERT_EQ(row.values.size(), 1u);
      EXPECT_EQ(row.values[0], *c.want);
    } else {
      EXPECT_THAT(s, StatusIs(Status::Code::kInvalidArgument, c.error));
      EXPECT_THAT(s.message(), HasSubstr("column \"c\" (key \"v\")"));
    }
  }
}

TEST(RecordDecoderTest, DecodesTheLabRecordWithIngestTimeAsRowtime) {
  auto decoder = RecordDecoder::Create(LabSchema(), "");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  GL_ASSERT_OK((*decoder)->Decode(
      R"({"PlayerID":4121,"Time Played":56789,"Wins":3,"Losses":21,"CaughtAt":2,"CaughtBy":6})",
      1'704'164'645'678'901, &row));
  EXPECT_EQ(row.rowtime_ms, 1'704'164'645'678);
  std::vector<SqlValue> want = {SqlValue::Integer(4121), SqlValue::Integer(56789),
                                SqlValue::Integer(3),    SqlValue::Integer(21),
                                SqlValue::Integer(2),    SqlValue::Integer(6)};
  EXPECT_EQ(row.values, want);
}

TEST(RecordDecoderTest, KeysInAnyOrderMissingKeysAreNullAndRowsAreReused) {
  auto decoder = RecordDecoder::Create(LabSchema(), "");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  GL_ASSERT_OK((*decoder)->Decode(
      R"({"CaughtBy":1,"extra":{"x":[1]},"Wins":2,"Time Played":3,"PlayerID":4,"Losses":5,"CaughtAt":6})",
      0, &row));
  EXPECT_EQ(row.values[0], SqlValue::Integer(4));
  EXPECT_EQ(row.values[1], SqlValue::Integer(3));
  EXPECT_EQ(row.values[5], SqlValue::Integer(1));
  // The same row again: what this record lacks is NULL, not the last value.
  GL_ASSERT_OK((*decoder)->Decode(R"({"Wins":9,"Losses":null})", 0, &row));
  EXPECT_EQ(row.values[0], SqlValue::Null(ValueType::kInteger));
  EXPECT_EQ(row.values[2], SqlValue::Integer(9));
  EXPECT_EQ(row.values[3], SqlValue::Null(ValueType::kInteger));
  EXPECT_EQ(row.values[5], SqlValue::Null(ValueType::kInteger));
}

TEST(RecordDecoderTest, EscapedKeysMatchTheirUnescapedMapping) {
  auto decoder = RecordDecoder::Create(LabSchema(), "");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  GL_ASSERT_OK((*decoder)->Decode(R"({"Time\u0020Played":77})", 0, &row));
  EXPECT_EQ(row.values[1], SqlValue::Integer(77));
}

TEST(RecordDecoderTest, TwoColumnsMayReadOneKey) {
  InputSchema schema{{{"a", TypeOf("INTEGER"), "k"}, {"b", TypeOf("VARCHAR(8)"), "k"}}};
  auto decoder = RecordDecoder::Create(schema, "");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  GL_ASSERT_OK((*decoder)->Decode(R"({"k":12})", 0, &row));
  EXPECT_EQ(row.values[0], SqlValue::Integer(12));
  EXPECT_EQ(row.values[1], SqlValue::String("12"));
}

TEST(RecordDecoderTest, RecordsThatAreNotObjectsAreErrors) {
  auto decoder = RecordDecoder::Create(LabSchema(), "");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  EXPECT_THAT((*decoder)->Decode("[1,2]", 0, &row),
              StatusIs(Status::Code::kInvalidArgument, "not a JSON object"));
  EXPECT_THAT((*decoder)->Decode("17", 0, &row),
              StatusIs(Status::Code::kInvalidArgument, "not a JSON object"));
  EXPECT_THAT((*decoder)->Decode("{\"Wins\":", 0, &row),
              StatusIs(Status::Code::kInvalidArgument, "not valid JSON"));
  // The decoder is still usable after an error.
  GL_ASSERT_OK((*decoder)->Decode(R"({"Wins":1})", 0, &row));
  EXPECT_EQ(row.values[2], SqlValue::Integer(1));
}

TEST(RecordDecoderTest, RowtimeFromAField) {
  auto decoder = RecordDecoder::Create(LabSchema(), "ts");
  GL_ASSERT_OK(decoder);
  struct Case {
    std::string ts;  // JSON value; "" for none.
    std::optional<int64_t> want;
  } cases[] = {
      {"\"2024-01-02T03:04:05.678Z\"", Ms(2024, 1, 2, 3, 4, 5, 678)},
      {"\"2024-01-02 03:04:05\"", Ms(2024, 1, 2, 3, 4, 5)},  // No zone: UTC.
      {"\"2024-01-02T04:04:05-01:00\"", Ms(2024, 1, 2, 5, 4, 5)},
      {"\"2024-01-02T03:04:05+0100\"", Ms(2024, 1, 2, 2, 4, 5)},
      {"1704164645678", Ms(2024, 1, 2, 3, 4, 5, 678)},
      {"-1000", -1000},
      {"", std::nullopt},
      {"null", std::nullopt},
      {"\"soon\"", std::nullopt},
      {"1.5", std::nullopt},
      {"{\"t\":1}", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.ts);
    std::string json = c.ts.empty() ? R"({"Wins":1})" : R"({"Wins":1,"ts":)" + c.ts + "}";
    StreamRow row;
    Status s = (*decoder)->Decode(json, 42'000'000, &row);
    if (c.want) {
      GL_ASSERT_OK(s);
      EXPECT_EQ(row.rowtime_ms, *c.want);
    } else {
      EXPECT_THAT(s, StatusIs(Status::Code::kInvalidArgument, "\"ts\""));
    }
  }
}

TEST(RecordDecoderTest, RowtimeFieldMayAlsoBeAColumn) {
  InputSchema schema{{{"EVENT_TIME", TypeOf("TIMESTAMP"), "ts"}}};
  auto decoder = RecordDecoder::Create(schema, "ts");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  GL_ASSERT_OK((*decoder)->Decode(R"({"ts":"2024-01-02 03:04:05.5"})", 0, &row));
  EXPECT_EQ(row.rowtime_ms, Ms(2024, 1, 2, 3, 4, 5, 500));
  EXPECT_EQ(row.values[0], SqlValue::Timestamp(Ms(2024, 1, 2, 3, 4, 5, 500)));
}

TEST(RecordDecoderTest, CreateRefusesBadSchemas) {
  EXPECT_THAT(RecordDecoder::Create(InputSchema{}, ""),
              StatusIs(Status::Code::kInvalidArgument, "no columns"));
  InputSchema dup{{{"a", TypeOf("INTEGER"), "x"}, {"a", TypeOf("INTEGER"), "y"}}};
  EXPECT_THAT(RecordDecoder::Create(dup, ""),
              StatusIs(Status::Code::kInvalidArgument, "columns[1] (\"a\")"));
  InputSchema no_mapping{{{"a", TypeOf("INTEGER"), ""}}};
  EXPECT_THAT(RecordDecoder::Create(no_mapping, ""),
              StatusIs(Status::Code::kInvalidArgument, "mapping"));
}

TEST(RecordDecoderTest, DiscoversTheLabSchemaAsKdaDid) {
  std::vector<std::string> records = {
      R"({"PlayerID":4121,"Time Played":56789,"Wins":3,"Losses":21,"CaughtAt":2,"CaughtBy":6})",
      R"({"PlayerID":17,"Time Played":3,"Wins":0,"Losses":49,"CaughtAt":1,"CaughtBy":2})",
      "not json",
      "[1,2,3]",
  };
  auto schema = DiscoverInputSchema(records);
  GL_ASSERT_OK(schema);
  ASSERT_EQ(schema->columns.size(), 6u);
  std::vector<std::string> names, types, mappings;
  for (const InputColumn& c : schema->columns) {
    names.push_back(c.name);
    types.push_back(c.type.ToString());
    mappings.push_back(c.mapping);
  }
  EXPECT_THAT(names, ::testing::ElementsAre("PlayerID", "COL_TimePlayed", "Wins", "Losses",
                                            "CaughtAt", "CaughtBy"));
  EXPECT_THAT(types, ::testing::Each("INTEGER"));
  EXPECT_EQ(mappings[1], "Time Played");
  // And the discovered schema decodes what it was discovered from.
  auto decoder = RecordDecoder::Create(*schema, "");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  GL_ASSERT_OK((*decoder)->Decode(records[0], 0, &row));
  EXPECT_EQ(row.values[1], SqlValue::Integer(56789));
}

TEST(RecordDecoderTest, DiscoveryTypesEachKeyOverItsSamples) {
  std::vector<std::string> records = {
      R"({"n":1,"big":1,"x":1,"s":"ab","t":"2024-01-02T03:04:05Z","d":"2024-01-02","o":{"k":[1]},"b":true,"select":null})",
      R"({"n":2,"big":5000000000,"x":2.5,"s":"abcde","t":"2024-01-02 03:04:05","d":"2024-01-03","b":false,"late":"x"})",
  };
  auto schema = DiscoverInputSchema(records);
  GL_ASSERT_OK(schema);
  std::vector<std::string> got;
  for (const InputColumn& c : schema->columns) got.push_back(c.name + " " + c.type.ToString());
  EXPECT_THAT(got, ::testing::ElementsAre("n INTEGER", "big BIGINT", "x DOUBLE", "s VARCHAR(5)",
                                          "t TIMESTAMP", "d DATE", "o VARCHAR(9)", "b BOOLEAN",
                                          "COL_select VARCHAR(1)", "late VARCHAR(1)"));
}

TEST(RecordDecoderTest, DiscoveryWithoutObjectsIsNotFound) {
  EXPECT_THAT(DiscoverInputSchema({"1", "[]", "{"}), StatusIs(Status::Code::kNotFound, "object"));
  EXPECT_THAT(DiscoverInputSchema({}), StatusIs(Status::Code::kNotFound, "object"));
}

TEST(InputSchemaJsonTest, RoundTrips) {
  InputSchema schema{{
      {"PlayerID", TypeOf("INTEGER"), "PlayerID"},
      {"COL_TimePlayed", TypeOf("BIGINT"), "Time Played"},
      {"price", TypeOf("DECIMAL(5,2)"), "price"},
      {"name", TypeOf("VARCHAR(16)"), "name"},
      {"code", TypeOf("CHAR(3)"), "code"},
      {"at", TypeOf("TIMESTAMP"), "at"},
      {"odd", TypeOf("DOUBLE"), "$dollar"},
  }};
  std::string json = InputSchemaToJson(schema);
  EXPECT_THAT(json,
              HasSubstr(R"({"name":"COL_TimePlayed","sqlType":"BIGINT","mapping":"Time Played"})"));
  auto back = InputSchemaFromJson(json);
  GL_ASSERT_OK(back);
  ASSERT_EQ(back->columns.size(), schema.columns.size());
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    EXPECT_EQ(back->columns[i].name, schema.columns[i].name);
    EXPECT_EQ(back->columns[i].type.ToString(), schema.columns[i].type.ToString());
    EXPECT_EQ(back->columns[i].mapping, schema.columns[i].mapping);
  }
  EXPECT_EQ(InputSchemaToJson(*back), json);
}

TEST(InputSchemaJsonTest, ReadsKdaSpellingAndJsonPathMappings) {
  auto schema = InputSchemaFromJson(R"json({"RecordColumns":[
      {"Name":"TICKER_SYMBOL","SqlType":"VARCHAR(4)","Mapping":"$.TICKER_SYMBOL"},
      {"Name":"COL_TimePlayed","SqlType":"INTEGER","Mapping":"$['Time Played']"},
      {"Name":"dotted","SqlType":"DOUBLE PRECISION","Mapping":"$[\"a.b\"]"},
      {"Name":"Wins","SqlType":"INTEGER"}]})json");
  GL_ASSERT_OK(schema);
  EXPECT_EQ(schema->columns[0].mapping, "TICKER_SYMBOL");
  EXPECT_EQ(schema->columns[1].mapping, "Time Played");
  EXPECT_EQ(schema->columns[2].mapping, "a.b");
  EXPECT_EQ(schema->columns[2].type.ToString(), "DOUBLE");
  EXPECT_EQ(schema->columns[3].mapping, "Wins");  // No mapping: the column's name.
}

TEST(InputSchemaJsonTest, BadInputSaysWhichColumnAndField) {
  struct Case {
    std::string json;
    std::string error;
  } cases[] = {
      {"", "not valid JSON"},
      {"[]", "not a JSON object"},
      {"{}", "\"columns\" missing"},
      {R"({"columns":{}})", "not an array"},
      {R"({"columns":[]})", "no columns"},
      {R"({"columns":[7]})", "columns[0]: not an object"},
      {R"({"columns":[{"sqlType":"INTEGER"}]})", "columns[0]: name: missing"},
      {R"({"columns":[{"name":5,"sqlType":"INTEGER"}]})", "columns[0]: name: not a string"},
      {R"({"columns":[{"name":"a","sqlType":"INTEGER"},{"name":"b","sqlType":"INTEGR"}]})",
       "columns[1] (\"b\"): sqlType: \"INTEGR\" is not a column type"},
      {R"({"columns":[{"name":"b","sqlType":"VARCHAR"}]})", "columns[0] (\"b\"): sqlType"},
      {R"({"columns":[{"name":"b","sqlType":"INTEGER NOT NULL"}]})", "sqlType"},
      {R"({"columns":[{"name":"b"}]})", "columns[0] (\"b\"): sqlType: missing"},
      {R"({"columns":[{"name":"b","sqlType":"INTEGER","mapping":"$.a.b"}]})",
       "columns[0] (\"b\"): mapping: JSONPath \"$.a.b\" is not a top-level key"},
      {R"({"columns":[{"name":"b","sqlType":"INTEGER","mapping":"$[0]"}]})", "mapping"},
      {R"({"columns":[{"name":"b","sqlType":"INTEGER"},{"name":"b","sqlType":"BIGINT"}]})",
       "columns[1] (\"b\"): name: a second column"},
      {R"({"columns":[{"name":"","sqlType":"INTEGER"}]})", "columns[0]: name: empty"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    EXPECT_THAT(InputSchemaFromJson(c.json), StatusIs(Status::Code::kInvalidArgument, c.error));
  }
}

// Not a timed assertion: prints the decode rate of the lab's record shape
// (the benchmark's hot path), and checks the values on the way.
TEST(RecordDecoderTest, LabRecordDecodeRate) {
  constexpr int kRecords = 1'000'000;
  std::vector<std::string> records;
  records.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    records.push_back("{\"PlayerID\":" + std::to_string(i * 7 % 10000) + ",\"Time Played\":" +
                      std::to_string(i * 97 % 100000) + ",\"Wins\":" + std::to_string(i % 5) +
                      ",\"Losses\":" + std::to_string(i % 50) +
                      ",\"CaughtAt\":" + std::to_string(1 + i % 6) +
                      ",\"CaughtBy\":" + std::to_string(1 + i % 6) + "}");
  }
  auto decoder = RecordDecoder::Create(LabSchema(), "");
  GL_ASSERT_OK(decoder);
  StreamRow row;
  int64_t losses = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRecords; ++i) {
    Status s = (*decoder)->Decode(records[i % 1000], i, &row);
    if (!s.ok()) FAIL() << s.ToString();
    losses += row.values[3].i;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t want = 0;
  for (int i = 0; i < kRecords; ++i) want += (i % 1000) % 50;
  EXPECT_EQ(losses, want);
  std::printf("lab record decode: %.2f M records/s (%zu-byte records)\n", kRecords / secs / 1e6,
              records[1].size());
}

}  // namespace
}  // namespace gamelake
