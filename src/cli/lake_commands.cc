#include "cli/lake_commands.h"

#include <simdjson.h>

#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "catalog/catalog.h"
#include "cli/cli_config.h"
#include "cli/server_client.h"
#include "common/env.h"
#include "common/file_lock.h"
#include "common/json_writer.h"
#include "delivery/delivery_service.h"
#include "lake/lake_files.h"
#include "lifecycle/lake_maintainer.h"
#include "log/wal.h"
#include "query/query_engine.h"
#include "server/config.h"

namespace gamelake {
namespace {

namespace dom = simdjson::dom;

int Fail(const char* command, const std::string& message) {
  std::fprintf(stderr, "gamelake %s: %s\n", command, message.c_str());
  return 1;
}

std::string Mb(uint64_t bytes) {
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

uint64_t U(dom::element e, std::string_view key) {
  uint64_t v = 0;
  if (e[key].get_uint64().get(v) != simdjson::SUCCESS) v = 0;
  return v;
}
std::string_view S(dom::element e, std::string_view key) {
  std::string_view v;
  if (e[key].get_string().get(v) != simdjson::SUCCESS) v = "";
  return v;
}

// ---- Printing the reports (the same JSON from a server or from here).

void PrintCompaction(dom::element doc) {
  bool dry = false;
  if (doc["dry_run"].get_bool().get(dry) != simdjson::SUCCESS) dry = false;
  dom::array jobs;
  if (doc["jobs"].get_array().get(jobs) != simdjson::SUCCESS || jobs.size() == 0) {
    std::printf("Nothing to compact.\n");
    return;
  }
  uint64_t files = 0, rows = 0, in = 0, out = 0, done = U(doc, "done");
  for (dom::element j : jobs) {
    std::string output(S(j, "output"));
    std::printf("%s %s %s: %llu files, %llu rows, %s%s%s\n", dry ? "would merge" : "merged",
                std::string(S(j, "table")).c_str(), std::string(S(j, "partition")).c_str(),
                static_cast<unsigned long long>(U(j, "files")),
                static_cast<unsigned long long>(U(j, "rows")), Mb(U(j, "bytes_in")).c_str(),
                output.empty() ? "" : " -> ", output.empty() ? "" : Mb(U(j, "bytes_out")).c_str());
    files += U(j, "files");
    rows += U(j, "rows");
    in += U(j, "bytes_in");
    out += U(j, "bytes_out");
  }
  if (dry) {
    std::printf("%zu merges of %llu files (%llu rows) to do; nothing changed (--dry-run).\n",
                jobs.size(), static_cast<unsigned long long>(files),
                static_cast<unsigned long long>(rows));
  } else {
    std::printf("Done %llu of %zu merges: %llu files (%llu rows, %s) into %llu (%s).\n",
                static_cast<unsigned long long>(done), jobs.size(),
                static_cast<unsigned long long>(files), static_cast<unsigned long long>(rows),
                Mb(in).c_str(), static_cast<unsigned long long>(done), Mb(out).c_str());
  }
}

void PrintRetention(dom::element doc) {
  std::printf("Retention: %s by default",
              U(doc["rules"], "default_days") == 0
                  ? "keep forever"
                  : fmt::format("{} days", U(doc["rules"], "default_days")).c_str());
  dom::object streams;
  if (doc["rules"]["streams"].get_object().get(streams) == simdjson::SUCCESS) {
    for (auto [name, days] : streams) {
      uint64_t d = 0;
      if (days.get_uint64().get(d) != simdjson::SUCCESS) d = 0;
      std::printf("; %s: %s", std::string(name).c_str(),
                  d == 0 ? "forever" : fmt::format("{} days", d).c_str());
    }
  }
  std::printf(".\n");
  bool dry = true;
  if (doc["dry_run"].get_bool().get(dry) != simdjson::SUCCESS) dry = true;
  dom::array drops;
  if (doc["drops"].get_array().get(drops) != simdjson::SUCCESS || drops.size() == 0) {
    std::printf("Nothing is past its retention.\n");
    return;
  }
  for (dom::element d : drops) {
    dom::array parts;
    size_t n = d["partitions"].get_array().get(parts) == simdjson::SUCCESS ? parts.size() : 0;
    std::printf("%s %s: %zu partitions before %s, %llu files, %llu rows, %s\n",
                dry ? "would drop" : "dropped", std::string(S(d, "table")).c_str(), n,
                std::string(S(d, "cutoff")).c_str(), static_cast<unsigned long long>(U(d, "files")),
                static_cast<unsigned long long>(U(d, "rows")), Mb(U(d, "bytes")).c_str());
  }
}

void PrintErasure(dom::element e) {
  std::string state(S(e, "state"));
  std::printf("erasure %s: %s; streams", std::string(S(e, "id")).c_str(), state.c_str());
  dom::array tables;
  if (e["tables"].get_array().get(tables) == simdjson::SUCCESS) {
    for (dom::element t : tables) {
      std::string_view name;
      if (t.get_string().get(name) == simdjson::SUCCESS)
        std::printf(" %s", std::string(name).c_str());
    }
  }
  std::printf("; where %s; %llu rows matched when requested by %s\n",
              std::string(S(e, "where")).c_str(),
              static_cast<unsigned long long>(U(e, "rows_matching")),
              std::string(S(e, "requested_by")).c_str());
  dom::object results;
  if (e["results"].get_object().get(results) == simdjson::SUCCESS) {
    for (auto [table, r] : results) {
      std::printf("  %s: removed %llu rows, rewrote %llu files (%s)\n", std::string(table).c_str(),
                  static_cast<unsigned long long>(U(r, "rows_removed")),
                  static_cast<unsigned long long>(U(r, "files_rewritten")),
                  Mb(U(r, "bytes_rewritten")).c_str());
    }
  }
  if (!S(e, "error").empty()) std::printf("  last error: %s\n", std::string(S(e, "error")).c_str());
}

// Prints `json` (a report) as text, or as it is with --format json.
int Print(const LakeCommands& c, const std::string& json, void (*print)(dom::element)) {
  if (c.format == "json") {
    std::printf("%s\n", json.c_str());
    return 0;
  }
  dom::parser parser;
  dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
    return Fail("lake", "unexpected answer: " + json);
  }
  dom::array list;
  if (doc["erasures"].get_array().get(list) == simdjson::SUCCESS) {
    if (list.size() == 0) std::printf("No erasure requests.\n");
    for (dom::element e : list) print(e);
    return 0;
  }
  print(doc);
  return 0;
}

// ---- Offline: the data dir itself.

struct Offline {
  Config config;
  std::optional<FileLock> lock;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<QueryEngine> engine;
  std::unique_ptr<Wal> wal;
  std::unique_ptr<DeliveryService> delivery;
  std::unique_ptr<LakeMaintainer> maintainer;
  ~Offline() {
    if (maintainer) maintainer->Stop();
    if (delivery) (void)delivery->Stop();
    if (wal) (void)wal->Close();
  }
};

// Opens the log and delivers what it holds (an erasure must see it in files).
Status StartDelivery(Offline* o) {
  WalOptions w;
  w.dir = o->config.log_dir();
  RecoveryReport report;
  GL_ASSIGN_OR_RETURN(o->wal, Wal::Open(w, &report));
  DeliveryOptions d;
  d.lake_dir = o->config.lake_dir();
  d.staging_dir = o->config.staging_dir();
  Catalog* catalog = o->catalog.get();
  d.on_file_delivered = [catalog](const std::string& path) { (void)catalog->AddFile(path); };
  if (!o->config.event_id_field.empty()) {
    d.event_id_field = o->config.event_id_field;
    d.id_index_dir = o->config.id_index_dir();
  }
  GL_ASSIGN_OR_RETURN(o->delivery, DeliveryService::Start(o->wal.get(), d));
  return Status::OK();
}

Result<std::unique_ptr<Offline>> OpenOffline(const LakeCommands& c, bool deliver) {
  auto o = std::make_unique<Offline>();
  GL_ASSIGN_OR_RETURN(o->config, LoadCliConfig(c.config_file, c.settings, c.data_dir));
  if (std::string refused = LakeRewritesRefused(o->config); !refused.empty()) {
    return Status::PermissionDenied(refused);
  }
  Env* env = Env::Default();
  const std::string lake = o->config.lake_dir();
  if (!env->FileExists(lake)) {
    return Status::NotFound("no lake in " + o->config.data_dir + " (is --data-dir right?)");
  }
  GL_ASSIGN_OR_RETURN(FileLock lock, FileLock::TryAcquire(JoinPath(o->config.data_dir, "LOCK")));
  o->lock.emplace(std::move(lock));
  GL_RETURN_IF_ERROR(RemoveLeftovers(env, lake).status());
  CatalogOptions co;
  co.dir = JoinPath(o->config.data_dir, "catalog");
  co.lake_dir = lake;
  GL_ASSIGN_OR_RETURN(o->catalog, Catalog::Open(co));
  GL_RETURN_IF_ERROR(o->catalog->Crawl(false).status());
  if (deliver) GL_RETURN_IF_ERROR(StartDelivery(o.get()));
  QueryEngineOptions q;
  q.max_concurrent = 1;
  q.nice = 0;
  GL_ASSIGN_OR_RETURN(o->engine, QueryEngine::Open(o->catalog.get(), nullptr, q));
  LakeMaintainerOptions m;
  m.lake_dir = lake;
  m.temp_dir = JoinPath(o->config.data_dir, "tmp/lifecycle");
  m.erasure_dir = o->config.erasure_dir();
  m.catalog = o->catalog.get();
  m.background = false;
  m.nice = 0;
  m.compaction.target_file_bytes = o->config.compaction_target_file_bytes;
  m.compaction.settle_us = static_cast<int64_t>(o->config.compaction_settle_s * 1e6);
  m.compaction.open_hour_min_files = o->config.compaction_open_hour_min_files;
  m.compaction.daily = o->config.compaction_daily;
  m.compaction.daily_after_us = static_cast<int64_t>(o->config.compaction_daily_after_s * 1e6);
  m.duckdb_memory_limit = o->config.compaction_memory_limit;
  m.retention.default_days = static_cast<int64_t>(o->config.retention_days);
  for (const auto& [stream, days] : o->config.retention_stream_days) {
    m.retention.tables[stream] = static_cast<int64_t>(days);
  }
  DeliveryService* delivery = o->delivery.get();
  if (delivery != nullptr) m.flush_delivery = [delivery] { return delivery->Flush(); };
  QueryEngine* engine = o->engine.get();
  m.count_matching = [engine](const std::string& table, const std::string& where) {
    return CountRowsMatching(engine, table, where);
  };
  GL_ASSIGN_OR_RETURN(o->maintainer, LakeMaintainer::Start(m));
  return o;
}

// ---- The commands.

std::string Body(const LakeCommands& c) {
  JsonWriter w;
  w.BeginObject();
  if (!c.streams.empty()) w.Key("stream").String(c.streams.front());
  w.Key("dry_run").Bool(c.dry_run).EndObject();
  return w.Take();
}

int Compact(const LakeCommands& c, const std::optional<std::string>& url, const std::string& key) {
  if (c.streams.size() > 1) return Fail("compact", "give at most one --stream");
  if (url) {
    Result<ServerReply> r = CallServer(*url, key, "POST", "/v1/lake/compact", Body(c));
    if (!r.ok()) return Fail("compact", r.status().message());
    if (r->status != 200) return Fail("compact", r->ErrorMessage());
    return Print(c, r->body, PrintCompaction);
  }
  auto o = OpenOffline(c, /*deliver=*/false);
  if (!o.ok()) return Fail("compact", o.status().ToString());
  Result<CompactionReport> report =
      (*o)->maintainer->Compact(c.streams.empty() ? "" : c.streams.front(), c.dry_run);
  if (!report.ok()) return Fail("compact", report.status().ToString());
  JsonWriter w;
  WriteCompactionJson(&w, *report);
  return Print(c, w.Take(), PrintCompaction);
}

int Retention(const LakeCommands& c, const std::optional<std::string>& url, const std::string& key,
              bool apply) {
  if (url) {
    Result<ServerReply> r = apply
                                ? CallServer(*url, key, "POST", "/v1/lake/retention/apply", Body(c))
                                : CallServer(*url, key, "GET", "/v1/lake/retention");
    if (!r.ok()) return Fail("retention", r.status().message());
    if (r->status != 200) return Fail("retention", r->ErrorMessage());
    return Print(c, r->body, PrintRetention);
  }
  auto o = OpenOffline(c, /*deliver=*/false);
  if (!o.ok()) return Fail("retention", o.status().ToString());
  Result<RetentionReport> report = (*o)->maintainer->ApplyRetention(!apply || c.dry_run);
  if (!report.ok()) return Fail("retention", report.status().ToString());
  JsonWriter w;
  WriteRetentionJson(&w, (*o)->maintainer->retention_rules(), *report);
  return Print(c, w.Take(), PrintRetention);
}

int EraseRemote(const LakeCommands& c, const std::string& url, const std::string& key) {
  if (c.list || !c.status_id.empty()) {
    Result<ServerReply> r =
        CallServer(url, key, "GET", c.list ? "/v1/erasures" : "/v1/erasures/" + c.status_id);
    if (!r.ok()) return Fail("erase", r.status().message());
    if (r->status != 200) return Fail("erase", r->ErrorMessage());
    return Print(c, r->body, PrintErasure);
  }
  JsonWriter w;
  w.BeginObject().Key("streams").BeginArray();
  for (const std::string& s : c.streams) w.String(s);
  w.EndArray().Key("where").String(c.where).EndObject();
  Result<ServerReply> r = CallServer(url, key, "POST", "/v1/erasures", w.Take());
  if (!r.ok()) return Fail("erase", r.status().message());
  if (r->status != 202) return Fail("erase", r->ErrorMessage());
  if (c.no_wait) return Print(c, r->body, PrintErasure);
  dom::parser parser;
  dom::element doc;
  std::string_view id;
  if (parser.parse(r->body).get(doc) != simdjson::SUCCESS ||
      doc["id"].get(id) != simdjson::SUCCESS) {
    return Fail("erase", "unexpected answer: " + r->body);
  }
  std::fprintf(stderr, "gamelake erase: request %s accepted; waiting for it to finish\n",
               std::string(id).c_str());
  const int64_t deadline = Env::Default()->MonotonicMicros() + static_cast<int64_t>(c.wait_s * 1e6);
  while (true) {
    r = CallServer(url, key, "GET", fmt::format("/v1/erasures/{}?wait_s=30", id));
    if (!r.ok()) return Fail("erase", r.status().message());
    if (r->status != 200) return Fail("erase", r->ErrorMessage());
    std::string_view state;
    dom::element e;
    if (parser.parse(r->body).get(e) != simdjson::SUCCESS ||
        e["state"].get(state) != simdjson::SUCCESS) {
      return Fail("erase", "unexpected answer: " + r->body);
    }
    if (state == "done" || state == "failed" || Env::Default()->MonotonicMicros() > deadline) {
      int rc = Print(c, r->body, PrintErasure);
      return state == "done" ? rc : 1;
    }
  }
}

int Erase(const LakeCommands& c, const std::optional<std::string>& url, const std::string& key) {
  if (!c.list && c.status_id.empty() && (c.streams.empty() || c.where.empty())) {
    return Fail("erase",
                "give --stream and --where (e.g. --stream events --where \"PlayerID = 42\")");
  }
  if (url) return EraseRemote(c, *url, key);
  auto o = OpenOffline(c, /*deliver=*/!c.list && c.status_id.empty());
  if (!o.ok()) return Fail("erase", o.status().ToString());
  LakeMaintainer* m = (*o)->maintainer.get();
  JsonWriter w;
  if (c.list) {
    w.BeginObject().Key("erasures").BeginArray();
    for (const ErasureInfo& e : m->Erasures()) WriteErasureJson(&w, e);
    w.EndArray().EndObject();
  } else {
    // Offline, the request runs before SubmitErasure returns.
    Result<ErasureInfo> info = c.status_id.empty() ? m->SubmitErasure(c.streams, c.where, "local")
                                                   : m->Erasure(c.status_id);
    if (!info.ok()) return Fail("erase", info.status().message());
    Result<ErasureInfo> now = m->Erasure(info->id);
    WriteErasureJson(&w, now.ok() ? *now : *info);
  }
  return Print(c, w.Take(), PrintErasure);
}

void AddTarget(CLI::App* cmd, LakeCommands* c) {
  cmd->add_option("--url", c->url, "A running server, e.g. http://127.0.0.1:8080");
  cmd->add_option("--key", c->key, "Admin API key (default: $GAMELAKE_KEY or dev-admin)");
  cmd->add_option("--data-dir", c->data_dir, "Data directory (default ./gamelake-data)");
  cmd->add_option("--config", c->config_file, "TOML settings file (offline)");
  cmd->add_option("--set", c->settings, "A setting as name=value (offline); repeatable");
  cmd->add_option("--format", c->format, "text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
}

}  // namespace

void AddLakeCommands(CLI::App* app, LakeCommands* c) {
  c->compact = app->add_subcommand("compact", "Merge small lake files (docs/lake_format.md)");
  c->compact->add_option("--stream", c->streams, "Only this stream's table");
  c->compact->add_flag("--dry-run", c->dry_run, "Only say what would be merged");
  AddTarget(c->compact, c);

  c->retention = app->add_subcommand("retention", "Drop partitions past retention.days");
  c->retention->require_subcommand(1);
  c->retention_show = c->retention->add_subcommand("show", "The rules and what they would drop");
  c->retention_apply = c->retention->add_subcommand("apply", "Drop what is past its rule now");
  c->retention_apply->add_flag("--dry-run", c->dry_run, "Only say what would be dropped");
  AddTarget(c->retention_show, c);
  AddTarget(c->retention_apply, c);

  c->erase = app->add_subcommand("erase", "Erase rows, e.g. one player's events (docs/privacy.md)");
  c->erase->add_option("--stream", c->streams, "A stream to erase from; repeatable");
  c->erase->add_option("--where", c->where, "Which rows, in SQL: \"PlayerID = 42\"");
  c->erase->add_flag("--no-wait", c->no_wait, "Return once the request is accepted");
  c->erase->add_option("--wait", c->wait_s, "Seconds to wait for it at most (default 3600)");
  c->erase->add_flag("--list", c->list, "List every erasure request and its outcome");
  c->erase->add_option("--status", c->status_id, "Show one request");
  AddTarget(c->erase, c);
}

bool LakeCommandParsed(const LakeCommands& c) {
  return c.compact->parsed() || c.retention->parsed() || c.erase->parsed();
}

int RunLakeCommand(const LakeCommands& c) {
  std::string data_dir = c.data_dir.empty() ? Config().data_dir : c.data_dir;
  const char* name = c.compact->parsed() ? "compact" : c.erase->parsed() ? "erase" : "retention";
  Result<std::optional<std::string>> url = ServerUrl(c.url, data_dir);
  if (!url.ok()) return Fail(name, url.status().message());
  std::string key = AdminKey(c.key, data_dir);
  if (c.compact->parsed()) return Compact(c, *url, key);
  if (c.erase->parsed()) return Erase(c, *url, key);
  return Retention(c, *url, key, c.retention_apply->parsed());
}

}  // namespace gamelake
