// Helpers for tests that run programs: a shell command, the gamelake binary
// under test (GAMELAKE_BINARY, set by tests/CMakeLists.txt), and the dev keys
// a first start writes. Not thread-safe (popen).
#ifndef GAMELAKE_TESTS_COMMON_RUN_COMMAND_H_
#define GAMELAKE_TESTS_COMMON_RUN_COMMAND_H_

#include <stdio.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace gamelake {

struct CommandResult {
  int exit_code = -1;  // -1 if it could not run or did not exit normally.
  std::string output;  // What it wrote to stdout.
};

// Runs `command` with /bin/sh and waits for it.
inline CommandResult RunCommand(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) r.output.append(buf, n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

#ifdef GAMELAKE_BINARY
// Runs `gamelake <args>`; output holds its stdout and stderr.
inline CommandResult RunGamelake(const std::string& args) {
  return RunCommand(std::string(GAMELAKE_BINARY) + " " + args + " 2>&1");
}
#endif

// The keys of <data_dir>/dev-keys.txt by name ("dev-admin", "dev-ingest").
inline std::map<std::string, std::string> DevKeys(const std::string& data_dir) {
  std::ifstream in(data_dir + "/dev-keys.txt");
  std::map<std::string, std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, scope, key;
    if (fields >> name >> scope >> key) keys[name] = key;
  }
  return keys;
}

}  // namespace gamelake

#endif  // GAMELAKE_TESTS_COMMON_RUN_COMMAND_H_
