// Router: the front door's routes — what each HTTP endpoint does.
//
//   POST /v1/streams/{stream}/records   ingest JSON / JSON array / NDJSON (gzip ok)
//   POST /v1/events                     the same, into the stream "events"
//   GET  /v1/health                     liveness and pipeline state (JSON)
//   GET  /metrics                       Prometheus text format (admin key)
//   GET/POST /v1/keys, DELETE /v1/keys/{id}   API keys (admin key)
//   POST /  X-Amz-Target: Firehose_20150804.*  the Firehose API (SigV4)
//   /v1/query, /v1/queries, /v1/catalog/*       SQL and the catalog (admin key; query_api.h)
//   GET /v1/kpis, GET /v1/kpis/{name}           game KPIs as SQL (the keys /v1/query takes;
//                                                kpi_api.h)
//   /v1/lake/*, /v1/erasures[/{id}]             compaction, retention, erasure (admin key;
//                                                lake_api.h)
//   /v1/metrics, /v1/metrics/{query,statistics}, /v1/dashboards[/{name}]
//                                                the metrics store (metrics_api.h)
//   GET /v1/metrics/live                         statistics as Server-Sent Events (admin key;
//                                                metrics_live.h)
//   /v1/apps, /v1/apps/{name}[/start|/stop|/streams/{stream}/live], /v1/apps/discover
//                                                streaming SQL applications (admin key; apps_api.h)
//   /v1/analyses[/{id}]                          the console's saved analyses (admin key;
//                                                analyses_api.h)
//   /v1/generator/preview, /v1/generator/jobs[/{id}[/stop]]
//                                                generator jobs for the console (admin key;
//                                                generator_api.h)
//   GET /, GET /<console file>, GET /v1/console/session
//                                                the web console (no key; console_api.h)
//   POST /  X-Amz-Target: GraniteServiceVersion20100801.*  the CloudWatch API (SigV4), and
//           its other protocols: POST / with a Query form (Action=...), and
//           POST /service/GraniteServiceVersion20100801/operation/*  (RPC v2 CBOR)
//
// Ingest answers only after the records are durable in the log (group
// commit), with {"accepted","failed","first_record_id","errors":[{index,code,message}]}.
// Every error is JSON {"error","message"}; see docs/api.md for the statuses.
//
// Thread-safety: Handle() runs concurrently on the HTTP threads.
#ifndef GAMELAKE_SERVER_ROUTER_H_
#define GAMELAKE_SERVER_ROUTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>

#include "auth/authenticator.h"
#include "auth/key_store.h"
#include "auth/rate_limiter.h"
#include "common/metrics.h"
#include "delivery/delivery_service.h"
#include "ingest/ingest_handler.h"
#include "ingest/record_parser.h"
#include "log/wal.h"
#include "server/analyses_api.h"
#include "server/apps_api.h"
#include "server/cloudwatch_api.h"
#include "server/config.h"
#include "server/console_api.h"
#include "server/cors_policy.h"
#include "server/firehose_api.h"
#include "server/generator_api.h"
#include "server/http_server.h"
#include "server/kpi_api.h"
#include "server/lake_api.h"
#include "server/metrics_api.h"
#include "server/metrics_live.h"
#include "server/query_api.h"

namespace gamelake {

class HealthMonitor;

class Router {
 public:
  // What the routes use; everything must outlive the Router. keys may be
  // null when auth is disabled; firehose may be null (no Firehose API).
  struct Deps {
    Wal* wal = nullptr;
    DeliveryService* delivery = nullptr;
    Metrics* metrics = nullptr;
    IngestHandler* ingest = nullptr;  // Shared with the Firehose API.
    Authenticator* auth = nullptr;
    RateLimiter* limiter = nullptr;
    KeyStore* keys = nullptr;
    FirehoseApi* firehose = nullptr;
    QueryApi* query = nullptr;            // SQL and catalog endpoints; null: none.
    KpiApi* kpis = nullptr;               // Game KPIs; null: none.
    LakeApi* lake = nullptr;              // Lake maintenance endpoints; null: none.
    MetricsApi* metrics_api = nullptr;    // Native metrics endpoints; null: none.
    CloudWatchApi* cloudwatch = nullptr;  // The CloudWatch API; null: none.
    MetricsLive* metrics_live = nullptr;  // GET /v1/metrics/live; null: none.
    AppsApi* apps = nullptr;              // Streaming applications; null: none.
    AnalysesApi* analyses = nullptr;      // The console's analyses; null: none.
    GeneratorApi* generator = nullptr;    // Generator jobs; null: none.
    const ConsoleApi* console = nullptr;  // The web console; null: none.
    HealthMonitor* health = nullptr;      // /v1/health states and /v1/ready; null: always ok.
  };
  Router(const Config& config, Deps deps);
  // The stream an ingest request target writes to ("" for other routes).
  static std::string StreamOfTarget(std::string_view target);

  void Handle(HttpRequest&& request, Respond respond);

 private:
  // CORS preflight, method check and CORS headers around Ingest.
  void IngestRoute(std::string_view stream, std::string_view path, HttpRequest&& request,
                   Respond respond);
  void Ingest(std::string_view stream, const Principal& principal, HttpRequest&& request,
              Respond respond);
  // True while the data disk has less than log.min_free_disk_bytes free
  // (statvfs at most every 500 ms).
  bool LowOnDisk();
  // 401/403 as JSON when the request may not do `need` (on `stream`);
  // otherwise sets *principal and returns true.
  bool Authorize(const HttpRequest& request, Need need, std::string_view stream,
                 Principal* principal, const Respond& respond);
  // /v1/keys (GET, POST) and /v1/keys/{id} (DELETE), admin only.
  void Keys(std::string_view path, HttpRequest&& request, Respond respond);
  void Health(const HttpRequest& request, Respond respond);
  void Ready(const HttpRequest& request, Respond respond);
  void RenderMetrics(const HttpRequest& request, Respond respond);
  Counter* StatusCounter(unsigned status);

  ParserLimits limits_;
  Wal* wal_;
  DeliveryService* delivery_;
  Metrics* metrics_;
  IngestHandler* ingest_;
  Authenticator* auth_;
  RateLimiter* limiter_;
  KeyStore* keys_;
  FirehoseApi* firehose_;
  QueryApi* query_;
  KpiApi* kpis_;
  LakeApi* lake_;
  MetricsApi* metrics_api_;
  CloudWatchApi* cloudwatch_;
  MetricsLive* metrics_live_;
  AppsApi* apps_;
  AnalysesApi* analyses_;
  GeneratorApi* generator_;
  const ConsoleApi* console_;
  HealthMonitor* health_;
  CorsPolicy cors_;
  std::string data_dir_;
  uint64_t min_free_disk_bytes_;
  std::atomic<int64_t> disk_checked_us_{0};
  std::atomic<bool> low_disk_{false};
  int64_t started_us_;

  Counter* bytes_received_;
  std::map<unsigned, Counter*> requests_by_status_;  // Fixed at construction.
  Counter* requests_other_status_;
  Histogram* latency_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_ROUTER_H_
