// The credential chain (config, environment, shared credentials file) and
// the INI parser's errors.
#include "s3/s3_credentials.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "../common/scratch_dir.h"
#include "../common/status_matchers.h"
#include "s3/ini_file.h"

namespace gamelake {
namespace {

class S3CredentialsTest : public ::testing::Test {
 protected:
  S3CredentialsOptions Options() {
    S3CredentialsOptions o;
    o.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    return o;
  }
  Result<S3ResolvedCredentials> Resolve(S3CredentialsOptions o) {
    return S3CredentialsProvider(std::move(o)).Resolve();
  }

  ScratchDir dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(S3CredentialsTest, ConfigPairComesFirst) {
  env_ = {{"AWS_ACCESS_KEY_ID", "ENVID"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}};
  S3CredentialsOptions o = Options();
  o.access_key_id = "CFGID";
  o.secret_access_key = "cfgsecret";
  o.session_token = "cfgtoken";
  Result<S3ResolvedCredentials> r = Resolve(o);
  GL_ASSERT_OK(r);
  EXPECT_EQ(r->credentials.access_key_id, "CFGID");
  EXPECT_EQ(r->credentials.secret_access_key, "cfgsecret");
  EXPECT_EQ(r->credentials.session_token, "cfgtoken");
  EXPECT_EQ(r->source, "config");

  o.secret_access_key.clear();
  EXPECT_THAT(Resolve(o), StatusIs(Status::Code::kInvalidArgument, "must be set together"));
}

TEST_F(S3CredentialsTest, EnvironmentBeforeFile) {
  std::string file = dir_.WriteFile("credentials",
                                    "[default]\naws_access_key_id = FILEID\n"
                                    "aws_secret_access_key = filesecret\n");
  env_ = {{"AWS_ACCESS_KEY_ID", "ENVID"},
          {"AWS_SECRET_ACCESS_KEY", "envsecret"},
          {"AWS_SESSION_TOKEN", "envtoken"},
          {"AWS_SHARED_CREDENTIALS_FILE", file}};
  Result<S3ResolvedCredentials> r = Resolve(Options());
  GL_ASSERT_OK(r);
  EXPECT_EQ(r->credentials.access_key_id, "ENVID");
  EXPECT_EQ(r->credentials.session_token, "envtoken");
  EXPECT_EQ(r->source, "environment");

  env_.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_THAT(Resolve(Options()),
              StatusIs(Status::Code::kInvalidArgument,
                       "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
  env_.erase("AWS_ACCESS_KEY_ID");
  env_["AWS_SECRET_ACCESS_KEY"] = "x";
  EXPECT_THAT(Resolve(Options()),
              StatusIs(Status::Code::kInvalidArgument,
                       "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
}

TEST_F(S3CredentialsTest, SharedFileAndProfiles) {
  std::string file = dir_.WriteFile("credentials",
                                    "# gamelake test\n"
                                    "[default]\n"
                                    "aws_access_key_id=DEFID\n"
                                    "aws_secret_access_key =  def/secret+x= \n"
                                    "\n"
                                    "; another\n"
                                    "[  lake  ]\n"
                                    "aws_access_key_id = LAKEID\n"
                                    "aws_secret_access_key = lakesecret\n"
                                    "aws_session_token = lake token\n"
                                    "s3 =\n"
                                    "  max_concurrent_requests = 4\n"
                                    "region = eu-west-1\n");
  // $HOME/.aws/credentials by default.
  ASSERT_EQ(std::system(("mkdir -p '" + dir_.path() + "/home/.aws' && cp '" + file + "' '" +
                         dir_.path() + "/home/.aws/credentials'")
                            .c_str()),
            0);
  env_ = {{"HOME", dir_.path() + "/home"}};
  Result<S3ResolvedCredentials> def = Resolve(Options());
  GL_ASSERT_OK(def);
  EXPECT_EQ(def->credentials.access_key_id, "DEFID");
  EXPECT_EQ(def->credentials.secret_access_key, "def/secret+x=");
  EXPECT_EQ(def->credentials.session_token, "");
  EXPECT_EQ(def->source, dir_.path() + "/home/.aws/credentials [default]");

  env_["AWS_PROFILE"] = "lake";
  Result<S3ResolvedCredentials> lake = Resolve(Options());
  GL_ASSERT_OK(lake);
  EXPECT_EQ(lake->credentials.access_key_id, "LAKEID");
  EXPECT_EQ(lake->credentials.session_token, "lake token");

  // The option beats the environment; AWS_SHARED_CREDENTIALS_FILE beats HOME.
  S3CredentialsOptions o = Options();
  o.profile = "default";
  EXPECT_EQ(Resolve(o)->credentials.access_key_id, "DEFID");
  env_["AWS_SHARED_CREDENTIALS_FILE"] = dir_.WriteFile("other",
                                                       "[lake]\naws_access_key_id = O\n"
                                                       "aws_secret_access_key = o\n");
  EXPECT_EQ(Resolve(Options())->credentials.access_key_id, "O");

  env_["AWS_PROFILE"] = "nope";
  EXPECT_THAT(Resolve(Options()), StatusIs(Status::Code::kNotFound, "profile [nope] is not in"));
  EXPECT_THAT(Resolve(Options()), StatusIs(Status::Code::kNotFound, "(it has: lake)"));
}

TEST_F(S3CredentialsTest, MissingEverythingSaysWhereItLooked) {
  env_ = {{"HOME", dir_.path()}};
  Result<S3ResolvedCredentials> r = Resolve(Options());
  EXPECT_THAT(r, StatusIs(Status::Code::kNotFound, "no S3 credentials found"));
  EXPECT_THAT(r, StatusIs(Status::Code::kNotFound, dir_.path() + "/.aws/credentials"));
  EXPECT_THAT(r, StatusIs(Status::Code::kNotFound, "metadata endpoints are not supported"));

  env_["AWS_SHARED_CREDENTIALS_FILE"] = dir_.path() + "/missing";
  EXPECT_THAT(Resolve(Options()), StatusIs(Status::Code::kNotFound, "missing does not exist"));
}

TEST_F(S3CredentialsTest, MalformedFilesNameFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"[default\naws_access_key_id = x\n", ":1:9: expected ']'"},
      {"[default]\naws_access_key_id x\n", ":2:1: expected 'key = value' or '[section]'"},
      {"[default]\n  = x\n", ":2:3: empty key before '='"},
      {"aws_access_key_id = x\n[default]\n", ":1:1: 'aws_access_key_id' is outside any"},
      {"[]\n", ":1:2: empty section name"},
      {"[default] junk\n", ":1:11: unexpected text after the section header"},
      {"[default]\naws_access_key_id = a\x01"
       "b\n",
       ":2:22: control character"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    std::string file = dir_.WriteFile("bad", c.text);
    env_ = {{"AWS_SHARED_CREDENTIALS_FILE", file}};
    EXPECT_THAT(Resolve(Options()),
                StatusIs(Status::Code::kInvalidArgument, file + std::string(c.error)));
  }
  std::string half = dir_.WriteFile("half", "\n[default]\naws_access_key_id = x\n");
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", half}};
  EXPECT_THAT(Resolve(Options()),
              StatusIs(Status::Code::kInvalidArgument, half + ":2: profile [default] needs both"));
}

TEST_F(S3CredentialsTest, GetCachesAndInvalidateRereads) {
  std::string file = dir_.WriteFile("credentials",
                                    "[default]\naws_access_key_id = ONE\n"
                                    "aws_secret_access_key = s\n");
  env_ = {{"AWS_SHARED_CREDENTIALS_FILE", file}};
  S3CredentialsProvider provider(Options());
  EXPECT_EQ(provider.Get()->access_key_id, "ONE");
  dir_.WriteFile("credentials", "[default]\naws_access_key_id = TWO\naws_secret_access_key = s\n");
  EXPECT_EQ(provider.Get()->access_key_id, "ONE");  // Cached.
  provider.Invalidate();
  EXPECT_EQ(provider.Get()->access_key_id, "TWO");
}

TEST(IniFileTest, MergesSectionsAndKeepsLastValue) {
  Result<IniFile> ini = IniFile::Parse("[a]\nx = 1\n[b]\ny=2\n[a]\nx = 3\nz = 4\n", "f");
  GL_ASSERT_OK(ini);
  const IniFile::Section* a = ini->Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->line, 1);
  EXPECT_EQ(a->values.at("x").text, "3");
  EXPECT_EQ(a->values.at("x").line, 6);
  EXPECT_EQ(a->values.at("z").text, "4");
  EXPECT_EQ(ini->Find("c"), nullptr);
  // CRLF files work.
  Result<IniFile> crlf = IniFile::Parse("[a]\r\nx = 1\r\n", "f");
  GL_ASSERT_OK(crlf);
  EXPECT_EQ(crlf->Find("a")->values.at("x").text, "1");
}

}  // namespace
}  // namespace gamelake
