// The metrics store end to end: the lab's six metrics through the real AWS
// SDK's CloudWatch client over each protocol it can speak (AWS JSON 1.0, Query,
// RPC v2 CBOR), the native API and its bad-input table, and kill -9
// during a put storm (every acknowledged datapoint there once).
#include <atomic>
#include <cmath>
#include <ctime>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../common/run_command.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

using ::testing::HasSubstr;

std::string SdkScript() {
  return std::string(GAMELAKE_SOURCE_DIR) + "/tests/firehose_sdk/cloudwatch_sdk.js";
}

// The JSON object a script printed last (the SDK may warn before it).
simdjson::dom::object LastJsonLine(simdjson::dom::parser& parser, const std::string& out) {
  size_t start = out.rfind("\n{");
  std::string line = out.substr(start == std::string::npos ? 0 : start + 1);
  line = line.substr(0, line.find('\n'));
  simdjson::dom::object o;
  EXPECT_EQ(parser.parse(line).get(o), simdjson::SUCCESS) << out;
  return o;
}

double Num(simdjson::dom::element e) {
  double v = NAN;
  if (e.get_double().get(v) != simdjson::SUCCESS) return NAN;
  return v;
}

// One server per test; the parameter is the SDK's protocol (json, query, cbor).
class MetricsSdkTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (RunCommand("command -v node").output.empty()) GTEST_SKIP() << "node is not installed";
    data_ = dir_.path() + "/data";
    // --demo at rates 0: the lab's dashboard without the generated events or
    // simulated players, and without the demo application (it would write
    // gamelake/Apps metrics).
    server_ = std::make_unique<ServerProcess>(
        data_, std::vector<std::string>{"--set", "auth.enabled=true", "--demo", "--set",
                                        "demo.rate=0", "--set", "demo.sessions_rate=0", "--set",
                                        "streaming.enabled=false"});
    ASSERT_TRUE(server_->Start()) << server_->Logs();
    auto dev = DevKeys(data_);
    admin_ = dev["dev-admin"];
    ingest_ = dev["dev-ingest"];
    ASSERT_FALSE(admin_.empty());
  }

  std::string Run(const std::string& op, const std::string& key) {
    std::string endpoint = "http://127.0.0.1:" + std::to_string(server_->port());
    std::string id = key.substr(0, key.find('.')), secret = key.substr(key.find('.') + 1);
    return RunCommand("node " + SdkScript() + " --protocol " + GetParam() + " " + op + " " +
                      endpoint + " " + id + " " + secret + " 2>/dev/null")
        .output;
  }

  TempDir dir_;
  std::string data_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_, ingest_;
};

TEST_P(MetricsSdkTest, TheLabsSixMetricsReadBackExactly) {
  std::string out = Run("lab", admin_);
  simdjson::dom::parser parser;
  simdjson::dom::object r = LastJsonLine(parser, out);
  ASSERT_EQ(r["fatal"].error(), simdjson::NO_SUCH_FIELD) << out;
  const std::vector<std::string> metrics = {"playerID",   "wins",     "losses",
                                            "timePlayed", "caughtAt", "CaughtBy"};
  const std::vector<std::string> stats = {"SampleCount", "Sum",     "Average",
                                          "Minimum",     "Maximum", "p90"};
  int64_t first = r["first"].get_int64().value();
  int64_t seconds = r["seconds"].get_int64().value();
  for (size_t m = 0; m < metrics.size(); ++m) {
    simdjson::dom::object per_second = r["expected"][metrics[m]]["per_second"].get_object().value();
    for (const std::string& stat : stats) {
      std::string id = "m" + std::to_string(m) + "_";
      for (char c : stat) id += static_cast<char>(std::tolower(c));
      simdjson::dom::object got = r["get_metric_data"][id].get_object().value();
      simdjson::dom::array ts = got["timestamps"].get_array().value();
      simdjson::dom::array values = got["values"].get_array().value();
      ASSERT_EQ(ts.size(), static_cast<size_t>(seconds)) << id << " " << out.substr(0, 2000);
      EXPECT_EQ(std::string(got["status"].get_string().value()), "Complete");
      for (size_t i = 0; i < ts.size(); ++i) {
        int64_t t = ts.at(i).get_int64().value();
        EXPECT_EQ(t, first + static_cast<int64_t>(i));  // Ascending, one per second.
        double want = Num(per_second[std::to_string(t)][stat].value());
        double have = Num(values.at(i).value());
        if (stat == "p90") {
          EXPECT_NEAR(have, want, std::fabs(want) * 0.01) << id << " at " << t;
        } else {
          EXPECT_EQ(have, want) << id << " at " << t;
        }
      }
    }
    // GetMetricStatistics at 60 s: the window's totals across its minutes.
    simdjson::dom::object window = r["expected"][metrics[m]]["window"].get_object().value();
    simdjson::dom::array points = r["get_metric_statistics"][metrics[m]].get_array().value();
    ASSERT_GE(points.size(), 1u);
    double count = 0, sum = 0, min = INFINITY, max = -INFINITY;
    for (simdjson::dom::element p : points) {
      count += Num(p["SampleCount"].value());
      sum += Num(p["Sum"].value());
      min = std::min(min, Num(p["Minimum"].value()));
      max = std::max(max, Num(p["Maximum"].value()));
      EXPECT_EQ(std::string(p["Unit"].get_string().value()), "None");
    }
    EXPECT_EQ(count, Num(window["SampleCount"].value())) << metrics[m];
    EXPECT_EQ(sum, Num(window["Sum"].value())) << metrics[m];
    EXPECT_EQ(min, Num(window["Minimum"].value())) << metrics[m];
    EXPECT_EQ(max, Num(window["Maximum"].value())) << metrics[m];
    if (points.size() == 1) {
      double want = Num(window["p90"].value());
      EXPECT_NEAR(Num(points.at(0)["p90"].value()), want, want * 0.01) << metrics[m];
    }
  }
  // "6 metrics with no dimensions".
  std::vector<std::string> listed;
  simdjson::dom::array names = r["list_metrics"].get_array().value();
  for (simdjson::dom::element e : names) listed.emplace_back(e.get_string().value());
  EXPECT_THAT(listed, ::testing::ElementsAre("CaughtBy:0", "caughtAt:0", "losses:0", "playerID:0",
                                             "timePlayed:0", "wins:0"));
}

TEST_P(MetricsSdkTest, BadRequestsGetCloudWatchErrorsAndIngestKeysCannotRead) {
  std::string out = Run("errors", admin_);
  simdjson::dom::parser parser;
  simdjson::dom::object r = LastJsonLine(parser, out);
  auto name = [&](const char* c) { return std::string(r[c]["name"].get_string().value()); };
  auto status = [&](const char* c) { return r[c]["status"].get_int64().value(); };
  for (const char* c : {"too_many_datums", "nan", "infinity", "too_many_dimensions", "too_old",
                        "reserved_namespace", "bad_period", "bad_statistic"}) {
    EXPECT_EQ(name(c), "InvalidParameterValueException") << c << ": " << out;
    EXPECT_EQ(status(c), 400) << c;
  }
  EXPECT_EQ(name("values_and_value"), "InvalidParameterCombinationException");
  EXPECT_EQ(name("too_many_points"), "InvalidParameterCombinationException");
  std::string denied = Run("read", ingest_);
  EXPECT_THAT(denied, HasSubstr("\"status\":403")) << denied;
  EXPECT_THAT(denied, HasSubstr("AccessDenied"));
  // The ingest key may put; the store is unharmed by all of the above.
  HttpResult list = HttpClient(server_->port())
                        .Request("GET", "/v1/metrics", "", {{"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("\"Metrics\":[]"));
}

TEST_P(MetricsSdkTest, DashboardsAreStoredAsPut) {
  std::string out = Run("dashboards", admin_);
  simdjson::dom::parser parser;
  simdjson::dom::object r = LastJsonLine(parser, out);
  ASSERT_EQ(r["fatal"].error(), simdjson::NO_SUCH_FIELD) << out;
  std::string lab(r["lab_body"].get_string().value());
  EXPECT_THAT(lab, HasSubstr(R"("stacked":true)"));
  EXPECT_THAT(lab, HasSubstr(R"("period":1)"));
  EXPECT_THAT(lab, HasSubstr(R"("stat":"p90")"));
  EXPECT_THAT(lab, HasSubstr(R"("liveData":true)"));
  EXPECT_TRUE(r["copy_equal"].get_bool().value());
  std::vector<std::string> listed, after;
  simdjson::dom::array l = r["listed"].get_array().value();
  for (simdjson::dom::element e : l) listed.emplace_back(e.get_string().value());
  EXPECT_THAT(listed, ::testing::ElementsAre("copy:" + std::to_string(lab.size()),
                                             "serverless-analytics:" + std::to_string(lab.size())));
  simdjson::dom::array a = r["after"].get_array().value();
  for (simdjson::dom::element e : a) after.emplace_back(e.get_string().value());
  EXPECT_THAT(after, ::testing::ElementsAre("serverless-analytics"));
  EXPECT_EQ(std::string(r["bad_body"]["name"].get_string().value()), "DashboardInvalidInputError")
      << out;
  // The SDK resolves the query code ResourceNotFound to one of the two shapes
  // CloudWatch's model gives it (DashboardNotFoundError, ResourceNotFound).
  EXPECT_THAT(std::string(r["missing"]["name"].get_string().value()), HasSubstr("NotFound")) << out;
  EXPECT_EQ(r["missing"]["status"].get_int64().value(), 404);
}

INSTANTIATE_TEST_SUITE_P(Metrics, MetricsSdkTest, ::testing::Values("json", "query", "cbor"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

std::string PutBody(const std::string& name, int n, double value, int64_t ts_s) {
  std::string data;
  for (int i = 0; i < n; ++i) {
    if (i > 0) data += ",";
    data += "{\"MetricName\":\"" + name + "\",\"Value\":" + std::to_string(value) +
            ",\"Timestamp\":" + std::to_string(ts_s) + ",\"StorageResolution\":1}";
  }
  return "{\"Namespace\":\"game\",\"MetricData\":[" + data + "]}";
}

// SampleCount of `name` over [from, to) at 60 s periods, summed.
// The Sum (or stat) of a metric over [from, to) in minutes, summed over them.
double StatOf(HttpClient& client, const std::string& admin, const std::string& ns,
              const std::string& name, const std::string& stream, int64_t from, int64_t to,
              const std::string& stat = "Sum") {
  std::string dims =
      stream.empty() ? "" : R"(,"Dimensions":[{"Name":"StreamName","Value":")" + stream + "\"}]";
  std::string body = "{\"Namespace\":\"" + ns + "\",\"MetricName\":\"" + name + "\"" + dims +
                     ",\"StartTime\":" + std::to_string(from) +
                     ",\"EndTime\":" + std::to_string(to) + ",\"Period\":60,\"Statistics\":[\"" +
                     stat + "\"]}";
  HttpResult r =
      client.Request("POST", "/v1/metrics/statistics", body,
                     {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin}});
  EXPECT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(r.body).get(o) != simdjson::SUCCESS) return -1;
  double total = 0;
  simdjson::dom::array points = o["Datapoints"].get_array().value();
  for (simdjson::dom::element p : points) total += Num(p[stat].value());
  return total;
}

// How many datapoints of game/<name> were put in [from, to) (no key: auth off).
double CountOf(HttpClient& client, const std::string& name, int64_t from, int64_t to) {
  return StatOf(client, "", "game", name, "", from, to, "SampleCount");
}

TEST(MetricsApiTest, NativePutQueryListAndTheBadInputTable) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data");
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  int64_t now = std::time(nullptr);
  HttpResult put = client.Post("/v1/metrics", PutBody("wins", 3, 2, now - 5));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(put.body, HasSubstr("\"accepted\":3"));
  // ISO timestamps and Values/Counts, as a person would write them with curl.
  char iso[32];
  time_t t = static_cast<time_t>(now - 5);
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  HttpResult values = client.Post(
      "/v1/metrics", std::string(R"({"Namespace":"game","MetricData":[{"MetricName":"wins",)") +
                         R"("Timestamp":")" + iso + R"(","Values":[1,2],"Counts":[2,1]}]})");
  EXPECT_EQ(values.status, 200) << values.body;
  HttpResult bad_time = client.Post(
      "/v1/metrics",
      R"({"Namespace":"game","MetricData":[{"MetricName":"wins","Value":1,"Timestamp":"yesterday"}]})");
  EXPECT_EQ(bad_time.status, 400);
  EXPECT_THAT(bad_time.body, HasSubstr("MetricData.member.1.Timestamp"));
  HttpResult q = client.Post(
      "/v1/metrics/query",
      "{\"MetricDataQueries\":[{\"Id\":\"w\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"game\","
      "\"MetricName\":\"wins\"},\"Period\":60,\"Stat\":\"Sum\"}}],\"StartTime\":" +
          std::to_string(now - 300) + ",\"EndTime\":" + std::to_string(now + 60) + "}");
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_THAT(q.body, HasSubstr("\"Values\":[10]"));  // 3 x 2, then 1 + 1 + 2.
  // Metric math over the same data: FILL gives every minute of the window a point.
  HttpResult math = client.Post(
      "/v1/metrics/query",
      "{\"MetricDataQueries\":[{\"Id\":\"w\",\"ReturnData\":false,\"MetricStat\":{\"Metric\":"
      "{\"Namespace\":\"game\",\"MetricName\":\"wins\"},\"Period\":60,\"Stat\":\"Sum\"}},"
      "{\"Id\":\"pct\",\"Expression\":\"w / SUM(w) * 100\"},"
      "{\"Id\":\"filled\",\"Expression\":\"FILL(w, 0)\"}],\"ScanBy\":\"TimestampAscending\","
      "\"StartTime\":" +
          std::to_string(now - now % 60 - 180) +
          ",\"EndTime\":" + std::to_string(now - now % 60 + 60) + "}");
  ASSERT_EQ(math.status, 200) << math.body;
  EXPECT_THAT(math.body, HasSubstr(R"("Id":"pct","Label":"pct")"));
  EXPECT_THAT(math.body, ::testing::ContainsRegex(
                             R"re("Id":"filled".*"Values":\[[0-9]+,[0-9]+,[0-9]+,[0-9]+\])re"));
  EXPECT_THAT(math.body, ::testing::Not(HasSubstr(R"("Id":"w")")));  // ReturnData false.
  HttpResult list = client.Get("/v1/metrics?namespace=game");
  EXPECT_THAT(list.body, HasSubstr("\"MetricName\":\"wins\""));

  struct Bad {
    std::string target, body;
    int status;
    std::string error;
  };
  std::vector<Bad> table = {
      {"/v1/metrics", "not json", 400, "SerializationException"},
      {"/v1/metrics", "[1]", 400, "SerializationException"},
      {"/v1/metrics", R"({"MetricData":[]})", 400, "MissingParameter"},
      {"/v1/metrics", R"({"Namespace":"game"})", 400, "MissingParameter"},
      {"/v1/metrics", R"({"Namespace":"game","MetricData":[{"MetricName":"x","Value":"7"}]})", 400,
       "SerializationException"},
      {"/v1/metrics",
       R"({"Namespace":"game","MetricData":[{"MetricName":"x","Value":1,"Unit":"Parsecs"}]})", 400,
       "InvalidParameterValue"},
      {"/v1/metrics",
       R"({"Namespace":"game","MetricData":[{"MetricName":"x","Value":1,"StorageResolution":10}]})",
       400, "InvalidParameterValue"},
      {"/v1/metrics",
       R"({"Namespace":"game","MetricData":[{"MetricName":"x","Values":[1],"Counts":[1,2]}]})", 400,
       "InvalidParameterValue"},
      {"/v1/metrics", "{\"Namespace\":\"game\",\"MetricData\":[" + std::string(1100000, ' ') + "]}",
       413, "RequestEntityTooLarge"},
      {"/v1/metrics/query",
       R"({"MetricDataQueries":[{"Id":"A","MetricStat":{}}],"StartTime":1,"EndTime":2})", 400,
       "MissingParameter"},
      {"/v1/metrics/query",
       R"x({"MetricDataQueries":[{"Id":"a","Expression":"SUM(METRICS()) +"}],"StartTime":1,"EndTime":2})x",
       400, "1:17: the expression ends too early"},
      {"/v1/metrics/query",
       R"x({"MetricDataQueries":[{"Id":"a","Expression":"b * 2"},{"Id":"b","Expression":"a / 2"}],"StartTime":1,"EndTime":2})x",
       400, "circular"},
      {"/v1/metrics/statistics",
       R"({"Namespace":"game","MetricName":"wins","StartTime":2,"EndTime":1,"Period":60,"Statistics":["Sum"]})",
       400, "StartTime must be less"},
      {"/v1/metrics/statistics",
       R"({"Namespace":"game","MetricName":"wins","StartTime":1,"EndTime":2,"Period":60,"Statistics":["Median"]})",
       400, "InvalidParameterValue"},
  };
  for (const Bad& b : table) {
    HttpResult r = client.Post(b.target, b.body);
    EXPECT_EQ(r.status, b.status) << b.target << " " << b.body.substr(0, 200) << " -> " << r.body;
    EXPECT_THAT(r.body, HasSubstr(b.error)) << b.body.substr(0, 200);
  }
  EXPECT_EQ(client.Get("/v1/metrics?colour=red").status, 400);
  EXPECT_EQ(client.Request("DELETE", "/v1/metrics").status, 405);
  // The store is unharmed: still exactly the first two puts.
  EXPECT_EQ(CountOf(client, "wins", now - 300, now + 60), 6);
}

// The framings below the SDKs, byte by byte (auth off, so unsigned): Query forms
// answer XML, RPC v2 CBOR answers CBOR, and bad bodies get each protocol's error.
TEST(MetricsApiTest, QueryAndCborRequestsAreAnsweredInKind) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data");
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient client(server.port());
  const std::string form = "application/x-www-form-urlencoded";
  int64_t now = std::time(nullptr);
  HttpResult put = client.Post(
      "/",
      "Action=PutMetricData&Version=2010-08-01&Namespace=game&MetricData.member.1.MetricName=x&"
      "MetricData.member.1.Value=2.5&MetricData.member.1.Timestamp=" +
          std::to_string(now - 5),
      form);
  EXPECT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(put.body, HasSubstr("<PutMetricDataResponse xmlns="));
  EXPECT_THAT(put.body, ::testing::Not(HasSubstr("Result>")));
  HttpResult list = client.Post("/", "Action=ListMetrics&Version=2010-08-01", form);
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, HasSubstr("<Metrics><member><Namespace>game</Namespace>"
                                   "<MetricName>x</MetricName><Dimensions></Dimensions>"));
  EXPECT_THAT(list.headers["content-type"], HasSubstr("text/xml"));
  struct Bad {
    std::string body;
    int status;
    std::string code, message;
  };
  const Bad bad[] = {
      {"Action=PutMetricData&Version=2010-08-01&Namespace=g&MetricData.member.2.Value=1", 400,
       "InvalidParameterValue", "MetricData.member.1 is missing"},
      {"Action=PutMetricData&Version=2010-08-01&Namespace=%zz", 400, "MalformedQueryString",
       "Namespace"},
      {"Version=2010-08-01", 400, "MissingAction", "Action"},
      {"Action=ListMetrics&Version=2009-01-01", 400, "InvalidParameterValue", "2009-01-01"},
      {"Action=Launch&Version=2010-08-01", 400, "InvalidAction", "Launch"},
      {"Action=GetDashboard&Version=2010-08-01&DashboardName=%3Cnope%3E", 400,
       "InvalidParameterValue", "DashboardName &apos;&lt;nope&gt;&apos;"},
      {"Action=GetDashboard&Version=2010-08-01&DashboardName=nope", 404, "ResourceNotFound",
       "Dashboard nope does not exist"},
  };
  for (const Bad& b : bad) {
    HttpResult r = client.Post("/", b.body, form);
    EXPECT_EQ(r.status, b.status) << b.body << " -> " << r.body;
    EXPECT_THAT(r.body, HasSubstr("<ErrorResponse xmlns="));
    EXPECT_THAT(r.body, HasSubstr("<Type>Sender</Type><Code>" + b.code + "</Code>")) << b.body;
    EXPECT_THAT(r.body, HasSubstr(b.message)) << b.body;
    EXPECT_EQ(r.headers["x-amzn-query-error"], b.code + ";Sender");
  }
  const std::string path = "/service/GraniteServiceVersion20100801/operation/";
  const std::map<std::string, std::string> cbor = {{"Content-Type", "application/cbor"},
                                                   {"smithy-protocol", "rpc-v2-cbor"}};
  // {"Namespace": "game"}
  HttpResult metrics =
      client.Request("POST", path + "ListMetrics", "\xa1\x69Namespace\x64game", cbor);
  EXPECT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(metrics.headers["smithy-protocol"], "rpc-v2-cbor");
  EXPECT_EQ(metrics.headers["content-type"], "application/cbor");
  EXPECT_THAT(metrics.body, HasSubstr("\x6aMetricName\x61x"));
  HttpResult truncated = client.Request("POST", path + "ListMetrics", "\xa1\x69Name", cbor);
  EXPECT_EQ(truncated.status, 400);
  EXPECT_EQ(truncated.headers["x-amzn-query-error"], "SerializationException;Sender");
  EXPECT_THAT(truncated.body, HasSubstr("CBOR byte 1: a string of 9 bytes"));
  HttpResult missing = client.Request("POST", path + "GetDashboard", "\xa0", cbor);
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body,
              HasSubstr("com.amazonaws.cloudwatch#MissingRequiredParameterException"));
  HttpResult unmarked =
      client.Request("POST", path + "ListMetrics", "\xa0", {{"Content-Type", "application/cbor"}});
  EXPECT_EQ(unmarked.status, 400);
  EXPECT_THAT(unmarked.body, HasSubstr("smithy-protocol"));
}

TEST(MetricsApiTest, TheCommandLinePutsListsAndGets) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data");
  ASSERT_TRUE(server.Start()) << server.Logs();
  std::string gl = std::string(GAMELAKE_BINARY) + " metrics ";
  std::string url = " --url http://127.0.0.1:" + std::to_string(server.port());
  std::string metric = " --namespace serverless-analytics-demo --name wins --dimension Mode=pvp";
  // One timestamp for both, so they share a minute whenever the test runs.
  std::string at = " --timestamp " + std::to_string(std::time(nullptr) - 5);
  for (int v : {4, 6}) {
    auto put = RunCommand(gl + "put" + metric + " --value " + std::to_string(v) + at +
                          " --resolution 1" + url + " 2>&1");
    EXPECT_EQ(put.exit_code, 0) << put.output;
    EXPECT_THAT(put.output, HasSubstr("stored 1 datapoint of serverless-analytics-demo/wins"));
  }
  auto list = RunCommand(gl + "list --namespace serverless-analytics-demo" + url + " 2>&1");
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("serverless-analytics-demo  wins  Mode=pvp"));
  auto json = RunCommand(gl + "list --format json --namespace serverless-analytics-demo" + url);
  EXPECT_EQ(json.exit_code, 0) << json.output;
  EXPECT_THAT(json.output, HasSubstr(R"({"Name":"Mode","Value":"pvp"})"));
  auto get = RunCommand(gl + "get" + metric + " --stat Sum --stat SampleCount --stat p90" +
                        " --period 60 --since 10m" + url + " 2>&1");
  EXPECT_EQ(get.exit_code, 0) << get.output;
  EXPECT_THAT(get.output, HasSubstr("Sum"));
  EXPECT_THAT(get.output, ::testing::ContainsRegex(" +10 +2 +(6|5\\.9)"));  // Sum, count, p90 ~6.
  auto bad = RunCommand(gl + "put" + metric + " --value 1 --unit Furlongs" + url + " 2>&1");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.output, HasSubstr("Unit 'Furlongs'"));
}

TEST(MetricsApiTest, LiveSubscribersGetEachSecondAfterItCloses) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data");
  ASSERT_TRUE(server.Start()) << server.Logs();
  std::map<int64_t, int> put_per_second;
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    HttpClient client(server.port());
    while (!stop.load()) {
      auto now = std::chrono::system_clock::now().time_since_epoch();
      int64_t second = std::chrono::duration_cast<std::chrono::seconds>(now).count();
      HttpResult r = client.Post("/v1/metrics", PutBody("live", 1, 1, second));
      if (r.status == 200) {
        std::lock_guard<std::mutex> l(mu);
        ++put_per_second[second];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  HttpClient subscriber(server.port());
  std::string stream = subscriber.RawExchange(
      "GET /v1/metrics/live?namespace=game&name=live&stat=Sum&stat=SampleCount&delay_ms=400 "
      "HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
      4500);
  stop = true;
  writer.join();
  EXPECT_THAT(stream, HasSubstr("text/event-stream"));
  std::regex event(
      R"re(data: \{"Timestamp":(\d+),"Values":\{"Sum":([0-9.null]+),"SampleCount":([0-9.null]+)\}\})re");
  int checked = 0;
  int64_t first = put_per_second.empty() ? 0 : put_per_second.begin()->first;
  for (std::sregex_iterator it(stream.begin(), stream.end(), event), end; it != end; ++it) {
    int64_t t = std::stoll((*it)[1]);
    if (t <= first) continue;  // The first second's puts began mid-second.
    std::lock_guard<std::mutex> l(mu);
    ASSERT_TRUE(put_per_second.count(t)) << "an event for a second without puts: " << t;
    EXPECT_EQ((*it)[2], std::to_string(put_per_second[t])) << t;
    EXPECT_EQ((*it)[3], std::to_string(put_per_second[t])) << t;
    ++checked;
  }
  EXPECT_GE(checked, 2) << stream;
  EXPECT_EQ(HttpClient(server.port()).Get("/v1/metrics/live?name=x").status, 400);
}

TEST(MetricsApiTest, KillNineDuringAPutStormLosesAndDoublesNothing) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  constexpr int kBatch = 100;
  std::mt19937 rng(777);
  int64_t acked = 0, attempted = 0;
  int64_t start = std::time(nullptr);
  for (int cycle = 0; cycle < 3; ++cycle) {
    ServerProcess server(data, {"--set", "metrics.checkpoint_interval_s=0.2"});
    ASSERT_TRUE(server.Start()) << server.Logs();
    if (cycle > 0) {
      HttpClient check(server.port());
      double stored = CountOf(check, "storm", start - 120, start + 600);
      EXPECT_GE(stored, static_cast<double>(acked)) << "acknowledged datapoints lost";
      EXPECT_LE(stored, static_cast<double>(attempted)) << "datapoints counted twice";
      EXPECT_EQ(std::fmod(stored, kBatch), 0) << "a put was stored in part";
      acked = attempted = static_cast<int64_t>(stored);  // What was in flight is decided now.
    }
    std::atomic<bool> stop{false};
    std::atomic<int64_t> cycle_acked{0}, cycle_attempted{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; ++t) {
      writers.emplace_back([&] {
        HttpClient client(server.port());
        while (!stop.load()) {
          cycle_attempted += kBatch;
          HttpResult r =
              client.Post("/v1/metrics", PutBody("storm", kBatch, 1, std::time(nullptr)));
          if (r.status == 200) cycle_acked += kBatch;
          if (r.status == 0) break;
        }
      });
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 900)(rng)));
    server.Kill();
    stop = true;
    for (auto& w : writers) w.join();
    acked += cycle_acked.load();
    attempted += cycle_attempted.load();
    EXPECT_GT(cycle_acked.load(), 0);
  }
  ServerProcess server(data);
  ASSERT_TRUE(server.Start()) << server.Logs();
  HttpClient check(server.port());
  double stored = CountOf(check, "storm", start - 120, start + 600);
  EXPECT_GE(stored, static_cast<double>(acked));
  EXPECT_LE(stored, static_cast<double>(attempted));
  EXPECT_EQ(std::fmod(stored, kBatch), 0);
}

TEST(MetricsApiTest, PipelineMetricsAgreeWithWhatWasSentAndWhatReachedTheLake) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  ServerProcess server(data,
                       {"--set", "auth.enabled=true", "--set", "delivery.buffer_interval_s=0.5"});
  ASSERT_TRUE(server.Start()) << server.Logs();
  std::string admin = DevKeys(data)["dev-admin"];
  ASSERT_FALSE(admin.empty());
  HttpClient client(server.port());
  auto call = [&](const std::string& method, const std::string& target, const std::string& key,
                  const std::string& body, const std::string& type = "application/json") {
    return client.Request(method, target, body,
                          {{"Content-Type", type}, {"Authorization", "Bearer " + key}});
  };
  const int64_t start = std::time(nullptr);
  // 5 requests of 20 good lines and one broken one: 100 stored, 5 dead-lettered.
  int64_t accepted = 0, failed = 0, throttled = 0;
  for (int r = 0; r < 5; ++r) {
    std::string body;
    for (int i = 0; i < 20; ++i)
      body += "{\"r\":" + std::to_string(r) + ",\"i\":" + std::to_string(i) + "}\n";
    body += "{\"broken\":\n";
    HttpResult res = call("POST", "/v1/streams/pm/records", admin, body, "application/x-ndjson");
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_THAT(res.body, HasSubstr("\"accepted\":20,\"failed\":1"));
    accepted += 20;
    failed += 1;
  }
  // A key limited to 5 records a second sends 4 at a time until it is refused.
  HttpResult key =
      call("POST", "/v1/keys", admin, R"({"name":"slow","scope":"ingest","rate_records_per_s":5})");
  ASSERT_EQ(key.status, 201) << key.body;
  std::string slow = key.body.substr(key.body.find("\"key\":\"") + 7);
  slow = slow.substr(0, slow.find('"'));
  for (int r = 0; r < 10; ++r) {
    HttpResult res = call("POST", "/v1/streams/pm/records", slow,
                          "{\"s\":1}\n{\"s\":2}\n{\"s\":3}\n{\"s\":4}\n", "application/x-ndjson");
    if (res.status == 200) accepted += 4;
    if (res.status == 429) throttled += 4;
  }
  EXPECT_GT(throttled, 0);
  // What reached the lake, read by SQL (which also counts as a query).
  std::string lake_rows;
  for (int i = 0; i < 200 && lake_rows != std::to_string(accepted); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    lake_rows =
        Query(client, "SELECT count(*) FROM pm", {{"Authorization", "Bearer " + admin}}).Value();
  }
  ASSERT_EQ(lake_rows, std::to_string(accepted));
  // The recorder writes each second just after it ends: poll until it caught up.
  const std::string ns = "gamelake/Streams";
  auto stat = [&](const std::string& name, const std::string& s = "Sum") {
    return StatOf(client, admin, ns, name, "pm", start - 120, start + 600, s);
  };
  for (int i = 0; i < 100 && stat("DeliveryToLake.Records") < accepted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(stat("IncomingRecords"), accepted);
  EXPECT_EQ(stat("DeliveryToLake.Records"), accepted);
  EXPECT_EQ(stat("FailedRecords"), failed);
  EXPECT_EQ(stat("ThrottledRecords"), throttled);
  EXPECT_EQ(stat("DuplicateRecords"), 0);
  EXPECT_GT(stat("IncomingBytes"), accepted * 10);
  EXPECT_GT(stat("DeliveryToLake.Bytes"), 0);
  EXPECT_EQ(stat("DeliveryToLake.Success", "Minimum"), 1);
  EXPECT_GE(stat("DeliveryToLake.DataFreshness", "SampleCount"), 1);
  // The dead letters went to _errors, a stream of their own.
  for (int i = 0; i < 100 && StatOf(client, admin, ns, "IncomingRecords", "_errors", start - 120,
                                    start + 600) < failed;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // The SQL queries above, in gamelake/Queries.
  for (int i = 0; i < 100 && StatOf(client, admin, "gamelake/Queries", "Queries", "", start - 120,
                                    start + 600) < 1;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(StatOf(client, admin, "gamelake/Queries", "Queries", "", start - 120, start + 600), 1);
  EXPECT_GE(StatOf(client, admin, "gamelake/Queries", "QueryLatency", "", start - 120, start + 600,
                   "SampleCount"),
            1);
  // The Prometheus page keeps working beside them.
  HttpResult prom = call("GET", "/metrics", admin, "");
  EXPECT_EQ(prom.status, 200);
  EXPECT_THAT(prom.body, HasSubstr("gamelake_records_accepted_total"));
}

}  // namespace
}  // namespace gamelake::testing
