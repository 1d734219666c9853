#include "cli/kpi_command.h"

#include <cstdio>

#include <fmt/format.h>
#include <simdjson.h>

#include "cli/cli_config.h"
#include "cli/query_command.h"
#include "cli/server_client.h"
#include "common/percent_decode.h"
#include "kpi/kpi_catalog.h"
#include "server/kpi_api.h"

namespace gamelake {

namespace {

// The request parameters that have their own flags, in the order --help shows them.
constexpr const char* kParams[][2] = {
    {"stream", "Stream to read (default: kpi.stream, events)"},
    {"from", "First day, YYYY-MM-DD (default: 29 days before --to)"},
    {"to", "Last day, YYYY-MM-DD, inclusive (default: today, UTC)"},
    {"granularity", "day, week or month"},
    {"segment", "Field to break the KPI down by, e.g. platform, country, app_version"},
    {"tz", "Time zone days begin in, e.g. America/Los_Angeles"},
    {"mode", "retention: classic or rolling"},
    {"days", "retention, ltv: last day since install (default 30)"},
    {"by", "deaths: enemy or position"},
    {"cell", "deaths by position: grid cell size"},
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "gamelake kpi: %s\n", message.c_str());
  return 1;
}

bool WriteStdout(std::string_view bytes) {
  return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
}

// Prints a /v1/kpis/{name} document as --format asks.
int Print(const KpiCommand& c, const std::string& doc) {
  if (c.format == "json") {
    WriteStdout(doc);
    return 0;
  }
  if (!c.format.empty() && c.format != "table" && c.format != "csv") {
    return Fail(fmt::format("--format is table, csv or json (got \"{}\")", c.format));
  }
  auto sink =
      NewResultWriter(c.format == "csv" ? ResultFormat::kCsv : ResultFormat::kTable, WriteStdout);
  if (Status s = RenderQueryJson(doc, sink.get()); !s.ok()) return Fail(s.message());
  if (c.sql) {
    simdjson::dom::parser parser;
    std::string_view sql;
    if (parser.parse(doc).get_object()["sql"].get(sql) == simdjson::SUCCESS) {
      std::printf("\n-- The SQL:\n%.*s\n", static_cast<int>(sql.size()), sql.data());
    }
  }
  return 0;
}

int PrintList(const KpiCatalog& catalog) {
  for (const KpiInfo& k : catalog.List()) {
    std::printf("%-16s %s\n", k.name.c_str(), k.description.c_str());
  }
  return 0;
}

int RunRemote(const KpiCommand& c, const std::string& url, const std::string& key) {
  std::string path = "/v1/kpis/";
  AppendPercentEncoded(&path, c.name);
  char sep = '?';
  for (const auto& [name, value] : c.params) {
    path += sep + name + "=";
    AppendPercentEncoded(&path, value);
    sep = '&';
  }
  if (c.sql) path += std::string(1, sep) + "sql=true";
  Result<ServerReply> reply = CallServer(url, key, "GET", path);
  if (!reply.ok()) return Fail(reply.status().message());
  if (reply->status != 200) {
    return Fail(fmt::format("{} (HTTP {})", reply->ErrorMessage(), reply->status));
  }
  return Print(c, reply->body);
}

int RunLocal(const KpiCommand& c, const std::string& data_dir) {
  Result<Config> config = LoadCliConfig(c.config_file, c.settings, data_dir);
  if (!config.ok()) return Fail(config.status().message());
  Result<KpiSettings> settings = KpiSettingsOf(*config);
  if (!settings.ok()) return Fail(settings.status().message());
  KpiCatalog catalog(std::move(settings).value());
  // A bad request is refused before the lake is opened.
  if (Result<KpiParams> p = catalog.Resolve(c.name, c.params); !p.ok()) {
    return Fail(p.status().message());
  }
  Result<LocalQueryEngine> local = OpenLocalQueryEngine(data_dir, c.timeout_s, "kpi");
  if (!local.ok()) return Fail(local.status().message());
  Result<std::string> doc =
      RunKpiJson(local->engine.get(), catalog, c.name, c.params, "local", c.sql, Env::Default());
  if (!doc.ok()) return Fail(doc.status().message());
  return Print(c, *doc);
}

}  // namespace

void AddKpiCommand(CLI::App* app, KpiCommand* c) {
  c->app = app->add_subcommand("kpi",
                               "Compute a game KPI (DAU, retention, revenue...); "
                               "without NAME, list them");
  c->app->add_option("name", c->name, "The KPI, e.g. active_players, retention, revenue");
  for (const auto& [name, help] : kParams) {
    std::string key = name;
    c->app->add_option_function<std::string>(
        std::string("--") + name, [c, key](const std::string& v) { c->params[key] = v; }, help);
  }
  c->app->add_flag("--sql", c->sql, "Also print the SQL it ran");
  c->app->add_option("--url", c->url, "A running server, e.g. http://127.0.0.1:8080");
  c->app->add_option("--key", c->key, "Admin API key (default: $GAMELAKE_KEY or dev-admin)");
  c->app->add_option("--data-dir,--data", c->data_dir, "Data directory (default ./gamelake-data)");
  c->app->add_option("--config", c->config_file, "TOML settings file (kpi.*; without a server)");
  c->app->add_option("--set", c->settings, "A setting as name=value (without a server)");
  c->app->add_option("--format", c->format, "table (default), csv or json");
  c->app->add_option("--timeout", c->timeout_s, "Seconds before the query is stopped");
}

int RunKpiCommand(const KpiCommand& c) {
  if (c.name.empty()) return PrintList(KpiCatalog(KpiSettings{}));
  std::string data_dir = c.data_dir.empty() ? "gamelake-data" : c.data_dir;
  Result<std::optional<std::string>> url = ServerUrl(c.url, data_dir);
  if (!url.ok()) return Fail(url.status().message());
  if (url->has_value()) return RunRemote(c, **url, AdminKey(c.key, data_dir));
  return RunLocal(c, data_dir);
}

}  // namespace gamelake
