// `gamelake crawl` and `gamelake catalog ddl|tables`: the catalog of a data
// directory from the command line (see docs/catalog.md).
//
// `crawl` rebuilds <data>/catalog/catalog.json from the lake with a full
// crawl. It takes the data dir's LOCK first and refuses to run while a server
// holds it: a running server owns catalog.json and crawls on request
// (POST /v1/catalog/crawl). `catalog ddl` and `catalog tables` only read
// catalog.json (no lock); with no catalog.json yet they crawl the lake into a
// throwaway catalog and say so on stderr.
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_CATALOG_COMMAND_H_
#define GAMELAKE_CLI_CATALOG_COMMAND_H_

#include <string>

#include <CLI/CLI.hpp>

namespace gamelake {

struct CatalogCommand {
  CLI::App* crawl = nullptr;
  CLI::App* catalog = nullptr;
  CLI::App* ddl = nullptr;
  CLI::App* tables = nullptr;

  std::string data_dir;  // Empty: Config's default ("gamelake-data").
  std::string dialect;
  std::string location;  // Empty: file://<absolute lake dir>.
  std::string database = "lake";
};

// Registers `crawl` and the `catalog` subcommand tree on app.
void AddCatalogCommands(CLI::App* app, CatalogCommand* command);
// True if one of the commands was parsed.
bool CatalogCommandParsed(const CatalogCommand& command);
// Runs the parsed command; returns the process exit code.
int RunCatalogCommand(const CatalogCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_CATALOG_COMMAND_H_
