#include "server/cloudwatch_api.h"

#include <memory>

#include <fmt/format.h>

#include "auth/sigv4.h"
#include "ingest/gzip_decoder.h"
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

void CloudWatchApi::Run(std::string_view op, const AwsPrincipal& principal, const std::string& body,
                        const Respond& respond) {
  auto ok = [&](std::string json) { respond(AwsJsonResponse(200, std::move(json), kJson10, "")); };
  auto fail = [&](const Status& s) { respond(Error(AsError(s), "")); };
  bool read = op == "GetMetricData" || op == "GetMetricStatistics" || op == "ListMetrics";
  if (read && !principal.admin) {
    return respond(Error({"AccessDenied", 403,
                          fmt::format("key {} may not call {}: reading metrics needs an admin key",
                                      principal.key_id, op)},
                         ""));
  }
  if (op == "PutMetricData") {
    auto r = ParsePutMetricDataJson(body, env_->NowMicros() / 1000);
    if (!r.ok()) return fail(r.status());
    Status s = service_->PutMetricData(std::move(r).value());
    return s.ok() ? ok("{}") : fail(s);
  }
  if (op == "GetMetricData") {
    auto r = ParseGetMetricDataJson(body);
    if (!r.ok()) return fail(r.status());
    auto answer = service_->GetMetricData(*r);
    return answer.ok() ? ok(RenderGetMetricDataJson(*answer)) : fail(answer.status());
  }
  if (op == "GetMetricStatistics") {
    auto r = ParseGetMetricStatisticsJson(body);
    if (!r.ok()) return fail(r.status());
    auto answer = service_->GetMetricStatistics(*r);
    return answer.ok() ? ok(RenderGetMetricStatisticsJson(*r, *answer)) : fail(answer.status());
  }
  if (op == "ListMetrics") {
    auto r = ParseListMetricsJson(body);
    if (!r.ok()) return fail(r.status());
    auto answer = service_->ListMetrics(*r);
    return answer.ok() ? ok(RenderListMetricsJson(*answer)) : fail(answer.status());
  }
  using DashboardOp = Result<std::string> (*)(DashboardStore*, std::string_view);
  static const std::pair<std::string_view, DashboardOp> kDashboardOps[] = {
      {"PutDashboard", &PutDashboardJson},
      {"GetDashboard", &GetDashboardJson},
      {"ListDashboards", &ListDashboardsJson},
      {"DeleteDashboards", &DeleteDashboardsJson}};
  for (const auto& [name, fn] : kDashboardOps) {
    if (op != name) continue;
    if (!principal.admin) {
      return respond(Error({"AccessDenied", 403,
                            fmt::format("key {} may not call {}: dashboards need an admin key",
                                        principal.key_id, op)},
                           ""));
    }
    auto answer = fn(service_->dashboards(), body);
    return answer.ok() ? ok(std::move(answer).value()) : fail(answer.status());
  }
  respond(Error({"InvalidAction", 400,
                 fmt::format("The action {} is not valid for this web service (gamelake serves "
                             "PutMetricData, GetMetricData, GetMetricStatistics, ListMetrics, "
                             "PutDashboard, GetDashboard, ListDashboards, DeleteDashboards)",
                             op)},
                ""));
}

}  // namespace gamelake
