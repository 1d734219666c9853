#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include "auth_test_util.h"

namespace gamelake {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = KeyStore::Open(Env::Default(), tmp_.path() + "/keys");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    KeySpec admin;
    admin.name = "admin";
    admin.scope = Scope::kAdmin;
    KeySpec ingest;
    ingest.name = "ingest";
    ingest.streams = {"events"};
    KeySpec any;
    any.name = "any";
    auto a = store_->Create(admin);
    auto i = store_->Create(ingest);
    auto n = store_->Create(any);
    ASSERT_TRUE(a.ok() && i.ok() && n.ok());
    admin_ = a->full_key;
    ingest_ = i->full_key;
    any_stream_ = n->full_key;
  }

  TempDir tmp_;
  std::unique_ptr<KeyStore> store_;
  std::string admin_, ingest_, any_stream_;
};

TEST_F(AuthenticatorTest, ReadsBearerAndXApiKey) {
  Authenticator auth(store_.get(), true);
  auto p = auth.FromHeaders("Bearer " + ingest_, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "ingest");
  p = auth.FromHeaders("bearer   " + ingest_ + "  ", "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  p = auth.FromHeaders("", admin_);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "admin");
  p = auth.FromHeaders("Bearer " + admin_, admin_);  // Same key twice is fine.
  ASSERT_TRUE(p.ok());
}

TEST_F(AuthenticatorTest, RefusesMissingOddAndConflictingKeys) {
  Authenticator auth(store_.get(), true);
  auto missing = auth.FromHeaders("", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("missing API key"), std::string::npos);

  auto basic = auth.FromHeaders("Basic dXNlcjpwYXNz", "");
  ASSERT_FALSE(basic.ok());
  EXPECT_NE(basic.status().message().find("\"Basic\" is not supported"), std::string::npos);
  EXPECT_EQ(basic.status().message().find("dXNlcjpwYXNz"), std::string::npos);

  EXPECT_FALSE(auth.FromHeaders("Bearer", "").ok());
  EXPECT_FALSE(auth.FromHeaders("Bearer ", "").ok());
  EXPECT_FALSE(auth.FromHeaders("Bearer " + admin_, ingest_).ok());
  EXPECT_FALSE(auth.FromHeaders("", std::string(100000, 'G')).ok());
  std::string wrong = admin_;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  auto w = auth.FromHeaders("Bearer " + wrong, "");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("wrong secret"), std::string::npos);
}

TEST_F(AuthenticatorTest, AuthorizeMatrix) {
  Authenticator auth(store_.get(), true);
  auto admin = auth.FromHeaders("", admin_);
  auto ingest = auth.FromHeaders("", ingest_);
  auto any = auth.FromHeaders("", any_stream_);
  ASSERT_TRUE(admin.ok() && ingest.ok() && any.ok());

  // Ingest key: its own stream only, never admin routes.
  EXPECT_TRUE(Authenticator::Authorize(*ingest, Need::kIngest, "events").ok());
  EXPECT_FALSE(Authenticator::Authorize(*ingest, Need::kIngest, "other").ok());
  EXPECT_FALSE(Authenticator::Authorize(*ingest, Need::kAdmin, "").ok());
  // Ingest key without streams: every stream, still no admin.
  EXPECT_TRUE(Authenticator::Authorize(*any, Need::kIngest, "events").ok());
  EXPECT_TRUE(Authenticator::Authorize(*any, Need::kIngest, "other").ok());
  EXPECT_FALSE(Authenticator::Authorize(*any, Need::kAdmin, "").ok());
  // Admin key: everywhere.
  EXPECT_TRUE(Authenticator::Authorize(*admin, Need::kIngest, "events").ok());
  EXPECT_TRUE(Authenticator::Authorize(*admin, Need::kIngest, "other").ok());
  EXPECT_TRUE(Authenticator::Authorize(*admin, Need::kAdmin, "").ok());
}

TEST_F(AuthenticatorTest, CheckMapsTo401And403) {
  Authenticator auth(store_.get(), true);
  Principal p;
  AuthError e;
  EXPECT_FALSE(auth.Check("", "", Need::kIngest, "events", &p, &e));
  EXPECT_EQ(e.http_status, 401);
  EXPECT_EQ(e.code, "unauthenticated");
  EXPECT_FALSE(auth.Check("", "GLKAAAAAAAAAAAAAAAAA." + std::string(40, 'a'), Need::kIngest,
                          "events", &p, &e));
  EXPECT_EQ(e.http_status, 401);
  EXPECT_NE(e.message.find("unknown key id GLKAAAAAAAAAAAAAAAAA"), std::string::npos);
  EXPECT_FALSE(auth.Check("", ingest_, Need::kIngest, "other", &p, &e));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.code, "forbidden");
  EXPECT_NE(e.message.find("\"other\""), std::string::npos);
  EXPECT_FALSE(auth.Check("", ingest_, Need::kAdmin, "", &p, &e));
  EXPECT_EQ(e.http_status, 403);
  EXPECT_TRUE(auth.Check("Bearer " + ingest_, "", Need::kIngest, "events", &p, &e));
  EXPECT_EQ(p.name, "ingest");

  ASSERT_TRUE(store_->Revoke(p.key_id).ok());
  EXPECT_FALSE(auth.Check("Bearer " + ingest_, "", Need::kIngest, "events", &p, &e));
  EXPECT_EQ(e.http_status, 401);
  EXPECT_NE(e.message.find("revoked"), std::string::npos);
}

TEST_F(AuthenticatorTest, DisabledModeIsAnonymousAdmin) {
  Authenticator auth(nullptr, false);
  EXPECT_FALSE(auth.enabled());
  auto p = auth.FromHeaders("", "");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->key_id, "anonymous");
  EXPECT_TRUE(p->IsAdmin());
  p = auth.FromHeaders("Bearer garbage", "more garbage");
  ASSERT_TRUE(p.ok());
  Principal out;
  AuthError e;
  EXPECT_TRUE(auth.Check("", "", Need::kAdmin, "", &out, &e));
  EXPECT_EQ(out.name, "anonymous");
}

}  // namespace
}  // namespace gamelake
