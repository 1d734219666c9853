#include "metrics/dashboard_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/manual_clock_env.h"
#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::HasSubstr;

TEST(DashboardStoreTest, BodiesAreKeptAsPutAndListedByPrefix) {
  ScratchDir dir;
  ManualClockEnv env(1'795'176'000'000'000);
  auto store = DashboardStore::Open(&env, dir.path() + "/dashboards");
  GL_ASSERT_OK(store.status());
  std::string body = LabDashboardBody();
  EXPECT_TRUE(ValidateDashboardBody(body).empty());
  GL_ASSERT_OK((*store)->Put(kLabDashboardName, body));
  std::string spaced = "{ \"widgets\" : [ ] ,\n \"x-extra\": {\"kept\": true} }";
  GL_ASSERT_OK((*store)->Put("other-one", spaced));
  auto got = (*store)->Get(kLabDashboardName);
  GL_ASSERT_OK(got.status());
  EXPECT_EQ(got->body, body);  // Byte for byte.
  EXPECT_EQ(got->modified_ms, 1'795'176'000'000);
  EXPECT_EQ((*store)->Get("other-one")->body, spaced);
  auto all = (*store)->List("");
  GL_ASSERT_OK(all.status());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "other-one");
  EXPECT_EQ((*store)->List("server")->size(), 1u);
  // Replacing keeps one dashboard.
  GL_ASSERT_OK((*store)->Put("other-one", R"({"widgets":[]})"));
  EXPECT_EQ((*store)->List("")->size(), 2u);
}

TEST(DashboardStoreTest, DeleteIsAllOrNothing) {
  ScratchDir dir;
  auto store = DashboardStore::Open(Env::Default(), dir.path());
  GL_ASSERT_OK(store.status());
  GL_ASSERT_OK((*store)->Put("a", R"({"widgets":[]})"));
  EXPECT_THAT((*store)->Delete({"a", "missing"}),
              StatusIs(Status::Code::kNotFound, "ResourceNotFound: Dashboard missing"));
  GL_EXPECT_OK((*store)->Get("a").status());
  GL_ASSERT_OK((*store)->Delete({"a"}));
  EXPECT_THAT((*store)->Get("a").status(), StatusIs(Status::Code::kNotFound, "ResourceNotFound"));
}

TEST(DashboardStoreTest, BadNamesAndBodiesAreRefusedWithWhere) {
  ScratchDir dir;
  auto store = DashboardStore::Open(Env::Default(), dir.path());
  GL_ASSERT_OK(store.status());
  for (std::string name :
       {std::string(""), std::string("has space"), std::string("../x"), std::string(256, 'a')}) {
    EXPECT_THAT((*store)->Put(name, R"({"widgets":[]})"),
                StatusIs(Status::Code::kInvalidArgument, "InvalidParameterValue"))
        << name;
  }
  struct Case {
    std::string body, where;
  };
  std::vector<Case> cases = {
      {"not json", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"widgets":{}})", "/widgets: widgets must be an array"},
      {R"({"widgets":[1]})", "/widgets/0: a widget must be a JSON object"},
      {R"({"widgets":[{"type":"pie"}]})", "/widgets/0/type"},
      {R"({"widgets":[{"type":"text"},{"type":"metric","width":25}]})", "/widgets/1/width"},
      {R"({"widgets":[{"type":"metric","x":-1}]})", "/widgets/0/x"},
      {R"({"widgets":[{"type":"metric","properties":[]}]})", "/widgets/0/properties"},
      {R"({"widgets":[{"type":"metric","properties":{"metrics":{}}}]})",
       "/widgets/0/properties/metrics"},
      {std::string(kMaxDashboardBodyBytes + 1, ' '), "at most"},
  };
  for (const Case& c : cases) {
    Status s = (*store)->Put("d", c.body);
    EXPECT_THAT(s, StatusIs(Status::Code::kInvalidArgument, "InvalidParameterInput"))
        << c.body.substr(0, 80);
    EXPECT_THAT(s.message(), HasSubstr(c.where)) << c.body.substr(0, 80);
  }
  EXPECT_TRUE((*store)->List("")->empty());
}

}  // namespace
}  // namespace gamelake
