// The console's server APIs on the real binary (analyses_api.h,
// generator_api.h): analyses put/get/list/delete, kept across a restart, and
// every bad input refused with its status; generator previews (builtin and
// custom templates, a bad template's line and column), a limited job that
// ends "done" with exactly its records stored and queryable, stopping a job,
// the cap on running jobs, and an ingest-only key refused both APIs.
#include <chrono>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../common/eventually.h"
#include "../common/run_command.h"
#include "server_process.h"

namespace gamelake::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The top-level member `key` of a JSON object, as text ("" if absent;
// strings unquoted).
std::string Member(const std::string& json, const std::string& key) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(json).get(e) != simdjson::SUCCESS) return "<not json>";
  if (e[key].get(e) != simdjson::SUCCESS) return "";
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return std::string(s);
  return simdjson::minify(e);
}

// The size of the array member `key`.
size_t ArraySize(const std::string& json, const std::string& key) {
  simdjson::dom::parser parser;
  simdjson::dom::array a;
  if (parser.parse(json)[key].get(a) != simdjson::SUCCESS) return 0;
  return a.size();
}

class ConsoleApiTest : public ::testing::Test {
 protected:
  void Start() {
    server_ = std::make_unique<ServerProcess>(
        data_.path(), std::vector<std::string>{"--set", "auth.enabled=true"});
    ASSERT_TRUE(server_->Start()) << server_->Logs();
    auto keys = DevKeys(data_.path());
    admin_ = keys["dev-admin"];
    ingest_ = keys["dev-ingest"];
    ASSERT_FALSE(admin_.empty());
    ASSERT_FALSE(ingest_.empty());
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& key = "") {
    std::map<std::string, std::string> h = {
        {"Authorization", "Bearer " + (key.empty() ? admin_ : key)}};
    if (!body.empty()) h["Content-Type"] = "application/json";
    return client_->Request(method, target, body, h);
  }
  std::string Job(const std::string& id) { return Call("GET", "/v1/generator/jobs/" + id).body; }

  TempDir data_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
  std::string admin_, ingest_;
};

TEST_F(ConsoleApiTest, AnalysesRoundTripAndSurviveARestart) {
  ASSERT_NO_FATAL_FAILURE(Start());
  HttpResult put = Call("PUT", "/v1/analyses/lab",
                        R"({"name":"Lab analysis","id":"other","visuals":[{"type":"kpi"}]})");
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(Member(put.body, "id"), "lab");
  EXPECT_EQ(Member(put.body, "name"), "Lab analysis");
  EXPECT_THAT(Member(put.body, "updated_at"), ::testing::EndsWith("Z"));
  put = Call("PUT", "/v1/analyses/lab", R"({"name":"Lab analysis","visuals":[{"type":"bar"}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  ASSERT_EQ(Call("PUT", "/v1/analyses/a-first", R"({"name":"A first"})").status, 201);

  HttpResult got = Call("GET", "/v1/analyses/lab");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Member(got.body, "id"), "lab");
  EXPECT_EQ(Member(got.body, "visuals"), R"([{"type":"bar"}])");
  EXPECT_EQ(Member(got.body, "updated_at"), Member(put.body, "updated_at"));

  HttpResult list = Call("GET", "/v1/analyses");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, HasSubstr(R"("id":"a-first","name":"A first")"));
  EXPECT_LT(list.body.find("a-first"), list.body.find(R"("id":"lab")"));
  EXPECT_EQ(ArraySize(list.body, "analyses"), 2u);

  HttpResult del = Call("DELETE", "/v1/analyses/a-first");
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(del.body, "{\"id\":\"a-first\",\"deleted\":true}\n");

  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(Start());
  got = Call("GET", "/v1/analyses/lab");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Member(got.body, "visuals"), R"([{"type":"bar"}])");
  list = Call("GET", "/v1/analyses");
  EXPECT_EQ(ArraySize(list.body, "analyses"), 1u) << list.body;
  EXPECT_EQ(Call("GET", "/v1/analyses/a-first").status, 404);
}

TEST_F(ConsoleApiTest, AnalysesRefuseBadInput) {
  ASSERT_NO_FATAL_FAILURE(Start());
  struct Case {
    std::string method, target, body;
    int status;
    std::string message;
  };
  const Case cases[] = {
      {"PUT", "/v1/analyses/-bad", R"({"name":"x"})", 400, "start with a letter or a digit"},
      {"PUT", "/v1/analyses/a%20b", R"({"name":"x"})", 400, "' ' at 1"},
      {"PUT", "/v1/analyses/ok", R"({"name": tru})", 400, "not valid JSON at byte"},
      {"PUT", "/v1/analyses/ok", R"(["name"])", 400, "not a JSON object"},
      {"PUT", "/v1/analyses/ok", R"({"title":"x"})", 400, "needs a \"name\""},
      {"PUT", "/v1/analyses/ok", R"({"name":""})", 400, "must not be empty"},
      {"PUT", "/v1/analyses/ok", R"({"name":"x","p":")" + std::string(1 << 20, 'p') + "\"}", 413,
       "at most 1048576"},
      {"GET", "/v1/analyses/missing", "", 404, "no analysis 'missing'"},
      {"DELETE", "/v1/analyses/missing", "", 404, "no analysis 'missing'"},
      {"POST", "/v1/analyses", R"({"name":"x"})", 405, "allows GET"},
  };
  for (const Case& c : cases) {
    HttpResult r = Call(c.method, c.target, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.target << ": " << r.body;
    EXPECT_THAT(Member(r.body, "message"), HasSubstr(c.message)) << c.target;
  }
  HttpResult forbidden = Call("GET", "/v1/analyses", "", ingest_);
  EXPECT_EQ(forbidden.status, 403) << forbidden.body;
  EXPECT_EQ(Call("PUT", "/v1/analyses/x", R"({"name":"x"})", ingest_).status, 403);
  EXPECT_EQ(client_->Get("/v1/analyses").status, 401);
  EXPECT_EQ(ArraySize(Call("GET", "/v1/analyses").body, "analyses"), 0u);
}

TEST_F(ConsoleApiTest, GeneratorPreviews) {
  ASSERT_NO_FATAL_FAILURE(Start());
  HttpResult lab = Call("POST", "/v1/generator/preview", R"({"template":"builtin:lab","count":3})");
  ASSERT_EQ(lab.status, 200) << lab.body;
  ASSERT_EQ(ArraySize(lab.body, "records"), 3u) << lab.body;
  EXPECT_THAT(lab.body, HasSubstr(R"(\"CaughtBy\":)"));

  // The lab's template text, as the generator page shows it, is the one the server renders.
  HttpResult templates = Call("GET", "/v1/generator/templates");
  ASSERT_EQ(templates.status, 200) << templates.body;
  EXPECT_THAT(templates.body, HasSubstr(R"("name":"builtin:lab","template":"{\n\"PlayerID\":)"));
  EXPECT_THAT(templates.body, HasSubstr("random.weightedArrayElement("));
  EXPECT_EQ(Call("POST", "/v1/generator/templates", "{}").status, 405);

  HttpResult custom =
      Call("POST", "/v1/generator/preview",
           R"({"template":"{\"Level\": {{random.number({\"min\":7,\"max\":7})}}}"})");
  ASSERT_EQ(custom.status, 200) << custom.body;
  EXPECT_EQ(ArraySize(custom.body, "records"), 5u);  // The default count.
  EXPECT_THAT(custom.body, HasSubstr(R"(["{\"Level\": 7}","{\"Level\": 7}")"));

  HttpResult bad = Call("POST", "/v1/generator/preview",
                        R"({"template":"{\"a\": 1,\n \"b\": {{random.nosuch()}}}"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Member(bad.body, "error"), "invalid_template");
  EXPECT_THAT(Member(bad.body, "message"), HasSubstr("line 2, column"));
  EXPECT_EQ(
      Member(Call("POST", "/v1/generator/preview", R"({"template":"builtin:nope"})").body, "error"),
      "invalid_template");
  EXPECT_EQ(
      Call("POST", "/v1/generator/preview", R"({"template":"builtin:lab","count":101})").status,
      400);
  EXPECT_EQ(Call("POST", "/v1/generator/preview", R"({"template":"builtin:lab"})", ingest_).status,
            403);
}

TEST_F(ConsoleApiTest, AJobWithACountEndsDoneAndItsRowsAreQueryable) {
  ASSERT_NO_FATAL_FAILURE(Start());
  HttpResult job = Call("POST", "/v1/generator/jobs",
                        R"({"template":"builtin:lab","stream":"kdg","rate":1000,"count":50})");
  ASSERT_EQ(job.status, 201) << job.body;
  std::string id = Member(job.body, "id");
  EXPECT_EQ(Member(job.body, "template"), "builtin:lab");
  EXPECT_EQ(Member(job.body, "stream"), "kdg");
  EXPECT_EQ(Member(job.body, "count"), "50");
  EXPECT_EQ(Member(job.body, "state"), "running");
  EXPECT_EQ(Member(job.body, "stopped_at"), "null");
  ASSERT_TRUE(Eventually([&] { return Member(Job(id), "state") == "done"; })) << Job(id);
  std::string done = Job(id);
  EXPECT_EQ(Member(done, "sent"), "50");
  EXPECT_THAT(Member(done, "stopped_at"), ::testing::EndsWith("Z"));
  std::map<std::string, std::string> admin = {{"Authorization", "Bearer " + admin_}};
  EXPECT_TRUE(Eventually([&] {
    return Query(*client_, "SELECT count(*) FROM kdg", admin).Value() == "50";
  })) << Query(*client_, "SELECT count(*) FROM kdg", admin).body;
  HttpResult list = Call("GET", "/v1/generator/jobs");
  EXPECT_THAT(list.body, HasSubstr(fmt::format(R"("id":"{}")", id)));
}

TEST_F(ConsoleApiTest, JobsStopAndAreCapped) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    HttpResult r = Call("POST", "/v1/generator/jobs",
                        R"({"template":"builtin:sessions","stream":"events","rate":5})");
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Member(r.body, "count"), "null");
    ids.push_back(Member(r.body, "id"));
  }
  HttpResult fifth = Call("POST", "/v1/generator/jobs", R"({"template":"builtin:lab","rate":5})");
  EXPECT_EQ(fifth.status, 429) << fifth.body;
  EXPECT_EQ(Member(fifth.body, "error"), "too_many_jobs");

  ASSERT_TRUE(Eventually([&] { return Member(Job(ids[0]), "sent") != "0"; })) << Job(ids[0]);
  HttpResult stopped = Call("POST", "/v1/generator/jobs/" + ids[0] + "/stop");
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(Member(stopped.body, "state"), "stopped");
  EXPECT_THAT(Member(stopped.body, "stopped_at"), ::testing::EndsWith("Z"));
  HttpResult again = Call("POST", "/v1/generator/jobs", R"({"template":"builtin:lab","rate":5})");
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(Member(Job(ids[0]), "state"), "stopped");
  EXPECT_EQ(ArraySize(Call("GET", "/v1/generator/jobs").body, "jobs"), 5u);
  EXPECT_EQ(Call("GET", "/v1/generator/jobs/nope").status, 404);
  EXPECT_EQ(Call("POST", "/v1/generator/jobs/nope/stop").status, 404);

  struct Case {
    std::string body, message;
  };
  const Case bad[] = {
      {R"({"template":"builtin:lab","rate":0})", "rate"},
      {R"({"template":"builtin:lab","rate":100001})", "rate"},
      {R"({"template":"builtin:lab","rate":5,"stream":"no such/stream"})", "stream"},
      {R"({"template":"builtin:lab","rate":5,"count":0})", "count"},
      {R"({"rate":5})", "template"},
      {R"({"template":"builtin:lab","rate":5,"speed":1})", "speed: unknown field"},
      {"not json", "expected a JSON object"},
  };
  for (const Case& c : bad) {
    HttpResult r = Call("POST", "/v1/generator/jobs", c.body);
    EXPECT_EQ(r.status, 400) << c.body << ": " << r.body;
    EXPECT_THAT(Member(r.body, "message"), StartsWith(c.message)) << c.body;
  }
  HttpResult not_json_records =
      Call("POST", "/v1/generator/jobs", R"({"template":"plain {{random.number(3)}}","rate":5})");
  EXPECT_EQ(not_json_records.status, 400);
  EXPECT_EQ(Member(not_json_records.body, "error"), "invalid_template");
  EXPECT_EQ(Call("GET", "/v1/generator/jobs", "", ingest_).status, 403);
  // The server stops with jobs running (they end before the log closes).
  EXPECT_EQ(server_->Stop(), 0) << server_->Logs();
}

}  // namespace
}  // namespace gamelake::testing
