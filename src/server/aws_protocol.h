// What the AWS-compatible APIs (Firehose, CloudWatch) share: who signed a
// request (AwsPrincipal — a gamelake key verified with SigV4 — built by the
// server, server.cc), request ids, and AWS JSON answers and errors.
//
// Thread-safety: values and pure functions; a principal's functions may be
// called concurrently.
#ifndef GAMELAKE_SERVER_AWS_PROTOCOL_H_
#define GAMELAKE_SERVER_AWS_PROTOCOL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/http_server.h"

namespace gamelake {

// Who sent an authenticated AWS-protocol request (Firehose, CloudWatch) and
// what it may do.
struct AwsPrincipal {
  std::string key_id;
  // An admin key: may do everything.
  bool admin = false;
  // May put metrics (an ingest or admin key) / read metrics, dashboards and
  // alarms (an admin or metrics:read key).
  bool put_metrics = false;
  bool read_metrics = false;
  // May this principal write (and see) `stream`? Empty function: every stream.
  std::function<bool(std::string_view stream)> can_write;
  // The region of the request's credential scope, used in ARNs. Empty: us-east-1.
  std::string region;
  // Optional. Called when the answer says nothing was stored and the client
  // should retry (the log refused the records), so a replay guard can let an
  // identical retry through (e.g. SigV4Verifier::Forget(identity.signature)).
  std::function<void()> forget_request;
  // Optional. The key's rate limit: 0 when `records` records of `bytes` bytes
  // may be stored now, else the seconds to wait (answered as a throttle).
  std::function<int64_t(uint64_t records, uint64_t bytes)> admit;
};

// Authenticates a request. On failure returns a Status whose message is
// "<AwsErrorType>: <message>" (as SigV4Verifier::Verify produces).
using AwsAuthenticate = std::function<Result<AwsPrincipal>(const HttpRequest& request)>;

// A fresh request id (a random UUID v4), for x-amzn-RequestId.
std::string NewAwsRequestId();
// An AWS JSON answer: `content_type` (application/x-amz-json-1.0 or -1.1),
// x-amzn-RequestId.
HttpResponse AwsJsonResponse(unsigned status, std::string body, std::string_view content_type,
                             const std::string& request_id);
// An AWS JSON error: {"__type": type, "message": message} and x-amzn-ErrorType.
HttpResponse AwsJsonError(unsigned status, std::string_view type, std::string_view message,
                          std::string_view content_type, const std::string& request_id);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_AWS_PROTOCOL_H_
