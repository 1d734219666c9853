// `gamelake apps ...`: streaming SQL applications (KDA applications) from the
// command line, through a running server's /v1/apps endpoints — the one given
// by --url, or the one holding the data dir — with an admin key (--key,
// $GAMELAKE_KEY, or the data dir's dev key). See docs/streaming.md.
//
//   gamelake apps create NAME --source STREAM --sql-file F|- [--from now|earliest]
//                        [--rowtime-field F] [--schema-file F]
//                        [--destination IN_APP_STREAM=KIND:TARGET]...
//                        [--reference TABLE=FILE.csv]... [--no-start]
//   gamelake apps update NAME [--source S] [--sql-file F|-] [--rowtime-field F]
//                        [--schema-file F] [--destination ...]... [--no-destinations]
//                        [--reference TABLE=FILE.csv]... [--no-references]
//   gamelake apps discover --source STREAM [--sample N]
//                        (the columns as KDA named them: name, SQL type, mapping)
//   gamelake apps list | describe NAME | start NAME | stop NAME | delete NAME
//   gamelake apps tail NAME STREAM   (follows the stream's rows live, one JSON a line)
// Every subcommand but tail takes --format text (default) or json (the server's answer).
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_APPS_COMMAND_H_
#define GAMELAKE_CLI_APPS_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gamelake {

struct AppsCommand {
  CLI::App* apps = nullptr;
  CLI::App* create = nullptr;
  CLI::App* update = nullptr;
  CLI::App* discover = nullptr;
  CLI::App* list = nullptr;
  CLI::App* describe = nullptr;
  CLI::App* start = nullptr;
  CLI::App* stop = nullptr;
  CLI::App* del = nullptr;
  CLI::App* tail = nullptr;

  std::string name;
  std::string stream;  // tail
  std::string source;
  std::string sql_file;
  std::string from;
  std::string rowtime_field;
  bool rowtime_field_given = false;
  std::string schema_file;
  std::vector<std::string> destinations;
  bool no_destinations = false;
  std::vector<std::string> references;  // TABLE=FILE.csv
  bool no_references = false;
  bool no_start = false;
  uint64_t sample = 100;
  std::string format = "text";

  std::string url;
  std::string key;
  std::string data_dir;  // Empty: "gamelake-data".
};

void AddAppsCommand(CLI::App* app, AppsCommand* command);
bool AppsCommandParsed(const AppsCommand& command);
int RunAppsCommand(const AppsCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_APPS_COMMAND_H_
