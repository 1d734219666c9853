// `gamelake generate`: makes realistic game events from a Kinesis Data
// Generator template (or a built-in one) and sends them to a gamelake server
// (native or Firehose API) or writes them as NDJSON. See docs/generator.md.
//
// Exit codes: 0 all records sent (or written); 1 an error stopped the run
// (bad flags or template, unreachable server, rejected key, unwritable
// output); 3 the run finished but some records were rejected or not sent.
//
// Thread-safety: run from main only.
#ifndef GAMELAKE_CLI_GENERATE_COMMAND_H_
#define GAMELAKE_CLI_GENERATE_COMMAND_H_

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace gamelake {

struct GenerateCommand {
  CLI::App* app = nullptr;

  std::string template_spec;  // FILE, "-" or builtin:NAME.
  std::string template_text;
  std::string rate = "unlimited";
  uint64_t count = 0;
  double duration_s = 0;
  size_t batch = 500;
  std::string url;
  std::string key;
  std::string stream = "events";
  std::string output;
  std::string seed;  // Empty: random (and the real clock).
  std::string start_time;
  double time_step_ms = 0;
  std::string api = "native";
  std::string region = "us-east-1";
  int connections = 4;
  int retries = 5;
  bool check = false;
  bool quiet = false;
};

// Registers the `generate` subcommand on app, parsing into *command.
void AddGenerateCommand(CLI::App* app, GenerateCommand* command);
// Runs a parsed `generate`; returns the process exit code.
int RunGenerateCommand(const GenerateCommand& command);

}  // namespace gamelake

#endif  // GAMELAKE_CLI_GENERATE_COMMAND_H_
