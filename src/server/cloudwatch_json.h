// The CloudWatch operations' JSON form: the shapes of the AWS JSON 1.0
// protocol (member names as in the CloudWatch API reference: Namespace,
// MetricData, MetricName, Dimensions, Timestamp, ...), used by the AWS
// protocol and, unchanged, by the native API (POST /v1/metrics ...), so a body
// copied from one works in the other.
//
// Timestamps are read as epoch seconds (a JSON number, fractions allowed; what
// AWS SDKs send) or, for people and curl, an ISO 8601 string; they are written
// as epoch seconds. Parse errors are InvalidArgument "<CloudWatch code>: ..."
// naming the member (e.g. "MetricData.member.3.Value"); a body that is not
// JSON, or a member of the wrong JSON type, is a SerializationException.
//
// Thread-safety: pure functions.
#ifndef GAMELAKE_SERVER_CLOUDWATCH_JSON_H_
#define GAMELAKE_SERVER_CLOUDWATCH_JSON_H_

#include <string>
#include <string_view>

#include <simdjson.h>

#include "common/json_writer.h"
#include "common/result.h"
#include "metrics/cloudwatch_service.h"

namespace gamelake {

// A datum without Timestamp gets now_ms.
Result<PutMetricDataRequest> ParsePutMetricDataJson(std::string_view body, int64_t now_ms);
Result<GetMetricDataRequest> ParseGetMetricDataJson(std::string_view body);
Result<GetMetricStatisticsRequest> ParseGetMetricStatisticsJson(std::string_view body);
Result<ListMetricsRequest> ParseListMetricsJson(std::string_view body);

std::string RenderGetMetricDataJson(const GetMetricDataResponse& response);
std::string RenderGetMetricStatisticsJson(const GetMetricStatisticsRequest& request,
                                          const GetMetricStatisticsResponse& response);
std::string RenderListMetricsJson(const ListMetricsResponse& response);

// The dashboard operations: each parses its request and answers from `store`
// with the JSON body to send, or the error ("<code>: message").
Result<std::string> PutDashboardJson(DashboardStore* store, std::string_view body);
Result<std::string> GetDashboardJson(DashboardStore* store, std::string_view body);
Result<std::string> ListDashboardsJson(DashboardStore* store, std::string_view body);
Result<std::string> DeleteDashboardsJson(DashboardStore* store, std::string_view body);
// A dashboard as GetDashboard answers it (the native API's GET too).
std::string RenderDashboardJson(const Dashboard& dashboard);

// Shapes the alarm operations (cloudwatch_alarm_json.h) share with these:
// one MetricDataQuery (`where` names it in errors, "Metrics.member.2"); a
// metric's Namespace, MetricName and Dimensions members of `o`; and the
// metric written as {"Namespace", "MetricName", "Dimensions"}.
Result<MetricDataQuery> ParseMetricDataQueryJson(simdjson::dom::element e, std::string_view where);
Result<MetricId> ParseMetricIdJson(simdjson::dom::object o, std::string_view where);
void WriteMetricIdJson(JsonWriter& w, const MetricId& id);

}  // namespace gamelake

#endif  // GAMELAKE_SERVER_CLOUDWATCH_JSON_H_
