// CloudWatchApi: the metrics store through the CloudWatch API, so AWS SDKs,
// the AWS CLI and tools that publish to CloudWatch talk to gamelake unchanged
// (their endpoint set to the server's URL). See docs/metrics.md.
//
// Protocols: the three AWS SDKs send to CloudWatch, all signed with SigV4
// (service "monitoring") by a gamelake key id and secret, gzip allowed
// (Content-Encoding: gzip):
//   AWS JSON 1.0   POST / with X-Amz-Target: GraniteServiceVersion20100801.<Op>
//                  and a JSON body (current SDKs, AWS CLI v2).
//   Query          POST / with a form body Action=<Op>&Version=2010-08-01&...,
//                  answered in XML (AWS CLI v1, older boto3 and SDKs);
//                  aws_query_protocol.h.
//   RPC v2 CBOR    POST /service/GraniteServiceVersion20100801/operation/<Op>
//                  with smithy-protocol: rpc-v2-cbor and a CBOR body (Go v2 SDK,
//                  newer JS v3); rpc_v2_cbor_protocol.h.
// This class picks the framing (Matches, FramingOf); the other two protocols
// are transcoded to JSON 1.0 bodies and every operation runs in Execute.
// Ops: PutMetricData (an ingest or admin key); GetMetricData,
// GetMetricStatistics, ListMetrics, GetDashboard, ListDashboards,
// DescribeAlarms, DescribeAlarmHistory (an admin or metrics:read key);
// PutDashboard, DeleteDashboards, PutMetricAlarm, DeleteAlarms, SetAlarmState,
// Enable/DisableAlarmActions (admin keys). Errors have CloudWatch's HTTP statuses
// (400/403/404/413/500) and, in every protocol, the header
// x-amzn-query-error: <CloudWatch code>;Sender (InvalidParameterValue,
// ResourceNotFound...), from which SDKs in query-compatible mode pick their
// exception class; the body is the protocol's error document (JSON
// {"__type", "message"}, XML <ErrorResponse>, CBOR {"__type": shape id,
// "message"}).
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
  static constexpr std::string_view kRpcV2CborPathPrefix =
      "/service/GraniteServiceVersion20100801/operation/";
  static constexpr size_t kMaxRequestBytes = 1u << 20;  // CloudWatch's 1 MB, after gzip.

  // The wire protocol a request speaks; its answer and errors speak it too.
  enum class Framing { kJson10, kQuery, kCbor };

  // service and env must outlive the API.
  CloudWatchApi(AwsAuthenticate authenticate, CloudWatchService* service, Env* env);

  // POST / with the CloudWatch X-Amz-Target (JSON 1.0) or a form body (Query),
  // or POST kRpcV2CborPathPrefix<Op> (RPC v2 CBOR).
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
  // Transcodes the request to JSON 1.0, executes it and frames the answer.
  HttpResponse Run(Framing framing, std::string op, const AwsPrincipal& principal,
                   const std::string& body, const std::string& request_id);

  AwsAuthenticate authenticate_;
  CloudWatchService* service_;
  Env* env_;
  WorkerPool pool_;  // Puts wait for the log's fsync; reads compute: off the HTTP threads.
};

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CLOUDWATCH_API_H_
