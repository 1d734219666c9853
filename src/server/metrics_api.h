// MetricsApi: the metrics store's native endpoints, with gamelake keys. The
// bodies are CloudWatch's JSON shapes (server/cloudwatch_json.h), so a body
// written for the CloudWatch API works here and the other way round.
//
//   POST /v1/metrics              PutMetricData body -> {"accepted": N}  (any key)
//   POST /v1/metrics/query        GetMetricData body -> MetricDataResults (admin)
//   POST /v1/metrics/statistics   GetMetricStatistics body -> Datapoints (admin)
//   GET  /v1/metrics[?namespace=&name=&dimension=Name[=Value]&recently_active=1
//                    &next_token=]  ListMetrics -> {"Metrics": [...]} (admin)
//   GET  /v1/dashboards[?prefix=]   ListDashboards -> {"DashboardEntries": [...]} (admin)
//   GET/PUT/DELETE /v1/dashboards/{name}   one dashboard; PUT's body is the
//                                  dashboard body itself (admin)
//   GET  /v1/alarms[?prefix=&state=&next_token=]   DescribeAlarms -> {"MetricAlarms": [...]}
//   GET  /v1/alarms/{name}         {"MetricAlarm": ..., "AlarmHistoryItems": [the 20 newest]}
//   PUT  /v1/alarms/{name}         PutMetricAlarm body (AlarmName optional; must match)
//   DELETE /v1/alarms/{name}       (all admin)
//
// Errors: {"error": <CloudWatch code>, "message": ...} with HTTP 400 (413 for
// a body over 1 MB, 429 when busy, 500 for store failures).
//
// Thread-safety: Handle() runs concurrently on the HTTP threads.
#ifndef GAMELAKE_SERVER_METRICS_API_H_
#define GAMELAKE_SERVER_METRICS_API_H_

#include <string_view>

#include "auth/authenticator.h"
#include "common/env.h"
#include "metrics/cloudwatch_service.h"
#include "server/http_server.h"
#include "server/worker_pool.h"

namespace gamelake {

// A Status from the metrics modules ("<CloudWatch code>: message") as the
// native API's JSON error, with the code's HTTP status.
HttpResponse MetricsErrorResponse(const Status& status);

class MetricsApi {
 public:
  // service and env must outlive the API.
  MetricsApi(CloudWatchService* service, Env* env);

  static bool Matches(std::string_view path);
  // What the route needs from the caller's key (the Router authorizes).
  static Need Needs(std::string_view path, const HttpRequest& request);
  void Handle(std::string_view path, HttpRequest&& request, Respond respond);
  void Stop();

 private:
  HttpResponse Run(std::string_view path, const HttpRequest& request);
  HttpResponse List(const HttpRequest& request);
  HttpResponse Dashboards(std::string_view path, const HttpRequest& request);
  HttpResponse Alarms(std::string_view path, const HttpRequest& request);

  CloudWatchService* service_;
  Env* env_;
  WorkerPool pool_;
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_METRICS_API_H_
