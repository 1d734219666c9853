#include "cli/catalog_command.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "catalog/catalog.h"
#include "cli/cli_config.h"
#include "common/env.h"
#include "common/file_lock.h"
#include "s3/s3_location.h"
#include "server/config.h"

namespace gamelake {
namespace {

int Fail(const char* command, const std::string& message) {
  std::fprintf(stderr, "gamelake %s: %s\n", command, message.c_str());
  return 1;
}

std::string DataDir(const CatalogCommand& c) {
  return c.data_dir.empty() ? Config().data_dir : c.data_dir;
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

bool LakeExists(const std::string& lake) {
  std::error_code ec;
  return std::filesystem::is_directory(lake, ec);
}

int Crawl(const CatalogCommand& c) {
  std::string data = DataDir(c);
  std::string lake = JoinPath(data, "lake");
  if (!LakeExists(lake)) return Fail("crawl", "no lake at " + lake + " (is --data-dir right?)");
  Result<FileLock> lock = FileLock::TryAcquire(JoinPath(data, "LOCK"));
  if (!lock.ok()) {
    if (lock.status().code() == Status::Code::kUnavailable) {
      return Fail("crawl", "a server is running on " + data +
                               " and owns its catalog; ask it to crawl instead: "
                               "curl -X POST http://<server>/v1/catalog/crawl");
    }
    return Fail("crawl", lock.status().ToString());
  }
  CatalogOptions options;
  options.dir = JoinPath(data, "catalog");
  options.lake_dir = lake;
  auto catalog = Catalog::Open(options);
  if (!catalog.ok()) return Fail("crawl", catalog.status().ToString());
  Result<CrawlReport> report = (*catalog)->Crawl(/*full=*/true);
  if (!report.ok()) return Fail("crawl", report.status().ToString());
  auto snap = (*catalog)->Snapshot();
  uint64_t files = 0;
  for (const auto& [name, t] : snap->tables) files += t->files.size();
  std::printf("Crawled %s: %zu tables, %llu files (%llu inspected, %llu removed), %zu bad files.\n",
              lake.c_str(), report->tables.size(), static_cast<unsigned long long>(files),
              static_cast<unsigned long long>(report->files_inspected),
              static_cast<unsigned long long>(report->files_removed), report->bad_files.size());
  for (const BadFile& b : report->bad_files) {
    std::printf("bad file %s: %s\n", b.path.c_str(), b.reason.c_str());
  }
  std::printf("Catalog saved to %s.\n", JoinPath(options.dir, "catalog.json").c_str());
  return 0;
}

// Opens the saved catalog, or crawls the lake into a throwaway one when there
// is none yet; *temp_dir is then set to the folder to remove afterwards.
Result<std::unique_ptr<Catalog>> OpenForReading(const std::string& data, const char* command,
                                                std::string* temp_dir) {
  CatalogOptions options;
  options.dir = JoinPath(data, "catalog");
  options.lake_dir = JoinPath(data, "lake");
  if (options.env->FileExists(JoinPath(options.dir, "catalog.json"))) {
    return Catalog::Open(options);
  }
  if (!LakeExists(options.lake_dir)) {
    return Status::NotFound("no catalog and no lake in " + data + " (is --data-dir right?)");
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "gamelake-catalog-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return Status::FromErrno("mkdtemp " + tmpl, errno);
  *temp_dir = tmpl;
  options.dir = tmpl;
  std::fprintf(stderr,
               "gamelake %s: no catalog.json in %s yet; crawled the lake without saving "
               "(run `gamelake crawl` to save it).\n",
               command, JoinPath(data, "catalog").c_str());
  GL_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog, Catalog::Open(options));
  Result<CrawlReport> report = catalog->Crawl(/*full=*/true);
  if (!report.ok()) return report.status();
  return catalog;
}

void RemoveTemp(const std::string& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

int Ddl(const CatalogCommand& c) {
  Result<DdlDialect> dialect = ParseDdlDialect(c.dialect);
  if (!dialect.ok()) return Fail("catalog ddl", dialect.status().message());
  Result<Config> config = LoadCliConfig(c.config_file, c.settings, c.data_dir);
  if (!config.ok()) return Fail("catalog ddl", config.status().message());
  std::string location = c.location;
  if (location.empty() && config->lake_on_s3()) {
    // Object keys are the prefix + lake-relative paths: the prefix is the lake dir.
    Result<S3Location> s3 = S3Location::Parse(config->lake_location);
    if (!s3.ok()) return Fail("catalog ddl", s3.status().message());
    location = s3->ToString();
  }
  std::string temp;
  auto catalog = OpenForReading(config->data_dir, "catalog ddl", &temp);
  if (!catalog.ok()) {
    RemoveTemp(temp);
    return Fail("catalog ddl", catalog.status().ToString());
  }
  if (location.empty()) location = "file://" + Absolute((*catalog)->lake_dir());
  std::string ddl = ExportDdl(*(*catalog)->Snapshot(), *dialect, location, c.database);
  RemoveTemp(temp);
  std::fwrite(ddl.data(), 1, ddl.size(), stdout);
  return 0;
}

int Tables(const CatalogCommand& c) {
  std::string temp;
  auto catalog = OpenForReading(DataDir(c), "catalog tables", &temp);
  if (!catalog.ok()) {
    RemoveTemp(temp);
    return Fail("catalog tables", catalog.status().ToString());
  }
  auto snap = (*catalog)->Snapshot();
  RemoveTemp(temp);
  std::printf("%-32s %8s %8s %14s %16s\n", "TABLE", "COLUMNS", "FILES", "ROWS", "BYTES");
  for (const auto& [name, t] : snap->tables) {
    std::printf("%-32s %8zu %8zu %14llu %16llu\n", name.c_str(), t->columns.size(), t->files.size(),
                static_cast<unsigned long long>(t->rows()),
                static_cast<unsigned long long>(t->bytes()));
  }
  if (!snap->bad_files.empty()) {
    std::printf("%zu bad files (see `gamelake crawl`).\n", snap->bad_files.size());
  }
  return 0;
}

}  // namespace

void AddCatalogCommands(CLI::App* app, CatalogCommand* c) {
  const std::string data_dir_help = "Data directory (default ./" + Config().data_dir + ")";
  c->crawl = app->add_subcommand(
      "crawl", "Rebuild the catalog from the lake (full crawl; not while a server runs)");
  c->crawl->add_option("--data-dir", c->data_dir, data_dir_help);

  c->catalog = app->add_subcommand("catalog", "Inspect the lake catalog: ddl, tables");
  c->catalog->require_subcommand(1);
  c->ddl = c->catalog->add_subcommand(
      "ddl", "Print DDL declaring the lake's tables in Athena, Trino or Spark");
  c->ddl->add_option("--dialect", c->dialect, "athena, trino or spark")
      ->required()
      ->check(CLI::IsMember({"athena", "trino", "spark"}, CLI::ignore_case));
  c->ddl->add_option("--location", c->location,
                     "URI of the lake dir in that engine, e.g. s3://bucket/prefix "
                     "(default: lake.location on an S3 lake, else file://<absolute lake dir>)");
  c->ddl->add_option("--config", c->config_file,
                     "The server's TOML settings file (for lake.location and data_dir)");
  c->ddl->add_option("--set", c->settings, "A setting as name=value, as for serve; repeatable");
  c->ddl->add_option("--database", c->database, "Database (schema) name (default lake)");
  c->ddl->add_option("--data-dir", c->data_dir, data_dir_help);
  c->tables = c->catalog->add_subcommand("tables", "List tables: columns, files, rows, bytes");
  c->tables->add_option("--data-dir", c->data_dir, data_dir_help);
}

bool CatalogCommandParsed(const CatalogCommand& c) {
  return (c.crawl != nullptr && c.crawl->parsed()) || (c.catalog != nullptr && c.catalog->parsed());
}

int RunCatalogCommand(const CatalogCommand& c) {
  // The summary goes to stdout and lists bad files itself; logs go to stderr
  // and only for errors (e.g. an unreadable catalog.json set aside).
  spdlog::set_default_logger(spdlog::stderr_color_mt("gamelake"));
  spdlog::set_level(spdlog::level::err);
  if (c.crawl->parsed()) return Crawl(c);
  if (c.ddl->parsed()) return Ddl(c);
  if (c.tables->parsed()) return Tables(c);
  return 1;
}

}  // namespace gamelake
