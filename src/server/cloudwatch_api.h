// CloudWatchApi: the metrics store through the CloudWatch API, so AWS SDKs,
// the AWS CLI and tools that publish to CloudWatch talk to gamelake unchanged
// (their endpoint set to the server's URL). See docs/metrics.md.
//
// Protocol: AWS JSON 1.0 — `POST /` with `X-Amz-Target:
// GraniteServiceVersion20100801.<Op>` and a JSON body (gzip allowed with
// Content-Encoding: gzip), signed with SigV4 (service "monitoring") by a
// gamelake key id and secret. Ops: PutMetricData (an ingest or admin key),
// GetMetricData, GetMetricStatistics, ListMetrics, PutDashboard, GetDashboard,
// ListDashboards, DeleteDashboards, PutMetricAlarm, DescribeAlarms,
// DeleteAlarms, DescribeAlarmHistory, SetAlarmState, Enable/DisableAlarmActions
// (admin keys). Errors are
// HTTP 400/403/404/500 with body {"__type": <error shape>, "message": ...}
// (InvalidParameterValueException, DashboardNotFoundError...) and the header
// x-amzn-query-error: <CloudWatch code>;Sender (InvalidParameterValue,
// ResourceNotFound...), from which SDKs pick their exception class. A form-encoded Query-protocol
// request (Action=...) gets a Query-protocol XML error saying that protocol is not served yet.
//
// Thread-safety: Handle() runs concurrently on the HTTP threads.
#ifndef GAMELAKE_SERVER_CLOUDWATCH_API_H_
#define GAMELAKE_SERVER_CLOUDWATCH_API_H_

#include <string_view>

#include "common/env.h"
#include "metrics/cloudwatch_service.h"
#include "server/aws_protocol.h"
#include "server/http_server.h"
#include "server/worker_pool.h"

namespace gamelake {

class CloudWatchApi {
 public:
  static constexpr std::string_view kTargetPrefix = "GraniteServiceVersion20100801.";
  static constexpr size_t kMaxRequestBytes = 1u << 20;  // CloudWatch's 1 MB, after gzip.

  // service and env must outlive the API.
  CloudWatchApi(AwsAuthenticate authenticate, CloudWatchService* service, Env* env);

  // POST / with the CloudWatch X-Amz-Target, or a form body with Action= and
  // Version=2010-08-01 (the Query protocol).
  static bool Matches(const HttpRequest& request);
  void Handle(HttpRequest&& request, Respond respond);
  void Stop();

 private:
  // Runs one operation on its AWS JSON 1.0 request body and returns the JSON
  // 1.0 answer; errors are "<CloudWatch code>: message" (ToCloudWatchError),
  // AccessDenied when the key may not call `op`, InvalidAction for an unknown
  // op. Every protocol's framing ends here.
  Result<std::string> Execute(std::string_view op, const AwsPrincipal& principal,
                              std::string_view json_body);
  void Run(std::string_view op, const AwsPrincipal& principal, const std::string& body,
           const Respond& respond);

  AwsAuthenticate authenticate_;
  CloudWatchService* service_;
  Env* env_;
  WorkerPool pool_;  // Puts wait for the log's fsync; reads compute: off the HTTP threads.
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CLOUDWATCH_API_H_
