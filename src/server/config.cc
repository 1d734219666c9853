#include "server/config.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include <fmt/format.h>
// Header-only, without exceptions: parse errors come back as values.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

#include "common/env.h"
#include "ingest/event_deduper.h"
#include "kpi/kpi_field_map.h"
#include "kpi/kpi_params.h"
#include "lake/lake_layout.h"
#include "net/tls_context.h"
#include "s3/s3_endpoint.h"
#include "s3/s3_location.h"
#include "server/server.h"

namespace gamelake {
namespace {

using Setter = std::function<Status(const toml::node&, Config*)>;

Status TypeError(std::string_view name, std::string_view want) {
  return Status::InvalidArgument(fmt::format("setting {}: expected {}", name, want));
}

Setter UInt(uint64_t Config::*field) {
  return [field](const toml::node& n, Config* c) -> Status {
    auto v = n.value<int64_t>();
    if (!v || *v < 0) return Status::InvalidArgument("expected a non-negative integer");
    c->*field = static_cast<uint64_t>(*v);
    return Status::OK();
  };
}

Setter Double(double Config::*field) {
  return [field](const toml::node& n, Config* c) -> Status {
    auto v = n.value<double>();
    if (!v) return Status::InvalidArgument("expected a number");
    c->*field = *v;
    return Status::OK();
  };
}

Setter Int(int Config::*field) {
  return [field](const toml::node& n, Config* c) -> Status {
    auto v = n.value<int64_t>();
    if (!v || *v < 0 || *v > 1024) return Status::InvalidArgument("expected an integer 0..1024");
    c->*field = static_cast<int>(*v);
    return Status::OK();
  };
}

Setter Bool(bool Config::*field) {
  return [field](const toml::node& n, Config* c) -> Status {
    auto v = n.value<bool>();
    if (!v) return Status::InvalidArgument("expected true or false");
    c->*field = *v;
    return Status::OK();
  };
}

Setter String(std::string Config::*field) {
  return [field](const toml::node& n, Config* c) -> Status {
    auto v = n.value<std::string>();
    if (!v) return Status::InvalidArgument("expected a string");
    c->*field = *v;
    return Status::OK();
  };
}

// A TOML array of strings (or one string).
Result<std::vector<std::string>> StringList(const toml::node& n) {
  std::vector<std::string> out;
  if (auto one = n.value<std::string>()) {
    out.push_back(*one);
    return out;
  }
  const toml::array* arr = n.as_array();
  if (arr == nullptr) return Status::InvalidArgument("expected a list of strings");
  for (const toml::node& e : *arr) {
    auto v = e.value<std::string>();
    if (!v) return Status::InvalidArgument("expected a list of strings");
    out.push_back(*v);
  }
  return out;
}

// Every setting, by dotted name. docs/configuration.md documents each one.
const std::map<std::string, Setter>& Settings() {
  static const std::map<std::string, Setter> settings = {
      {"data_dir", String(&Config::data_dir)},
      {"console.enabled", Bool(&Config::console_enabled)},
      {"console.dir", String(&Config::console_dir)},
      {"demo.rate", Double(&Config::demo_rate)},
      {"demo.sessions_rate", Double(&Config::demo_sessions_rate)},
      {"log_level",
       [](const toml::node& n, Config* c) -> Status {
         auto v = n.value<std::string>();
         static const std::vector<std::string> kLevels = {"trace", "debug", "info",
                                                          "warn",  "error", "off"};
         if (!v || std::find(kLevels.begin(), kLevels.end(), *v) == kLevels.end()) {
           return Status::InvalidArgument("expected one of trace, debug, info, warn, error, off");
         }
         c->log_level = *v;
         return Status::OK();
       }},
      {"server.listen",
       [](const toml::node& n, Config* c) -> Status {
         auto v = n.value<std::string>();
         if (!v) return Status::InvalidArgument("expected \"host:port\"");
         return ParseListen(*v, c);
       }},
      {"server.threads", Int(&Config::threads)},
      {"server.max_body_bytes", UInt(&Config::max_body_bytes)},
      {"server.max_decoded_body_bytes", UInt(&Config::max_decoded_body_bytes)},
      {"server.max_record_bytes", UInt(&Config::max_record_bytes)},
      {"server.max_records_per_request", UInt(&Config::max_records_per_request)},
      {"server.max_json_depth", UInt(&Config::max_json_depth)},
      {"server.max_record_keys", UInt(&Config::max_record_keys)},
      {"server.max_header_bytes", UInt(&Config::max_header_bytes)},
      {"server.idle_timeout_s", Double(&Config::idle_timeout_s)},
      {"server.request_timeout_s", Double(&Config::request_timeout_s)},
      {"server.max_connections", UInt(&Config::max_connections)},
      {"server.max_header_count", UInt(&Config::max_header_count)},
      {"firehose.unknown_streams_active", Bool(&Config::firehose_unknown_streams_active)},
      {"server.tls_cert_file", String(&Config::tls_cert_file)},
      {"server.tls_key_file", String(&Config::tls_key_file)},
      {"server.tls_client_ca_file", String(&Config::tls_client_ca_file)},
      {"server.tls_client_auth", String(&Config::tls_client_auth)},
      {"server.tls_reload_check_s", Double(&Config::tls_reload_check_s)},
      {"server.plain_listen",
       [](const toml::node& n, Config* c) -> Status {
         auto v = n.value<std::string>();
         if (!v) return Status::InvalidArgument("expected \"host:port\"");
         Config parsed;
         GL_RETURN_IF_ERROR(ParseListen(*v, &parsed));
         c->plain_listen_host = parsed.listen_host;
         c->plain_listen_port = parsed.listen_port;
         return Status::OK();
       }},
      {"cors.origins",
       [](const toml::node& n, Config* c) -> Status {
         GL_ASSIGN_OR_RETURN(c->cors_origins, StringList(n));
         return Status::OK();
       }},
      {"log.min_free_disk_bytes", UInt(&Config::min_free_disk_bytes)},
      {"auth.enabled", Bool(&Config::auth_enabled)},
      {"auth.rate_records_per_s", UInt(&Config::rate_records_per_s)},
      {"auth.rate_bytes_per_s", UInt(&Config::rate_bytes_per_s)},
      {"log.durability",
       [](const toml::node& n, Config* c) -> Status {
         auto v = n.value<std::string>();
         if (v && *v == "fsync") {
           c->durable = true;
         } else if (v && *v == "none") {
           c->durable = false;
         } else {
           return Status::InvalidArgument("expected \"fsync\" or \"none\"");
         }
         return Status::OK();
       }},
      {"ingest.event_id_field", String(&Config::event_id_field)},
      {"ingest.dedupe_window_s", UInt(&Config::dedupe_window_s)},
      {"ingest.dedupe_max_entries", UInt(&Config::dedupe_max_entries)},
      {"ingest.dead_letter_max_bytes", UInt(&Config::dead_letter_max_bytes)},
      {"log.segment_bytes", UInt(&Config::segment_bytes)},
      {"log.commit_window_us", UInt(&Config::commit_window_us)},
      {"log.max_bytes", UInt(&Config::max_log_bytes)},
      {"delivery.buffer_size_bytes", UInt(&Config::buffer_size_bytes)},
      {"delivery.buffer_interval_s", Double(&Config::buffer_interval_s)},
      {"delivery.duckdb_threads", Int(&Config::duckdb_threads)},
      {"delivery.duckdb_memory_limit", String(&Config::duckdb_memory_limit)},
      {"sql.threads", Int(&Config::sql_threads)},
      {"sql.memory_limit", String(&Config::sql_memory_limit)},
      {"sql.query_timeout_s", Double(&Config::sql_query_timeout_s)},
      {"sql.max_concurrent_queries", Int(&Config::sql_max_concurrent_queries)},
      {"sql.tail_max_bytes", UInt(&Config::sql_tail_max_bytes)},
      {"sql.parquet_metadata_cache", Bool(&Config::sql_parquet_metadata_cache)},
      {"compaction.enabled", Bool(&Config::compaction_enabled)},
      {"compaction.interval_s", Double(&Config::compaction_interval_s)},
      {"compaction.target_file_bytes", UInt(&Config::compaction_target_file_bytes)},
      {"compaction.settle_s", Double(&Config::compaction_settle_s)},
      {"compaction.open_hour_min_files", UInt(&Config::compaction_open_hour_min_files)},
      {"compaction.daily", Bool(&Config::compaction_daily)},
      {"compaction.daily_after_s", Double(&Config::compaction_daily_after_s)},
      {"compaction.max_bytes_per_s", UInt(&Config::compaction_max_bytes_per_s)},
      {"compaction.memory_limit", String(&Config::compaction_memory_limit)},
      {"compaction.nice", Int(&Config::compaction_nice)},
      {"retention.days", UInt(&Config::retention_days)},
      {"retention.interval_s", Double(&Config::retention_interval_s)},
      {"metrics.enabled", Bool(&Config::metrics_enabled)},
      {"metrics.pipeline", Bool(&Config::metrics_pipeline)},
      {"metrics.max_series", UInt(&Config::metrics_max_series)},
      {"metrics.checkpoint_interval_s", Double(&Config::metrics_checkpoint_interval_s)},
      {"metrics.keep_1s_hours", Double(&Config::metrics_keep_1s_hours)},
      {"metrics.keep_1m_days", Double(&Config::metrics_keep_1m_days)},
      {"metrics.keep_5m_days", Double(&Config::metrics_keep_5m_days)},
      {"metrics.keep_1h_days", Double(&Config::metrics_keep_1h_days)},
      {"metrics.max_alarms", UInt(&Config::metrics_max_alarms)},
      {"metrics.alarm_evaluation_delay_s", Double(&Config::metrics_alarm_evaluation_delay_s)},
      {"metrics.webhook_attempts", UInt(&Config::metrics_webhook_attempts)},
      {"metrics.webhook_first_backoff_s", Double(&Config::metrics_webhook_first_backoff_s)},
      {"metrics.webhook_timeout_s", Double(&Config::metrics_webhook_timeout_s)},
      {"metrics.webhook_queue", UInt(&Config::metrics_webhook_queue)},
      {"streaming.enabled", Bool(&Config::streaming_enabled)},
      {"streaming.max_apps", UInt(&Config::streaming_max_apps)},
      {"streaming.checkpoint_interval_ms", UInt(&Config::streaming_checkpoint_interval_ms)},
      {"streaming.max_state_bytes", UInt(&Config::streaming_max_state_bytes)},
      {"streaming.allowed_lateness_ms", UInt(&Config::streaming_allowed_lateness_ms)},
      {"kpi.stream", String(&Config::kpi_stream)},
      {"kpi.timezone", String(&Config::kpi_timezone)},
      {"kpi.session_gap_s", Double(&Config::kpi_session_gap_s)},
      {"lake.location", String(&Config::lake_location)},
      {"lake.s3.endpoint", String(&Config::lake_s3_endpoint)},
      {"lake.s3.region", String(&Config::lake_s3_region)},
      {"lake.s3.path_style", Bool(&Config::lake_s3_path_style)},
      {"lake.s3.access_key_id", String(&Config::lake_s3_access_key_id)},
      {"lake.s3.secret_access_key", String(&Config::lake_s3_secret_access_key)},
      {"lake.s3.profile", String(&Config::lake_s3_profile)},
      {"lake.s3.ca_file", String(&Config::lake_s3_ca_file)},
      {"lake.s3.multipart_threshold_bytes", UInt(&Config::lake_s3_multipart_threshold_bytes)},
      {"lake.s3.part_size_bytes", UInt(&Config::lake_s3_part_size_bytes)},
      {"lake.s3.list_interval_s", Double(&Config::lake_s3_list_interval_s)},
      {"lake.s3.cache_dir", String(&Config::lake_s3_cache_dir)},
      {"lake.s3.cache_bytes", UInt(&Config::lake_s3_cache_bytes)},
      {"lake.s3.delete_grace_s", Double(&Config::lake_s3_delete_grace_s)},
      {"node.id", String(&Config::node_id)},
  };
  return settings;
}

// delivery.streams.<name>.buffer_size_bytes / buffer_interval_s
Status ApplyStreamSetting(std::string_view name, const toml::node& n, Config* c) {
  constexpr std::string_view kPrefix = "delivery.streams.";
  std::string_view rest = name.substr(kPrefix.size());
  size_t dot = rest.rfind('.');
  if (dot == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("unknown setting {}", name));
  }
  std::string stream(rest.substr(0, dot));
  std::string_view key = rest.substr(dot + 1);
  if (!ValidateStreamName(stream).ok()) {
    return Status::InvalidArgument(fmt::format("setting {}: invalid stream name", name));
  }
  StreamSettings& s = c->streams[stream];
  if (key == "buffer_size_bytes") {
    auto v = n.value<int64_t>();
    if (!v || *v <= 0) return TypeError(name, "a positive integer");
    s.buffer_size_bytes = static_cast<uint64_t>(*v);
  } else if (key == "buffer_interval_s") {
    auto v = n.value<double>();
    if (!v || *v < 0) return TypeError(name, "a non-negative number");
    s.buffer_interval_s = *v;
  } else {
    return Status::InvalidArgument(fmt::format("unknown setting {}", name));
  }
  return Status::OK();
}

// retention.streams.<name>.days (also for _errors).
Status ApplyRetentionSetting(std::string_view name, const toml::node& n, Config* c) {
  constexpr std::string_view kPrefix = "retention.streams.";
  std::string_view rest = name.substr(kPrefix.size());
  size_t dot = rest.rfind('.');
  if (dot == std::string_view::npos || rest.substr(dot + 1) != "days") {
    return Status::InvalidArgument(fmt::format("unknown setting {}", name));
  }
  std::string stream(rest.substr(0, dot));
  if (stream != "_errors" && !ValidateStreamName(stream).ok()) {
    return Status::InvalidArgument(fmt::format("setting {}: invalid stream name", name));
  }
  auto v = n.value<int64_t>();
  if (!v || *v < 0) return TypeError(name, "a non-negative number of days");
  c->retention_stream_days[stream] = static_cast<uint64_t>(*v);
  return Status::OK();
}

// kpi.streams.<stream>.<field> = "Column" (a field of the event convention).
Status ApplyKpiStreamSetting(std::string_view name, const toml::node& n, Config* c) {
  std::string_view rest = name.substr(std::string_view("kpi.streams.").size());
  size_t dot = rest.rfind('.');
  if (dot == std::string_view::npos) {
    return Status::InvalidArgument(
        fmt::format("unknown setting {}; use kpi.streams.<stream>.<field>", name));
  }
  std::string stream(rest.substr(0, dot));
  std::string field(rest.substr(dot + 1));
  if (!ValidateStreamName(stream).ok()) {
    return Status::InvalidArgument(fmt::format("setting {}: invalid stream name", name));
  }
  auto column = n.value<std::string>();
  if (!column) return TypeError(name, "a string (the stream's column name)");
  // Checked here so a misspelt field is an error at start-up, not at a query.
  Status s = KpiFieldMap().Map(field, *column);
  if (!s.ok()) return s.WithContext(fmt::format("setting {}", name));
  c->kpi_stream_fields[stream][field] = *column;
  return Status::OK();
}

Status ApplyNode(const std::string& name, const toml::node& node, Config* c) {
  if (name.starts_with("kpi.streams.")) return ApplyKpiStreamSetting(name, node, c);
  if (name.starts_with("delivery.streams.")) return ApplyStreamSetting(name, node, c);
  if (name.starts_with("retention.streams.")) return ApplyRetentionSetting(name, node, c);
  if (name.starts_with("cors.streams.")) {
    std::string stream = name.substr(std::string_view("cors.streams.").size());
    if (!ValidateStreamName(stream).ok()) {
      return Status::InvalidArgument(fmt::format("setting {}: invalid stream name", name));
    }
    auto list = StringList(node);
    if (!list.ok()) return list.status().WithContext("setting " + name);
    c->cors_stream_origins[stream] = std::move(list).value();
    return Status::OK();
  }
  auto it = Settings().find(name);
  if (it == Settings().end()) {
    return Status::InvalidArgument(fmt::format("unknown setting {}", name));
  }
  Status s = it->second(node, c);
  if (!s.ok()) return Status::InvalidArgument(fmt::format("setting {}: {}", name, s.message()));
  return Status::OK();
}

// Walks a table, applying each leaf under its dotted name.
Status ApplyTable(const std::string& prefix, const toml::table& table, const std::string& file,
                  Config* c) {
  for (const auto& [key, node] : table) {
    std::string name =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      GL_RETURN_IF_ERROR(ApplyTable(name, *sub, file, c));
      continue;
    }
    Status s = ApplyNode(name, node, c);
    if (!s.ok()) {
      const auto& src = node.source();
      return Status::InvalidArgument(
          fmt::format("{}:{}:{}: {}", file, src.begin.line, src.begin.column, s.message()));
    }
  }
  return Status::OK();
}

}  // namespace

std::string Config::lake_dir() const { return JoinPath(data_dir, "lake"); }
bool Config::lake_on_s3() const { return lake_location.starts_with("s3://"); }
std::string Config::log_dir() const { return JoinPath(data_dir, "log"); }
std::string Config::metrics_dir() const { return JoinPath(data_dir, "metrics"); }
std::string Config::apps_dir() const { return JoinPath(data_dir, "apps"); }
std::string Config::staging_dir() const { return JoinPath(data_dir, "staging"); }
std::string Config::id_index_dir() const { return JoinPath(data_dir, "dedupe"); }
std::string Config::erasure_dir() const { return JoinPath(data_dir, "erasures"); }
std::string Config::lake_cache_dir() const {
  return lake_s3_cache_dir.empty() ? JoinPath(data_dir, "lake-cache") : lake_s3_cache_dir;
}

namespace {

// toml++ 3.3 (Debian 12) reaches TOML_UNREACHABLE, undefined behaviour, when a
// non-ASCII character stands outside quotes and comments (a bare key or value,
// "é = 1"): its whitespace table misses some blocks (U+00A1..U+0499, U+FB26..
// U+FEFE, ...). Found by fuzz/config_fuzzer. TOML 1.0 allows non-ASCII only in
// strings and comments, so such text is refused here, before toml++ sees it.
Status RefuseBareNonAscii(std::string_view text, std::string_view source) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kCode;
  int line = 1;
  // A string that is never closed is no string: toml++ reads its bytes as
  // code while reporting it, so non-ASCII in it is refused too.
  int string_line = 0;
  bool string_non_ascii = false;
  auto unclosed = [&] {
    return Status::InvalidArgument(fmt::format(
        "{}:{}: a non-ASCII character in a string that is not closed", source, string_line));
  };
  auto triple = [&](size_t i, char q) {
    return i + 2 < text.size() && text[i] == q && text[i + 1] == q && text[i + 2] == q;
  };
  // toml++ reads a quote as a string's start only where a key or a value
  // starts; inside a bare token ("= 12a"b") it scans on, as code. So a quote
  // opens a string only after the line's start, '=', '[', ',', '{', or a
  // dotted key's '.' (before the line's '=').
  char prev = '\n';
  bool eq_seen = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      prev = '\n';
      eq_seen = false;
    }
    if (in != In::kCode && in != In::kComment && static_cast<unsigned char>(c) >= 0x80) {
      string_non_ascii = true;
    }
    switch (in) {
      case In::kCode:
        string_line = line;
        string_non_ascii = false;
        if (static_cast<unsigned char>(c) >= 0x80) {
          return Status::InvalidArgument(
              fmt::format("{}:{}: a non-ASCII character outside quotes (TOML allows them only in "
                          "strings and comments)",
                          source, line));
        }
        if (c == '#') {
          in = In::kComment;
          break;
        }
        if (c != ' ' && c != '\t' && c != '\n') {
          bool opens = prev == '\n' || prev == '=' || prev == '[' || prev == ',' || prev == '{' ||
                       (prev == '.' && !eq_seen);
          eq_seen = eq_seen || c == '=';
          prev = c == '"' || c == '\'' ? 'q' : c;  // After a string: a token.
          if (!opens) break;
        }
        if (triple(i, '"')) {
          in = In::kMultiBasic;
          i += 2;
        } else if (triple(i, '\'')) {
          in = In::kMultiLiteral;
          i += 2;
        } else if (c == '"') {
          in = In::kBasic;
        } else if (c == '\'') {
          in = In::kLiteral;
        }
        break;
      case In::kComment:
        if (c == '\n') in = In::kCode;
        break;
      case In::kBasic:
        if (c == '\n' && string_non_ascii) return unclosed();
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          ++i;
        } else if (c == '"' || c == '\n') {
          in = In::kCode;
        }
        break;
      case In::kLiteral:
        if (c == '\n' && string_non_ascii) return unclosed();
        if (c == '\'' || c == '\n') in = In::kCode;
        break;
      case In::kMultiBasic:
      case In::kMultiLiteral: {
        const char quote = in == In::kMultiBasic ? '"' : '\'';
        if (in == In::kMultiBasic && c == '\\' && i + 1 < text.size()) {
          if (text[i + 1] == '\n') ++line;
          ++i;
        } else if (triple(i, quote)) {
          i += 2;
          // Up to two more quotes belong to the string ("""a""""" is 'a""').
          for (int k = 0; k < 2 && i + 1 < text.size() && text[i + 1] == quote; ++k) ++i;
          in = In::kCode;
        }
        break;
      }
    }
  }
  if (in != In::kCode && in != In::kComment && string_non_ascii) return unclosed();
  return Status::OK();
}

}  // namespace

Status LoadConfigFile(const std::string& path, Config* config) {
  if (Result<std::string> text = Env::Default()->ReadFile(path); text.ok()) {
    GL_RETURN_IF_ERROR(RefuseBareNonAscii(text.value(), path));
  }  // Otherwise toml++ says why the file cannot be read.
  toml::parse_result parsed = toml::parse_file(path);
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", path, err.source().begin.line,
                                               err.source().begin.column, err.description()));
  }
  return ApplyTable("", parsed.table(), path, config);
}

Status LoadConfigText(std::string_view text, const std::string& source, Config* config) {
  GL_RETURN_IF_ERROR(RefuseBareNonAscii(text, source));
  toml::parse_result parsed = toml::parse(text, std::string_view(source));
  if (!parsed) {
    const toml::parse_error& err = parsed.error();
    return Status::InvalidArgument(fmt::format("{}:{}:{}: {}", source, err.source().begin.line,
                                               err.source().begin.column, err.description()));
  }
  return ApplyTable("", parsed.table(), source, config);
}

Status ApplySetting(const std::string& assignment, Config* config) {
  size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument(fmt::format(
        "--set {}: expected name=value, e.g. delivery.buffer_interval_s=5", assignment));
  }
  std::string name = assignment.substr(0, eq);
  std::string value = assignment.substr(eq + 1);
  std::string toml_text = "v = " + value;
  Status s;
  bool applied = false;
  // Text toml++ must not see (RefuseBareNonAscii) is no TOML value either.
  if (RefuseBareNonAscii(toml_text, "--set").ok()) {
    toml::parse_result parsed = toml::parse(toml_text);
    if (parsed) {
      s = ApplyNode(name, *parsed.table().get("v"), config);
      applied = true;
    }
  }
  if (!applied) {
    // Not a TOML value: take it as a bare string ("--set log.durability=none").
    s = ApplyNode(name, toml::value<std::string>(value), config);
  }
  if (!s.ok()) return s.WithContext("--set " + assignment);
  return Status::OK();
}

Status ParseListen(const std::string& text, Config* config) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument(fmt::format("listen address {}: expected host:port", text));
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string port = text.substr(colon + 1);
  int p = 0;
  for (char ch : port) {
    if (ch < '0' || ch > '9' || p > 65535) {
      return Status::InvalidArgument(fmt::format("listen address {}: bad port", text));
    }
    p = p * 10 + (ch - '0');
  }
  if (port.empty() || p > 65535 || host.empty()) {
    return Status::InvalidArgument(fmt::format("listen address {}: expected host:port", text));
  }
  config->listen_host = host;
  config->listen_port = static_cast<uint16_t>(p);
  return Status::OK();
}

namespace {

// True if `inner` is `outer` or below it (textually, both made absolute).
bool WithinDir(const std::string& inner, const std::string& outer) {
  auto normal = [](const std::string& path) {
    std::error_code ec;  // No exceptions: an unknown working dir leaves the path as it is.
    std::filesystem::path p = std::filesystem::absolute(path, ec);
    std::string s = (ec ? std::filesystem::path(path) : p).lexically_normal().string();
    return s.ends_with('/') ? s : s + '/';
  };
  return normal(inner).starts_with(normal(outer));
}

// lake.s3.cache_dir: apart from the lake dir (the catalog would take the
// copies for this node's own files, and a crawl of them for the lake's).
Status ValidateCacheDir(const Config& c) {
  const std::string cache = c.lake_cache_dir();
  if (WithinDir(cache, c.lake_dir()) || WithinDir(c.lake_dir(), cache)) {
    return Status::InvalidArgument("lake.s3.cache_dir (" + cache +
                                   ") must be apart from the lake dir " + c.lake_dir());
  }
  return Status::OK();
}

// lake.* and node.id.
Status ValidateLake(const Config& c) {
  auto bad = [](std::string_view what) { return Status::InvalidArgument(what); };
  if (!c.node_id.empty()) {
    if (Status s = ValidateNodeId(c.node_id); !s.ok()) return bad("node.id: " + s.message());
  }
  if (!c.lake_on_s3()) {
    if (!c.lake_location.empty() && c.lake_location != c.lake_dir()) {
      return bad(
          "lake.location: expected \"s3://bucket[/prefix]\" (the local lake is always "
          "<data_dir>/lake), not \"" +
          c.lake_location + "\"");
    }
    return Status::OK();
  }
  if (Result<S3Location> loc = S3Location::Parse(c.lake_location); !loc.ok()) {
    return bad("lake.location: " + loc.status().message());
  }
  if (c.lake_s3_region.empty()) return bad("lake.s3.region must not be empty");
  if (!c.lake_s3_endpoint.empty()) {
    Result<S3Endpoint> ep = S3Endpoint::Parse(c.lake_s3_endpoint);
    if (!ep.ok()) return bad("lake.s3.endpoint: " + ep.status().message());
    if (!c.lake_s3_path_style && ep->HostIsIpAddress()) {
      return bad("lake.s3.path_style must be true with an IP address endpoint (" +
                 c.lake_s3_endpoint + "): virtual-hosted addressing needs a host name");
    }
  } else if (Result<S3Endpoint> ep = S3Endpoint::ForAwsRegion(c.lake_s3_region); !ep.ok()) {
    return bad("lake.s3.region: " + ep.status().message());
  }
  if (c.lake_s3_access_key_id.empty() != c.lake_s3_secret_access_key.empty()) {
    return bad(
        "lake.s3.access_key_id and lake.s3.secret_access_key go together: set both or "
        "neither (then the environment or the shared credentials file)");
  }
  if (!c.lake_s3_ca_file.empty() && !Env::Default()->FileExists(c.lake_s3_ca_file)) {
    return bad("lake.s3.ca_file: no such file " + c.lake_s3_ca_file);
  }
  constexpr uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30;
  if (c.lake_s3_part_size_bytes < 5 * kMiB || c.lake_s3_part_size_bytes > 5 * kGiB) {
    return bad("lake.s3.part_size_bytes must be within 5242880..5368709120 (S3's part sizes)");
  }
  if (c.lake_s3_multipart_threshold_bytes < 5 * kMiB ||
      c.lake_s3_multipart_threshold_bytes > 5 * kGiB) {
    return bad(
        "lake.s3.multipart_threshold_bytes must be within 5242880..5368709120 (a "
        "single PUT holds at most 5 GiB)");
  }
  if (c.lake_s3_list_interval_s < 0 || c.lake_s3_list_interval_s > 86400) {
    return bad(
        "lake.s3.list_interval_s must be within 0..86400 (0: do not list other nodes' files)");
  }
  if (c.lake_s3_cache_bytes < kMiB) {
    return bad("lake.s3.cache_bytes must be at least 1048576");
  }
  if (Status s = ValidateCacheDir(c); !s.ok()) return s;
  if (!(c.lake_s3_delete_grace_s >= 0 && c.lake_s3_delete_grace_s <= 604800)) {
    return bad("lake.s3.delete_grace_s must be within 0..604800");
  }
  return Status::OK();
}

}  // namespace

std::string LakeRewritesRefused(const Config& config) {
  if (!config.lake_on_s3()) return "";
  return "not supported on an S3 lake without its server (lake.location = " + config.lake_location +
         "): run it through the running server; see docs/deploy.md";
}

std::string LakeErasureRefused(const Config& config) {
  if (!config.lake_on_s3()) return "";
  return "not supported on an S3 lake yet (lake.location = " + config.lake_location +
         "): it would remove the rows from this node's files only, not from the other "
         "nodes'; see docs/deploy.md";
}

Status ValidateConfig(const Config& c) {
  auto bad = [](std::string_view what) { return Status::InvalidArgument(what); };
  GL_RETURN_IF_ERROR(ValidateLake(c));
  if (c.data_dir.empty()) return bad("data_dir must not be empty");
  if (c.demo_rate < 0 || c.demo_rate > 1e6) return bad("demo.rate must be within 0..1000000");
  if (c.demo_sessions_rate < 0 || c.demo_sessions_rate > 1e6) {
    return bad("demo.sessions_rate must be within 0..1000000");
  }
  if (c.max_body_bytes < 1024) return bad("server.max_body_bytes must be at least 1024");
  if (c.sql_threads < 1 || c.sql_threads > 256) return bad("sql.threads must be within 1..256");
  if (c.sql_query_timeout_s <= 0) return bad("sql.query_timeout_s must be > 0");
  if (c.sql_max_concurrent_queries < 1 || c.sql_max_concurrent_queries > 64) {
    return bad("sql.max_concurrent_queries must be within 1..64");
  }
  if (c.sql_memory_limit.empty()) return bad("sql.memory_limit must not be empty");
  if (!ValidateStreamName(c.kpi_stream).ok()) return bad("kpi.stream must be a stream name");
  if (Status s = CheckKpiTimeZone(c.kpi_timezone); !s.ok()) {
    return bad(fmt::format("kpi.timezone: {}", s.message()));
  }
  if (!(c.kpi_session_gap_s >= 1 && c.kpi_session_gap_s <= 86400)) {
    return bad("kpi.session_gap_s must be within 1..86400");
  }
  if (c.max_decoded_body_bytes < c.max_body_bytes) {
    return bad("server.max_decoded_body_bytes must be at least server.max_body_bytes");
  }
  if (c.max_record_bytes < 16) return bad("server.max_record_bytes must be at least 16");
  if (c.max_records_per_request < 1) return bad("server.max_records_per_request must be >= 1");
  if (c.max_json_depth < 1 || c.max_json_depth > 1024) {
    return bad("server.max_json_depth must be within 1..1024");
  }
  if (c.idle_timeout_s <= 0 || c.request_timeout_s <= 0) {
    return bad("server.idle_timeout_s and server.request_timeout_s must be > 0");
  }
  if (c.max_connections < 1) return bad("server.max_connections must be >= 1");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return bad("server.tls_cert_file and server.tls_key_file go together: set both or neither");
  }
  if (Result<ClientCertMode> mode = ParseClientCertMode(c.tls_client_auth); !mode.ok()) {
    return bad("server.tls_client_auth " + std::string(mode.status().message()));
  } else if (*mode != ClientCertMode::kNone && c.tls_client_ca_file.empty()) {
    return bad("server.tls_client_auth = \"" + c.tls_client_auth +
               "\" needs server.tls_client_ca_file (the CAs that sign client certificates)");
  }
  if (c.tls_cert_file.empty() && !c.plain_listen_host.empty()) {
    return bad(
        "server.plain_listen is a plain listener beside a TLS one: set "
        "server.tls_cert_file and server.tls_key_file, or use server.listen");
  }
  if (c.tls_reload_check_s < 0) return bad("server.tls_reload_check_s must be >= 0");
  if (!EventIdExtractor::ValidFieldName(c.event_id_field)) {
    return bad("ingest.event_id_field must not contain '\"', '\\' or control characters");
  }
  if (c.dedupe_window_s < 1 || c.dedupe_window_s > 365ull * 86400) {
    return bad("ingest.dedupe_window_s must be within 1..31536000");
  }
  if (c.dedupe_max_entries > 1'000'000'000) {
    return bad("ingest.dedupe_max_entries must be at most 1000000000");
  }
  if (c.dead_letter_max_bytes > (64ull << 20)) {
    return bad("ingest.dead_letter_max_bytes must be at most 67108864");
  }
  if (c.segment_bytes < (1u << 16)) return bad("log.segment_bytes must be at least 65536");
  if (c.commit_window_us > 100'000) return bad("log.commit_window_us must be within 0..100000");
  if (c.buffer_size_bytes < 1) return bad("delivery.buffer_size_bytes must be >= 1");
  if (c.buffer_interval_s < 0 || c.buffer_interval_s > 86400) {
    return bad("delivery.buffer_interval_s must be within 0..86400");
  }
  if (c.compaction_interval_s <= 0 || c.compaction_interval_s > 86400) {
    return bad("compaction.interval_s must be within 0..86400 (and above 0)");
  }
  if (c.compaction_target_file_bytes < (1u << 20)) {
    return bad("compaction.target_file_bytes must be at least 1048576");
  }
  if (c.compaction_settle_s < 0 || c.compaction_daily_after_s < 0) {
    return bad("compaction.settle_s and compaction.daily_after_s must be >= 0");
  }
  if (c.compaction_nice > 19) return bad("compaction.nice must be within 0..19");
  if (c.compaction_memory_limit.empty()) return bad("compaction.memory_limit must not be empty");
  if (c.retention_interval_s <= 0) return bad("retention.interval_s must be > 0");
  if (c.metrics_max_series == 0) return bad("metrics.max_series must be > 0");
  if (c.metrics_checkpoint_interval_s <= 0) return bad("metrics.checkpoint_interval_s must be > 0");
  if (!(c.metrics_keep_1s_hours > 0 && c.metrics_keep_1m_days > 0 && c.metrics_keep_5m_days > 0 &&
        c.metrics_keep_1h_days > 0)) {
    return bad("metrics.keep_* must be > 0");
  }
  if (c.metrics_max_alarms == 0) return bad("metrics.max_alarms must be > 0");
  if (c.metrics_alarm_evaluation_delay_s < 0 || c.metrics_alarm_evaluation_delay_s > 600) {
    return bad("metrics.alarm_evaluation_delay_s must be 0 to 600");
  }
  if (c.metrics_webhook_attempts < 1 || c.metrics_webhook_attempts > 20) {
    return bad("metrics.webhook_attempts must be 1 to 20");
  }
  if (!(c.metrics_webhook_first_backoff_s > 0) || !(c.metrics_webhook_timeout_s > 0) ||
      c.metrics_webhook_queue == 0) {
    return bad("metrics.webhook_first_backoff_s, webhook_timeout_s and webhook_queue must be > 0");
  }
  if (c.retention_days > 36500) return bad("retention.days must be at most 36500");
  if (c.streaming_max_apps == 0 || c.streaming_max_apps > 10'000) {
    return bad("streaming.max_apps must be 1 to 10000");
  }
  if (c.streaming_checkpoint_interval_ms < 10 || c.streaming_checkpoint_interval_ms > 3'600'000) {
    return bad("streaming.checkpoint_interval_ms must be 10 to 3600000");
  }
  if (c.streaming_max_state_bytes < (1u << 20)) {
    return bad("streaming.max_state_bytes must be at least 1048576");
  }
  if (c.streaming_allowed_lateness_ms > 86'400'000) {
    return bad("streaming.allowed_lateness_ms must be 0 to 86400000 (a day)");
  }
  return Status::OK();
}

}  // namespace gamelake
