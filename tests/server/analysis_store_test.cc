// AnalysisStore: the round trip of a document (its members kept as written,
// "id" and "updated_at" set by the store from the Env clock), persistence in
// <dir>/<id>.json across a reopen, the listing by name, and every refusal.
#include "server/analysis_store.h"

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/manual_clock_env.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

constexpr int64_t kT0 = 1700000000123456;  // 2023-11-14T22:13:20.123456Z

class AnalysisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = AnalysisStore::Open(&env_, dir_.path() + "/console/analyses");
    GL_ASSERT_OK(store.status());
    store_ = std::move(store).value();
  }
  ScratchDir dir_;
  ManualClockEnv env_{kT0};
  std::unique_ptr<AnalysisStore> store_;
};

TEST_F(AnalysisStoreTest, PutRewritesIdAndUpdatedAtAndKeepsTheRestAsWritten) {
  AnalysisInfo info;
  GL_ASSERT_OK(store_->Put("lab-1",
                           R"( { "id": "ignored", "name" : "Lab",
  "visuals": [ {"type":"bar", "x":"CaughtBy"} ], "updated_at": 5, "n": 1.50 } )",
                           &info));
  EXPECT_TRUE(info.created);
  EXPECT_EQ(info.name, "Lab");
  EXPECT_EQ(info.updated_at, "2023-11-14T22:13:20.123456Z");
  Result<std::string> doc = store_->Get("lab-1");
  GL_ASSERT_OK(doc.status());
  EXPECT_EQ(*doc, R"({"id":"lab-1","updated_at":"2023-11-14T22:13:20.123456Z","name" : "Lab",)"
                  R"("visuals": [ {"type":"bar", "x":"CaughtBy"} ],"n": 1.50})");
  EXPECT_EQ(info.bytes, doc->size());
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/console/analyses/lab-1.json"));

  env_.AdvanceSeconds(60);
  GL_ASSERT_OK(store_->Put("lab-1", R"({"name":"Lab 2"})", &info));
  EXPECT_FALSE(info.created);
  EXPECT_EQ(store_->Get("lab-1").value(),
            R"({"id":"lab-1","updated_at":"2023-11-14T22:14:20.123456Z","name":"Lab 2"})");
}

TEST_F(AnalysisStoreTest, EscapedKeysAreRecognisedAndEmptyObjectsNeedAName) {
  GL_ASSERT_OK(store_->Put("a", R"({"\u0069d":"x","name":"N","k":{"id":1,"s":"}\"]"}})"));
  EXPECT_EQ(store_->Get("a").value(),
            R"({"id":"a","updated_at":"2023-11-14T22:13:20.123456Z","name":"N",)"
            R"("k":{"id":1,"s":"}\"]"}})");
  EXPECT_THAT(store_->Put("b", "{}"), StatusIs(Status::Code::kInvalidArgument, "\"name\""));
}

TEST_F(AnalysisStoreTest, ListIsSortedByNameAndSurvivesAReopen) {
  GL_ASSERT_OK(store_->Put("z1", R"({"name":"Alpha"})"));
  GL_ASSERT_OK(store_->Put("a1", R"({"name":"Gamma"})"));
  GL_ASSERT_OK(store_->Put("m1", R"({"name":"Beta"})"));
  GL_ASSERT_OK(store_->Delete("m1"));
  auto reopened = AnalysisStore::Open(&env_, dir_.path() + "/console/analyses");
  GL_ASSERT_OK(reopened.status());
  Result<std::vector<AnalysisInfo>> list = (*reopened)->List();
  GL_ASSERT_OK(list.status());
  EXPECT_THAT(*list, ElementsAre(Field(&AnalysisInfo::id, "z1"), Field(&AnalysisInfo::id, "a1")));
  EXPECT_EQ((*list)[0].name, "Alpha");
  EXPECT_EQ((*list)[0].updated_at, "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ((*list)[0].bytes, (*reopened)->Get("z1")->size());
  EXPECT_THAT((*reopened)->Get("m1"), StatusIs(Status::Code::kNotFound, "m1"));
  EXPECT_THAT((*reopened)->Delete("m1"), StatusIs(Status::Code::kNotFound, "m1"));
}

TEST_F(AnalysisStoreTest, RefusesBadIdsAndDocuments) {
  struct Case {
    std::string id, json, error;
    Status::Code code = Status::Code::kInvalidArgument;
  };
  const Case cases[] = {
      {"", R"({"name":"x"})", "empty"},
      {"-a", R"({"name":"x"})", "start with a letter or a digit"},
      {"a b", R"({"name":"x"})", "' ' at 1"},
      {"a/b", R"({"name":"x"})", "'/' at 1"},
      {std::string(129, 'a'), R"({"name":"x"})", "at most 128"},
      {"ok", R"({"name":"x",})", "not valid JSON at byte"},
      {"ok", "[1]", "not a JSON object"},
      {"ok", R"({"title":"x"})", "needs a \"name\""},
      {"ok", R"({"name":3})", "\"name\" must be a string"},
      {"ok", R"({"name":""})", "must not be empty"},
      {"ok", R"({"name":")" + std::string(201, 'n') + "\"}", "at most 200"},
      {"ok", R"({"name":"x","pad":")" + std::string(kMaxAnalysisBytes, 'p') + "\"}",
       "at most 1048576", Status::Code::kResourceExhausted},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(store_->Put(c.id, c.json), StatusIs(c.code, c.error)) << c.id << " " << c.json;
  }
  EXPECT_TRUE(store_->List()->empty());
  GL_EXPECT_OK(store_->Put(std::string(128, 'a'), R"({"name":"x"})"));
}

}  // namespace
}  // namespace gamelake
