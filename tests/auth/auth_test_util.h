// Helpers shared by the auth tests: a fresh temporary directory per test.
#ifndef GAMELAKE_TESTS_AUTH_AUTH_TEST_UTIL_H_
#define GAMELAKE_TESTS_AUTH_AUTH_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace gamelake {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = testing::TempDir() + "/gl_auth_XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) ? tmpl : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_AUTH_AUTH_TEST_UTIL_H_
