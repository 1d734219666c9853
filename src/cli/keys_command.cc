#include "cli/keys_command.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "auth/crypto_util.h"
#include "auth/key_store.h"
#include "common/env.h"
#include "server/config.h"

namespace gamelake {
namespace {

int Fail(const Status& s) {
  std::fprintf(stderr, "gamelake keys: %s\n", s.ToString().c_str());
  return 1;
}

std::string DataDir(const KeysCommand& c) {
  return c.data_dir.empty() ? Config().data_dir : c.data_dir;
}

Result<std::vector<std::string>> SplitStreams(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t pos = 0;
  for (;;) {
    size_t comma = text.find(',', pos);
    std::string part =
        text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (part.empty()) {
      return Status::InvalidArgument("--streams: empty stream name in \"" + text + "\"");
    }
    out.push_back(std::move(part));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::string JoinStreams(const std::vector<std::string>& streams) {
  if (streams.empty()) return "all";
  std::string out;
  for (const std::string& s : streams) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string RateText(uint64_t records, uint64_t bytes) {
  auto one = [](uint64_t v, const char* unit) {
    return v == 0 ? std::string("default ") + unit : std::to_string(v) + " " + unit;
  };
  return one(records, "records/s") + ", " + one(bytes, "bytes/s");
}

int Create(const KeysCommand& c) {
  KeySpec spec;
  spec.name = c.name;
  Result<Scope> scope = ParseScope(c.scope);
  if (!scope.ok()) return Fail(scope.status());
  spec.scope = *scope;
  Result<std::vector<std::string>> streams = SplitStreams(c.streams);
  if (!streams.ok()) return Fail(streams.status());
  spec.streams = std::move(streams).value();
  spec.rate_records_per_s = c.rate_records;
  spec.rate_bytes_per_s = c.rate_bytes;

  auto store = KeyStore::Open(Env::Default(), JoinPath(DataDir(c), "keys"));
  if (!store.ok()) return Fail(store.status());
  Result<CreatedKey> created = (*store)->Create(spec);
  if (!created.ok()) return Fail(created.status());
  const KeyInfo& info = created->info;
  std::printf("Created %s key %s \"%s\" (streams: %s; limits: %s) in %s.\n",
              std::string(ScopeName(info.scope)).c_str(), info.id.c_str(), info.name.c_str(),
              JoinStreams(info.streams).c_str(),
              RateText(info.rate_records_per_s, info.rate_bytes_per_s).c_str(),
              (*store)->keys_dir().c_str());
  std::printf(
      "This is the only time the key is shown; store it now. Send it as "
      "\"Authorization: Bearer <key>\" or \"X-Api-Key: <key>\".\n");
  std::printf("%s\n", created->full_key.c_str());
  WipeString(&created->full_key);
  std::fflush(stdout);
  return 0;
}

int List(const KeysCommand& c) {
  KeyStoreOptions options;
  options.create_if_missing = false;
  auto store = KeyStore::Open(Env::Default(), JoinPath(DataDir(c), "keys"), options);
  if (!store.ok()) return Fail(store.status());
  Result<std::vector<KeyInfo>> keys = (*store)->List();
  if (!keys.ok()) return Fail(keys.status());
  if (keys->empty()) {
    std::printf("No keys in %s. Create one with `gamelake keys create`.\n",
                (*store)->keys_dir().c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "SCOPE", "STREAMS", "LIMITS", "CREATED", "REVOKED"}};
  for (const KeyInfo& k : *keys) {
    rows.push_back({k.id, k.name, std::string(ScopeName(k.scope)), JoinStreams(k.streams),
                    RateText(k.rate_records_per_s, k.rate_bytes_per_s), k.created_at,
                    k.revoked() ? k.revoked_at : "-"});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
  return 0;
}

int Revoke(const KeysCommand& c) {
  KeyStoreOptions options;
  options.create_if_missing = false;
  auto store = KeyStore::Open(Env::Default(), JoinPath(DataDir(c), "keys"), options);
  if (!store.ok()) return Fail(store.status());
  if (Status s = (*store)->Revoke(c.revoke_id); !s.ok()) return Fail(s);
  Result<std::vector<KeyInfo>> keys = (*store)->List();
  if (!keys.ok()) return Fail(keys.status());
  for (const KeyInfo& k : *keys) {
    if (k.id == c.revoke_id) {
      std::printf("Revoked key %s \"%s\" (revoked at %s).\n", k.id.c_str(), k.name.c_str(),
                  k.revoked_at.c_str());
    }
  }
  return 0;
}

// CLI11 would wrap "-5" into a huge unsigned number; accept digits only.
std::string NonNegativeInteger(const std::string& text) {
  bool ok = !text.empty() && text.size() <= 19 &&
            std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  return ok ? std::string() : "must be a whole number from 0 to 10^19-1, not \"" + text + "\"";
}

}  // namespace

void AddKeysCommand(CLI::App* app, KeysCommand* c) {
  c->keys = app->add_subcommand("keys", "Manage API keys: create, list, revoke");
  c->keys->require_subcommand(1);
  const std::string data_dir_help = "Data directory (default ./" + Config().data_dir + ")";

  c->create = c->keys->add_subcommand("create", "Create a key; prints it once, on the last line");
  c->create->add_option("--name", c->name, "A name for the key, e.g. the game or service")
      ->required();
  c->create
      ->add_option("--scope", c->scope,
                   "ingest (send records, put metrics), metrics:read (read metrics, dashboards and "
                   "alarms) or admin (everything)")
      ->required()
      ->check(CLI::IsMember({"ingest", "admin"}));
  c->create->add_option("--streams", c->streams,
                        "Comma-separated streams an ingest key may write (default: all)");
  c->create
      ->add_option("--rate-records", c->rate_records,
                   "Records per second for this key (default: the server's)")
      ->check(NonNegativeInteger);
  c->create
      ->add_option("--rate-bytes", c->rate_bytes,
                   "Bytes per second for this key (default: the server's)")
      ->check(NonNegativeInteger);
  c->create->add_option("--data-dir", c->data_dir, data_dir_help);

  c->list = c->keys->add_subcommand("list", "List keys (never their secrets)");
  c->list->add_option("--data-dir", c->data_dir, data_dir_help);

  c->revoke = c->keys->add_subcommand("revoke", "Revoke a key by id; servers refuse it within 1s");
  c->revoke->add_option("id", c->revoke_id, "Key id (GLK...)")->required();
  c->revoke->add_option("--data-dir", c->data_dir, data_dir_help);
}

int RunKeysCommand(const KeysCommand& c) {
  // Diagnostics go to stderr: stdout carries only the command's output.
  spdlog::set_default_logger(spdlog::stderr_color_mt("gamelake"));
  spdlog::set_level(spdlog::level::warn);
  if (c.create->parsed()) return Create(c);
  if (c.list->parsed()) return List(c);
  if (c.revoke->parsed()) return Revoke(c);
  return 1;
}

}  // namespace gamelake
