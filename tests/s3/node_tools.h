// Helpers for the tests that use tests/s3's npm packages (s3rver, the AWS
// SDK's S3 client and signer; scripts/setup.sh installs them): whether they
// are there, a background s3rver on 127.0.0.1 that lives as long as the
// object, and running s3_check.js with JSON in and out (RunS3CheckForArray
// parses what it prints). Not thread-safe.
#ifndef GAMELAKE_TESTS_S3_NODE_TOOLS_H_
#define GAMELAKE_TESTS_S3_NODE_TOOLS_H_

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>

#include "../common/run_command.h"

namespace gamelake {

inline std::string S3ToolsDir() { return std::string(GAMELAKE_SOURCE_DIR) + "/tests/s3"; }

// Empty when node and the packages are there; else why not (for GTEST_SKIP).
inline std::string S3ToolsMissing() {
  if (RunCommand("/usr/bin/env node --version >/dev/null 2>&1").exit_code != 0) {
    return "node is not installed";
  }
  for (const char* p : {"s3rver", "@aws-sdk/client-s3", "@smithy/signature-v4"}) {
    if (!std::filesystem::exists(S3ToolsDir() + "/node_modules/" + p)) {
      return std::string("run scripts/setup.sh (npm ci in tests/s3) first: no ") + p;
    }
  }
  return "";
}

// Runs `node s3_check.js <args>` with `input` on its standard input.
inline CommandResult RunS3Check(const std::string& args, const std::string& input,
                                const std::string& scratch_dir) {
  std::string in = scratch_dir + "/s3_check_input.json";
  std::ofstream(in, std::ios::binary) << input;
  return RunCommand("cd '" + S3ToolsDir() +
                    "' && NODE_NO_WARNINGS=1 timeout 120 node s3_check.js " + args + " < '" + in +
                    "'");
}

// RunS3Check, then its output parsed (by *parser, which *out lives in) as
// the JSON array the script prints; a failure says why, with the output.
inline ::testing::AssertionResult RunS3CheckForArray(const std::string& args,
                                                     const std::string& input,
                                                     const std::string& scratch_dir,
                                                     simdjson::dom::parser* parser,
                                                     simdjson::dom::array* out) {
  CommandResult r = RunS3Check(args, input, scratch_dir);
  if (r.exit_code != 0) {
    return ::testing::AssertionFailure()
           << "s3_check.js " << args << " exited with " << r.exit_code << ": " << r.output;
  }
  simdjson::dom::element root;
  if (parser->parse(r.output).get(root) != simdjson::SUCCESS ||
      root.get(*out) != simdjson::SUCCESS) {
    return ::testing::AssertionFailure()
           << "s3_check.js " << args << " printed no JSON array: " << r.output;
  }
  return ::testing::AssertionSuccess();
}

// s3rver on 127.0.0.1 (`port`, or a free one when 0), storing into `dir`,
// with bucket "gl-test"; stopped (its standard input closed, then killed if
// need be) when destroyed. A new one on the same dir and port serves what
// the last one stored (a store that went away and came back).
class S3rverProcess {
 public:
  explicit S3rverProcess(const std::string& dir, int port = 0) {
    const std::string port_text = std::to_string(port);
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) return;
    // posix_spawn, not fork: a fork in a test that has DuckDB loaded runs its
    // jemalloc's atfork handler, too many locks for ThreadSanitizer.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    const std::string tools_dir = S3ToolsDir();
    posix_spawn_file_actions_addchdir_np(&actions, tools_dir.c_str());
    // s3rver 3.7 encrypts its ListObjectsV2 continuation tokens with DES,
    // which Node 17+ (OpenSSL 3) only has in the legacy provider.
    std::string dir_arg = dir;
    std::vector<std::string> args = {
        "node", "--openssl-legacy-provider", "s3_check.js", "serve", dir_arg, port_text};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    // The first line is {"port": N}; wait at most 30 s for it.
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      if (poll(&p, 1, 500) <= 0) continue;
      char buf[256];
      ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    close(out[0]);
    size_t colon = line.find(':');
    if (colon != std::string::npos) port_ = std::atoi(line.c_str() + colon + 1);
  }
  ~S3rverProcess() {
    if (pid_ <= 0) return;
    close(stdin_);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  S3rverProcess(const S3rverProcess&) = delete;
  S3rverProcess& operator=(const S3rverProcess&) = delete;

  int port() const { return port_; }  // 0 if it did not start.
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
};

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_S3_NODE_TOOLS_H_
