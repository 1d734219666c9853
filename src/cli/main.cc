// gamelake: the command-line entry point. `gamelake serve` runs the pipeline.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/apps_command.h"
#include "cli/catalog_command.h"
#include "cli/generate_command.h"
#include "cli/keys_command.h"
#include "cli/kpi_command.h"
#include "cli/lake_commands.h"
#include "cli/metrics_command.h"
#include "cli/query_command.h"
#include "cli/server_client.h"
#include "common/env.h"
#include "server/config.h"
#include "server/server.h"

namespace gamelake {
namespace {

constexpr const char* kVersion = "0.1.0";

void SetUpLogging(const std::string& level) {
  // Logs go to stderr; stdout carries only what a user asked for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("gamelake"));
  spdlog::set_pattern("ts=%Y-%m-%dT%H:%M:%S.%fZ level=%l %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(spdlog::level::from_str(level));
}

int Fail(const Status& s) {
  std::fprintf(stderr, "gamelake: %s\n", s.ToString().c_str());
  return 1;
}

struct ServeFlags {
  std::string config_file;
  std::string data_dir;
  std::string listen;
  std::string durability;
  std::vector<std::string> settings;
  bool demo = false;
};

// Where the built console is when console.dir is not set: beside the binary
// (<bin>/../web/dist when run from a build folder of the source tree, or
// <bin>/../share/gamelake/console when installed); "" when neither exists.
std::string DefaultConsoleDir() {
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return "";
  std::string bin(exe, static_cast<size_t>(n));
  std::string dir = bin.substr(0, bin.rfind('/'));
  for (const char* candidate : {"/../web/dist", "/../share/gamelake/console"}) {
    std::string path = dir + candidate;
    if (Env::Default()->FileExists(path + "/index.html")) return path;
  }
  return "";
}

int Serve(const ServeFlags& flags) {
  Config config;
  if (!flags.config_file.empty()) {
    if (Status s = LoadConfigFile(flags.config_file, &config); !s.ok()) return Fail(s);
  }
  for (const std::string& kv : flags.settings) {
    if (Status s = ApplySetting(kv, &config); !s.ok()) return Fail(s);
  }
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (!flags.listen.empty()) {
    if (Status s = ParseListen(flags.listen, &config); !s.ok()) return Fail(s);
  }
  if (!flags.durability.empty()) {
    if (Status s = ApplySetting("log.durability=" + flags.durability, &config); !s.ok()) {
      return Fail(s);
    }
  }
  config.demo = flags.demo;
  if (config.console_dir.empty()) config.console_dir = DefaultConsoleDir();
  SetUpLogging(config.log_level);

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // Reload the TLS certificate.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  auto server = Server::Start(config);
  if (!server.ok()) return Fail(server.status());
  std::string url = (*server)->url();
  std::printf("gamelake %s listening on %s (data in %s)\n", kVersion, url.c_str(),
              config.data_dir.c_str());
  if ((*server)->plain_port() != 0) {
    std::printf("gamelake plain HTTP beside it on %s:%u\n", config.plain_listen_host.c_str(),
                static_cast<unsigned>((*server)->plain_port()));
  }
  if (config.console_enabled && !config.console_dir.empty()) {
    std::printf("gamelake console: %s/\n", url.c_str());
  }
  std::fflush(stdout);

  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    spdlog::info("msg=\"signal received: reloading the TLS certificate\" signal=SIGHUP");
    (void)(*server)->ReloadTls();  // Logged and counted; the old one keeps serving.
  }
  spdlog::info("msg=\"signal received\" signal={}", sig == SIGINT ? "SIGINT" : "SIGTERM");
  Status s = (*server)->Shutdown();
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace
}  // namespace gamelake

int main(int argc, char** argv) {
  CLI::App app{"gamelake: self-hosted game analytics pipeline"};
  app.require_subcommand(1);
  // How commands trust an https:// server; given anywhere on the command line.
  app.fallthrough();
  gamelake::TlsClientOptions client_tls;
  app.add_option("--ca-file", client_tls.ca_file,
                 "PEM CA certificates to trust for https:// URLs instead of the system's")
      ->envname("GAMELAKE_CA_FILE");
  app.add_flag("--insecure", client_tls.insecure,
               "Do not verify the https:// server's certificate (tests only)")
      ->envname("GAMELAKE_TLS_INSECURE");

  gamelake::ServeFlags serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Run the ingest server, log and lake delivery");
  serve_cmd->add_option("--config", serve.config_file, "TOML settings file")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("--data-dir", serve.data_dir, "Data directory (default ./gamelake-data)");
  serve_cmd->add_option("--listen", serve.listen,
                        "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve_cmd->add_option("--durability", serve.durability, "fsync (default) or none");
  serve_cmd->add_option("--set", serve.settings,
                        "Any setting as name=value, e.g. --set delivery.buffer_interval_s=5 "
                        "(see docs/configuration.md); repeatable");
  serve_cmd->add_flag("--demo", serve.demo, "Demo mode: sample game events flow in at once");

  gamelake::KeysCommand keys;
  gamelake::AddKeysCommand(&app, &keys);

  gamelake::GenerateCommand generate;
  gamelake::AddGenerateCommand(&app, &generate);

  gamelake::CatalogCommand catalog;
  gamelake::AddCatalogCommands(&app, &catalog);

  gamelake::QueryCommand query;
  gamelake::AddQueryCommand(&app, &query);

  gamelake::KpiCommand kpi;
  gamelake::AddKpiCommand(&app, &kpi);

  gamelake::LakeCommands lake;
  gamelake::AddLakeCommands(&app, &lake);

  gamelake::MetricsCommand metrics;
  gamelake::AddMetricsCommand(&app, &metrics);

  gamelake::AppsCommand apps;
  gamelake::AddAppsCommand(&app, &apps);

  app.add_subcommand("version", "Print the version")->callback([] {
    std::printf("gamelake %s\n", gamelake::kVersion);
  });

  CLI11_PARSE(app, argc, argv);
  gamelake::SetClientTls(client_tls);
  if (serve_cmd->parsed()) return gamelake::Serve(serve);
  if (keys.keys->parsed()) return gamelake::RunKeysCommand(keys);
  if (generate.app->parsed()) return gamelake::RunGenerateCommand(generate);
  if (gamelake::CatalogCommandParsed(catalog)) return gamelake::RunCatalogCommand(catalog);
  if (query.query->parsed()) return gamelake::RunQueryCommand(query);
  if (kpi.app->parsed()) return gamelake::RunKpiCommand(kpi);
  if (gamelake::LakeCommandParsed(lake)) return gamelake::RunLakeCommand(lake);
  if (gamelake::MetricsCommandParsed(metrics)) return gamelake::RunMetricsCommand(metrics);
  if (gamelake::AppsCommandParsed(apps)) return gamelake::RunAppsCommand(apps);
  return 0;
}
