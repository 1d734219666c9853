#include "server/cloudwatch_api.h"

#include <memory>

#include <fmt/format.h>

#include "auth/sigv4.h"
#include "ingest/gzip_decoder.h"
#include "server/cloudwatch_alarm_json.h"
#include "server/cloudwatch_json.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kJson10 = "application/x-amz-json-1.0";

std::string_view Header(const HttpRequest& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  return it == req.end() ? std::string_view()
                         : std::string_view(it->value().data(), it->value().size());
}

// An error in AWS JSON 1.0, with the header SDKs read in query-compatible mode.
HttpResponse Error(const CloudWatchError& e, const std::string& request_id) {
  HttpResponse res =
      AwsJsonError(static_cast<unsigned>(e.http_status), e.code, e.message, kJson10, request_id);
  res.set("x-amzn-query-error",
          fmt::format("{};{}", e.code, e.http_status >= 500 ? "Receiver" : "Sender"));
  return res;
}

// The Query protocol's error document (form-encoded requests).
HttpResponse QueryProtocolError(unsigned status, std::string_view code, std::string_view message,
                                const std::string& request_id) {
  HttpResponse res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "text/xml");
  res.set("x-amzn-RequestId", request_id);
  res.body() = fmt::format(
      "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error>"
      "<Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>"
      "<RequestId>{}</RequestId></ErrorResponse>",
      code, message, request_id);
  return res;
}

// The body, inflated if gzipped, bounded by kMaxRequestBytes.
Result<std::string> RequestBody(const HttpRequest& req) {
  if (req.body().size() > CloudWatchApi::kMaxRequestBytes) {
    return Status::InvalidArgument(
        fmt::format("RequestEntityTooLarge: the request is {} bytes; at most {}", req.body().size(),
                    CloudWatchApi::kMaxRequestBytes));
  }
  std::string_view encoding = Header(req, "Content-Encoding");
  if (encoding.empty() || encoding == "identity") return req.body();
  if (encoding != "gzip") {
    return Status::InvalidArgument(fmt::format(
        "InvalidParameterValue: Content-Encoding '{}' is not supported (use gzip)", encoding));
  }
  thread_local GzipDecoder decoder;
  std::string out;
  Status s = decoder.Decode(req.body(), CloudWatchApi::kMaxRequestBytes, &out);
  if (!s.ok()) {
    return Status::InvalidArgument(fmt::format("{}: the gzip body: {}",
                                               s.code() == Status::Code::kResourceExhausted
                                                   ? "RequestEntityTooLarge"
                                                   : "InvalidParameterValue",
                                               s.message()));
  }
  return out;
}

CloudWatchError AsError(const Status& s) {
  CloudWatchError e = ToCloudWatchError(s);
  if (s.message().starts_with("RequestEntityTooLarge: ")) {
    e = {"RequestEntityTooLarge", 413, s.message().substr(23)};
  }
  return e;
}

}  // namespace

CloudWatchApi::CloudWatchApi(AwsAuthenticate authenticate, CloudWatchService* service, Env* env)
    : authenticate_(std::move(authenticate)),
      service_(service),
      env_(env),
      pool_(/*workers=*/2, /*max_queued=*/256, /*nice=*/0) {}

void CloudWatchApi::Stop() { pool_.Stop(); }

bool CloudWatchApi::Matches(const HttpRequest& request) {
  if (request.method() != http::verb::post) return false;
  if (Header(request, "X-Amz-Target").starts_with(kTargetPrefix)) return true;
  std::string_view type = Header(request, "Content-Type");
  const std::string& body = request.body();
  return type.starts_with("application/x-www-form-urlencoded") &&
         body.find("Version=2010-08-01") != std::string::npos &&
         (body.starts_with("Action=") || body.find("&Action=") != std::string::npos);
}

void CloudWatchApi::Handle(HttpRequest&& request, Respond respond) {
  std::string request_id = NewAwsRequestId();
  std::string_view target = Header(request, "X-Amz-Target");
  if (!target.starts_with(kTargetPrefix)) {
    return respond(
        QueryProtocolError(400, "InvalidAction",
                           "gamelake serves CloudWatch over AWS JSON 1.0 (X-Amz-Target: "
                           "GraniteServiceVersion20100801.*); the Query protocol is not served yet",
                           request_id));
  }
  std::string op(target.substr(kTargetPrefix.size()));
  Result<AwsPrincipal> principal = authenticate_(request);
  if (!principal.ok()) {
    const Status failure = principal.status();
    std::string_view type = AwsAuthErrorType(failure);
    if (type.empty()) type = "UnrecognizedClientException";
    CloudWatchError e{std::string(type), static_cast<int>(AwsAuthErrorHttpStatus(type)),
                      std::string(AwsAuthErrorMessage(failure))};
    return respond(Error(e, request_id));
  }
  auto body = std::make_shared<Result<std::string>>(RequestBody(request));
  if (!body->ok()) return respond(Error(AsError(body->status()), request_id));
  auto task = [this, op, p = std::move(principal).value(), body, respond, request_id] {
    Run(op, p, **body, [respond, request_id](HttpResponse res) {
      res.set("x-amzn-RequestId", request_id);
      respond(std::move(res));
    });
  };
  if (!pool_.Submit(std::move(task))) {
    return respond(Error(
        {"Throttling", 400, "Rate exceeded: too many CloudWatch requests in flight"}, request_id));
  }
}

namespace {

// Who may call an operation.
enum class Access { kPutMetrics, kReadMetrics, kAdmin };

bool Allowed(Access access, const AwsPrincipal& p) {
  switch (access) {
    case Access::kPutMetrics:
      return p.put_metrics;
    case Access::kReadMetrics:
      return p.read_metrics;
    case Access::kAdmin:
      return p.admin;
  }
  return false;
}

std::string_view Needs(Access access) {
  switch (access) {
    case Access::kPutMetrics:
      return "an ingest or admin key";
    case Access::kReadMetrics:
      return "an admin or metrics:read key";
    case Access::kAdmin:
      break;
  }
  return "an admin key";
}

struct Operation {
  std::string_view name;
  Access access;
  Result<std::string> (*run)(CloudWatchService* service, Env* env, std::string_view body);
};

Result<std::string> PutMetricData(CloudWatchService* service, Env* env, std::string_view body) {
  GL_ASSIGN_OR_RETURN(PutMetricDataRequest r,
                      ParsePutMetricDataJson(body, env->NowMicros() / 1000));
  GL_RETURN_IF_ERROR(service->PutMetricData(std::move(r)));
  return std::string("{}");
}

Result<std::string> GetMetricData(CloudWatchService* service, Env*, std::string_view body) {
  GL_ASSIGN_OR_RETURN(GetMetricDataRequest r, ParseGetMetricDataJson(body));
  GL_ASSIGN_OR_RETURN(GetMetricDataResponse answer, service->GetMetricData(r));
  return RenderGetMetricDataJson(answer);
}

Result<std::string> GetMetricStatistics(CloudWatchService* service, Env*, std::string_view body) {
  GL_ASSIGN_OR_RETURN(GetMetricStatisticsRequest r, ParseGetMetricStatisticsJson(body));
  GL_ASSIGN_OR_RETURN(GetMetricStatisticsResponse answer, service->GetMetricStatistics(r));
  return RenderGetMetricStatisticsJson(r, answer);
}

Result<std::string> ListMetrics(CloudWatchService* service, Env*, std::string_view body) {
  GL_ASSIGN_OR_RETURN(ListMetricsRequest r, ParseListMetricsJson(body));
  GL_ASSIGN_OR_RETURN(ListMetricsResponse answer, service->ListMetrics(r));
  return RenderListMetricsJson(answer);
}

template <Result<std::string> (*kFn)(DashboardStore*, std::string_view)>
Result<std::string> DashboardOp(CloudWatchService* service, Env*, std::string_view body) {
  return kFn(service->dashboards(), body);
}

template <Result<std::string> (*kFn)(AlarmStore*, std::string_view)>
Result<std::string> AlarmOp(CloudWatchService* service, Env*, std::string_view body) {
  if (service->alarms() == nullptr) {
    return Status::Unavailable("alarms are not enabled on this server");
  }
  return kFn(service->alarms(), body);
}

// Every operation served, in the order the InvalidAction error lists them.
constexpr Operation kOperations[] = {
    {"PutMetricData", Access::kPutMetrics, &PutMetricData},
    {"GetMetricData", Access::kReadMetrics, &GetMetricData},
    {"GetMetricStatistics", Access::kReadMetrics, &GetMetricStatistics},
    {"ListMetrics", Access::kReadMetrics, &ListMetrics},
    {"PutDashboard", Access::kAdmin, &DashboardOp<&PutDashboardJson>},
    {"GetDashboard", Access::kReadMetrics, &DashboardOp<&GetDashboardJson>},
    {"ListDashboards", Access::kReadMetrics, &DashboardOp<&ListDashboardsJson>},
    {"DeleteDashboards", Access::kAdmin, &DashboardOp<&DeleteDashboardsJson>},
    {"PutMetricAlarm", Access::kAdmin, &AlarmOp<&PutMetricAlarmJson>},
    {"DescribeAlarms", Access::kReadMetrics, &AlarmOp<&DescribeAlarmsJson>},
    {"DeleteAlarms", Access::kAdmin, &AlarmOp<&DeleteAlarmsJson>},
    {"DescribeAlarmHistory", Access::kReadMetrics, &AlarmOp<&DescribeAlarmHistoryJson>},
    {"SetAlarmState", Access::kAdmin, &AlarmOp<&SetAlarmStateJson>},
    {"EnableAlarmActions", Access::kAdmin, &AlarmOp<&EnableAlarmActionsJson>},
    {"DisableAlarmActions", Access::kAdmin, &AlarmOp<&DisableAlarmActionsJson>},
};

}  // namespace

Result<std::string> CloudWatchApi::Execute(std::string_view op, const AwsPrincipal& principal,
                                           std::string_view json_body) {
  for (const Operation& o : kOperations) {
    if (o.name != op) continue;
    if (!Allowed(o.access, principal)) {
      return Status::InvalidArgument(
          fmt::format("AccessDenied: key {} may not call {}: it needs {}", principal.key_id, op,
                      Needs(o.access)));
    }
    return o.run(service_, env_, json_body);
  }
  std::string names;
  for (const Operation& o : kOperations) {
    names += names.empty() ? "" : ", ";
    names += o.name;
  }
  return Status::InvalidArgument(fmt::format(
      "InvalidAction: The action {} is not valid for this web service (gamelake serves {})", op,
      names));
}

void CloudWatchApi::Run(std::string_view op, const AwsPrincipal& principal, const std::string& body,
                        const Respond& respond) {
  Result<std::string> answer = Execute(op, principal, body);
  if (!answer.ok()) return respond(Error(AsError(answer.status()), ""));
  respond(AwsJsonResponse(200, std::move(answer).value(), kJson10, ""));
}

}  // namespace gamelake
