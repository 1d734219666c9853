// `gamelake keys create|list|revoke`: manage the API keys of a data directory.
//
// The commands work on <data>/keys directly (see auth/key_store.h); a running
// server on the same data directory picks the change up within a second.
// `create` prints the new full key alone on the last line of its output, so
// scripts can take it with `tail -n 1`; it is never shown again.
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_KEYS_COMMAND_H_
#define GAMELAKE_CLI_KEYS_COMMAND_H_

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace gamelake {

struct KeysCommand {
  CLI::App* keys = nullptr;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;

  std::string data_dir;  // Empty: Config's default ("gamelake-data").
  std::string name;
  std::string scope;
  std::string streams;  // "a,b"; empty: every stream.
  uint64_t rate_records = 0;
  uint64_t rate_bytes = 0;
  std::string revoke_id;
};

// Registers the `keys` subcommand tree on app, parsing into *command.
void AddKeysCommand(CLI::App* app, KeysCommand* command);
// Runs the parsed `keys` subcommand; returns the process exit code.
int RunKeysCommand(const KeysCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_KEYS_COMMAND_H_
