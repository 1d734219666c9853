// ScratchDir: a fresh, empty directory for one test, removed when the object
// goes away. Named after the running test (and the process and a counter), so
// tests running in parallel never share one. Also ReadFileBytes, a whole
// file's bytes. Not thread-safe.
#ifndef GAMELAKE_TESTS_COMMON_SCRATCH_DIR_H_
#define GAMELAKE_TESTS_COMMON_SCRATCH_DIR_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace gamelake {

class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info != nullptr ? std::string(info->test_suite_name()) + "_" + info->name()
                                       : std::string("no_test");
    path_ = (std::filesystem::path(::testing::TempDir()) /
             ("gl_" + name + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++)))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

  // Writes `bytes` to the file `name` in the directory (replacing it);
  // returns its path.
  std::string WriteFile(const std::string& name, const std::string& bytes) const {
    std::string file = path_ + "/" + name;
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
  }

 private:
  std::string path_;
};

// The bytes of the file at `path` ("" if it cannot be read).
inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_COMMON_SCRATCH_DIR_H_
