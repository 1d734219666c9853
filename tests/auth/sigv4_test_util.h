// Helpers for the SigV4 tests: an Env with a settable clock, and the AWS
// documentation's example credentials. Not thread-safe.
#ifndef GAMELAKE_TESTS_AUTH_SIGV4_TEST_UTIL_H_
#define GAMELAKE_TESTS_AUTH_SIGV4_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4.h"
#include "common/env.h"

namespace gamelake {

// The example key pair of the AWS SigV4 documentation and test suite.
inline constexpr std::string_view kExampleKeyId = "AKIDEXAMPLE";
inline constexpr std::string_view kExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// 2015-08-30T12:36:00Z, the test suite's X-Amz-Date.
inline constexpr int64_t kExampleTimeUs = 1440938160ll * 1000000;

// Env::Default() with a clock the test sets.
class ClockEnv final : public Env {
 public:
  explicit ClockEnv(int64_t now_us) : now_us_(now_us) {}
  void SetNowMicros(int64_t now_us) { now_us_ = now_us; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return base_->NewWritableFile(path);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return base_->NewAppendableFile(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  Result<uint64_t> GetFileSize(const std::string& path) override {
    return base_->GetFileSize(path);
  }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status RemoveDir(const std::string& dir) override { return base_->RemoveDir(dir); }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_->TruncateFile(path, size);
  }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }
  Result<uint64_t> FreeDiskBytes(const std::string& path) override {
    return base_->FreeDiskBytes(path);
  }
  int64_t NowMicros() override { return now_us_; }
  int64_t MonotonicMicros() override { return base_->MonotonicMicros(); }

 private:
  Env* base_ = Env::Default();
  int64_t now_us_;
};

// A secret lookup over a fixed map: unknown ids are NotFound.
inline SigV4Verifier::SecretLookup MapLookup(std::map<std::string, std::string> secrets) {
  return [secrets = std::move(secrets)](std::string_view id) -> Result<std::string> {
    auto it = secrets.find(std::string(id));
    if (it == secrets.end()) return Status::NotFound("no such key");
    return it->second;
  };
}

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_AUTH_SIGV4_TEST_UTIL_H_
