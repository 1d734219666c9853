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

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "catalog/catalog.h"
#include "common/file_lock.h"
#include "query/query_engine.h"
#include "query/result_sink.h"

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

// A data dir opened for SQL without a server: its LOCK held, the catalog
// brought up to date with the lake (unreadable files reported on stderr
// under `command`'s name), an engine over the delivered files.
struct LocalQueryEngine {
  std::optional<FileLock> lock;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<QueryEngine> engine;  // Declared last: closed first.
};
Result<LocalQueryEngine> OpenLocalQueryEngine(const std::string& data_dir, double timeout_s,
                                              const std::string& command);

// Feeds a /v1/query JSON document (or a /v1/kpis/{name} one) to a result
// writer, e.g. to print it as a table.
Status RenderQueryJson(const std::string& body, ResultSink* sink);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_QUERY_COMMAND_H_
