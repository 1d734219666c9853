// `gamelake metrics put|list|get`: the metrics store from the command line
// (docs/metrics.md), through a running server's /v1/metrics endpoints — the
// one given by --url, or the one holding the data dir — with an admin key
// (--key, $GAMELAKE_KEY, or the data dir's dev key).
//
//   gamelake metrics put --namespace NS --name M --value V [--dimension K=V]...
//                        [--unit U] [--resolution 1|60] [--timestamp T]
//   gamelake metrics list [--namespace NS] [--name M] [--dimension K[=V]]...
//                        (one metric a line: namespace, name, dimensions)
//   gamelake metrics get --namespace NS --name M [--dimension K=V]...
//                        [--stat Sum]... [--period 60] [--since 1h | --start T --end T]
//                        [--unit U]
// Every subcommand takes --format text (default) or json (the server's answer).
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_METRICS_COMMAND_H_
#define GAMELAKE_CLI_METRICS_COMMAND_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace gamelake {

struct MetricsCommand {
  CLI::App* metrics = nullptr;
  CLI::App* put = nullptr;
  CLI::App* list = nullptr;
  CLI::App* get = nullptr;

  std::string ns;
  std::string name;
  std::vector<std::string> dimensions;  // K=V (list: K or K=V)
  double value = 0;
  std::string unit;
  int resolution = 60;
  std::string timestamp;  // ISO 8601 or epoch seconds; empty: now.
  std::vector<std::string> stats;
  int64_t period_s = 60;
  std::string since = "1h";
  std::string start;
  std::string end;
  std::string format = "text";

  std::string url;
  std::string key;
  std::string data_dir;  // Empty: "gamelake-data".
};

void AddMetricsCommand(CLI::App* app, MetricsCommand* command);
bool MetricsCommandParsed(const MetricsCommand& command);
int RunMetricsCommand(const MetricsCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_METRICS_COMMAND_H_
