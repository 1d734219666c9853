// `gamelake kpi NAME`: computes one game KPI (docs/kpis.md) and prints it;
// `gamelake kpi` alone lists the KPIs.
//
// Where it runs, as `gamelake query` does: with --url, that server's
// GET /v1/kpis/{name} (admin key from --key, $GAMELAKE_KEY or the data dir's
// dev-keys.txt); else the server holding the data dir; else the data dir
// itself (delivered files only), with the kpi.* settings of --config and
// --set. --format table (default), csv or json (the /v1/kpis document);
// --sql also prints the SQL that ran (json: its "sql" member).
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_KPI_COMMAND_H_
#define GAMELAKE_CLI_KPI_COMMAND_H_

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gamelake {

struct KpiCommand {
  CLI::App* app = nullptr;
  std::string name;                           // Empty: list the KPIs.
  std::map<std::string, std::string> params;  // stream, from, to... as given.
  bool sql = false;
  std::string url;
  std::string key;
  std::string data_dir;
  std::string config_file;
  std::vector<std::string> settings;
  std::string format;
  double timeout_s = 0;
};

void AddKpiCommand(CLI::App* app, KpiCommand* command);
int RunKpiCommand(const KpiCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_KPI_COMMAND_H_
