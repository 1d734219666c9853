// Config: every setting of `gamelake serve`, from defaults, a TOML file and flags.
//
// Precedence: built-in defaults < TOML file (--config) < flags. Every setting
// has a dotted name ("delivery.buffer_interval_s") usable in the file and as
// `--set name=value`. Unknown names, wrong types and out-of-range values are
// errors that name the setting (and the file and line, for the file).
// docs/configuration.md lists every setting; keep it in sync with kSettings in
// config.cc.
//
// Thread-safety: a plain value; build it once at start-up.
#ifndef GAMELAKE_SERVER_CONFIG_H_
#define GAMELAKE_SERVER_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace gamelake {

struct StreamSettings {
  uint64_t buffer_size_bytes = 0;  // 0: use delivery.buffer_size_bytes.
  double buffer_interval_s = -1;   // <0: use delivery.buffer_interval_s.
};

struct Config {
  std::string data_dir = "gamelake-data";
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  int threads = 0;                // HTTP worker threads; 0 = one per core.
  bool demo = false;              // --demo: lab-shaped events flow into "events".
  double demo_rate = 20;          // demo.rate: records a second in demo mode.
  double demo_sessions_rate = 5;  // demo.sessions_rate: simulated players' events a second.
  // The web console (console.*): served at / from console_dir, the built
  // files of web/ ("" = next to the binary: <bin>/../web/dist, then
  // <bin>/../share/gamelake/console; resolved by the command line).
  bool console_enabled = true;
  std::string console_dir;
  std::string log_level = "info";

  // HTTP limits.
  uint64_t max_body_bytes = 6ull << 20;  // As sent (413 above); fits a Firehose batch in base64.
  uint64_t max_decoded_body_bytes = 16ull << 20;  // After gzip decoding (413 above).
  uint64_t max_record_bytes = 1000ull << 10;      // Firehose: 1,000 KiB a record.
  uint64_t max_records_per_request = 500;         // Firehose: 500 a batch.
  uint64_t max_json_depth = 64;
  uint64_t max_record_keys = 1000;  // Keys in one record (all levels); each is a column.
  uint64_t max_header_bytes = 16ull << 10;
  double idle_timeout_s = 60;     // Keep-alive connection with no request.
  double request_timeout_s = 30;  // Time to receive one whole request.
  uint64_t max_connections = 10000;
  uint64_t max_header_count = 100;  // More header fields gets 431.
  // HTTPS (server.tls_*): with a certificate and key the listener speaks TLS
  // only; server.plain_listen adds a plain-HTTP listener beside it.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  std::string tls_client_auth = "none";  // none | optional | require.
  double tls_reload_check_s = 10;        // 0: reload on SIGHUP only.
  std::string plain_listen_host;         // "" = no plain listener.
  uint16_t plain_listen_port = 0;
  // CORS: origins allowed to POST from a browser (WebGL builds). "*" allows
  // any; empty: no CORS headers at all. cors.streams.<stream> overrides per stream.
  std::vector<std::string> cors_origins;
  std::map<std::string, std::vector<std::string>> cors_stream_origins;

  // Ingest: idempotent retries and dead letters.
  std::string event_id_field = "event_id";   // Top-level field holding a client event id; "" off.
  uint64_t dedupe_window_s = 86400;          // A stored event id is remembered this long.
  uint64_t dedupe_max_entries = 10'000'000;  // Event ids remembered at most (oldest evicted).
  uint64_t dead_letter_max_bytes = 65536;    // Of each rejected record kept in _errors.

  // API keys.
  bool auth_enabled = true;         // auth.enabled: false only for local development.
  uint64_t rate_records_per_s = 0;  // auth.rate_records_per_s: default per key; 0 = none.
  uint64_t rate_bytes_per_s = 0;    // auth.rate_bytes_per_s: default per key; 0 = none.

  // Write-ahead log.
  bool durable = true;  // log.durability = "fsync" (true) or "none".
  uint64_t segment_bytes = 64ull << 20;
  uint64_t commit_window_us = 0;              // log.commit_window_us: see WalOptions.
  uint64_t max_log_bytes = 16ull << 30;       // 503 when unreleased log exceeds this.
  uint64_t min_free_disk_bytes = 1ull << 30;  // 503 when the data disk has less free.

  // Delivery (Firehose-like buffer hints).
  uint64_t buffer_size_bytes = 64ull << 20;
  double buffer_interval_s = 60;
  int duckdb_threads = 1;
  std::string duckdb_memory_limit = "1GB";
  std::map<std::string, StreamSettings> streams;  // delivery.streams.<name>.*
  // DescribeDeliveryStream of a stream with no records yet: ACTIVE (it is
  // created by its first record) instead of ResourceNotFoundException.
  bool firehose_unknown_streams_active = false;

  // SQL (catalog and query engine).
  int sql_threads = 2;
  std::string sql_memory_limit = "2GB";
  double sql_query_timeout_s = 300;
  int sql_max_concurrent_queries = 4;
  uint64_t sql_tail_max_bytes = 512ull << 20;
  bool sql_parquet_metadata_cache = false;

  // The lake over months: compaction and retention (src/lifecycle).
  bool compaction_enabled = true;
  double compaction_interval_s = 60;
  uint64_t compaction_target_file_bytes = 256ull << 20;
  double compaction_settle_s = 600;              // An hour is merged this long after it ends.
  uint64_t compaction_open_hour_min_files = 32;  // Merge an open hour at this many small files.
  bool compaction_daily = true;                  // Merge past days into whole-day files.
  double compaction_daily_after_s = 3600;        // ...this long after the day ended.
  uint64_t compaction_max_bytes_per_s = 64ull << 20;  // Merged bytes a second; 0 = no limit.
  std::string compaction_memory_limit = "512MB";
  int compaction_nice = 10;
  uint64_t retention_days = 0;                            // 0: keep forever.
  std::map<std::string, uint64_t> retention_stream_days;  // retention.streams.<name>.days
  double retention_interval_s = 600;

  // The metrics store (src/metrics): CloudWatch's retention by default.
  bool metrics_enabled = true;
  bool metrics_pipeline = true;  // Record gamelake/Streams and gamelake/Queries each second.
  uint64_t metrics_max_series = 1'000'000;
  double metrics_checkpoint_interval_s = 300;
  double metrics_keep_1s_hours = 3;
  double metrics_keep_1m_days = 15;
  double metrics_keep_5m_days = 63;
  double metrics_keep_1h_days = 455;
  // Alarms (metrics/alarm_store.h) and their webhooks (metrics/webhook_sender.h).
  uint64_t metrics_max_alarms = 1'000;
  double metrics_alarm_evaluation_delay_s = 3;
  uint64_t metrics_webhook_attempts = 5;
  double metrics_webhook_first_backoff_s = 1;
  double metrics_webhook_timeout_s = 5;
  uint64_t metrics_webhook_queue = 1'000;

  // Streaming SQL applications (src/streaming; docs/streaming.md).
  bool streaming_enabled = true;
  uint64_t streaming_max_apps = 64;
  uint64_t streaming_checkpoint_interval_ms = 1000;
  uint64_t streaming_max_state_bytes = 1ull << 30;  // Per application.
  // How far behind the newest event time a row of an event-time window may be.
  uint64_t streaming_allowed_lateness_ms = 0;

  // Game KPIs (kpi.*; docs/kpis.md, docs/events.md).
  std::string kpi_stream = "events";  // The stream a KPI request without one reads.
  std::string kpi_timezone = "UTC";   // Where KPI days begin; a request's tz overrides it.
  double kpi_session_gap_s = 1800;    // Inactivity ending a session, for streams without ids.
  // kpi.streams.<stream>.<field> = "Column": the stream's name for a field of
  // the event convention ("" for session_id: no sessions, derive them).
  std::map<std::string, std::map<std::string, std::string>> kpi_stream_fields;

  // The lake (lake.*) and this node (node.id); docs/deploy.md.
  // "" or the local lake dir: the local lake <data>/lake; "s3://bucket/prefix":
  // the lake on S3 (<data>/lake stays the node's local copy of its files).
  std::string lake_location;
  std::string lake_s3_endpoint;  // "": AWS's endpoint for the region.
  std::string lake_s3_region = "us-east-1";
  bool lake_s3_path_style = false;
  std::string lake_s3_access_key_id;  // A static pair, else the environment/shared file.
  std::string lake_s3_secret_access_key;
  std::string lake_s3_profile;  // Of the shared credentials file.
  std::string lake_s3_ca_file;  // PEM CAs for the endpoint's TLS; "": the system's.
  uint64_t lake_s3_multipart_threshold_bytes = 64ull << 20;
  uint64_t lake_s3_part_size_bytes = 16ull << 20;
  // A shared lake: how often other nodes' files are listed (0: never), and
  // the bounded cache of their local copies (s3/lake_file_cache.h).
  double lake_s3_list_interval_s = 30;
  std::string lake_s3_cache_dir;  // "": <data>/lake-cache.
  uint64_t lake_s3_cache_bytes = 10ull << 30;
  // How long this node's objects that a compaction or an erasure replaced
  // stay in the bucket (other nodes list the new object first).
  double lake_s3_delete_grace_s = 0;
  std::string node_id;  // node.id: [a-z0-9-], at most 32; "" for none.

  // True when lake.location is an s3:// URI.
  bool lake_on_s3() const;
  std::string lake_dir() const;
  std::string lake_cache_dir() const;  // lake.s3.cache_dir, or <data>/lake-cache.
  std::string metrics_dir() const;     // <data>/metrics
  std::string log_dir() const;
  std::string staging_dir() const;
  std::string id_index_dir() const;  // The event id index (ingest/event_id_index.h).
  std::string erasure_dir() const;   // The erasure audit log (lifecycle/erasure_log.h).
  std::string apps_dir() const;      // Streaming applications: <data>/apps.
};

// Applies the TOML file at path onto config.
[[nodiscard]] Status LoadConfigFile(const std::string& path, Config* config);
// The same for TOML text already read; `source` names it in errors (as the path does).
[[nodiscard]] Status LoadConfigText(std::string_view text, const std::string& source,
                                    Config* config);
// Applies one "name=value" override (value in TOML syntax; bare strings allowed).
[[nodiscard]] Status ApplySetting(const std::string& assignment, Config* config);
// Checks ranges and relations between settings.
[[nodiscard]] Status ValidateConfig(const Config& config);
// Why compaction, retention and erasure may not rewrite this config's lake
// offline, without its server ("" when they may): an S3 lake is maintained
// only by its running server (which sweeps its objects).
std::string LakeRewritesRefused(const Config& config);
// Why erasure requests are refused on this config's lake ("" when they are
// not): on an S3 lake an erasure would not reach the other nodes' files.
std::string LakeErasureRefused(const Config& config);
// Parses "host:port" ("[::1]:80" for IPv6).
[[nodiscard]] Status ParseListen(const std::string& text, Config* config);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CONFIG_H_
