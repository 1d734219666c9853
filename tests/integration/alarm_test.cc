// Alarms end to end on the real server: the AWS SDK's CloudWatch client puts,
// describes, sets and deletes an alarm (and gets CloudWatch's error codes for
// bad ones); an alarm put through /v1/alarms fires its webhook — a receiver
// thread in this process on 127.0.0.1 — exactly once into ALARM and once back
// to OK, and the history shows both transitions.

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../common/run_command.h"
#include "../common/webhook_receiver.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One datum a second for [from, from + seconds), each `value`, 1-second resolution.
std::string Seconds(int64_t from, int seconds, double value) {
  std::string data;
  for (int i = 0; i < seconds; ++i) {
    data += (i ? "," : "") + std::string(R"({"MetricName":"latency","Value":)") +
            std::to_string(value) + R"(,"Timestamp":)" + std::to_string(from + i) +
            R"(,"StorageResolution":1})";
  }
  return R"({"Namespace":"game","MetricData":[)" + data + "]}";
}

// Polls `done` every 200 ms for up to `seconds`.
bool WaitFor(const std::function<bool()>& done, int seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

TEST(AlarmWebhookTest, MOfNCrossingNotifiesOnceIntoAlarmAndOnceBackToOk) {
  WebhookReceiver receiver;
  TempDir dir;
  ServerProcess server(dir.path() + "/data", {"--set", "metrics.alarm_evaluation_delay_s=1"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  std::string alarm = R"({"Namespace":"game","MetricName":"latency","Statistic":"Maximum",)"
                      R"("Period":10,"EvaluationPeriods":3,"DatapointsToAlarm":2,"Threshold":4,)"
                      R"("ComparisonOperator":"GreaterThanThreshold","AlarmActions":[")" +
                      receiver.url() + R"("],"OKActions":[")" + receiver.url() + R"("]})";
  HttpResult put = client.Request("PUT", "/v1/alarms/latency-high", alarm);
  ASSERT_EQ(put.status, 200) << put.body;
  HttpResult bad = client.Request("PUT", "/v1/alarms/other", R"({"AlarmName":"latency-high"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("InvalidParameterValue"));
  HttpResult got = client.Get("/v1/alarms/latency-high");
  ASSERT_EQ(got.status, 200);
  EXPECT_THAT(got.body, HasSubstr(R"("StateValue":"INSUFFICIENT_DATA")"));
  EXPECT_THAT(got.body, HasSubstr(R"(Alarm \"latency-high\" created)"));

  // 40 seconds of breaching data up to now: the next evaluation alarms.
  int64_t now = std::time(nullptr);
  HttpResult high = client.Post("/v1/metrics", Seconds(now - 40, 40, 9));
  ASSERT_EQ(high.status, 200) << high.body;
  ASSERT_TRUE(WaitFor([&] { return receiver.Count(R"("NewStateValue":"ALARM")") >= 1; }, 60))
      << server.Logs();
  // Then good data from now on (timestamps ahead are allowed): back to OK once
  // two good periods close.
  HttpResult low = client.Post("/v1/metrics", Seconds(now, 60, 1));
  ASSERT_EQ(low.status, 200) << low.body;
  ASSERT_TRUE(WaitFor([&] { return receiver.Count(R"("NewStateValue":"OK")") >= 1; }, 90))
      << server.Logs();
  EXPECT_EQ(receiver.Count(R"("NewStateValue":"ALARM")"), 1);
  EXPECT_EQ(receiver.Count(R"("NewStateValue":"OK")"), 1);
  EXPECT_EQ(receiver.bodies().size(), 2u);
  std::string first = receiver.bodies()[0];
  EXPECT_THAT(first, HasSubstr(R"("AlarmName":"latency-high")"));
  EXPECT_THAT(first, HasSubstr(R"("OldStateValue":"INSUFFICIENT_DATA")"));
  EXPECT_THAT(first, HasSubstr(R"("NewStateReason":"Threshold Crossed: )"));
  EXPECT_THAT(first, HasSubstr(R"("Trigger":{"MetricName":"latency","Namespace":"game")"));
  EXPECT_THAT(receiver.bodies()[1], HasSubstr(R"("OldStateValue":"ALARM")"));

  // The history: both transitions, newest first, and both deliveries.
  std::string history;
  EXPECT_TRUE(WaitFor(
      [&] {
        history = client.Get("/v1/alarms/latency-high").body;
        size_t actions = 0;
        for (size_t at = 0;
             (at = history.find("Successfully executed action", at)) != std::string::npos; ++at) {
          ++actions;
        }
        return actions == 2;
      },
      30))
      << history;
  size_t to_ok = history.find("Alarm updated from ALARM to OK");
  size_t to_alarm = history.find("Alarm updated from INSUFFICIENT_DATA to ALARM");
  ASSERT_NE(to_ok, std::string::npos) << history;
  ASSERT_NE(to_alarm, std::string::npos) << history;
  EXPECT_LT(to_ok, to_alarm);
  HttpResult list = client.Get("/v1/alarms?state=OK");
  EXPECT_THAT(list.body, HasSubstr(R"("AlarmName":"latency-high")"));
  EXPECT_EQ(client.Request("DELETE", "/v1/alarms/latency-high").status, 200);
  EXPECT_EQ(client.Get("/v1/alarms/latency-high").status, 404);
}

TEST(AlarmWebhookTest, AlarmsSurviveARestart) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  {
    ServerProcess server(data);
    ASSERT_TRUE(server.Start()) << server.Logs();
    HttpClient client(server.port());
    HttpResult put = client.Request(
        "PUT", "/v1/alarms/kept",
        R"({"Namespace":"game","MetricName":"x","Statistic":"Sum","Period":60,)"
        R"("EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"LessThanThreshold",)"
        R"("TreatMissingData":"ignore"})");
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(server.Stop(), 0);
  }
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpResult got = HttpClient(server.port()).Get("/v1/alarms/kept");
  EXPECT_EQ(got.status, 200);
  EXPECT_THAT(got.body, HasSubstr(R"("ComparisonOperator":"LessThanThreshold")"));
  EXPECT_THAT(got.body, HasSubstr(R"("TreatMissingData":"ignore")"));
}

// The same run over each protocol the SDK speaks (alarm shapes transcoded).
class AlarmSdkTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (RunCommand("command -v node").output.empty()) GTEST_SKIP() << "node is not installed";
    server_ = std::make_unique<ServerProcess>(
        dir_.path() + "/data", std::vector<std::string>{"--set", "auth.enabled=true"});
    ASSERT_TRUE(server_->Start()) << server_->Logs();
    admin_ = DevKeys(dir_.path() + "/data")["dev-admin"];
    ASSERT_FALSE(admin_.empty());
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_;
};

TEST_P(AlarmSdkTest, PutDescribeHistoryDeleteAndErrorCodes) {
  std::string endpoint = "http://127.0.0.1:" + std::to_string(server_->port());
  std::string id = admin_.substr(0, admin_.find('.')), secret = admin_.substr(admin_.find('.') + 1);
  std::string out = RunCommand("node " + std::string(GAMELAKE_SOURCE_DIR) +
                               "/tests/firehose_sdk/cloudwatch_sdk.js --protocol " + GetParam() +
                               " alarms " + endpoint + " " + id + " " + secret + " 2>/dev/null")
                        .output;
  size_t start = out.rfind("\n{");
  std::string line = out.substr(start == std::string::npos ? 0 : start + 1);
  simdjson::dom::parser parser;
  simdjson::dom::object r;
  ASSERT_EQ(parser.parse(line).get(r), simdjson::SUCCESS) << out;
  ASSERT_EQ(r["fatal"].error(), simdjson::NO_SUCH_FIELD) << out;
  simdjson::dom::object a = r["described"].at(0).get_object().value();
  EXPECT_EQ(std::string(a["name"].get_string().value()), "sdk-alarm");
  EXPECT_EQ(std::string(a["state"].get_string().value()), "INSUFFICIENT_DATA");
  EXPECT_EQ(std::string(a["statistic"].get_string().value()), "Sum");
  EXPECT_EQ(a["period"].get_int64().value(), 60);
  EXPECT_EQ(a["n"].get_int64().value(), 3);
  EXPECT_EQ(a["m"].get_int64().value(), 2);
  EXPECT_EQ(a["threshold"].get_double().value(), 10);
  EXPECT_EQ(std::string(a["operator"].get_string().value()), "GreaterThanOrEqualToThreshold");
  EXPECT_EQ(std::string(a["treat"].get_string().value()), "ignore");
  EXPECT_EQ(std::string(a["dimensions"].at(0).get_string().value()), "map=forest");
  EXPECT_EQ(std::string(a["actions"].at(0).get_string().value()), "http://127.0.0.1:9/hook");
  EXPECT_TRUE(a["dated"].get_bool().value());
  std::vector<std::string> history;
  simdjson::dom::array history_items = r["history"].get_array().value();
  for (simdjson::dom::element e : history_items) {
    history.emplace_back(e.get_string().value());
  }
  EXPECT_THAT(history, ElementsAre("StateUpdate:Alarm updated from INSUFFICIENT_DATA to ALARM",
                                   "ConfigurationUpdate:Alarm \"sdk-alarm\" created"));
  EXPECT_EQ(std::string(r["in_alarm"].at(0).get_string().value()), "sdk-alarm");
  auto name = [&](const char* c) { return std::string(r[c]["name"].get_string().value()); };
  for (const char* c : {"https_action", "sns_action", "bad_period", "anomaly_operator"}) {
    EXPECT_EQ(name(c), "InvalidParameterValueException") << c << ": " << out;
    EXPECT_EQ(r[c]["status"].get_int64().value(), 400) << c;
  }
  EXPECT_THAT(std::string(r["https_action"]["message"].get_string().value()),
              HasSubstr("https is not supported"));
  EXPECT_EQ(name("two_statistics"), "InvalidParameterCombinationException") << out;
  EXPECT_EQ(name("over_a_day"), "InvalidParameterCombinationException") << out;
  EXPECT_EQ(r["after"].get_int64().value(), 0);
  EXPECT_THAT(name("delete_missing"), HasSubstr("NotFound")) << out;
}

INSTANTIATE_TEST_SUITE_P(Alarms, AlarmSdkTest, ::testing::Values("json", "query", "cbor"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace gamelake::testing
