#include "server/cloudwatch_api.h"

#include <memory>

#include <fmt/format.h>

#include "auth/sigv4.h"
#include "ingest/gzip_decoder.h"
#include "server/aws_query_protocol.h"
#include "server/cloudwatch_alarm_json.h"
#include "server/cloudwatch_json.h"
#include "server/rpc_v2_cbor_protocol.h"

namespace gamelake {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view kJson10 = "application/x-amz-json-1.0";

std::string_view Header(const HttpRequest& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  return it == req.end() ? std::string_view()
                         : std::string_view(it->value().data(), it->value().size());
}

constexpr std::string_view kCbor = "application/cbor";

using Framing = CloudWatchApi::Framing;

std::string_view PathOf(const HttpRequest& req) {
  std::string_view target(req.target().data(), req.target().size());
  return target.substr(0, target.find('?'));
}

Framing FramingOf(const HttpRequest& req) {
  if (PathOf(req).starts_with(CloudWatchApi::kRpcV2CborPathPrefix)) return Framing::kCbor;
  if (Header(req, "X-Amz-Target").starts_with(CloudWatchApi::kTargetPrefix)) {
    return Framing::kJson10;
  }
  return Framing::kQuery;
}

void SetQueryError(const CloudWatchError& e, HttpResponse* res) {
  res->set("x-amzn-query-error",
           fmt::format("{};{}", e.code, e.http_status >= 500 ? "Receiver" : "Sender"));
}

HttpResponse Answer(Framing framing, unsigned status, std::string body,
                    const std::string& request_id) {
  switch (framing) {
    case Framing::kJson10:
      return AwsJsonResponse(status, std::move(body), kJson10, request_id);
    case Framing::kQuery:
      return AwsJsonResponse(status, std::move(body), "text/xml", request_id);
    case Framing::kCbor:
      break;
  }
  HttpResponse res = AwsJsonResponse(status, std::move(body), kCbor, request_id);
  res.set("smithy-protocol", "rpc-v2-cbor");
  return res;
}

// An error in the request's protocol, with the header SDKs read in
// query-compatible mode.
HttpResponse Error(Framing framing, const CloudWatchError& e, const std::string& request_id) {
  HttpResponse res;
  unsigned status = static_cast<unsigned>(e.http_status);
  switch (framing) {
    case Framing::kJson10:
      res = AwsJsonError(status, e.code, e.message, kJson10, request_id);
      break;
    case Framing::kQuery:
      res = Answer(framing, status, QueryXmlError(e, request_id), request_id);
      break;
    case Framing::kCbor:
      res = Answer(framing, status, CborErrorBody(e), request_id);
      break;
  }
  SetQueryError(e, &res);
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

// The codes of the framing's own errors, which ToCloudWatchError does not know.
CloudWatchError AsError(const Status& s) {
  CloudWatchError e = ToCloudWatchError(s);
  if (s.message().starts_with("RequestEntityTooLarge: ")) {
    e = {"RequestEntityTooLarge", 413, s.message().substr(23)};
  }
  for (std::string_view code : {"MalformedQueryString", "MissingAction"}) {
    if (s.message().starts_with(code) && s.message().substr(code.size()).starts_with(": ")) {
      e = {std::string(code), 400, s.message().substr(code.size() + 2)};
    }
  }
  return e;
}

// The operation a JSON 1.0 or RPC v2 CBOR request names (a Query request names
// it in its body).
std::string OperationOf(Framing framing, const HttpRequest& req) {
  if (framing == Framing::kJson10) {
    return std::string(Header(req, "X-Amz-Target").substr(CloudWatchApi::kTargetPrefix.size()));
  }
  if (framing == Framing::kCbor) {
    return std::string(PathOf(req).substr(CloudWatchApi::kRpcV2CborPathPrefix.size()));
  }
  return "";
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
  std::string_view path = PathOf(request);
  if (path.starts_with(kRpcV2CborPathPrefix)) return true;
  if (path != "/") return false;
  return Header(request, "X-Amz-Target").starts_with(kTargetPrefix) ||
         Header(request, "Content-Type").starts_with("application/x-www-form-urlencoded");
}

void CloudWatchApi::Handle(HttpRequest&& request, Respond respond) {
  std::string request_id = NewAwsRequestId();
  Framing framing = FramingOf(request);
  if (framing == Framing::kCbor && Header(request, "smithy-protocol") != "rpc-v2-cbor") {
    return respond(Error(framing,
                         {"SerializationException", 400,
                          "an RPC v2 CBOR request needs the header smithy-protocol: rpc-v2-cbor"},
                         request_id));
  }
  Result<AwsPrincipal> principal = authenticate_(request);
  if (!principal.ok()) {
    const Status failure = principal.status();
    std::string_view type = AwsAuthErrorType(failure);
    if (type.empty()) type = "UnrecognizedClientException";
    CloudWatchError e{std::string(type), static_cast<int>(AwsAuthErrorHttpStatus(type)),
                      std::string(AwsAuthErrorMessage(failure))};
    return respond(Error(framing, e, request_id));
  }
  auto body = std::make_shared<Result<std::string>>(RequestBody(request));
  if (!body->ok()) return respond(Error(framing, AsError(body->status()), request_id));
  auto task = [this, framing, op = OperationOf(framing, request), p = std::move(principal).value(),
               body, respond, request_id] { respond(Run(framing, op, p, **body, request_id)); };
  if (!pool_.Submit(std::move(task))) {
    return respond(
        Error(framing, {"Throttling", 400, "Rate exceeded: too many CloudWatch requests in flight"},
              request_id));
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

namespace {

// The request body as JSON 1.0; a Query request's operation goes to *op.
Result<std::string> RequestJson(Framing framing, const std::string& body, std::string* op) {
  if (framing == Framing::kCbor) return CborRequestToJson(body);
  if (framing == Framing::kJson10) return body;
  GL_ASSIGN_OR_RETURN(QueryCall call, QueryFormToJson(body));
  *op = std::move(call.action);
  return std::move(call.json);
}

// The JSON 1.0 answer in the request's protocol.
Result<std::string> FramedAnswer(Framing framing, std::string_view op, std::string json,
                                 const std::string& request_id) {
  if (framing == Framing::kCbor) return JsonAnswerToCbor(json);
  if (framing == Framing::kQuery) return QueryXmlAnswer(op, json, request_id);
  return json;
}

}  // namespace

HttpResponse CloudWatchApi::Run(Framing framing, std::string op, const AwsPrincipal& principal,
                                const std::string& body, const std::string& request_id) {
  Result<std::string> json = RequestJson(framing, body, &op);
  if (!json.ok()) return Error(framing, AsError(json.status()), request_id);
  Result<std::string> answer = Execute(op, principal, *json);
  if (!answer.ok()) return Error(framing, AsError(answer.status()), request_id);
  Result<std::string> framed = FramedAnswer(framing, op, std::move(answer).value(), request_id);
  if (!framed.ok()) return Error(framing, AsError(framed.status()), request_id);
  return Answer(framing, 200, std::move(framed).value(), request_id);
}

}  // namespace gamelake
