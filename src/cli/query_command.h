// `gamelake query "SQL"`: runs one SQL statement and prints the result.
//
// Where it runs:
//  - with --url: against that server's POST /v1/query, with an admin key
//    from --key, else $GAMELAKE_KEY, else the data dir's dev-keys.txt;
//  - else, if a server holds the data dir (its LOCK), against that server
//    (its address is in <data>/server.url), so fresh records are included;
//  - else directly on the data dir: the catalog is brought up to date with
//    the lake and the query runs in-process over the delivered files.
// --format table (default on a terminal), csv or json (the /v1/query document).
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_QUERY_COMMAND_H_
#define GAMELAKE_CLI_QUERY_COMMAND_H_

#include <string>

#include <CLI/CLI.hpp>

namespace gamelake {

struct QueryCommand {
  CLI::App* query = nullptr;
  std::string sql;
  std::string url;
  std::string key;
  std::string data_dir;  // Empty: "gamelake-data".
  std::string format;    // Empty: table.
  double timeout_s = 0;
};

void AddQueryCommand(CLI::App* app, QueryCommand* command);
int RunQueryCommand(const QueryCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_QUERY_COMMAND_H_
