#include "server/server.h"

#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/env.h"
#include "common/metrics.h"
#include "delivery/delivery_service.h"
#include "log/wal.h"
#include "server/demo_feed.h"
#include "server/http_server.h"
#include "server/router.h"

namespace gamelake {
namespace {

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(const Config& config) : config_(config) {}
  ~ServerImpl() override { (void)Shutdown(); }

  Status Init() {
    Env* env = Env::Default();
    GL_RETURN_IF_ERROR(env->CreateDirs(config_.data_dir));
    GL_RETURN_IF_ERROR(env->CreateDirs(config_.lake_dir()));

    WalOptions wal_options;
    wal_options.dir = config_.log_dir();
    wal_options.durability = config_.durable ? Durability::kFsync : Durability::kNone;
    wal_options.segment_bytes = config_.segment_bytes;
    wal_options.max_pending_bytes = config_.max_log_bytes;
    RecoveryReport report;
    auto wal = Wal::Open(wal_options, &report);
    if (!wal.ok()) return wal.status().WithContext("opening the log in " + wal_options.dir);
    wal_ = std::move(wal).value();
    spdlog::info(
        "msg=\"log recovered\" dir=\"{}\" segments={} records={} corrupt_entries={} "
        "corrupt_bytes={} torn_tail_bytes={}",
        wal_options.dir, report.segments, report.records, report.corrupt_entries,
        report.corrupt_bytes, report.torn_tail_bytes);
    metrics_
        .AddCounter("gamelake_log_corrupt_entries_total",
                    "Log entries skipped at recovery because their checksum failed")
        ->Add(report.corrupt_entries);
    metrics_
        .AddCounter("gamelake_log_torn_tail_bytes_total",
                    "Bytes cut from a torn log tail at recovery")
        ->Add(report.torn_tail_bytes);
    Wal* w = wal_.get();
    metrics_.AddCallbackGauge("gamelake_log_pending_bytes",
                              "Log bytes not yet delivered to the lake",
                              [w] { return static_cast<double>(w->pending_bytes()); });
    metrics_.AddCallbackGauge("gamelake_log_segments", "Log segment files",
                              [w] { return static_cast<double>(w->segment_count()); });
    metrics_.AddCallbackGauge("gamelake_log_fsyncs", "Group commits (fdatasync calls) so far",
                              [w] { return static_cast<double>(w->fsyncs()); });

    DeliveryOptions d;
    d.lake_dir = config_.lake_dir();
    d.staging_dir = config_.staging_dir();
    d.default_hints.size_bytes = config_.buffer_size_bytes;
    d.default_hints.interval_us = static_cast<int64_t>(config_.buffer_interval_s * 1e6);
    for (const auto& [name, s] : config_.streams) {
      BufferHints h = d.default_hints;
      if (s.buffer_size_bytes > 0) h.size_bytes = s.buffer_size_bytes;
      if (s.buffer_interval_s >= 0) h.interval_us = static_cast<int64_t>(s.buffer_interval_s * 1e6);
      d.stream_hints[name] = h;
    }
    d.duckdb_threads = config_.duckdb_threads;
    d.duckdb_memory_limit = config_.duckdb_memory_limit;
    d.metrics = &metrics_;
    auto delivery = DeliveryService::Start(wal_.get(), d);
    if (!delivery.ok()) return delivery.status().WithContext("starting delivery");
    delivery_ = std::move(delivery).value();

    router_ = std::make_unique<Router>(config_, wal_.get(), delivery_.get(), &metrics_);
    HttpServerOptions h;
    h.host = config_.listen_host;
    h.port = config_.listen_port;
    h.threads =
        config_.threads > 0 ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
    h.max_body_bytes = config_.max_body_bytes;
    h.max_header_bytes = config_.max_header_bytes;
    h.idle_timeout_s = config_.idle_timeout_s;
    h.request_timeout_s = config_.request_timeout_s;
    h.max_connections = config_.max_connections;
    h.max_header_count = config_.max_header_count;
    Router* router = router_.get();
    auto http = HttpServer::Start(
        h,
        [router](HttpRequest&& req, Respond respond) {
          router->Handle(std::move(req), std::move(respond));
        },
        &metrics_);
    if (!http.ok()) return http.status();
    http_ = std::move(http).value();
    if (config_.demo) {
      demo_ = std::make_unique<DemoFeed>(wal_.get(), config_.demo_rate);
      spdlog::info("msg=\"demo: sending lab-shaped events into the stream events\" rate={}",
                   config_.demo_rate);
    }
    spdlog::info("msg=\"listening\" url=\"http://{}:{}\" data_dir=\"{}\" durability={}",
                 config_.listen_host, http_->port(), config_.data_dir,
                 config_.durable ? "fsync" : "none");
    return Status::OK();
  }

  uint16_t port() const override { return http_ ? http_->port() : 0; }

  Status Shutdown() override {
    if (shut_down_) return Status::OK();
    shut_down_ = true;
    Status result;
    if (http_) {
      spdlog::info("msg=\"shutting down: answering requests in flight\"");
      http_->Shutdown(10);
    }
    if (demo_) demo_->Stop();
    if (delivery_) {
      spdlog::info("msg=\"shutting down: delivering buffered records\"");
      Status s = delivery_->Stop();
      if (!s.ok()) {
        spdlog::error("msg=\"delivery did not finish\" error=\"{}\"", s.ToString());
        result = s;
      }
    }
    if (wal_) {
      Status s = wal_->Close();
      if (!s.ok() && result.ok()) result = s;
    }
    spdlog::info("msg=\"stopped\"");
    return result;
  }

 private:
  Config config_;
  Metrics metrics_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<DeliveryService> delivery_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<DemoFeed> demo_;
  bool shut_down_ = false;
};

}  // namespace

Status ValidateStreamName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument(
        fmt::format("stream name must be 1 to 64 characters (got {})", name.size()));
  }
  if (name.front() == '_') {
    return Status::InvalidArgument("stream names starting with '_' are reserved for gamelake");
  }
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-';
    if (!ok) {
      return Status::InvalidArgument("stream name may contain only letters, digits, '_' and '-'");
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<Server>> Server::Start(const Config& config) {
  GL_RETURN_IF_ERROR(ValidateConfig(config));
  auto server = std::make_unique<ServerImpl>(config);
  GL_RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace gamelake
