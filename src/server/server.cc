#include "server/server.h"

#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth/authenticator.h"
#include "auth/dev_keys.h"
#include "auth/key_store.h"
#include "auth/rate_limiter.h"
#include "auth/sigv4.h"
#include "common/env.h"
#include "common/metrics.h"
#include "delivery/delivery_service.h"
#include "log/wal.h"
#include "server/demo_feed.h"
#include "server/event_deduper.h"
#include "server/firehose_api.h"
#include "server/http_server.h"
#include "server/ingest_handler.h"
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

    // Event ids for idempotent retries: rebuilt from the log and the lake
    // before delivery starts moving records between them.
    IngestOptions ingest;
    ingest.event_id_field = config_.event_id_field;
    ingest.dead_letter_max_bytes = config_.dead_letter_max_bytes;
    if (!config_.event_id_field.empty() && config_.dedupe_max_entries > 0) {
      EventDeduperOptions o;
      o.window_s = static_cast<int64_t>(config_.dedupe_window_s);
      o.max_entries = config_.dedupe_max_entries;
      o.metrics = &metrics_;
      deduper_ = std::make_unique<EventDeduper>(o);
      Status st =
          deduper_->Rebuild(wal_.get(), config_.lake_dir(),
                            EventIdExtractor(config_.event_id_field), config_.duckdb_memory_limit);
      if (!st.ok()) return st.WithContext("rebuilding the event ids for deduplication");
      ingest.deduper = deduper_.get();
    }

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

    GL_RETURN_IF_ERROR(InitAuth());
    ingest_ = std::make_unique<IngestHandler>(wal_.get(), &metrics_, std::move(ingest));
    InitFirehose();
    Router::Deps deps;
    deps.wal = wal_.get();
    deps.delivery = delivery_.get();
    deps.metrics = &metrics_;
    deps.ingest = ingest_.get();
    deps.auth = auth_.get();
    deps.limiter = limiter_.get();
    deps.keys = keys_.get();
    deps.firehose = firehose_.get();
    router_ = std::make_unique<Router>(config_, deps);
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

  // API keys: the key store in <data>/keys, dev keys on first start (and
  // printed again with --demo), the authenticator and the rate limiter.
  Status InitAuth() {
    RateLimiter::Options limits;
    limits.defaults.records_per_s = config_.rate_records_per_s;
    limits.defaults.bytes_per_s = config_.rate_bytes_per_s;
    limiter_ = std::make_unique<RateLimiter>(limits);
    if (!config_.auth_enabled) {
      spdlog::warn(
          "msg=\"AUTH IS DISABLED (auth.enabled = false): every request is accepted as admin, "
          "with no API key. Use this only for local development.\"");
      auth_ = std::make_unique<Authenticator>(nullptr, false);
      return Status::OK();
    }
    auto keys = KeyStore::Open(Env::Default(), JoinPath(config_.data_dir, "keys"));
    if (!keys.ok()) return keys.status().WithContext("opening the API key store");
    keys_ = std::move(keys).value();
    GL_RETURN_IF_ERROR(EnsureDevKeys(keys_.get(), config_.data_dir, config_.demo));
    auth_ = std::make_unique<Authenticator>(keys_.get(), true);
    return Status::OK();
  }

  // The Firehose API: SigV4 with gamelake keys (access key id = key id,
  // secret = the key's secret), writing through the shared IngestHandler.
  void InitFirehose() {
    FirehoseApi::Authenticate authenticate;
    if (keys_) {
      KeyStore* keys = keys_.get();
      sigv4_ = std::make_unique<SigV4Verifier>(
          [keys](std::string_view id) { return keys->SigningSecret(id); });
      SigV4Verifier* verifier = sigv4_.get();
      RateLimiter* limiter = limiter_.get();
      authenticate = [keys, verifier,
                      limiter](const HttpRequest& req) -> Result<FirehosePrincipal> {
        SigV4Request r;
        r.method = std::string_view(req.method_string().data(), req.method_string().size());
        r.target = std::string_view(req.target().data(), req.target().size());
        for (const auto& f : req) {
          r.headers.emplace_back(std::string_view(f.name_string().data(), f.name_string().size()),
                                 std::string_view(f.value().data(), f.value().size()));
        }
        r.body = req.body();
        GL_ASSIGN_OR_RETURN(SigV4Identity id, verifier->Verify(r));
        Result<Principal> p = keys->Lookup(id.access_key_id);
        if (!p.ok()) {
          return Status::NotFound(
              "UnrecognizedClientException: The security token included in the request is "
              "invalid.");
        }
        FirehosePrincipal fp;
        fp.key_id = id.access_key_id;
        fp.region = id.region;
        fp.can_write = [principal = *p](std::string_view stream) {
          return principal.CanIngest(stream);
        };
        fp.forget_request = [verifier, sig = id.signature] { verifier->Forget(sig); };
        fp.admit = [limiter, principal = *p](uint64_t records, uint64_t bytes) -> int64_t {
          RateLimiter::Decision d =
              limiter->Admit(principal, records, bytes, Env::Default()->NowMicros());
          return d.ok ? 0 : std::max<int64_t>(1, d.retry_after_seconds);
        };
        return fp;
      };
    } else {
      authenticate = [](const HttpRequest&) -> Result<FirehosePrincipal> {
        FirehosePrincipal fp;
        fp.key_id = std::string(Authenticator::kAnonymous);
        return fp;
      };
    }
    ParserLimits limits;
    limits.max_decoded_body_bytes = config_.max_decoded_body_bytes;
    limits.max_record_bytes = config_.max_record_bytes;
    limits.max_records = config_.max_records_per_request;
    limits.max_depth = config_.max_json_depth;
    limits.max_keys = config_.max_record_keys;
    std::string lake = config_.lake_dir();
    firehose_ = std::make_unique<FirehoseApi>(authenticate, ingest_.get(), limits, [lake]() {
      std::vector<std::string> out;
      auto names = Env::Default()->ListDir(lake);
      if (names.ok()) {
        for (std::string& n : *names) {
          if (ValidateStreamName(n).ok()) out.push_back(std::move(n));
        }
      }
      return out;
    });
  }

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
  std::unique_ptr<EventDeduper> deduper_;  // Null when deduplication is off.
  std::unique_ptr<DeliveryService> delivery_;
  std::unique_ptr<KeyStore> keys_;  // Null when auth is disabled.
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<SigV4Verifier> sigv4_;
  // Owned here, shared by the native and the Firehose API; must outlive the
  // log's callbacks, so the log is closed (in Shutdown) before it goes.
  std::unique_ptr<IngestHandler> ingest_;
  std::unique_ptr<FirehoseApi> firehose_;
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
