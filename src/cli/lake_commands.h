// `gamelake compact`, `gamelake retention show|apply` and `gamelake erase`:
// the lake's maintenance from the command line (docs/lake_format.md,
// docs/privacy.md).
//
// Each runs against a running server (--url, or the server holding the data
// dir), through its /v1/lake and /v1/erasures endpoints with an admin key;
// or, when no server holds the data dir, on the data dir itself: it takes
// the LOCK, cleans what a crash left, brings the catalog up to date, and
// runs the same code the server runs (erase first delivers what the log
// still holds). Settings (retention rules, compaction targets) come from
// --config and --set, as for `gamelake serve`.
//
//   gamelake compact [--stream S] [--dry-run]
//   gamelake retention show | apply [--dry-run]
//   gamelake erase --stream S [--stream T] --where "PlayerID = 42" [--no-wait]
//   gamelake erase --list | --status ID
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_LAKE_COMMANDS_H_
#define GAMELAKE_CLI_LAKE_COMMANDS_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gamelake {

struct LakeCommands {
  CLI::App* compact = nullptr;
  CLI::App* retention = nullptr;
  CLI::App* retention_show = nullptr;
  CLI::App* retention_apply = nullptr;
  CLI::App* erase = nullptr;

  std::vector<std::string> streams;  // --stream (compact: at most one).
  std::string where;
  bool dry_run = false;
  bool no_wait = false;
  bool list = false;
  std::string status_id;
  double wait_s = 3600;
  std::string format = "text";  // text or json

  std::string url;
  std::string key;
  std::string data_dir;  // Empty: "gamelake-data".
  std::string config_file;
  std::vector<std::string> settings;
};

void AddLakeCommands(CLI::App* app, LakeCommands* commands);
bool LakeCommandParsed(const LakeCommands& commands);
int RunLakeCommand(const LakeCommands& commands);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_LAKE_COMMANDS_H_
