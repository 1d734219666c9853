// The AWS Query protocol's framing of the CloudWatch API (what the AWS CLI v1,
// older boto3 and SDKs, and the JS v3 SDK's AwsQueryProtocol send): a form
// body `Action=<Op>&Version=2010-08-01&...` whose members are flattened
// (`MetricData.member.1.Dimensions.member.1.Name=...`), answered in XML.
//
// The framing is transcoded to and from the AWS JSON 1.0 bodies that
// CloudWatchApi executes, so every protocol shares one implementation of the
// operations:
//   QueryFormToJson     the form -> the action and its JSON 1.0 body; `a.member.N`
//                       lists and `a.b` structures nest, and members that are
//                       numbers or booleans in CloudWatch's shapes (cloudwatch_shapes.h)
//                       become JSON numbers and booleans. Errors name the parameter:
//                       MalformedQueryString (bad %-escapes, empty names), MissingAction,
//                       MissingParameter / InvalidParameterValue (Version; indexes from
//                       1 without gaps; values that are not numbers or booleans).
//   QueryXmlAnswer      the JSON 1.0 answer -> <OpResponse><OpResult>...; lists as
//                       <member>, maps as <entry><key/><value/>, timestamps (epoch
//                       seconds in JSON) as ISO 8601; no output: just ResponseMetadata.
//   QueryXmlError       <ErrorResponse><Error><Type>Sender|Receiver</Type><Code/>...
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_SERVER_AWS_QUERY_PROTOCOL_H_
#define GAMELAKE_SERVER_AWS_QUERY_PROTOCOL_H_

#include <string>
#include <string_view>

#include "common/result.h"
#include "metrics/cloudwatch_service.h"

namespace gamelake {

inline constexpr std::string_view kCloudWatchXmlNamespace =
    "http://monitoring.amazonaws.com/doc/2010-08-01/";
inline constexpr std::string_view kCloudWatchApiVersion = "2010-08-01";

struct QueryCall {
  std::string action;  // The operation, e.g. "PutMetricData".
  std::string json;    // Its AWS JSON 1.0 request body.
};

// Errors are InvalidArgument "<Query error code>: message".
Result<QueryCall> QueryFormToJson(std::string_view form);

// Fails only if `json` is not a JSON object (an internal error).
Result<std::string> QueryXmlAnswer(std::string_view action, std::string_view json,
                                   std::string_view request_id);

std::string QueryXmlError(const CloudWatchError& error, std::string_view request_id);

// Epoch seconds as ISO 8601 UTC: 2026-11-30T02:55:00Z, 2026-11-30T02:55:00.25Z.
std::string IsoTimestamp(double epoch_seconds);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_AWS_QUERY_PROTOCOL_H_
