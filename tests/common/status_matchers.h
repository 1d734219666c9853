// Status matchers for GoogleTest, after Abseil's: a failing check prints the
// Status that came back, and negative tests say which error they expect.
//
//   GL_ASSERT_OK(wal->Close());
//   EXPECT_THAT(catalog->AddFile("x"), StatusIs(Status::Code::kNotFound, "not found"));
//
// Both work on a Status and on a Result<T>. Not thread-safe (GoogleTest's rules).
#ifndef GAMELAKE_TESTS_COMMON_STATUS_MATCHERS_H_
#define GAMELAKE_TESTS_COMMON_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// How GoogleTest prints a Status or a Result in a failure (not as bytes).
inline void PrintTo(const Status& s, std::ostream* os) { *os << s.ToString(); }
template <typename T>
void PrintTo(const Result<T>& r, std::ostream* os) {
  *os << (r.ok() ? std::string("a value") : r.status().ToString());
}

MATCHER(IsOk, "is OK") {
  Status s = StatusOf(arg);
  if (!s.ok()) *result_listener << "which is " << s.ToString();
  return s.ok();
}

// The code matches and the message contains `substring`.
MATCHER_P2(StatusIs, code, substring,
           std::string("is an error with code ") + std::string(CodeName(code)) +
               " whose message contains \"" + std::string(substring) + "\"") {
  Status s = StatusOf(arg);
  *result_listener << "which is " << s.ToString();
  return s.code() == code && s.message().find(substring) != std::string::npos;
}

}  // namespace gamelake

#define GL_ASSERT_OK(expr) ASSERT_THAT((expr), ::gamelake::IsOk())
#define GL_EXPECT_OK(expr) EXPECT_THAT((expr), ::gamelake::IsOk())

#endif  // GAMELAKE_TESTS_COMMON_STATUS_MATCHERS_H_
