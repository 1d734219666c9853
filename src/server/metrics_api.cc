#include "server/metrics_api.h"

#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/json_writer.h"
#include "common/percent_decode.h"
#include "metrics/alarm_store.h"
#include "server/cloudwatch_alarm_json.h"
#include "server/cloudwatch_api.h"
#include "server/cloudwatch_json.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

Result<ListMetricsRequest> ListRequest(const HttpRequest& request) {
  ListMetricsRequest r;
  for (auto& [name, value] : QueryParams(request)) {
    if (name == "namespace") {
      r.ns = value;
    } else if (name == "name") {
      r.name = value;
    } else if (name == "dimension") {
      size_t eq = value.find('=');
      if (eq == std::string::npos) {
        r.dimensions.emplace_back(value, std::nullopt);
      } else {
        r.dimensions.emplace_back(value.substr(0, eq), value.substr(eq + 1));
      }
    } else if (name == "recently_active") {
      r.recently_active = value == "1" || value == "true";
    } else if (name == "next_token") {
      r.next_token = value;
    } else {
      return Status::InvalidArgument(
          fmt::format("InvalidParameterValue: unknown parameter '{}' (namespace, name, dimension, "
                      "recently_active, next_token)",
                      name));
    }
  }
  return r;
}

}  // namespace

HttpResponse MetricsErrorResponse(const Status& s) {
  CloudWatchError e = ToCloudWatchError(s);
  return JsonError(static_cast<unsigned>(e.http_status), e.code, e.message);
}

MetricsApi::MetricsApi(CloudWatchService* service, Env* env)
    : service_(service), env_(env), pool_(/*workers=*/2, /*max_queued=*/256, /*nice=*/0) {}

void MetricsApi::Stop() { pool_.Stop(); }

bool MetricsApi::Matches(std::string_view path) {
  return path == "/v1/metrics" || path == "/v1/metrics/query" || path == "/v1/metrics/statistics" ||
         path == "/v1/dashboards" || path.starts_with("/v1/dashboards/") || path == "/v1/alarms" ||
         path.starts_with("/v1/alarms/");
}

Need MetricsApi::Needs(std::string_view path, const HttpRequest& request) {
  const http::verb method = request.method();
  if (path == "/v1/metrics" && method == http::verb::post) return Need::kPutMetrics;
  // Dashboards and alarms are changed by admins and read by anyone who may
  // read metrics.
  if ((path.starts_with("/v1/dashboards") || path.starts_with("/v1/alarms")) &&
      method != http::verb::get) {
    return Need::kAdmin;
  }
  return Need::kReadMetrics;
}

void MetricsApi::Handle(std::string_view path, HttpRequest&& request, Respond respond) {
  http::verb method = request.method();
  bool list = path == "/v1/metrics" && method == http::verb::get;
  bool dashboards = path.starts_with("/v1/dashboards") || path.starts_with("/v1/alarms");
  bool dashboard_method =
      path == "/v1/dashboards" || path == "/v1/alarms"
          ? method == http::verb::get
          : method == http::verb::get || method == http::verb::put || method == http::verb::delete_;
  if (dashboards ? !dashboard_method : !list && method != http::verb::post) {
    std::string_view allow = path == "/v1/metrics"                              ? "GET, POST"
                             : path == "/v1/dashboards" || path == "/v1/alarms" ? "GET"
                             : dashboards                                       ? "GET, PUT, DELETE"
                                                                                : "POST";
    HttpResponse res =
        JsonError(405, "method_not_allowed", fmt::format("{} allows {}", path, allow));
    res.set(http::field::allow, std::string(allow));
    return respond(std::move(res));
  }
  if (request.body().size() > CloudWatchApi::kMaxRequestBytes) {
    return respond(JsonError(413, "RequestEntityTooLarge",
                             fmt::format("the body is {} bytes; at most {}", request.body().size(),
                                         CloudWatchApi::kMaxRequestBytes)));
  }
  auto shared = std::make_shared<HttpRequest>(std::move(request));
  auto task = [this, p = std::string(path), shared, respond] { respond(Run(p, *shared)); };
  if (!pool_.Submit(std::move(task))) {
    respond(JsonError(429, "Throttling", "too many metrics requests in flight; try again"));
  }
}

HttpResponse MetricsApi::Run(std::string_view path, const HttpRequest& request) {
  const std::string& body = request.body();
  if (path.starts_with("/v1/dashboards")) return Dashboards(path, request);
  if (path.starts_with("/v1/alarms")) return Alarms(path, request);
  if (request.method() == http::verb::get) return List(request);
  if (path == "/v1/metrics") {
    auto r = ParsePutMetricDataJson(body, env_->NowMicros() / 1000);
    if (!r.ok()) return MetricsErrorResponse(r.status());
    size_t n = r->data.size();
    Status s = service_->PutMetricData(std::move(r).value());
    if (!s.ok()) return MetricsErrorResponse(s);
    JsonWriter w;
    w.BeginObject().Key("accepted").UInt(n).EndObject();
    return JsonResponse(200, w.Take());
  }
  if (path == "/v1/metrics/query") {
    auto r = ParseGetMetricDataJson(body);
    if (!r.ok()) return MetricsErrorResponse(r.status());
    auto answer = service_->GetMetricData(*r);
    return answer.ok() ? JsonResponse(200, RenderGetMetricDataJson(*answer))
                       : MetricsErrorResponse(answer.status());
  }
  auto r = ParseGetMetricStatisticsJson(body);
  if (!r.ok()) return MetricsErrorResponse(r.status());
  auto answer = service_->GetMetricStatistics(*r);
  return answer.ok() ? JsonResponse(200, RenderGetMetricStatisticsJson(*r, *answer))
                     : MetricsErrorResponse(answer.status());
}

HttpResponse MetricsApi::List(const HttpRequest& request) {
  auto r = ListRequest(request);
  if (!r.ok()) return MetricsErrorResponse(r.status());
  auto answer = service_->ListMetrics(*r);
  return answer.ok() ? JsonResponse(200, RenderListMetricsJson(*answer))
                     : MetricsErrorResponse(answer.status());
}

HttpResponse MetricsApi::Dashboards(std::string_view path, const HttpRequest& request) {
  DashboardStore* store = service_->dashboards();
  if (path == "/v1/dashboards") {
    std::string prefix;
    for (auto& [name, value] : QueryParams(request)) {
      if (name == "prefix") prefix = value;
    }
    JsonWriter w;
    w.BeginObject().Key("DashboardNamePrefix").String(prefix).EndObject();
    auto answer = ListDashboardsJson(store, w.str());
    return answer.ok() ? JsonResponse(200, std::move(answer).value())
                       : MetricsErrorResponse(answer.status());
  }
  std::string name = PercentDecode(path.substr(std::string_view("/v1/dashboards/").size()));
  switch (request.method()) {
    case http::verb::put: {
      Status s = store->Put(name, request.body());
      if (!s.ok()) return MetricsErrorResponse(s);
      return JsonResponse(200, R"({"DashboardValidationMessages":[]})");
    }
    case http::verb::delete_: {
      Status s = store->Delete({name});
      return s.ok() ? JsonResponse(200, "{}") : MetricsErrorResponse(s);
    }
    default: {
      auto d = store->Get(name);
      return d.ok() ? JsonResponse(200, RenderDashboardJson(*d)) : MetricsErrorResponse(d.status());
    }
  }
}

HttpResponse MetricsApi::Alarms(std::string_view path, const HttpRequest& request) {
  AlarmStore* alarms = service_->alarms();
  if (alarms == nullptr) return JsonError(404, "not_found", "alarms are not enabled");
  auto reply = [](const Result<std::string>& answer) {
    return answer.ok() ? JsonResponse(200, answer.value()) : MetricsErrorResponse(answer.status());
  };
  if (path == "/v1/alarms") {
    JsonWriter w;
    w.BeginObject();
    for (auto& [name, value] : QueryParams(request)) {
      if (name == "prefix") w.Key("AlarmNamePrefix").String(value);
      if (name == "state") w.Key("StateValue").String(value);
      if (name == "next_token") w.Key("NextToken").String(value);
    }
    w.Key("MaxRecords").Int(100).EndObject();
    return reply(DescribeAlarmsJson(alarms, w.str()));
  }
  std::string name = PercentDecode(path.substr(std::string_view("/v1/alarms/").size()));
  switch (request.method()) {
    case http::verb::put: {
      auto d = ParsePutMetricAlarmJson(request.body(), name);
      if (!d.ok()) return MetricsErrorResponse(d.status());
      Status s = alarms->Put(std::move(d).value());
      return s.ok() ? JsonResponse(200, "{}") : MetricsErrorResponse(s);
    }
    case http::verb::delete_: {
      Status s = alarms->Delete({name});
      return s.ok() ? JsonResponse(200, "{}") : MetricsErrorResponse(s);
    }
    default:
      return reply(AlarmDetailJson(alarms, name));
  }
}

}  // namespace gamelake
