// CloudWatchService: the CloudWatch operations on the metrics store, as typed
// requests and answers, independent of any wire protocol. The native JSON API
// and the AWS protocols (server/cloudwatch_api.h) parse into these structs and
// render what comes back, so every protocol has the same rules and limits.
//
//   PutMetricData        <= 1,000 datums (MetricStore::Put validates each)
//   GetMetricData        <= 500 queries; MetricStat queries; answers paged by
//                        MaxDatapoints (default and most 100,800) with NextToken
//   GetMetricStatistics  <= 1,440 datapoints; Statistics and/or ExtendedStatistics
//   ListMetrics          500 a page, NextToken; metrics with data in the last
//                        two weeks (RecentlyActive=PT3H: the last 3 hours)
//   Put/Get/List/DeleteDashboards   through dashboards() (dashboard_store.h)
//   PutMetricAlarm, DescribeAlarms...  through alarms() (alarm_store.h)
//
// Errors are InvalidArgument (or ResourceExhausted for LimitExceeded) whose
// message starts with the CloudWatch error code and ": " — see CloudWatchError.
//
// Thread-safety: as the store; the service holds no state of its own.
#ifndef GAMELAKE_METRICS_CLOUDWATCH_SERVICE_H_
#define GAMELAKE_METRICS_CLOUDWATCH_SERVICE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "metrics/dashboard_store.h"
#include "metrics/metric_store.h"
#include "metrics/metric_types.h"

namespace gamelake {

class AlarmStore;

inline constexpr size_t kMaxMetricDataQueries = 500;
inline constexpr size_t kMaxDatapointsPerGetMetricData = 100'800;
inline constexpr size_t kMaxDatapointsPerGetMetricStatistics = 1'440;
inline constexpr size_t kListMetricsPageSize = 500;

// A CloudWatch error: the code an AWS SDK maps to an exception class, the
// HTTP status, and a message.
struct CloudWatchError {
  std::string code;  // "InvalidParameterValue", "MissingParameter", ...
  int http_status = 400;
  std::string message;
};
// Splits a Status from this module ("Code: message") into a CloudWatchError;
// codes this module does not produce become InternalServiceError (HTTP 500).
CloudWatchError ToCloudWatchError(const Status& status);

// The NextToken of a paged answer: "gl1-<offset into the full answer>". A
// token that is not one is InvalidArgument "InvalidNextToken: ...".
std::string MakeNextToken(size_t offset);
Result<size_t> ParseNextToken(const std::optional<std::string>& token);

struct PutMetricDataRequest {
  std::string ns;
  std::vector<MetricDatum> data;  // Their ids' ns is set from `ns` by the service.
};

struct MetricStatQuery {
  MetricId metric;
  int64_t period_s = 0;
  std::string stat;
  std::optional<std::string> unit;
};
struct MetricDataQuery {
  std::string id;
  std::optional<MetricStatQuery> metric_stat;
  std::optional<std::string> expression;  // Metric math over other queries (metric_math.h).
  std::optional<std::string> label;
  bool return_data = true;
  std::optional<int64_t> period_s;  // For expressions.
};
struct GetMetricDataRequest {
  std::vector<MetricDataQuery> queries;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  bool descending = true;  // ScanBy TimestampDescending (the default).
  size_t max_datapoints = kMaxDatapointsPerGetMetricData;
  std::optional<std::string> next_token;
};
struct MetricDataResult {
  std::string id;
  std::string label;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
  std::string status_code = "Complete";  // Or "PartialData" when a page ends inside it.
};
struct GetMetricDataResponse {
  std::vector<MetricDataResult> results;
  std::optional<std::string> next_token;
};

struct GetMetricStatisticsRequest {
  MetricId metric;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t period_s = 0;
  std::vector<std::string> statistics;           // SampleCount, Average, Sum, Minimum, Maximum.
  std::vector<std::string> extended_statistics;  // pNN.NN, tmNN...
  std::optional<std::string> unit;
};
struct StatisticsDatapoint {
  int64_t timestamp_ms = 0;
  std::string unit;
  // Parallel to the request's statistics / extended_statistics; absent when unavailable.
  std::vector<std::optional<double>> statistics;
  std::vector<std::optional<double>> extended;
};
struct GetMetricStatisticsResponse {
  std::string label;
  std::vector<StatisticsDatapoint> datapoints;  // Ascending by time.
};

struct ListMetricsRequest {
  std::optional<std::string> ns;
  std::optional<std::string> name;
  std::vector<std::pair<std::string, std::optional<std::string>>> dimensions;
  bool recently_active = false;  // RecentlyActive=PT3H.
  std::optional<std::string> next_token;
};
struct ListMetricsResponse {
  std::vector<MetricId> metrics;
  std::optional<std::string> next_token;
};

class CloudWatchService {
 public:
  // store, dashboards, env and alarms (null: no alarms) must outlive the service.
  CloudWatchService(MetricStore* store, DashboardStore* dashboards, Env* env,
                    AlarmStore* alarms = nullptr)
      : store_(store), dashboards_(dashboards), alarms_(alarms), env_(env) {}

  DashboardStore* dashboards() const { return dashboards_; }
  AlarmStore* alarms() const { return alarms_; }

  Status PutMetricData(PutMetricDataRequest request);
  Result<GetMetricDataResponse> GetMetricData(const GetMetricDataRequest& request) const;
  Result<GetMetricStatisticsResponse> GetMetricStatistics(
      const GetMetricStatisticsRequest& request) const;
  Result<ListMetricsResponse> ListMetrics(const ListMetricsRequest& request) const;

 private:
  Result<MetricDataResult> RunQuery(const MetricDataQuery& q,
                                    const GetMetricDataRequest& request) const;

  MetricStore* store_;
  DashboardStore* dashboards_;
  AlarmStore* alarms_;
  Env* env_;
};

}  // namespace gamelake

#endif  // GAMELAKE_METRICS_CLOUDWATCH_SERVICE_H_
