// `gamelake crawl` and `gamelake catalog ddl|tables`: the catalog of a data
// directory from the command line (see docs/catalog.md).
//
// `crawl` rebuilds <data>/catalog/catalog.json from the lake with a full
// crawl. It takes the data dir's LOCK first and refuses to run while a server
// holds it: a running server owns catalog.json and crawls on request
// (POST /v1/catalog/crawl). `catalog ddl` and `catalog tables` only read
// catalog.json (no lock); with no catalog.json yet they crawl the lake into a
// throwaway catalog and say so on stderr. `catalog ddl` reads the server's
// config (--config, --set) for lake.location: on an S3 lake the DDL points at
// the bucket (Athena with partition projection).
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_CATALOG_COMMAND_H_
#define GAMELAKE_CLI_CATALOG_COMMAND_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gamelake {

struct CatalogCommand {
  CLI::App* crawl = nullptr;
  CLI::App* catalog = nullptr;
  CLI::App* ddl = nullptr;
  CLI::App* tables = nullptr;

  std::string data_dir;  // Empty: Config's default ("gamelake-data").
  std::string dialect;
  // Empty: lake.location when the config puts the lake on S3, else
  // file://<absolute lake dir>.
  std::string location;
  std::string database = "lake";
  std::string config_file;            // --config: the server's TOML (lake.location, data_dir).
  std::vector<std::string> settings;  // --set name=value, as for serve.
};

// Registers `crawl` and the `catalog` subcommand tree on app.
void AddCatalogCommands(CLI::App* app, CatalogCommand* command);
// True if one of the commands was parsed.
bool CatalogCommandParsed(const CatalogCommand& command);
// Runs the parsed command; returns the process exit code.
int RunCatalogCommand(const CatalogCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_CATALOG_COMMAND_H_
