#include "streaming/application_definition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::HasSubstr;

SqlType Type(SqlType::Kind kind, int length = -1, int precision = -1, int scale = -1) {
  return SqlType::Of(kind, length, precision, scale);
}

// The lab's application, with a field of every kind set.
ApplicationDefinition LabApp() {
  ApplicationDefinition d;
  d.name = "lab-task_9.v2";
  d.source = "events";
  d.sql =
      "CREATE OR REPLACE STREAM \"data_stream\" (\"PlayerID\" INTEGER);\n"
      "-- a \"quoted\" comment\tand a tab\n";
  d.input_schema.columns = {
      {"PlayerID", Type(SqlType::Kind::kInteger), "PlayerID"},
      {"COL_TimePlayed", Type(SqlType::Kind::kBigint), "Time Played"},
      {"name", Type(SqlType::Kind::kVarchar, 16), "name"},
      {"price", Type(SqlType::Kind::kDecimal, -1, 10, 2), "price"},
      {"at", Type(SqlType::Kind::kTimestamp), "at"},
  };
  d.start_position = StartPosition::kEarliest;
  d.rowtime_field = "event_time";
  d.destinations = {
      {"data_stream",
       "metrics",
       "serverless-analytics-demo",
       {{"PlayerID", "playerID"}, {"COL_TimePlayed", "timePlayed"}}},
      {"data_stream", "stream", "losers", {}},
      {"error_stream", "webhook", "http://127.0.0.1:9/hook", {}},
  };
  d.desired_state = DesiredState::kReady;
  d.version = 7;
  d.code_version = 5;
  d.created_us = 1'700'000'000'123'456;
  d.updated_us = 1'700'000'100'000'001;
  return d;
}

TEST(ApplicationDefinitionTest, RoundTrip) {
  ApplicationDefinition d = LabApp();
  d.reference_data = {{"Catchers", "CaughtBy,Name\n1,\"Net, \"\"small\"\"\"\n"}, {"b", "x\n"}};
  std::string json = ApplicationDefinitionToJson(d);
  Result<ApplicationDefinition> back = ParseApplicationDefinition(json);
  GL_ASSERT_OK(back);
  EXPECT_TRUE(*back == d) << json;
  EXPECT_EQ(ApplicationDefinitionToJson(*back), json);
  EXPECT_EQ(back->input_schema.columns[3].type.ToString(), "DECIMAL(10,2)");
  EXPECT_EQ(back->destinations[0].metric_map[1].second, "timePlayed");
  EXPECT_EQ(back->updated_us, 1'700'000'100'000'001);
  EXPECT_EQ(back->reference_data[0].csv, d.reference_data[0].csv);
  // What the HTTP API shows: the size, not the CSV.
  EXPECT_THAT(ApplicationDefinitionToJson(d, false),
              HasSubstr("\"reference_data\":[{\"name\":\"Catchers\",\"bytes\":33},"));
  // Destinations are stored as the CLI writes them.
  EXPECT_THAT(json, HasSubstr("\"destinations\":[\"data_stream=metrics:serverless-analytics-demo,"
                              "PlayerID=playerID,COL_TimePlayed=timePlayed\",\"data_stream=stream:"
                              "losers\",\"error_stream=webhook:http://127.0.0.1:9/hook\"]"));
}

TEST(ApplicationDefinitionTest, DefaultsRoundTrip) {
  ApplicationDefinition d;
  d.name = "a";
  d.source = "s";
  d.sql = "x";
  d.input_schema.columns = {{"c", Type(SqlType::Kind::kBoolean), "c"}};
  Result<ApplicationDefinition> back = ParseApplicationDefinition(ApplicationDefinitionToJson(d));
  GL_ASSERT_OK(back);
  EXPECT_TRUE(*back == d);
  EXPECT_EQ(back->start_position, StartPosition::kNow);
  EXPECT_EQ(back->desired_state, DesiredState::kRunning);
  EXPECT_TRUE(back->rowtime_field.empty());
}

TEST(ApplicationDefinitionTest, ReferenceDataErrorsNameTheItem) {
  auto read = [](std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element e = parser.parse(json.data(), json.size()).value();
    return ReadReferenceData(e, "reference_data").status();
  };
  EXPECT_THAT(read(R"({"a":1})"),
              StatusIs(Status::Code::kInvalidArgument, "reference_data: expected an array"));
  EXPECT_THAT(read(R"([{"name":"a"}])"),
              StatusIs(Status::Code::kInvalidArgument, "reference_data[0].csv: is required"));
  EXPECT_THAT(
      read(R"([{"name":"a","csv":""},{"name":"a","csv":""}])"),
      StatusIs(Status::Code::kInvalidArgument, "reference_data[1].name: \"a\" appears twice"));
  EXPECT_THAT(read(R"([{"name":"","csv":""}])"),
              StatusIs(Status::Code::kInvalidArgument, "reference_data[0].name: 1 to 256"));
}

// Each damaged field is refused with its name in the message.
TEST(ApplicationDefinitionTest, ErrorsNameTheField) {
  std::string good = ApplicationDefinitionToJson(LabApp());
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  struct Case {
    std::string json;
    std::string message;
  } cases[] = {
      {"[]", "expected a JSON object"},
      {"{", "not JSON"},
      {with("\"format\":1", "\"format\":2"), "format: 2 is not a format"},
      {with("\"name\":\"lab-task_9.v2\"", "\"name\":\"a/b\""), "name: application name may"},
      {with("\"name\":\"lab-task_9.v2\"", "\"name\":\"..\""), "name: '..' cannot name"},
      {with("\"source\":\"events\"", "\"source\":\"ev ents\""), "source: "},
      {with("\"source\":\"events\",", ""), "source: is required"},
      {with("\"sql\":", "\"sq\":"), "sql: is required"},
      {with("\"sqlType\":\"VARCHAR(16)\"", "\"sqlType\":\"VARCHAR\""), "input_schema: columns[2]"},
      {with("\"sqlType\":\"INTEGER\"", "\"sqlType\":\"INTEGER); DROP\""),
       "input_schema: columns[0]"},
      {with("\"name\":\"COL_TimePlayed\"", "\"name\":\"PlayerID\""), "input_schema: columns[1]"},
      {with("\"columns\":[", "\"columns\":{"), "not JSON"},
      {with("\"start_position\":\"earliest\"", "\"start_position\":\"latest\""),
       "start_position: 'latest': expected now or earliest"},
      {with("\"data_stream=stream:losers\"", "\"data_stream=kinesis:losers\""),
       "destinations[1]: "},
      {with("\"data_stream=stream:losers\"", "\"data_stream=stream:\""), "destinations[1]: "},
      {with("\"data_stream=stream:losers\"", "7"), "destinations[1]: expected a string"},
      {with("\"desired_state\":\"READY\"", "\"desired_state\":\"STARTING\""),
       "desired_state: 'STARTING'"},
      {with("\"version\":7", "\"version\":-1"), "version: expected a whole number"},
      {with("\"code_version\":5", "\"code_version\":8"), "code_version is at most version"},
      {with("\"created_at\":\"", "\"created_at\":\"yesterday"), "created_at:"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseApplicationDefinition(c.json),
                StatusIs(Status::Code::kInvalidArgument, c.message))
        << c.json;
  }
}

TEST(ApplicationDefinitionTest, AppNames) {
  GL_EXPECT_OK(ValidateAppName("a"));
  GL_EXPECT_OK(ValidateAppName(std::string(128, 'x')));
  GL_EXPECT_OK(ValidateAppName("My_App-1.2"));
  GL_EXPECT_OK(ValidateAppName(".hidden"));
  for (std::string bad :
       {std::string(), std::string(129, 'x'), std::string("a b"), std::string("a/b"),
        std::string("."), std::string(".."), std::string("~deleted~x"), std::string("é")}) {
    EXPECT_THAT(ValidateAppName(bad), StatusIs(Status::Code::kInvalidArgument, "")) << bad;
  }
}

}  // namespace
}  // namespace gamelake
